/**
 * The local X-Ray read API through the AWS SDK's own X-Ray client, over HTTP: what the client sends and
 * parses (REST-JSON, epoch-second times, errors by `x-amzn-errortype`) is the contract.
 */
import {
  BatchGetTracesCommand,
  GetServiceGraphCommand,
  GetTraceGraphCommand,
  GetTraceSummariesCommand,
  type GetTraceSummariesCommandInput,
  PutTraceSegmentsCommand,
  XRayClient,
  paginateGetTraceSummaries,
  type TraceSummary,
} from '@aws-sdk/client-xray';
import { listen, sendJson, type RunningServer } from '../../../src/cloud/http-server';
import { localClientConfig } from '../../../src/testing/client-config';
import { TraceStore } from '../../../src/xray/trace-store';
import { serveXRay, XRayApi } from '../../../src/xray/xray-api';
import { sendRaw } from '../../support/raw-http';
import { orderRequest, traceIdAt } from './recorded-traces';
import { refusal } from '../../support/refusal';

const T = 1_800_000_000;
const NOW_MS = (T + 3600) * 1000;
const ORDER_TRACE = traceIdAt(T, 'a');
const FAILED_TRACE = traceIdAt(T + 60, 'b');
const LATER_TRACE = traceIdAt(T + 600, 'c');

let store: TraceStore;
let server: RunningServer;
let xray: XRayClient;

beforeAll(async () => {
  server = await listen(0, async (req, res) => {
    if (await serveXRay(new XRayApi(store, { clock: () => NOW_MS, pageSize: 2 }), req, res)) return;
    sendJson(res, 404, { message: 'not X-Ray' });
  });
  xray = new XRayClient({ ...localClientConfig(server.url), maxAttempts: 1 });
});

beforeEach(() => {
  store = new TraceStore();
  const requests = [
    orderRequest({ traceId: ORDER_TRACE, start: T, orderId: 'order_1', annotations: { user_id: 'user_7' } }),
    orderRequest({ traceId: FAILED_TRACE, start: T + 60, orderId: 'order_2', status: 502 }),
    orderRequest({ traceId: LATER_TRACE, start: T + 600, orderId: 'order_3', consumerInProgress: true }),
  ];
  for (const document of requests.flat()) store.put(document);
});

afterAll(async () => {
  xray?.destroy();
  await server?.close();
});

const at = (epochSeconds: number): Date => new Date(epochSeconds * 1000);

/** Every summary the paginator collects. */
async function allSummaries(
  input: Omit<GetTraceSummariesCommandInput, 'NextToken'>,
): Promise<TraceSummary[]> {
  const summaries: TraceSummary[] = [];
  for await (const page of paginateGetTraceSummaries({ client: xray }, input)) {
    summaries.push(...(page.TraceSummaries ?? []));
  }
  return summaries;
}

describe('GetTraceSummaries', () => {
  it('summarizes a trace as X-Ray does: root request, times, flags, annotations, services, entry point', async () => {
    // Act
    const answer = await xray.send(
      new GetTraceSummariesCommand({
        StartTime: at(T - 1),
        EndTime: at(T + 1),
        FilterExpression: 'annotation.order_id = "order_1"',
      }),
    );

    // Assess
    expect(answer.ApproximateTime).toEqual(new Date(NOW_MS));
    expect(answer.TracesProcessedCount).toBe(1);
    const fn = { Name: 'CreateOrder', Names: ['CreateOrder'], Type: 'AWS::Lambda::Function' };
    expect(answer.TraceSummaries).toEqual([
      {
        Id: ORDER_TRACE,
        StartTime: at(T),
        Duration: 0.9,
        ResponseTime: 0.5,
        HasError: false,
        HasFault: false,
        HasThrottle: false,
        IsPartial: false,
        Http: {
          HttpURL: 'http://127.0.0.1:3000/orders',
          HttpStatus: 202,
          HttpMethod: 'POST',
          UserAgent: 'curl/8',
          ClientIp: '127.0.0.1',
        },
        Annotations: {
          order_id: [{ AnnotationValue: { StringValue: 'order_1' }, ServiceIds: [fn] }],
          ColdStart: [{ AnnotationValue: { BooleanValue: true }, ServiceIds: [fn] }],
          user_id: [{ AnnotationValue: { StringValue: 'user_7' }, ServiceIds: [fn] }],
        },
        Users: [],
        ServiceIds: expect.arrayContaining([
          { Name: 'shop-api/prod', Names: ['shop-api/prod'], Type: 'AWS::ApiGateway::Stage' },
          fn,
          { Name: 'DynamoDB', Names: ['DynamoDB'], Type: 'AWS::DynamoDB::Table' },
          { Name: 'Projector', Names: ['Projector'], Type: 'AWS::Lambda::Function' },
        ]),
        ResourceARNs: [{ ARN: 'arn:aws:lambda:us-east-1:000000000000:function:CreateOrder' }],
        EntryPoint: { Name: 'shop-api/prod', Names: ['shop-api/prod'], Type: 'AWS::ApiGateway::Stage' },
      },
    ]);
    expect(answer.TraceSummaries?.[0]?.ServiceIds).toHaveLength(7);
  });

  it('finds traces by service, by fault, and in the time range the trace id tells (the default)', async () => {
    // Act
    const byService = await allSummaries({
      StartTime: at(T - 1),
      EndTime: at(T + 3600),
      FilterExpression: 'service("CreateOrder")',
    });
    const faults = await allSummaries({
      StartTime: at(T - 1),
      EndTime: at(T + 3600),
      FilterExpression: 'fault',
    });
    const firstMinute = await allSummaries({ StartTime: at(T), EndTime: at(T + 59) });

    // Assess
    expect(byService.map((summary) => summary.Id)).toEqual([LATER_TRACE, FAILED_TRACE, ORDER_TRACE]);
    expect(faults.map((summary) => [summary.Id, summary.HasFault, summary.Http?.HttpStatus])).toEqual([
      [FAILED_TRACE, true, 502],
    ]);
    expect(firstMinute.map((summary) => summary.Id)).toEqual([ORDER_TRACE]);
  });

  it('reads the Event and Service time ranges from the documents’ times', async () => {
    // Act
    const byEvent = await xray.send(
      new GetTraceSummariesCommand({ StartTime: at(T + 0.8), EndTime: at(T + 1), TimeRangeType: 'Event' }),
    );
    const byService = await xray.send(
      new GetTraceSummariesCommand({
        StartTime: at(T + 60.4),
        EndTime: at(T + 60.6),
        TimeRangeType: 'Service',
      }),
    );

    // Assess
    expect(byEvent.TraceSummaries?.map((summary) => summary.Id)).toEqual([ORDER_TRACE]);
    expect(byService.TraceSummaries?.map((summary) => summary.Id)).toEqual([FAILED_TRACE]);
  });

  it('pages newest first with NextToken, each trace once even when a newer one arrives between pages', async () => {
    // Prepare
    const range = { StartTime: at(T - 1), EndTime: at(T + 3600) };

    // Act
    const first = await xray.send(new GetTraceSummariesCommand(range));
    for (const document of orderRequest({ traceId: traceIdAt(T + 900, 'd'), start: T + 900, orderId: 'o' })) {
      store.put(document);
    }
    const second = await xray.send(new GetTraceSummariesCommand({ ...range, NextToken: first.NextToken }));

    // Assess
    expect(first.TraceSummaries?.map((summary) => summary.Id)).toEqual([LATER_TRACE, FAILED_TRACE]);
    expect(first.NextToken).toEqual(expect.any(String));
    expect(second.TraceSummaries?.map((summary) => summary.Id)).toEqual([ORDER_TRACE]);
    expect(second.NextToken).toBeUndefined();
    expect(first.TracesProcessedCount).toBe(3);
  });

  it('marks a trace with a document in progress as partial', async () => {
    // Act
    const answer = await xray.send(
      new GetTraceSummariesCommand({
        StartTime: at(T + 599),
        EndTime: at(T + 601),
        FilterExpression: 'partial',
      }),
    );

    // Assess
    expect(answer.TraceSummaries?.map((summary) => [summary.Id, summary.IsPartial])).toEqual([
      [LATER_TRACE, true],
    ]);
  });

  it('samples a fixed rate of the traces, the same ones on every call', async () => {
    // Prepare
    for (let n = 0; n < 40; n++) {
      const traceId = traceIdAt(T + 1000, n.toString(16).padStart(2, '0'));
      for (const document of orderRequest({ traceId, start: T + 1000, orderId: `s${n}` }))
        store.put(document);
    }
    const sampled = (Value: number) =>
      allSummaries({
        StartTime: at(T + 1000),
        EndTime: at(T + 1001),
        Sampling: true,
        SamplingStrategy: { Name: 'FixedRate', Value },
      });

    // Act
    const none = await sampled(0);
    const half = await sampled(0.5);
    const again = await sampled(0.5);
    const all = await sampled(1);

    // Assess
    expect(none).toEqual([]);
    expect(half.length).toBeGreaterThan(5);
    expect(half.length).toBeLessThan(35);
    expect(again.map((summary) => summary.Id)).toEqual(half.map((summary) => summary.Id));
    expect(all).toHaveLength(40);
  });

  it('refuses a filter it cannot read, an unsupported keyword, and a time range that ends before it starts', async () => {
    // Act
    const unsupported = await refusal(
      xray.send(
        new GetTraceSummariesCommand({
          StartTime: at(T),
          EndTime: at(T + 1),
          FilterExpression: 'user = "ada"',
        }),
      ),
    );
    const malformed = await refusal(
      xray.send(
        new GetTraceSummariesCommand({ StartTime: at(T), EndTime: at(T + 1), FilterExpression: 'fault AND' }),
      ),
    );
    const backwards = await refusal(
      xray.send(new GetTraceSummariesCommand({ StartTime: at(T + 1), EndTime: at(T) })),
    );
    const badToken = await refusal(
      xray.send(new GetTraceSummariesCommand({ StartTime: at(T), EndTime: at(T + 1), NextToken: 'nope' })),
    );

    // Assess
    expect(unsupported).toMatchObject({ name: 'InvalidRequestException', status: 400 });
    expect(unsupported.message).toMatch(/does not support the keyword 'user'.*annotation\.<key>/);
    expect(malformed).toMatchObject({
      name: 'InvalidRequestException',
      message: 'Invalid FilterExpression: expected a keyword, found the end of the expression.',
    });
    expect(backwards).toMatchObject({
      name: 'InvalidRequestException',
      message: 'EndTime must not be earlier than StartTime.',
    });
    expect(badToken).toMatchObject({ name: 'InvalidRequestException' });
  });
});

describe('BatchGetTraces', () => {
  it('answers each trace with its segment documents, and names the ids it has no trace of', async () => {
    // Act
    const unknown = traceIdAt(T, 'f');
    const answer = await xray.send(
      new BatchGetTracesCommand({ TraceIds: [ORDER_TRACE, unknown, 'not-a-trace-id'] }),
    );

    // Assess
    expect(answer.UnprocessedTraceIds).toEqual([unknown, 'not-a-trace-id']);
    expect(answer.Traces).toHaveLength(1);
    const trace = answer.Traces?.[0];
    expect(trace).toMatchObject({ Id: ORDER_TRACE, Duration: 0.9, LimitExceeded: false });
    const documents = (trace?.Segments ?? []).map((segment) => {
      const document = JSON.parse(segment.Document ?? '{}') as {
        id: string;
        origin?: string;
        subsegments?: unknown[];
      };
      expect(segment.Id).toBe(document.id);
      return document;
    });
    expect(documents.map((document) => document.origin)).toEqual([
      'AWS::ApiGateway::Stage',
      'AWS::Lambda',
      'AWS::Lambda::Function',
      'AWS::DynamoDB::Table',
      'AWS::Events',
      'AWS::Lambda',
      'AWS::Lambda::Function',
    ]);
    // The handler's subsegment, sent on its own, is back inside the function's document.
    expect(JSON.stringify(documents[2]?.subsegments)).toContain('"order_id":"order_1"');
  });

  it('takes at most five trace ids', async () => {
    // Act
    const answer = await refusal(
      xray.send(
        new BatchGetTracesCommand({ TraceIds: [1, 2, 3, 4, 5, 6].map((n) => traceIdAt(T, String(n))) }),
      ),
    );

    // Assess
    expect(answer).toMatchObject({
      name: 'InvalidRequestException',
      message: expect.stringMatching(/at most 5/),
    });
  });
});

describe('GetServiceGraph and GetTraceGraph', () => {
  it('draws the services of the time range with their edges', async () => {
    // Act
    const answer = await xray.send(new GetServiceGraphCommand({ StartTime: at(T - 1), EndTime: at(T + 1) }));

    // Assess
    expect(answer.StartTime).toEqual(at(T - 1));
    expect(answer.ContainsOldGroupVersions).toBe(false);
    const services = answer.Services ?? [];
    const stage = services.find((service) => service.Type === 'AWS::ApiGateway::Stage');
    const lambda = services.find(
      (service) => service.Type === 'AWS::Lambda' && service.Name === 'CreateOrder',
    );
    expect(stage).toMatchObject({
      Name: 'shop-api/prod',
      Root: true,
      StartTime: at(T),
      EndTime: at(T + 0.5),
    });
    expect(stage?.Edges).toEqual([
      expect.objectContaining({
        ReferenceId: lambda?.ReferenceId,
        SummaryStatistics: expect.objectContaining({ OkCount: 1, TotalCount: 1, TotalResponseTime: 0.48 }),
      }),
    ]);
    expect(stage?.SummaryStatistics).toMatchObject({ OkCount: 1, TotalCount: 1 });
    // The failed request at T + 60 is outside the range.
    expect(stage?.SummaryStatistics?.FaultStatistics?.TotalCount).toBe(0);
  });

  it('draws the graph of the traces asked for', async () => {
    // Act
    const answer = await xray.send(new GetTraceGraphCommand({ TraceIds: [FAILED_TRACE] }));

    // Assess
    const stage = answer.Services?.find((service) => service.Type === 'AWS::ApiGateway::Stage');
    expect(stage?.SummaryStatistics?.FaultStatistics).toEqual({ OtherCount: 1, TotalCount: 1 });
    expect(answer.Services).toHaveLength(7);
  });

  it('refuses a group other than Default', async () => {
    // Act
    const answer = await refusal(
      xray.send(new GetServiceGraphCommand({ StartTime: at(T), EndTime: at(T + 1), GroupName: 'orders' })),
    );

    // Assess
    expect(answer).toMatchObject({
      name: 'InvalidRequestException',
      message: expect.stringMatching(/groups are not emulated/),
    });
  });
});

describe('routing', () => {
  it('answers another X-Ray operation with UnknownOperationException, and leaves requests of other services', async () => {
    // Act
    const put = await refusal(xray.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: ['{}'] })));
    const other = await fetch(`${server.url}/TraceSegments`, { method: 'POST', body: '{}' });

    // Assess
    expect(put).toMatchObject({ name: 'UnknownOperationException', status: 404 });
    expect(put.message).toMatch(
      /serves GetTraceSummaries, BatchGetTraces, GetServiceGraph and GetTraceGraph only/,
    );
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ message: 'not X-Ray' });
  });

  it('refuses a body that is not JSON, and one past the limit with 413', async () => {
    // Act
    const notJson = await fetch(`${server.url}/TraceSummaries`, { method: 'POST', body: '[' });
    const tooLarge = await sendRaw({
      port: Number(new URL(server.url).port),
      method: 'POST',
      path: '/Traces',
      announcedBytes: 64 * 1024 + 1,
    });

    // Assess
    expect(notJson.status).toBe(400);
    expect(notJson.headers.get('x-amzn-errortype')).toBe('InvalidRequestException');
    expect(await notJson.json()).toEqual({ message: 'The request body must be a JSON object.' });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers['x-amzn-errortype']).toBe('RequestEntityTooLargeException');
  });
});
