import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

export const PUT_EVENTS_MAX_ENTRIES = 10;
/** The per-request size limit the relay keeps to (the long-standing 256 KB quota). */
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

/**
 * An entry's size as EventBridge computes it against the quota: 14 bytes for `Time` when set, plus the
 * UTF-8 bytes of `Source`, `DetailType`, `Detail` and each of `Resources`. `EventBusName` and
 * `TraceHeader` do not count.
 */
export function putEventsEntrySize(entry: PutEventsRequestEntry): number {
  let size = entry.Time === undefined ? 0 : 14;
  size += utf8Bytes(entry.Source) + utf8Bytes(entry.DetailType) + utf8Bytes(entry.Detail);
  for (const resource of entry.Resources ?? []) {
    size += utf8Bytes(resource);
  }
  return size;
}

function utf8Bytes(text: string | undefined): number {
  return text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
}
