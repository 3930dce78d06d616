import type { CountOutcome } from '../../../shared/observability/metrics';

/** What the read model counts of the orders' lives (CloudWatch metrics through Powertools' EMF). */
export const ORDER_METRICS = {
  placed: 'OrdersPlaced',
  paid: 'OrdersPaid',
  cancelled: 'OrdersCancelled',
  shipped: 'OrdersShipped',
} as const;

export type OrderMetric = (typeof ORDER_METRICS)[keyof typeof ORDER_METRICS];

/** Counts one order reaching an outcome; a cancellation by its reason (the dimension `reason`). */
export type CountOrderOutcome = CountOutcome<OrderMetric>;
