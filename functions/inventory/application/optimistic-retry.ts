import { ConcurrencyError } from '../../../shared/errors/app-error';
import { checkRetryPolicy, fullJitterDelay, type RetryPolicy } from '../../../shared/outbox/retry-policy';

export interface OptimisticRetryPolicy extends RetryPolicy {
  /** No retry starts once this much time has passed since the first attempt. */
  readonly maxElapsedMs: number;
}

export interface OptimisticRetryOptions extends OptimisticRetryPolicy {
  /** @default a `setTimeout` promise */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
  /** Milliseconds of a monotonic clock. @default performance.now */
  readonly now?: () => number;
  /** Told before each pause: a lost race is worth a log line (each one is a wasted write). */
  readonly onRetry?: (retry: {
    readonly attempt: number;
    readonly delayMs: number;
    readonly reason: string;
  }) => void;
}

/**
 * Pauses drawn from [0, min(250, 5 · 2ⁿ⁻¹)) ms, for at most 10 s and 50 attempts. A hot product takes
 * one write per read-write round trip (≈ 15 ms on DynamoDB): the short cap keeps the writers racing for
 * it close behind one another, the jitter keeps them apart, and 10 s leaves a 15 s function time to
 * answer 409 rather than time out. The saga's stock steps use it: Step Functions retries them after.
 */
export const DEFAULT_OPTIMISTIC_RETRY: OptimisticRetryPolicy = {
  maxAttempts: 50,
  baseDelayMs: 5,
  maxDelayMs: 250,
  maxElapsedMs: 10_000,
};

/**
 * For a request a client waits on (restock): bounded by time alone. With n writers on one item each
 * round has one winner, so a writer loses k rounds in a row with probability ((n − 1) / n)ᵏ — at 16
 * writers, 50 attempts leave 4 % of requests unlucky (measured: 9 of 200 answered 409). Pauses capped at
 * 100 ms fit ≈ 300 attempts into 20 s, where losing every one is beyond chance; the function's 25 s
 * timeout and API Gateway's 29 s leave room for the 409.
 */
export const CLIENT_REQUEST_OPTIMISTIC_RETRY: OptimisticRetryPolicy = {
  maxAttempts: 1_000,
  baseDelayMs: 5,
  maxDelayMs: 100,
  maxElapsedMs: 20_000,
};

/**
 * Runs read-decide-write `attempt`s until one is not beaten by a concurrent writer. Only a
 * `ConcurrencyError` is retried, after a fully jittered exponential pause (so racing writers spread out
 * instead of colliding again in step); when the attempts or the time are spent, it is rethrown, and the
 * API answers 409 `CONCURRENT_MODIFICATION`. Any other error ends it at once.
 */
export async function retryOnConcurrencyError<T>(
  attempt: () => Promise<T>,
  options: OptimisticRetryOptions = DEFAULT_OPTIMISTIC_RETRY,
): Promise<T> {
  checkRetryPolicy(options);
  if (!(options.maxElapsedMs >= 0)) {
    throw new RangeError(`retry.maxElapsedMs must be 0 or more, not ${options.maxElapsedMs}.`);
  }
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const now = options.now ?? (() => performance.now());
  const startedAt = now();
  for (let made = 1; ; made += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      const delayMs = fullJitterDelay(made, options, random);
      const elapsedMs = now() - startedAt;
      if (made >= options.maxAttempts || elapsedMs + delayMs > options.maxElapsedMs) {
        throw new ConcurrencyError(
          `${error.message}; gave up after ${made} attempts in ${Math.round(elapsedMs)} ms. Retry the request.`,
          { cause: error },
        );
      }
      options.onRetry?.({ attempt: made, delayMs, reason: error.message });
      await sleep(delayMs);
    }
  }
}
