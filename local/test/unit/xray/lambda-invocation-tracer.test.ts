import { LambdaInvocationTracer } from '../../../src/xray/lambda-invocation-tracer';
import { parseTraceHeader } from '../../../src/xray/trace-header';
import { StoreTraceRecorder } from '../../../src/xray/trace-recorder';
import { TraceStore } from '../../../src/xray/trace-store';
import { buildTraceTree, type TraceNode } from '../../../src/xray/trace-tree';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const CALLER = '53995c3f42cd8ad8';
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:orders';

const start = (traceHeader: string | undefined, tracingMode: 'Active' | 'PassThrough' = 'Active') => ({
  functionName: 'orders',
  functionArn: FUNCTION_ARN,
  requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
  tracingMode,
  ...(traceHeader === undefined ? {} : { traceHeader }),
});

const names = (node: TraceNode | undefined): unknown =>
  node && { [`${node.origin ?? ''} ${node.name}`]: node.children.map(names) };

describe('LambdaInvocationTracer', () => {
  let store: TraceStore;
  let tracer: LambdaInvocationTracer;

  beforeEach(() => {
    store = new TraceStore();
    tracer = new LambdaInvocationTracer(new StoreTraceRecorder(store));
  });

  it("records the service and function segments under the caller, the function's id as the handler's Parent", () => {
    // Act
    const trace = tracer.begin(start(`Root=${ROOT};Parent=${CALLER};Sampled=1`));
    trace.end({ cold: true, initDurationMs: 120, durationMs: 30 });

    // Assess
    const header = parseTraceHeader(trace.functionTraceHeader);
    expect(header).toMatchObject({ root: ROOT, sampled: true });
    const [service] = buildTraceTree(store.trace(ROOT));
    expect(service).toMatchObject({ origin: 'AWS::Lambda', parent_id: CALLER, resource_arn: FUNCTION_ARN });
    expect(service?.children[0]).toMatchObject({ id: header.parent, origin: 'AWS::Lambda::Function' });
    expect(names(service)).toEqual({
      'AWS::Lambda orders': [
        { 'AWS::Lambda::Function orders': [{ ' Initialization': [] }, { ' Invocation': [] }] },
      ],
    });
    expect(store.all().some((document) => document.in_progress === true)).toBe(false);
  });

  it('starts a trace for an Active function called without a header (DynamoDB Streams)', () => {
    // Act
    const trace = tracer.begin(start(undefined));
    trace.end({ durationMs: 5 });

    // Assess
    const header = parseTraceHeader(trace.functionTraceHeader);
    const [service] = buildTraceTree(store.trace(header.root ?? ''));
    expect(service).toMatchObject({ origin: 'AWS::Lambda' });
    expect(service?.parent_id).toBeUndefined();
    expect(names(service)).toEqual({
      'AWS::Lambda orders': [{ 'AWS::Lambda::Function orders': [{ ' Invocation': [] }] }],
    });
  });

  it('records nothing for a PassThrough function the caller did not sample, yet hands on a full header', () => {
    // Act
    const traces = [
      tracer.begin(start(undefined, 'PassThrough')),
      tracer.begin(start(`Root=${ROOT}`, 'PassThrough')),
      tracer.begin(start(`Root=${ROOT};Parent=${CALLER};Sampled=0`, 'Active')),
    ];
    traces.forEach((trace) => trace.end({ durationMs: 1 }));

    // Assess
    expect(store.all()).toEqual([]);
    for (const trace of traces) {
      expect(trace.functionTraceHeader).toMatch(
        /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/,
      );
    }
    expect(parseTraceHeader(traces[1]?.functionTraceHeader).root).toBe(ROOT);
  });

  it('records a PassThrough function the caller sampled', () => {
    // Act
    tracer.begin(start(`Root=${ROOT};Parent=${CALLER};Sampled=1`, 'PassThrough')).end({ durationMs: 1 });

    // Assess
    expect(store.trace(ROOT).map((document) => document.origin)).toEqual(
      expect.arrayContaining(['AWS::Lambda', 'AWS::Lambda::Function']),
    );
  });

  it('marks a function error as a fault of the function, with its cause', () => {
    // Act
    const trace = tracer.begin(start(`Root=${ROOT};Sampled=1`));
    trace.end({
      durationMs: 3,
      error: { errorType: 'OrderRejectedError', errorMessage: 'order 42 was rejected' },
    });

    // Assess
    const documents = store.trace(ROOT);
    expect(documents.find((document) => document.origin === 'AWS::Lambda::Function')).toMatchObject({
      fault: true,
      cause: {
        exceptions: [
          expect.objectContaining({ type: 'OrderRejectedError', message: 'order 42 was rejected' }),
        ],
      },
    });
    expect(documents.find((document) => document.origin === 'AWS::Lambda')?.fault).toBeUndefined();
  });

  it('records a throttled attempt as the service segment alone, marked throttled', () => {
    // Act
    tracer.recordThrottle(start(`Root=${ROOT};Parent=${CALLER};Sampled=1`));

    // Assess
    expect(store.trace(ROOT)).toEqual([
      expect.objectContaining({
        origin: 'AWS::Lambda',
        parent_id: CALLER,
        throttle: true,
        error: true,
        http: { response: { status: 429 } },
      }),
    ]);
  });

  it('ends an invocation once: a later end records nothing more', () => {
    // Prepare
    const trace = tracer.begin(start(`Root=${ROOT};Sampled=1`));
    trace.end({ durationMs: 10 });
    const recorded = store.stats().received;

    // Act
    trace.end({ durationMs: 20, error: { errorType: 'Runtime.ExitError', errorMessage: 'shut down' } });

    // Assess
    expect(store.stats().received).toBe(recorded);
    expect(store.trace(ROOT).some((document) => document.fault === true)).toBe(false);
  });
});
