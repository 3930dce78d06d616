import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpPaymentProvider } from '../../../functions/payments/adapters/http-payment-provider';
import {
  ProviderRejectedError,
  ProviderTransientError,
} from '../../../functions/payments/ports/payment-provider';
import { ORDER_ID, rejectionOf } from './fakes';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
}

type Reply = (request: Received, response: ServerResponse) => void;

/** A real HTTP server on 127.0.0.1, answering each request with the next reply of its script. */
class ScriptedServer {
  readonly received: Received[] = [];
  /** Requests whose connection the client closed before an answer. */
  aborted = 0;
  private readonly replies: Reply[] = [];
  private readonly server: Server;

  constructor() {
    this.server = createServer((request, response) => {
      let text = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (text += chunk));
      request.on('end', () => {
        const received = {
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          body: text.length === 0 ? undefined : (JSON.parse(text) as unknown),
        };
        this.received.push(received);
        response.on('close', () => {
          if (!response.writableEnded) this.aborted += 1;
        });
        const reply = this.replies.shift() ?? json(500, { error: { code: 'unscripted' } });
        reply(received, response);
      });
    });
  }

  reply(...replies: Reply[]): this {
    this.replies.push(...replies);
    return this;
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/prod/`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Reply =>
  (_request, response) => {
    response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };
const text =
  (status: number, body: string): Reply =>
  (_request, response) => {
    response.writeHead(status, { 'Content-Type': 'text/plain' });
    response.end(body);
  };
/** Never answers. */
const hang: Reply = () => undefined;

const charge = (overrides: Record<string, unknown> = {}) => ({
  id: 'ch_01',
  object: 'charge',
  status: 'succeeded',
  amountCents: 3_000,
  currency: 'USD',
  orderId: ORDER_ID,
  refundedCents: 0,
  createdAt: '2026-11-26T12:00:00.000Z',
  ...overrides,
});
const chargeRequest = {
  idempotencyKey: `charge-${ORDER_ID}`,
  orderId: ORDER_ID,
  payerId: 'usr_01JD0000000000000000000001',
  amountCents: 3_000,
  currency: 'USD',
  source: { method: 'card', token: 'tok_visa' },
  correlationId: 'corr-1',
} as const;

describe('HttpPaymentProvider', () => {
  let server: ScriptedServer;
  let provider: HttpPaymentProvider;
  let baseUrl: string;

  beforeEach(async () => {
    server = new ScriptedServer();
    baseUrl = await server.start();
    provider = new HttpPaymentProvider({ baseUrl, timeoutMs: 300 });
  });
  afterEach(() => server.stop());

  describe('charge', () => {
    test('POSTs v1/charges under the stage with the Idempotency-Key, and maps 201 to a capture', async () => {
      // Prepare
      server.reply(json(201, charge()));
      // Act
      const result = await provider.charge(chargeRequest);
      // Assess
      expect(result).toEqual({
        outcome: 'captured',
        chargeId: 'ch_01',
        amountCents: 3_000,
        currency: 'USD',
        replayed: false,
      });
      const [request] = server.received;
      expect(request).toMatchObject({
        method: 'POST',
        url: '/prod/v1/charges',
        body: { amountCents: 3_000, currency: 'USD', token: 'tok_visa', orderId: ORDER_ID },
      });
      expect(request?.headers).toMatchObject({
        'idempotency-key': `charge-${ORDER_ID}`,
        'content-type': 'application/json',
        'x-correlation-id': 'corr-1',
      });
    });

    test('sends no credentials to a processor without an API key (the sandbox)', async () => {
      // Prepare
      server.reply(json(201, charge()));
      // Act
      await provider.charge(chargeRequest);
      // Assess
      expect(server.received[0]?.headers).not.toHaveProperty('authorization');
    });

    test('sends the API key as a bearer token on every call, read when the call is made', async () => {
      // Prepare: the key rotates between the two calls.
      const keys = ['sk_live_first', 'sk_live_second'];
      const keyed = new HttpPaymentProvider({
        baseUrl,
        timeoutMs: 300,
        apiKey: async () => keys.shift() ?? 'none left',
      });
      server.reply(json(201, charge()), json(200, { object: 'list', data: [charge()] }));
      // Act
      await keyed.charge(chargeRequest);
      await keyed.listCharges(ORDER_ID);
      // Assess
      expect(server.received.map((request) => request.headers.authorization)).toEqual([
        'Bearer sk_live_first',
        'Bearer sk_live_second',
      ]);
    });

    test('a key that cannot be read fails the call as transient, before any request is sent', async () => {
      // Prepare
      const keyed = new HttpPaymentProvider({
        baseUrl,
        timeoutMs: 300,
        apiKey: async () => {
          throw new Error('SSM is unreachable');
        },
      });
      // Act
      const outcome = keyed.charge(chargeRequest);
      // Assess
      await expect(outcome).rejects.toBeInstanceOf(ProviderTransientError);
      expect(server.received).toEqual([]);
    });

    test('tells a replayed answer (Idempotent-Replayed: true)', async () => {
      server.reply(json(201, charge(), { 'Idempotent-Replayed': 'true' }));
      expect(await provider.charge(chargeRequest)).toMatchObject({ outcome: 'captured', replayed: true });
    });

    describe('over discovered instances', () => {
      let other: ScriptedServer;
      let otherUrl: string;
      const instance = (instanceId: string, url: string) => ({ instanceId, url, weight: 1 });
      beforeEach(async () => {
        other = new ScriptedServer();
        otherUrl = await other.start();
      });
      afterEach(() => other.stop());

      test.each([
        ['503 from its gateway', json(503, { message: 'Service Unavailable' })],
        ['502', json(502, { message: 'Internal server error' })],
      ])(
        'an instance answering %s is down: the same request (same Idempotency-Key) goes to the next, and the first is told',
        async (_, reply) => {
          // Prepare
          server.reply(reply);
          other.reply(json(201, charge()));
          const down: string[] = [];
          const discovered = new HttpPaymentProvider({
            instances: async () => [instance('zone-a', baseUrl), instance('zone-b', otherUrl)],
            onInstanceDown: ({ instanceId }) => down.push(instanceId),
            timeoutMs: 300,
          });
          // Act
          const result = await discovered.charge(chargeRequest);
          // Assess
          expect(result).toMatchObject({ outcome: 'captured', chargeId: 'ch_01' });
          expect(down).toEqual(['zone-a']);
          expect(other.received[0]?.headers['idempotency-key']).toBe(
            server.received[0]?.headers['idempotency-key'],
          );
        },
      );

      test('an instance that cannot be reached is down; every instance down fails as the last one did', async () => {
        // Prepare: nothing listens on the first URL.
        const closed = new ScriptedServer();
        const closedUrl = await closed.start();
        await closed.stop();
        other.reply(json(503, { message: 'Service Unavailable' }));
        const discovered = new HttpPaymentProvider({
          instances: async () => [instance('gone', closedUrl), instance('zone-b', otherUrl)],
          timeoutMs: 300,
        });
        // Act
        const outcome = discovered.charge(chargeRequest);
        // Assess
        await expect(outcome).rejects.toMatchObject({ reason: 'server-error', status: 503 });
        expect(other.received).toHaveLength(1);
      });

      test("the processor's own 503 (its error body: up, saying later) does not fail over", async () => {
        server.reply(json(503, { error: { code: 'service_unavailable', message: 'try again' } }));
        const discovered = new HttpPaymentProvider({
          instances: async () => [instance('zone-a', baseUrl), instance('zone-b', otherUrl)],
          timeoutMs: 300,
        });
        await expect(discovered.charge(chargeRequest)).rejects.toMatchObject({
          reason: 'server-error',
          status: 503,
        });
        expect(other.received).toEqual([]);
      });

      test('a timeout, a decline or a 500 from the processor itself does not fail over', async () => {
        // Prepare
        server.reply(
          hang,
          json(402, { error: { code: 'card_declined' } }),
          json(500, { error: { code: 'processing_error' } }),
        );
        const discovered = new HttpPaymentProvider({
          instances: async () => [instance('zone-a', baseUrl), instance('zone-b', otherUrl)],
          timeoutMs: 200,
        });
        // Act
        const timedOut = discovered.charge(chargeRequest).catch((error: unknown) => error);
        await timedOut;
        const declined = await discovered.charge(chargeRequest);
        const failed = await discovered.charge(chargeRequest).catch((error: unknown) => error);
        // Assess
        expect(await timedOut).toMatchObject({ reason: 'timeout' });
        expect(declined).toMatchObject({ outcome: 'declined' });
        expect(failed).toMatchObject({ reason: 'server-error', status: 500 });
        expect(other.received).toEqual([]);
      });
    });

    test('is given one processor: baseUrl or instances', () => {
      expect(() => new HttpPaymentProvider({ timeoutMs: 100 })).toThrow(/baseUrl or as instances/);
    });

    test('keeps the stage of a base URL without a trailing slash', async () => {
      server.reply(json(201, charge()));
      const unslashed = new HttpPaymentProvider({ baseUrl: baseUrl.replace(/\/$/, ''), timeoutMs: 300 });
      await unslashed.charge(chargeRequest);
      expect(server.received[0]?.url).toBe('/prod/v1/charges');
    });

    test.each([
      [402, 'card_declined'],
      [402, 'insufficient_funds'],
      [400, 'invalid_token'],
    ])('maps %i %s to a decline with its code', async (status, code) => {
      server.reply(json(status, { error: { type: 'card_error', code, message: 'no' } }));
      expect(await provider.charge(chargeRequest)).toEqual({ outcome: 'declined', code, message: 'no' });
    });

    test.each([
      [400, 'parameter_invalid'],
      [409, 'key_reused'],
    ])('maps %i %s to ProviderRejectedError', async (status, code) => {
      server.reply(json(status, { error: { type: 'invalid_request_error', code } }));
      const error = await rejectionOf(provider.charge(chargeRequest));
      expect(error).toBeInstanceOf(ProviderRejectedError);
      expect(error).toMatchObject({ status, code });
    });

    test.each([500, 502, 503, 429])('maps %i to a transient server error', async (status) => {
      server.reply(json(status, { error: { type: 'api_error', code: 'processing_error' } }));
      const error = await rejectionOf(provider.charge(chargeRequest));
      expect(error).toBeInstanceOf(ProviderTransientError);
      expect(error).toMatchObject({ reason: 'server-error', status });
    });

    test('a replayed 5xx is a replayed-error: the stored outcome of an earlier attempt with the key', async () => {
      server.reply(
        json(
          500,
          { error: { type: 'api_error', code: 'processing_error' } },
          { 'Idempotent-Replayed': 'true' },
        ),
      );
      const error = await rejectionOf(provider.charge(chargeRequest));
      expect(error).toMatchObject({ name: 'ProviderTransientError', reason: 'replayed-error', status: 500 });
    });

    test('409 request_in_progress is transient (in-progress), any other 409 a rejection', async () => {
      server.reply(json(409, { error: { type: 'idempotency_error', code: 'request_in_progress' } }));
      const error = await rejectionOf(provider.charge(chargeRequest));
      expect(error).toMatchObject({ name: 'ProviderTransientError', reason: 'in-progress', status: 409 });
    });

    test('a 5xx without a JSON body is transient all the same', async () => {
      server.reply(text(502, 'Bad Gateway'));
      expect(await rejectionOf(provider.charge(chargeRequest))).toMatchObject({ reason: 'server-error' });
    });

    test('an unusable success answer is a transient malformed-answer', async () => {
      server.reply(json(201, { id: 'ch_01' }));
      const error = await rejectionOf(provider.charge(chargeRequest));
      expect(error).toMatchObject({ name: 'ProviderTransientError', reason: 'malformed-answer' });
    });

    test('aborts a call without an answer after timeoutMs: a transient timeout, the request closed', async () => {
      // Prepare
      server.reply(hang);
      const startedAt = Date.now();
      // Act
      const error = await rejectionOf(provider.charge(chargeRequest));
      // Assess
      const elapsed = Date.now() - startedAt;
      expect(error).toMatchObject({ name: 'ProviderTransientError', reason: 'timeout' });
      expect((error.cause as Error).name).toBe('CallTimeoutError');
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(2_000);
      // The connection was really closed, not left running.
      await waitFor(() => server.aborted === 1);
    });

    test('a refused connection is a transient network failure', async () => {
      // Prepare: a port nothing listens on any more.
      const closed = new ScriptedServer();
      const closedUrl = await closed.start();
      await closed.stop();
      const unreachable = new HttpPaymentProvider({ baseUrl: closedUrl, timeoutMs: 300 });
      // Act
      const error = await rejectionOf(unreachable.charge(chargeRequest));
      // Assess
      expect(error).toMatchObject({ name: 'ProviderTransientError', reason: 'network' });
    });
  });

  describe('listCharges', () => {
    test("GETs v1/charges?orderId= and maps the list, with each charge's refunded amount", async () => {
      server.reply(json(200, { object: 'list', data: [charge({ refundedCents: 1_000 })] }));
      const charges = await provider.listCharges(ORDER_ID, { correlationId: 'corr-1' });
      expect(charges).toEqual([
        {
          chargeId: 'ch_01',
          orderId: ORDER_ID,
          status: 'succeeded',
          amountCents: 3_000,
          currency: 'USD',
          refundedCents: 1_000,
        },
      ]);
      expect(server.received[0]).toMatchObject({
        method: 'GET',
        url: `/prod/v1/charges?orderId=${ORDER_ID}`,
      });
      expect(server.received[0]?.headers['idempotency-key']).toBeUndefined();
    });

    test('a 503 is transient', async () => {
      server.reply(json(503, { error: { code: 'temporarily_unavailable' } }));
      expect(await rejectionOf(provider.listCharges(ORDER_ID))).toBeInstanceOf(ProviderTransientError);
    });
  });

  describe('refund', () => {
    test('POSTs v1/charges/{chargeId}/refunds with its key and amount, and maps 201', async () => {
      // Prepare
      server.reply(
        json(201, {
          id: 're_01',
          object: 'refund',
          chargeId: 'ch_01',
          amountCents: 3_000,
          status: 'succeeded',
          createdAt: '2026-11-26T12:00:00.000Z',
        }),
      );
      // Act
      const refund = await provider.refund({
        idempotencyKey: 'refund-ch_01',
        orderId: ORDER_ID,
        chargeId: 'ch_01',
        amountCents: 3_000,
      });
      // Assess
      expect(refund).toEqual({ refundId: 're_01', chargeId: 'ch_01', amountCents: 3_000 });
      expect(server.received[0]).toMatchObject({
        method: 'POST',
        url: '/prod/v1/charges/ch_01/refunds',
        body: { amountCents: 3_000 },
      });
      expect(server.received[0]?.headers['idempotency-key']).toBe('refund-ch_01');
    });

    test('without an amount, sends an empty body (the processor refunds what is left)', async () => {
      server.reply(json(201, { id: 're_01', chargeId: 'ch_01', amountCents: 500 }));
      await provider.refund({ idempotencyKey: 'refund-ch_01', orderId: ORDER_ID, chargeId: 'ch_01' });
      expect(server.received[0]?.body).toEqual({});
    });

    test.each([
      [404, 'resource_missing'],
      [409, 'amount_too_large'],
    ])('maps %i %s to ProviderRejectedError', async (status, code) => {
      server.reply(json(status, { error: { code } }));
      const error = await rejectionOf(
        provider.refund({
          idempotencyKey: 'refund-ch_01',
          orderId: ORDER_ID,
          chargeId: 'ch_01',
          amountCents: 1,
        }),
      );
      expect(error).toMatchObject({ name: 'ProviderRejectedError', status, code });
    });
  });

  test('refuses a base URL that is not a URL, and a timeout that is not positive', () => {
    expect(() => new HttpPaymentProvider({ baseUrl: 'not a url', timeoutMs: 100 })).toThrow();
    expect(() => new HttpPaymentProvider({ baseUrl, timeoutMs: 0 })).toThrow(/timeoutMs must be positive/);
  });
});

/** Polls `condition` until it holds, for at most a second. */
async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 1_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 1 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
