import type { DomainEvent } from './domain-event';

/** DynamoDB's TransactWriteItems limit: an append writes all events of one command in one transaction. */
export const MAX_EVENTS_PER_APPEND = 100;

export interface LoadOptions {
  /** First version to return (inclusive); 1, the whole stream, when absent. */
  readonly fromVersion?: number;
}

/** The state of one aggregate folded up to `version`, so a load can skip the events before it. */
export interface Snapshot<TState> {
  readonly aggregateId: string;
  readonly version: number;
  readonly state: TState;
  /** Version of `state`'s shape: a runner ignores snapshots of another shape and replays instead. */
  readonly schemaVersion: number;
  /** ISO-8601 instant. */
  readonly takenAt: string;
}

export interface AppendOptions {
  /**
   * A key at most one stream may ever claim; claimed in the same transaction as the events. An append
   * whose key is already claimed — by any aggregate, this one included — writes nothing and throws
   * `UniqueKeyTakenError` naming the holder, even if its expected version is stale too. Claims are
   * never released. E.g. a request's idempotency key, so that a retried request cannot create a
   * second aggregate.
   */
  readonly uniqueKey?: string;
}

/** A page of stream ids (aggregate ids) of one aggregate type, in id order. */
export interface StreamPage {
  readonly aggregateIds: readonly string[];
  /** Pass as `after` for the next page; absent on the last one. */
  readonly next?: string;
}

/** Stream ids per `listStreams` page unless asked otherwise. */
export const DEFAULT_STREAM_PAGE = 100;

export interface ListStreamsOptions {
  /** The id the previous page ended with. */
  readonly after?: string;
  /** @default 100 */
  readonly limit?: number;
}

export interface AppendResult {
  /** The stream's version after the append: the expected version of the next one. */
  readonly version: number;
}

/**
 * Persistence port of event-sourced aggregates: one stream of versioned events per aggregate id, plus
 * at most one snapshot of it. Adapters: `DynamoDbEventStore`, `InMemoryEventStore`.
 */
export interface EventStore<TEvent extends DomainEvent = DomainEvent, TState = unknown> {
  /** The aggregate's events in version order; none for an aggregate that does not exist yet. */
  load(aggregateId: string, options?: LoadOptions): Promise<TEvent[]>;

  /**
   * Appends all `events` atomically, or none. `expectedVersion` is the version the caller decided on
   * (0 for a new aggregate), so the events must carry versions `expectedVersion + 1`, `+ 2`, …
   * Throws `ConcurrencyError` when another writer appended first, or when the stream does not reach
   * `expectedVersion` (an append never leaves a gap), `UniqueKeyTakenError` when `options.uniqueKey` is
   * claimed already, `TooManyEventsError` beyond `MAX_EVENTS_PER_APPEND` (one fewer with a unique key,
   * and one fewer after version 0: the claim and the check of the previous version each take a place
   * in the transaction).
   * Appending no events writes nothing and checks nothing; claiming a key with no events is an
   * `EventStoreError` (a claim is only ever made by the events it guards).
   */
  append(
    aggregateId: string,
    expectedVersion: number,
    events: readonly TEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult>;

  /** The latest snapshot, if one was saved. */
  loadSnapshot(aggregateId: string): Promise<Snapshot<TState> | undefined>;

  /** Keeps `snapshot` unless a snapshot of a later version is already stored (concurrent writers). */
  saveSnapshot(snapshot: Snapshot<TState>): Promise<void>;

  /**
   * The streams of one aggregate type, a page at a time, in id order: what a projection is rebuilt
   * from. Read from an index of first events, never by scanning the events.
   */
  listStreams(aggregateType: string, options?: ListStreamsOptions): Promise<StreamPage>;
}
