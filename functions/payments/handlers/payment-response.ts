import type { PaymentResponse } from '../contracts/payment-response';
import type { Payment } from '../domain/payment';
import { definedProps } from '../../../shared/objects/defined-props';

/** Field by field, so nothing stored beside the payment ever leaks into an answer. */
export function toPaymentResponse(payment: Payment): PaymentResponse {
  return {
    orderId: payment.orderId,
    status: payment.status,
    method: payment.method,
    amountCents: payment.amountCents,
    currency: payment.currency,
    attempts: payment.attempts,
    ...definedProps({ providerChargeId: payment.providerChargeId }),
    ...(payment.status !== 'DECLINED' || payment.declineCode === undefined
      ? {}
      : { declineCode: payment.declineCode }),
  };
}
