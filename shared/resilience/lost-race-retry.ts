/**
 * Optimistic locking's retry: a read-decide-write attempt beaten by a concurrent writer (a
 * `ConcurrencyError`) is decided again on fresh state, after a jittered pause, within a time bound and
 * the invocation's `CallBudget`. One helper for every context that writes under a version (inventory's
 * stock, accounts' balances).
 */
import { ConcurrencyError } from '../errors/app-error';
import { errorMessage } from '../errors/error-message';
import type { CallBudget } from './call-budget';
import { retryWithBackoff, type RetryInfo } from './retry';
import type { AppLogger } from '../observability/app-logger';
import { definedProps } from '../objects/defined-props';

export interface LostRaceRetryPolicy {
  /** Total attempts, the first included. */
  readonly maxAttempts: number;
  /**
   * The ceiling of the pause after the first lost race; after the _n_-th it is `firstPauseMs / n`, the
   * pause drawn uniformly below it. The longer a writer has been losing, the sooner it tries again.
   */
  readonly firstPauseMs: number;
  /** No pause starts that would end later than this after the first attempt began. */
  readonly maxElapsedMs: number;
  /** Kept out of the invocation's remaining time (the `CallBudget`), to answer the 409 in time. */
  readonly answerReserveMs: number;
}

export interface LostRaceRetryOptions extends LostRaceRetryPolicy {
  /** @default a `setTimeout` promise */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
  /** Milliseconds of a monotonic clock. @default performance.now */
  readonly now?: () => number;
  /** Told before each pause: a lost race is worth a log line (each one is a wasted write). */
  readonly onRetry?: (info: RetryInfo) => void;
}

/**
 * For a request a client waits on (a transfer, a deposit, a restock): bounded by time, not by a count.
 * With n requests racing for one item each round has one winner, so a count of attempts starves the
 * unlucky (at 16 writers, 50 attempts left 9 of 200 restocks answering 409). Shrinking pauses let the
 * longest losers win the next rounds; 20 s leave room for hundreds of rounds, and a 25 s function and
 * API Gateway's 29 s leave room for the 409.
 */
export const CLIENT_REQUEST_RETRY: LostRaceRetryPolicy = {
  maxAttempts: 1_000,
  firstPauseMs: 50,
  maxElapsedMs: 20_000,
  answerReserveMs: 1_000,
};

/** `policy` with each lost race logged: every one is a wasted write, worth a line with the request's keys. */
export function loggedLostRaceRetry(policy: LostRaceRetryPolicy, logger: AppLogger): LostRaceRetryOptions {
  return {
    ...policy,
    onRetry: ({ attempt, delayMs, error }) =>
      logger.info('Optimistic lock conflict; retrying on the fresh state', {
        attempt,
        delayMs,
        reason: errorMessage(error),
      }),
  };
}

/**
 * Runs read-decide-write `attempt`s through the project's `retryWithBackoff` until one is not beaten by
 * a concurrent writer. Only a `ConcurrencyError` is retried; when the attempts, `maxElapsedMs` or the
 * caller's `budget` (less `answerReserveMs`) are spent, it is rethrown as a `ConcurrencyError` saying so,
 * and the API answers 409 `CONCURRENT_MODIFICATION` with `Retry-After`. Any other error ends it at once.
 *
 * The pauses shrink as a writer keeps losing, where a dependency's retry would back off: a lost race is
 * contention, not an overloaded service, and growing pauses would hand each round to the writers that
 * arrived last (Ethernet's capture effect) — measured on 60 restocks of one product, a few requests lost
 * 35 rounds in a row while most lost none.
 */
export async function retryLostRaces<T>(
  attempt: () => Promise<T>,
  options: LostRaceRetryOptions,
  budget: CallBudget = {},
): Promise<T> {
  if (!(options.maxElapsedMs >= 0) || !(options.answerReserveMs >= 0) || !(options.firstPauseMs >= 0)) {
    throw new RangeError(
      `retry.maxElapsedMs (${options.maxElapsedMs}), retry.answerReserveMs (${options.answerReserveMs}) ` +
        `and retry.firstPauseMs (${options.firstPauseMs}) must be 0 or more.`,
    );
  }
  const now = options.now ?? (() => performance.now());
  const startedAt = now();
  const invocationLeft = budget.remainingTimeMs;
  const remainingTimeMs = (): number =>
    Math.min(
      options.maxElapsedMs - (now() - startedAt),
      invocationLeft === undefined ? Infinity : invocationLeft() - options.answerReserveMs,
    );
  let attemptsMade = 0;
  try {
    return await retryWithBackoff(
      (attemptNumber) => {
        attemptsMade = attemptNumber;
        return attempt();
      },
      {
        maxAttempts: options.maxAttempts,
        pauseCeilingMs: (lostRaces) => options.firstPauseMs / lostRaces,
        isRetryable: (error) => error instanceof ConcurrencyError,
        remainingTimeMs,
        safetyMarginMs: 0,
        ...definedProps({ sleep: options.sleep }),
        ...definedProps({ random: options.random }),
        ...definedProps({ onRetry: options.onRetry }),
      },
    );
  } catch (error) {
    if (!(error instanceof ConcurrencyError)) throw error;
    const elapsedMs = Math.round(now() - startedAt);
    throw new ConcurrencyError(
      `${error.message}; gave up after ${attemptsMade} attempts in ${elapsedMs} ms. Retry the request.`,
      { cause: error },
    );
  }
}
