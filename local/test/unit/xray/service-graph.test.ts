import type { SegmentDocument } from '../../../src/xray/segment-document';
import { buildServiceGraph, type GraphService } from '../../../src/xray/service-graph';
import { analyzeTrace } from '../../../src/xray/trace-analysis';
import { orderRequest, traceIdAt } from './recorded-traces';

const T = 1_800_000_000;
const ok = analyzeTrace(
  traceIdAt(T, 'a'),
  orderRequest({ traceId: traceIdAt(T, 'a'), start: T, orderId: 'o1' }),
);
const failing = analyzeTrace(
  traceIdAt(T + 10, 'b'),
  orderRequest({ traceId: traceIdAt(T + 10, 'b'), start: T + 10, orderId: 'o2', status: 502 }).map(
    (document): SegmentDocument =>
      document.origin === 'AWS::ApiGateway::Stage'
        ? { ...document, subsegments: document.subsegments?.map((sub) => ({ ...sub, fault: true })) }
        : document,
  ),
);
const throttled = analyzeTrace(
  traceIdAt(T + 20, 'c'),
  orderRequest({ traceId: traceIdAt(T + 20, 'c'), start: T + 20, orderId: 'o3', status: 429 }),
);

const named = (graph: readonly GraphService[], type: string, name: string): GraphService => {
  const service = graph.find((candidate) => candidate.Type === type && candidate.Name === name);
  if (service === undefined) throw new Error(`no ${type} ${name} in the graph`);
  return service;
};
const edgesOf = (graph: readonly GraphService[], service: GraphService): string[] =>
  service.Edges.map((edge) => {
    const callee = graph.find((candidate) => candidate.ReferenceId === edge.ReferenceId);
    return `${callee?.Type ?? ''} ${callee?.Name ?? ''}`;
  });

describe('buildServiceGraph', () => {
  it('has a node per service, recorded or inferred, and an edge per pair of caller and callee', () => {
    // Act
    const graph = buildServiceGraph([ok]);

    // Assess
    expect(graph.map((service) => `${service.ReferenceId} ${service.Type ?? ''} ${service.Name}`)).toEqual([
      '0 AWS::ApiGateway::Stage shop-api/prod',
      '1 AWS::Lambda CreateOrder',
      '2 AWS::Lambda::Function CreateOrder',
      '3 AWS::DynamoDB::Table DynamoDB',
      '4 AWS::Events shop',
      '5 AWS::Lambda Projector',
      '6 AWS::Lambda::Function Projector',
    ]);
    const stage = named(graph, 'AWS::ApiGateway::Stage', 'shop-api/prod');
    const fn = named(graph, 'AWS::Lambda::Function', 'CreateOrder');
    expect(edgesOf(graph, stage)).toEqual(['AWS::Lambda CreateOrder']);
    expect(edgesOf(graph, fn)).toEqual(['AWS::DynamoDB::Table DynamoDB', 'AWS::Events shop']);
    expect(edgesOf(graph, named(graph, 'AWS::Events', 'shop'))).toEqual(['AWS::Lambda Projector']);
    expect(graph.filter((service) => service.Root).map((service) => service.Name)).toEqual(['shop-api/prod']);
    expect(stage).toMatchObject({
      Names: ['shop-api/prod'],
      State: 'active',
      StartTime: T,
      EndTime: T + 0.5,
    });
  });

  it('counts each node’s segments and each edge’s calls: OK, errors, throttles, faults, response time', () => {
    // Act
    const graph = buildServiceGraph([ok, failing, throttled]);

    // Assess
    const stage = named(graph, 'AWS::ApiGateway::Stage', 'shop-api/prod');
    expect(stage.SummaryStatistics).toEqual({
      OkCount: 1,
      ErrorStatistics: { ThrottleCount: 1, OtherCount: 0, TotalCount: 1 },
      FaultStatistics: { OtherCount: 1, TotalCount: 1 },
      TotalCount: 3,
      TotalResponseTime: 1.5,
    });
    // The edge is the gateway's `Lambda` subsegment: faulty in one trace (0.48 s each).
    expect(stage.Edges).toEqual([
      {
        ReferenceId: named(graph, 'AWS::Lambda', 'CreateOrder').ReferenceId,
        StartTime: T + 0.01,
        EndTime: T + 20.49,
        SummaryStatistics: {
          OkCount: 2,
          ErrorStatistics: { ThrottleCount: 0, OtherCount: 0, TotalCount: 0 },
          FaultStatistics: { OtherCount: 1, TotalCount: 1 },
          TotalCount: 3,
          TotalResponseTime: 1.44,
        },
        Aliases: [],
      },
    ]);
  });

  it('counts only what overlaps the time window, and leaves documents in progress uncounted', () => {
    // Prepare
    const unfinished = analyzeTrace(
      traceIdAt(T + 40, 'd'),
      orderRequest({
        traceId: traceIdAt(T + 40, 'd'),
        start: T + 40,
        orderId: 'o4',
        consumerInProgress: true,
      }),
    );

    // Act
    const windowed = buildServiceGraph([ok, failing, throttled, unfinished], { start: T + 9, end: T + 11 });
    const withUnfinished = buildServiceGraph([unfinished]);

    // Assess
    expect(named(windowed, 'AWS::ApiGateway::Stage', 'shop-api/prod').SummaryStatistics.TotalCount).toBe(1);
    expect(named(windowed, 'AWS::ApiGateway::Stage', 'shop-api/prod').StartTime).toBe(T + 10);
    const projector = named(withUnfinished, 'AWS::Lambda::Function', 'Projector');
    expect(projector.SummaryStatistics.TotalCount).toBe(0);
    expect(projector.StartTime).toBe(T + 40.31);
  });

  it('is empty without traces', () => {
    expect(buildServiceGraph([])).toEqual([]);
  });
});
