import { MAX_SEED, randomSeed, SeededRandom } from '../../../src/faults/seeded-random';

const draws = (random: SeededRandom, count: number): number[] =>
  Array.from({ length: count }, () => random.next());

describe('SeededRandom', () => {
  it('gives the same sequence for the same seed', () => {
    // Prepare
    const first = new SeededRandom(42);
    const second = new SeededRandom(42);

    // Act
    const a = draws(first, 1_000);
    const b = draws(second, 1_000);

    // Assess
    expect(a).toEqual(b);
  });

  it('gives different sequences for different seeds', () => {
    // Prepare
    const first = new SeededRandom(1);
    const second = new SeededRandom(2);

    // Act
    const a = draws(first, 20);
    const b = draws(second, 20);

    // Assess
    expect(a).not.toEqual(b);
  });

  it('draws in [0, 1), spread evenly over ten buckets', () => {
    // Prepare
    const random = new SeededRandom(7);
    const buckets = new Array<number>(10).fill(0);

    // Act
    const values = draws(random, 100_000);
    for (const value of values) {
      const bucket = Math.floor(value * 10);
      buckets[bucket] = (buckets[bucket] ?? 0) + 1;
    }

    // Assess: 10,000 expected per bucket, a standard deviation of 95.
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(buckets).toHaveLength(10);
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(600);
  });

  it('never strikes at probability 0 and always at 1', () => {
    // Prepare
    const random = new SeededRandom(MAX_SEED);

    // Act
    const never = Array.from({ length: 1_000 }, () => random.chance(0));
    const always = Array.from({ length: 1_000 }, () => random.chance(1));

    // Assess
    expect(never.some(Boolean)).toBe(false);
    expect(always.every(Boolean)).toBe(true);
  });

  it('refuses seeds outside 0..2^32-1 and makes fresh seeds inside it', () => {
    // Prepare
    const invalid = [-1, 1.5, MAX_SEED + 1, Number.NaN];

    // Act
    const fresh = Array.from({ length: 100 }, () => randomSeed());

    // Assess
    for (const seed of invalid) expect(() => new SeededRandom(seed)).toThrow(RangeError);
    for (const seed of fresh) expect(() => new SeededRandom(seed)).not.toThrow();
  });
});
