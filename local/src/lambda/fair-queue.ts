/**
 * Waiting work, one first-in-first-out queue per key (a function), served round robin: each key with
 * work waiting gets a turn before any key gets a second one. A function that runs one batch at a time
 * (a stream shard's consumer) then waits for as many turns as there are functions with work waiting,
 * not for every invocation queued before it — as on AWS, where one function's backlog does not delay
 * another function.
 */
export class FairQueue<T> {
  private readonly queues = new Map<string, T[]>();
  /** Keys with work waiting, in the order their turn comes. */
  private readonly turns: string[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(key: string, item: T): void {
    const queue = this.queues.get(key);
    if (queue === undefined) {
      this.queues.set(key, [item]);
      this.turns.push(key);
    } else {
      queue.push(item);
    }
    this.count++;
  }

  /** The oldest item of the key whose turn it is; that key's next turn comes after every other key's. */
  shift(): T | undefined {
    const key = this.turns.shift();
    if (key === undefined) return undefined;
    const queue = this.queues.get(key) ?? [];
    const item = queue.shift();
    if (queue.length > 0) this.turns.push(key);
    else this.queues.delete(key);
    this.count--;
    return item;
  }

  /** Takes `item` out wherever it waits; false when it is not waiting. */
  remove(key: string, item: T): boolean {
    const queue = this.queues.get(key);
    const index = queue?.indexOf(item) ?? -1;
    if (queue === undefined || index < 0) return false;
    queue.splice(index, 1);
    this.count--;
    if (queue.length === 0) {
      this.queues.delete(key);
      this.turns.splice(this.turns.indexOf(key), 1);
    }
    return true;
  }
}
