import { listen, type RunningServer } from '../../../src/cloud/http-server';
import { FaultRegistry } from '../../../src/faults/fault-registry';
import { handleFaultsApi } from '../../../src/faults/faults-api';
import { LOCAL_ENDPOINT_MAX_BODY_BYTES } from '../../../src/http/read-body';
import { sendRaw } from '../../support/raw-http';

let server: RunningServer;
let faults: FaultRegistry;

beforeAll(async () => {
  faults = new FaultRegistry({
    catalogue: {
      functions: [{ name: 'shop-Payments-1', logicalId: 'Payments1' }],
      eventSources: [],
      ruleTargets: [],
      buses: ['default'],
      tables: [],
      restApis: [],
    },
  });
  server = await listen(0, (req, res) => handleFaultsApi(faults, req, res));
});

afterEach(() => faults.clear());

afterAll(async () => {
  await server?.close();
});

const call = async (method: string, path: string, body?: string) => {
  const response = await fetch(`${server.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

const timeout = {
  kind: 'function-timeout',
  target: { logicalIdPrefix: 'Payments' },
  probability: 0.5,
  seed: 11,
};

describe('the /_local/faults API', () => {
  it('sets a fault and answers 201 with its id, seed, counters and what it names', async () => {
    // Act
    const created = await call('POST', '/_local/faults', JSON.stringify(timeout));

    // Assess
    expect(created.status).toBe(201);
    expect(created.body.fault).toEqual({
      ...timeout,
      id: expect.stringMatching(/^fault-\d+$/),
      matched: 0,
      injected: 0,
      exhausted: false,
      createdAt: expect.any(String),
      resolvedTargets: ['shop-Payments-1'],
    });
  });

  it('lists faults with their counters, shows one, removes one and clears all', async () => {
    // Prepare
    const first = faults.add({
      kind: 'function-timeout',
      target: { name: 'shop-Payments-1' },
      probability: 1,
    });
    const second = faults.add({ kind: 'put-events-failure', probability: 1, seed: 5 });
    faults.invocationFault('shop-Payments-1');

    // Act
    const listed = await call('GET', '/_local/faults');
    const shown = await call('GET', `/_local/faults/${first.id}`);
    const removed = await call('DELETE', `/_local/faults/${first.id}`);
    const missing = await call('DELETE', `/_local/faults/${first.id}`);
    const cleared = await call('DELETE', '/_local/faults');
    const after = await call('GET', '/_local/faults');

    // Assess
    expect(listed.body.faults).toEqual([
      expect.objectContaining({ id: first.id, matched: 1, injected: 1 }),
      expect.objectContaining({ id: second.id, seed: 5, matched: 0, injected: 0 }),
    ]);
    expect(shown).toEqual({ status: 200, body: { fault: expect.objectContaining({ id: first.id }) } });
    expect(removed).toEqual({
      status: 200,
      body: { deleted: 1, fault: expect.objectContaining({ id: first.id }) },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'FAULT_NOT_FOUND' });
    expect(cleared).toEqual({ status: 200, body: { deleted: 1 } });
    expect(after.body).toEqual({ faults: [] });
  });

  it('answers 400 VALIDATION_FAILED with each field’s path for an invalid fault', async () => {
    // Prepare
    const body = JSON.stringify({ ...timeout, probability: 2, target: {} });

    // Act
    const answer = await call('POST', '/_local/faults', body);

    // Assess
    expect(answer).toEqual({
      status: 400,
      body: {
        error: {
          code: 'VALIDATION_FAILED',
          message: expect.any(String),
          details: [
            { path: 'target', message: expect.stringContaining('logicalIdPrefix') },
            { path: 'probability', message: expect.stringContaining('1') },
          ],
        },
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
    });
    expect(faults.list()).toEqual([]);
  });

  it('answers 400 for a body that is not JSON', async () => {
    // Act
    const answer = await call('POST', '/_local/faults', '{"kind": ');

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: '', message: expect.stringContaining('JSON') }],
    });
  });

  it('answers 422 UNKNOWN_TARGET for a selector that names no function', async () => {
    // Prepare
    const body = JSON.stringify({ ...timeout, target: { name: 'no-such-function' } });

    // Act
    const answer = await call('POST', '/_local/faults', body);

    // Assess
    expect(answer.status).toBe(422);
    expect(answer.body).toEqual({
      error: { code: 'UNKNOWN_TARGET', message: expect.stringContaining('no-such-function') },
      requestId: expect.any(String),
    });
  });

  it('answers 405 for other methods', async () => {
    // Act
    const onCollection = await call('PUT', '/_local/faults', '{}');
    const onOne = await call('POST', '/_local/faults/fault-1', '{}');

    // Assess
    expect([onCollection.status, onOne.status]).toEqual([405, 405]);
    expect(onCollection.body.error).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
  });
});

describe('the /_local/faults body limit', () => {
  /** The fault, padded with JSON whitespace to `bytes`. */
  const faultOf = (bytes: number): string => JSON.stringify(timeout).padEnd(bytes, ' ');
  const tooLarge = {
    error: { code: 'REQUEST_TOO_LARGE', message: 'The request body is larger than 65536 bytes.' },
    requestId: expect.any(String),
  };

  it('sets a fault whose body is exactly 64 KB', async () => {
    // Act
    const answer = await call('POST', '/_local/faults', faultOf(LOCAL_ENDPOINT_MAX_BODY_BYTES));

    // Assess
    expect(answer.status).toBe(201);
  });

  it('answers 413 REQUEST_TOO_LARGE to a body one byte larger', async () => {
    // Act
    const answer = await call('POST', '/_local/faults', faultOf(LOCAL_ENDPOINT_MAX_BODY_BYTES + 1));

    // Assess
    expect(answer).toEqual({ status: 413, body: tooLarge });
    expect(faults.list()).toEqual([]);
  });

  it('answers 413 to a body announced as 10 GB without waiting for it', async () => {
    // Act
    const answer = await sendRaw({
      port: server.port,
      method: 'POST',
      path: '/_local/faults',
      announcedBytes: 10 * 1024 ** 3,
    });

    // Assess
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text)).toEqual(tooLarge);
  });
});
