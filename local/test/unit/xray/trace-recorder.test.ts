import { parseTraceHeader } from '../../../src/xray/trace-header';
import { StoreTraceRecorder } from '../../../src/xray/trace-recorder';
import { TraceStore } from '../../../src/xray/trace-store';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const CALLER = '53995c3f42cd8ad8';

describe('StoreTraceRecorder', () => {
  let store: TraceStore;
  let recorder: StoreTraceRecorder;

  beforeEach(() => {
    store = new TraceStore();
    recorder = new StoreTraceRecorder(store);
  });

  it("continues the caller's trace under its Parent and hands on itself as Parent", () => {
    // Act
    const segment = recorder.startSegment({
      name: 'shop/prod',
      origin: 'AWS::ApiGateway::Stage',
      traceHeader: `Root=${ROOT};Parent=${CALLER};Sampled=1`,
    });

    // Assess
    expect(segment).toMatchObject({ traceId: ROOT, sampled: true });
    expect(segment.traceHeader).toBe(`Root=${ROOT};Parent=${segment.id};Sampled=1`);
    expect(store.trace(ROOT)).toEqual([
      expect.objectContaining({
        id: segment.id,
        parent_id: CALLER,
        name: 'shop/prod',
        origin: 'AWS::ApiGateway::Stage',
        in_progress: true,
      }),
    ]);
  });

  it('stores the segment in progress, then complete with its outcome, once', () => {
    // Prepare
    const segment = recorder.startSegment({
      name: 'shop/prod',
      startTime: 1_000_000,
      http: { request: { method: 'GET', url: 'http://127.0.0.1/orders' } },
    });

    // Act
    segment.end({ fault: true, http: { response: { status: 502 } }, endTime: 1_000_250 });
    segment.end({ error: true, endTime: 2_000_000 });

    // Assess
    const documents = store.trace(segment.traceId);
    expect(documents).toHaveLength(1);
    expect(documents[0]).toEqual({
      id: segment.id,
      trace_id: segment.traceId,
      name: 'shop/prod',
      start_time: 1000,
      end_time: 1000.25,
      fault: true,
      http: { request: { method: 'GET', url: 'http://127.0.0.1/orders' }, response: { status: 502 } },
    });
  });

  it('starts a new trace when the caller sends no Root', () => {
    // Act
    const segment = recorder.startSegment({ name: 'relay', traceHeader: 'Sampled=1' });

    // Assess
    expect(segment.traceId).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(store.trace(segment.traceId)[0]?.parent_id).toBeUndefined();
  });

  it("records nothing for a caller's Sampled=0 and passes its header on", () => {
    // Act
    const segment = recorder.startSegment({
      name: 'orders',
      traceHeader: `Root=${ROOT};Parent=${CALLER};Sampled=0`,
    });
    const call = segment.startSubsegment({ name: 'DynamoDB' });
    call.end();
    segment.end();

    // Assess
    expect(segment.sampled).toBe(false);
    expect(segment.traceHeader).toBe(`Root=${ROOT};Parent=${CALLER};Sampled=0`);
    expect(store.all()).toEqual([]);
  });

  it('samples an undecided request unless told to leave the decision to the caller', () => {
    // Act
    const sampled = recorder.startSegment({ name: 'a', traceHeader: `Root=${ROOT}` });
    const passedThrough = recorder.startSegment({
      name: 'b',
      traceHeader: `Root=${ROOT}`,
      sampleWhenUndecided: false,
    });

    // Assess
    expect(sampled.sampled).toBe(true);
    expect(passedThrough.sampled).toBe(false);
    expect(passedThrough.traceHeader).toBe(`Root=${ROOT}`);
    expect(store.all().map((document) => document.name)).toEqual(['a']);
  });

  it('records subsegments on their own, under their segment, with throttling as an error', () => {
    // Prepare
    const segment = recorder.startSegment({ name: 'orders', traceHeader: `Root=${ROOT}` });

    // Act
    const call = segment.startSubsegment({ name: 'Lambda', namespace: 'aws', aws: { operation: 'Invoke' } });
    call.end({ throttle: true, http: { response: { status: 429 } } });

    // Assess
    expect(parseTraceHeader(call.traceHeader)).toEqual({ root: ROOT, parent: call.id, sampled: true });
    expect(store.trace(ROOT).find((document) => document.id === call.id)).toMatchObject({
      type: 'subsegment',
      parent_id: segment.id,
      namespace: 'aws',
      aws: { operation: 'Invoke' },
      throttle: true,
      error: true,
    });
  });
});
