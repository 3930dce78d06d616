import { checkRetryPolicy, fullJitterDelay } from '../outbox/retry-policy';

export const DEFAULT_BASE_DELAY_MS = 100;
export const DEFAULT_BACKOFF_FACTOR = 2;
export const DEFAULT_MAX_DELAY_MS = 2_000;
/** Time kept back, out of `remainingTimeMs()`, for the caller to answer after the last attempt. */
export const DEFAULT_SAFETY_MARGIN_MS = 250;

export interface RetryInfo {
  /** The attempt that just failed (1 = the first). */
  readonly attempt: number;
  /** The pause before the next attempt. */
  readonly delayMs: number;
  readonly error: unknown;
}

export interface RetryOptions {
  /** Total attempts, the first included; at least 1. */
  readonly maxAttempts: number;
  /** The ceiling of the first pause. @default 100 (the seed's) */
  readonly baseDelayMs?: number;
  /** Growth of the ceiling per attempt. @default 2 (the seed's doubling) */
  readonly factor?: number;
  /** Cap on the ceiling. @default 2_000 */
  readonly maxDelayMs?: number;
  /**
   * Whether an error is worth another attempt. Answer `false` for `CircuitOpenError` (the breaker said
   * no: retrying at once cannot help) and for business outcomes (a declined card).
   */
  readonly isRetryable: (error: unknown) => boolean;
  /**
   * The time left to the caller, e.g. `context.getRemainingTimeInMillis`. No pause starts that would
   * end later than `safetyMarginMs` before it runs out: the last error is rethrown instead.
   */
  readonly remainingTimeMs?: () => number;
  /** @default 250 */
  readonly safetyMarginMs?: number;
  /** @default a `setTimeout` promise */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
  /** Told before each pause. */
  readonly onRetry?: (info: RetryInfo) => void;
  /**
   * The ceiling of the pause after attempt _n_, in place of the doubling of `baseDelayMs` up to
   * `maxDelayMs`; the pause is still drawn uniformly below it.
   */
  readonly pauseCeilingMs?: (attemptsMade: number) => number;
}

/**
 * Runs `attempt` until it succeeds, an error is not retryable, `maxAttempts` are spent, or the next
 * pause would run into the caller's deadline; in the last three cases the last error is rethrown as it
 * is. Pause _n_ (after attempt _n_) is drawn uniformly from [0, min(maxDelayMs, baseDelayMs · factor^(n−1)))
 * — full jitter, so that the instances retrying against a recovering dependency spread out instead of
 * hitting it in step.
 */
export async function retryWithBackoff<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const policy = {
    maxAttempts: options.maxAttempts,
    baseDelayMs: options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS,
    factor: options.factor ?? DEFAULT_BACKOFF_FACTOR,
    maxDelayMs: options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS,
  };
  checkRetryPolicy(policy);
  const safetyMarginMs = options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS;
  if (!(safetyMarginMs >= 0)) {
    throw new RangeError(`retry.safetyMarginMs must be 0 or more, not ${safetyMarginMs}.`);
  }
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;

  for (let attemptNumber = 1; ; attemptNumber += 1) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (attemptNumber >= policy.maxAttempts || !options.isRetryable(error)) throw error;
      const delayMs =
        options.pauseCeilingMs === undefined
          ? fullJitterDelay(attemptNumber, policy, random)
          : Math.floor(random() * options.pauseCeilingMs(attemptNumber));
      if (options.remainingTimeMs !== undefined && delayMs + safetyMarginMs > options.remainingTimeMs()) {
        throw error;
      }
      options.onRetry?.({ attempt: attemptNumber, delayMs, error });
      await sleep(delayMs);
    }
  }
}
