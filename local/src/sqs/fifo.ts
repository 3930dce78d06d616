/**
 * The rules of FIFO queues that need no queue: message group and deduplication ids, content-based
 * deduplication, the deduplication interval, and which messages a receive may take without breaking the
 * order of a message group.
 */
import { createHash } from 'node:crypto';
import type { DeduplicationScope } from './queue-attributes';
import { invalidParameter } from './sqs-errors';

/** A message sent again with the same deduplication id within 5 minutes is accepted but not delivered. */
export const DEDUPLICATION_INTERVAL_MS = 5 * 60 * 1000;

/** Printable ASCII without the space: SQS's "alphanumeric and punctuation characters". */
const FIFO_ID = /^[\x21-\x7E]{1,128}$/;

/** Refuses a `MessageGroupId` or `MessageDeduplicationId` (when given) as SQS does, on any queue type. */
export function checkFifoId(
  parameter: 'MessageGroupId' | 'MessageDeduplicationId',
  value: string | undefined,
): void {
  if (value === undefined || FIFO_ID.test(value)) return;
  throw invalidParameter(
    parameter,
    value,
    `${parameter} can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
  );
}

/** The deduplication id of `ContentBasedDeduplication`: the SHA-256 of the body (attributes excluded). */
export function contentDeduplicationId(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

/** Where a deduplication id must be unique: the whole queue, or (high throughput) its message group. */
export function deduplicationKey(
  scope: DeduplicationScope,
  groupId: string,
  deduplicationId: string,
): string {
  return scope === 'messageGroup' ? `${groupId}\u0000${deduplicationId}` : deduplicationId;
}

export interface OrderedMessage {
  /** When the message may next be received (its delay or visibility timeout ends). */
  readonly visibleAt: number;
  readonly groupId: string | undefined;
}

/**
 * The messages a receive may take now, in queue order. On a standard queue that is every visible message.
 * On a FIFO queue a message group is held back while any earlier message of it is in flight or delayed, so
 * that its messages are received strictly in order, one batch at a time.
 */
export function* receivableMessages<T extends OrderedMessage>(
  messages: Iterable<T>,
  now: number,
  fifo: boolean,
): Generator<T> {
  const heldGroups = new Set<string>();
  for (const message of messages) {
    const group = fifo ? message.groupId : undefined;
    if (group !== undefined && heldGroups.has(group)) continue;
    if (message.visibleAt > now) {
      if (group !== undefined) heldGroups.add(group);
      continue;
    }
    yield message;
  }
}
