import type { ApiGatewayProxyEvent, ApiGatewayProxyResult } from '../../../shared/http/api-gateway-proxy';
import { makeGetCharge } from '../../../functions/payment-provider/application/get-charge';
import { makeListCharges } from '../../../functions/payment-provider/application/list-charges';
import type { ProcessorErrorBody } from '../../../functions/payment-provider/contracts';
import { makeHandler as makeCreateChargeHandler } from '../../../functions/payment-provider/handlers/create-charge';
import { makeHandler as makeCreateRefundHandler } from '../../../functions/payment-provider/handlers/create-refund';
import { makeHandler as makeGetChargeHandler } from '../../../functions/payment-provider/handlers/get-charge';
import { makeHandler as makeListChargesHandler } from '../../../functions/payment-provider/handlers/list-charges';
import { jsonEvent, proxyEvent } from '../http/proxy-event';
import { aChargeRequest, chargeId, ORDER_ID, processor } from './fixtures';
import type { AppLogger } from '../../../shared/observability/app-logger';

/** Collects what would be logged; 4xx must log nothing. */
class RecordingLogger implements AppLogger {
  debug(): void {
    // Not called by what this test exercises.
  }
  info(): void {
    // Not called by what this test exercises.
  }
  readonly lines: string[] = [];
  error(message: string): void {
    this.lines.push(message);
  }
  warn(message: string): void {
    this.lines.push(message);
  }
}

function providerApi() {
  const api = processor();
  const logger = new RecordingLogger();
  return {
    ...api,
    logger,
    charge: makeCreateChargeHandler({ createCharge: api.createCharge, logger }),
    refund: makeCreateRefundHandler({ createRefund: api.createRefund, logger }),
    get: makeGetChargeHandler({ getCharge: makeGetCharge({ ledger: api.ledger }), logger }),
    list: makeListChargesHandler({ listCharges: makeListCharges({ ledger: api.ledger }), logger }),
  };
}

let requests = 0;
const chargeEvent = (
  body: unknown,
  key: string | null = 'key-1',
  overrides: Partial<ApiGatewayProxyEvent> = {},
) =>
  jsonEvent(body, {
    resource: '/v1/charges',
    path: '/v1/charges',
    headers: { 'Content-Type': 'application/json', ...(key === null ? {} : { 'Idempotency-Key': key }) },
    requestContext: { requestId: `req-${++requests}` },
    ...overrides,
  });
const refundEvent = (id: string, body: string | null, key = 'refund-1') =>
  proxyEvent({
    resource: '/v1/charges/{chargeId}/refunds',
    path: `/v1/charges/${id}/refunds`,
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
    pathParameters: { chargeId: id },
    requestContext: { requestId: `req-${++requests}` },
    body,
  });
const getEvent = (id: string) =>
  proxyEvent({
    resource: '/v1/charges/{chargeId}',
    path: `/v1/charges/${id}`,
    httpMethod: 'GET',
    headers: {},
    pathParameters: { chargeId: id },
  });
const listEvent = (query: Record<string, string> | null) =>
  proxyEvent({
    resource: '/v1/charges',
    path: '/v1/charges',
    httpMethod: 'GET',
    headers: {},
    queryStringParameters: query,
  });

const json = (result: ApiGatewayProxyResult): Record<string, unknown> => JSON.parse(result.body);
const errorOf = (result: ApiGatewayProxyResult) => (JSON.parse(result.body) as ProcessorErrorBody).error;

describe('POST /v1/charges over HTTP', () => {
  test('answers 201 with the charge, then replays it with Idempotent-Replayed: true', async () => {
    // Prepare
    const api = providerApi();
    // Act
    const first = await api.charge(chargeEvent(aChargeRequest()));
    const again = await api.charge(chargeEvent(aChargeRequest()));
    // Assess
    expect(first.statusCode).toBe(201);
    expect(first.headers).toMatchObject({
      'Content-Type': 'application/json',
      'X-Request-Id': expect.any(String),
    });
    expect(first.headers['Idempotent-Replayed']).toBeUndefined();
    expect(json(first)).toMatchObject({
      id: chargeId(1),
      object: 'charge',
      status: 'succeeded',
      refundedCents: 0,
    });
    expect(again.statusCode).toBe(201);
    expect(again.headers['Idempotent-Replayed']).toBe('true');
    expect(again.body).toBe(first.body);
  });

  test('answers 400 idempotency_key_missing without the header, and records nothing', async () => {
    const api = providerApi();
    const result = await api.charge(chargeEvent(aChargeRequest(), null));
    expect(result.statusCode).toBe(400);
    expect(errorOf(result)).toEqual({
      type: 'invalid_request_error',
      code: 'idempotency_key_missing',
      message: expect.stringContaining('Idempotency-Key'),
      param: 'Idempotency-Key',
    });
    expect(api.ledger.allCharges()).toEqual([]);
  });

  test('answers 400 idempotency_key_invalid for a key that is too long or holds control characters', async () => {
    const api = providerApi();
    for (const key of ['k'.repeat(256), 'a\u0001b']) {
      const result = await api.charge(chargeEvent(aChargeRequest(), key));
      expect(errorOf(result).code).toBe('idempotency_key_invalid');
    }
  });

  test.each([
    [
      'a missing amountCents',
      { currency: 'USD', token: 'tok_visa', orderId: ORDER_ID },
      'parameter_missing',
      'amountCents',
    ],
    ['a zero amountCents', aChargeRequest({ amountCents: 0 }), 'parameter_invalid', 'amountCents'],
    ['a fractional amountCents', aChargeRequest({ amountCents: 1.5 }), 'parameter_invalid', 'amountCents'],
    ['an unsafe amountCents', aChargeRequest({ amountCents: 2 ** 53 }), 'parameter_invalid', 'amountCents'],
    [
      'an amountCents as a string',
      { ...aChargeRequest(), amountCents: '100' },
      'parameter_invalid',
      'amountCents',
    ],
    ['a lower-case currency', aChargeRequest({ currency: 'usd' }), 'parameter_invalid', 'currency'],
    ['a four-letter currency', aChargeRequest({ currency: 'EURO' }), 'parameter_invalid', 'currency'],
    ['an empty token', aChargeRequest({ token: '' }), 'parameter_invalid', 'token'],
    ['an empty orderId', aChargeRequest({ orderId: '' }), 'parameter_invalid', 'orderId'],
    ['an unknown field', { ...aChargeRequest(), capture: false }, 'parameter_unknown', 'capture'],
  ])('answers 400 for %s, in the processor error shape', async (_, body, code, param) => {
    // Prepare
    const api = providerApi();
    // Act
    const result = await api.charge(chargeEvent(body));
    // Assess
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body)).toEqual({
      error: { type: 'invalid_request_error', code, message: expect.stringContaining(param), param },
    });
    expect(api.logger.lines).toEqual([]);
  });

  test('answers 400 invalid_json, 415 and 400 invalid_token in the processor shape', async () => {
    const api = providerApi();
    const badJson = await api.charge(chargeEvent(undefined, 'k', { body: '{"amountCents":' }));
    const formData = await api.charge(
      chargeEvent(undefined, 'k', {
        body: 'a=1',
        headers: { 'Content-Type': 'text/plain', 'Idempotency-Key': 'k' },
      }),
    );
    const unknownToken = await api.charge(chargeEvent(aChargeRequest({ token: 'tok_unknown' })));
    expect([badJson.statusCode, errorOf(badJson).code]).toEqual([400, 'invalid_json']);
    expect([formData.statusCode, errorOf(formData).code]).toEqual([415, 'unsupported_media_type']);
    expect([unknownToken.statusCode, errorOf(unknownToken)]).toEqual([
      400,
      { type: 'invalid_request_error', code: 'invalid_token', message: expect.any(String), param: 'token' },
    ]);
  });

  test('answers 402, 500 and 503 as the tokens say, the 5xx of a token without an error log', async () => {
    const api = providerApi();
    const declined = await api.charge(chargeEvent(aChargeRequest({ token: 'tok_decline' }), 'a'));
    const failed = await api.charge(chargeEvent(aChargeRequest({ token: 'tok_error' }), 'b'));
    const flaky = await api.charge(chargeEvent(aChargeRequest({ token: 'tok_flaky' }), 'c'));
    expect([declined.statusCode, errorOf(declined).type, errorOf(declined).code]).toEqual([
      402,
      'card_error',
      'card_declined',
    ]);
    expect([failed.statusCode, errorOf(failed).code]).toEqual([500, 'processing_error']);
    expect([flaky.statusCode, errorOf(flaky).code]).toEqual([503, 'temporarily_unavailable']);
    expect(api.logger.lines).toEqual([]);
  });

  test('answers 409 key_reused for the key with another body', async () => {
    const api = providerApi();
    await api.charge(chargeEvent(aChargeRequest()));
    const reused = await api.charge(chargeEvent(aChargeRequest({ amountCents: 1 })));
    expect(reused.statusCode).toBe(409);
    expect(errorOf(reused)).toMatchObject({ type: 'idempotency_error', code: 'key_reused' });
  });

  test('answers 409 request_in_progress with Retry-After while the key is claimed', async () => {
    // Prepare
    const api = providerApi();
    const recordCharge = api.ledger.recordCharge.bind(api.ledger);
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    api.ledger.recordCharge = async (...args) => {
      await gate;
      return recordCharge(...args);
    };
    // Act
    const first = api.charge(chargeEvent(aChargeRequest()));
    const duplicate = await api.charge(chargeEvent(aChargeRequest()));
    openGate();
    await first;
    // Assess
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.headers['Retry-After']).toBe('1');
    expect(errorOf(duplicate)).toMatchObject({ type: 'idempotency_error', code: 'request_in_progress' });
  });

  test('answers an unexpected failure with a logged 500 api_error internal_error, not the cause', async () => {
    // Prepare
    const api = providerApi();
    api.ledger.claimKey = async () => {
      throw new Error('secret table details');
    };
    // Act
    const result = await api.charge(chargeEvent(aChargeRequest()));
    // Assess
    expect(result.statusCode).toBe(500);
    expect(errorOf(result)).toMatchObject({ type: 'api_error', code: 'internal_error' });
    expect(result.body).not.toContain('secret');
    expect(api.logger.lines).toEqual(['request failed with an unexpected error']);
  });
});

describe('refunds and reads over HTTP', () => {
  test('refunds without a body (what is left), then reads and lists the charge with refundedCents', async () => {
    // Prepare
    const api = providerApi();
    await api.charge(chargeEvent(aChargeRequest({ amountCents: 1_500 })));
    // Act
    const partial = await api.refund(refundEvent(chargeId(1), JSON.stringify({ amountCents: 500 }), 'r-1'));
    const rest = await api.refund(refundEvent(chargeId(1), null, 'r-2'));
    const read = await api.get(getEvent(chargeId(1)));
    const listed = await api.list(listEvent({ orderId: ORDER_ID }));
    // Assess
    expect(partial.statusCode).toBe(201);
    expect(json(partial)).toMatchObject({ object: 'refund', chargeId: chargeId(1), amountCents: 500 });
    expect(json(rest)).toMatchObject({ amountCents: 1_000 });
    expect(read.statusCode).toBe(200);
    expect(json(read)).toMatchObject({ id: chargeId(1), amountCents: 1_500, refundedCents: 1_500 });
    expect(json(listed)).toEqual({ object: 'list', data: [json(read)] });
  });

  test('answers 404 resource_missing for unknown or malformed charge ids', async () => {
    const api = providerApi();
    for (const result of [
      await api.get(getEvent(chargeId(7))),
      await api.get(getEvent('ch_nope')),
      await api.refund(refundEvent(chargeId(7), null)),
    ]) {
      expect(result.statusCode).toBe(404);
      expect(errorOf(result)).toMatchObject({ type: 'invalid_request_error', code: 'resource_missing' });
    }
  });

  test('answers 409 amount_too_large for more than the charge', async () => {
    const api = providerApi();
    await api.charge(chargeEvent(aChargeRequest({ amountCents: 100 })));
    const result = await api.refund(refundEvent(chargeId(1), JSON.stringify({ amountCents: 101 })));
    expect(result.statusCode).toBe(409);
    expect(errorOf(result).code).toBe('amount_too_large');
  });

  test('the list needs an orderId and refuses other query parameters', async () => {
    const api = providerApi();
    const missing = await api.list(listEvent(null));
    const unknown = await api.list(listEvent({ orderId: ORDER_ID, limit: '3' }));
    const empty = await api.list(listEvent({ orderId: 'ord_none' }));
    expect([missing.statusCode, errorOf(missing).code, errorOf(missing).param]).toEqual([
      400,
      'parameter_missing',
      'orderId',
    ]);
    expect([unknown.statusCode, errorOf(unknown).code]).toEqual([400, 'parameter_unknown']);
    expect(json(empty)).toEqual({ object: 'list', data: [] });
  });
});
