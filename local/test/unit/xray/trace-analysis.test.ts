import type { SegmentDocument } from '../../../src/xray/segment-document';
import { analyzeTrace, compileSegmentDocuments } from '../../../src/xray/trace-analysis';
import { orderRequest, traceIdAt } from './recorded-traces';

const TRACE = traceIdAt(1_800_000_000, 'a');
const documents = orderRequest({ traceId: TRACE, start: 1_800_000_000, orderId: 'order_1' });

describe('analyzeTrace', () => {
  it('finds the root segment, the services and the calls between them, an inferred DynamoDB among them', () => {
    // Act
    const trace = analyzeTrace(TRACE, documents);

    // Assess
    expect(trace.root?.service).toEqual({ name: 'shop-api/prod', type: 'AWS::ApiGateway::Stage' });
    expect(trace.startTime).toBe(1_800_000_000);
    expect(trace.duration).toBe(0.9);
    expect(trace.calls.map((call) => `${call.caller.type} → ${call.callee.type}`)).toEqual([
      'AWS::ApiGateway::Stage → AWS::Lambda',
      'AWS::Lambda → AWS::Lambda::Function',
      'AWS::Lambda::Function → AWS::Events',
      'AWS::Events → AWS::Lambda',
      'AWS::Lambda → AWS::Lambda::Function',
      'AWS::Lambda::Function → AWS::DynamoDB::Table',
    ]);
    // The gateway's call is timed by its `Lambda` subsegment; the function by its own segment.
    expect(trace.calls[0]?.document.name).toBe('Lambda');
    expect(trace.calls[1]?.document.origin).toBe('AWS::Lambda::Function');
    expect(trace.isPartial).toBe(false);
  });

  it("infers a segment for an AWS call no service recorded, but not for one that another service's segment answers", () => {
    // Act
    const trace = analyzeTrace(TRACE, documents);

    // Assess
    const inferred = trace.segments.filter((segment) => segment.inferred).map((segment) => segment.document);
    expect(inferred).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{16}$/),
        trace_id: TRACE,
        name: 'DynamoDB',
        start_time: 1_800_000_000.05,
        end_time: 1_800_000_000.15,
        parent_id: documents[4]?.id,
        inferred: true,
        origin: 'AWS::DynamoDB::Table',
        http: { response: { status: 200 } },
        aws: { operation: 'PutItem', table_name: 'orders' },
      },
    ]);
    // The same id on every read.
    expect(analyzeTrace(TRACE, documents).segments.find((segment) => segment.inferred)?.document.id).toBe(
      inferred[0]?.id,
    );
  });

  it('infers a remote service from a remote subsegment, and nothing for the HTTP call inside an AWS call', () => {
    // Prepare
    const fn: SegmentDocument = {
      id: 'f000000000000001',
      trace_id: TRACE,
      name: 'fn',
      start_time: 1,
      end_time: 2,
    };
    const remote: SegmentDocument = {
      id: 'f000000000000002',
      trace_id: TRACE,
      parent_id: fn.id,
      type: 'subsegment',
      name: 'api.example.com',
      namespace: 'remote',
      start_time: 1.1,
      end_time: 1.2,
    };
    const sqs: SegmentDocument = { ...remote, id: 'f000000000000003', name: 'SQS', namespace: 'aws' };
    const httpInsideSqs: SegmentDocument = { ...remote, id: 'f000000000000004', parent_id: sqs.id };

    // Act
    const trace = analyzeTrace(TRACE, [fn, remote, sqs, httpInsideSqs]);

    // Assess
    expect(trace.calls.map((call) => [call.caller.name, call.callee])).toEqual([
      ['fn', { name: 'api.example.com', type: 'remote' }],
      ['fn', { name: 'SQS', type: 'AWS::SQS::Queue' }],
    ]);
  });

  it('collects the annotations with the service of the segment they were recorded in, valid keys only', () => {
    // Prepare
    const withInvalidKey = documents.map((document) =>
      document.name === '## index.handler'
        ? { ...document, annotations: { ...document.annotations, 'order-id': 'dropped' } }
        : document,
    );

    // Act
    const trace = analyzeTrace(TRACE, withInvalidKey);

    // Assess
    const fn = { name: 'CreateOrder', type: 'AWS::Lambda::Function' };
    expect(trace.annotations).toEqual([
      { key: 'order_id', value: 'order_1', service: fn },
      { key: 'ColdStart', value: true, service: fn },
    ]);
  });

  it('is partial while a document is in progress, and without a root when every segment was called', () => {
    // Prepare
    const inProgress = orderRequest({ traceId: TRACE, start: 10, orderId: 'o', consumerInProgress: true });
    const orphan: SegmentDocument = {
      id: 'e000000000000001',
      trace_id: TRACE,
      parent_id: 'e000000000000002',
      type: 'subsegment',
      name: 'lost',
      start_time: 1,
      end_time: 2,
    };

    // Act
    const partial = analyzeTrace(TRACE, inProgress);
    const orphans = analyzeTrace(TRACE, [orphan]);

    // Assess
    expect(partial.isPartial).toBe(true);
    expect(orphans.root).toBeUndefined();
    expect(orphans.segments).toEqual([]);
  });
});

describe('compileSegmentDocuments', () => {
  it('puts the subsegments sent on their own back under their parents, and adds the inferred segments', () => {
    // Act
    const compiled = compileSegmentDocuments(analyzeTrace(TRACE, documents));

    // Assess
    expect(compiled.map((document) => document.origin)).toEqual([
      'AWS::ApiGateway::Stage',
      'AWS::Lambda',
      'AWS::Lambda::Function',
      'AWS::DynamoDB::Table',
      'AWS::Events',
      'AWS::Lambda',
      'AWS::Lambda::Function',
    ]);
    const fn = compiled[2];
    expect(fn?.subsegments).toEqual([
      {
        id: documents[3]?.id,
        name: '## index.handler',
        start_time: 1_800_000_000.04,
        end_time: 1_800_000_000.46,
        annotations: { order_id: 'order_1', ColdStart: true },
        subsegments: [
          expect.objectContaining({ name: 'DynamoDB', namespace: 'aws' }),
          expect.objectContaining({ name: 'EventBridge', namespace: 'aws' }),
        ],
      },
    ]);
    // Embedded, a subsegment carries no trace id, type or parent id of its own.
    expect(fn?.subsegments?.[0]?.subsegments?.[0]).not.toHaveProperty('parent_id');
    expect(compiled[0]?.subsegments).toEqual([expect.objectContaining({ name: 'Lambda' })]);
  });
});
