import { ConcurrencyError, NotFoundError } from '../../../shared/errors/app-error';
import {
  CLIENT_REQUEST_RETRY,
  loggedLostRaceRetry,
  retryLostRaces,
  type LostRaceRetryOptions,
} from '../../../shared/resilience';
import { silentLogger } from '../../../shared/observability/app-logger';

/** A clock that advances only when the retry sleeps: elapsed time is the sum of the pauses. */
function fakeTime(options: Partial<LostRaceRetryOptions> = {}) {
  let nowMs = 0;
  const pauses: number[] = [];
  const policy: LostRaceRetryOptions = {
    ...CLIENT_REQUEST_RETRY,
    random: () => 0.999_999,
    now: () => nowMs,
    sleep: async (ms) => {
      pauses.push(ms);
      nowMs += ms;
    },
    ...options,
  };
  return { policy, pauses, advance: (ms: number) => (nowMs += ms) };
}

const lostRace = () => new ConcurrencyError('Account acc_1 was changed by another request');

describe('retryLostRaces', () => {
  test('retries a lost race until an attempt wins, with jittered pauses that shrink as it keeps losing', async () => {
    // Prepare
    const { policy, pauses } = fakeTime();
    let attempts = 0;
    // Act
    const result = await retryLostRaces(async () => {
      attempts += 1;
      if (attempts < 7) throw lostRace();
      return 'done';
    }, policy);
    // Assess
    expect(result).toBe('done');
    // Ceilings 50 / n ms: the longest loser tries again soonest, so newcomers cannot starve it.
    expect(pauses).toEqual([49, 24, 16, 12, 9, 8]);
  });

  test('ends at once on anything but a lost race', async () => {
    // Prepare
    const { policy, pauses } = fakeTime();
    const refusal = new NotFoundError('no such account');
    // Act
    const outcome = retryLostRaces(async () => {
      throw refusal;
    }, policy);
    // Assess
    await expect(outcome).rejects.toBe(refusal);
    expect(pauses).toEqual([]);
  });

  test('gives up after maxAttempts with a ConcurrencyError that says so and keeps the last race', async () => {
    // Prepare
    const { policy } = fakeTime({ maxAttempts: 3 });
    const last = lostRace();
    // Act
    const outcome = retryLostRaces(async () => {
      throw last;
    }, policy);
    // Assess
    await expect(outcome).rejects.toThrow(/gave up after 3 attempts/);
    await expect(outcome).rejects.toMatchObject({ code: 'CONCURRENT_MODIFICATION', cause: last });
  });

  test('is bounded by time: no pause starts that would end past maxElapsedMs', async () => {
    // Prepare: each attempt is a 10 ms round trip.
    const { policy, advance } = fakeTime({ maxElapsedMs: 1_000 });
    let elapsedMs = 0;
    // Act
    const outcome = retryLostRaces(async () => {
      elapsedMs = advance(10);
      throw lostRace();
    }, policy);
    // Assess
    await expect(outcome).rejects.toThrow(/gave up after \d+ attempts in \d+ ms/);
    expect(elapsedMs).toBeLessThanOrEqual(1_000 + 10);
    expect(elapsedMs).toBeGreaterThan(1_000 - 50);
  });

  test('stops in time for the invocation to answer: its budget less answerReserveMs', async () => {
    // Prepare: the invocation has 2.5 s left, 1 s of which is kept for the answer; attempts take 10 ms.
    const { policy, advance } = fakeTime({ answerReserveMs: 1_000 });
    const elapsed = () => advance(0);
    // Act
    const outcome = retryLostRaces(
      async () => {
        advance(10);
        throw lostRace();
      },
      policy,
      { remainingTimeMs: () => 2_500 - elapsed() },
    );
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(ConcurrencyError);
    expect(elapsed()).toBeLessThanOrEqual(1_500 + 10);
    expect(elapsed()).toBeGreaterThan(1_450);
  });

  test('refuses a policy that cannot work, naming the field', async () => {
    await expect(
      retryLostRaces(async () => 1, { ...CLIENT_REQUEST_RETRY, maxElapsedMs: -1 }),
    ).rejects.toThrow(/maxElapsedMs/);
    await expect(retryLostRaces(async () => 1, { ...CLIENT_REQUEST_RETRY, maxAttempts: 0 })).rejects.toThrow(
      /maxAttempts/,
    );
    await expect(
      retryLostRaces(async () => 1, { ...CLIENT_REQUEST_RETRY, firstPauseMs: -1 }),
    ).rejects.toThrow(/firstPauseMs/);
  });
});

describe('loggedLostRaceRetry', () => {
  test('keeps the policy and logs each lost race with its attempt, pause and reason', async () => {
    // Prepare
    const lines: { message: string; attributes: Record<string, unknown> }[] = [];
    const logged = loggedLostRaceRetry(CLIENT_REQUEST_RETRY, {
      ...silentLogger,
      info: (message, attributes) => void lines.push({ message, attributes }),
    });
    let attempts = 0;
    // Act
    await retryLostRaces(
      async () => {
        attempts += 1;
        if (attempts < 3) throw lostRace();
      },
      { ...logged, random: () => 0, sleep: async () => undefined },
    );
    // Assess
    expect({ ...logged, onRetry: undefined }).toEqual({ ...CLIENT_REQUEST_RETRY, onRetry: undefined });
    expect(lines).toEqual(
      [1, 2].map((attempt) => ({
        message: 'Optimistic lock conflict; retrying on the fresh state',
        attributes: { attempt, delayMs: 0, reason: 'Account acc_1 was changed by another request' },
      })),
    );
  });
});
