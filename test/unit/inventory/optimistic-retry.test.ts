import { ConcurrencyError, NotFoundError } from '../../../shared/errors/app-error';
import {
  retryOnConcurrencyError,
  type OptimisticRetryOptions,
} from '../../../functions/inventory/application/optimistic-retry';

/** A policy whose pauses are recorded, not waited for, on a clock the pauses advance. */
function recordingPolicy(overrides: Partial<OptimisticRetryOptions> = {}) {
  const pauses: number[] = [];
  let clock = 0;
  const options: OptimisticRetryOptions = {
    maxAttempts: 5,
    baseDelayMs: 10,
    maxDelayMs: 40,
    maxElapsedMs: 10_000,
    random: () => 0.5,
    now: () => clock,
    sleep: async (ms) => {
      pauses.push(ms);
      clock += ms;
    },
    ...overrides,
  };
  return { options, pauses };
}

/** An attempt that loses `losses` races, then returns 'done'. */
function losing(losses: number) {
  let calls = 0;
  const attempt = async () => {
    calls += 1;
    if (calls <= losses) throw new ConcurrencyError(`lost race ${calls}`);
    return 'done';
  };
  return { attempt, calls: () => calls };
}

describe('retryOnConcurrencyError', () => {
  test('runs the attempt again after each lost race, with exponential, jittered, capped pauses', async () => {
    // Prepare
    const { options, pauses } = recordingPolicy();
    const retried: number[] = [];
    const { attempt, calls } = losing(4);
    // Act
    const result = await retryOnConcurrencyError(attempt, {
      ...options,
      onRetry: ({ attempt: made }) => retried.push(made),
    });
    // Assess
    expect(result).toBe('done');
    expect(calls()).toBe(5);
    // Half of min(40, 10 · 2ⁿ⁻¹) for n = 1..4.
    expect(pauses).toEqual([5, 10, 20, 20]);
    expect(retried).toEqual([1, 2, 3, 4]);
  });

  test('gives up after maxAttempts with a ConcurrencyError that says so', async () => {
    // Prepare
    const { options } = recordingPolicy({ maxAttempts: 3 });
    const { attempt, calls } = losing(10);
    // Act
    const outcome = retryOnConcurrencyError(attempt, options);
    // Assess
    await expect(outcome).rejects.toThrow(ConcurrencyError);
    await expect(outcome).rejects.toThrow(/lost race 3; gave up after 3 attempts/);
    expect(calls()).toBe(3);
  });

  test('starts no pause that would end past maxElapsedMs', async () => {
    // Prepare: pauses of 5, 10, 20 … would pass 30 ms on the third.
    const { options, pauses } = recordingPolicy({ maxAttempts: 50, maxElapsedMs: 30 });
    const { attempt, calls } = losing(10);
    // Act
    const outcome = retryOnConcurrencyError(attempt, options);
    // Assess
    await expect(outcome).rejects.toThrow(ConcurrencyError);
    expect(pauses).toEqual([5, 10]);
    expect(calls()).toBe(3);
  });

  test('does not retry any other error', async () => {
    // Prepare
    const { options, pauses } = recordingPolicy();
    let calls = 0;
    const attempt = async () => {
      calls += 1;
      throw new NotFoundError('gone');
    };
    // Act & Assess
    await expect(retryOnConcurrencyError(attempt, options)).rejects.toThrow(NotFoundError);
    expect(calls).toBe(1);
    expect(pauses).toEqual([]);
  });

  test('refuses a policy that cannot work, naming the field', async () => {
    const { options } = recordingPolicy();
    await expect(retryOnConcurrencyError(async () => 1, { ...options, maxAttempts: 0 })).rejects.toThrow(
      /maxAttempts/,
    );
    await expect(retryOnConcurrencyError(async () => 1, { ...options, maxElapsedMs: -1 })).rejects.toThrow(
      /maxElapsedMs/,
    );
  });
});
