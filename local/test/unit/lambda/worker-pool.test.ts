import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  FunctionThrottledError,
  FunctionWorkerPool,
  type FunctionWorkerPoolOptions,
  type InvocationRecord,
} from '../../../src/lambda/worker-pool';
import { ConcurrencyPool } from '../../../src/lambda/concurrency-pool';
import { ExecutionScheduler } from '../../../src/lambda/execution-scheduler';
import { eventually, writeHandlerBundles, type HandlerBundles } from './handler-bundles';

let bundles: HandlerBundles;
const pools: FunctionWorkerPool[] = [];

beforeAll(() => {
  bundles = writeHandlerBundles();
});

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.close()));
  bundles.remove();
});

interface PoolHarness {
  readonly pool: FunctionWorkerPool;
  readonly logs: string[];
  readonly records: InvocationRecord[];
}

function startPool(handler: string, options: Partial<FunctionWorkerPoolOptions> = {}): PoolHarness {
  const logs: string[] = [];
  const records: InvocationRecord[] = [];
  const pool = new FunctionWorkerPool({
    name: 'orders-fn',
    arn: 'arn:aws:lambda:us-east-1:000000000000:function:orders-fn',
    codeDir: bundles.codeDir,
    handler,
    env: {},
    onLog: (line) => logs.push(line),
    onInvocationRecord: (record) => records.push(record),
    ...options,
  });
  pools.push(pool);
  return { pool, logs, records };
}

function request(trigger = 'test'): { requestId: string; trigger: string } {
  return { requestId: randomUUID(), trigger };
}

function payloadOf(result: { payloadJson: string }): Record<string, unknown> {
  return JSON.parse(result.payloadJson) as Record<string, unknown>;
}

describe('FunctionWorkerPool', () => {
  it('reuses a warm environment: module state survives between invocations', async () => {
    // Prepare
    const { pool } = startPool('index.echo');

    // Act
    const first = await pool.invoke('{"n":1}', request());
    const second = await pool.invoke('{"n":2}', request());

    // Assess
    expect(first.cold).toBe(true);
    expect(second.cold).toBe(false);
    expect(payloadOf(first)).toMatchObject({ event: { n: 1 }, invocations: 1 });
    expect(payloadOf(second)).toMatchObject({ event: { n: 2 }, invocations: 2 });
    expect(payloadOf(second).instance).toBe(payloadOf(first).instance);
    expect(pool.stats()).toMatchObject({ coldStarts: 1, invocations: 2, idleEnvironments: 1 });
  });

  it('reports cold starts with their init duration', async () => {
    // Prepare
    const { pool, records } = startPool('index.noop');

    // Act
    const result = await pool.invoke('{}', request('api'));

    // Assess
    expect(result.initDurationMs).toBeGreaterThan(0);
    expect(records).toEqual([
      expect.objectContaining({
        requestId: result.requestId,
        functionName: 'orders-fn',
        trigger: 'api',
        cold: true,
        initDurationMs: result.initDurationMs,
        outcome: 'success',
      }),
    ]);
    expect(result.logs.at(-1)).toMatch(
      /^REPORT RequestId: \S+\tDuration: [\d.]+ ms\t.*Init Duration: [\d.]+ ms/,
    );
  });

  it('runs one invocation per environment and reuses the most recently released first', async () => {
    // Prepare
    const { pool } = startPool('index.slow');

    // Act
    const [short, long] = await Promise.all([
      pool.invoke('{"ms":20}', request()),
      pool.invoke('{"ms":300}', request()),
    ]);
    const next = await pool.invoke('{"ms":0}', request());

    // Assess
    expect(short.cold && long.cold).toBe(true);
    expect(payloadOf(short).instance).not.toBe(payloadOf(long).instance);
    expect(pool.stats().coldStarts).toBe(2);
    expect(next.cold).toBe(false);
    expect(payloadOf(next).instance).toBe(payloadOf(long).instance);
  });

  it('times a slow invocation out with the AWS error and replaces the environment', async () => {
    // Prepare
    const { pool, records, logs } = startPool('index.slow', { timeoutSeconds: 0.3 });
    const timedOutRequest = request();

    // Act
    const timedOut = await pool.invoke('{"ms":10000}', timedOutRequest);
    const after = await pool.invoke('{"ms":1}', request());

    // Assess
    expect(timedOut.functionError).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${timedOutRequest.requestId} Error: Task timed out after 0.30 seconds`,
    });
    expect(payloadOf(timedOut)).toEqual(timedOut.functionError);
    expect(records[0]).toMatchObject({ outcome: 'timeout', errorType: 'Sandbox.Timedout' });
    expect(
      logs.some((line) => line.endsWith(`${timedOutRequest.requestId} Task timed out after 0.30 seconds`)),
    ).toBe(true);
    expect(after.cold).toBe(true);
    expect(after.functionError).toBeUndefined();
    expect(pool.stats().coldStarts).toBe(2);
  });

  it('discards an environment whose runtime exits, reporting Runtime.ExitError', async () => {
    // Prepare
    const { pool } = startPool('index.exits');
    const exitRequest = request();

    // Act
    const exited = await pool.invoke('{}', exitRequest);
    const again = await pool.invoke('{}', request());

    // Assess
    expect(exited.functionError).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${exitRequest.requestId} Error: Runtime exited with error: exit status 2`,
    });
    expect(again.cold).toBe(true);
    expect(pool.stats()).toMatchObject({ coldStarts: 2, idleEnvironments: 0 });
  });

  it('kills an environment that exceeds its memory, reporting Runtime.OutOfMemory', async () => {
    // Prepare
    const { pool } = startPool('index.hogsMemory', { memorySize: 128, timeoutSeconds: 30 });
    const hogRequest = request();

    // Act
    const result = await pool.invoke('{}', hogRequest);

    // Assess
    expect(result.functionError).toEqual({
      errorType: 'Runtime.OutOfMemory',
      errorMessage: `RequestId: ${hogRequest.requestId} Error: Runtime exited with error: signal: killed`,
    });
    expect(pool.stats().idleEnvironments).toBe(0);
  });

  it('formats a thrown error as Lambda does and keeps the environment warm', async () => {
    // Prepare
    const { pool, records } = startPool('index.throws');

    // Act
    const failed = await pool.invoke('{}', request());
    const again = await pool.invoke('{}', request());

    // Assess
    const error = failed.functionError;
    expect(error).toMatchObject({ errorType: 'OrderRejectedError', errorMessage: 'order 42 was rejected' });
    expect(error?.trace?.[0]).toBe('OrderRejectedError: order 42 was rejected');
    expect(error?.trace?.some((line) => line.includes('index.js'))).toBe(true);
    expect(payloadOf(failed)).toEqual(error);
    expect(again.cold).toBe(false);
    expect(records.map((record) => [record.outcome, record.errorType])).toEqual([
      ['error', 'OrderRejectedError'],
      ['error', 'OrderRejectedError'],
    ]);
  });

  it('captures console and stdout output as Lambda log lines', async () => {
    // Prepare
    const { pool, logs } = startPool('index.logs');
    const logRequest = request();

    // Act
    const result = await pool.invoke('{"id":"o-1"}', logRequest);

    // Assess
    const id = logRequest.requestId;
    const handlerLines = logs.filter((line) => !line.includes('initialising'));
    expect(handlerLines).toEqual([
      expect.stringMatching(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${id}\\tINFO\\torder o-1$`)),
      expect.stringMatching(new RegExp(`Z\\t${id}\\tWARN\\tcareful$`)),
      expect.stringMatching(new RegExp(`Z\\t${id}\\tERROR\\tfailed { id: 'o-1' }$`)),
      'raw stdout line',
    ]);
    expect(logs[0]).toMatch(/\tundefined\tINFO\tinitialising /);
    expect(result.logs[0]).toBe(`START RequestId: ${id} Version: $LATEST`);
    expect(result.logs).toEqual(expect.arrayContaining(handlerLines));
    expect(result.logs.at(-2)).toBe(`END RequestId: ${id}`);
  });

  it('builds the Lambda context with a shrinking remaining time', async () => {
    // Prepare
    const { pool } = startPool('index.inspect', { timeoutSeconds: 2, memorySize: 256 });
    const inspectRequest = {
      ...request(),
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:orders-fn:live',
    };

    // Act
    const result = await pool.invoke('{"envKeys":["AWS_LAMBDA_LOG_STREAM_NAME"]}', inspectRequest);

    // Assess
    const payload = payloadOf(result) as {
      context: Record<string, unknown>;
      remaining: [number, number];
      env: Record<string, string>;
      cwd: string;
    };
    expect(payload.context).toEqual({
      functionName: 'orders-fn',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:orders-fn:live',
      memoryLimitInMB: '256',
      awsRequestId: inspectRequest.requestId,
      logGroupName: '/aws/lambda/orders-fn',
      logStreamName: payload.env.AWS_LAMBDA_LOG_STREAM_NAME,
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(payload.context.logStreamName).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    const [first, second] = payload.remaining;
    expect(first).toBeLessThanOrEqual(2000);
    expect(second).toBeLessThanOrEqual(first - 25);
    expect(payload.cwd).toBe(bundles.codeDir);
  });

  it('gives each function its own environment variables and the invocation its trace id', async () => {
    // Prepare
    const a = startPool('index.inspect', { env: { STAGE: 'alpha' } });
    const b = startPool('index.inspect', { env: { STAGE: 'beta', NODE_OPTIONS: '--enable-source-maps' } });
    const event = '{"envKeys":["STAGE","NODE_OPTIONS","_X_AMZN_TRACE_ID"]}';
    const traceId = 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1';

    // Act
    const [fromA, fromB] = await Promise.all([
      a.pool.invoke(event, { ...request(), traceId }),
      b.pool.invoke(event, request()),
    ]);

    // Assess
    expect(payloadOf(fromA).env).toEqual({ STAGE: 'alpha', NODE_OPTIONS: null, _X_AMZN_TRACE_ID: traceId });
    expect(payloadOf(fromB).env).toMatchObject({ STAGE: 'beta', NODE_OPTIONS: null });
    expect((payloadOf(fromB).env as Record<string, string>)._X_AMZN_TRACE_ID).toMatch(
      /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/,
    );
    expect(process.env.STAGE).toBeUndefined();
  });

  it('supports callback-style handlers', async () => {
    // Prepare
    const ok = startPool('index.callback');
    const failing = startPool('index.callbackError');

    // Act
    const result = await ok.pool.invoke('{"value":7}', request());
    const failed = await failing.pool.invoke('{}', request());

    // Assess
    expect(payloadOf(result)).toEqual({ viaCallback: 7 });
    expect(failed.functionError).toMatchObject({ errorType: 'TypeError', errorMessage: 'callback failure' });
  });

  it('loads ES modules and nested handler paths', async () => {
    // Prepare
    const esm = startPool('esm/handler.handler');
    const nested = startPool('src/handlers/orders.orders.main');

    // Act
    const fromEsm = await esm.pool.invoke('{"a":1}', request());
    const fromNested = await nested.pool.invoke('{}', request());

    // Assess
    expect(payloadOf(fromEsm)).toEqual({ esm: true, event: { a: 1 }, fileUrl: true });
    expect(payloadOf(fromNested)).toEqual({ nested: true });
  });

  it('answers null for a handler that returns undefined', async () => {
    // Prepare
    const { pool } = startPool('index.nothing');

    // Act
    const result = await pool.invoke('{}', request());

    // Assess
    expect(result.payloadJson).toBe('null');
    expect(result.functionError).toBeUndefined();
  });

  it('reports init failures with the runtime error types', async () => {
    // Prepare
    const missingModule = startPool('missing.handler');
    const missingExport = startPool('index.absent');
    const malformed = startPool('index');

    // Act
    const [module, exported, badName] = await Promise.all([
      missingModule.pool.invoke('{}', request()),
      missingExport.pool.invoke('{}', request()),
      malformed.pool.invoke('{}', request()),
    ]);

    // Assess
    expect(module.functionError).toMatchObject({
      errorType: 'Runtime.ImportModuleError',
      errorMessage: expect.stringMatching(/^Error: Cannot find module 'missing'/),
    });
    expect(exported.functionError).toMatchObject({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'index.absent is undefined or not exported',
    });
    expect(badName.functionError).toMatchObject({
      errorType: 'Runtime.MalformedHandlerName',
      errorMessage: 'Bad handler',
    });
    expect(missingModule.pool.stats().idleEnvironments).toBe(0);
  });

  it('throttles beyond reserved concurrency and admits again once capacity frees', async () => {
    // Prepare
    const { pool, records } = startPool('index.slow', { reservedConcurrency: 1 });
    const running = pool.invoke('{"ms":300}', request());

    // Act
    const throttled = await pool.invoke('{"ms":0}', request()).catch((error: unknown) => error);
    const admitted = await pool.waitForCapacity(5000);
    const after = await pool.invoke('{"ms":0}', request());

    // Assess
    expect(throttled).toBeInstanceOf(FunctionThrottledError);
    expect(throttled).toMatchObject({
      code: 'TooManyRequestsException',
      name: 'TooManyRequestsException',
      message: 'Rate Exceeded.',
      statusCode: 429,
      reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
    });
    expect(admitted).toBe(true);
    expect((await running).functionError).toBeUndefined();
    expect(after.functionError).toBeUndefined();
    expect(records.filter((record) => record.outcome === 'throttled')).toHaveLength(1);
  });

  it('throttles everything at zero reserved concurrency, and by the account pool otherwise', async () => {
    // Prepare
    const zero = startPool('index.noop', { reservedConcurrency: 0 });
    const account = new ConcurrencyPool(1, 'ConcurrentInvocationLimitExceeded');
    const capped = startPool('index.slow', { unreservedConcurrency: account });
    const running = capped.pool.invoke('{"ms":200}', request());

    // Act
    const zeroError = await zero.pool.invoke('{}', request()).catch((error: unknown) => error);
    const cappedError = await capped.pool.invoke('{"ms":0}', request()).catch((error: unknown) => error);
    const waited = await zero.pool.waitForCapacity(50);

    // Assess
    expect(zeroError).toMatchObject({ reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' });
    expect(cappedError).toMatchObject({ reason: 'ConcurrentInvocationLimitExceeded', statusCode: 429 });
    expect(waited).toBe(false);
    expect(zero.pool.stats()).toMatchObject({ coldStarts: 0, throttles: 1 });
    await running;
  });

  it('expires idle environments after the idle timeout', async () => {
    // Prepare
    const { pool } = startPool('index.noop', { idleTimeoutMs: 100 });
    await pool.invoke('{}', request());

    // Act
    await eventually(
      () => pool.stats().idleEnvironments,
      (idle) => idle === 0,
    );
    const next = await pool.invoke('{}', request());

    // Assess
    expect(next.cold).toBe(true);
    expect(pool.stats().coldStarts).toBe(2);
  });

  it('rejects running and later invocations once closed', async () => {
    // Prepare
    const { pool } = startPool('index.slow');
    await pool.invoke('{"ms":0}', request());
    const running = pool.invoke('{"ms":5000}', request()).catch((error: unknown) => error);

    // Act
    await pool.close();

    // Assess
    expect(await running).toMatchObject({ name: 'WorkerPoolClosedError' });
    await expect(pool.invoke('{}', request())).rejects.toMatchObject({ name: 'WorkerPoolClosedError' });
    expect(pool.stats()).toMatchObject({ concurrentExecutions: 0, idleEnvironments: 0 });
  });

  it('gives the machine slot of a function sleeping on a timer to other work until it wakes', async () => {
    // Prepare: one slot on the machine.
    const scheduler = new ExecutionScheduler({ maxRunning: 1 });
    const sleeper = startPool('index.slow', { scheduler });
    const other = startPool('index.noop', { name: 'other-fn', scheduler });
    let sleeperDone = false;
    const sleeping = sleeper.pool.invoke('{"ms":2000}', request()).then((result) => {
      sleeperDone = true;
      return result;
    });

    // Act
    await eventually(
      () => scheduler.stats().suspended,
      (suspended) => suspended === 1,
    );
    const otherResult = await other.pool.invoke('{}', request());
    const sleepingWhenOtherEnded = !sleeperDone;
    const sleeperResult = await sleeping;

    // Assess
    expect(payloadOf(otherResult)).toBe('ok');
    expect(sleepingWhenOtherEnded).toBe(true);
    expect(payloadOf(sleeperResult)).toMatchObject({ slept: 2000 });
    expect(scheduler.stats()).toMatchObject({ running: 0, suspended: 0 });
  });

  it.each([
    ['http.get', false],
    ['fetch', true],
  ])(
    'keeps the slot of a function waiting on a request (%s) under a long timer, and frees it for its sleep after',
    async (_client, viaFetch) => {
      // Prepare: a backend that answers only once the other invocation has waited for the slot a while.
      const scheduler = new ExecutionScheduler({ maxRunning: 1 });
      const caller = startPool('index.guardedRequest', { scheduler });
      const other = startPool('index.noop', { name: 'other-fn', scheduler });
      const HELD_MS = 500;
      let release: () => void = () => undefined;
      const released = new Promise<void>((resolve) => (release = resolve));
      const backend = http.createServer((_req, res) => {
        void released.then(() => res.end('done'));
      });
      await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}/`;
      try {
        const calling = caller.pool.invoke(JSON.stringify({ url, viaFetch, thenSleepMs: 2000 }), request());

        // Act: the other invocation, while the request is pending; the backend answers HELD_MS later.
        await eventually(
          () => scheduler.stats().running,
          (running) => running === 1,
        );
        const otherQueued = other.pool.invoke('{}', request());
        await eventually(
          () => scheduler.stats().queued,
          (queued) => queued === 1,
        );
        const heldFrom = performance.now();
        setTimeout(release, HELD_MS);
        await otherQueued;
        const otherWaitedMs = performance.now() - heldFrom;
        const callerResult = await calling;

        // Assess: the other invocation ran only once the request was answered (the caller then slept).
        expect(otherWaitedMs).toBeGreaterThanOrEqual(HELD_MS - 20);
        expect(otherWaitedMs).toBeLessThan(2000);
        expect(payloadOf(callerResult)).toEqual({ status: 200 });
        expect(scheduler.stats()).toMatchObject({ running: 0, suspended: 0 });
      } finally {
        backend.closeAllConnections();
        backend.close();
      }
    },
  );
});
