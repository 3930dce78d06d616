import * as dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import * as AWSXRay from 'aws-xray-sdk-core';
import { DATAGRAM_HEADER, formatDatagram } from '../../../src/xray/daemon-datagram';
import type { SegmentDocument } from '../../../src/xray/segment-document';
import { TraceStore } from '../../../src/xray/trace-store';
import { buildTraceTree } from '../../../src/xray/trace-tree';
import { parseDaemonAddress, XRayDaemon } from '../../../src/xray/xray-daemon';
import { eventually } from '../../../src/testing/eventually';

const TRACE_ID = '1-5759e988-bd862e3fe1be46a994272793';
const started: SegmentDocument = {
  id: '70de5b6f19ff9a0a',
  trace_id: TRACE_ID,
  name: 'orders',
  start_time: 1_478_293_361.271,
  in_progress: true,
};

describe('TraceStore', () => {
  it('replaces a document by a later one with the same id, as an in-progress segment completes', () => {
    // Prepare
    const store = new TraceStore();
    store.put(started);

    // Act
    store.put({ ...started, in_progress: undefined, end_time: 1_478_293_362 });

    // Assess
    expect(store.trace(TRACE_ID)).toEqual([expect.objectContaining({ end_time: 1_478_293_362 })]);
    expect(store.stats()).toMatchObject({ received: 2, stored: 1, evicted: 0 });
  });

  it('keeps only the most recently stored documents', () => {
    // Prepare
    const store = new TraceStore(3);
    const ids = ['0000000000000001', '0000000000000002', '0000000000000003', '0000000000000004'];

    // Act
    for (const id of ids) store.put({ ...started, id });
    store.put({ ...started, id: '0000000000000002', name: 'refreshed' });
    store.put({ ...started, id: '0000000000000005' });

    // Assess
    expect(store.all().map((document) => document.id)).toEqual([
      '0000000000000004',
      '0000000000000002',
      '0000000000000005',
    ]);
    expect(store.stats()).toMatchObject({ evicted: 2, stored: 3 });
  });
});

describe('parseDaemonAddress', () => {
  it('reads both forms of AWS_XRAY_DAEMON_ADDRESS, keeping the UDP address', () => {
    // Assess
    expect(parseDaemonAddress('127.0.0.1:2000')).toEqual({ host: '127.0.0.1', port: 2000 });
    expect(parseDaemonAddress('tcp:10.0.0.1:2001 udp:10.0.0.2:2002')).toEqual({
      host: '10.0.0.2',
      port: 2002,
    });
    expect(parseDaemonAddress('2000')).toBeUndefined();
    expect(parseDaemonAddress('127.0.0.1:99999')).toBeUndefined();
    expect(parseDaemonAddress(undefined)).toBeUndefined();
  });
});

describe('XRayDaemon over UDP', () => {
  let daemon: XRayDaemon;
  let client: dgram.Socket;

  const send = (datagram: Buffer | string): Promise<void> =>
    new Promise((resolve, reject) => {
      client.send(datagram, daemon.port, '127.0.0.1', (error) => (error ? reject(error) : resolve()));
    });

  beforeAll(async () => {
    daemon = await XRayDaemon.start({ port: 0 });
    client = dgram.createSocket('udp4');
  });

  afterAll(async () => {
    client?.close();
    await daemon?.stop();
  });

  it('listens on a free port when asked for port 0', () => {
    // Assess
    expect(daemon.port).toBeGreaterThan(0);
    expect(daemon.address).toBe(`127.0.0.1:${daemon.port}`);
  });

  it('stores what it receives and completes an in-progress segment', async () => {
    // Prepare
    const traceId = '1-5759e988-000000000000000000000001';
    const segment = { ...started, trace_id: traceId };

    // Act
    await send(formatDatagram(segment));
    await send(formatDatagram({ ...segment, in_progress: undefined, end_time: 1_478_293_363 }));

    // Assess
    const stored = await eventually(
      async () => {
        const [document] = daemon.store.trace(traceId);
        return document?.end_time === undefined ? undefined : document;
      },
      { what: 'the completed segment' },
    );
    expect(stored).toMatchObject({ id: segment.id, end_time: 1_478_293_363 });
    expect(daemon.store.trace(traceId)).toHaveLength(1);
  });

  it('counts datagrams it cannot read and keeps listening', async () => {
    // Prepare
    const traceId = '1-5759e988-000000000000000000000002';
    const before = daemon.store.stats().malformed;

    // Act
    await send('not a datagram');
    await send(`${DATAGRAM_HEADER}\n{"id":"broken"}`);
    await send(formatDatagram({ ...started, trace_id: traceId }));

    // Assess
    await eventually(async () => (daemon.store.trace(traceId).length === 1 ? true : undefined), {
      what: 'the good datagram',
    });
    expect(daemon.store.stats().malformed - before).toBe(2);
  });

  it('receives the segments the X-Ray SDK sends', async () => {
    // Prepare
    AWSXRay.setDaemonAddress(daemon.address);
    AWSXRay.setLogger({
      error: () => undefined,
      warn: () => undefined,
      info: () => undefined,
      debug: () => undefined,
    });
    const segment = new AWSXRay.Segment('sdk-service');
    const subsegment = segment.addNewSubsegment('DynamoDB');
    subsegment.namespace = 'aws';

    // Act
    subsegment.close();
    segment.close();

    // Assess
    const traceId = segment.trace_id;
    const [root] = await eventually(
      async () => {
        const documents = daemon.store.trace(traceId);
        return documents.length > 0 ? buildTraceTree(documents) : undefined;
      },
      { what: "the SDK's segment" },
    );
    expect(root).toMatchObject({ id: segment.id, name: 'sdk-service' });
    expect(root?.children).toEqual([
      expect.objectContaining({ id: subsegment.id, name: 'DynamoDB', namespace: 'aws', type: 'subsegment' }),
    ]);
  });

  it('refuses a port asked for by name that is taken, rather than moving elsewhere', async () => {
    // Prepare
    const holder = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', resolve));
    const taken = (holder.address() as AddressInfo).port;

    // Act
    const attempt = XRayDaemon.start({ port: taken });

    // Assess
    await expect(attempt).rejects.toMatchObject({ code: 'EADDRINUSE' });
    holder.close();
  });

  it('listens on the loopback interface only, whatever host AWS_XRAY_DAEMON_ADDRESS names', async () => {
    // Prepare
    const configured = process.env.AWS_XRAY_DAEMON_ADDRESS;
    process.env.AWS_XRAY_DAEMON_ADDRESS = '0.0.0.0:0';

    // Act
    const everywhere = await XRayDaemon.start().finally(() => {
      if (configured === undefined) delete process.env.AWS_XRAY_DAEMON_ADDRESS;
      else process.env.AWS_XRAY_DAEMON_ADDRESS = configured;
    });
    await everywhere.stop();

    // Assess
    expect(everywhere.host).toBe('127.0.0.1');
    expect(everywhere.address).toBe(`127.0.0.1:${everywhere.port}`);
  });
});
