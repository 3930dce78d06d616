/**
 * A log of the most recent entries, `capacity` at most: what the `/_local` endpoints show of invocations,
 * deliveries and function output. A long run must not grow the emulator's memory without end, so the
 * oldest entries make room, and how many did is counted and shown.
 */
export class BoundedLog<T> {
  private readonly entries: T[] = [];
  private start = 0;
  private evictedCount = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`A log keeps at least one entry, not ${capacity}`);
    }
  }

  push(entry: T): void {
    if (this.entries.length < this.capacity) {
      this.entries.push(entry);
      return;
    }
    this.entries[this.start] = entry;
    this.start = (this.start + 1) % this.capacity;
    this.evictedCount++;
  }

  /** The entries kept, oldest first. */
  items(): T[] {
    return [...this.entries.slice(this.start), ...this.entries.slice(0, this.start)];
  }

  /** Entries dropped to make room. */
  get evicted(): number {
    return this.evictedCount;
  }

  get size(): number {
    return this.entries.length;
  }
}
