import { AwsServiceError } from '../../../src/aws-protocol';
import {
  LambdaService,
  parseFunctionIdentifier,
  type AsyncInvocationFailure,
  type FunctionDefinition,
  type LambdaServiceOptions,
} from '../../../src/lambda/lambda-service';
import { eventually, writeHandlerBundles, type HandlerBundles } from './handler-bundles';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function';
let bundles: HandlerBundles;
const services: LambdaService[] = [];

beforeAll(() => {
  bundles = writeHandlerBundles();
});

afterAll(async () => {
  await Promise.all(services.map((service) => service.close()));
  bundles.remove();
});

function startService(
  functions: ReadonlyArray<Omit<FunctionDefinition, 'codeDir'>>,
  options: LambdaServiceOptions = {},
): LambdaService {
  const service = new LambdaService({ onLog: () => undefined, asyncRetryBaseDelayMs: 20, ...options });
  services.push(service);
  for (const definition of functions) service.register({ codeDir: bundles.codeDir, ...definition });
  return service;
}

describe('LambdaService', () => {
  it('gives workers the Lambda environment over the function env, plus the extra env', async () => {
    // Prepare
    const keys = [
      'STAGE',
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_LAMBDA_FUNCTION_NAME',
      'AWS_LAMBDA_FUNCTION_VERSION',
      'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
      'AWS_LAMBDA_LOG_GROUP_NAME',
      'AWS_EXECUTION_ENV',
      'LAMBDA_TASK_ROOT',
      'TZ',
      'NODE_OPTIONS',
      'AWS_ENDPOINT_URL_DYNAMODB',
    ];
    const service = startService(
      [
        {
          name: 'inspect',
          handler: 'index.inspect',
          memorySize: 512,
          env: { STAGE: 'test', AWS_REGION: 'eu-west-1', NODE_OPTIONS: '--enable-source-maps' },
        },
      ],
      { extraEnv: { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:4566' } },
    );

    // Act
    const result = await service.invoke(
      'inspect',
      { envKeys: [...keys, 'AWS_ACCESS_KEY_ID'] },
      { trigger: 'test' },
    );

    // Assess
    const env = (result.payload as { env: Record<string, string | null> }).env;
    expect(env).toMatchObject({
      STAGE: 'test',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: 'inspect',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/inspect',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      LAMBDA_TASK_ROOT: bundles.codeDir,
      TZ: ':UTC',
      NODE_OPTIONS: null,
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:4566',
    });
    expect(env.AWS_ACCESS_KEY_ID).toEqual(expect.any(String));
  });

  it('resolves functions by name, ARN, partial ARN and qualifier', async () => {
    // Prepare
    const service = startService([{ name: 'echo', handler: 'index.echo' }]);
    service.publishVersion('echo');
    service.createAlias('echo', 'live', { functionVersion: '1', additionalVersionWeights: {} });
    const identifiers = [
      'echo',
      'echo:$LATEST',
      `${ARN}:echo`,
      `${ARN}:echo:live`,
      '000000000000:function:echo',
    ];

    // Act
    const results = await Promise.all(
      identifiers.map((id) => service.invoke(id, { id }, { trigger: 'test' })),
    );
    const unknown = await service.invoke('nope', {}, { trigger: 'test' }).catch((error: unknown) => error);
    const unknownQualifier = await service
      .invoke('echo:7', {}, { trigger: 'test' })
      .catch((error: unknown) => error);

    // Assess
    expect(results.map((result) => (result.payload as { event: unknown }).event)).toEqual(
      identifiers.map((id) => ({ id })),
    );
    expect(unknown).toBeInstanceOf(AwsServiceError);
    expect(unknown).toMatchObject({
      code: 'ResourceNotFoundException',
      statusCode: 404,
      message: `Function not found: ${ARN}:nope`,
    });
    expect(unknownQualifier).toMatchObject({
      code: 'ResourceNotFoundException',
      message: `Function not found: ${ARN}:echo:7`,
    });
    expect(parseFunctionIdentifier(`${ARN}:echo:live`)).toEqual({ name: 'echo', qualifier: 'live' });
  });

  it('returns function errors as results, with the error document as payload', async () => {
    // Prepare
    const service = startService([{ name: 'throws', handler: 'index.throws' }]);

    // Act
    const result = await service.invoke('throws', {}, { trigger: 'test' });

    // Assess
    expect(result.functionError).toMatchObject({
      errorType: 'OrderRejectedError',
      errorMessage: 'order 42 was rejected',
    });
    expect(result.payload).toEqual(result.functionError);
  });

  it('throttles sync invocations beyond reserved concurrency with a 429', async () => {
    // Prepare
    const service = startService([{ name: 'slow', handler: 'index.slow', reservedConcurrency: 1 }]);
    const running = service.invoke('slow', { ms: 300 }, { trigger: 'test' });

    // Act
    const throttled = await service
      .invoke('slow', { ms: 0 }, { trigger: 'sync' })
      .catch((error: unknown) => error);

    // Assess
    expect(throttled).toMatchObject({
      code: 'TooManyRequestsException',
      statusCode: 429,
      message: 'Rate Exceeded.',
    });
    expect(service.invocations()).toContainEqual(
      expect.objectContaining({ functionName: 'slow', trigger: 'sync', outcome: 'throttled' }),
    );
    expect((await running).functionError).toBeUndefined();
  });

  it('queues a throttled async event until the function has capacity', async () => {
    // Prepare
    const service = startService([{ name: 'slow', handler: 'index.slow', reservedConcurrency: 1 }]);
    const running = service.invoke('slow', { ms: 300 }, { trigger: 'sync' });
    await eventually(
      () => service.stats('slow').concurrentExecutions,
      (busy) => busy === 1,
    );

    // Act
    await service.invokeAsync('slow', { ms: 1 }, { trigger: 'async' });

    // Assess
    expect(service.asyncPending()).toBe(1);
    const records = await eventually(
      () => service.invocations().filter((record) => record.trigger === 'async'),
      (found) => found.some((record) => record.outcome === 'success'),
    );
    expect(records[0]?.outcome).toBe('throttled');
    expect((await running).functionError).toBeUndefined();
    await eventually(
      () => service.asyncPending(),
      (pending) => pending === 0,
    );
  });

  it('retries a failing async event, then hands it to the on-failure handler', async () => {
    // Prepare
    const failures: Array<{ name: string; event: unknown; failure: AsyncInvocationFailure }> = [];
    const service = startService([{ name: 'throws', handler: 'index.throws' }], {
      asyncRetryBaseDelayMs: 50,
      onAsyncFailure: (name, event, failure) => {
        failures.push({ name, event, failure });
      },
    });

    // Act
    await service.invokeAsync('throws', { orderId: 'o-9' }, { trigger: 'eventbridge' });

    // Assess
    await eventually(
      () => failures.length,
      (count) => count === 1,
    );
    const attempts = service.invocations().filter((record) => record.trigger === 'eventbridge');
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((record) => record.requestId)).size).toBe(1);
    const [first, second, third] = attempts.map((record) => Date.parse(record.startedAt));
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(45);
    expect((third ?? 0) - (second ?? 0)).toBeGreaterThanOrEqual(95);
    expect(failures[0]).toEqual({
      name: 'throws',
      event: { orderId: 'o-9' },
      failure: {
        requestId: attempts[0]?.requestId,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
        error: expect.objectContaining({ errorType: 'OrderRejectedError' }),
      },
    });
  });

  it('merges event invoke config updates: retry attempts and the function’s own on-failure handler', async () => {
    // Prepare
    const serviceWide: unknown[] = [];
    const ownHandler: AsyncInvocationFailure[] = [];
    const service = startService([{ name: 'throws', handler: 'index.throws' }], {
      onAsyncFailure: (_name, event) => {
        serviceWide.push(event);
      },
    });
    service.setEventInvokeConfig('throws', {
      onFailure: (_name, _event, failure) => {
        ownHandler.push(failure);
      },
    });
    service.setEventInvokeConfig('throws', { maximumRetryAttempts: 0, onFailure: undefined });

    // Act
    await service.invokeAsync('throws', {}, { trigger: 'async' });

    // Assess
    await eventually(
      () => ownHandler.length,
      (count) => count === 1,
    );
    expect(ownHandler[0]).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 1 });
    expect(serviceWide).toEqual([]);
  });

  it('discards an async event older than the maximum event age', async () => {
    // Prepare
    const failures: AsyncInvocationFailure[] = [];
    const service = startService([{ name: 'blocked', handler: 'index.noop', reservedConcurrency: 0 }], {
      onAsyncFailure: (_name, _event, failure) => {
        failures.push(failure);
      },
    });
    service.setEventInvokeConfig('blocked', { maximumEventAgeInSeconds: 0.2 });

    // Act
    await service.invokeAsync('blocked', { id: 1 }, { trigger: 'async' });

    // Assess
    await eventually(
      () => failures.length,
      (count) => count === 1,
    );
    expect(failures[0]).toEqual({
      requestId: expect.any(String),
      condition: 'EventAgeExceeded',
      approximateInvokeCount: 0,
    });
    expect(service.stats('blocked')).toMatchObject({ coldStarts: 0, invocations: 0 });
  });

  it('rejects async invocations of unknown functions', async () => {
    // Prepare
    const service = startService([]);

    // Act
    const outcome = service.invokeAsync('missing', {}, { trigger: 'async' });

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: 'ResourceNotFoundException' });
    expect(service.asyncPending()).toBe(0);
  });

  it('lets an interceptor inject failures and delays', async () => {
    // Prepare
    const service = startService([{ name: 'echo', handler: 'index.echo' }]);
    const injected = { errorType: 'ChaosError', errorMessage: 'injected' };
    service.setInvocationInterceptor(async (_name, event) => {
      const mode = (event as { mode: string }).mode;
      if (mode === 'fail') return { throw: injected };
      if (mode === 'delay') return { delayMs: 150 };
      return 'proceed';
    });

    // Act
    const failed = await service.invoke('echo', { mode: 'fail' }, { trigger: 'chaos' });
    const started = Date.now();
    const delayed = await service.invoke('echo', { mode: 'delay' }, { trigger: 'chaos' });
    const delayedMs = Date.now() - started;
    service.setInvocationInterceptor(undefined);
    const plain = await service.invoke('echo', { mode: 'fail' }, { trigger: 'chaos' });

    // Assess
    expect(failed).toEqual({ payload: injected, functionError: injected });
    expect(delayed.functionError).toBeUndefined();
    expect(delayedMs).toBeGreaterThanOrEqual(140);
    expect(plain.functionError).toBeUndefined();
    expect(service.invocations().map((record) => record.outcome)).toEqual(['error', 'success', 'success']);
    expect(service.stats('echo')).toMatchObject({ invocations: 2, coldStarts: 1 });
  });

  it('keeps the most recent invocation records, oldest first', async () => {
    // Prepare
    const service = startService([{ name: 'echo', handler: 'index.echo' }], { historySize: 3 });

    // Act
    for (let i = 0; i < 5; i++) await service.invoke('echo', {}, { trigger: `t${i}` });

    // Assess
    expect(service.invocations().map((record) => record.trigger)).toEqual(['t2', 't3', 't4']);
    expect(service.invocations().map((record) => record.cold)).toEqual([false, false, false]);
  });
});
