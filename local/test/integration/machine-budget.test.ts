/**
 * The local cloud on a machine budget (test/fixtures/fixture-app.ts): invocations beyond the budget wait
 * their turn instead of starting threads, a function waiting on another (through an API or the Invoke
 * API) never deadlocks the budget, a caller that gives up drops what could not start, and idle
 * environments beyond the memory budget are shut down.
 */
import type { LocalCloud } from '../../src/local-cloud';
import type { SchedulerStats } from '../../src/lambda/execution-scheduler';
import type { InvocationRecord } from '../../src/lambda/worker-pool';
import { startFixtureCloud } from '../support/fixture-cloud';

interface Machine {
  readonly invocations: SchedulerStats;
  readonly memory: { readonly localCloud: { rssMb: number; peakRssMb: number } };
}

async function local<T>(cloud: LocalCloud, path: string): Promise<T> {
  const answer = await fetch(`${cloud.apiUrl}${path}`);
  if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status}`);
  return (await answer.json()) as T;
}

async function getJson(cloud: LocalCloud, path: string): Promise<{ status: number; body: unknown }> {
  const answer = await fetch(`${cloud.apiUrl}${path}`);
  return { status: answer.status, body: (await answer.json()) as unknown };
}

describe('one invocation at a time (maxRunningInvocations: 1)', () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    ({ cloud } = await startFixtureCloud({ maxRunningInvocations: 1 }));
  }, 180_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  test('20 requests whose function calls another API through the gateway (fetch) all answer', async () => {
    // Act
    const answers = await Promise.all(Array.from({ length: 20 }, () => getJson(cloud, '/other')));

    // Assess
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(answers.every((answer) => (answer.body as { status: number }).status === 200)).toBe(true);
    const { invocations } = await local<Machine>(cloud, '/_local/machine');
    expect(invocations).toMatchObject({ maxRunning: 1, running: 0, queued: 0, suspended: 0 });
    expect(invocations.waited).toBeGreaterThan(0);
    expect(invocations.peakQueued).toBeGreaterThan(1);
  });

  test('20 requests whose function invokes another synchronously through the SDK all answer', async () => {
    // Act
    const answers = await Promise.all(Array.from({ length: 20 }, () => getJson(cloud, '/invoke')));

    // Assess
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(answers.map((answer) => answer.body)).toEqual(
      Array(20).fill({ statusCode: 200, functionError: null }),
    );
  });

  test('what the local cloud adds to find the caller never reaches a function', async () => {
    // Act
    const { body } = await getJson(cloud, '/other');

    // Assess
    const headers = (body as { body: { headers: Record<string, string> } }).body.headers;
    expect(Object.keys(headers).map((name) => name.toLowerCase())).not.toContain('x-local-cloud-caller');
  });

  test('invocations beyond the budget waited, and show how long at /_local/invocations', async () => {
    // Act
    const { invocations } = await local<{ invocations: InvocationRecord[] }>(cloud, '/_local/invocations');

    // Assess
    expect(invocations.some((record) => (record.queuedMs ?? 0) > 0)).toBe(true);
    expect(invocations.every((record) => record.outcome === 'success')).toBe(true);
  });

  test('an invocation waiting behind one that sleeps on a timer runs meanwhile', async () => {
    // Prepare: the one slot is taken by a function that will sleep for 800 ms (its timeout is 1 s).
    let sleeperDone = false;
    const sleeping = cloud.lambda
      .invoke('fixture-slow', { waitMs: 800 }, { trigger: 'test' })
      .then((result) => {
        sleeperDone = true;
        return result;
      });

    // Act: given up on unless it runs within 400 ms.
    const outcome = await cloud.lambda
      .invoke('fixture-noop', {}, { trigger: 'test', signal: AbortSignal.timeout(400) })
      .catch((error: unknown) => error);
    const sleeperDoneFirst = sleeperDone;
    const slept = await sleeping;

    // Assess
    expect(outcome).toHaveProperty('payload');
    expect(sleeperDoneFirst).toBe(false);
    expect(slept).toEqual({ payload: { waited: 800 } });
    const { invocations } = await local<Machine>(cloud, '/_local/machine');
    expect(invocations).toMatchObject({ running: 0, suspended: 0 });
  });

  test('an invocation its caller gave up on before it could start never runs', async () => {
    // Prepare: the one slot is taken for a while by a function computing (not asleep: it keeps its slot).
    const busy = cloud.lambda.invoke('fixture-slow', { busyMs: 500 }, { trigger: 'test' });

    // Act
    const outcome = await cloud.lambda
      .invoke('fixture-noop', {}, { trigger: 'test', signal: AbortSignal.timeout(50) })
      .catch((error: unknown) => error);
    await busy;

    // Assess
    expect(outcome).toMatchObject({ name: 'InvocationAbandonedError' });
    const { invocations } = await local<{ invocations: InvocationRecord[] }>(cloud, '/_local/invocations');
    const last = invocations.filter((record) => record.functionName === 'fixture-noop').at(-1);
    expect(last).toMatchObject({ outcome: 'abandoned', durationMs: 0 });
    expect(cloud.lambda.stats('fixture-noop')).toMatchObject({ abandoned: 1, concurrentExecutions: 0 });
  });
});

describe('a memory budget smaller than two environments (environmentMemoryMb: 1)', () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    ({ cloud } = await startFixtureCloud({ environmentMemoryMb: 1 }));
  }, 180_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  test('shuts idle environments down as soon as they are idle, and starts new ones when needed', async () => {
    // Act
    const first = await cloud.lambda.invoke('fixture-noop', {}, { trigger: 'test' });
    const machineAfterOne = await local<Machine>(cloud, '/_local/machine');
    const second = await cloud.lambda.invoke('fixture-noop', {}, { trigger: 'test' });

    // Assess
    expect([first.functionError, second.functionError]).toEqual([undefined, undefined]);
    expect(machineAfterOne.invocations).toMatchObject({ environments: 0, idleEnvironments: 0 });
    expect(machineAfterOne.invocations.reclaimed).toBeGreaterThanOrEqual(1);
    expect(cloud.lambda.stats('fixture-noop').coldStarts).toBe(2);
    expect(machineAfterOne.memory.localCloud.peakRssMb).toBeGreaterThanOrEqual(
      machineAfterOne.memory.localCloud.rssMb,
    );
  });
});
