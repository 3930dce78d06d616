import { SeededRandom } from 'cdk-local-cloud';

/** A seeded pseudo-random generator in [0, 1) (mulberry32, the local cloud's): a failing run can be replayed. */
export function seededRandom(seed: number): () => number {
  const random = new SeededRandom(seed >>> 0);
  return () => random.next();
}
