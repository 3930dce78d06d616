import {
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  type InvokeCommandOutput,
} from '@aws-sdk/client-lambda';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleLambdaApi } from '../../../src/lambda/lambda-api';
import { LambdaService } from '../../../src/lambda/lambda-service';
import { eventually, writeHandlerBundles, type HandlerBundles } from './handler-bundles';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function';
let bundles: HandlerBundles;
let service: LambdaService;
let server: Server;
let client: LambdaClient;
let endpoint: string;

beforeAll(async () => {
  bundles = writeHandlerBundles();
  service = new LambdaService({ onLog: () => undefined });
  service.register({ name: 'echo', handler: 'index.echo', codeDir: bundles.codeDir, qualifiers: ['live'] });
  service.register({ name: 'logs', handler: 'index.logs', codeDir: bundles.codeDir });
  service.register({ name: 'throws', handler: 'index.throws', codeDir: bundles.codeDir });
  service.register({ name: 'inspect', handler: 'index.inspect', codeDir: bundles.codeDir });
  service.register({
    name: 'blocked',
    handler: 'index.noop',
    codeDir: bundles.codeDir,
    reservedConcurrency: 0,
  });
  server = createServer((req, res) => {
    void handleLambdaApi(service, req, res).then((handled) => {
      if (handled) return;
      res.writeHead(404, { 'x-test-fallback': 'true' });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new LambdaClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // Throttling is asserted, not retried.
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
  await service.close();
  bundles.remove();
});

function payloadOf(output: InvokeCommandOutput): unknown {
  return JSON.parse(Buffer.from(output.Payload ?? new Uint8Array()).toString('utf8'));
}

describe('Lambda API', () => {
  it('invokes synchronously and returns the payload', async () => {
    // Act
    const output = await client.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from(JSON.stringify({ orderId: 'o-1' })) }),
    );

    // Assess
    expect(output.StatusCode).toBe(200);
    expect(output.ExecutedVersion).toBe('$LATEST');
    expect(output.FunctionError).toBeUndefined();
    expect(payloadOf(output)).toMatchObject({ event: { orderId: 'o-1' } });
  });

  it('accepts an ARN with a qualifier, and the Qualifier parameter', async () => {
    // Act
    const byArn = await client.send(new InvokeCommand({ FunctionName: `${ARN}:echo:live` }));
    const byQualifier = await client.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: 'live' }));

    // Assess
    expect(payloadOf(byArn)).toMatchObject({ event: {} });
    expect(byQualifier.StatusCode).toBe(200);
  });

  it('hands the client context and trace header to the function', async () => {
    // Prepare
    const clientContext = { custom: { tenant: 't-1' } };
    const traceId = 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1';

    // Act
    const output = await client.send(
      new InvokeCommand({
        FunctionName: 'inspect',
        ClientContext: Buffer.from(JSON.stringify(clientContext)).toString('base64'),
        Payload: Buffer.from('{"envKeys":["_X_AMZN_TRACE_ID"]}'),
      }),
    );
    const traced = await fetch(`${endpoint}/2015-03-31/functions/inspect/invocations`, {
      method: 'POST',
      headers: { 'X-Amzn-Trace-Id': traceId },
      body: '{"envKeys":["_X_AMZN_TRACE_ID"]}',
    });

    // Assess
    expect(payloadOf(output)).toMatchObject({ clientContext });
    expect(traced.headers.get('x-amz-executed-version')).toBe('$LATEST');
    expect(await traced.json()).toMatchObject({ env: { _X_AMZN_TRACE_ID: traceId }, clientContext: null });
  });

  it('returns the log tail when asked', async () => {
    // Act
    const output = await client.send(
      new InvokeCommand({ FunctionName: 'logs', LogType: 'Tail', Payload: Buffer.from('{"id":"o-5"}') }),
    );

    // Assess
    const tail = Buffer.from(output.LogResult ?? '', 'base64').toString('utf8');
    expect(tail).toMatch(/^START RequestId: \S+ Version: \$LATEST\n/);
    expect(tail).toMatch(/\tINFO\torder o-5\n/);
    expect(tail).toMatch(/\nREPORT RequestId: \S+\tDuration: /);
    expect(payloadOf(output)).toBe('logged');
  });

  it('marks function errors as Unhandled with the error document as payload', async () => {
    // Act
    const output = await client.send(new InvokeCommand({ FunctionName: 'throws' }));

    // Assess
    expect(output.StatusCode).toBe(200);
    expect(output.FunctionError).toBe('Unhandled');
    expect(payloadOf(output)).toMatchObject({
      errorType: 'OrderRejectedError',
      errorMessage: 'order 42 was rejected',
      trace: expect.arrayContaining(['OrderRejectedError: order 42 was rejected']),
    });
  });

  it('accepts Event invocations with 202 and runs them', async () => {
    // Act
    const output = await client.send(
      new InvokeCommand({
        FunctionName: 'echo',
        InvocationType: 'Event',
        Payload: Buffer.from('{"async":true}'),
      }),
    );

    // Assess
    expect(output.StatusCode).toBe(202);
    const requestId = output.$metadata.requestId;
    await eventually(
      () => service.invocations(),
      (records) => records.some((record) => record.requestId === requestId && record.outcome === 'success'),
    );
  });

  it('answers DryRun with 204 without running the function', async () => {
    // Prepare
    const before = service.stats('echo').invocations;

    // Act
    const output = await client.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun' }));

    // Assess
    expect(output.StatusCode).toBe(204);
    expect(service.stats('echo').invocations).toBe(before);
  });

  it('surfaces throttling as TooManyRequestsException', async () => {
    // Act
    const error = await client.send(new InvokeCommand({ FunctionName: 'blocked' })).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({
      name: 'TooManyRequestsException',
      message: 'Rate Exceeded.',
      Type: 'User',
      Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
      $metadata: expect.objectContaining({ httpStatusCode: 429 }),
    });
  });

  it('surfaces unknown functions as ResourceNotFoundException', async () => {
    // Act
    const error = await client.send(new InvokeCommand({ FunctionName: 'missing' })).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Function not found: ${ARN}:missing`,
      $metadata: expect.objectContaining({ httpStatusCode: 404 }),
    });
  });

  it('rejects a payload that is not JSON', async () => {
    // Act
    const error = await client
      .send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{not json') }))
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({
      name: 'InvalidRequestContentException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('lists and describes functions', async () => {
    // Act
    const list = await client.send(new ListFunctionsCommand({}));
    const described = await client.send(new GetFunctionCommand({ FunctionName: 'blocked' }));

    // Assess
    expect(list.Functions?.map((fn) => fn.FunctionName)).toEqual([
      'echo',
      'logs',
      'throws',
      'inspect',
      'blocked',
    ]);
    expect(described.Configuration).toMatchObject({
      FunctionName: 'blocked',
      FunctionArn: `${ARN}:blocked`,
      Handler: 'index.noop',
      Runtime: 'nodejs22.x',
      Timeout: 3,
      MemorySize: 128,
    });
    expect(described.Concurrency?.ReservedConcurrentExecutions).toBe(0);
  });

  it('leaves requests outside the Lambda API to the caller', async () => {
    // Act
    const response = await fetch(`${endpoint}/2015-03-31/event-source-mappings/`);

    // Assess
    expect(response.status).toBe(404);
    expect(response.headers.get('x-test-fallback')).toBe('true');
  });
});
