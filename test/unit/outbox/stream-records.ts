import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamRecord } from '../../../shared/outbox/dynamodb-stream-event';

export interface EventItem {
  readonly aggregateId: string;
  readonly version: number;
  readonly type?: string;
  readonly data?: Record<string, unknown>;
  readonly traceHeader?: string;
}

let nextSequence = 1;

/** Sequence numbers grow like a shard's: digits, zero-padded, increasing. */
export function sequenceNumber(): string {
  return String(nextSequence++).padStart(21, '0');
}

export function eventIdOf(aggregateId: string, version: number): string {
  return `evt_${aggregateId}_${version}`;
}

/** The item the event store writes for one event: keys, `kind` and the envelope. */
export function eventItem(event: EventItem): Record<string, unknown> {
  return {
    pk: event.aggregateId,
    sk: event.version,
    kind: 'event',
    eventId: eventIdOf(event.aggregateId, event.version),
    type: event.type ?? 'OrderCreated',
    aggregateType: 'Order',
    aggregateId: event.aggregateId,
    version: event.version,
    occurredAt: '2026-11-26T12:00:00.000Z',
    correlationId: `cor_${event.aggregateId}`,
    causationId: `cmd_${event.aggregateId}_${event.version}`,
    ...(event.traceHeader === undefined ? {} : { traceHeader: event.traceHeader }),
    schemaVersion: 1,
    data: event.data ?? { orderId: event.aggregateId },
  };
}

/** An INSERT record of the event store's stream (NEW_IMAGE view) carrying `item`. */
export function insertRecord(item: Record<string, unknown>): DynamoDBStreamRecord {
  const image = marshall(item, { removeUndefinedValues: true });
  return {
    eventID: `id-${nextSequence}`,
    eventName: 'INSERT',
    eventSourceARN:
      'arn:aws:dynamodb:us-east-1:000000000000:table/orders-events/stream/2026-11-26T00:00:00.000',
    dynamodb: {
      Keys: { pk: image.pk!, sk: image.sk! },
      NewImage: image,
      SequenceNumber: sequenceNumber(),
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

export function eventRecord(event: EventItem): DynamoDBStreamRecord {
  return insertRecord(eventItem(event));
}

export function sequenceOf(record: DynamoDBStreamRecord): string {
  const sequence = record.dynamodb?.SequenceNumber;
  if (sequence === undefined) {
    throw new Error('the record has no sequence number');
  }
  return sequence;
}
