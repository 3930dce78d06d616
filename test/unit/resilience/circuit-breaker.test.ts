import {
  CircuitBreaker,
  CircuitOpenError,
  InMemoryCircuitBreakerStore,
  type CircuitBreakerOptions,
  type CircuitBreakerStore,
  type CircuitTransition,
} from '../../../shared/resilience';
import { BrokenStore, CountingStore, latch, recordingObservability } from './fakes';

const NAME = 'payment-provider';
const OPENED_AT = 1_700_000_000_000;

class ProviderDown extends Error {
  override readonly name = 'ProviderDown';
}
class CardDeclined extends Error {
  override readonly name = 'CardDeclined';
}

/** Breakers on one in-memory store and one fake clock, as Lambda instances share one table. */
function harness(overrides: Partial<CircuitBreakerOptions> = {}) {
  const clock = { now: OPENED_AT };
  const store = new CountingStore(new InMemoryCircuitBreakerStore());
  const transitions: CircuitTransition[] = [];
  const observed = recordingObservability();
  const instance = (): CircuitBreaker =>
    new CircuitBreaker({
      name: NAME,
      store,
      now: () => clock.now,
      onTransition: (transition) => transitions.push(transition),
      logger: observed.logger,
      metrics: observed.metrics,
      ...overrides,
    });
  return { clock, store, transitions, ...observed, breaker: instance(), instance };
}

let calls = 0;
const succeed = async (): Promise<string> => {
  calls += 1;
  return 'captured';
};
const failing = async (): Promise<never> => {
  calls += 1;
  throw new ProviderDown('503 from the provider');
};
const declined = async (): Promise<never> => {
  calls += 1;
  throw new CardDeclined('402 card_declined');
};
const onlyProviderErrors = (error: unknown): boolean => error instanceof ProviderDown;

async function failTimes(breaker: CircuitBreaker, times: number): Promise<void> {
  for (let made = 0; made < times; made += 1) {
    await expect(breaker.execute(failing)).rejects.toBeInstanceOf(ProviderDown);
  }
}

/** A breaker opened at OPENED_AT by five failures. */
async function openedHarness(overrides: Partial<CircuitBreakerOptions> = {}) {
  const opened = harness(overrides);
  await failTimes(opened.breaker, 5);
  opened.transitions.length = 0;
  opened.logs.length = 0;
  opened.points.length = 0;
  opened.store.writes.length = 0;
  calls = 0;
  return opened;
}

beforeEach(() => {
  calls = 0;
});

describe('CLOSED', () => {
  it('passes the result through, and a success with no failures counted writes nothing', async () => {
    // Prepare
    const { breaker, store } = harness();

    // Act
    const results = [await breaker.execute(succeed), await breaker.execute(succeed)];

    // Assess
    expect(results).toEqual(['captured', 'captured']);
    expect(calls).toBe(2);
    expect(store.writes).toEqual([]);
    expect(await breaker.state()).toBe('CLOSED');
  });

  it('passes the call’s error on unchanged', async () => {
    // Prepare
    const { breaker } = harness();
    const error = new ProviderDown('503');

    // Act
    const outcome = breaker.execute(() => Promise.reject(error));

    // Assess
    await expect(outcome).rejects.toBe(error);
  });

  it('stays CLOSED after 4 consecutive failures and opens on the 5th (the default threshold)', async () => {
    // Prepare
    const { breaker, transitions } = harness();
    await failTimes(breaker, 4);
    const afterFour = await breaker.state();

    // Act
    await failTimes(breaker, 1);

    // Assess
    expect(afterFour).toBe('CLOSED');
    expect(await breaker.state()).toBe('OPEN');
    expect(transitions).toEqual([{ name: NAME, from: 'CLOSED', to: 'OPEN' }]);
  });

  it('with failureThreshold 6 opens on the 6th, as the seed’s `ConsecutiveFailures > 5`', async () => {
    // Prepare
    const { breaker } = harness({ failureThreshold: 6 });
    await failTimes(breaker, 5);
    const afterFive = await breaker.state();

    // Act
    await failTimes(breaker, 1);

    // Assess
    expect(afterFive).toBe('CLOSED');
    expect(await breaker.state()).toBe('OPEN');
  });

  it('a success resets the consecutive count (with one write)', async () => {
    // Prepare
    const { breaker, store } = harness();
    await failTimes(breaker, 4);
    store.writes.length = 0;

    // Act
    await breaker.execute(succeed);
    await failTimes(breaker, 4);

    // Assess
    expect(await breaker.state()).toBe('CLOSED');
    expect(store.writes.filter((write) => write === 'resetFailures')).toHaveLength(1);
  });

  it('counts failures across instances: the instances share the count', async () => {
    // Prepare
    const { instance } = harness();
    const instances = [instance(), instance(), instance(), instance(), instance()];

    // Act
    for (const breaker of instances) await failTimes(breaker, 1);

    // Assess
    expect(await instance().state()).toBe('OPEN');
  });

  it('opens once when concurrent failures cross the threshold together', async () => {
    // Prepare
    const { instance, transitions } = harness();
    const instances = Array.from({ length: 12 }, () => instance());

    // Act
    await Promise.all(instances.map((breaker) => failTimes(breaker, 1)));

    // Assess
    expect(await instance().state()).toBe('OPEN');
    expect(transitions).toEqual([{ name: NAME, from: 'CLOSED', to: 'OPEN' }]);
  });
});

describe('OPEN', () => {
  it('fails fast with CircuitOpenError without making the call', async () => {
    // Prepare
    const { breaker, clock, store } = await openedHarness();
    clock.now += 10_000;

    // Act
    const outcome = breaker.execute(succeed);

    // Assess
    await expect(outcome).rejects.toMatchObject({
      name: 'CircuitOpenError',
      circuit: NAME,
      retryAfterMs: 20_000,
    });
    await expect(outcome).rejects.toBeInstanceOf(CircuitOpenError);
    expect(calls).toBe(0);
    expect(store.writes).toEqual([]);
  });

  it('lets a probe through exactly resetTimeoutMs after opening, not 1 ms earlier', async () => {
    // Prepare
    const { breaker, clock, transitions } = await openedHarness();
    clock.now = OPENED_AT + 29_999;
    const early = await breaker.execute(succeed).catch((error: unknown) => error);

    // Act
    clock.now = OPENED_AT + 30_000;
    const probe = await breaker.execute(succeed);

    // Assess
    expect(early).toBeInstanceOf(CircuitOpenError);
    expect(probe).toBe('captured');
    expect(calls).toBe(1);
    expect(transitions.map(({ to }) => to)).toEqual(['HALF_OPEN', 'CLOSED']);
  });

  it('honours a custom resetTimeoutMs', async () => {
    // Prepare
    const { breaker, clock } = await openedHarness({ resetTimeoutMs: 1_000 });
    clock.now = OPENED_AT + 1_000;

    // Act
    const probe = await breaker.execute(succeed);

    // Assess
    expect(probe).toBe('captured');
  });
});

describe('HALF_OPEN', () => {
  it('the probe’s success closes the breaker and resets the count', async () => {
    // Prepare
    const { breaker, clock, transitions } = await openedHarness();
    clock.now = OPENED_AT + 30_000;

    // Act
    await breaker.execute(succeed);
    await failTimes(breaker, 4);

    // Assess
    expect(await breaker.state()).toBe('CLOSED');
    expect(transitions).toEqual([
      { name: NAME, from: 'OPEN', to: 'HALF_OPEN' },
      { name: NAME, from: 'HALF_OPEN', to: 'CLOSED' },
    ]);
  });

  it('the probe’s failure opens it again for a whole new reset timeout', async () => {
    // Prepare
    const { breaker, clock, transitions } = await openedHarness();
    const probeAt = OPENED_AT + 30_000;
    clock.now = probeAt;

    // Act
    await failTimes(breaker, 1);
    clock.now = probeAt + 29_999;
    const stillOpen = await breaker.execute(succeed).catch((error: unknown) => error);
    clock.now = probeAt + 30_000;
    const nextProbe = await breaker.execute(succeed);

    // Assess
    expect(transitions.map(({ from, to }) => `${from}->${to}`)).toEqual([
      'OPEN->HALF_OPEN',
      'HALF_OPEN->OPEN',
      'OPEN->HALF_OPEN',
      'HALF_OPEN->CLOSED',
    ]);
    expect(stillOpen).toMatchObject({ name: 'CircuitOpenError', retryAfterMs: 1 });
    expect(nextProbe).toBe('captured');
    expect(calls).toBe(2);
  });

  it('lets exactly one probe through among 20 concurrent callers on separate instances', async () => {
    // Prepare
    const { instance, clock, transitions } = await openedHarness();
    clock.now = OPENED_AT + 30_000;
    const gate = latch();
    const probeCall = async (): Promise<string> => {
      calls += 1;
      await gate.promise;
      return 'captured';
    };
    const instances = Array.from({ length: 20 }, () => instance());

    // Act
    const outcomes = instances.map((breaker) => breaker.execute(probeCall));
    // The probe is held at the gate until every other caller has been answered.
    const failedFast = await settleAllButOne(outcomes);
    gate.resolve();
    const all = await Promise.allSettled(outcomes);

    // Assess
    expect(calls).toBe(1);
    expect(failedFast.filter((error) => error instanceof CircuitOpenError)).toHaveLength(19);
    expect(all.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect(await instance().state()).toBe('CLOSED');
    expect(transitions.map(({ to }) => to)).toEqual(['HALF_OPEN', 'CLOSED']);
  });

  it('fails fast while the probe is in flight', async () => {
    // Prepare
    const { breaker, instance, clock } = await openedHarness();
    clock.now = OPENED_AT + 30_000;
    const gate = latch();
    const probe = breaker.execute(async () => {
      await gate.promise;
      return 'captured';
    });
    await waitForState(instance(), 'HALF_OPEN');

    // Act
    const other = instance().execute(succeed);

    // Assess
    await expect(other).rejects.toThrow(/half-open and its probe call is in flight/);
    expect(calls).toBe(0);
    gate.resolve();
    await expect(probe).resolves.toBe('captured');
  });
});

describe('the probe lease', () => {
  it('a probe that never reports loses its lease after probeLeaseMs: the next caller is the probe', async () => {
    // Prepare: the probe's Lambda "crashes": its call never settles.
    const { breaker, instance, clock, logs } = await openedHarness({ probeLeaseMs: 5_000 });
    const probeAt = OPENED_AT + 30_000;
    clock.now = probeAt;
    void breaker.execute(() => new Promise<never>(() => undefined));
    await waitForState(instance(), 'HALF_OPEN');
    clock.now = probeAt + 4_999;
    const beforeExpiry = await instance()
      .execute(succeed)
      .catch((error: unknown) => error);

    // Act
    clock.now = probeAt + 5_000;
    const takeover = await instance().execute(succeed);

    // Assess
    expect(beforeExpiry).toBeInstanceOf(CircuitOpenError);
    expect(takeover).toBe('captured');
    expect(calls).toBe(1);
    expect(await instance().state()).toBe('CLOSED');
    expect(logs.map(({ message }) => message)).toContain(
      'Circuit probe lease expired without a report; this call is the new probe',
    );
  });

  it('ignores the late report of a probe that lost its lease', async () => {
    // Prepare
    const { breaker, instance, clock, logs, transitions } = await openedHarness({ probeLeaseMs: 5_000 });
    clock.now = OPENED_AT + 30_000;
    const slow = latch<never>();
    const lateProbe = breaker.execute(() => slow.promise);
    await waitForState(instance(), 'HALF_OPEN');
    clock.now += 5_000;
    await instance().execute(succeed);

    // Act
    slow.reject(new ProviderDown('503, at last'));
    await expect(lateProbe).rejects.toBeInstanceOf(ProviderDown);

    // Assess
    expect(await instance().state()).toBe('CLOSED');
    expect(transitions.map(({ to }) => to)).toEqual(['HALF_OPEN', 'CLOSED']);
    expect(logs.map(({ message }) => message)).toContain(
      'Circuit probe reported after losing its lease; its outcome is ignored',
    );
  });
});

describe('isFailure', () => {
  it('errors that are not failures do not count, and are passed on', async () => {
    // Prepare
    const { breaker, store } = harness();

    // Act
    for (let made = 0; made < 10; made += 1) {
      await expect(breaker.execute(declined, onlyProviderErrors)).rejects.toBeInstanceOf(CardDeclined);
    }

    // Assess
    expect(await breaker.state()).toBe('CLOSED');
    expect(store.writes).toEqual([]);
  });

  it('a non-failure error shows the dependency answered: it resets the count', async () => {
    // Prepare
    const { breaker } = harness();
    await failTimes(breaker, 4);

    // Act
    await expect(breaker.execute(declined, onlyProviderErrors)).rejects.toBeInstanceOf(CardDeclined);
    await failTimes(breaker, 4);

    // Assess
    expect(await breaker.state()).toBe('CLOSED');
  });

  it('failures the predicate accepts do count', async () => {
    // Prepare
    const { breaker } = harness();

    // Act
    for (let made = 0; made < 5; made += 1) {
      await expect(breaker.execute(failing, onlyProviderErrors)).rejects.toBeInstanceOf(ProviderDown);
    }

    // Assess
    expect(await breaker.state()).toBe('OPEN');
  });

  it('a probe answered with a non-failure error closes the breaker', async () => {
    // Prepare
    const { breaker, clock } = await openedHarness();
    clock.now = OPENED_AT + 30_000;

    // Act
    await expect(breaker.execute(declined, onlyProviderErrors)).rejects.toBeInstanceOf(CardDeclined);

    // Assess
    expect(await breaker.state()).toBe('CLOSED');
  });
});

describe('observability', () => {
  it('logs every transition and counts it as CircuitTransition by target state', async () => {
    // Prepare
    const { breaker, clock, logs, points } = harness();

    // Act
    await failTimes(breaker, 5);
    clock.now += 30_000;
    await breaker.execute(succeed);

    // Assess
    expect(logs).toEqual([
      {
        level: 'warn',
        message: 'Circuit opened: calls fail fast until the reset timeout',
        extra: [{ circuit: NAME, from: 'CLOSED', to: 'OPEN', failures: 5, openedAt: OPENED_AT }],
      },
      {
        level: 'info',
        message: 'Circuit half-open: one probe call is let through',
        extra: [
          {
            circuit: NAME,
            from: 'OPEN',
            to: 'HALF_OPEN',
            openedAt: OPENED_AT,
            probeLeaseUntil: OPENED_AT + 30_000 + 10_000,
          },
        ],
      },
      {
        level: 'info',
        message: 'Circuit closed: the probe call succeeded',
        extra: [{ circuit: NAME, from: 'HALF_OPEN', to: 'CLOSED' }],
      },
    ]);
    expect(points).toEqual(
      ['OPEN', 'HALF_OPEN', 'CLOSED'].map((to) => ({
        name: 'CircuitTransition',
        dimensions: { circuit: NAME, to },
        value: 1,
      })),
    );
  });

  it('a listener that throws does not disturb the call', async () => {
    // Prepare
    const { breaker, logs } = harness({
      onTransition: () => {
        throw new Error('listener bug');
      },
    });

    // Act
    await failTimes(breaker, 5);

    // Assess
    expect(await breaker.state()).toBe('OPEN');
    expect(logs.map(({ message }) => message)).toContain('Circuit onTransition listener failed');
  });
});

describe('when the shared state is unavailable', () => {
  it('an unreadable state lets the call through unguarded, logged and counted', async () => {
    // Prepare
    const { breaker, logs, points } = harness({ store: new BrokenStore('reads') });

    // Act
    const result = await breaker.execute(succeed);

    // Assess
    expect(result).toBe('captured');
    expect(logs[0]?.message).toBe('Circuit state unreadable; the call goes through unguarded');
    expect(points).toEqual([{ name: 'CircuitStoreError', dimensions: { circuit: NAME }, value: 1 }]);
  });

  it('an outcome that cannot be written does not replace the call’s result or error', async () => {
    // Prepare
    const { breaker, logs } = harness({ store: new BrokenStore('writes') });

    // Act
    const result = await breaker.execute(succeed);
    const failure = breaker.execute(failing);

    // Assess
    expect(result).toBe('captured');
    await expect(failure).rejects.toBeInstanceOf(ProviderDown);
    expect(logs.map(({ message }) => message)).toEqual([
      "Circuit success not recorded; the call's outcome stands",
      "Circuit failure not recorded; the call's outcome stands",
    ]);
  });
});

describe('options', () => {
  const store: CircuitBreakerStore = new InMemoryCircuitBreakerStore();

  it.each<[string, Partial<CircuitBreakerOptions>, RegExp]>([
    ['an empty name', { name: '' }, /needs a name/],
    ['a threshold of 0', { failureThreshold: 0 }, /failureThreshold must be an integer of at least 1, not 0/],
    ['a fractional threshold', { failureThreshold: 1.5 }, /failureThreshold/],
    ['a reset timeout of 0', { resetTimeoutMs: 0 }, /resetTimeoutMs must be a positive number/],
    ['a negative probe lease', { probeLeaseMs: -1 }, /probeLeaseMs must be a positive number/],
  ])('refuses %s', (_case, overrides, message) => {
    // Act
    const build = () => new CircuitBreaker({ name: NAME, store, ...overrides });

    // Assess
    expect(build).toThrow(message);
  });

  it('reads a circuit never written as CLOSED', async () => {
    // Prepare
    const breaker = new CircuitBreaker({ name: 'never-used', store });

    // Act
    const state = await breaker.state();

    // Assess
    expect(state).toBe('CLOSED');
  });
});

/** Waits until all but one of `outcomes` have settled, or 5 s; returns the rejection reasons. */
async function settleAllButOne(outcomes: readonly Promise<unknown>[]): Promise<unknown[]> {
  const reasons: unknown[] = [];
  const enough = latch();
  for (const outcome of outcomes) {
    outcome.then(
      () => undefined,
      (error: unknown) => {
        reasons.push(error);
        if (reasons.length === outcomes.length - 1) enough.resolve();
      },
    );
  }
  const timer = setTimeout(enough.resolve, 5_000);
  await enough.promise;
  clearTimeout(timer);
  return reasons;
}

async function waitForState(breaker: CircuitBreaker, state: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while ((await breaker.state()) !== state) {
    if (Date.now() > deadline) throw new Error(`the circuit never reached ${state}`);
  }
}

describe('CLOSED with the failure-rate rule (at least half of the last minute’s calls failed, 10 calls at least)', () => {
  const rate = { failureRate: { threshold: 0.5, minimumCalls: 10, windowMs: 60_000, buckets: 10 } };

  async function succeedTimes(breaker: CircuitBreaker, times: number): Promise<void> {
    for (let made = 0; made < times; made += 1) await breaker.execute(succeed);
  }

  it('does not open on 9 failures in a row (fewer calls than the minimum), and opens on the 10th', async () => {
    // Prepare
    const { breaker, transitions } = harness(rate);
    await failTimes(breaker, 9);
    const afterNine = await breaker.state();

    // Act
    await failTimes(breaker, 1);

    // Assess
    expect(afterNine).toBe('CLOSED');
    expect(await breaker.state()).toBe('OPEN');
    expect(transitions).toEqual([{ name: NAME, from: 'CLOSED', to: 'OPEN' }]);
  });

  it('never opens while fewer than half of the calls fail, however many failures come in a row', async () => {
    // Prepare: 12 successes, then 11 failures in a row (11 of 23 failed: 48 %).
    const { breaker, store } = harness(rate);
    await succeedTimes(breaker, 12);

    // Act
    await failTimes(breaker, 11);

    // Assess: the consecutive rule would have opened on the 5th failure; every outcome cost one write.
    expect(await breaker.state()).toBe('CLOSED');
    expect(store.writes.filter((write) => write.startsWith('recordOutcome'))).toHaveLength(23);
    expect(store.writes.some((write) => write.startsWith('transition'))).toBe(false);

    // Act: one more failure makes it 12 of 24.
    await failTimes(breaker, 1);

    // Assess
    expect(await breaker.state()).toBe('OPEN');
  });

  it('forgets calls older than the window: old successes no longer hold the rate down', async () => {
    // Prepare: 30 successes, then a minute and a bucket later 6 failures and 4 successes.
    const { breaker, clock } = harness(rate);
    await succeedTimes(breaker, 30);
    clock.now += 66_000;
    await succeedTimes(breaker, 4);
    await failTimes(breaker, 5);
    const beforeLast = await breaker.state();

    // Act: the 10th call of the window, its 6th failure.
    await failTimes(breaker, 1);

    // Assess: with the 30 successes still counted it would be 6 of 40.
    expect(beforeLast).toBe('CLOSED');
    expect(await breaker.state()).toBe('OPEN');
  });

  it('counts an error the caller does not call a failure (a declined card) as a success', async () => {
    // Prepare
    const { breaker } = harness(rate);

    // Act: 10 declines, then 9 provider failures (9 of 19).
    for (let made = 0; made < 10; made += 1) {
      await expect(breaker.execute(declined, onlyProviderErrors)).rejects.toBeInstanceOf(CardDeclined);
    }
    for (let made = 0; made < 9; made += 1) {
      await expect(breaker.execute(failing, onlyProviderErrors)).rejects.toBeInstanceOf(ProviderDown);
    }

    // Assess
    expect(await breaker.state()).toBe('CLOSED');
  });

  it('starts a new window after the probe closes the breaker: one failure does not reopen it', async () => {
    // Prepare: opened by 10 failures, then past the reset timeout.
    const { breaker, clock, transitions } = harness({ ...rate, resetTimeoutMs: 30_000 });
    await failTimes(breaker, 10);
    clock.now += 30_000;

    // Act: the probe succeeds, then a call fails.
    await breaker.execute(succeed);
    await failTimes(breaker, 1);

    // Assess
    expect(transitions.map(({ to }) => to)).toEqual(['OPEN', 'HALF_OPEN', 'CLOSED']);
    expect(await breaker.state()).toBe('CLOSED');
  });

  it.each([
    ['both rules', { failureThreshold: 5, failureRate: {} }, /failureThreshold .* or failureRate, not both/],
    ['a threshold of 0', { failureRate: { threshold: 0 } }, /threshold must be above 0 and at most 1, not 0/],
    ['a threshold above 1', { failureRate: { threshold: 1.5 } }, /threshold must be above 0/],
    ['no minimum', { failureRate: { minimumCalls: 0 } }, /minimumCalls must be an integer of at least 1/],
    ['no bucket', { failureRate: { buckets: 0 } }, /buckets must be an integer of at least 1/],
    ['a window shorter than its buckets', { failureRate: { windowMs: 5, buckets: 10 } }, /windowMs must be/],
  ])('refuses %s', (_case, options, message) => {
    expect(() => harness(options)).toThrow(message);
  });
});
