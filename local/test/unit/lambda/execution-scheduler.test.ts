import {
  BACKGROUND_SHARE,
  defaultMaxRunning,
  defaultMemoryBudgetMb,
  ExecutionScheduler,
  InvocationAbandonedError,
  type Lane,
  type ReclaimableEnvironment,
  type RunSlot,
} from '../../../src/lambda/execution-scheduler';

const MiB = 2 ** 20;

/** Lets pending promise callbacks run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Acquires and records the order in which slots are granted. */
function acquireAll(
  scheduler: ExecutionScheduler,
  names: readonly string[],
  granted: string[],
  lane: Lane = 'background',
): Promise<RunSlot>[] {
  return names.map((name) =>
    scheduler.acquire({ lane }).then((slot) => {
      granted.push(name);
      return slot;
    }),
  );
}

class FakeEnvironment implements ReclaimableEnvironment {
  reclaimed = false;
  constructor(
    readonly name: string,
    readonly footprintBytes: number,
  ) {}
  reclaim(): void {
    this.reclaimed = true;
  }
}

describe('ExecutionScheduler', () => {
  test('runs up to maxRunning at once and queues the rest, first in first out', async () => {
    // Prepare
    const scheduler = new ExecutionScheduler({ maxRunning: 2 });
    const granted: string[] = [];

    // Act
    const slots = acquireAll(scheduler, ['a', 'b', 'c', 'd'], granted);
    await settle();
    const queuedWhileFull = scheduler.stats().queued;
    (await slots[0])?.release();
    await settle();
    (await slots[1])?.release();
    await settle();

    // Assess
    expect(queuedWhileFull).toBe(2);
    expect(granted).toEqual(['a', 'b', 'c', 'd']);
    expect(scheduler.stats()).toMatchObject({
      running: 2,
      queued: 0,
      peakQueued: 2,
      waited: 2,
      peakRunning: 2,
    });
  });

  test('urgent work (a suspended caller waits for it) goes ahead of the queue', async () => {
    // Prepare
    const scheduler = new ExecutionScheduler({ maxRunning: 1 });
    const granted: string[] = [];
    const [first] = acquireAll(scheduler, ['first'], granted);
    acquireAll(scheduler, ['queued-1', 'queued-2'], granted);

    // Act
    acquireAll(scheduler, ['urgent'], granted, 'urgent');
    (await first)?.release();
    await settle();

    // Assess
    expect(granted).toEqual(['first', 'urgent']);
  });

  test('within a lane, each function gets a turn before any gets a second one', async () => {
    // Prepare: one function has a backlog; another (a stream consumer) queues one batch behind it
    const scheduler = new ExecutionScheduler({ maxRunning: 1 });
    const granted: string[] = [];
    const first = await scheduler.acquire({ key: 'saga-step' });
    const backlog = ['step-1', 'step-2', 'step-3'].map((name) =>
      scheduler.acquire({ key: 'saga-step' }).then((slot) => {
        granted.push(name);
        return slot;
      }),
    );
    const batch = scheduler.acquire({ key: 'relay' }).then((slot) => {
      granted.push('relay-batch');
      return slot;
    });

    // Act
    first.release();
    (await backlog[0])?.release();
    (await batch).release();
    (await backlog[1])?.release();
    (await backlog[2])?.release();

    // Assess
    expect(granted).toEqual(['step-1', 'relay-batch', 'step-2', 'step-3']);
  });

  test('interactive work goes before background work, which keeps one admission in BACKGROUND_SHARE', async () => {
    // Prepare
    const scheduler = new ExecutionScheduler({ maxRunning: 1 });
    const granted: string[] = [];
    const [first] = acquireAll(scheduler, ['first'], granted);
    const background = acquireAll(scheduler, ['event-1', 'event-2'], granted, 'background');
    const interactiveNames = Array.from({ length: 2 * BACKGROUND_SHARE }, (_, i) => `request-${i + 1}`);
    const interactive = acquireAll(scheduler, interactiveNames, granted, 'interactive');

    // Act: each admitted invocation ends at once, in the order admitted
    const all = [first, ...background, ...interactive];
    (await first)?.release();
    for (let released = 1; released < all.length; released++) {
      await settle();
      const admitted = granted[released];
      const slot = await all[['first', 'event-1', 'event-2', ...interactiveNames].indexOf(admitted ?? '')];
      slot?.release();
    }

    // Assess
    expect(BACKGROUND_SHARE).toBe(4);
    expect(granted).toEqual([
      'first',
      'request-1',
      'request-2',
      'request-3',
      'event-1',
      'request-4',
      'request-5',
      'request-6',
      'event-2',
      'request-7',
      'request-8',
    ]);
  });

  test('a suspended caller gives its slot up until it resumes, then carries on at once', async () => {
    // Prepare
    const scheduler = new ExecutionScheduler({ maxRunning: 1 });
    const granted: string[] = [];
    const caller = await scheduler.acquire();

    // Act
    const resume = caller.suspend();
    const [callee] = acquireAll(scheduler, ['callee'], granted, 'urgent');
    await settle();
    const whileSuspended = scheduler.stats();
    (await callee)?.release();
    resume();

    // Assess
    expect(granted).toEqual(['callee']);
    expect(whileSuspended).toMatchObject({ running: 1, suspended: 1 });
    expect(scheduler.stats()).toMatchObject({ running: 1, suspended: 0 });
    caller.release();
    expect(scheduler.stats().running).toBe(0);
  });

  test('a caller with several calls open stays suspended until the last is answered', async () => {
    // Prepare
    const scheduler = new ExecutionScheduler({ maxRunning: 1 });
    const caller = await scheduler.acquire();

    // Act
    const resumeFirst = caller.suspend();
    const resumeSecond = caller.suspend();
    resumeFirst();
    const afterOne = scheduler.stats();
    resumeSecond();
    resumeSecond();

    // Assess
    expect(afterOne).toMatchObject({ running: 0, suspended: 1 });
    expect(scheduler.stats()).toMatchObject({ running: 1, suspended: 0 });
  });

  test('work done for a caller suspends it from its first invocation until the request is answered', async () => {
    // Prepare
    const scheduler = new ExecutionScheduler({ maxRunning: 1 });
    const caller = await scheduler.acquire();
    const unbind = scheduler.bindCaller('env-1', caller);
    let inside: ReturnType<ExecutionScheduler['stats']> | undefined;

    // Act
    await scheduler.runForCaller('env-1', async () => {
      scheduler.waitingCaller()?.suspendCaller();
      scheduler.waitingCaller()?.suspendCaller();
      const callee = await scheduler.acquire({ lane: 'urgent' });
      inside = scheduler.stats();
      callee.release();
    });
    const outside = scheduler.waitingCaller();
    unbind();

    // Assess
    expect(inside).toMatchObject({ running: 1, suspended: 1 });
    expect(scheduler.stats()).toMatchObject({ running: 1, suspended: 0 });
    expect(outside).toBeUndefined();
  });

  test('a token no running invocation holds, and detached work, have no caller', async () => {
    // Prepare
    const scheduler = new ExecutionScheduler({ maxRunning: 1 });
    const caller = await scheduler.acquire();
    scheduler.bindCaller('env-1', caller)();

    // Act
    const unknown = await scheduler.runForCaller('env-1', async () => scheduler.waitingCaller());
    const rebound = scheduler.bindCaller('env-2', caller);
    const detached = await scheduler.runForCaller('env-2', async () =>
      scheduler.detached(() => scheduler.waitingCaller()),
    );
    rebound();

    // Assess
    expect(unknown).toBeUndefined();
    expect(detached).toBeUndefined();
  });

  test('an invocation whose caller gives up while it waits never runs, and frees its place', async () => {
    // Prepare
    const scheduler = new ExecutionScheduler({ maxRunning: 1 });
    const first = await scheduler.acquire();
    const gaveUp = new AbortController();
    const abandoned = scheduler.acquire({ signal: gaveUp.signal });
    const granted: string[] = [];
    acquireAll(scheduler, ['next'], granted);

    // Act
    gaveUp.abort();
    const outcome = await abandoned.catch((error: unknown) => error);
    first.release();
    await settle();

    // Assess
    expect(outcome).toBeInstanceOf(InvocationAbandonedError);
    expect(granted).toEqual(['next']);
    expect(scheduler.stats()).toMatchObject({ abandoned: 1, queued: 0 });
    await expect(scheduler.acquire({ signal: AbortSignal.abort() })).rejects.toThrow(
      InvocationAbandonedError,
    );
  });

  test('releasing a slot twice frees one place only', async () => {
    // Prepare
    const scheduler = new ExecutionScheduler({ maxRunning: 2 });
    const slot = await scheduler.acquire();
    await scheduler.acquire();

    // Act
    slot.release();
    slot.release();

    // Assess
    expect(scheduler.stats().running).toBe(1);
  });

  test('reclaims idle environments, least recently used first, once their memory passes the budget', () => {
    // Prepare
    const scheduler = new ExecutionScheduler({ maxRunning: 4, memoryBudgetMb: 100 });
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => new FakeEnvironment(name, 30 * MiB));
    for (const environment of [a, b, c, d]) scheduler.addEnvironment(environment!);

    // Act: 120 MiB live; a is used last of the idle ones, b least recently
    scheduler.markIdle(b!);
    scheduler.markIdle(c!);
    scheduler.markIdle(a!);

    // Assess
    expect([a, b, c, d].map((environment) => environment!.reclaimed)).toEqual([false, true, false, false]);
    expect(scheduler.stats()).toMatchObject({ reclaimed: 1, idleEnvironments: 2, environments: 3 });
  });

  test('never reclaims a busy environment, even over the budget', () => {
    // Prepare
    const scheduler = new ExecutionScheduler({ maxRunning: 4, memoryBudgetMb: 10 });
    const busy = new FakeEnvironment('busy', 30 * MiB);
    const idle = new FakeEnvironment('idle', 30 * MiB);
    scheduler.addEnvironment(busy);
    scheduler.addEnvironment(idle);
    scheduler.markBusy(busy);

    // Act
    scheduler.markIdle(idle);

    // Assess
    expect(busy.reclaimed).toBe(false);
    expect(idle.reclaimed).toBe(true);
  });

  test('derives its budgets from the machine', () => {
    expect(defaultMaxRunning(2)).toBe(8);
    expect(defaultMaxRunning(0)).toBe(2);
    expect(defaultMemoryBudgetMb(24 * 1024 * MiB)).toBe(3072);
    expect(defaultMemoryBudgetMb(8 * 1024 * MiB)).toBe(2048);
    expect(defaultMemoryBudgetMb(4 * 1024 * MiB)).toBe(1024);
    expect(defaultMemoryBudgetMb(512 * MiB)).toBe(256);
    expect(() => new ExecutionScheduler({ maxRunning: 0 })).toThrow(RangeError);
  });
});
