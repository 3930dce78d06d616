import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateAliasCommand,
  DeleteAliasCommand,
  GetAliasCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  type InvokeCommandOutput,
} from '@aws-sdk/client-lambda';
import { listen, type RunningServer } from '../../../src/cloud/http-server';
import { handleLambdaApi } from '../../../src/lambda/lambda-api';
import {
  LambdaService,
  MAX_ASYNC_REQUEST_BYTES,
  MAX_SYNC_REQUEST_BYTES,
} from '../../../src/lambda/lambda-service';
import { sendRaw, type RawRequest } from '../../support/raw-http';
import { eventually, writeHandlerBundles, type HandlerBundles } from './handler-bundles';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function';
let bundles: HandlerBundles;
let service: LambdaService;
let server: RunningServer;
let client: LambdaClient;
let endpoint: string;

beforeAll(async () => {
  bundles = writeHandlerBundles();
  service = new LambdaService({ onLog: () => undefined });
  service.register({ name: 'echo', handler: 'index.echo', codeDir: bundles.codeDir });
  service.publishVersion('echo');
  service.createAlias('echo', 'live', { functionVersion: '1', additionalVersionWeights: {} });
  service.register({ name: 'logs', handler: 'index.logs', codeDir: bundles.codeDir });
  service.register({ name: 'throws', handler: 'index.throws', codeDir: bundles.codeDir });
  service.register({ name: 'inspect', handler: 'index.inspect', codeDir: bundles.codeDir });
  service.register({ name: 'release', handler: 'index.inspect', codeDir: bundles.codeDir });
  service.register({
    name: 'blocked',
    handler: 'index.noop',
    codeDir: bundles.codeDir,
    reservedConcurrency: 0,
  });
  server = await listen(0, async (req, res) => {
    if (await handleLambdaApi(service, req, res)) return;
    res.writeHead(404, { 'x-test-fallback': 'true' });
    res.end();
  });
  endpoint = server.url;
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
  await server.close();
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
      'release',
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

  it('counts the bytes of the code directory, nested files too, as CodeSize', async () => {
    // Prepare: 100 bytes of handler and 23 in a nested module.
    const codeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-code-size-'));
    fs.writeFileSync(path.join(codeDir, 'index.js'), `exports.handler=async()=>1;${' '.repeat(73)}`);
    fs.mkdirSync(path.join(codeDir, 'lib'));
    fs.writeFileSync(path.join(codeDir, 'lib', 'util.js'), 'module.exports = 1; // x');
    service.register({ name: 'sized', handler: 'index.handler', codeDir });
    try {
      // Act
      const described = await client.send(new GetFunctionCommand({ FunctionName: 'sized' }));
      // Assess
      expect(described.Configuration?.CodeSize).toBe(100 + 24);
    } finally {
      fs.rmSync(codeDir, { recursive: true, force: true });
    }
  });

  it('leaves requests outside the Lambda API to the caller', async () => {
    // Act
    const response = await fetch(`${endpoint}/2015-03-31/event-source-mappings/`);

    // Assess
    expect(response.status).toBe(404);
    expect(response.headers.get('x-test-fallback')).toBe('true');
  });

  it('publishes versions, and routes an alias between two of them as UpdateAlias says', async () => {
    // Act
    const first = await client.send(
      new PublishVersionCommand({ FunctionName: 'release', Description: 'v1' }),
    );
    service.register({
      name: 'release',
      handler: 'index.inspect',
      codeDir: bundles.codeDir,
      env: { RELEASE: 'second' },
    });
    const second = await client.send(new PublishVersionCommand({ FunctionName: 'release' }));
    const versions = await client.send(new ListVersionsByFunctionCommand({ FunctionName: 'release' }));
    const created = await client.send(
      new CreateAliasCommand({ FunctionName: 'release', Name: 'live', FunctionVersion: '1' }),
    );
    const canary = await client.send(
      new UpdateAliasCommand({
        FunctionName: 'release',
        Name: 'live',
        RoutingConfig: { AdditionalVersionWeights: { '2': 1 } },
        RevisionId: created.RevisionId,
      }),
    );
    const stale = await client
      .send(new UpdateAliasCommand({ FunctionName: 'release', Name: 'live', RevisionId: created.RevisionId }))
      .catch((error: unknown) => error);
    const invoked = await client.send(
      new InvokeCommand({
        FunctionName: `${ARN}:release:live`,
        Payload: Buffer.from('{"envKeys":["RELEASE"]}'),
      }),
    );
    const read = await client.send(new GetAliasCommand({ FunctionName: 'release', Name: 'live' }));
    const routingToTwo = await client.send(
      new ListAliasesCommand({ FunctionName: 'release', FunctionVersion: '2' }),
    );
    await client.send(new DeleteAliasCommand({ FunctionName: 'release', Name: 'live' }));
    const afterDelete = await client.send(new ListAliasesCommand({ FunctionName: 'release' }));

    // Assess
    expect(first).toMatchObject({ Version: '1', Description: 'v1', FunctionArn: `${ARN}:release:1` });
    expect(second.Version).toBe('2');
    expect(versions.Versions?.map((version) => version.Version)).toEqual(['$LATEST', '1', '2']);
    expect(created).toMatchObject({ AliasArn: `${ARN}:release:live`, FunctionVersion: '1' });
    expect(created.RoutingConfig).toBeUndefined();
    expect(canary.RoutingConfig).toEqual({ AdditionalVersionWeights: { '2': 1 } });
    expect(stale).toMatchObject({ name: 'PreconditionFailedException' });
    expect(invoked.ExecutedVersion).toBe('2');
    expect(payloadOf(invoked)).toMatchObject({ env: { RELEASE: 'second' } });
    expect(read.RevisionId).toBe(canary.RevisionId);
    expect(routingToTwo.Aliases?.map((alias) => alias.Name)).toEqual(['live']);
    expect(afterDelete.Aliases).toEqual([]);
  });

  it('refuses an alias request of the wrong shape as the API does', async () => {
    // Act
    const response = await fetch(`${endpoint}/2015-03-31/functions/release/aliases`, {
      method: 'POST',
      body: JSON.stringify({ Name: 'x', FunctionVersion: 7 }),
    });

    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('ValidationException');
  });
});

describe('Lambda payload limits', () => {
  /** An empty event, padded with JSON whitespace to `bytes`. */
  const payloadOf = (bytes: number): string => '{}'.padEnd(bytes, ' ');
  const invoke = (invocationType: string, payload: Partial<RawRequest>) =>
    sendRaw({
      port: server.port,
      method: 'POST',
      path: '/2015-03-31/functions/echo/invocations',
      headers: { 'x-amz-invocation-type': invocationType },
      ...payload,
    });
  const tooLarge = (limitBytes: number) => ({
    Type: 'User',
    message: `Request must be smaller than ${limitBytes} bytes for the InvokeFunction operation`,
  });

  it('invokes synchronously with a payload of exactly 6 MB', async () => {
    // Act
    const reply = await invoke('RequestResponse', { body: payloadOf(MAX_SYNC_REQUEST_BYTES) });

    // Assess
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toMatchObject({ event: {} });
  });

  it.each([
    ['with its length', false],
    ['chunked', true],
  ])(
    'answers 413 RequestTooLargeException to a synchronous payload one byte larger, sent %s',
    async (_how, chunked) => {
      // Act
      const reply = await invoke('RequestResponse', { body: payloadOf(MAX_SYNC_REQUEST_BYTES + 1), chunked });

      // Assess
      expect(reply.status).toBe(413);
      expect(reply.headers['x-amzn-errortype']).toBe('RequestTooLargeException');
      expect(JSON.parse(reply.text)).toEqual(tooLarge(MAX_SYNC_REQUEST_BYTES));
    },
  );

  it('accepts an asynchronous payload of exactly 1 MB, and answers 413 to one byte more', async () => {
    // Act
    const accepted = await invoke('Event', { body: payloadOf(MAX_ASYNC_REQUEST_BYTES) });
    const refused = await invoke('Event', { body: payloadOf(MAX_ASYNC_REQUEST_BYTES + 1) });

    // Assess
    expect(accepted.status).toBe(202);
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.text)).toEqual(tooLarge(MAX_ASYNC_REQUEST_BYTES));
  });

  it('answers 413 to a payload announced as 10 GB without waiting for it', async () => {
    // Act
    const reply = await invoke('RequestResponse', { announcedBytes: 10 * 1024 ** 3 });

    // Assess
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.text)).toEqual(tooLarge(MAX_SYNC_REQUEST_BYTES));
  });
});
