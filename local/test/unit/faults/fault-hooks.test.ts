import type { StageOutageCheck } from '../../../src/apigateway/rest-api-server';
import { EventBridgeEngine } from '../../../src/eventbridge/event-bus';
import { installFaultHooks } from '../../../src/faults/fault-hooks';
import { FaultRegistry } from '../../../src/faults/fault-registry';
import { LambdaService } from '../../../src/lambda/lambda-service';
import { eventually, writeHandlerBundles, type HandlerBundles } from '../lambda/handler-bundles';

let bundles: HandlerBundles;
let lambda: LambdaService;
let eventBridge: EventBridgeEngine;
let faults: FaultRegistry;
let outageCheck: StageOutageCheck = () => undefined;

beforeAll(() => {
  bundles = writeHandlerBundles();
  lambda = new LambdaService({ onLog: () => undefined, asyncRetryBaseDelayMs: 10 });
  lambda.register({ name: 'echo', codeDir: bundles.codeDir, handler: 'index.echo', timeoutSeconds: 1 });
  eventBridge = new EventBridgeEngine({
    dispatcher: { deliver: async () => undefined, deliverToDeadLetter: async () => undefined },
  });
  eventBridge.createBus('orders');
  faults = new FaultRegistry();
  installFaultHooks(faults, {
    lambda,
    eventBridge,
    restApis: { setOutageCheck: (check) => void (outageCheck = check) },
  });
});

afterEach(() => faults.clear());

afterAll(async () => {
  eventBridge?.close();
  await lambda?.close();
  bundles?.remove();
});

const recordsOf = (requestIds: ReadonlySet<string>) =>
  lambda.invocations().filter((record) => requestIds.has(record.requestId));

describe('installFaultHooks', () => {
  it('times an invocation out as the function timeout would, then lets the next one run', async () => {
    // Prepare
    faults.add({ kind: 'function-timeout', target: { name: 'echo' }, probability: 1, maxCount: 1 });
    const before = lambda.invocations().length;

    // Act
    const started = Date.now();
    const timedOut = await lambda.invokeRaw('echo', '{"n":1}', { n: 1 }, { trigger: 'test' });
    const elapsedMs = Date.now() - started;
    const next = await lambda.invoke('echo', { n: 2 }, { trigger: 'test' });

    // Assess
    expect(elapsedMs).toBeGreaterThanOrEqual(950);
    expect(timedOut.functionError).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${timedOut.requestId} Error: Task timed out after 1.00 seconds`,
    });
    expect(JSON.parse(timedOut.payloadJson)).toEqual(timedOut.functionError);
    expect(next.functionError).toBeUndefined();
    expect(lambda.invocations().slice(before)).toEqual([
      expect.objectContaining({ requestId: timedOut.requestId, outcome: 'timeout', durationMs: 1000 }),
      expect.objectContaining({ outcome: 'success' }),
    ]);
  });

  it('adds latency before the handler, then throws the chosen error when both are set', async () => {
    // Prepare
    faults.add({ kind: 'function-latency', target: { name: 'echo' }, probability: 1, latencyMs: 200 });
    faults.add({
      kind: 'function-error',
      target: { name: 'echo' },
      probability: 1,
      maxCount: 1,
      errorType: 'ChaosError',
      errorMessage: 'injected',
    });

    // Act
    const started = Date.now();
    const failed = await lambda.invoke('echo', {}, { trigger: 'test' });
    const failedMs = Date.now() - started;
    const slowed = await lambda.invoke('echo', { n: 3 }, { trigger: 'test' });
    const totalMs = Date.now() - started;

    // Assess
    expect(failed).toEqual({
      payload: { errorType: 'ChaosError', errorMessage: 'injected' },
      functionError: { errorType: 'ChaosError', errorMessage: 'injected' },
    });
    expect(failedMs).toBeGreaterThanOrEqual(190);
    expect(slowed.functionError).toBeUndefined();
    expect(totalMs).toBeGreaterThanOrEqual(390);
  });

  it('fails asynchronous attempts so that Lambda’s async retries engage', async () => {
    // Prepare
    faults.add({ kind: 'function-error', target: { name: 'echo' }, probability: 1, maxCount: 2 });

    // Act
    const requestId = lambda.invokeAsyncRaw('echo', '{}', {}, { trigger: 'async-test' });
    const attempts = await eventually(
      () => recordsOf(new Set([requestId])),
      (records) => records.length === 3,
    );

    // Assess
    expect(attempts.map((record) => record.outcome)).toEqual(['error', 'error', 'success']);
    expect(attempts[0]?.errorType).toBe('InjectedFault');
  });

  it('fails PutEvents entries on the chosen bus, named or given by ARN, and no others', async () => {
    // Prepare
    faults.add({ kind: 'put-events-failure', target: { busName: 'orders' }, probability: 1 });
    const entry = { Source: 'shop', DetailType: 'Placed', Detail: '{}' };

    // Act
    const result = await eventBridge.putEvents({
      Entries: [
        { ...entry, EventBusName: 'orders' },
        { ...entry, EventBusName: 'arn:aws:events:us-east-1:000000000000:event-bus/orders' },
        { ...entry, EventBusName: 'default' },
      ],
    });

    // Assess
    expect(result.FailedEntryCount).toBe(2);
    expect(result.Entries.map((e) => e.ErrorCode)).toEqual(['InternalFailure', 'InternalFailure', undefined]);
    expect(result.Entries[2]?.EventId).toEqual(expect.any(String));
  });

  it('takes down the stages an api-unavailable fault names, and no others', () => {
    // Prepare
    const { id } = faults.add({
      kind: 'api-unavailable',
      target: { apiNameContains: 'orders', stageName: 'prod' },
      probability: 1,
    });

    // Act
    const down = outageCheck({ apiId: 'a1', apiName: 'orders-blue', stageName: 'prod' });
    const otherStage = outageCheck({ apiId: 'a1', apiName: 'orders-blue', stageName: 'test' });
    const otherApi = outageCheck({ apiId: 'b2', apiName: 'payments', stageName: 'prod' });

    // Assess
    expect(down).toBe(`api-unavailable fault ${id}`);
    expect([otherStage, otherApi]).toEqual([undefined, undefined]);
    expect(faults.get(id)).toMatchObject({ matched: 1, injected: 1 });
  });

  it('changes nothing when no fault is set', async () => {
    // Act
    const result = await lambda.invoke('echo', { n: 4 }, { trigger: 'test' });
    const put = await eventBridge.putEvents({
      Entries: [{ EventBusName: 'orders', Source: 'shop', DetailType: 'Placed', Detail: '{}' }],
    });

    // Assess
    expect(result.functionError).toBeUndefined();
    expect(put.FailedEntryCount).toBe(0);
    expect(outageCheck({ apiId: 'a1', apiName: 'orders', stageName: 'prod' })).toBeUndefined();
  });
});
