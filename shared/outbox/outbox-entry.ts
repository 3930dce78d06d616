import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod';
import type { DynamoDBStreamRecord } from './dynamodb-stream-event';
import { PUT_EVENTS_MAX_BYTES, putEventsEntrySize } from './put-events-limits';
import { definedProps } from '../objects/defined-props';

/** What a stream record means to the relay. */
export type OutboxEntry =
  | { readonly kind: 'ignored' }
  | {
      readonly kind: 'publish';
      readonly sequenceNumber: string;
      readonly aggregateId: string;
      readonly eventId: string;
      readonly type: string;
      readonly entry: PutEventsRequestEntry;
      readonly sizeBytes: number;
    }
  | {
      readonly kind: 'poison';
      readonly sequenceNumber: string;
      readonly aggregateId: string;
      readonly eventId?: string;
      readonly type?: string;
      readonly reason: string;
      readonly sizeBytes?: number;
      readonly cause?: unknown;
    };

export interface EntryTarget {
  readonly busName: string;
  readonly source: string;
}

const nonEmpty = z.string().min(1);

/** The envelope of ARCHITECTURE §4, as the event store writes it next to `pk`, `sk` and `kind`. */
const envelopeSchema = z.object({
  eventId: nonEmpty,
  type: nonEmpty,
  aggregateType: nonEmpty,
  aggregateId: nonEmpty,
  version: z.number().int().positive(),
  occurredAt: nonEmpty,
  correlationId: nonEmpty,
  causationId: nonEmpty,
  traceHeader: nonEmpty.optional(),
  schemaVersion: z.number().int().positive(),
  data: z.record(z.string(), z.unknown()),
});

/**
 * Maps a stream record to its EventBridge entry. Only a new event item (an INSERT whose image has
 * `kind = 'event'`) is published; snapshots, other items and MODIFY/REMOVE records are ignored. An
 * event item that is malformed or too large for `PutEvents` is poison.
 */
export function toOutboxEntry(record: DynamoDBStreamRecord, target: EntryTarget): OutboxEntry {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || image === undefined || image.kind?.S !== 'event') {
    return { kind: 'ignored' };
  }
  const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
  // Grouping by the table's partition key holds even for an item whose envelope is unreadable.
  const aggregateId = image.pk?.S ?? record.dynamodb?.Keys?.pk?.S ?? `(no pk: ${sequenceNumber})`;
  let item: Record<string, unknown>;
  try {
    item = unmarshall(image);
  } catch (cause) {
    return { kind: 'poison', sequenceNumber, aggregateId, reason: 'the item cannot be unmarshalled', cause };
  }
  const parsed = envelopeSchema.safeParse(item);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    return {
      kind: 'poison',
      sequenceNumber,
      aggregateId,
      eventId: typeof item.eventId === 'string' ? item.eventId : undefined,
      type: typeof item.type === 'string' ? item.type : undefined,
      reason: `the event item is not a valid envelope (${issues})`,
    };
  }
  const envelope = parsed.data;
  // Rebuilt field by field so the detail is the envelope alone, in the documented order.
  const detail = {
    eventId: envelope.eventId,
    type: envelope.type,
    aggregateType: envelope.aggregateType,
    aggregateId: envelope.aggregateId,
    version: envelope.version,
    occurredAt: envelope.occurredAt,
    correlationId: envelope.correlationId,
    causationId: envelope.causationId,
    ...definedProps({ traceHeader: envelope.traceHeader }),
    schemaVersion: envelope.schemaVersion,
    data: envelope.data,
  };
  const entry: PutEventsRequestEntry = {
    EventBusName: target.busName,
    Source: target.source,
    DetailType: envelope.type,
    Detail: JSON.stringify(detail),
    ...definedProps({ TraceHeader: envelope.traceHeader }),
  };
  const sizeBytes = putEventsEntrySize(entry);
  if (sizeBytes > PUT_EVENTS_MAX_BYTES) {
    return {
      kind: 'poison',
      sequenceNumber,
      aggregateId,
      eventId: envelope.eventId,
      type: envelope.type,
      sizeBytes,
      reason: `the entry is ${sizeBytes} bytes, over the ${PUT_EVENTS_MAX_BYTES}-byte PutEvents limit`,
    };
  }
  return {
    kind: 'publish',
    sequenceNumber,
    aggregateId,
    eventId: envelope.eventId,
    type: envelope.type,
    entry,
    sizeBytes,
  };
}
