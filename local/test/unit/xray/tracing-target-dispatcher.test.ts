import {
  EventBridgeEngine,
  TargetDeliveryError,
  type DeadLetterContext,
  type DeliveryContext,
  type Target,
  type TargetDispatcher,
} from '../../../src/eventbridge/event-bus';
import { parseTraceHeader } from '../../../src/xray/trace-header';
import { StoreTraceRecorder } from '../../../src/xray/trace-recorder';
import { TraceStore } from '../../../src/xray/trace-store';
import { TracingTargetDispatcher } from '../../../src/xray/tracing-target-dispatcher';
import { eventually } from '../../../src/testing/eventually';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const PUT_EVENTS_CALL = '53995c3f42cd8ad8';
const TARGET_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:recorder';

class RecordingDispatcher implements TargetDispatcher {
  readonly deliveries: { target: Target; context: DeliveryContext }[] = [];
  fail = false;

  async deliver(target: Target, _input: string, context: DeliveryContext): Promise<void> {
    this.deliveries.push({ target, context });
    if (this.fail) throw new TargetDeliveryError('ThrottlingException', 'Rate exceeded');
  }

  async deliverToDeadLetter(_arn: string, _eventJson: string, _context: DeadLetterContext): Promise<void> {}
}

describe('TracingTargetDispatcher', () => {
  let store: TraceStore;
  let inner: RecordingDispatcher;
  let engine: EventBridgeEngine;

  const putOrder = (traceHeader: string | undefined, entryHeader?: string) =>
    engine.putEvents(
      {
        Entries: [
          {
            EventBusName: 'shop',
            Source: 'orders',
            DetailType: 'OrderPlaced',
            Detail: '{"orderId":"o-1"}',
            ...(entryHeader === undefined ? {} : { TraceHeader: entryHeader }),
          },
        ],
      },
      traceHeader === undefined ? {} : { traceHeader },
    );

  beforeEach(() => {
    store = new TraceStore();
    inner = new RecordingDispatcher();
    engine = new EventBridgeEngine({
      dispatcher: new TracingTargetDispatcher(inner, new StoreTraceRecorder(store)),
      retryBaseDelayMs: 1,
    });
    engine.createBus('shop');
    engine.putRule({ name: 'placed', busName: 'shop', eventPattern: { source: ['orders'] } });
    engine.putTargets('placed', 'shop', [
      { id: 'recorder', arn: TARGET_ARN, retryPolicy: { maximumRetryAttempts: 0 } },
    ]);
  });

  afterEach(() => engine.close());

  it("records the delivery under the caller's PutEvents and hands the target itself as Parent", async () => {
    // Act
    const result = await putOrder(`Root=${ROOT};Parent=${PUT_EVENTS_CALL};Sampled=1`);

    // Assess
    const [delivery] = await eventually(async () => (inner.deliveries.length ? inner.deliveries : undefined));
    const [segment] = store.trace(ROOT);
    expect(segment).toMatchObject({
      name: 'shop',
      origin: 'AWS::Events',
      parent_id: PUT_EVENTS_CALL,
      aws: { rule_name: 'placed', target_arn: TARGET_ARN, event_id: result.Entries[0]?.EventId },
    });
    expect(segment?.end_time).toBeDefined();
    expect(parseTraceHeader(delivery?.context.traceHeader)).toEqual({
      root: ROOT,
      parent: segment?.id,
      sampled: true,
    });
  });

  it("prefers the entry's TraceHeader over the request's", async () => {
    // Prepare
    const entryRoot = '1-5759e988-000000000000000000000001';

    // Act
    await putOrder(`Root=${ROOT};Parent=${PUT_EVENTS_CALL};Sampled=1`, `Root=${entryRoot};Sampled=1`);

    // Assess
    await eventually(async () => (inner.deliveries.length ? true : undefined));
    expect(store.trace(entryRoot)).toHaveLength(1);
    expect(store.trace(ROOT)).toEqual([]);
  });

  it('starts no trace for an untraced event and passes an unsampled one on unrecorded', async () => {
    // Act
    await putOrder(undefined);
    await putOrder(`Root=${ROOT};Parent=${PUT_EVENTS_CALL};Sampled=0`);

    // Assess
    const deliveries = await eventually(async () =>
      inner.deliveries.length === 2 ? inner.deliveries : undefined,
    );
    expect(deliveries.map((delivery) => delivery.context.traceHeader)).toEqual([
      undefined,
      `Root=${ROOT};Parent=${PUT_EVENTS_CALL};Sampled=0`,
    ]);
    expect(store.all()).toEqual([]);
  });

  it('marks a failed delivery attempt as a fault with its error code', async () => {
    // Prepare
    inner.fail = true;

    // Act
    await putOrder(`Root=${ROOT};Parent=${PUT_EVENTS_CALL};Sampled=1`);

    // Assess
    const segment = await eventually(async () => store.trace(ROOT).find((document) => document.end_time));
    expect(segment).toMatchObject({
      fault: true,
      cause: {
        exceptions: [expect.objectContaining({ type: 'ThrottlingException', message: 'Rate exceeded' })],
      },
    });
  });
});
