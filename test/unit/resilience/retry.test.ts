import {
  CircuitOpenError,
  retryWithBackoff,
  type RetryInfo,
  type RetryOptions,
} from '../../../shared/resilience';

class Unavailable extends Error {
  override readonly name = 'Unavailable';
}

/** An attempt that fails `failures` times with `Unavailable`, then answers; it notes each attempt number. */
function flaky(failures: number) {
  const attempts: number[] = [];
  const errors: Error[] = [];
  const attempt = async (attemptNumber: number): Promise<string> => {
    attempts.push(attemptNumber);
    if (attempts.length <= failures) {
      const error = new Unavailable(`attempt ${attemptNumber} failed`);
      errors.push(error);
      throw error;
    }
    return 'answered';
  };
  return { attempt, attempts, errors };
}

/** Options with a sleep that only notes its pauses and a fixed random draw. */
function options(overrides: Partial<RetryOptions> = {}) {
  const pauses: number[] = [];
  const retries: RetryInfo[] = [];
  const retryOptions: RetryOptions = {
    maxAttempts: 5,
    isRetryable: (error) => error instanceof Unavailable,
    sleep: async (ms) => {
      pauses.push(ms);
    },
    random: () => 0.5,
    onRetry: (info) => retries.push(info),
    ...overrides,
  };
  return { retryOptions, pauses, retries };
}

describe('retryWithBackoff', () => {
  it('makes one attempt and no pause when the first answers', async () => {
    // Prepare
    const { attempt, attempts } = flaky(0);
    const { retryOptions, pauses } = options();

    // Act
    const result = await retryWithBackoff(attempt, retryOptions);

    // Assess
    expect(result).toBe('answered');
    expect(attempts).toEqual([1]);
    expect(pauses).toEqual([]);
  });

  it('retries retryable errors until an attempt answers, numbering the attempts', async () => {
    // Prepare
    const { attempt, attempts, errors } = flaky(2);
    const { retryOptions, retries } = options();

    // Act
    const result = await retryWithBackoff(attempt, retryOptions);

    // Assess
    expect(result).toBe('answered');
    expect(attempts).toEqual([1, 2, 3]);
    expect(retries).toEqual([
      { attempt: 1, delayMs: 50, error: errors[0] },
      { attempt: 2, delayMs: 100, error: errors[1] },
    ]);
  });

  it('gives up after maxAttempts, rethrowing the last error as it is', async () => {
    // Prepare
    const { attempt, attempts, errors } = flaky(10);
    const { retryOptions, pauses } = options({ maxAttempts: 4 });

    // Act
    const caught = await retryWithBackoff(attempt, retryOptions).catch((error: unknown) => error);

    // Assess
    expect(caught).toBe(errors[3]);
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(pauses).toHaveLength(3);
  });

  it('draws pause n below min(maxDelayMs, baseDelayMs · factor^(n−1)): 100 ms doubling, capped at 2 s', async () => {
    // Prepare
    const { attempt } = flaky(8);
    const { retryOptions, pauses } = options({ maxAttempts: 9, random: () => 0.999_999 });

    // Act
    await retryWithBackoff(attempt, retryOptions);

    // Assess
    expect(pauses).toEqual([99, 199, 399, 799, 1_599, 1_999, 1_999, 1_999]);
  });

  it('takes the base, factor and cap it is given', async () => {
    // Prepare
    const { attempt } = flaky(4);
    const { retryOptions, pauses } = options({
      baseDelayMs: 10,
      factor: 3,
      maxDelayMs: 200,
      random: () => 0.999_999,
    });

    // Act
    await retryWithBackoff(attempt, retryOptions);

    // Assess
    expect(pauses).toEqual([9, 29, 89, 199]);
  });

  it('jitters fully: a draw of 0 pauses 0 ms', async () => {
    // Prepare
    const { attempt } = flaky(3);
    const { retryOptions, pauses } = options({ random: () => 0 });

    // Act
    await retryWithBackoff(attempt, retryOptions);

    // Assess
    expect(pauses).toEqual([0, 0, 0]);
  });

  it('does not retry an error the predicate refuses, e.g. an open circuit', async () => {
    // Prepare
    const open = new CircuitOpenError(undefined, { circuit: 'payment-provider' });
    const attempts: number[] = [];
    const { retryOptions, pauses } = options({
      isRetryable: (error) => !(error instanceof CircuitOpenError),
    });

    // Act
    const outcome = retryWithBackoff(async (attemptNumber) => {
      attempts.push(attemptNumber);
      throw open;
    }, retryOptions);

    // Assess
    await expect(outcome).rejects.toBe(open);
    expect(attempts).toEqual([1]);
    expect(pauses).toEqual([]);
  });

  it('never starts a pause that would end within the safety margin of the deadline', async () => {
    // Prepare: 1 000 ms left; with the default 250 ms margin, a pause may last up to 750 ms.
    const { attempt, attempts, errors } = flaky(10);
    const { retryOptions, pauses } = options({
      baseDelayMs: 500,
      maxDelayMs: 10_000,
      random: () => 0.999_999,
      remainingTimeMs: () => 1_000,
    });

    // Act
    const caught = await retryWithBackoff(attempt, retryOptions).catch((error: unknown) => error);

    // Assess: pause 1 (499 ms) fits; pause 2 (999 ms) does not, so attempt 2's error is rethrown.
    expect(caught).toBe(errors[1]);
    expect(attempts).toEqual([1, 2]);
    expect(pauses).toEqual([499]);
  });

  it('asks for the remaining time before every pause, and takes a custom safety margin', async () => {
    // Prepare: the time left shrinks as the pauses pass.
    let remaining = 1_000;
    const { attempt, attempts } = flaky(10);
    const { retryOptions, pauses } = options({
      maxAttempts: 10,
      baseDelayMs: 200,
      factor: 1,
      random: () => 0.999_999,
      remainingTimeMs: () => remaining,
      safetyMarginMs: 100,
      sleep: async (ms) => {
        pauses.push(ms);
        remaining -= ms;
      },
    });

    // Act
    const outcome = retryWithBackoff(attempt, retryOptions);

    // Assess: a pause of 199 ms plus the 100 ms margin fits in 1 000, 801, 602 and 403 ms, not in 204.
    await expect(outcome).rejects.toBeInstanceOf(Unavailable);
    expect(pauses).toEqual([199, 199, 199, 199]);
    expect(attempts).toHaveLength(5);
  });

  it('with no time left makes a single attempt', async () => {
    // Prepare
    const { attempt, attempts } = flaky(10);
    const { retryOptions, pauses } = options({ remainingTimeMs: () => 200, random: () => 0 });

    // Act
    const outcome = retryWithBackoff(attempt, retryOptions);

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(Unavailable);
    expect(attempts).toEqual([1]);
    expect(pauses).toEqual([]);
  });

  it('pauses for real by default', async () => {
    // Prepare
    const { attempt, attempts } = flaky(2);
    const startedAt = performance.now();

    // Act
    const result = await retryWithBackoff(attempt, {
      maxAttempts: 3,
      baseDelayMs: 20,
      random: () => 0.999_999,
      isRetryable: () => true,
    });

    // Assess: pauses of 19 and 39 ms.
    expect(result).toBe('answered');
    expect(attempts).toEqual([1, 2, 3]);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(55);
  });

  it.each<[string, Partial<RetryOptions>, RegExp]>([
    ['no attempt at all', { maxAttempts: 0 }, /maxAttempts must be an integer of at least 1, not 0/],
    ['a negative base', { baseDelayMs: -1 }, /baseDelayMs must be 0 or more/],
    ['a cap below the base', { baseDelayMs: 500, maxDelayMs: 100 }, /maxDelayMs \(100\) must be at least/],
    ['a shrinking factor', { factor: 0.5 }, /factor must be 1 or more, not 0.5/],
    ['a negative safety margin', { safetyMarginMs: -1 }, /safetyMarginMs must be 0 or more/],
  ])('refuses %s before any attempt', async (_case, overrides, message) => {
    // Prepare
    const { attempt, attempts } = flaky(0);
    const { retryOptions } = options(overrides);

    // Act
    const outcome = retryWithBackoff(attempt, retryOptions);

    // Assess
    await expect(outcome).rejects.toThrow(message);
    expect(attempts).toEqual([]);
  });
});
