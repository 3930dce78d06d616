import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type NativeAttributeValue,
} from '@aws-sdk/lib-dynamodb';
import { ConcurrencyError } from '../errors/app-error';
import type { DomainEvent } from './domain-event';
import { EventStoreError, UniqueKeyTakenError } from './errors';
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
import { definedProps } from '../objects/defined-props';

/**
 * Table layout. Events: `pk = <aggregateId>`, `sk = <version>` (N), `kind = 'event'`, and the envelope's
 * fields as top-level attributes, so the stream's NewImage is the event the outbox relay publishes.
 *
 * Snapshots live in the same table under `pk = 'snapshot#<aggregateId>'`, `sk = 0`, `kind = 'snapshot'`:
 * `sk` stays numeric (one key type per attribute), an aggregate's event partition holds nothing but its
 * events (so no event query can ever return a snapshot), and the table needs no second set of
 * resources and grants. The price is one stream record per snapshot, which the relay's event source
 * filter on `kind = 'event'` drops before any invocation.
 *
 * Unique keys (`AppendOptions.uniqueKey`) are claimed under `pk = 'unique#<key>'`, `sk = 0`,
 * `kind = 'unique-key'`, with the claiming `aggregateId` and `claimedAt`: one more conditional `Put` in
 * the append's transaction, so the claim and the events are written together or not at all. Like
 * snapshots they are in a key space no aggregate id may enter, of a kind the relay drops.
 *
 * Streams are listed from a sparse index (`STREAMS_INDEX`): a stream's first event (version 1) alone
 * carries `streamType` (its aggregate type), so the index holds one key per stream, by type and id.
 */
/** The sparse index of first events: partition key `streamType`, sort key `pk`, keys only. */
export const STREAMS_INDEX = 'streams';
export const STREAM_TYPE_ATTRIBUTE = 'streamType';
export const EVENT_ITEM_KIND = 'event';
export const SNAPSHOT_ITEM_KIND = 'snapshot';
export const SNAPSHOT_KEY_PREFIX = 'snapshot#';
const SNAPSHOT_SORT_KEY = 0;
export const UNIQUE_KEY_ITEM_KIND = 'unique-key';
export const UNIQUE_KEY_PREFIX = 'unique#';
const UNIQUE_KEY_SORT_KEY = 0;
/** Where the claim sits in the append's `TransactItems`: first, before the events. */
const CLAIM_INDEX = 0;

/** Cancellation reasons that mean another writer got there first; anything else is a real failure. */
const LOST_RACE_REASONS = new Set(['ConditionalCheckFailed', 'TransactionConflict']);

type Item = Record<string, NativeAttributeValue>;

export interface DynamoDbEventStoreProps {
  /** A document client is used as it is; a plain client is wrapped in one that drops `undefined`s. */
  readonly client: DynamoDBClient | DynamoDBDocumentClient;
  /** Key schema `pk` (S, hash) / `sk` (N, range); stream `NEW_IMAGE` for the outbox. */
  readonly tableName: string;
  /**
   * Items per Query page.
   * @default DynamoDB's own limit of 1 MB per page
   */
  readonly pageSize?: number;
}

export class DynamoDbEventStore<
  TEvent extends DomainEvent = DomainEvent,
  TState = unknown,
> implements EventStore<TEvent, TState> {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly pageSize: number | undefined;

  constructor(props: DynamoDbEventStoreProps) {
    if (props.tableName.length === 0) throw new EventStoreError('DynamoDbEventStore needs a tableName');
    if (props.pageSize !== undefined && (!Number.isSafeInteger(props.pageSize) || props.pageSize < 1)) {
      throw new EventStoreError(`pageSize must be a positive integer, got ${props.pageSize}`);
    }
    this.documents =
      props.client instanceof DynamoDBDocumentClient
        ? props.client
        : DynamoDBDocumentClient.from(props.client, { marshallOptions: { removeUndefinedValues: true } });
    this.tableName = props.tableName;
    this.pageSize = props.pageSize;
  }

  async load(aggregateId: string, options: LoadOptions = {}): Promise<TEvent[]> {
    assertStreamId(aggregateId);
    const fromVersion = options.fromVersion ?? 1;
    validateFromVersion(aggregateId, fromVersion);
    const events: TEvent[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk >= :fromVersion',
          ExpressionAttributeValues: { ':pk': aggregateId, ':fromVersion': fromVersion },
          // An eventually consistent read could miss the latest append and doom the next one to a conflict.
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
          Limit: this.pageSize,
        }),
      );
      for (const item of page.Items ?? []) events.push(toEvent<TEvent>(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return events;
  }

  async append(
    aggregateId: string,
    expectedVersion: number,
    events: readonly TEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    assertStreamId(aggregateId);
    validateAppend(aggregateId, expectedVersion, events, options);
    const [first] = events;
    if (first === undefined) return { version: expectedVersion };
    const { uniqueKey } = options;
    const eventPuts = events.map((event) => ({
      Put: {
        TableName: this.tableName,
        Item: toEventItem(event),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    }));
    const claimPut =
      uniqueKey === undefined
        ? undefined
        : {
            Put: {
              TableName: this.tableName,
              // The claim and its events are one write: they share the command's instant.
              Item: toClaimItem(uniqueKey, aggregateId, first.occurredAt),
              ConditionExpression: 'attribute_not_exists(pk)',
              // The holder comes back with the cancellation, saving a read.
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
            },
          };
    // The stream must reach the version decided on: without this check an append after a version
    // that does not exist would write events past a gap no later append could fill.
    const previousCheck =
      expectedVersion === 0
        ? undefined
        : {
            ConditionCheck: {
              TableName: this.tableName,
              Key: { pk: aggregateId, sk: expectedVersion },
              ConditionExpression: 'attribute_exists(pk)',
            },
          };
    try {
      // Version expectedVersion + 1 already existing is exactly the lost race. The SDK fills in the
      // transaction's ClientRequestToken once per call, so its own retries cannot append twice.
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            ...(claimPut === undefined ? [] : [claimPut]),
            ...eventPuts,
            ...(previousCheck === undefined ? [] : [previousCheck]),
          ],
        }),
      );
    } catch (error) {
      if (uniqueKey !== undefined) {
        const taken = claimFailure(error);
        if (taken !== undefined) {
          const claimedBy = taken.claimedBy ?? (await this.claimHolder(uniqueKey));
          throw new UniqueKeyTakenError(uniqueKey, claimedBy, { cause: error });
        }
      }
      throw appendFailure(error, aggregateId, expectedVersion, previousCheck !== undefined);
    }
    return { version: expectedVersion + events.length };
  }

  /** Who holds `uniqueKey`: read when the cancellation did not return the claim (an engine without `ALL_OLD`). */
  private async claimHolder(uniqueKey: string): Promise<string> {
    const { Item: item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: `${UNIQUE_KEY_PREFIX}${uniqueKey}`, sk: UNIQUE_KEY_SORT_KEY },
        ConsistentRead: true,
      }),
    );
    if (item === undefined) {
      throw new EventStoreError(`the claim of the unique key '${uniqueKey}' failed, yet there is no claim`);
    }
    const read = reader(item, 'unique key');
    if (item['kind'] !== UNIQUE_KEY_ITEM_KIND) throw read.corrupt('kind');
    return read.string('aggregateId');
  }

  async listStreams(aggregateType: string, options: ListStreamsOptions = {}): Promise<StreamPage> {
    const limit = options.limit ?? DEFAULT_STREAM_PAGE;
    const page = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: STREAMS_INDEX,
        KeyConditionExpression: '#type = :type',
        ExpressionAttributeNames: { '#type': STREAM_TYPE_ATTRIBUTE },
        ExpressionAttributeValues: { ':type': aggregateType },
        ...(options.after === undefined
          ? {}
          : { ExclusiveStartKey: { [STREAM_TYPE_ATTRIBUTE]: aggregateType, pk: options.after, sk: 1 } }),
        Limit: limit,
      }),
    );
    const aggregateIds = (page.Items ?? []).map((item) => String(item['pk']));
    const last = aggregateIds.at(-1);
    return page.LastEvaluatedKey === undefined || last === undefined
      ? { aggregateIds }
      : { aggregateIds, next: last };
  }

  async loadSnapshot(aggregateId: string): Promise<Snapshot<TState> | undefined> {
    assertStreamId(aggregateId);
    const { Item: item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: `${SNAPSHOT_KEY_PREFIX}${aggregateId}`, sk: SNAPSHOT_SORT_KEY },
        ConsistentRead: true,
      }),
    );
    return item === undefined ? undefined : toSnapshot<TState>(item);
  }

  async saveSnapshot(snapshot: Snapshot<TState>): Promise<void> {
    assertStreamId(snapshot.aggregateId);
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `${SNAPSHOT_KEY_PREFIX}${snapshot.aggregateId}`,
            sk: SNAPSHOT_SORT_KEY,
            kind: SNAPSHOT_ITEM_KIND,
            aggregateId: snapshot.aggregateId,
            version: snapshot.version,
            state: snapshot.state,
            schemaVersion: snapshot.schemaVersion,
            takenAt: snapshot.takenAt,
          },
          // Concurrent runners may snapshot out of order; an older state must not replace a newer one.
          ConditionExpression: 'attribute_not_exists(pk) OR #version < :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': snapshot.version },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw error;
    }
  }
}

/**
 * An aggregate id in the snapshot key space would read and write another aggregate's snapshot; one in
 * the unique key space could take (or forge) a claim with its events.
 */
function assertStreamId(aggregateId: string): void {
  if (
    aggregateId.length === 0 ||
    aggregateId.startsWith(SNAPSHOT_KEY_PREFIX) ||
    aggregateId.startsWith(UNIQUE_KEY_PREFIX)
  ) {
    throw new EventStoreError(`'${aggregateId}' cannot be an aggregate id`);
  }
}

/**
 * The envelope as an outbox item carries it: `kind = 'event'` and every envelope field at the top
 * level, which is what the `OutboxRelay` publishes. Any table that is an outbox writes events this way.
 */
export function eventItemAttributes(event: DomainEvent): Record<string, unknown> {
  return {
    kind: EVENT_ITEM_KIND,
    eventId: event.eventId,
    type: event.type,
    aggregateType: event.aggregateType,
    aggregateId: event.aggregateId,
    version: event.version,
    occurredAt: event.occurredAt,
    correlationId: event.correlationId,
    causationId: event.causationId,
    ...definedProps({ traceHeader: event.traceHeader }),
    schemaVersion: event.schemaVersion,
    data: event.data,
  };
}

function toEventItem(event: DomainEvent): Item {
  return {
    pk: event.aggregateId,
    sk: event.version,
    ...eventItemAttributes(event),
    ...(event.version === 1 ? { [STREAM_TYPE_ATTRIBUTE]: event.aggregateType } : {}),
  };
}

function toClaimItem(uniqueKey: string, aggregateId: string, claimedAt: string): Item {
  return {
    pk: `${UNIQUE_KEY_PREFIX}${uniqueKey}`,
    sk: UNIQUE_KEY_SORT_KEY,
    kind: UNIQUE_KEY_ITEM_KIND,
    aggregateId,
    claimedAt,
  };
}

function toEvent<TEvent extends DomainEvent>(item: Item): TEvent {
  const read = reader(item, 'event');
  if (item['kind'] !== EVENT_ITEM_KIND) throw read.corrupt('kind');
  const traceHeader = item['traceHeader'];
  if (traceHeader !== undefined && typeof traceHeader !== 'string') throw read.corrupt('traceHeader');
  const event: DomainEvent = {
    eventId: read.string('eventId'),
    type: read.string('type'),
    aggregateType: read.string('aggregateType'),
    aggregateId: read.string('aggregateId'),
    version: read.number('version'),
    occurredAt: read.string('occurredAt'),
    correlationId: read.string('correlationId'),
    causationId: read.string('causationId'),
    ...definedProps({ traceHeader }),
    schemaVersion: read.number('schemaVersion'),
    data: item['data'],
  };
  // The store reads back only what it wrote from a TEvent; the envelope is checked, the data trusted.
  return event as TEvent;
}

function toSnapshot<TState>(item: Item): Snapshot<TState> {
  const read = reader(item, 'snapshot');
  if (item['kind'] !== SNAPSHOT_ITEM_KIND) throw read.corrupt('kind');
  return {
    aggregateId: read.string('aggregateId'),
    version: read.number('version'),
    // Written from a Snapshot<TState> by saveSnapshot; the runner drops snapshots of another schemaVersion.
    state: item['state'] as TState,
    schemaVersion: read.number('schemaVersion'),
    takenAt: read.string('takenAt'),
  };
}

function reader(item: Item, what: string) {
  const corrupt = (attribute: string): EventStoreError =>
    new EventStoreError(
      `the ${what} item pk=${String(item['pk'])} sk=${String(item['sk'])} has no valid '${attribute}'`,
    );
  return {
    corrupt,
    string(attribute: string): string {
      const value = item[attribute];
      if (typeof value !== 'string') throw corrupt(attribute);
      return value;
    },
    number(attribute: string): number {
      const value = item[attribute];
      if (typeof value !== 'number') throw corrupt(attribute);
      return value;
    },
  };
}

/**
 * The claim's condition failed: the key is taken, whatever else failed with it (a version conflict too
 * is reported as the taken key, which no retry can overcome). `claimedBy` is the holder when the
 * cancellation returned the claim, as DynamoDB and DynamoDB Local do for `ALL_OLD`.
 */
function claimFailure(error: unknown): { claimedBy: string | undefined } | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reason = error.CancellationReasons?.[CLAIM_INDEX];
  if (reason?.Code !== 'ConditionalCheckFailed') return undefined;
  // Cancellation reasons come back as raw attribute values: the document client does not convert errors.
  return { claimedBy: reason.Item?.['aggregateId']?.S };
}

function appendFailure(
  error: unknown,
  aggregateId: string,
  expectedVersion: number,
  checkedPrevious: boolean,
): unknown {
  if (!(error instanceof TransactionCanceledException)) return error;
  const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
  // The check of the previous version is the transaction's last item.
  const onlyThePreviousMissing =
    checkedPrevious &&
    codes.at(-1) === 'ConditionalCheckFailed' &&
    codes.slice(0, -1).every((code) => code === 'None');
  if (onlyThePreviousMissing) {
    return new ConcurrencyError(
      `${aggregateId} has no version ${expectedVersion} to append after: the stream is behind the version decided on`,
      { cause: error },
    );
  }
  if (codes.some((code) => LOST_RACE_REASONS.has(code))) {
    return new ConcurrencyError(
      `${aggregateId} was modified concurrently: another command appended version ${expectedVersion + 1} first`,
      { cause: error },
    );
  }
  return new EventStoreError(
    `appending to ${aggregateId} after version ${expectedVersion} was cancelled: ${codes.join(', ')}`,
    { cause: error },
  );
}
