/**
 * X-Ray in the local cloud, end to end on the fixture app: the segments API Gateway, Lambda and
 * EventBridge record, the subsegments Powertools Tracer sends from the handlers to the local daemon, and
 * the trace context that ties them into one tree.
 */
import { randomBytes } from 'node:crypto';
import {
  BatchGetTracesCommand,
  GetServiceGraphCommand,
  GetTraceSummariesCommand,
  XRayClient,
} from '@aws-sdk/client-xray';
import type { LocalCloud } from '../../src/local-cloud';
import { localClientConfig } from '../../src/testing/client-config';
import { eventually } from '../../src/testing/eventually';
import { startFixtureCloud } from '../support/fixture-cloud';

interface Node {
  readonly id: string;
  readonly name: string;
  readonly origin?: string;
  readonly type?: string;
  readonly namespace?: string;
  readonly parent_id?: string;
  readonly end_time?: number;
  readonly in_progress?: boolean;
  readonly fault?: boolean;
  readonly http?: { request?: { method?: string; url?: string }; response?: { status?: number } };
  readonly aws?: Record<string, unknown>;
  readonly children: Node[];
}

interface Summary {
  readonly id: string;
  readonly rootRequest: string;
  readonly services: { name: string; origin?: string }[];
  readonly hasFault: boolean;
  readonly inProgress: boolean;
}

type Step = (node: Node) => boolean;

let cloud: LocalCloud;
let functionNamed: (logicalIdPrefix: string) => string;

const getJson = async <T>(path: string): Promise<{ status: number; body: T }> => {
  const response = await fetch(`${cloud.apiUrl}${path}`);
  return { status: response.status, body: (await response.json()) as T };
};

const rootOf = (response: Response): string => {
  const root = /Root=([^;]+)/.exec(response.headers.get('x-amzn-trace-id') ?? '')?.[1];
  if (!root) throw new Error('the response carries no X-Amzn-Trace-Id Root');
  return root;
};

/** A path from one of `nodes` down through direct children, one node per step. */
const pathThrough = (nodes: readonly Node[], steps: readonly Step[]): Node[] | undefined => {
  const [step, ...rest] = steps;
  if (step === undefined) return [];
  for (const node of nodes.filter(step)) {
    const below = pathThrough(node.children, rest);
    if (below) return [node, ...below];
  }
  return undefined;
};

const descendants = (nodes: readonly Node[]): Node[] =>
  nodes.flatMap((node) => [node, ...descendants(node.children)]);

/** Polls the trace until `steps` lead from one of its roots down to a finished last node. */
const eventuallyPath = (traceId: string, steps: readonly Step[], what: string) =>
  eventually(
    async () => {
      const { status, body } = await getJson<{ segments: Node[] }>(`/_local/traces/${traceId}`);
      if (status !== 200) return undefined;
      const path = pathThrough(body.segments, steps);
      return path?.at(-1)?.end_time === undefined ? undefined : { path, segments: body.segments };
    },
    { what },
  );

const segment =
  (origin: string, name: string): Step =>
  (node) =>
    node.origin === origin && node.name === name;
const subsegment =
  (name: string, namespace?: string): Step =>
  (node) =>
    node.type === 'subsegment' &&
    node.name === name &&
    (namespace === undefined || node.namespace === namespace);

const postNote = (id: string, headers: Record<string, string> = {}) =>
  fetch(`${cloud.apiUrl}/notes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ id, text: `text of ${id}`, author: 'ada' }),
  });

beforeAll(async () => {
  ({ cloud } = await startFixtureCloud({ xrayDaemonPort: 0 }));
  functionNamed = (prefix) => {
    const name = cloud.summary.functions.find((fn) => fn.startsWith(`FixtureApp-${prefix}`));
    if (!name) throw new Error(`no function ${prefix}`);
    return name;
  };
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
});

describe('the local X-Ray daemon', () => {
  test('listens on a free UDP port, which every function gets as AWS_XRAY_DAEMON_ADDRESS', async () => {
    // Act
    const { body } = await getJson<{ xrayDaemonAddress: string }>('/_local/health');

    // Assess
    expect(cloud.xray.port).toBeGreaterThan(0);
    expect(body.xrayDaemonAddress).toBe(`127.0.0.1:${cloud.xray.port}`);
  });
});

describe('API Gateway → Lambda → DynamoDB', () => {
  test('a request without a trace header starts a trace: stage, Lambda service and function, handler subsegments', async () => {
    // Act
    const created = await postNote('note-traced');

    // Assess
    expect(created.status).toBe(201);
    const traceId = rootOf(created);
    const api = functionNamed('Api');
    const { path } = await eventuallyPath(
      traceId,
      [
        segment('AWS::ApiGateway::Stage', 'fixture-main/prod'),
        subsegment('Lambda', 'aws'),
        segment('AWS::Lambda', api),
        segment('AWS::Lambda::Function', api),
        subsegment('## index.handler'),
        subsegment('DynamoDB', 'aws'),
      ],
      'API Gateway → Lambda → DynamoDB in one trace',
    );
    const [stage, , , , , dynamodb] = path;
    expect(stage?.http).toMatchObject({ request: { method: 'POST' }, response: { status: 201 } });
    expect(stage?.http?.request?.url).toBe(`${cloud.apiUrl}/notes`);
    expect(stage?.parent_id).toBeUndefined();
    expect(dynamodb?.aws).toMatchObject({
      operation: 'PutItem',
      table_name: cloud.outputs.FixtureApp?.NotesTableName,
    });

    const { body } = await getJson<{ traces: Summary[] }>('/_local/traces?limit=50');
    expect(body.traces.find((trace) => trace.id === traceId)).toMatchObject({
      rootRequest: `POST ${cloud.apiUrl}/notes`,
      services: expect.arrayContaining([
        { name: 'fixture-main/prod', origin: 'AWS::ApiGateway::Stage' },
        { name: api, origin: 'AWS::Lambda::Function' },
      ]),
      hasFault: false,
    });
  });

  test("an incoming X-Amzn-Trace-Id is continued: its Root is the trace, its Parent the stage's parent", async () => {
    // Prepare
    const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
    const parent = randomBytes(8).toString('hex');

    // Act
    const created = await postNote('note-continued', {
      'X-Amzn-Trace-Id': `Root=${root};Parent=${parent};Sampled=1`,
    });

    // Assess
    expect(created.status).toBe(201);
    expect(rootOf(created)).toBe(root);
    const api = functionNamed('Api');
    const { path } = await eventuallyPath(
      root,
      [
        segment('AWS::ApiGateway::Stage', 'fixture-main/prod'),
        subsegment('Lambda'),
        segment('AWS::Lambda', api),
      ],
      'the continued trace',
    );
    expect(path[0]?.parent_id).toBe(parent);
  });

  test('a failing handler shows as a fault of the stage and the function', async () => {
    // Act
    const failed = await fetch(`${cloud.apiUrl}/echo/x?fail=throw`);

    // Assess
    expect(failed.status).toBe(502);
    const traceId = rootOf(failed);
    const api = functionNamed('Api');
    const { segments } = await eventuallyPath(
      traceId,
      [
        segment('AWS::ApiGateway::Stage', 'fixture-main/prod'),
        subsegment('Lambda'),
        segment('AWS::Lambda', api),
      ],
      'the failed request',
    );
    const faulty = descendants(segments).filter((node) => node.fault === true);
    expect(faulty.map((node) => node.origin ?? node.name)).toEqual(
      expect.arrayContaining(['AWS::ApiGateway::Stage', 'AWS::Lambda::Function']),
    );
    const { body } = await getJson<{ traces: Summary[] }>('/_local/traces?limit=50');
    expect(body.traces.find((trace) => trace.id === traceId)?.hasFault).toBe(true);
  });
});

describe('PutEvents → EventBridge → rule target', () => {
  test("the handler's PutEvents carries the trace through the delivery to the rule's Lambda target: one tree", async () => {
    // Prepare
    expect((await postNote('note-published')).status).toBe(201);

    // Act
    const published = await fetch(`${cloud.apiUrl}/notes/note-published/publish`, { method: 'POST' });

    // Assess
    expect(published.status).toBe(202);
    const traceId = rootOf(published);
    const api = functionNamed('Api');
    const recorder = functionNamed('Recorder');
    const { path } = await eventuallyPath(
      traceId,
      [
        segment('AWS::ApiGateway::Stage', 'fixture-main/prod'),
        subsegment('Lambda', 'aws'),
        segment('AWS::Lambda', api),
        segment('AWS::Lambda::Function', api),
        subsegment('## index.handler'),
        subsegment('EventBridge', 'aws'),
        segment('AWS::Events', 'fixture-bus'),
        segment('AWS::Lambda', recorder),
        segment('AWS::Lambda::Function', recorder),
      ],
      'API Gateway → Lambda → PutEvents → EventBridge → recorder in one tree',
    );
    expect(path[5]?.aws).toMatchObject({ operation: 'PutEvents' });
    expect(path[6]?.aws).toMatchObject({
      event_bus: 'fixture-bus',
      target_arn: expect.stringContaining(recorder),
    });
    const handler = path[4];
    expect(handler?.children.map((node) => node.name)).toEqual(['DynamoDB', 'EventBridge']);
  });

  test('a DynamoDB stream starts a new trace for the relay, whose PutEvents reaches the target in that trace', async () => {
    // Prepare
    const relay = functionNamed('Relay');
    const recorder = functionNamed('Recorder');
    const crossesRelay = (trace: Summary) => trace.services.some((service) => service.name === relay);
    const tracesWithRelay = async () =>
      (await getJson<{ traces: Summary[] }>('/_local/traces?limit=1000')).body.traces.filter(crossesRelay);
    const before = (await tracesWithRelay()).length;

    // Act
    const created = await postNote('note-streamed');

    // Assess
    expect(created.status).toBe(201);
    const relayTraces = await eventually(
      async () => {
        const traces = await tracesWithRelay();
        return traces.length > before ? traces : undefined;
      },
      { what: "the relay's trace for the new note" },
    );
    // Every relay invocation is the root of its own trace, never part of the request that wrote the note.
    expect(relayTraces.map((trace) => trace.rootRequest)).toEqual(relayTraces.map(() => relay));
    expect(relayTraces.map((trace) => trace.id)).not.toContain(rootOf(created));
    const { path } = await eventuallyPath(
      relayTraces[0]?.id ?? '',
      [
        segment('AWS::Lambda', relay),
        segment('AWS::Lambda::Function', relay),
        subsegment('EventBridge', 'aws'),
        segment('AWS::Events', 'fixture-bus'),
        segment('AWS::Lambda', recorder),
      ],
      'stream → relay → EventBridge → recorder',
    );
    expect(path[0]?.parent_id).toBeUndefined();
  });
});

describe('the Lambda Invoke API', () => {
  test('continues the X-Amzn-Trace-Id of the request', async () => {
    // Prepare
    const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
    const parent = randomBytes(8).toString('hex');

    // Act
    const invoked = await fetch(`${cloud.edgeUrl}/2015-03-31/functions/fixture-noop/invocations`, {
      method: 'POST',
      headers: { 'X-Amzn-Trace-Id': `Root=${root};Parent=${parent};Sampled=1` },
      body: '{}',
    });

    // Assess
    expect(invoked.status).toBe(200);
    const { path } = await eventuallyPath(
      root,
      [segment('AWS::Lambda', 'fixture-noop'), segment('AWS::Lambda::Function', 'fixture-noop')],
      'the invoked function in the caller’s trace',
    );
    expect(path[0]?.parent_id).toBe(parent);
  });
});

describe('the X-Ray API on the edge', () => {
  test("GetTraceSummaries finds a request's trace by service and by its handler's annotation; BatchGetTraces and GetServiceGraph show it", async () => {
    // Prepare
    const xray = new XRayClient({ ...localClientConfig(cloud.edgeUrl), maxAttempts: 1 });
    const api = functionNamed('Api');
    const created = await postNote('note-found-by-annotation');
    const traceId = rootOf(created);
    await eventuallyPath(
      traceId,
      [
        segment('AWS::ApiGateway::Stage', 'fixture-main/prod'),
        subsegment('Lambda', 'aws'),
        segment('AWS::Lambda', api),
        segment('AWS::Lambda::Function', api),
        subsegment('## index.handler'),
        subsegment('DynamoDB', 'aws'),
      ],
      'the traced request',
    );
    const range = { StartTime: new Date(Date.now() - 600_000), EndTime: new Date(Date.now() + 60_000) };

    try {
      // Act
      const byService = await xray.send(
        new GetTraceSummariesCommand({ ...range, FilterExpression: `service("${api}")` }),
      );
      const byAnnotation = await xray.send(
        new GetTraceSummariesCommand({
          ...range,
          FilterExpression: 'annotation.note_id = "note-found-by-annotation" AND http.status = 201',
        }),
      );
      const batch = await xray.send(new BatchGetTracesCommand({ TraceIds: [traceId] }));
      const graph = await xray.send(new GetServiceGraphCommand(range));

      // Assess
      expect(byService.TraceSummaries?.map((summary) => summary.Id)).toContain(traceId);
      expect(byAnnotation.TraceSummaries?.map((summary) => summary.Id)).toEqual([traceId]);
      const [summary] = byAnnotation.TraceSummaries ?? [];
      const functionId = { Name: api, Names: [api], Type: 'AWS::Lambda::Function' };
      expect(summary).toMatchObject({
        Http: { HttpMethod: 'POST', HttpStatus: 201, HttpURL: `${cloud.apiUrl}/notes` },
        HasFault: false,
        EntryPoint: { Name: 'fixture-main/prod', Type: 'AWS::ApiGateway::Stage' },
        Annotations: {
          note_id: [
            { AnnotationValue: { StringValue: 'note-found-by-annotation' }, ServiceIds: [functionId] },
          ],
        },
      });
      expect(summary?.ServiceIds).toEqual(expect.arrayContaining([functionId]));

      expect(batch.UnprocessedTraceIds).toEqual([]);
      const documents = (batch.Traces?.[0]?.Segments ?? []).map(
        (recorded) => JSON.parse(recorded.Document ?? '{}') as { name: string; origin?: string },
      );
      expect(documents.map((document) => document.origin)).toEqual(
        expect.arrayContaining([
          'AWS::ApiGateway::Stage',
          'AWS::Lambda',
          'AWS::Lambda::Function',
          'AWS::DynamoDB::Table',
        ]),
      );
      const fn = batch.Traces?.[0]?.Segments?.find((recorded) =>
        recorded.Document?.includes('"origin":"AWS::Lambda::Function"'),
      );
      expect(fn?.Document).toContain('"name":"## index.handler"');
      expect(fn?.Document).toContain('"note_id":"note-found-by-annotation"');

      const services = graph.Services ?? [];
      const stage = services.find(
        (service) => service.Type === 'AWS::ApiGateway::Stage' && service.Name === 'fixture-main/prod',
      );
      const lambda = services.find((service) => service.Type === 'AWS::Lambda' && service.Name === api);
      const fnNode = services.find(
        (service) => service.Type === 'AWS::Lambda::Function' && service.Name === api,
      );
      expect(stage?.Root).toBe(true);
      expect(stage?.Edges?.map((edge) => edge.ReferenceId)).toContain(lambda?.ReferenceId);
      expect(lambda?.Edges?.map((edge) => edge.ReferenceId)).toContain(fnNode?.ReferenceId);
      expect(fnNode?.SummaryStatistics?.TotalCount).toBeGreaterThan(0);
    } finally {
      xray.destroy();
    }
  });
});
