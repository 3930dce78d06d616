import {
  FaultRegistry,
  UnknownFaultTargetError,
  type FaultCatalogue,
  type PutEventsEntryRef,
} from '../../../src/faults/fault-registry';
import { faultSpecSchema, type FaultSpec } from '../../../src/faults/fault-schema';
import { SeededRandom } from '../../../src/faults/seeded-random';

const SHIPPING_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:shop-Shipping-1';
const AUDIT_ARN = 'arn:aws:sqs:us-east-1:000000000000:shop-Audit-1';

const catalogue: FaultCatalogue = {
  functions: [
    { name: 'shop-CreateOrder1A2B-XYZ', logicalId: 'CreateOrder1A2B' },
    { name: 'payments', logicalId: 'Payments9F' },
  ],
  eventSources: [
    { kind: 'dynamodb-stream', functionName: 'shop-Relay-1', sourceName: 'shop-OrdersTable-1' },
    { kind: 'sqs', functionName: 'shop-Consumer-1', sourceName: 'shop-Jobs-1' },
  ],
  ruleTargets: [
    { busName: 'orders', ruleName: 'shop-OrderPlaced-1', targetId: 'Target0', targetArn: SHIPPING_ARN },
    { busName: 'orders', ruleName: 'shop-OrderPlaced-1', targetId: 'Target1', targetArn: AUDIT_ARN },
  ],
  buses: ['default', 'orders'],
  tables: [
    { name: 'shop-ReplicaA1B2-XYZ', logicalId: 'ReplicaA1B2' },
    { name: 'shop-ReplicaC3D4-XYZ', logicalId: 'ReplicaC3D4' },
    { name: 'orders', logicalId: 'Orders9F' },
  ],
  restApis: [
    { apiId: 'blue1', name: 'orders-blue', stages: ['prod'] },
    { apiId: 'green2', name: 'orders-green', stages: ['prod', 'test'] },
  ],
};

const entry: PutEventsEntryRef = { busName: 'orders', source: 'shop.orders', detailType: 'OrderPlaced' };

const registry = (): FaultRegistry =>
  new FaultRegistry({ catalogue, now: () => new Date('2026-01-02T03:04:05.000Z') });

const putEventsDecisions = (faults: FaultRegistry, count: number): boolean[] =>
  Array.from({ length: count }, () => faults.putEventsEntryFault(entry) !== undefined);

describe('FaultRegistry', () => {
  it('makes the same decisions for the same seed and the same calls, others for another seed', () => {
    // Prepare
    const spec: FaultSpec = { kind: 'put-events-failure', probability: 0.4, seed: 99 };
    const first = registry();
    const second = registry();
    const other = registry();
    first.add(spec);
    second.add(spec);
    other.add({ ...spec, seed: 100 });

    // Act
    const a = putEventsDecisions(first, 500);
    const b = putEventsDecisions(second, 500);
    const c = putEventsDecisions(other, 500);

    // Assess
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it('fails about the given fraction, exactly as the seeded sequence says', () => {
    // Prepare
    const faults = registry();
    faults.add({ kind: 'put-events-failure', probability: 0.3, seed: 2024 });
    const replay = new SeededRandom(2024);

    // Act
    const decisions = putEventsDecisions(faults, 10_000);

    // Assess: the fixed seed gives a fixed count; 0.3 ± 0.02 is over four standard deviations.
    const injected = decisions.filter(Boolean).length;
    expect(injected / 10_000).toBeGreaterThan(0.28);
    expect(injected / 10_000).toBeLessThan(0.32);
    expect(decisions).toEqual(decisions.map(() => replay.chance(0.3)));
    expect(faults.list()[0]).toMatchObject({ matched: 10_000, injected, exhausted: false });
  });

  it('stops injecting after maxCount and stops counting calls once exhausted', () => {
    // Prepare
    const faults = registry();
    const { id } = faults.add({
      kind: 'function-timeout',
      target: { name: 'payments' },
      probability: 1,
      maxCount: 3,
    });

    // Act
    const decisions = Array.from({ length: 5 }, () => faults.invocationFault('payments'));

    // Assess
    expect(decisions).toEqual([
      { latencyMs: 0, failure: 'timeout' },
      { latencyMs: 0, failure: 'timeout' },
      { latencyMs: 0, failure: 'timeout' },
      undefined,
      undefined,
    ]);
    expect(faults.get(id)).toMatchObject({ matched: 3, injected: 3, exhausted: true });
  });

  it('selects functions by name, part of the name or logical id prefix, and only those', () => {
    // Prepare
    const faults = registry();
    const byName = faults.add({ kind: 'function-error', target: { name: 'payments' }, probability: 1 });
    const byPart = faults.add({
      kind: 'function-error',
      target: { nameContains: 'CreateOrder' },
      probability: 1,
      errorType: 'Declined',
    });
    const byLogicalId = faults.add({
      kind: 'function-latency',
      target: { logicalIdPrefix: 'CreateOrder' },
      probability: 1,
      latencyMs: 250,
    });

    // Act
    const payments = faults.invocationFault('payments');
    const create = faults.invocationFault('shop-CreateOrder1A2B-XYZ');
    const unknown = faults.invocationFault('someone-else');

    // Assess
    expect(payments).toEqual({
      latencyMs: 0,
      failure: { errorType: 'InjectedFault', errorMessage: `Fault ${byName.id} injected by the local cloud` },
    });
    // The error fault was set first, so it ends the consultation before the latency fault draws.
    expect(create).toEqual({
      latencyMs: 0,
      failure: { errorType: 'Declined', errorMessage: expect.any(String) },
    });
    expect(unknown).toBeUndefined();
    expect([byName, byPart, byLogicalId].map(({ id }) => faults.get(id)?.matched)).toEqual([1, 1, 0]);
    expect(faults.get(byLogicalId.id)?.resolvedTargets).toEqual(['shop-CreateOrder1A2B-XYZ']);
  });

  it('narrows a function fault to one version, whichever way that version is reached', () => {
    // Prepare
    const faults = registry();
    const { id } = faults.add({
      kind: 'function-error',
      target: { nameContains: 'CreateOrder', version: '3' },
      probability: 1,
    });

    // Act
    const onVersion3 = faults.invocationFault('shop-CreateOrder1A2B-XYZ', '3');
    const onVersion2 = faults.invocationFault('shop-CreateOrder1A2B-XYZ', '2');
    const onLatest = faults.invocationFault('shop-CreateOrder1A2B-XYZ');
    const elsewhere = faults.invocationFault('payments', '3');

    // Assess
    expect(onVersion3?.failure).toEqual({ errorType: 'InjectedFault', errorMessage: expect.any(String) });
    expect([onVersion2, onLatest, elsewhere]).toEqual([undefined, undefined, undefined]);
    expect(faults.get(id)).toMatchObject({
      matched: 1,
      resolvedTargets: ['shop-CreateOrder1A2B-XYZ version 3'],
    });
  });

  it('refuses a version that is neither $LATEST nor a number', () => {
    // Act
    const parsed = faultSpecSchema.safeParse({
      kind: 'function-error',
      target: { name: 'payments', version: 'live' },
      probability: 1,
    });

    // Assess
    expect(parsed.error?.issues.map((issue) => issue.message)).toEqual([
      'must be $LATEST or a version number',
    ]);
  });

  it('adds up latency faults before a failure', () => {
    // Prepare
    const faults = registry();
    faults.add({ kind: 'function-latency', target: { name: 'payments' }, probability: 1, latencyMs: 100 });
    faults.add({ kind: 'function-latency', target: { nameContains: 'pay' }, probability: 1, latencyMs: 50 });
    faults.add({
      kind: 'function-timeout',
      target: { logicalIdPrefix: 'Payments' },
      probability: 1,
      maxCount: 1,
    });

    // Act
    const first = faults.invocationFault('payments');
    const second = faults.invocationFault('payments');

    // Assess
    expect(first).toEqual({ latencyMs: 150, failure: 'timeout' });
    expect(second).toEqual({ latencyMs: 150 });
  });

  it('selects event source mappings by function and source', () => {
    // Prepare
    const faults = registry();
    faults.add({
      kind: 'event-source-failure',
      target: { functionNameContains: 'Relay', sourceName: 'shop-OrdersTable-1' },
      probability: 1,
      errorType: 'StreamFault',
      errorMessage: 'injected',
    });
    const [stream, queue] = catalogue.eventSources;

    // Act
    const onStream = stream && faults.eventSourceFault(stream);
    const onQueue = queue && faults.eventSourceFault(queue);

    // Assess
    expect(onStream).toEqual({ errorType: 'StreamFault', errorMessage: 'injected' });
    expect(onQueue).toBeUndefined();
    expect(faults.list()[0]?.resolvedTargets).toEqual(['shop-OrdersTable-1 → shop-Relay-1']);
  });

  it('selects rule targets by rule and target, with AWS dead-letter error codes', () => {
    // Prepare
    const faults = registry();
    faults.add({
      kind: 'target-failure',
      target: { ruleNameContains: 'OrderPlaced', targetArnContains: 'Shipping' },
      probability: 1,
    });
    const [shipping, audit] = catalogue.ruleTargets;

    // Act
    const onShipping = shipping && faults.targetFault(shipping);
    const onAudit = audit && faults.targetFault(audit);

    // Assess
    expect(onShipping).toEqual({
      errorCode: 'SDK_CLIENT_ERROR',
      errorMessage: expect.stringContaining('injected'),
      retryable: true,
    });
    expect(onAudit).toBeUndefined();
  });

  it('filters PutEvents entries by bus, source and detail type, with AWS’s InternalFailure', () => {
    // Prepare
    const faults = registry();
    faults.add({
      kind: 'put-events-failure',
      target: { busName: 'orders', source: 'shop.orders', detailType: 'OrderPlaced' },
      probability: 1,
    });

    // Act
    const matching = faults.putEventsEntryFault(entry);
    const otherBus = faults.putEventsEntryFault({ ...entry, busName: 'default' });
    const otherSource = faults.putEventsEntryFault({ ...entry, source: 'shop.payments' });
    const otherType = faults.putEventsEntryFault({ ...entry, detailType: 'OrderCancelled' });

    // Assess
    expect(matching).toEqual({
      errorCode: 'InternalFailure',
      errorMessage: 'The request processing has failed because of an unknown error, exception or failure.',
    });
    expect([otherBus, otherSource, otherType]).toEqual([undefined, undefined, undefined]);
    expect(faults.list()[0]).toMatchObject({ matched: 1, injected: 1 });
  });

  it('refuses selectors that name nothing, and accepts any selector without a catalogue', () => {
    // Prepare
    const specs: FaultSpec[] = [
      { kind: 'function-error', target: { name: 'no-such-function' }, probability: 1 },
      { kind: 'function-latency', target: { logicalIdPrefix: 'Nope' }, probability: 1, latencyMs: 1 },
      {
        kind: 'event-source-failure',
        target: { sourceName: 'shop-Jobs-1', functionName: 'x' },
        probability: 1,
      },
      { kind: 'target-failure', target: { ruleName: 'missing' }, probability: 1 },
      { kind: 'put-events-failure', target: { busName: 'missing-bus' }, probability: 1 },
    ];
    const faults = registry();
    const uncatalogued = new FaultRegistry();

    // Act
    const refusals = specs.map((spec) => {
      try {
        faults.add(spec);
        return undefined;
      } catch (error) {
        return error;
      }
    });
    const accepted = specs.map((spec) => uncatalogued.add(spec));

    // Assess
    for (const refusal of refusals) expect(refusal).toBeInstanceOf(UnknownFaultTargetError);
    expect(faults.list()).toEqual([]);
    expect(accepted).toHaveLength(specs.length);
  });

  it('lists, shows, removes and clears faults, reporting the seed it chose', () => {
    // Prepare
    const faults = registry();
    const first = faults.add({ kind: 'put-events-failure', probability: 0.5 });
    const second = faults.add({ kind: 'put-events-failure', probability: 0.5, seed: 3 });

    // Act
    const listed = faults.list().map((fault) => fault.id);
    const removed = faults.remove(first.id);
    const removedAgain = faults.remove(first.id);
    const cleared = faults.clear();

    // Assess
    expect(listed).toEqual([first.id, second.id]);
    expect(Number.isInteger(first.seed)).toBe(true);
    expect(second).toMatchObject({ seed: 3, createdAt: '2026-01-02T03:04:05.000Z', matched: 0 });
    expect(removed?.id).toBe(first.id);
    expect(removedAgain).toBeUndefined();
    expect(cleared).toBe(1);
    expect(faults.list()).toEqual([]);
    expect(faults.putEventsEntryFault(entry)).toBeUndefined();
  });
  describe('DynamoDB table faults', () => {
    const [replicaA, replicaB] = ['shop-ReplicaA1B2-XYZ', 'shop-ReplicaC3D4-XYZ'];

    it('fails the writes to the tables the selector names, with DynamoDB’s status, and nothing else', () => {
      // Prepare
      const faults = registry();
      const noFaults = { read: faults.hasTableFaults('read'), write: faults.hasTableFaults('write') };
      const { id } = faults.add({
        kind: 'table-write-failure',
        target: { logicalIdPrefix: 'ReplicaA' },
        probability: 1,
        errorCode: 'ProvisionedThroughputExceededException',
      });

      // Act
      const write = faults.tableFault('write', [replicaA]);
      const batch = faults.tableFault('write', ['orders', replicaA]);
      const otherTable = faults.tableFault('write', [replicaB]);
      const read = faults.tableFault('read', [replicaA]);

      // Assess
      expect(noFaults).toEqual({ read: false, write: false });
      expect([faults.hasTableFaults('read'), faults.hasTableFaults('write')]).toEqual([false, true]);
      expect(write).toEqual({
        delayMs: 0,
        failure: {
          errorCode: 'ProvisionedThroughputExceededException',
          statusCode: 400,
          errorMessage: expect.stringContaining('provisioned throughput'),
        },
        droppedTables: [],
      });
      expect(batch).toEqual(write);
      expect([otherTable, read]).toEqual([undefined, undefined]);
      expect(faults.get(id)).toMatchObject({ matched: 2, injected: 2, resolvedTargets: [replicaA] });
    });

    it('answers InternalServerError (500) by default, and the message given', () => {
      // Prepare
      const faults = registry();
      faults.add({
        kind: 'table-read-failure',
        target: { tableName: 'orders' },
        probability: 1,
        maxCount: 1,
      });
      faults.add({
        kind: 'table-read-failure',
        target: { tableName: 'orders' },
        probability: 1,
        errorCode: 'ThrottlingException',
        errorMessage: 'slow down',
      });

      // Act
      const first = faults.tableFault('read', ['orders']);
      const second = faults.tableFault('read', ['orders']);

      // Assess
      expect(first?.failure).toEqual({
        errorCode: 'InternalServerError',
        statusCode: 500,
        errorMessage: 'The server encountered an internal error trying to fulfill the request.',
      });
      expect(second?.failure).toEqual({
        errorCode: 'ThrottlingException',
        statusCode: 400,
        errorMessage: 'slow down',
      });
    });

    it('drops the writes to the struck tables only, as the seed decides', () => {
      // Prepare
      const seed = 17;
      const faults = registry();
      faults.add({
        kind: 'table-write-drop',
        target: { tableNameContains: 'ReplicaA' },
        probability: 0.5,
        seed,
      });
      const replay = new SeededRandom(seed);

      // Act
      const decisions = Array.from({ length: 20 }, () => faults.tableFault('write', [replicaA, replicaB]));

      // Assess
      expect(decisions).toEqual(
        decisions.map(() => (replay.chance(0.5) ? { delayMs: 0, droppedTables: [replicaA] } : undefined)),
      );
      expect(decisions.some((decision) => decision === undefined)).toBe(true);
      expect(faults.tableFault('read', [replicaA])).toBeUndefined();
    });

    it('delays reads by a fixed latency or a seeded draw, adding up, before a failure ends it', () => {
      // Prepare
      const seed = 5;
      const faults = registry();
      faults.add({
        kind: 'table-read-delay',
        target: { tableName: replicaB },
        probability: 1,
        latencyMs: 100,
      });
      faults.add({
        kind: 'table-read-delay',
        target: { tableNameContains: 'Replica' },
        probability: 1,
        seed,
        minDelayMs: 10,
        maxDelayMs: 50,
      });
      faults.add({
        kind: 'table-read-failure',
        target: { tableName: replicaB },
        probability: 1,
        maxCount: 1,
      });
      const replay = new SeededRandom(seed);
      // One draw decides whether it strikes (always, at probability 1), the next how long it waits.
      const expectedDraws = [1, 2, 3].map(() => {
        replay.next();
        return 10 + Math.floor(replay.next() * 41);
      });

      // Act
      const failed = faults.tableFault('read', [replicaB]);
      const slowed = faults.tableFault('read', [replicaB]);
      const onlyDrawn = faults.tableFault('read', [replicaA]);

      // Assess
      expect(failed).toEqual({
        delayMs: 100 + (expectedDraws[0] ?? 0),
        failure: expect.objectContaining({ errorCode: 'InternalServerError' }),
        droppedTables: [],
      });
      expect(slowed).toEqual({ delayMs: 100 + (expectedDraws[1] ?? 0), droppedTables: [] });
      expect(onlyDrawn).toEqual({ delayMs: expectedDraws[2], droppedTables: [] });
      for (const draw of expectedDraws) expect(draw).toBeGreaterThanOrEqual(10);
    });
  });

  describe('the time window (durationMs)', () => {
    it('stops injecting once its window has passed, on the registry’s clock, and shows it expired', () => {
      // Prepare
      let nowMs = Date.parse('2026-01-02T03:04:05.000Z');
      const faults = new FaultRegistry({ catalogue, now: () => new Date(nowMs) });
      const { id } = faults.add({
        kind: 'table-write-failure',
        target: { tableName: 'orders' },
        probability: 1,
        durationMs: 1_000,
      });

      // Act
      const before = faults.tableFault('write', ['orders']);
      nowMs += 999;
      const justBefore = faults.tableFault('write', ['orders']);
      const viewWhileOn = faults.get(id);
      nowMs += 1;
      const atTheEnd = faults.tableFault('write', ['orders']);
      const hasFaultsAfter = faults.hasTableFaults('write');

      // Assess
      expect(before?.failure).toBeDefined();
      expect(justBefore?.failure).toBeDefined();
      expect(viewWhileOn).toMatchObject({
        exhausted: false,
        expired: false,
        expiresAt: '2026-01-02T03:04:06.000Z',
      });
      expect(atTheEnd).toBeUndefined();
      expect(hasFaultsAfter).toBe(false);
      expect(faults.get(id)).toMatchObject({ matched: 2, injected: 2, exhausted: true, expired: true });
    });

    it('applies to the existing kinds too, and a fault without one shows no expiry', () => {
      // Prepare
      let nowMs = 0;
      const faults = new FaultRegistry({ catalogue, now: () => new Date(nowMs) });
      const windowed = faults.add({
        kind: 'function-timeout',
        target: { name: 'payments' },
        probability: 1,
        durationMs: 50,
      });
      const lasting = faults.add({ kind: 'put-events-failure', probability: 1 });

      // Act
      const inWindow = faults.invocationFault('payments');
      nowMs = 50;
      const afterWindow = faults.invocationFault('payments');
      const putEvents = faults.putEventsEntryFault(entry);

      // Assess
      expect(inWindow).toEqual({ latencyMs: 0, failure: 'timeout' });
      expect(afterWindow).toBeUndefined();
      expect(putEvents).toBeDefined();
      expect(faults.get(windowed.id)).toMatchObject({ exhausted: true, expired: true });
      expect(faults.get(lasting.id)).not.toHaveProperty('expiresAt');
      expect(faults.get(lasting.id)).toMatchObject({ exhausted: false });
    });
  });

  describe('api-unavailable', () => {
    it('names the stages it takes down, and refuses a stage the API does not have', () => {
      // Prepare
      const faults = registry();

      // Act
      const everyStage = faults.add({
        kind: 'api-unavailable',
        target: { apiNameContains: 'orders-' },
        probability: 1,
      });
      const oneStage = faults.add({
        kind: 'api-unavailable',
        target: { apiId: 'green2', stageName: 'test' },
        probability: 1,
      });
      const refusal = (() => {
        try {
          return faults.add({
            kind: 'api-unavailable',
            target: { apiName: 'orders-blue', stageName: 'test' },
            probability: 1,
          });
        } catch (error) {
          return error;
        }
      })();

      // Assess
      expect(everyStage.resolvedTargets).toEqual([
        'orders-blue (blue1) stage prod',
        'orders-green (green2) stage prod',
        'orders-green (green2) stage test',
      ]);
      expect(oneStage.resolvedTargets).toEqual(['orders-green (green2) stage test']);
      expect(refusal).toBeInstanceOf(UnknownFaultTargetError);
    });

    it('takes a share of the requests down, as the seed decides', () => {
      // Prepare
      const seed = 8;
      const faults = registry();
      const { id } = faults.add({
        kind: 'api-unavailable',
        target: { apiName: 'orders-blue' },
        probability: 0.25,
        seed,
      });
      const replay = new SeededRandom(seed);
      const blue = { apiId: 'blue1', apiName: 'orders-blue', stageName: 'prod' };

      // Act
      const decisions = Array.from({ length: 40 }, () => faults.apiUnavailability(blue));
      const green = faults.apiUnavailability({ apiId: 'green2', apiName: 'orders-green', stageName: 'prod' });

      // Assess
      expect(decisions.map((decision) => decision !== undefined)).toEqual(
        decisions.map(() => replay.chance(0.25)),
      );
      expect(decisions.find((decision) => decision !== undefined)).toBe(`api-unavailable fault ${id}`);
      expect(green).toBeUndefined();
    });
  });
});
