import type { CountOutcome } from '../../../shared/observability/metrics';

/** What payments count of their outcomes (CloudWatch metrics through Powertools' EMF). */
export const PAYMENT_METRICS = {
  captured: 'PaymentsCaptured',
  declined: 'PaymentsDeclined',
  refunded: 'PaymentsRefunded',
} as const;

export type PaymentMetric = (typeof PAYMENT_METRICS)[keyof typeof PAYMENT_METRICS];

/** Counts one payment reaching an outcome; a decline by the processor's code (the dimension `reason`). */
export type CountPaymentOutcome = CountOutcome<PaymentMetric>;
