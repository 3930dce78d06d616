import {
  TransactWriteItemsCommand,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';

export interface ProcessedEventMarkerOptions {
  /** The consumer's own table, so the marker commits or fails with its state change. */
  readonly tableName: string;
  /** Names the consumer, so two consumers of one event sharing a table do not suppress each other. */
  readonly consumer: string;
  readonly eventId: string;
  /** @default 'pk' */
  readonly partitionKey?: string;
  /** For a table with a composite key: its sort key attribute, set to `processed-event`. */
  readonly sortKey?: string;
  /** Epoch seconds after which DynamoDB TTL may drop the marker; kept for ever when absent. */
  readonly expiresAt?: number;
  /** @default 'expiresAt' */
  readonly ttlAttribute?: string;
}

export type ProcessedOnce = 'applied' | 'already-processed';

/** The marker's partition key value: `processed-event#<consumer>#<eventId>`. */
export function processedEventKey(consumer: string, eventId: string): string {
  return `processed-event#${consumer}#${eventId}`;
}

/**
 * The `Put` that records `eventId` as processed by `consumer`, conditional on `attribute_not_exists`:
 * put it in the same `TransactWriteItems` as the state change, and a redelivered event cancels the whole
 * transaction instead of applying twice.
 */
export function processedEventMarker(options: ProcessedEventMarkerOptions): TransactWriteItem {
  const partitionKey = options.partitionKey ?? 'pk';
  return {
    Put: {
      TableName: options.tableName,
      Item: {
        [partitionKey]: { S: processedEventKey(options.consumer, options.eventId) },
        ...(options.sortKey === undefined ? {} : { [options.sortKey]: { S: 'processed-event' } }),
        eventId: { S: options.eventId },
        consumer: { S: options.consumer },
        ...(options.expiresAt === undefined
          ? {}
          : { [options.ttlAttribute ?? 'expiresAt']: { N: String(Math.floor(options.expiresAt)) } }),
      },
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': partitionKey },
    },
  };
}

/**
 * True when `error` is the cancellation of a transaction whose item at `markerIndex` (the marker) failed
 * its condition: the event was processed before. Any other failure, including another item's condition,
 * is not a duplicate and must be retried or surfaced.
 */
export function isEventAlreadyProcessed(error: unknown, markerIndex: number): boolean {
  // By name and shape rather than `instanceof`: a bundle may hold more than one copy of the SDK.
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return false;
  const reasons: unknown = 'CancellationReasons' in error ? error.CancellationReasons : undefined;
  if (!Array.isArray(reasons)) return false;
  const reason: unknown = reasons[markerIndex];
  return (
    typeof reason === 'object' &&
    reason !== null &&
    'Code' in reason &&
    reason.Code === 'ConditionalCheckFailed'
  );
}

/**
 * Writes `marker` (first) and `items` in one transaction; `already-processed` when the marker says the
 * event was seen, the transaction's error otherwise. At most 99 `items` (DynamoDB allows 100 in all).
 */
export async function transactWriteOnce(
  client: DynamoDBClient,
  marker: TransactWriteItem,
  items: readonly TransactWriteItem[],
): Promise<ProcessedOnce> {
  try {
    await client.send(new TransactWriteItemsCommand({ TransactItems: [marker, ...items] }));
    return 'applied';
  } catch (error) {
    if (isEventAlreadyProcessed(error, 0)) return 'already-processed';
    throw error;
  }
}
