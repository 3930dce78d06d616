import {
  EventBridgeEngine,
  type DeadLetterContext,
  type DeliveryRecord,
  type Target,
  type TargetDispatcher,
} from '../../../src/eventbridge/event-bus';
import { FaultRegistry } from '../../../src/faults/fault-registry';
import { FaultingTargetDispatcher, ruleOfArn } from '../../../src/faults/faulting-target-dispatcher';
import { eventually } from '../lambda/handler-bundles';

const SHIPPING = 'arn:aws:lambda:us-east-1:000000000000:function:shipping';
const AUDIT = 'arn:aws:sqs:us-east-1:000000000000:audit';
const DLQ = 'arn:aws:sqs:us-east-1:000000000000:placed-dlq';

/** The real dispatcher's stand-in: records what reaches it. */
class RecordingDispatcher implements TargetDispatcher {
  readonly delivered: Target[] = [];
  readonly deadLetters: DeadLetterContext[] = [];

  async deliver(target: Target): Promise<void> {
    this.delivered.push(target);
  }

  async deliverToDeadLetter(_arn: string, _eventJson: string, context: DeadLetterContext): Promise<void> {
    this.deadLetters.push(context);
  }
}

let inner: RecordingDispatcher;
let faults: FaultRegistry;
let engine: EventBridgeEngine;

beforeEach(() => {
  inner = new RecordingDispatcher();
  faults = new FaultRegistry();
  engine = new EventBridgeEngine({
    dispatcher: new FaultingTargetDispatcher(inner, faults),
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 4,
  });
  engine.createBus('orders');
  engine.putRule({ name: 'placed', busName: 'orders', eventPattern: { source: ['shop'] } });
  engine.putTargets('placed', 'orders', [
    { id: 'shipping', arn: SHIPPING, retryPolicy: { maximumRetryAttempts: 2 }, deadLetterArn: DLQ },
    { id: 'audit', arn: AUDIT },
  ]);
});

afterEach(() => engine.close());

const put = () =>
  engine.putEvents({
    Entries: [{ EventBusName: 'orders', Source: 'shop', DetailType: 'Placed', Detail: '{}' }],
  });

const settled = (targetId: string): Promise<DeliveryRecord | undefined> =>
  eventually(
    () => engine.deliveries().find((record) => record.targetId === targetId),
    (record) => record !== undefined && record.outcome !== 'in-flight',
  );

describe('FaultingTargetDispatcher', () => {
  it('fails the chosen target until the fault is spent; the retry policy then delivers', async () => {
    // Prepare
    faults.add({ kind: 'target-failure', target: { targetId: 'shipping' }, probability: 1, maxCount: 2 });

    // Act
    await put();
    const shipping = await settled('shipping');
    const audit = await settled('audit');

    // Assess
    expect(shipping).toMatchObject({ outcome: 'delivered', attempts: 3, errorCode: 'SDK_CLIENT_ERROR' });
    expect(audit).toMatchObject({ outcome: 'delivered', attempts: 1 });
    expect(inner.delivered.map((target) => target.id).sort()).toEqual(['audit', 'shipping']);
  });

  it('dead-letters the event once the retries are used up', async () => {
    // Prepare
    faults.add({
      kind: 'target-failure',
      target: { ruleName: 'placed', busName: 'orders', targetArnContains: 'shipping' },
      probability: 1,
      errorMessage: 'shipping is down',
    });

    // Act
    await put();
    const shipping = await settled('shipping');

    // Assess
    expect(shipping).toMatchObject({ outcome: 'dead-lettered', attempts: 3 });
    expect(inner.deadLetters).toEqual([
      expect.objectContaining({
        errorCode: 'SDK_CLIENT_ERROR',
        errorMessage: 'shipping is down',
        targetArn: SHIPPING,
        retryAttempts: 2,
        exhaustedRetryCondition: 'MaximumRetryAttempts',
      }),
    ]);
    expect(inner.delivered.map((target) => target.id)).toEqual(['audit']);
  });

  it('dead-letters at once a failure that is not retryable', async () => {
    // Prepare
    faults.add({
      kind: 'target-failure',
      target: { targetId: 'shipping' },
      probability: 1,
      errorCode: 'NO_PERMISSIONS',
      retryable: false,
    });

    // Act
    await put();
    const shipping = await settled('shipping');

    // Assess
    expect(shipping).toMatchObject({ outcome: 'dead-lettered', attempts: 1, errorCode: 'NO_PERMISSIONS' });
  });

  it('reads the bus and rule from rule ARNs of the default and of other buses', () => {
    // Act
    const onDefault = ruleOfArn('arn:aws:events:us-east-1:000000000000:rule/placed');
    const onOrders = ruleOfArn('arn:aws:events:us-east-1:000000000000:rule/orders/placed');

    // Assess
    expect(onDefault).toEqual({ busName: 'default', ruleName: 'placed' });
    expect(onOrders).toEqual({ busName: 'orders', ruleName: 'placed' });
  });
});

describe('delivery chaos', () => {
  /** Records the order events reach each target, by the `n` in their detail. */
  class OrderRecorder implements TargetDispatcher {
    readonly received: { targetId: string; n: number }[] = [];

    async deliver(target: Target, input: string): Promise<void> {
      const event = JSON.parse(input) as { detail: { n: number } };
      this.received.push({ targetId: target.id, n: event.detail.n });
    }

    async deliverToDeadLetter(): Promise<void> {
      throw new Error('nothing is dead-lettered here');
    }
  }

  let recorder: OrderRecorder;
  let chaos: EventBridgeEngine;

  beforeEach(() => {
    jest.useFakeTimers();
    recorder = new OrderRecorder();
    chaos = new EventBridgeEngine({ dispatcher: new FaultingTargetDispatcher(recorder, faults) });
    chaos.createBus('orders');
    chaos.putRule({ name: 'placed', busName: 'orders', eventPattern: { source: ['shop'] } });
    chaos.putTargets('placed', 'orders', [
      { id: 'shipping', arn: SHIPPING },
      { id: 'audit', arn: AUDIT },
    ]);
  });

  afterEach(() => {
    chaos.close();
    jest.useRealTimers();
  });

  const send = async (n: number): Promise<void> => {
    await chaos.putEvents({
      Entries: [
        { EventBusName: 'orders', Source: 'shop', DetailType: 'Placed', Detail: JSON.stringify({ n }) },
      ],
    });
    await jest.advanceTimersByTimeAsync(0);
  };
  const to = (targetId: string): number[] =>
    recorder.received.filter((delivery) => delivery.targetId === targetId).map((delivery) => delivery.n);

  it('duplicates the chosen target’s deliveries, the others once', async () => {
    // Prepare
    faults.add({ kind: 'delivery-duplicate', target: { targetId: 'audit' }, probability: 1, copies: 2 });

    // Act
    await send(1);

    // Assess
    expect(to('audit')).toEqual([1, 1, 1]);
    expect(to('shipping')).toEqual([1]);
  });

  it('delays a delivery by a seeded draw within the range', async () => {
    // Prepare
    faults.add({
      kind: 'delivery-delay',
      target: { targetId: 'audit' },
      probability: 1,
      minDelayMs: 1_000,
      maxDelayMs: 2_000,
    });

    // Act
    await send(1);
    const atOnce = to('audit');
    await jest.advanceTimersByTimeAsync(999);
    const beforeTheRange = to('audit');
    await jest.advanceTimersByTimeAsync(1_001);

    // Assess
    expect([atOnce, beforeTheRange]).toEqual([[], []]);
    expect(to('audit')).toEqual([1]);
    expect(to('shipping')).toEqual([1]);
  });

  it('holds a delivery until a later one went through, so the target sees them out of order', async () => {
    // Prepare: the first delivery to audit is held
    faults.add({ kind: 'delivery-reorder', target: { targetId: 'audit' }, probability: 1, maxCount: 1 });

    // Act
    await send(1);
    await send(2);
    await send(3);

    // Assess
    expect(to('audit').slice(0, 2)).toEqual([2, 1]);
    expect(to('audit').sort()).toEqual([1, 2, 3]);
    expect(to('shipping')).toEqual([1, 2, 3]);
  });

  it('releases a held delivery after maxHoldMs when nothing else comes', async () => {
    // Prepare
    faults.add({ kind: 'delivery-reorder', target: { targetId: 'audit' }, probability: 1, maxHoldMs: 5_000 });

    // Act
    await send(1);
    const held = to('audit');
    await jest.advanceTimersByTimeAsync(5_000);

    // Assess
    expect(held).toEqual([]);
    expect(to('audit')).toEqual([1]);
  });
});
