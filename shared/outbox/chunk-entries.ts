import { PUT_EVENTS_MAX_BYTES, PUT_EVENTS_MAX_ENTRIES } from './put-events-limits';

export interface ChunkLimits {
  readonly maxEntries: number;
  readonly maxBytes: number;
}

/**
 * Splits items, in order, into `PutEvents` requests of at most `maxEntries` items and `maxBytes` total.
 * An item larger than `maxBytes` on its own is the caller's to reject first; here it gets a chunk alone.
 */
export function chunkEntries<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  limits: ChunkLimits = { maxEntries: PUT_EVENTS_MAX_ENTRIES, maxBytes: PUT_EVENTS_MAX_BYTES },
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (
      current.length > 0 &&
      (current.length >= limits.maxEntries || currentBytes + size > limits.maxBytes)
    ) {
      chunks.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(item);
    currentBytes += size;
  }
  if (current.length > 0) {
    chunks.push(current);
  }
  return chunks;
}
