import { once } from 'node:events';
import * as dgram from 'node:dgram';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { eventually } from 'cdk-local-cloud';

/** Loads the tracer module afresh with the given environment, as a new Lambda container would. */
function loadTracerWith(env: Record<string, string>): typeof import('../../../shared/observability/tracer') {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    let loaded: typeof import('../../../shared/observability/tracer') | undefined;
    jest.isolateModules(() => {
      loaded = jest.requireActual<typeof import('../../../shared/observability/tracer')>(
        '../../../shared/observability/tracer',
      );
    });
    if (loaded === undefined) throw new Error('the tracer module did not load');
    return loaded;
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

const newClient = () =>
  new EventBridgeClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });

describe('tracedClient', () => {
  it('adds the X-Ray instrumentation to an SDK client inside Lambda', () => {
    // Prepare
    const { tracedClient } = loadTracerWith({
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
      POWERTOOLS_SERVICE_NAME: 'orders',
      POWERTOOLS_TRACE_ENABLED: 'true',
    });
    const client = newClient();

    // Act
    const traced = tracedClient(client);

    // Assess
    expect(traced).toBe(client);
    expect(traced.middlewareStack.identify().join('\n')).toMatch(/XRay/i);
  });

  it('leaves the client as it is where tracing is off', () => {
    // Prepare
    const { tracedClient } = loadTracerWith({ POWERTOOLS_TRACE_ENABLED: 'false' });
    const client = newClient();
    const before = client.middlewareStack.identify();

    // Act
    const traced = tracedClient(client);

    // Assess
    expect(traced.middlewareStack.identify()).toEqual(before);
  });
});

describe('tracedHandler and annotate', () => {
  let daemon: dgram.Socket;
  const received: Record<string, unknown>[] = [];
  const saved = { ...process.env };

  beforeAll(async () => {
    // A real UDP receiver where Lambda's X-Ray daemon would be: the SDK's datagrams are the contract.
    daemon = dgram.createSocket('udp4');
    daemon.on('message', (datagram) => {
      const [, body] = datagram.toString('utf8').split('\n');
      if (body !== undefined) received.push(JSON.parse(body) as Record<string, unknown>);
    });
    daemon.bind(0, '127.0.0.1');
    await once(daemon, 'listening');
  });

  afterEach(() => {
    process.env = { ...saved };
  });

  afterAll(() => {
    daemon.close();
  });

  /** The environment Lambda gives an invocation, the daemon being the test's receiver. */
  function lambdaEnvironment(traceRoot: string): Record<string, string> {
    return {
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: 'CreateOrder',
      LAMBDA_TASK_ROOT: '/var/task',
      POWERTOOLS_SERVICE_NAME: 'orders',
      POWERTOOLS_TRACE_ENABLED: 'true',
      // Traced fetch would outlive the test in its worker, and log a missing segment for later suites.
      POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS: 'false',
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
      _HANDLER: 'index.handler',
      _X_AMZN_TRACE_ID: `Root=${traceRoot};Parent=53995c3f42cd8ad8;Sampled=1`,
    };
  }

  it("runs the handler in a '## index.handler' subsegment that carries the business ids, undefined ones left out", async () => {
    // Prepare
    const traceRoot = '1-5759e988-bd862e3fe1be46a994272793';
    const env = lambdaEnvironment(traceRoot);
    const { tracedHandler, annotate } = loadTracerWith(env);
    Object.assign(process.env, env);
    const handler = tracedHandler(async (event: { orderId: string }) => {
      annotate({ orderId: event.orderId, userId: 'user_7', productId: undefined, sagaStyle: 'orchestrated' });
      return 'done';
    });

    // Act
    const answer = await handler({ orderId: 'order_1' });

    // Assess
    expect(answer).toBe('done');
    const subsegment = await eventually(
      async () => received.find((document) => document['trace_id'] === traceRoot),
      { what: 'the handler subsegment at the daemon' },
    );
    expect(subsegment).toMatchObject({
      type: 'subsegment',
      name: '## index.handler',
      parent_id: '53995c3f42cd8ad8',
      annotations: {
        ColdStart: expect.any(Boolean),
        Service: 'orders',
        order_id: 'order_1',
        user_id: 'user_7',
        saga_style: 'orchestrated',
      },
    });
    expect(subsegment['annotations']).not.toHaveProperty('product_id');
  });

  it('records a failing handler as a fault with its error, and throws the error on', async () => {
    // Prepare
    const traceRoot = '1-5759e988-cccccccccccccccccccccccc';
    const env = lambdaEnvironment(traceRoot);
    const { tracedHandler } = loadTracerWith(env);
    Object.assign(process.env, env);
    const handler = tracedHandler(async () => {
      throw new Error('out of stock');
    });

    // Act
    const failure = handler().catch((error: unknown) => error);

    // Assess
    expect(await failure).toEqual(new Error('out of stock'));
    const subsegment = await eventually(
      async () => received.find((document) => document['trace_id'] === traceRoot),
      { what: 'the failed handler subsegment at the daemon' },
    );
    expect(subsegment).toMatchObject({ name: '## index.handler', fault: true });
    expect(JSON.stringify(subsegment['cause'])).toContain('out of stock');
  });

  it('returns the handler as it is where tracing is off, and annotate does nothing there', async () => {
    // Prepare
    const { tracedHandler, annotate } = loadTracerWith({ POWERTOOLS_TRACE_ENABLED: 'false' });
    const handler = async (): Promise<string> => {
      annotate({ orderId: 'order_1' });
      return 'done';
    };

    // Act
    const traced = tracedHandler(handler);

    // Assess
    expect(traced).toBe(handler);
    await expect(traced()).resolves.toBe('done');
  });
});
