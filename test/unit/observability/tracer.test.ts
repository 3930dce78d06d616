import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

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
