/**
 * How many replicas hold each key (N), how many must acknowledge a write (W) and answer a read (R).
 * With R + W > N every read quorum overlaps every write quorum, so a read sees the latest acknowledged
 * write; the defaults are Dynamo's 3 / 2 / 2.
 */
export interface Quorum {
  readonly replicas: number;
  readonly writeQuorum: number;
  readonly readQuorum: number;
}

export const DEFAULT_QUORUM: Quorum = { replicas: 3, writeQuorum: 2, readQuorum: 2 };

/** `quorum` if it can be met (1 ≤ W, R ≤ N); otherwise a `RangeError` saying what is wrong. */
export function checkedQuorum(quorum: Quorum): Quorum {
  const { replicas, writeQuorum, readQuorum } = quorum;
  const problems = [
    Number.isInteger(replicas) && replicas >= 1
      ? undefined
      : `N must be a whole number of at least 1, not ${replicas}`,
    Number.isInteger(writeQuorum) && writeQuorum >= 1 && writeQuorum <= replicas
      ? undefined
      : `W must be a whole number from 1 to N (${replicas}), not ${writeQuorum}`,
    Number.isInteger(readQuorum) && readQuorum >= 1 && readQuorum <= replicas
      ? undefined
      : `R must be a whole number from 1 to N (${replicas}), not ${readQuorum}`,
  ].filter((problem) => problem !== undefined);
  if (problems.length > 0) throw new RangeError(`Invalid quorum: ${problems.join('; ')}`);
  return quorum;
}

/** Whether reads at this quorum always see the latest acknowledged write (R + W > N). */
export function readsOverlapWrites({ replicas, writeQuorum, readQuorum }: Quorum): boolean {
  return readQuorum + writeQuorum > replicas;
}
