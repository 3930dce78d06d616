import { randomUUID } from 'node:crypto';
import { FunctionThrottledError, FunctionWorkerPool } from '../../../src/lambda/worker-pool';
import { LambdaInvocationTracer } from '../../../src/xray/lambda-invocation-tracer';
import { parseTraceHeader } from '../../../src/xray/trace-header';
import { StoreTraceRecorder } from '../../../src/xray/trace-recorder';
import { TraceStore } from '../../../src/xray/trace-store';
import { writeHandlerBundles, type HandlerBundles } from '../lambda/handler-bundles';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const CALLER = '53995c3f42cd8ad8';

let bundles: HandlerBundles;
const pools: FunctionWorkerPool[] = [];
let store: TraceStore;

const startPool = (handler: string, reservedConcurrency?: number): FunctionWorkerPool => {
  const pool = new FunctionWorkerPool({
    name: 'orders-fn',
    arn: 'arn:aws:lambda:us-east-1:000000000000:function:orders-fn',
    codeDir: bundles.codeDir,
    handler,
    env: {},
    tracer: new LambdaInvocationTracer(new StoreTraceRecorder(store)),
    tracingMode: 'Active',
    ...(reservedConcurrency === undefined ? {} : { reservedConcurrency }),
  });
  pools.push(pool);
  return pool;
};

beforeAll(() => {
  bundles = writeHandlerBundles();
});

beforeEach(() => {
  store = new TraceStore();
});

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.close()));
  bundles.remove();
});

describe('a traced worker pool', () => {
  it("gives the handler the function segment's id as the Parent of _X_AMZN_TRACE_ID", async () => {
    // Prepare
    const pool = startPool('index.inspect');

    // Act
    const result = await pool.invoke('{"envKeys":["_X_AMZN_TRACE_ID"]}', {
      requestId: randomUUID(),
      trigger: 'test',
      traceId: `Root=${ROOT};Parent=${CALLER};Sampled=1`,
    });

    // Assess
    const { env } = JSON.parse(result.payloadJson) as { env: { _X_AMZN_TRACE_ID: string } };
    const header = parseTraceHeader(env._X_AMZN_TRACE_ID);
    const documents = store.trace(ROOT);
    const service = documents.find((document) => document.origin === 'AWS::Lambda');
    const fn = documents.find((document) => document.origin === 'AWS::Lambda::Function');
    expect(header).toEqual({ root: ROOT, parent: fn?.id, sampled: true });
    expect(service?.parent_id).toBe(CALLER);
    expect(fn?.parent_id).toBe(service?.id);
    expect(
      documents.filter((document) => document.parent_id === fn?.id).map((document) => document.name),
    ).toEqual(['Initialization', 'Invocation']);
  });

  it('records a throttled attempt on the service segment, without a function segment', async () => {
    // Prepare
    const pool = startPool('index.slow', 1);
    const running = pool.invoke('{"ms":300}', { requestId: randomUUID(), trigger: 'test' });
    const throttledRoot = '1-5759e988-000000000000000000000001';

    // Act
    const attempt = pool.invoke('{"ms":1}', {
      requestId: randomUUID(),
      trigger: 'test',
      traceId: `Root=${throttledRoot};Parent=${CALLER};Sampled=1`,
    });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(FunctionThrottledError);
    expect(store.trace(throttledRoot)).toEqual([
      expect.objectContaining({ origin: 'AWS::Lambda', throttle: true, http: { response: { status: 429 } } }),
    ]);
    await running;
  });
});
