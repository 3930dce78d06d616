import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsServiceError } from '../../../src/aws-protocol';
import type { ApiGatewayProxyEventV1 } from '../../../src/apigateway/proxy-event';
import { buildRestApis, type RestApiModel } from '../../../src/apigateway/rest-api-model';
import {
  BaseUrlNotSetError,
  MAX_REQUEST_BODY_BYTES,
  RestApiGateway,
  type RestApiRequestRecord,
} from '../../../src/apigateway/rest-api-server';
import { listen, type RunningServer } from '../../../src/cloud/http-server';
import type { InvokeOptions, InvokeResult, LambdaInvoker } from '../../../src/lambda/invoker';
import { sendRaw } from '../../support/raw-http';
import { synthesizeRestApis } from './synthesized-rest-apis';

class FakeInvoker implements LambdaInvoker {
  readonly calls: { functionName: string; event: ApiGatewayProxyEventV1; options: InvokeOptions }[] = [];
  respond: (event: ApiGatewayProxyEventV1) => Promise<InvokeResult> = async (event) => ({
    payload: { statusCode: 200, headers: { 'Content-Type': 'text/plain' }, body: `hello ${event.path}` },
  });

  async invoke(functionName: string, event: unknown, options: InvokeOptions): Promise<InvokeResult> {
    const proxyEvent = event as ApiGatewayProxyEventV1;
    this.calls.push({ functionName, event: proxyEvent, options });
    return this.respond(proxyEvent);
  }

  async invokeAsync(_functionName: string, _event: unknown, _options: InvokeOptions): Promise<void> {
    throw new Error('API Gateway invokes synchronously');
  }
}

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
}

function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string | string[]> = {},
  body?: Buffer | string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const data = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: data,
          text: data.toString('utf8'),
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Serves the gateway as the local cloud's API port does. */
function serve(gateway: RestApiGateway): Promise<RunningServer> {
  return listen(
    0,
    async (req, res) => {
      if (await gateway.handle(req, res)) return;
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('local 404');
    },
    'refuse-local-endpoint-changes',
  );
}

describe('RestApiGateway over HTTP', () => {
  let models: RestApiModel[];
  let ordersApi: RestApiModel;
  let catchAllApi: RestApiModel;
  let customApi: RestApiModel;
  let invoker: FakeInvoker;
  let records: RestApiRequestRecord[];
  let gateway: RestApiGateway;
  let server: RunningServer;
  let port: number;

  beforeAll(() => {
    const synthesized = synthesizeRestApis((stack) => {
      const fn = new lambda.Function(stack, 'OrdersFn', {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
      });
      const api = new apigateway.RestApi(stack, 'OrdersApi', {
        restApiName: 'orders',
        deployOptions: { stageName: 'v1' },
        defaultCorsPreflightOptions: { allowOrigins: apigateway.Cors.ALL_ORIGINS },
        binaryMediaTypes: ['image/png'],
      });
      const orders = api.root.addResource('orders');
      orders.addMethod('GET', new apigateway.LambdaIntegration(fn));
      orders.addMethod('POST', new apigateway.LambdaIntegration(fn));
      orders.addResource('{orderId}').addMethod('GET', new apigateway.LambdaIntegration(fn));
      api.root
        .addResource('slow')
        .addMethod('GET', new apigateway.LambdaIntegration(fn, { timeout: Duration.millis(50) }));
      api.root.addResource('partners', {
        defaultCorsPreflightOptions: { allowOrigins: ['https://a.example', 'https://b.example'] },
      });

      new apigateway.LambdaRestApi(stack, 'CatchAll', { handler: fn });

      const limited = new apigateway.RestApi(stack, 'Limited', {
        restApiName: 'limited',
        deployOptions: {
          stageName: 'prod',
          // Two requests at once, then (practically) none: the refill is one every 1,000 s.
          methodOptions: { '/limited/GET': { throttlingRateLimit: 0.001, throttlingBurstLimit: 2 } },
        },
      });
      const limitedResource = limited.root.addResource('limited');
      limitedResource.addMethod('GET', new apigateway.LambdaIntegration(fn));
      limitedResource.addMethod('POST', new apigateway.LambdaIntegration(fn));

      const custom = new apigateway.RestApi(stack, 'Custom', { restApiName: 'custom' });
      custom.root.addResource('known').addMethod('GET', new apigateway.LambdaIntegration(fn));
      custom.addGatewayResponse('Default4xx', {
        type: apigateway.ResponseType.DEFAULT_4XX,
        responseHeaders: { 'Access-Control-Allow-Origin': "'*'" },
        templates: { 'application/json': '{"error":$context.error.messageString,"id":"$context.requestId"}' },
      });
    });
    models = buildRestApis(synthesized.resources, synthesized.rootResourceIds);
    const byName = (name: string): RestApiModel => models.find((m) => m.name === name) as RestApiModel;
    ordersApi = byName('orders');
    catchAllApi = byName('CatchAll');
    customApi = byName('custom');
  });

  beforeEach(async () => {
    invoker = new FakeInvoker();
    records = [];
    gateway = new RestApiGateway({
      apis: models,
      invoker,
      defaultApiId: ordersApi.apiId,
      onRequest: (record) => records.push(record),
    });
    server = await serve(gateway);
    port = server.port;
  });

  afterEach(async () => {
    await server.close();
  });

  it('serves the default API under its stage prefix and tags the response with its ids', async () => {
    // Prepare
    const path = '/v1/orders?tag=a&tag=b';

    // Act
    const reply = await send(port, 'GET', path, { 'X-Tag': ['one', 'two'] });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('hello /orders');
    expect(reply.headers['content-type']).toBe('text/plain');
    const [call] = invoker.calls;
    expect(call?.options).toEqual({
      trigger: 'apigateway',
      traceHeader: reply.headers['x-amzn-trace-id'],
      signal: expect.any(AbortSignal),
      // A client waits: while the machine is busy, it goes before background work.
      interactive: true,
    });
    expect(call?.options.signal?.aborted).toBe(false);
    expect(call?.event).toMatchObject({
      resource: '/orders',
      path: '/orders',
      httpMethod: 'GET',
      multiValueQueryStringParameters: { tag: ['a', 'b'] },
      multiValueHeaders: {
        'X-Tag': ['one', 'two'],
        'X-Forwarded-Port': [String(port)],
        'X-Forwarded-Proto': ['http'],
      },
      requestContext: {
        stage: 'v1',
        path: '/v1/orders',
        apiId: ordersApi.apiId,
        deploymentId: ordersApi.deploymentIds['v1'],
        requestId: reply.headers['x-amzn-requestid'],
        extendedRequestId: reply.headers['x-amz-apigw-id'],
        identity: { sourceIp: '127.0.0.1' },
      },
    });
    expect(call?.event.headers?.['X-Amzn-Trace-Id']).toBe(reply.headers['x-amzn-trace-id']);
    expect(records).toEqual([
      expect.objectContaining({
        apiId: ordersApi.apiId,
        stage: 'v1',
        method: 'GET',
        path: '/orders',
        resourcePath: '/orders',
        statusCode: 200,
      }),
    ]);
  });

  it('serves the default API without a stage prefix, on its first stage', async () => {
    // Prepare
    const path = '/orders/42';

    // Act
    const reply = await send(port, 'GET', path);

    // Assess
    expect(reply.status).toBe(200);
    expect(invoker.calls[0]?.event).toMatchObject({
      resource: '/orders/{orderId}',
      pathParameters: { orderId: '42' },
      requestContext: { stage: 'v1', path: '/v1/orders/42' },
    });
  });

  it("serves every API at LocalStack's _user_request_ path", async () => {
    // Prepare
    const ordersPath = `/restapis/${ordersApi.apiId}/v1/_user_request_/orders/7`;
    const rootPath = `/restapis/${catchAllApi.apiId}/prod/_user_request_/`;

    // Act
    const orders = await send(port, 'GET', ordersPath);
    const root = await send(port, 'DELETE', rootPath);

    // Assess
    expect([orders.status, root.status]).toEqual([200, 200]);
    expect(invoker.calls.map((c) => [c.event.resource, c.event.path, c.event.pathParameters])).toEqual([
      ['/orders/{orderId}', '/orders/7', { orderId: '7' }],
      ['/', '/', null],
    ]);
  });

  it('answers 403 Missing Authentication Token for a route the API lacks', async () => {
    // Prepare
    const unknownPath = '/v1/customers';

    // Act
    const unknownPathReply = await send(port, 'GET', unknownPath);
    const unknownMethodReply = await send(port, 'DELETE', '/v1/orders');

    // Assess
    for (const reply of [unknownPathReply, unknownMethodReply]) {
      expect(reply.status).toBe(403);
      expect(JSON.parse(reply.text)).toEqual({ message: 'Missing Authentication Token' });
      expect(reply.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
      expect(reply.headers['x-amzn-requestid']).toBeDefined();
      expect(reply.headers['x-amz-apigw-id']).toBeDefined();
      expect(reply.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    }
    expect(invoker.calls).toHaveLength(0);
  });

  it("applies the API's gateway response to its errors", async () => {
    // Prepare
    const path = `/restapis/${customApi.apiId}/prod/_user_request_/unknown`;

    // Act
    const reply = await send(port, 'GET', path);

    // Assess
    expect(reply.status).toBe(403);
    expect(reply.headers['access-control-allow-origin']).toBe('*');
    expect(JSON.parse(reply.text)).toEqual({
      error: 'Missing Authentication Token',
      id: reply.headers['x-amzn-requestid'],
    });
  });

  it('leaves paths no API claims to the caller, including the local endpoints under a catch-all', async () => {
    // Prepare
    const catchAllGateway = new RestApiGateway({ apis: models, invoker, defaultApiId: catchAllApi.apiId });
    const other = await serve(catchAllGateway);

    // Act
    const unclaimed = await send(port, 'GET', '/customers');
    const local = await send(other.port, 'GET', '/_local/invocations');
    const proxied = await send(other.port, 'GET', '/anything/else');
    await other.close();

    // Assess
    expect([unclaimed.status, unclaimed.text]).toEqual([404, 'local 404']);
    expect([local.status, local.text]).toEqual([404, 'local 404']);
    expect(proxied.status).toBe(200);
    expect(invoker.calls.map((c) => c.event.pathParameters)).toEqual([{ proxy: 'anything/else' }]);
  });

  it('answers 404 for an unknown API id and 403 Forbidden for an unknown stage', async () => {
    // Prepare
    const unknownApi = '/restapis/nope/v1/_user_request_/orders';
    const unknownStage = `/restapis/${ordersApi.apiId}/prod/_user_request_/orders`;

    // Act
    const api = await send(port, 'GET', unknownApi);
    const stage = await send(port, 'GET', unknownStage);

    // Assess
    expect(api.status).toBe(404);
    expect(stage.status).toBe(403);
    expect(JSON.parse(stage.text)).toEqual({ message: 'Forbidden' });
  });

  it('answers 503 Service Unavailable for a stage its outage check takes down, without invoking anything', async () => {
    // Prepare
    const asked: unknown[] = [];
    gateway.setOutageCheck((stage) => {
      asked.push(stage);
      return stage.apiName === 'orders' ? 'orders is down' : undefined;
    });

    // Act
    const down = await send(port, 'POST', '/v1/orders', { 'Content-Type': 'application/json' }, '{}');
    const other = await send(port, 'GET', `/restapis/${customApi.apiId}/prod/_user_request_/known`);

    // Assess
    expect(down.status).toBe(503);
    expect(JSON.parse(down.text)).toEqual({ message: 'Service Unavailable' });
    expect(other.status).toBe(200);
    expect(asked).toEqual([
      { apiId: ordersApi.apiId, apiName: 'orders', stageName: 'v1' },
      { apiId: customApi.apiId, apiName: 'custom', stageName: 'prod' },
    ]);
    expect(invoker.calls.map((call) => call.event.resource)).toEqual(['/known']);
    expect(records[0]).toMatchObject({ apiId: ordersApi.apiId, statusCode: 503, failure: 'orders is down' });
  });

  it('answers the CORS preflight from the mock without invoking anything', async () => {
    // Prepare
    const headers = { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST' };

    // Act
    const reply = await send(port, 'OPTIONS', '/v1/orders', headers);

    // Assess
    expect(reply.status).toBe(204);
    expect(reply.headers['access-control-allow-origin']).toBe('*');
    expect(reply.headers['access-control-allow-methods']).toBe('OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD');
    expect(reply.text).toBe('');
    expect(invoker.calls).toHaveLength(0);
  });

  it('echoes a listed origin in the several-origins preflight, and only a listed one', async () => {
    // Prepare
    const listed = { Origin: 'https://b.example' };
    const unlisted = { Origin: 'https://evil.example' };

    // Act
    const echoed = await send(port, 'OPTIONS', '/v1/partners', listed);
    const defaulted = await send(port, 'OPTIONS', '/v1/partners', unlisted);

    // Assess
    expect(echoed.headers['access-control-allow-origin']).toBe('https://b.example');
    expect(defaulted.headers['access-control-allow-origin']).toBe('https://a.example');
    expect(echoed.headers['vary']).toBe('Origin');
  });

  it("answers 429 Too Many Requests past a method's throttle, before its function is invoked", async () => {
    // Prepare
    const limited = models.find((m) => m.name === 'limited') as RestApiModel;
    const url = `/restapis/${limited.apiId}/prod/_user_request_/limited`;

    // Act: four GETs at once, then a POST, which has no throttle of its own and the stage none.
    const gets = await Promise.all(Array.from({ length: 4 }, () => send(port, 'GET', url)));
    const post = await send(port, 'POST', url, { 'Content-Type': 'application/json' }, '{}');

    // Assess
    expect(gets.map((reply) => reply.status).sort()).toEqual([200, 200, 429, 429]);
    for (const reply of gets.filter((r) => r.status === 429)) {
      expect(JSON.parse(reply.text)).toEqual({ message: 'Too Many Requests' });
      expect(reply.headers['x-amzn-errortype']).toBe('TooManyRequestsException');
    }
    expect(post.status).toBe(200);
    expect(invoker.calls.map((call) => call.event.httpMethod).sort()).toEqual(['GET', 'GET', 'POST']);
  });

  it('answers 502 for a function error and 500 when Lambda throttles', async () => {
    // Prepare
    invoker.respond = async (event) => {
      if (event.httpMethod === 'POST')
        throw new AwsServiceError('TooManyRequestsException', 'Rate exceeded', 429);
      return {
        payload: { errorType: 'Error', errorMessage: 'boom' },
        functionError: { errorType: 'Error', errorMessage: 'boom' },
      };
    };

    // Act
    const failed = await send(port, 'GET', '/v1/orders');
    const throttled = await send(port, 'POST', '/v1/orders', { 'Content-Type': 'application/json' }, '{}');

    // Assess
    expect([failed.status, throttled.status]).toEqual([502, 500]);
    for (const reply of [failed, throttled]) {
      expect(JSON.parse(reply.text)).toEqual({ message: 'Internal server error' });
      expect(reply.headers['x-amzn-errortype']).toBe('InternalServerErrorException');
    }
    expect(records.map((r) => r.failure)).toEqual([
      'function error: Error: boom',
      'Lambda refused the invocation: TooManyRequestsException: Rate exceeded',
    ]);
  });

  it('answers 504 when the function outlives the integration timeout', async () => {
    // Prepare
    invoker.respond = () =>
      new Promise((resolve) => setTimeout(() => resolve({ payload: { statusCode: 200 } }), 300));

    // Act
    const reply = await send(port, 'GET', '/v1/slow');

    // Assess
    expect(reply.status).toBe(504);
    expect(JSON.parse(reply.text)).toEqual({ message: 'Endpoint request timed out' });
    // Nobody waits any more: an invocation that has not started yet is dropped.
    expect(invoker.calls.at(-1)?.options.signal?.aborted).toBe(true);
  });

  it('answers 504, and nothing else happens, when an invocation that was refused late is given up', async () => {
    // Prepare: the invocation fails only after the gateway stopped waiting (it was dropped while queued)
    invoker.respond = (event) =>
      new Promise((_resolve, reject) => {
        const signal = invoker.calls.find((call) => call.event === event)?.options.signal;
        signal?.addEventListener('abort', () => reject(new Error('abandoned')));
      });

    // Act
    const reply = await send(port, 'GET', '/v1/slow');
    await new Promise((resolve) => setImmediate(resolve));

    // Assess: the late rejection is not left unhandled
    expect(reply.status).toBe(504);
  });

  it('answers 413 for a body over the 10 MB payload limit', async () => {
    // Prepare
    const body = Buffer.alloc(MAX_REQUEST_BODY_BYTES + 1, 0x61);

    // Act
    const reply = await send(port, 'POST', '/v1/orders', { 'Content-Type': 'text/plain' }, body);

    // Assess
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.text)).toEqual({ message: 'Request Too Long' });
    expect(invoker.calls).toHaveLength(0);
  });

  it('passes a body of exactly 10 MB to the function', async () => {
    // Prepare
    const body = Buffer.alloc(MAX_REQUEST_BODY_BYTES, 0x61);

    // Act
    const reply = await send(port, 'POST', '/v1/orders', { 'Content-Type': 'text/plain' }, body);

    // Assess
    expect(reply.status).toBe(200);
    expect(invoker.calls[0]?.event.body).toHaveLength(MAX_REQUEST_BODY_BYTES);
  });

  it('answers 413 to a chunked body once it passes 10 MB', async () => {
    // Act
    const reply = await sendRaw({
      port,
      method: 'POST',
      path: '/v1/orders',
      headers: { 'Content-Type': 'text/plain' },
      body: Buffer.alloc(MAX_REQUEST_BODY_BYTES + 1, 0x61),
      chunked: true,
    });

    // Assess
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.text)).toEqual({ message: 'Request Too Long' });
    expect(invoker.calls).toHaveLength(0);
  });

  it('answers 413 to a body announced as 10 GB without waiting for it', async () => {
    // Act
    const reply = await sendRaw({ port, method: 'POST', path: '/v1/orders', announcedBytes: 10 * 1024 ** 3 });

    // Assess
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.text)).toEqual({ message: 'Request Too Long' });
  });

  it('sends multi-value response headers and decodes a binary body the client accepts', async () => {
    // Prepare
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    invoker.respond = async () => ({
      payload: {
        statusCode: 200,
        headers: { 'Content-Type': 'image/png' },
        multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
        body: png.toString('base64'),
        isBase64Encoded: true,
      },
    });

    // Act
    const binary = await send(port, 'GET', '/v1/orders', { Accept: 'image/png' });
    const asText = await send(port, 'GET', '/v1/orders', { Accept: 'application/json' });

    // Assess
    expect(binary.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(binary.body).toEqual(png);
    expect(asText.text).toBe(png.toString('base64'));
  });

  it('gives the local URL of a stage once the base URL is known', async () => {
    // Prepare
    const fresh = new RestApiGateway({ apis: models, invoker });
    gateway.setBaseUrl(`http://127.0.0.1:${port}/`);

    // Act
    const url = gateway.localUrl(ordersApi.apiId, 'v1');
    const reply = await send(port, 'GET', `${new URL(url).pathname}orders`);

    // Assess
    expect(() => fresh.localUrl(ordersApi.apiId, 'v1')).toThrow(BaseUrlNotSetError);
    expect(url).toBe(`http://127.0.0.1:${port}/restapis/${ordersApi.apiId}/v1/_user_request_/`);
    expect(reply.text).toBe('hello /orders');
  });
});
