import type { SegmentDocument } from '../../../src/xray/segment-document';
import { summarizeTrace, summarizeTraces } from '../../../src/xray/trace-summary';

const TRACE_A = '1-5759e988-aaaaaaaaaaaaaaaaaaaaaaaa';
const TRACE_B = '1-5759e990-bbbbbbbbbbbbbbbbbbbbbbbb';
const TRACE_C = '1-5759e999-cccccccccccccccccccccccc';

const gateway: SegmentDocument = {
  id: 'a000000000000001',
  trace_id: TRACE_A,
  name: 'shop/prod',
  origin: 'AWS::ApiGateway::Stage',
  start_time: 100,
  end_time: 100.5,
  http: { request: { method: 'POST', url: 'http://127.0.0.1:3000/orders' }, response: { status: 502 } },
  fault: true,
};
const service: SegmentDocument = {
  id: 'a000000000000002',
  trace_id: TRACE_A,
  parent_id: gateway.id,
  name: 'create-order',
  origin: 'AWS::Lambda',
  start_time: 100.1,
  end_time: 100.4,
};
const fn: SegmentDocument = {
  id: 'a000000000000003',
  trace_id: TRACE_A,
  parent_id: service.id,
  name: 'create-order',
  origin: 'AWS::Lambda::Function',
  // Started in the same instant as its caller: the call order still puts it after.
  start_time: 100.1,
  end_time: 100.4,
};
const throttled: SegmentDocument = {
  id: 'a000000000000004',
  trace_id: TRACE_A,
  parent_id: fn.id,
  type: 'subsegment',
  name: 'DynamoDB',
  namespace: 'aws',
  start_time: 100.2,
  end_time: 100.3,
  throttle: true,
  error: true,
};

describe('summarizeTrace', () => {
  it('gives start, duration, the API request, the services in call order and the flags', () => {
    // Act
    const summary = summarizeTrace(TRACE_A, [throttled, fn, service, gateway]);

    // Assess
    expect(summary).toEqual({
      id: TRACE_A,
      startTime: 100,
      duration: 0.5,
      inProgress: false,
      rootRequest: 'POST http://127.0.0.1:3000/orders',
      services: [
        { name: 'shop/prod', origin: 'AWS::ApiGateway::Stage' },
        { name: 'create-order', origin: 'AWS::Lambda' },
        { name: 'create-order', origin: 'AWS::Lambda::Function' },
      ],
      hasError: true,
      hasFault: true,
      hasThrottle: true,
      documents: 4,
    });
  });

  it("names a trace without API Gateway by its first segment, and tells it's in progress", () => {
    // Prepare
    const stream: SegmentDocument = {
      id: 'b000000000000001',
      trace_id: TRACE_B,
      name: 'relay',
      origin: 'AWS::Lambda',
      start_time: 200,
      in_progress: true,
    };
    const call: SegmentDocument = {
      id: 'b000000000000002',
      trace_id: TRACE_B,
      parent_id: stream.id,
      type: 'subsegment',
      name: 'EventBridge',
      start_time: 200.2,
      end_time: 200.7,
    };

    // Act
    const summary = summarizeTrace(TRACE_B, [call, stream]);

    // Assess
    expect(summary).toMatchObject({
      rootRequest: 'relay',
      inProgress: true,
      duration: 0.7,
      services: [{ name: 'relay', origin: 'AWS::Lambda' }],
      hasError: false,
      hasFault: false,
      hasThrottle: false,
    });
  });
});

describe('summarizeTraces', () => {
  const lone = (traceId: string, start: number): SegmentDocument => ({
    id: `${traceId.slice(-4)}000000000000`,
    trace_id: traceId,
    name: traceId.slice(-1),
    start_time: start,
    end_time: start + 1,
  });

  it('summarizes each trace once, newest first', () => {
    // Act
    const summaries = summarizeTraces([gateway, lone(TRACE_C, 300), service, lone(TRACE_B, 200), fn]);

    // Assess
    expect(summaries.map((summary) => [summary.id, summary.documents])).toEqual([
      [TRACE_C, 1],
      [TRACE_B, 1],
      [TRACE_A, 3],
    ]);
  });

  it('keeps the newest `limit` traces', () => {
    // Act
    const summaries = summarizeTraces([lone(TRACE_B, 200), lone(TRACE_A, 100), lone(TRACE_C, 300)], 2);

    // Assess
    expect(summaries.map((summary) => summary.id)).toEqual([TRACE_C, TRACE_B]);
  });
});
