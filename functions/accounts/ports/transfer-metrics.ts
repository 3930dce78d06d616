import type { CountOutcome } from '../../../shared/observability/metrics';

/** What accounts count of the money they move (CloudWatch metrics through Powertools' EMF). */
export const TRANSFER_METRICS = {
  /** A transfer made (a customer's, an order's charge or its refund); a replayed request counts nothing. */
  made: 'TransfersMade',
  /** A transfer refused by the domain (dimension `reason`: its error code, e.g. `INSUFFICIENT_FUNDS`). */
  refused: 'TransfersRefused',
  /** An attempt beaten by a concurrent write to one of its accounts, decided again (optimistic locking). */
  lostRaces: 'TransferLostRaces',
} as const;

export type TransferMetric = (typeof TRANSFER_METRICS)[keyof typeof TRANSFER_METRICS];

/** Counts one transfer outcome; a refusal by its reason. */
export type CountTransferOutcome = CountOutcome<TransferMetric>;
