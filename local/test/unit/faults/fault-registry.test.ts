import {
  FaultRegistry,
  UnknownFaultTargetError,
  type FaultCatalogue,
  type PutEventsEntryRef,
} from '../../../src/faults/fault-registry';
import type { FaultSpec } from '../../../src/faults/fault-schema';
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
});
