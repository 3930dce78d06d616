import { ConcurrencyError } from '../errors/app-error';
import type { DomainEvent } from './domain-event';
import { UniqueKeyTakenError } from './errors';
import {
  DEFAULT_STREAM_PAGE,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type ListStreamsOptions,
  type LoadOptions,
  type Snapshot,
  type StreamPage,
} from './event-store';
import { validateAppend, validateFromVersion } from './validate-append';

/**
 * The event store in a Map, with the DynamoDB adapter's semantics (atomic appends, `ConcurrencyError`
 * on a lost race, unique keys claimed with the events, latest snapshot wins), for unit tests of functions. Everything is copied in and out
 * so that a caller mutating what it got cannot rewrite history, as it could not with DynamoDB.
 */
export class InMemoryEventStore<
  TEvent extends DomainEvent = DomainEvent,
  TState = unknown,
> implements EventStore<TEvent, TState> {
  private readonly streams = new Map<string, TEvent[]>();
  private readonly snapshots = new Map<string, Snapshot<TState>>();
  /** Unique key → the aggregate that claimed it. */
  private readonly claims = new Map<string, string>();

  async load(aggregateId: string, options: LoadOptions = {}): Promise<TEvent[]> {
    const fromVersion = options.fromVersion ?? 1;
    validateFromVersion(aggregateId, fromVersion);
    // Yield first, as a network call would, so that concurrent callers interleave as they do in Lambda.
    await Promise.resolve();
    const stream = this.streams.get(aggregateId) ?? [];
    return structuredClone(stream.slice(fromVersion - 1));
  }

  async append(
    aggregateId: string,
    expectedVersion: number,
    events: readonly TEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    validateAppend(aggregateId, expectedVersion, events, options);
    await Promise.resolve();
    if (events.length === 0) return { version: expectedVersion };
    // Check and write happen with no await in between: the append is atomic, like the transaction.
    const { uniqueKey } = options;
    const claimedBy = uniqueKey === undefined ? undefined : this.claims.get(uniqueKey);
    // Checked before the version, as DynamoDB's adapter reports a taken key over a version conflict.
    if (uniqueKey !== undefined && claimedBy !== undefined)
      throw new UniqueKeyTakenError(uniqueKey, claimedBy);
    const stream = this.streams.get(aggregateId) ?? [];
    if (stream.length !== expectedVersion) {
      throw new ConcurrencyError(
        `${aggregateId} is at version ${stream.length}, not at the expected version ${expectedVersion}`,
      );
    }
    this.streams.set(aggregateId, [...stream, ...structuredClone(events)]);
    if (uniqueKey !== undefined) this.claims.set(uniqueKey, aggregateId);
    return { version: expectedVersion + events.length };
  }

  async loadSnapshot(aggregateId: string): Promise<Snapshot<TState> | undefined> {
    await Promise.resolve();
    const snapshot = this.snapshots.get(aggregateId);
    return snapshot === undefined ? undefined : structuredClone(snapshot);
  }

  async saveSnapshot(snapshot: Snapshot<TState>): Promise<void> {
    await Promise.resolve();
    const stored = this.snapshots.get(snapshot.aggregateId);
    if (stored !== undefined && stored.version >= snapshot.version) return;
    this.snapshots.set(snapshot.aggregateId, structuredClone(snapshot));
  }

  async listStreams(aggregateType: string, options: ListStreamsOptions = {}): Promise<StreamPage> {
    await Promise.resolve();
    const limit = options.limit ?? DEFAULT_STREAM_PAGE;
    const ids = [...this.streams]
      .filter(([id, [first]]) => first?.aggregateType === aggregateType && id > (options.after ?? ''))
      .map(([id]) => id)
      .sort();
    const aggregateIds = ids.slice(0, limit);
    const last = aggregateIds.at(-1);
    return ids.length > limit && last !== undefined ? { aggregateIds, next: last } : { aggregateIds };
  }
}
