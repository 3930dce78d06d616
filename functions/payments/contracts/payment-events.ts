/**
 * What payments publishes about an order's payment, for the choreographed saga: source
 * `shop.payments`, aggregate `OrderPayment` (its id is the order id).
 */
import * as z from 'zod';

export const PAYMENTS_EVENT_SOURCE = 'shop.payments';
export const ORDER_PAYMENT_AGGREGATE_TYPE = 'OrderPayment';

const nonEmpty = z.string().min(1);
const cents = z.number().int().nonnegative();

/** The order's amount was taken. */
export const PaymentCapturedDataSchema = z.object({
  orderId: nonEmpty,
  chargeId: nonEmpty,
  amountCents: cents,
  currency: z.string().length(3),
});
/** The card (or account) refused: nothing was taken. */
export const PaymentDeclinedDataSchema = z.object({
  orderId: nonEmpty,
  reason: z.literal('PAYMENT_DECLINED'),
  declineCode: nonEmpty.optional(),
});
/**
 * The charge could not be made (the processor unavailable past the wait budget, or a request it
 * rejected); whatever its lost answers may have captured was refunded first.
 */
export const PaymentFailedDataSchema = z.object({
  orderId: nonEmpty,
  reason: z.enum(['PAYMENT_UNAVAILABLE', 'SAGA_FAILED']),
  refundedCents: cents,
});
/** The order was cancelled after its charge: the amount went back. */
export const PaymentRefundedDataSchema = z.object({ orderId: nonEmpty, refundedCents: cents });

export const PAYMENT_EVENT_DATA_SCHEMAS = {
  PaymentCaptured: PaymentCapturedDataSchema,
  PaymentDeclined: PaymentDeclinedDataSchema,
  PaymentFailed: PaymentFailedDataSchema,
  PaymentRefunded: PaymentRefundedDataSchema,
} as const;

export type PaymentEventType = keyof typeof PAYMENT_EVENT_DATA_SCHEMAS;
export type PaymentEventData<T extends PaymentEventType> = z.infer<(typeof PAYMENT_EVENT_DATA_SCHEMAS)[T]>;
