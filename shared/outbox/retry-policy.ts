export interface RetryPolicy {
  /** Attempts per entry, the first included; at least 1. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  /** Cap on the exponential ceiling before jitter. */
  readonly maxDelayMs: number;
  /** Growth of the ceiling per attempt made. @default 2 */
  readonly factor?: number;
}

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(maxDelayMs, baseDelayMs · factor^(n−1))),
 * where `n` is the number of attempts already made and `factor` is 2 unless set. Full jitter spreads
 * retries of concurrent relays (one per shard) so they do not hit a throttled bus in lockstep.
 */
export function fullJitterDelay(attemptsMade: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(
    policy.maxDelayMs,
    policy.baseDelayMs * (policy.factor ?? 2) ** Math.max(0, attemptsMade - 1),
  );
  return Math.floor(random() * ceiling);
}

/** Fails fast on a policy that cannot work, naming the field and the fix. */
export function checkRetryPolicy(policy: RetryPolicy): void {
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new RangeError(`retry.maxAttempts must be an integer of at least 1, not ${policy.maxAttempts}.`);
  }
  if (!(policy.baseDelayMs >= 0)) {
    throw new RangeError(`retry.baseDelayMs must be 0 or more, not ${policy.baseDelayMs}.`);
  }
  if (!(policy.maxDelayMs >= policy.baseDelayMs)) {
    throw new RangeError(
      `retry.maxDelayMs (${policy.maxDelayMs}) must be at least retry.baseDelayMs (${policy.baseDelayMs}).`,
    );
  }
  if (policy.factor !== undefined && !(policy.factor >= 1)) {
    throw new RangeError(`retry.factor must be 1 or more, not ${policy.factor}.`);
  }
}
