import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamRecord } from './dynamodb-stream-event';
import { definedProps } from '../objects/defined-props';

/**
 * A poison outbox record as the relay dead-letters it: the stream record whole (its keys and its new
 * image), why it cannot be published, and where it came from, so that an operator can read it, fix the
 * item in its table, and replay it (`npm run outbox:replay`). Sent as the JSON body of one SQS message
 * on the relay's dead-letter queue, beside the event source mapping's own failure records.
 */
export interface PoisonDeadLetter {
  readonly kind: typeof POISON_DEAD_LETTER_KIND;
  readonly version: 1;
  /** Why the record cannot be published, e.g. an entry over the `PutEvents` limit. */
  readonly reason: string;
  /** The relay's `source`: the context whose event it is. */
  readonly source: string;
  /** The table's stream, `arn:…:table/<name>/stream/<label>`: the table to fix the item in. */
  readonly eventSourceArn?: string;
  readonly sequenceNumber: string;
  readonly aggregateId: string;
  readonly keys: Record<string, AttributeValue>;
  /** The item as the stream carried it; absent when it would not fit in an SQS message. */
  readonly newImage?: Record<string, AttributeValue>;
  readonly deadLetteredAt: string;
}

export const POISON_DEAD_LETTER_KIND = 'outbox-poison-record';

/** SQS's largest message (1 MiB), less room for the envelope's other fields. */
const MAX_IMAGE_MESSAGE_BYTES = 1_048_576 - 16_384;

/** The dead letter of `record`; its image is left out when the message would be over SQS's limit. */
export function poisonDeadLetter(
  record: DynamoDBStreamRecord,
  details: {
    readonly reason: string;
    readonly source: string;
    readonly aggregateId: string;
    readonly at: Date;
  },
): PoisonDeadLetter {
  const image = record.dynamodb?.NewImage;
  const fits = image !== undefined && Buffer.byteLength(JSON.stringify(image)) <= MAX_IMAGE_MESSAGE_BYTES;
  return {
    kind: POISON_DEAD_LETTER_KIND,
    version: 1,
    reason: details.reason,
    source: details.source,
    ...definedProps({ eventSourceArn: record.eventSourceARN }),
    sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
    aggregateId: details.aggregateId,
    keys: record.dynamodb?.Keys ?? {},
    ...(fits ? { newImage: image } : {}),
    deadLetteredAt: details.at.toISOString(),
  };
}

/** Where the relay puts what it can never publish (the SQS adapter: `sqsPoisonSink`). */
export type PoisonSink = (deadLetter: PoisonDeadLetter) => Promise<void>;
