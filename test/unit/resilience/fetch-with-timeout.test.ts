import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallTimeoutError, fetchWithTimeout } from '../../../shared/resilience';

/** A request the server received, and a promise that resolves when its connection closes. */
interface Received {
  readonly request: IncomingMessage;
  readonly closed: Promise<void>;
}

/** A real HTTP server on 127.0.0.1:<free port>; `answer` decides what to do with each request. */
async function startServer(answer: (request: IncomingMessage, response: ServerResponse) => void) {
  const received: Received[] = [];
  let first: (request: Received) => void = () => undefined;
  const firstRequest = new Promise<Received>((resolve) => {
    first = resolve;
  });
  const server: Server = createServer((request, response) => {
    const closed = new Promise<void>((resolve) => request.socket.once('close', () => resolve()));
    const entry = { request, closed };
    received.push(entry);
    first(entry);
    answer(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/charges?orderId=ord_1`,
    received,
    firstRequest,
    stop: async (): Promise<void> => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Resolves with 'closed' when `closed` does, or 'open' after `ms`. */
function closedWithin(closed: Promise<void>, ms: number): Promise<'closed' | 'open'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('open'), ms);
    void closed.then(() => {
      clearTimeout(timer);
      resolve('closed');
    });
  });
}

const neverAnswer = (): void => undefined;

let stops: (() => Promise<void>)[] = [];

afterEach(async () => {
  jest.restoreAllMocks();
  await Promise.all(stops.map((stop) => stop()));
  stops = [];
});

async function server(answer: (request: IncomingMessage, response: ServerResponse) => void) {
  const started = await startServer(answer);
  stops.push(started.stop);
  return started;
}

describe('fetchWithTimeout', () => {
  it('aborts a request that gets no answer: CallTimeoutError within the bound, and the connection closed', async () => {
    // Prepare
    const { url, firstRequest } = await server(neverAnswer);
    const startedAt = performance.now();

    // Act
    const caught = await fetchWithTimeout(url, { method: 'POST', body: '{}' }, 200).catch(
      (error: unknown) => error,
    );
    const elapsedMs = performance.now() - startedAt;
    const { request, closed } = await firstRequest;

    // Assess
    expect(caught).toBeInstanceOf(CallTimeoutError);
    expect(caught).toMatchObject({
      name: 'CallTimeoutError',
      timeoutMs: 200,
      // The query is left out of the message.
      message: `POST ${new URL(url).origin}/v1/charges did not answer within 200 ms.`,
      cause: expect.objectContaining({ name: 'TimeoutError' }),
    });
    expect(elapsedMs).toBeGreaterThanOrEqual(195);
    expect(elapsedMs).toBeLessThan(1_500);
    expect(request.method).toBe('POST');
    // The abort closed the connection: the server is not left answering into a void.
    expect(await closedWithin(closed, 2_000)).toBe('closed');
  });

  it('returns the response when it arrives in time, and clears its timer then', async () => {
    // Prepare
    const { url } = await server((_request, response) => {
      response.writeHead(201, { 'Content-Type': 'application/json' }).end('{"id":"ch_1"}');
    });
    const setTimer = jest.spyOn(global, 'setTimeout');
    const clearTimer = jest.spyOn(global, 'clearTimeout');

    // Act
    const response = await fetchWithTimeout(url, { method: 'POST', body: '{}' }, 60_000);

    // Assess
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ id: 'ch_1' });
    const armed = setTimer.mock.calls.findIndex(([, ms]) => ms === 60_000);
    expect(armed).toBeGreaterThanOrEqual(0);
    expect(clearTimer).toHaveBeenCalledWith(setTimer.mock.results[armed]?.value);
  });

  it('passes an HTTP error status on as a response: only the time is its business', async () => {
    // Prepare
    const { url } = await server((_request, response) => {
      response.writeHead(503).end();
    });

    // Act
    const response = await fetchWithTimeout(url, {}, 5_000);

    // Assess
    expect(response.status).toBe(503);
  });

  it('aborts the request when the caller’s own signal aborts, rejecting with its reason', async () => {
    // Prepare
    const { url, firstRequest } = await server(neverAnswer);
    const caller = new AbortController();
    const reason = new Error('the caller gave up');
    const pending = fetchWithTimeout(url, { signal: caller.signal }, 10_000).catch((error: unknown) => error);
    const { closed } = await firstRequest;

    // Act
    caller.abort(reason);
    const caught = await pending;

    // Assess
    expect(caught).toBe(reason);
    expect(await closedWithin(closed, 2_000)).toBe('closed');
  });

  it('sends nothing when the caller’s signal has already aborted', async () => {
    // Prepare
    const { url, received } = await server(neverAnswer);
    const caller = new AbortController();
    caller.abort(new Error('cancelled before it started'));

    // Act
    const outcome = fetchWithTimeout(url, { signal: caller.signal }, 10_000);

    // Assess
    await expect(outcome).rejects.toThrow('cancelled before it started');
    expect(received).toHaveLength(0);
  });

  it('passes other failures on as they are, e.g. a refused connection', async () => {
    // Prepare: a port nobody listens on any more.
    const { url, stop } = await startServer(neverAnswer);
    await stop();

    // Act
    const caught = await fetchWithTimeout(url, {}, 5_000).catch((error: unknown) => error);

    // Assess
    // Node's fetch lives in another realm than the test's globals: compare by name.
    expect(caught).toMatchObject({ name: 'TypeError', message: 'fetch failed' });
    expect(caught).not.toBeInstanceOf(CallTimeoutError);
  });

  it('refuses a timeout that is not a positive number', async () => {
    // Act
    const outcome = fetchWithTimeout('http://127.0.0.1:9/', {}, 0);

    // Assess
    await expect(outcome).rejects.toThrow(/timeoutMs must be a positive number, not 0/);
  });
});
