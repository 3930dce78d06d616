import type { OrderEventEnvelope } from '../contracts/order-events';
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
export function makeProjectOrderEvent(deps: { readonly views: OrderViewWriter }): ProjectOrderEvent {
  return async (event) => {
    const current = await deps.views.get(event.aggregateId);
    const projectedVersion = current?.version ?? 0;
    if (event.version <= projectedVersion) return 'duplicate';
    if (event.version > projectedVersion + 1) {
      throw new ProjectionGapError(event.aggregateId, projectedVersion, event.version);
    }
    const next = projectEvent(current, event);
    if ((await deps.views.save(next, projectedVersion)) === 'saved') return 'applied';
    // Another delivery of this order wrote in between: a copy of this event, or a gap to wait for.
    const now = await deps.views.get(event.aggregateId);
    if (now !== undefined && now.version >= event.version) return 'duplicate';
    throw new ProjectionConflictError(event.aggregateId, event.version);
  };
}
