/**
 * What the choreographed saga's reactions share: the cause they react to, the race policy of their
 * read-decide-write, the port of their per-order state, and the one way a change is written.
 */
import type { CommandContext } from '../event-sourcing/command-context';
import type { DomainEvent } from '../event-sourcing/domain-event';
import type { LostRaceRetryPolicy } from '../resilience';
import { definedProps } from '../objects/defined-props';

/** The event a reaction reacts to: its domain id (the marker's key), and the order it is about. */
export interface ReactionCause {
  readonly eventId: string;
  readonly orderId: string;
}

/** The cause of an event about an order (every event of the saga names its order in `data.orderId`). */
export function orderCause(event: {
  readonly eventId: string;
  readonly data: { readonly orderId: string };
}): ReactionCause {
  return { eventId: event.eventId, orderId: event.data.orderId };
}

/**
 * Two reactions on one order at once (a duplicate delivered beside the original, or two events of the
 * order): the loser decides again on the state that won, quickly — the state is one item.
 */
export const REACTION_RACE_RETRY: LostRaceRetryPolicy = {
  maxAttempts: 10,
  firstPauseMs: 50,
  maxElapsedMs: 5_000,
  answerReserveMs: 0,
};

/** What a consumer keeps of one order, at a version. */
export interface StoredState<TState> {
  readonly state: TState;
  /** 1 after the first write; each write adds 1. */
  readonly version: number;
}

/** One change of a consumer's state, written with its event and the reacted-to event's marker, or not at all. */
export interface StateChange<TState> {
  readonly id: string;
  readonly state: TState;
  /** The version the change was decided on; 0 when nothing was stored. */
  readonly expectedVersion: number;
  /** Published through the table's stream (the outbox); its `version` is `expectedVersion + 1`. */
  readonly event?: DomainEvent;
  /** The domain `eventId` the change reacts to: a second change for it writes nothing. */
  readonly reactsTo?: string;
  /** ISO-8601 instant of the change. */
  readonly at: string;
}

/** The port a consumer's application writes its state through; `DynamoDbReactionStore` is its adapter. */
export interface ReactionStateStore<TState> {
  load(id: string): Promise<StoredState<TState> | undefined>;
  /** `applied`, or `duplicate` when the event it reacts to was applied before; `ConcurrencyError` on a stale version. */
  save(change: StateChange<TState>): Promise<'applied' | 'duplicate'>;
}

/**
 * Writes `state` as the order's next version after `current`, with the marker of `cause` (none for an
 * intermediate claim that a redelivery must be able to take up again) and, when given, the event it
 * publishes — in the envelope of ARCHITECTURE.md §4, at that version, caused by the reacted-to event.
 */
export function saveReaction<TState>(
  store: ReactionStateStore<TState>,
  change: {
    readonly orderId: string;
    readonly aggregateType: string;
    readonly cause: ReactionCause | undefined;
    readonly current: StoredState<TState> | undefined;
    readonly state: TState;
    readonly event?: { readonly type: string; readonly data: unknown };
  },
  context: CommandContext,
): Promise<'applied' | 'duplicate'> {
  const expectedVersion = change.current?.version ?? 0;
  const { event } = change;
  return store.save({
    id: change.orderId,
    state: change.state,
    expectedVersion,
    ...(change.cause === undefined ? {} : { reactsTo: change.cause.eventId }),
    at: context.now().toISOString(),
    ...(event === undefined
      ? {}
      : {
          event: {
            eventId: context.newEventId(),
            type: event.type,
            aggregateType: change.aggregateType,
            aggregateId: change.orderId,
            version: expectedVersion + 1,
            occurredAt: context.now().toISOString(),
            correlationId: context.correlationId,
            causationId: context.causationId,
            ...definedProps({ traceHeader: context.traceHeader }),
            schemaVersion: 1,
            data: event.data,
          },
        }),
  });
}
