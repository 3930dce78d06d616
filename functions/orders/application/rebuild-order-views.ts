import { isDeepStrictEqual } from 'node:util';
import type { EventStore } from '../../../shared/event-sourcing';
import { ORDER_AGGREGATE_TYPE, OrderEventEnvelopeSchema } from '../contracts/order-events';
import type { OrderView, OrderViewWriter } from '../ports/order-views';
import { projectEvent } from './order-view-projection';

export interface RebuildOrderViewsDependencies {
  /** The orders event store: its streams, and each stream's events. */
  readonly store: Pick<EventStore, 'listStreams' | 'load'>;
  readonly views: OrderViewWriter;
  /** Told about each order as it is done. */
  readonly onOrder?: (orderId: string, outcome: RebuildOutcome) => void;
}

/**
 * `rebuilt`: the view was missing or differed and is now the fold of the order's events; `unchanged`:
 * it was that already; `ahead`: the live projector had moved it past the events read (it is newer);
 * `failed`: the events cannot be projected (the reason says why) — the view is left as it was.
 */
export type RebuildOutcome =
  | { readonly outcome: 'rebuilt' | 'unchanged' | 'ahead' }
  | { readonly outcome: 'failed'; readonly reason: string };

export interface RebuildSummary {
  readonly orders: number;
  readonly rebuilt: number;
  readonly unchanged: number;
  readonly ahead: number;
  readonly failed: readonly { readonly orderId: string; readonly reason: string }[];
}

/**
 * Rebuilds the order views from the event store: every `Order` stream (listed from the store's index,
 * never by scanning the events), folded with the projector's own `projectEvent` and written over the
 * view unless the view is already at a later version. Safe while the live projector runs: each write is
 * conditional on the version read, and a view a live delivery moved meanwhile is read again.
 */
export function makeRebuildOrderViews(deps: RebuildOrderViewsDependencies): () => Promise<RebuildSummary> {
  const rebuildOne = async (orderId: string): Promise<RebuildOutcome> => {
    let view: OrderView | undefined;
    try {
      const events = await deps.store.load(orderId);
      for (const event of events) view = projectEvent(view, OrderEventEnvelopeSchema.parse(event));
    } catch (error) {
      return { outcome: 'failed', reason: error instanceof Error ? error.message : String(error) };
    }
    if (view === undefined) return { outcome: 'failed', reason: 'the stream has no events' };
    for (let attempt = 1; attempt <= 3; attempt++) {
      const current = await deps.views.get(orderId);
      if (current !== undefined && current.version > view.version) return { outcome: 'ahead' };
      if (isDeepStrictEqual(current, view)) return { outcome: 'unchanged' };
      if ((await deps.views.save(view, current?.version ?? 0)) === 'saved') return { outcome: 'rebuilt' };
    }
    return { outcome: 'failed', reason: 'the view kept changing under the rebuild; run it again' };
  };

  return async () => {
    const summary = {
      orders: 0,
      rebuilt: 0,
      unchanged: 0,
      ahead: 0,
      failed: [] as RebuildSummary['failed'][number][],
    };
    let after: string | undefined;
    do {
      const page = await deps.store.listStreams(ORDER_AGGREGATE_TYPE, after === undefined ? {} : { after });
      for (const orderId of page.aggregateIds) {
        const result = await rebuildOne(orderId);
        deps.onOrder?.(orderId, result);
        summary.orders++;
        if (result.outcome === 'failed') summary.failed.push({ orderId, reason: result.reason });
        else summary[result.outcome]++;
      }
      after = page.next;
    } while (after !== undefined);
    return summary;
  };
}
