/**
 * A seeded pseudo-random source (mulberry32): the same seed yields the same sequence, so a fault's
 * decisions can be replayed exactly. Not for anything that needs unpredictability.
 */
import { randomInt } from 'node:crypto';

/** Seeds are unsigned 32-bit integers, mulberry32's whole state. */
export const MAX_SEED = 0xffff_ffff;

export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
      throw new RangeError(`A seed must be an integer from 0 to ${MAX_SEED}, got ${seed}`);
    }
    this.state = seed;
  }

  /** The next number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  }

  /** One draw: true with the given probability (0 never, 1 always). */
  chance(probability: number): boolean {
    return this.next() < probability;
  }
}

/** A fresh seed, for faults set without one; it is reported back so the run can be replayed. */
export function randomSeed(): number {
  return randomInt(0, MAX_SEED + 1);
}
