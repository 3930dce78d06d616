import { OrderCancelledDataSchema, type OrderEventEnvelope } from '../contracts/order-events';
import { ORDER_METRICS, type CountOrderOutcome } from '../ports/order-metrics';
import type { OrderViewWriter } from '../ports/order-views';
import { ProjectionConflictError, ProjectionGapError } from './errors';
import { projectEvent } from './order-view-projection';

/** `applied`: the view moved to the event's version; `duplicate`: it was there already (redelivery). */
export type ProjectionOutcome = 'applied' | 'duplicate';

export type ProjectOrderEvent = (event: OrderEventEnvelope) => Promise<ProjectionOutcome>;

/**
 * Applies one event to the read model exactly once and in version order. A version the view already
 * has is a duplicate or a stale redelivery and is ignored; a version beyond the next one is a gap and
 * throws `ProjectionGapError`, so the delivery is retried until the missing event has been applied.
 * The write is conditional on the view still being at `event.version - 1`.
 */
export function makeProjectOrderEvent(deps: {
  readonly views: OrderViewWriter;
  /** Told of each outcome the first time the read model applies it (never of a redelivery). */
  readonly countOutcome?: CountOrderOutcome;
}): ProjectOrderEvent {
  const applied = (event: OrderEventEnvelope): 'applied' => {
    if (deps.countOutcome !== undefined) countOutcomeOf(event, deps.countOutcome);
    return 'applied';
  };
  return async (event) => {
    const current = await deps.views.get(event.aggregateId);
    const projectedVersion = current?.version ?? 0;
    if (event.version <= projectedVersion) return 'duplicate';
    if (event.version > projectedVersion + 1) {
      throw new ProjectionGapError(event.aggregateId, projectedVersion, event.version);
    }
    const next = projectEvent(current, event);
    if ((await deps.views.save(next, projectedVersion)) === 'saved') return applied(event);
    // Another delivery of this order wrote in between: a copy of this event, or a gap to wait for.
    const now = await deps.views.get(event.aggregateId);
    if (now !== undefined && now.version >= event.version) return 'duplicate';
    throw new ProjectionConflictError(event.aggregateId, event.version);
  };
}

/** The business outcome an order event stands for, if any: placed, paid, cancelled (and why), shipped. */
function countOutcomeOf(event: OrderEventEnvelope, count: CountOrderOutcome): void {
  switch (event.type) {
    case 'OrderCreated':
      return count(ORDER_METRICS.placed);
    case 'OrderPaid':
      return count(ORDER_METRICS.paid);
    case 'OrderShipped':
      return count(ORDER_METRICS.shipped);
    case 'OrderCancelled': {
      const data = OrderCancelledDataSchema.safeParse(event.data);
      return count(ORDER_METRICS.cancelled, data.success ? data.data.reason : 'UNKNOWN');
    }
    default:
      return undefined;
  }
}
