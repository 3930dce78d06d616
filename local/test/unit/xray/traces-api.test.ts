import { listen, sendJson, type RunningServer } from '../../../src/cloud/http-server';
import type { SegmentDocument } from '../../../src/xray/segment-document';
import { TraceStore } from '../../../src/xray/trace-store';
import { handleTracesApi } from '../../../src/xray/traces-api';

const OLD = '1-5759e988-aaaaaaaaaaaaaaaaaaaaaaaa';
const NEW = '1-5759e999-bbbbbbbbbbbbbbbbbbbbbbbb';

const gateway: SegmentDocument = {
  id: 'b000000000000001',
  trace_id: NEW,
  name: 'shop/prod',
  origin: 'AWS::ApiGateway::Stage',
  start_time: 200,
  end_time: 201,
  http: { request: { method: 'GET', url: 'http://127.0.0.1/orders' }, response: { status: 200 } },
};
const service: SegmentDocument = {
  id: 'b000000000000002',
  trace_id: NEW,
  parent_id: gateway.id,
  name: 'orders',
  origin: 'AWS::Lambda',
  start_time: 200.1,
  end_time: 200.9,
};

describe('handleTracesApi', () => {
  let server: RunningServer;
  const store = new TraceStore();

  const get = async (path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${server.url}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    store.put({ id: 'a000000000000001', trace_id: OLD, name: 'relay', start_time: 100, end_time: 100.5 });
    store.put(service);
    store.put(gateway);
    server = await listen(0, async (req, res) => {
      if (!(await handleTracesApi(store, req, res))) sendJson(res, 404, { message: 'not the traces API' });
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('lists trace summaries, newest first, with the daemon counters', async () => {
    // Act
    const { status, body } = await get('/_local/traces');

    // Assess
    expect(status).toBe(200);
    expect(body.traces).toEqual([
      expect.objectContaining({ id: NEW, rootRequest: 'GET http://127.0.0.1/orders', duration: 1 }),
      expect.objectContaining({ id: OLD, rootRequest: 'relay' }),
    ]);
    expect(body.daemon).toMatchObject({ stored: 3, malformed: 0 });
  });

  it('honours ?limit= and refuses a limit that is not a positive integer', async () => {
    // Act
    const limited = await get('/_local/traces?limit=1');
    const refused = await Promise.all(['0', 'x', '1.5'].map((limit) => get(`/_local/traces?limit=${limit}`)));

    // Assess
    expect((limited.body.traces as { id: string }[]).map((trace) => trace.id)).toEqual([NEW]);
    expect(refused.map((answer) => answer.status)).toEqual([400, 400, 400]);
  });

  it('answers one trace as a tree of its segments', async () => {
    // Act
    const { status, body } = await get(`/_local/traces/${NEW}`);

    // Assess
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: NEW,
      rootRequest: 'GET http://127.0.0.1/orders',
      segments: [{ id: gateway.id, children: [{ id: service.id, children: [] }] }],
    });
  });

  it('answers 404 for a trace it does not hold, and leaves other paths alone', async () => {
    // Act
    const unknown = await get('/_local/traces/1-5759e999-cccccccccccccccccccccccc');
    const malformed = await get('/_local/traces/nope');
    const other = await get('/_local/tracesx');

    // Assess
    expect([unknown.status, malformed.status]).toEqual([404, 404]);
    expect(other.body).toEqual({ message: 'not the traces API' });
  });
});
