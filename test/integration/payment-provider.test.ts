/**
 * The simulated card processor end to end on the local cloud, booted on a fixture app holding only
 * `PaymentProviderStack` (with a 3 s `tok_timeout` hang): `payment-provider-api` → Lambda → the
 * ledger table in DynamoDB Local, driven over HTTP as its clients drive it.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { newId } from '../../shared/ids/ids';
import { type LocalCloud, eventually, localClientConfig } from 'cdk-local-cloud';
import type {
  ChargeListObject,
  ChargeObject,
  ProcessorErrorBody,
  RefundObject,
} from '../../functions/payment-provider/contracts';
import { FIXTURE_HANG_MS } from '../fixtures/payment-provider-app';
import { startShopCloud } from '../support/shop-cloud';

let cloud: LocalCloud;
let documents: DynamoDBDocumentClient;
let ledgerTable: string;

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

async function call(
  method: 'GET' | 'POST',
  path: string,
  options: { body?: unknown; key?: string; signal?: AbortSignal } = {},
): Promise<Answer> {
  const response = await fetch(`${cloud.apiUrl}${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(options.key === undefined ? {} : { 'Idempotency-Key': options.key }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : JSON.parse(text),
  };
}

const chargeOf = (answer: Answer) => answer.body as ChargeObject;
const refundOf = (answer: Answer) => answer.body as RefundObject;
const errorOf = (answer: Answer) => (answer.body as ProcessorErrorBody).error;

const charge = (orderId: string, token: string, key: string, amountCents = 3_000) =>
  call('POST', '/v1/charges', { key, body: { amountCents, currency: 'USD', token, orderId } });

async function chargesOf(orderId: string): Promise<ChargeObject[]> {
  const answer = await call('GET', `/v1/charges?orderId=${encodeURIComponent(orderId)}`);
  expect(answer.status).toBe(200);
  return [...(answer.body as ChargeListObject).data];
}

/** The charge items the ledger table holds for the order, read from the table itself. */
async function ledgerChargesOf(orderId: string): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await documents.send(
    new ScanCommand({
      TableName: ledgerTable,
      FilterExpression: '#kind = :charge AND #orderId = :orderId',
      ExpressionAttributeNames: { '#kind': 'kind', '#orderId': 'orderId' },
      ExpressionAttributeValues: { ':charge': 'charge', ':orderId': orderId },
    }),
  );
  return Items;
}

beforeAll(async () => {
  ({ cloud } = await startShopCloud({
    asyncRetryBaseDelayMs: 50,
    appCommand: 'npx tsx test/fixtures/payment-provider-app.ts',
    defaultApiName: 'payment-provider-api',
  }));
  ledgerTable = cloud.outputs['ShopPaymentProvider']?.['LedgerTableName'] ?? '';
  documents = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(cloud.dynamoDbEndpoint)));
}, 120_000);

afterAll(async () => {
  documents?.destroy();
  await cloud?.stop();
});

describe('the card processor on payment-provider-api', () => {
  test('serves its four routes as the default API', async () => {
    const resources = (await (await fetch(`${cloud.apiUrl}/_local/resources`)).json()) as {
      routes: string[];
    };
    expect(resources.routes).toEqual(
      expect.arrayContaining([
        'payment-provider-api: POST /v1/charges',
        'payment-provider-api: GET /v1/charges',
        'payment-provider-api: GET /v1/charges/{chargeId}',
        'payment-provider-api: POST /v1/charges/{chargeId}/refunds',
      ]),
    );
    expect(ledgerTable).not.toBe('');
  });

  test('tok_visa: 201, and a replay under the same key is the same charge, recorded once', async () => {
    // Prepare
    const orderId = newId('order');
    const key = `charge-${orderId}`;
    // Act
    const first = await charge(orderId, 'tok_visa', key);
    const replay = await charge(orderId, 'tok_visa', key);
    const reused = await charge(orderId, 'tok_visa', key, 3_001);
    const read = await call('GET', `/prod/v1/charges/${chargeOf(first).id}`);
    // Assess
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      id: expect.stringMatching(/^ch_[0-9A-HJKMNP-TV-Z]{26}$/),
      object: 'charge',
      status: 'succeeded',
      amountCents: 3_000,
      currency: 'USD',
      orderId,
      refundedCents: 0,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect([reused.status, errorOf(reused).type, errorOf(reused).code]).toEqual([
      409,
      'idempotency_error',
      'key_reused',
    ]);
    expect(read.body).toEqual(first.body);
    expect(await chargesOf(orderId)).toEqual([first.body]);
    expect(await ledgerChargesOf(orderId)).toHaveLength(1);
  });

  test('refuses a charge without an Idempotency-Key, or with an unknown token, in its own error shape', async () => {
    const orderId = newId('order');
    const noKey = await call('POST', '/v1/charges', {
      body: { amountCents: 100, currency: 'USD', token: 'tok_visa', orderId },
    });
    const badToken = await charge(orderId, 'tok_amex', randomUUID());
    const badCurrency = await call('POST', '/v1/charges', {
      key: randomUUID(),
      body: { amountCents: 100, currency: 'usd', token: 'tok_visa', orderId },
    });
    expect([noKey.status, errorOf(noKey).code]).toEqual([400, 'idempotency_key_missing']);
    expect([badToken.status, errorOf(badToken).type, errorOf(badToken).code]).toEqual([
      400,
      'invalid_request_error',
      'invalid_token',
    ]);
    expect([badCurrency.status, errorOf(badCurrency).param]).toEqual([400, 'currency']);
    expect(await chargesOf(orderId)).toEqual([]);
  });

  test('tok_decline and tok_insufficient_funds: 402 card_error; tok_error: 500 api_error; nothing charged', async () => {
    const orderId = newId('order');
    const declined = await charge(orderId, 'tok_decline', randomUUID());
    const noFunds = await charge(orderId, 'tok_insufficient_funds', randomUUID());
    const failed = await charge(orderId, 'tok_error', randomUUID());
    expect([declined.status, errorOf(declined).type, errorOf(declined).code]).toEqual([
      402,
      'card_error',
      'card_declined',
    ]);
    expect([noFunds.status, errorOf(noFunds).code]).toEqual([402, 'insufficient_funds']);
    expect([failed.status, errorOf(failed).type, errorOf(failed).code]).toEqual([
      500,
      'api_error',
      'processing_error',
    ]);
    expect(await chargesOf(orderId)).toEqual([]);
  });

  test('tok_flaky: 503, 503, then 201 under one Idempotency-Key', async () => {
    // Prepare
    const orderId = newId('order');
    const key = `charge-${orderId}`;
    // Act
    const answers: Answer[] = [];
    for (let attempt = 0; attempt < 3; attempt++) answers.push(await charge(orderId, 'tok_flaky', key));
    // Assess
    expect(answers.map((answer) => answer.status)).toEqual([503, 503, 201]);
    expect(errorOf(answers[0] as Answer)).toMatchObject({
      type: 'api_error',
      code: 'temporarily_unavailable',
    });
    expect(await chargesOf(orderId)).toEqual([answers[2]?.body]);
  });

  test('tok_timeout: the client gives up after 500 ms, yet the charge is recorded; a replay hangs too', async () => {
    // Prepare
    const orderId = newId('order');
    const key = `charge-${orderId}`;
    const body = { amountCents: 4_200, currency: 'EUR', token: 'tok_timeout', orderId };
    // Act
    const impatient = call('POST', '/v1/charges', { key, body, signal: AbortSignal.timeout(500) });
    // Assess
    await expect(impatient).rejects.toMatchObject({ name: 'TimeoutError' });
    const [recorded] = await eventually(
      async () => {
        const charges = await chargesOf(orderId);
        return charges.length > 0 ? charges : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: `the charge of ${orderId}` },
    );
    expect(recorded).toMatchObject({ status: 'succeeded', amountCents: 4_200, currency: 'EUR', orderId });

    const started = Date.now();
    const patient = await call('POST', '/v1/charges', { key, body });
    expect(Date.now() - started).toBeGreaterThanOrEqual(FIXTURE_HANG_MS);
    expect(patient.status).toBe(201);
    expect(patient.headers.get('idempotent-replayed')).toBe('true');
    expect(chargeOf(patient).id).toBe(recorded?.id);
    expect(await ledgerChargesOf(orderId)).toHaveLength(1);
  });

  test('refunds: partial, the rest, too large 409, replayed; refundedCents kept on the charge', async () => {
    // Prepare
    const orderId = newId('order');
    const { id } = chargeOf(await charge(orderId, 'tok_visa', `charge-${orderId}`, 3_000));
    const refunds = `/v1/charges/${id}/refunds`;
    // Act
    const partial = await call('POST', refunds, { key: `partial-${id}`, body: { amountCents: 1_000 } });
    const tooLarge = await call('POST', refunds, { key: `large-${id}`, body: { amountCents: 2_001 } });
    const rest = await call('POST', refunds, { key: `refund-${id}` });
    const replayed = await call('POST', refunds, { key: `partial-${id}`, body: { amountCents: 1_000 } });
    const nothingLeft = await call('POST', refunds, { key: `more-${id}`, body: { amountCents: 1 } });
    const unknown = await call('POST', `/v1/charges/ch_01JD0000000000000000000000/refunds`, {
      key: randomUUID(),
    });
    // Assess
    expect(partial.status).toBe(201);
    expect(partial.body).toEqual({
      id: expect.stringMatching(/^re_[0-9A-HJKMNP-TV-Z]{26}$/),
      object: 'refund',
      chargeId: id,
      amountCents: 1_000,
      status: 'succeeded',
      createdAt: expect.any(String),
    });
    expect([tooLarge.status, errorOf(tooLarge).code]).toEqual([409, 'amount_too_large']);
    expect([rest.status, refundOf(rest).amountCents]).toEqual([201, 2_000]);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body).toEqual(partial.body);
    expect([nothingLeft.status, errorOf(nothingLeft).code]).toEqual([409, 'amount_too_large']);
    expect([unknown.status, errorOf(unknown).code]).toEqual([404, 'resource_missing']);
    const [listed] = await chargesOf(orderId);
    expect(listed).toMatchObject({ id, amountCents: 3_000, refundedCents: 3_000 });
  });

  test('20 concurrent POSTs under distinct keys record 20 charges', async () => {
    // Act: also starts 20 environments of the function, so the next test's requests race warm
    const orderId = newId('order');
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        charge(orderId, 'tok_visa', `${orderId}-${index}`, 100 + index),
      ),
    );
    // Assess
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(201));
    const charges = await chargesOf(orderId);
    expect(charges.map((listed) => listed.amountCents).sort()).toEqual(
      Array.from({ length: 20 }, (_, index) => 100 + index),
    );
  });

  test('20 concurrent identical POSTs record one charge', async () => {
    // Prepare
    const orderId = newId('order');
    const key = `charge-${orderId}`;
    // Act
    const answers = await Promise.all(Array.from({ length: 20 }, () => charge(orderId, 'tok_visa', key)));
    // Assess
    const unexpected = answers.filter((answer) => answer.status !== 201 && answer.status !== 409);
    expect(unexpected.map((answer) => [answer.status, answer.body])).toEqual([]);
    for (const answer of answers.filter((candidate) => candidate.status === 409)) {
      expect(errorOf(answer)).toMatchObject({ type: 'idempotency_error', code: 'request_in_progress' });
      expect(answer.headers.get('retry-after')).toBe('1');
    }
    const ids = new Set(
      answers.filter((answer) => answer.status === 201).map((answer) => chargeOf(answer).id),
    );
    expect(ids.size).toBeLessThanOrEqual(1);
    const charges = await chargesOf(orderId);
    expect(charges).toHaveLength(1);
    if (ids.size === 1) expect([...ids]).toEqual([charges[0]?.id]);
    expect(await ledgerChargesOf(orderId)).toHaveLength(1);
    // Retrying the refused ones with the key gets the one charge.
    const retried = await charge(orderId, 'tok_visa', key);
    expect(chargeOf(retried).id).toBe(charges[0]?.id);
  });

  test('concurrent refunds of one charge never refund more than it', async () => {
    // Prepare
    const orderId = newId('order');
    const { id } = chargeOf(await charge(orderId, 'tok_visa', `charge-${orderId}`, 1_000));
    // Act: eight refunds of 300 at once, each under its own key
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        call('POST', `/v1/charges/${id}/refunds`, { key: `r${index}-${id}`, body: { amountCents: 300 } }),
      ),
    );
    // Assess
    const created = answers.filter((answer) => answer.status === 201);
    expect(created).toHaveLength(3);
    for (const answer of answers.filter((candidate) => candidate.status !== 201)) {
      expect([answer.status, errorOf(answer).code]).toEqual([409, 'amount_too_large']);
    }
    const [listed] = await chargesOf(orderId);
    expect(listed?.refundedCents).toBe(900);
  });
});
