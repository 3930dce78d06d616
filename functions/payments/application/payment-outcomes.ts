import { enteredStatus, type Payment } from '../domain/payment';
import { PAYMENT_METRICS, type CountPaymentOutcome } from '../ports/payment-metrics';

/**
 * Counts the outcome the payment's last change reached, once per payment: a status recorded again (a
 * replayed capture, a second refund) counts nothing, so redelivered steps do not inflate the metrics.
 */
export function countEnteredOutcome(payment: Payment, count: CountPaymentOutcome | undefined): void {
  if (count === undefined || !enteredStatus(payment)) return;
  switch (payment.status) {
    case 'CAPTURED':
      return count(PAYMENT_METRICS.captured);
    case 'DECLINED':
      return count(PAYMENT_METRICS.declined, payment.declineCode ?? 'card_declined');
    case 'REFUNDED':
      return count(PAYMENT_METRICS.refunded);
    case 'FAILED':
      return;
  }
}
