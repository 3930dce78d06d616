import { ConcurrencyPool } from '../../../src/lambda/concurrency-pool';

describe('ConcurrencyPool', () => {
  test('counts invocations in up to its limit, and refuses beyond it', () => {
    // Prepare
    const pool = new ConcurrencyPool(2, 'ConcurrentInvocationLimitExceeded');

    // Act
    const taken = [pool.tryTake(), pool.tryTake(), pool.tryTake()];
    pool.give();

    // Assess
    expect(taken).toEqual([true, true, false]);
    expect(pool.inFlight).toBe(1);
    expect(pool.tryTake()).toBe(true);
  });

  test('wakes a waiter once an invocation ends, and times one out otherwise', async () => {
    // Prepare
    const pool = new ConcurrencyPool(1, 'ReservedFunctionConcurrentInvocationLimitExceeded');
    pool.tryTake();
    const woken = pool.waitForCapacity(5_000);
    const timedOut = pool.waitForCapacity(10);

    // Act
    const late = await timedOut.ready;
    pool.give();

    // Assess
    expect(late).toBe(false);
    expect(await woken.ready).toBe(true);
  });

  test('a cancelled wait resolves false at once', async () => {
    // Prepare
    const pool = new ConcurrencyPool(0, 'ReservedFunctionConcurrentInvocationLimitExceeded');
    const waiting = pool.waitForCapacity(60_000);

    // Act
    waiting.cancel();

    // Assess
    expect(await waiting.ready).toBe(false);
  });

  test('a lower limit (more concurrency reserved elsewhere) applies to new invocations', () => {
    // Prepare
    const pool = new ConcurrencyPool(1000, 'ConcurrentInvocationLimitExceeded');
    pool.tryTake();

    // Act
    pool.setLimit(1);

    // Assess
    expect(pool.tryTake()).toBe(false);
    expect(pool.limit).toBe(1);
  });
});
