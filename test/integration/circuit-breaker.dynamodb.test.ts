import { type AttributeValue, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { eventually } from 'cdk-local-cloud';
import {
  CircuitBreaker,
  CircuitOpenError,
  DynamoDbCircuitBreakerStore,
  circuitKey,
  type CircuitBreakerOptions,
  type CircuitBreakerMetrics,
  type CircuitTransition,
} from '../../shared/resilience';
import { useDynamoDbLocal } from '../support/dynamodb-local';
import type { AppLogger } from '../../shared/observability/app-logger';
import { silentLogger } from '../../shared/observability/app-logger';

const TABLE = 'circuit-breakers';
const FAILURE_THRESHOLD = 3;
const RESET_TIMEOUT_MS = 30_000;
const PROBE_LEASE_MS = 10_000;
const INSTANCES = 20;

let circuitCount = 0;

const dynamo = useDynamoDbLocal();

beforeAll(async () => {
  // The table the payments stack creates: a partition key `pk` (S) and nothing else.
  await dynamo.createTable(TABLE, { partitionKey: 'pk' });
});

// Transitions are expected here; their logging and metrics are covered by the unit tests.
const quietLogger: AppLogger = silentLogger;
const quietMetrics: CircuitBreakerMetrics = {
  singleMetric: () => ({ addDimensions: () => undefined, addMetric: () => undefined }),
};

class ProviderDown extends Error {
  override readonly name = 'ProviderDown';
}

/**
 * A fresh circuit, a fake clock every instance reads, and a factory of breakers that each have their
 * own DynamoDB client and store, as separate Lambda instances would.
 */
function circuit(overrides: Partial<CircuitBreakerOptions> = {}) {
  circuitCount += 1;
  const name = `payment-provider-${circuitCount}`;
  const clock = { now: 1_700_000_000_000 + circuitCount * 1_000_000 };
  const transitions: CircuitTransition[] = [];
  const clients: DynamoDBClient[] = [];
  const instance = (): CircuitBreaker => {
    const own = dynamo.newClient();
    clients.push(own);
    return new CircuitBreaker({
      name,
      store: new DynamoDbCircuitBreakerStore({ client: own, tableName: TABLE }),
      failureThreshold: FAILURE_THRESHOLD,
      resetTimeoutMs: RESET_TIMEOUT_MS,
      probeLeaseMs: PROBE_LEASE_MS,
      now: () => clock.now,
      onTransition: (transition) => transitions.push(transition),
      logger: quietLogger,
      metrics: quietMetrics,
      ...overrides,
    });
  };
  const item = async () =>
    (
      await dynamo.client.send(
        new GetItemCommand({ TableName: TABLE, Key: { pk: { S: circuitKey(name) } }, ConsistentRead: true }),
      )
    ).Item;
  const destroy = (): void => clients.forEach((own) => own.destroy());
  return { name, clock, transitions, instance, item, destroy };
}

let circuits: ReturnType<typeof circuit>[] = [];

afterEach(() => {
  circuits.forEach(({ destroy }) => destroy());
  circuits = [];
});

function newCircuit(overrides: Partial<CircuitBreakerOptions> = {}) {
  const created = circuit(overrides);
  circuits.push(created);
  return created;
}

const failing = async (): Promise<never> => {
  throw new ProviderDown('503 from the provider');
};

/** A circuit opened by FAILURE_THRESHOLD failures, its clock moved past the reset timeout. */
async function circuitReadyForAProbe() {
  const opened = newCircuit();
  const breaker = opened.instance();
  for (let made = 0; made < FAILURE_THRESHOLD; made += 1) {
    await expect(breaker.execute(failing)).rejects.toBeInstanceOf(ProviderDown);
  }
  const openedAt = opened.clock.now;
  opened.clock.now += RESET_TIMEOUT_MS;
  return { ...opened, openedAt };
}

/**
 * Starts `execute(call)` on INSTANCES separate breakers at once. The call is held at a gate until all
 * but one caller have been answered (or 10 s passed), so a second probe could not sneak in after the
 * first closed the circuit. Returns how many calls ran and every outcome.
 */
async function concurrentCallers(
  instance: () => CircuitBreaker,
  callOutcome: () => Promise<string>,
): Promise<{ calls: number; outcomes: PromiseSettledResult<string>[] }> {
  let calls = 0;
  let openGate: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    openGate = resolve;
  });
  const breakers = Array.from({ length: INSTANCES }, () => instance());
  const pending = breakers.map((breaker) =>
    breaker.execute(async () => {
      calls += 1;
      await gate;
      return callOutcome();
    }),
  );
  let settled = 0;
  pending.forEach((outcome) =>
    outcome.then(
      () => undefined,
      () => {
        settled += 1;
        if (settled === INSTANCES - 1) openGate();
      },
    ),
  );
  const timer = setTimeout(openGate, 10_000);
  await gate;
  clearTimeout(timer);
  return { calls, outcomes: await Promise.allSettled(pending) };
}

const rejectedWith = (outcomes: PromiseSettledResult<string>[], type: new (...args: never[]) => Error) =>
  outcomes.filter((outcome) => outcome.status === 'rejected' && outcome.reason instanceof type).length;

describe('CircuitBreaker on DynamoDB Local', () => {
  it('keeps a healthy circuit free of writes: successes with no failures store nothing', async () => {
    // Prepare
    const { instance, item } = newCircuit();
    const breaker = instance();

    // Act
    const results = await Promise.all([1, 2, 3].map(() => breaker.execute(async () => 'captured')));

    // Assess
    expect(results).toEqual(['captured', 'captured', 'captured']);
    expect(await item()).toBeUndefined();
  });

  it('opens on the threshold-th consecutive failure, in one item circuit#<name>', async () => {
    // Prepare
    const { name, instance, item, clock } = newCircuit();
    const breaker = instance();
    for (let made = 1; made < FAILURE_THRESHOLD; made += 1) {
      await expect(breaker.execute(failing)).rejects.toBeInstanceOf(ProviderDown);
    }
    const beforeThreshold = await item();

    // Act
    await expect(breaker.execute(failing)).rejects.toBeInstanceOf(ProviderDown);
    const afterThreshold = await instance()
      .execute(async () => 'not called')
      .catch((error: unknown) => error);

    // Assess
    expect(beforeThreshold).toMatchObject({
      state: { S: 'CLOSED' },
      failures: { N: '2' },
      version: { N: '0' },
    });
    expect(await item()).toEqual({
      pk: { S: `circuit#${name}` },
      state: { S: 'OPEN' },
      failures: { N: String(FAILURE_THRESHOLD) },
      openedAt: { N: String(clock.now) },
      version: { N: '1' },
      writeId: { S: expect.any(String) },
    });
    expect(afterThreshold).toBeInstanceOf(CircuitOpenError);
  });

  it('a transition whose write landed but whose answer was lost (the SDK retried it) is still won', async () => {
    // Prepare: the first PutItem reaches DynamoDB Local, then its answer is replaced by a 500, so the SDK
    // sends it again, and the retry fails its condition on the version the first attempt wrote.
    const opened = newCircuit();
    const breaker = opened.instance();
    for (let made = 0; made < FAILURE_THRESHOLD; made += 1) {
      await expect(breaker.execute(failing)).rejects.toBeInstanceOf(ProviderDown);
    }
    opened.clock.now += RESET_TIMEOUT_MS;
    const client = dynamo.newClient();
    let answersLost = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'PutItemCommand' && answersLost === 0) {
          answersLost += 1;
          throw Object.assign(new Error('the answer was lost'), {
            name: 'InternalServerError',
            $fault: 'server',
            $metadata: { httpStatusCode: 500 },
          });
        }
        return result;
      },
      { step: 'deserialize', name: 'loseFirstPutItemAnswer' },
    );
    const probe = new CircuitBreaker({
      name: opened.name,
      store: new DynamoDbCircuitBreakerStore({ client, tableName: TABLE }),
      failureThreshold: FAILURE_THRESHOLD,
      resetTimeoutMs: RESET_TIMEOUT_MS,
      probeLeaseMs: PROBE_LEASE_MS,
      now: () => opened.clock.now,
      logger: quietLogger,
      metrics: quietMetrics,
    });

    // Act
    const outcome = await probe.execute(async () => 'captured');
    client.destroy();

    // Assess
    expect(answersLost).toBe(1);
    expect(outcome).toBe('captured');
    expect(await opened.item()).toMatchObject({ state: { S: 'CLOSED' }, version: { N: '3' } });
  });

  it('opens exactly once when 20 instances fail at the same time', async () => {
    // Prepare
    const { instance, item, transitions } = newCircuit();
    const breakers = Array.from({ length: INSTANCES }, () => instance());

    // Act
    const outcomes = await Promise.allSettled(breakers.map((breaker) => breaker.execute(failing)));

    // Assess
    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
    expect(transitions).toEqual([expect.objectContaining({ from: 'CLOSED', to: 'OPEN' })]);
    expect(await item()).toMatchObject({ state: { S: 'OPEN' }, version: { N: '1' } });
  });

  it('past the reset timeout, 20 concurrent instances run exactly one probe; its success closes the circuit', async () => {
    // Prepare
    const { instance, item, transitions } = await circuitReadyForAProbe();

    // Act
    const { calls, outcomes } = await concurrentCallers(instance, async () => 'captured');

    // Assess
    expect(calls).toBe(1);
    expect(rejectedWith(outcomes, CircuitOpenError)).toBe(INSTANCES - 1);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toEqual([
      { status: 'fulfilled', value: 'captured' },
    ]);
    expect(transitions.map(({ from, to }) => `${from}->${to}`)).toEqual([
      'CLOSED->OPEN',
      'OPEN->HALF_OPEN',
      'HALF_OPEN->CLOSED',
    ]);
    expect(await item()).toMatchObject({ state: { S: 'CLOSED' }, failures: { N: '0' }, version: { N: '3' } });
    expect((await item())?.probeLeaseUntil).toBeUndefined();
    await expect(instance().execute(async () => 'captured')).resolves.toBe('captured');
  });

  it('past the reset timeout, 20 concurrent instances run exactly one probe; its failure opens the circuit again', async () => {
    // Prepare
    const { instance, item, clock, transitions, openedAt } = await circuitReadyForAProbe();

    // Act
    const { calls, outcomes } = await concurrentCallers(instance, failing);

    // Assess
    expect(calls).toBe(1);
    expect(rejectedWith(outcomes, CircuitOpenError)).toBe(INSTANCES - 1);
    expect(rejectedWith(outcomes, ProviderDown)).toBe(1);
    expect(transitions.map(({ to }) => to)).toEqual(['OPEN', 'HALF_OPEN', 'OPEN']);
    expect(await item()).toMatchObject({
      state: { S: 'OPEN' },
      openedAt: { N: String(clock.now) },
      version: { N: '3' },
    });
    expect(clock.now).toBe(openedAt + RESET_TIMEOUT_MS);
    await expect(instance().execute(async () => 'not called')).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it('does not stay wedged by a probe that never reports: past its lease the next caller probes', async () => {
    // Prepare: the probe's Lambda dies mid-call; its report never comes.
    const { instance, item, clock, transitions } = await circuitReadyForAProbe();
    let abandon: (error: unknown) => void = () => undefined;
    const crashedProbe = instance()
      .execute(() => new Promise<never>((_resolve, reject) => (abandon = reject)))
      .catch((error: unknown) => error);
    await eventually(async () => ((await item())?.state?.S === 'HALF_OPEN' ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 10,
      what: 'the probe to be elected',
    });
    const whileLeased = await instance()
      .execute(async () => 'not called')
      .catch((error: unknown) => error);

    // Act
    clock.now += PROBE_LEASE_MS;
    const { calls, outcomes } = await concurrentCallers(instance, async () => 'captured');

    // Assess
    expect(whileLeased).toBeInstanceOf(CircuitOpenError);
    expect(calls).toBe(1);
    expect(rejectedWith(outcomes, CircuitOpenError)).toBe(INSTANCES - 1);
    expect(await item()).toMatchObject({ state: { S: 'CLOSED' } });
    // The dead probe's late failure, had it come, changes nothing.
    abandon(new ProviderDown('503, long after'));
    expect(await crashedProbe).toBeInstanceOf(ProviderDown);
    expect(await item()).toMatchObject({ state: { S: 'CLOSED' } });
    expect(transitions.map(({ to }) => to)).toEqual(['OPEN', 'HALF_OPEN', 'CLOSED']);
  });
});

describe('CircuitBreaker on DynamoDB Local, with the failure-rate rule', () => {
  const WINDOW_MS = 60_000;
  const BUCKETS = 10;
  const rateRule = (): Partial<CircuitBreakerOptions> => ({
    failureThreshold: undefined,
    failureRate: { threshold: 0.5, minimumCalls: 10, windowMs: WINDOW_MS, buckets: BUCKETS },
  });
  const bucketAttributes = (item: Record<string, AttributeValue> | undefined): Record<string, string> =>
    Object.fromEntries(
      Object.entries(item ?? {})
        .filter(([attribute]) => /^w\d+[cf]$/.test(attribute))
        .map(([attribute, value]) => [attribute, value.N ?? '']),
    );

  it('counts every outcome of 20 instances calling at once: atomic counters, no lost update', async () => {
    // Prepare
    const { instance, item, clock } = newCircuit(rateRule());
    const breakers = Array.from({ length: INSTANCES }, () => instance());
    const bucket = Math.floor(clock.now / (WINDOW_MS / BUCKETS));

    // Act
    await Promise.all(breakers.map((breaker) => breaker.execute(async () => 'captured')));

    // Assess
    expect(await item()).toMatchObject({ state: { S: 'CLOSED' }, version: { N: '0' } });
    expect(bucketAttributes(await item())).toEqual({ [`w${bucket}c`]: String(INSTANCES) });
  });

  it('opens exactly once when 20 instances fail at the same time, and the opening empties the window', async () => {
    // Prepare
    const { instance, item, transitions } = newCircuit(rateRule());
    const breakers = Array.from({ length: INSTANCES }, () => instance());

    // Act
    const outcomes = await Promise.allSettled(breakers.map((breaker) => breaker.execute(failing)));

    // Assess
    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
    expect(transitions).toEqual([expect.objectContaining({ from: 'CLOSED', to: 'OPEN' })]);
    expect(await item()).toMatchObject({ state: { S: 'OPEN' }, version: { N: '1' } });
    expect(bucketAttributes(await item())).toEqual({});
  });

  it('does not open while most calls succeed, and drops the buckets that slid out of the window', async () => {
    // Prepare: 12 successes and 11 failures from separate instances (11 of 23 failed).
    const { instance, item, clock } = newCircuit(rateRule());
    const first = Math.floor(clock.now / (WINDOW_MS / BUCKETS));
    await Promise.all(Array.from({ length: 12 }, () => instance().execute(async () => 'captured')));
    await Promise.allSettled(Array.from({ length: 11 }, () => instance().execute(failing)));
    const state = (await item())?.state?.S;

    // Act: a call a whole window later.
    clock.now += WINDOW_MS;
    await instance().execute(async () => 'captured');

    // Assess
    expect(state).toBe('CLOSED');
    expect(bucketAttributes(await item())).toEqual({ [`w${first + BUCKETS}c`]: '1' });
  });
});
