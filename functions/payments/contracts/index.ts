/** What other contexts (and the saga) may know of payments: its steps' payloads, error names and API answers. */
export type { PaymentResponse } from './payment-response';
export {
  PAYMENT_STEP_ERRORS,
  type ChargePaymentInput,
  type ChargePaymentOutput,
  type PaymentStepErrorName,
  type RefundLine,
  type RefundPaymentInput,
  type RefundPaymentOutput,
} from './payment-steps';
export {
  ORDER_PAYMENT_AGGREGATE_TYPE,
  PAYMENT_EVENT_DATA_SCHEMAS,
  PAYMENTS_EVENT_SOURCE,
  PaymentCapturedDataSchema,
  PaymentDeclinedDataSchema,
  PaymentFailedDataSchema,
  PaymentRefundedDataSchema,
  type PaymentEventData,
  type PaymentEventType,
} from './payment-events';
export { CARD_TOKEN_PATTERN, type KeepCardTokenAnswer, type KeepCardTokenRequest } from './card-vault';
