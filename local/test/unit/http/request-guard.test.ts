import { listen, type RunningServer } from '../../../src/cloud/http-server';
import type { CrossOriginPolicy } from '../../../src/http/request-guard';
import { sendRaw, type RawReply } from '../../support/raw-http';

const servers: RunningServer[] = [];

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

/** A server whose handler answers 200 to whatever the guard lets through. */
async function guardedServer(policy: CrossOriginPolicy): Promise<RunningServer> {
  const server = await listen(
    0,
    async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"served":true}');
    },
    policy,
  );
  servers.push(server);
  return server;
}

function refusalMessage(reply: RawReply): unknown {
  expect(reply.headers['content-type']).toBe('application/json');
  return (JSON.parse(reply.text) as { message?: unknown }).message;
}

describe('the request guard of every server', () => {
  let edge: RunningServer;
  let api: RunningServer;

  beforeAll(async () => {
    edge = await guardedServer('refuse-every-request');
    api = await guardedServer('refuse-local-endpoint-changes');
  });

  it.each([
    'evil.example',
    'evil.example:4566',
    'localhost.evil.example',
    '127.0.0.1.nip.io',
    '128.0.0.1',
    '127.0.0.256',
    '[::2]:4566',
    '0.0.0.0:4566',
    'data-localhost:4566',
    'data-10.0.0.1:4566',
    'data-127.0.0.1.evil.example',
  ])('refuses the Host %s, on the edge and on the app’s routes alike', async (host) => {
    // Act
    const replies = await Promise.all([
      sendRaw({ port: edge.port, headers: { host } }),
      sendRaw({ port: api.port, path: '/prod/orders', headers: { host } }),
    ]);

    // Assess
    for (const reply of replies) {
      expect(reply.status).toBe(403);
      expect(refusalMessage(reply)).toBe(
        `The local cloud only answers requests addressed to localhost, 127.0.0.1 or [::1], not to '${host}'.`,
      );
    }
  });

  it.each([
    'localhost',
    'LOCALHOST:4566',
    'api.localhost:3000',
    '127.0.0.1',
    '127.1.2.3:8080',
    '[::1]:4566',
    // The AWS SDK's host prefixes on a loopback address (Cloud Map's DiscoverInstances, StartSyncExecution).
    'data-127.0.0.1:4566',
    'sync-127.0.0.1',
  ])('serves the loopback Host %s', async (host) => {
    // Act
    const reply = await sendRaw({ port: edge.port, method: 'POST', body: '{}', headers: { host } });

    // Assess
    expect(reply).toMatchObject({ status: 200, text: '{"served":true}' });
  });
});

describe('the edge (the AWS APIs)', () => {
  let edge: RunningServer;

  beforeAll(async () => {
    edge = await guardedServer('refuse-every-request');
  });

  it.each([
    ['a POST from a page of another origin', 'POST', { origin: 'https://evil.example' }],
    [
      'a text/plain POST, which needs no preflight',
      'POST',
      { origin: 'http://evil.example', 'content-type': 'text/plain' },
    ],
    ['a GET from a page of another origin', 'GET', { origin: 'https://evil.example' }],
    ['a request from an opaque origin', 'POST', { origin: 'null' }],
    ['a request from a loopback look-alike', 'POST', { origin: 'http://127.0.0.1.evil.example' }],
    ['a cross-site request without an Origin', 'GET', { 'sec-fetch-site': 'cross-site' }],
  ])('refuses %s', async (_what, method, headers) => {
    // Act
    const reply = await sendRaw({
      port: edge.port,
      method,
      path: '/2015-03-31/functions/orders/invocations',
      headers,
      ...(method === 'POST' ? { body: '{}' } : {}),
    });

    // Assess
    expect(reply.status).toBe(403);
    expect(refusalMessage(reply)).toMatch(/^The local cloud refuses this request from a page of /);
  });

  it.each([
    ['an SDK or CLI request (no Origin)', {}],
    ['a page served from localhost', { origin: 'http://localhost:5173' }],
    ['a page served from 127.0.0.1', { origin: 'https://127.0.0.1:8443' }],
    ['a same-origin request without an Origin', { 'sec-fetch-site': 'same-origin' }],
  ])('serves %s', async (_what, headers) => {
    // Act
    const reply = await sendRaw({ port: edge.port, method: 'POST', body: '{}', headers });

    // Assess
    expect(reply.status).toBe(200);
  });
});

describe('the API port (the app’s routes and /_local)', () => {
  let api: RunningServer;

  beforeAll(async () => {
    api = await guardedServer('refuse-local-endpoint-changes');
  });

  it.each([
    ['POST', '/_local/faults', { origin: 'https://evil.example' }],
    ['DELETE', '/_local/faults', { origin: 'https://evil.example' }],
    ['DELETE', '/_local/faults/fault-1', { 'sec-fetch-site': 'cross-site' }],
  ])('refuses a %s to %s from a page of another site', async (method, path, headers) => {
    // Act
    const reply = await sendRaw({ port: api.port, method, path, headers });

    // Assess
    expect(reply.status).toBe(403);
    expect(refusalMessage(reply)).toMatch(/^The local cloud refuses this request from a page of /);
  });

  it.each([
    ['a read of /_local from another origin', 'GET', '/_local/health', { origin: 'https://evil.example' }],
    ['a preflight to /_local', 'OPTIONS', '/_local/faults', { origin: 'https://evil.example' }],
    [
      'a change to /_local from a loopback page',
      'POST',
      '/_local/faults',
      { origin: 'http://127.0.0.1:3000' },
    ],
    ['a change to /_local from a script (no Origin)', 'DELETE', '/_local/faults', {}],
    [
      'a cross-origin POST to the app’s API, as API Gateway does',
      'POST',
      '/prod/orders',
      { origin: 'https://shop.example' },
    ],
    ['a cross-site GET of the app’s API', 'GET', '/prod/orders', { 'sec-fetch-site': 'cross-site' }],
  ])('serves %s', async (_what, method, path, headers) => {
    // Act
    const reply = await sendRaw({ port: api.port, method, path, headers });

    // Assess
    expect(reply.status).toBe(200);
  });
});
