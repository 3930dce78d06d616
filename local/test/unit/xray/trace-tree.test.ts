import type { SegmentDocument } from '../../../src/xray/segment-document';
import { buildTraceTree, flattenDocuments, type TraceNode } from '../../../src/xray/trace-tree';

const TRACE_ID = '1-5759e988-bd862e3fe1be46a994272793';
let nextId = 0;
const id = (): string => (++nextId).toString(16).padStart(16, '0');

const doc = (name: string, start: number, extra: Partial<SegmentDocument> = {}): SegmentDocument => ({
  id: id(),
  trace_id: TRACE_ID,
  name,
  start_time: start,
  end_time: start + 1,
  ...extra,
});

/** `name` and children, for readable expectations. */
const shape = (node: TraceNode): unknown =>
  node.children.length ? { [node.name]: node.children.map(shape) } : node.name;

describe('buildTraceTree', () => {
  it('nests subsegments and downstream segments under the document their parent_id names', () => {
    // Prepare
    const gateway = doc('api/prod', 10, { origin: 'AWS::ApiGateway::Stage' });
    const call = doc('Lambda', 11, { type: 'subsegment', parent_id: gateway.id });
    const service = doc('fn', 12, { origin: 'AWS::Lambda', parent_id: call.id });
    const fn = doc('fn', 12.5, { origin: 'AWS::Lambda::Function', parent_id: service.id });
    const handler = doc('## index.handler', 13, { type: 'subsegment', parent_id: fn.id });
    const dynamo = doc('DynamoDB', 14, { type: 'subsegment', parent_id: handler.id });
    const events = doc('EventBridge', 13.5, { type: 'subsegment', parent_id: handler.id });

    // Act: stored in an order unrelated to the calls
    const roots = buildTraceTree([dynamo, fn, events, gateway, handler, service, call]);

    // Assess
    expect(roots.map(shape)).toEqual([
      {
        'api/prod': [{ Lambda: [{ fn: [{ fn: [{ '## index.handler': ['EventBridge', 'DynamoDB'] }] }] }] }],
      },
    ]);
  });

  it('lifts embedded subsegments out, with the trace id and parent they imply', () => {
    // Prepare
    const inner: SegmentDocument = { id: id(), name: 'inner', start_time: 3, end_time: 4 };
    const outer: SegmentDocument = {
      id: id(),
      name: 'outer',
      start_time: 2,
      end_time: 5,
      subsegments: [inner],
    };
    const segment = doc('service', 1, { subsegments: [outer] });

    // Act
    const roots = buildTraceTree([segment]);
    const flat = flattenDocuments([segment]);

    // Assess
    expect(roots.map(shape)).toEqual([{ service: [{ outer: ['inner'] }] }]);
    expect(flat.find((d) => d.name === 'inner')).toMatchObject({
      trace_id: TRACE_ID,
      parent_id: outer.id,
      type: 'subsegment',
    });
    expect(flat.every((d) => d.subsegments === undefined)).toBe(true);
  });

  it('keeps orphans, whose parent is not in the trace, at the top, earliest first', () => {
    // Prepare
    const root = doc('root', 5);
    const orphan = doc('orphan', 1, { parent_id: 'ffffffffffffffff' });
    const child = doc('child', 6, { type: 'subsegment', parent_id: root.id });

    // Act
    const roots = buildTraceTree([root, child, orphan]);

    // Assess
    expect(roots.map(shape)).toEqual(['orphan', { root: ['child'] }]);
  });

  it('cuts a loop of parent ids rather than losing its documents', () => {
    // Prepare
    const a = doc('a', 1);
    const b = doc('b', 2, { parent_id: a.id });
    const looped = [{ ...a, parent_id: b.id }, b];

    // Act
    const roots = buildTraceTree(looped);

    // Assess
    expect(roots).toHaveLength(1);
    const names = [roots[0]?.name, roots[0]?.children[0]?.name].sort();
    expect(names).toEqual(['a', 'b']);
  });

  it('prefers the complete document when a subsegment is both embedded in progress and sent complete', () => {
    // Prepare
    const call: SegmentDocument = { id: id(), name: 'call', start_time: 2, in_progress: true };
    const segment = doc('service', 1, { subsegments: [call] });
    const completed: SegmentDocument = {
      ...call,
      in_progress: undefined,
      end_time: 3,
      trace_id: TRACE_ID,
      parent_id: segment.id,
      type: 'subsegment',
    };

    // Act
    const roots = buildTraceTree([completed, segment]);

    // Assess
    expect(roots[0]?.children).toEqual([expect.objectContaining({ id: call.id, end_time: 3 })]);
  });
});
