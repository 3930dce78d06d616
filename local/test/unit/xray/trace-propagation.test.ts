/**
 * How the local services carry `X-Amzn-Trace-Id` and record their segments: API Gateway stages with
 * tracing, the JSON protocol handing the request's header to the service, SQS turning it into
 * `AWSTraceHeader`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { buildRestApis, type RestApiModel, type Route } from '../../../src/apigateway/rest-api-model';
import { RestApiGateway } from '../../../src/apigateway/rest-api-server';
import type { JsonProtocolContext, JsonProtocolService } from '../../../src/aws-protocol';
import { serveJsonProtocol } from '../../../src/http/json-protocol';
import type { InvokeOptions, InvokeResult, LambdaInvoker } from '../../../src/lambda/invoker';
import { SqsEngine } from '../../../src/sqs/sqs-engine';
import { parseTraceHeader } from '../../../src/xray/trace-header';
import { StoreTraceRecorder } from '../../../src/xray/trace-recorder';
import { TraceStore } from '../../../src/xray/trace-store';
import { buildTraceTree } from '../../../src/xray/trace-tree';
import { synthesizeRestApis } from '../apigateway/synthesized-rest-apis';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const CLIENT = '53995c3f42cd8ad8';

class FakeInvoker implements LambdaInvoker {
  readonly calls: InvokeOptions[] = [];
  result: InvokeResult = { payload: { statusCode: 200, body: 'ok' } };

  async invoke(_functionName: string, _event: unknown, options: InvokeOptions): Promise<InvokeResult> {
    this.calls.push(options);
    return this.result;
  }

  async invokeAsync(): Promise<void> {
    throw new Error('API Gateway invokes synchronously');
  }
}

function serve(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('API Gateway segments', () => {
  const route: Route = {
    method: 'GET',
    resourcePath: '/orders',
    resourceId: 'orders',
    authorizationType: 'NONE',
    integration: {
      type: 'AWS_PROXY',
      functionName: 'orders-fn',
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:orders-fn',
      timeoutMs: 29_000,
    },
  };
  const api: RestApiModel = {
    apiId: 'a1b2c3',
    logicalId: 'Api',
    name: 'shop',
    stages: ['prod', 'dev'],
    tracingStages: ['prod'],
    deploymentIds: {},
    stageVariables: {},
    binaryMediaTypes: [],
    routes: [route],
    gatewayResponses: {},
    warnings: [],
  };
  let store: TraceStore;
  let invoker: FakeInvoker;
  let server: Server;
  let url: string;

  beforeEach(async () => {
    store = new TraceStore();
    invoker = new FakeInvoker();
    const gateway = new RestApiGateway({
      apis: [api],
      invoker,
      defaultApiId: api.apiId,
      traceRecorder: new StoreTraceRecorder(store),
    });
    ({ server, url } = await serve((req, res) => void gateway.handle(req, res)));
  });

  afterEach(async () => {
    await close(server);
  });

  it('reads TracingEnabled of each stage from the template', () => {
    // Prepare
    const synthesized = synthesizeRestApis((stack) => {
      const fn = new lambda.Function(stack, 'Fn', {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
      });
      new apigateway.LambdaRestApi(stack, 'Traced', { handler: fn, deployOptions: { tracingEnabled: true } });
      new apigateway.LambdaRestApi(stack, 'Untraced', { handler: fn });
    });

    // Act
    const models = buildRestApis(synthesized.resources, synthesized.rootResourceIds);

    // Assess
    expect(Object.fromEntries(models.map((model) => [model.name, model.tracingStages]))).toEqual({
      Traced: ['prod'],
      Untraced: [],
    });
  });

  it('starts a trace for a request without a header: stage segment, Lambda call, and its id as Parent', async () => {
    // Act
    const response = await fetch(`${url}/prod/orders`, { headers: { 'user-agent': 'test-agent' } });

    // Assess
    expect(response.status).toBe(200);
    const root = parseTraceHeader(response.headers.get('x-amzn-trace-id') ?? undefined).root ?? '';
    const [segment] = buildTraceTree(store.trace(root));
    expect(segment).toMatchObject({
      name: 'shop/prod',
      origin: 'AWS::ApiGateway::Stage',
      http: {
        request: {
          method: 'GET',
          url: `${url}/prod/orders`,
          user_agent: 'test-agent',
          client_ip: '127.0.0.1',
        },
        response: { status: 200, content_length: 2 },
      },
      aws: { api_id: 'a1b2c3', stage: 'prod' },
    });
    expect(segment?.parent_id).toBeUndefined();
    const call = segment?.children[0];
    expect(call).toMatchObject({ name: 'Lambda', namespace: 'aws', aws: { function_name: 'orders-fn' } });
    expect(parseTraceHeader(invoker.calls[0]?.traceHeader)).toEqual({
      root,
      parent: call?.id,
      sampled: true,
    });
  });

  it("continues the client's trace under the client's Parent, and answers with its Root", async () => {
    // Act
    const response = await fetch(`${url}/prod/orders`, {
      headers: { 'X-Amzn-Trace-Id': `Root=${ROOT};Parent=${CLIENT};Sampled=1` },
    });

    // Assess
    expect(parseTraceHeader(response.headers.get('x-amzn-trace-id') ?? undefined).root).toBe(ROOT);
    expect(buildTraceTree(store.trace(ROOT))[0]).toMatchObject({ parent_id: CLIENT, name: 'shop/prod' });
    expect(parseTraceHeader(invoker.calls[0]?.traceHeader).root).toBe(ROOT);
  });

  it('records no segment on a stage without tracing, and passes the header on', async () => {
    // Act
    const response = await fetch(`${url}/dev/orders`);

    // Assess
    expect(response.status).toBe(200);
    expect(store.all()).toEqual([]);
    expect(invoker.calls[0]?.traceHeader).toBe(response.headers.get('x-amzn-trace-id'));
  });

  it('marks 5xx answers as faults and 4xx as errors', async () => {
    // Prepare
    invoker.result = { payload: {}, functionError: { errorType: 'Error', errorMessage: 'boom' } };

    // Act
    const failed = await fetch(`${url}/prod/orders`);
    const missing = await fetch(`${url}/prod/nowhere`);

    // Assess
    expect([failed.status, missing.status]).toEqual([502, 403]);
    const segmentOf = (response: Response) =>
      store
        .trace(parseTraceHeader(response.headers.get('x-amzn-trace-id') ?? undefined).root ?? '')
        .find((document) => document.origin === 'AWS::ApiGateway::Stage');
    expect(segmentOf(failed)).toMatchObject({ fault: true, http: { response: { status: 502 } } });
    expect(segmentOf(failed)?.error).toBeUndefined();
    expect(segmentOf(missing)).toMatchObject({ error: true, http: { response: { status: 403 } } });
  });
});

describe('trace headers through the JSON protocol', () => {
  it("hands the request's X-Amzn-Trace-Id to the service", async () => {
    // Prepare
    const contexts: (JsonProtocolContext | undefined)[] = [];
    const service: JsonProtocolService = {
      targetPrefix: 'AWSEvents',
      jsonVersion: '1.1',
      maxRequestBodyBytes: 1024,
      handle: async (_operation, _input, context) => {
        contexts.push(context);
        return {};
      },
    };
    const { server, url } = await serve((req, res) => void serveJsonProtocol([service], req, res));
    const call = (headers: Record<string, string>) =>
      fetch(url, {
        method: 'POST',
        headers: { 'x-amz-target': 'AWSEvents.PutEvents', ...headers },
        body: '{}',
      });

    // Act
    await call({ 'X-Amzn-Trace-Id': `Root=${ROOT};Parent=${CLIENT};Sampled=1` });
    await call({});
    await close(server);

    // Assess
    expect(contexts).toEqual([{ traceHeader: `Root=${ROOT};Parent=${CLIENT};Sampled=1` }, {}]);
  });

  it("lets SQS keep the request's header as AWSTraceHeader, unless the message sets its own", async () => {
    // Prepare
    const sqs = new SqsEngine({ endpointUrl: () => 'http://127.0.0.1:4566' });
    sqs.createQueue('traced');
    const queueUrl = 'http://127.0.0.1:4566/000000000000/traced';
    const own = `Root=1-5759e988-000000000000000000000001;Sampled=1`;

    // Act
    await sqs.handle(
      'SendMessage',
      { QueueUrl: queueUrl, MessageBody: 'a' },
      { traceHeader: `Root=${ROOT}` },
    );
    await sqs.handle(
      'SendMessage',
      {
        QueueUrl: queueUrl,
        MessageBody: 'b',
        MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: own } },
      },
      { traceHeader: `Root=${ROOT}` },
    );
    const received = (await sqs.handle('ReceiveMessage', {
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      MessageSystemAttributeNames: ['AWSTraceHeader'],
    })) as { Messages: { Body: string; Attributes?: { AWSTraceHeader?: string } }[] };
    sqs.close();

    // Assess
    expect(
      Object.fromEntries(
        received.Messages.map((message) => [message.Body, message.Attributes?.AWSTraceHeader]),
      ),
    ).toEqual({ a: `Root=${ROOT}`, b: own });
  });
});
