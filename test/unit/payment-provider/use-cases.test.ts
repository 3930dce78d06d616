import { makeGetCharge } from '../../../functions/payment-provider/application/get-charge';
import { makeListCharges } from '../../../functions/payment-provider/application/list-charges';
import type { ProcessorAnswer } from '../../../functions/payment-provider/application/answers';
import {
  CREATE_CHARGE_ROUTE,
  type CreateChargeCommand,
} from '../../../functions/payment-provider/application/create-charge';
import { requestFingerprint } from '../../../functions/payment-provider/application/fingerprint';
import type { CreateRefundCommand } from '../../../functions/payment-provider/application/create-refund';
import type { ChargeObject, RefundObject } from '../../../functions/payment-provider/contracts';
import {
  InvalidTokenError,
  KeyLeaseLostError,
  KeyReusedError,
  ProcessorError,
  RequestInProgressError,
  ResourceMissingError,
} from '../../../functions/payment-provider/domain/errors';
import {
  aChargeRequest,
  chargeId,
  FIXED_NOW,
  HANG_MS,
  nextTick,
  ORDER_ID,
  processor,
  refundId,
} from './fixtures';

let requests = 0;
const charge = (overrides: Partial<CreateChargeCommand> = {}): CreateChargeCommand => ({
  idempotencyKey: 'key-1',
  request: aChargeRequest(),
  requestId: `req-${++requests}`,
  ...overrides,
});
const refund = (overrides: Partial<CreateRefundCommand> = {}): CreateRefundCommand => ({
  chargeId: chargeId(1),
  idempotencyKey: 'refund-1',
  request: {},
  requestId: `req-${++requests}`,
  ...overrides,
});

async function thrownBy(promise: Promise<unknown>): Promise<ProcessorError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProcessorError) return error;
    throw error;
  }
  throw new Error('expected a ProcessorError');
}

const status = (answer: ProcessorAnswer) => answer.status;
const chargeOf = (answer: ProcessorAnswer) => answer.body as ChargeObject;
const refundOf = (answer: ProcessorAnswer) => answer.body as RefundObject;

describe('POST /v1/charges', () => {
  test('tok_visa records a succeeded charge and answers 201 with it', async () => {
    // Prepare
    const { createCharge, ledger } = processor();
    // Act
    const answer = await createCharge(charge({ request: aChargeRequest({ description: 'Order 1' }) }));
    // Assess
    expect(answer).toEqual({
      status: 201,
      replayed: false,
      body: {
        id: chargeId(1),
        object: 'charge',
        status: 'succeeded',
        amountCents: 3_000,
        currency: 'USD',
        orderId: ORDER_ID,
        refundedCents: 0,
        createdAt: FIXED_NOW,
        description: 'Order 1',
      },
    });
    expect(ledger.allCharges()).toHaveLength(1);
    expect(ledger.keyRecord('key-1')).toMatchObject({ state: 'completed', attempts: 1 });
  });

  test('the same key and body replay the stored answer without a second charge', async () => {
    // Prepare
    const { createCharge, ledger } = processor();
    const first = await createCharge(charge());
    // Act
    const again = await createCharge(charge({ request: { ...aChargeRequest() } }));
    // Assess
    expect(again).toEqual({ ...first, replayed: true });
    expect(ledger.allCharges()).toHaveLength(1);
  });

  test('the same key with another body is 409 key_reused, whatever the state of the key', async () => {
    // Prepare
    const { createCharge } = processor();
    await createCharge(charge());
    // Act
    const error = await thrownBy(createCharge(charge({ request: aChargeRequest({ amountCents: 3_001 }) })));
    // Assess
    expect(error).toBeInstanceOf(KeyReusedError);
    expect(error.toErrorObject()).toMatchObject({ type: 'idempotency_error', code: 'key_reused' });
    expect(error.status).toBe(409);
  });

  test.each([
    ['tok_decline', 402, 'card_declined'],
    ['tok_insufficient_funds', 402, 'insufficient_funds'],
    ['tok_error', 500, 'processing_error'],
  ])('%s answers %i %s, stored and replayed, with no charge', async (token, wantedStatus, code) => {
    // Prepare
    const { createCharge, ledger } = processor();
    // Act
    const first = await createCharge(charge({ request: aChargeRequest({ token }) }));
    const again = await createCharge(charge({ request: aChargeRequest({ token }) }));
    // Assess
    expect(first.status).toBe(wantedStatus);
    expect(first.body).toEqual({ error: { type: expect.any(String), code, message: expect.any(String) } });
    expect(again).toEqual({ ...first, replayed: true });
    expect(ledger.allCharges()).toEqual([]);
  });

  test('tok_flaky answers 503, 503, then 201 under one key; its counter is per key', async () => {
    // Prepare
    const { createCharge, ledger } = processor();
    const flaky = (key: string) =>
      charge({ idempotencyKey: key, request: aChargeRequest({ token: 'tok_flaky' }) });
    // Act
    const answers = [];
    for (let attempt = 0; attempt < 4; attempt++) answers.push(await createCharge(flaky('flaky-1')));
    const otherKey = await createCharge(flaky('flaky-2'));
    // Assess
    expect(answers.map(status)).toEqual([503, 503, 201, 201]);
    expect(answers[0]?.body).toEqual({
      error: { type: 'api_error', code: 'temporarily_unavailable', message: expect.any(String) },
    });
    expect(answers.map((answer) => answer.replayed)).toEqual([false, false, false, true]);
    expect(otherKey.status).toBe(503);
    expect(ledger.allCharges()).toHaveLength(1);
    expect(ledger.keyRecord('flaky-1')).toMatchObject({ state: 'completed', attempts: 3 });
  });

  test('a released tok_flaky key stays bound to its body', async () => {
    const { createCharge } = processor();
    await createCharge(charge({ request: aChargeRequest({ token: 'tok_flaky' }) }));
    const error = await thrownBy(createCharge(charge({ request: aChargeRequest({ token: 'tok_visa' }) })));
    expect(error).toBeInstanceOf(KeyReusedError);
  });

  test('tok_timeout records the charge at once and holds the answer HANG_MS; every replay hangs too', async () => {
    // Prepare
    const { createCharge, ledger, hangs, releaseHangs } = processor({ holdHangs: true });
    const timeout = () => charge({ request: aChargeRequest({ token: 'tok_timeout' }) });
    // Act
    let answered = false;
    const pending = createCharge(timeout()).then((answer) => {
      answered = true;
      return answer;
    });
    await nextTick();
    // Assess: recorded and listed while the answer is held back
    expect(answered).toBe(false);
    expect(await ledger.chargesOfOrder(ORDER_ID)).toEqual([
      expect.objectContaining({ chargeId: chargeId(1) }),
    ]);
    releaseHangs();
    const first = await pending;
    const replay = createCharge(timeout());
    await nextTick();
    releaseHangs();
    expect(first.status).toBe(201);
    expect(await replay).toEqual({ ...first, replayed: true });
    expect(hangs).toEqual([HANG_MS, HANG_MS]);
    expect(ledger.allCharges()).toHaveLength(1);
  });

  test('an unknown token is 400 invalid_token, and touches no key', async () => {
    // Prepare
    const { createCharge, ledger } = processor();
    // Act
    const error = await thrownBy(createCharge(charge({ request: aChargeRequest({ token: 'tok_amex' }) })));
    const afterwards = await createCharge(charge());
    // Assess
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(error.toErrorObject()).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_token',
      param: 'token',
    });
    expect(afterwards.status).toBe(201);
    expect(ledger.keyRecord('key-1')?.attempts).toBe(1);
  });

  test('20 concurrent identical requests record one charge; the others replay it or are told it is in progress', async () => {
    // Prepare
    const { createCharge, ledger } = processor();
    // Act
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        createCharge(charge()).then(
          (answer) => ({ status: answer.status, id: chargeOf(answer).id }),
          (error: unknown) => ({ status: error instanceof RequestInProgressError ? 409 : 0, id: undefined }),
        ),
      ),
    );
    // Assess
    expect(ledger.allCharges()).toHaveLength(1);
    expect(outcomes.every((outcome) => outcome.status === 201 || outcome.status === 409)).toBe(true);
    expect(outcomes.filter((outcome) => outcome.status === 409).length).toBeGreaterThan(0);
    const ids = new Set(outcomes.filter((outcome) => outcome.status === 201).map((outcome) => outcome.id));
    expect([...ids]).toEqual([chargeId(1)]);
  });

  test('a duplicate while the first is in flight is 409 request_in_progress with Retry-After 1, then replays', async () => {
    // Prepare: the first request's write waits on a gate
    const { createCharge, ledger } = processor();
    const recordCharge = ledger.recordCharge.bind(ledger);
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    ledger.recordCharge = async (...args) => {
      await gate;
      return recordCharge(...args);
    };
    const first = createCharge(charge());
    await nextTick();
    // Act
    const duplicate = await thrownBy(createCharge(charge()));
    openGate();
    const answered = await first;
    const retried = await createCharge(charge());
    // Assess
    expect(duplicate).toBeInstanceOf(RequestInProgressError);
    expect(duplicate.status).toBe(409);
    expect(duplicate.retryAfterSeconds).toBe(1);
    expect(duplicate.toErrorObject()).toMatchObject({
      type: 'idempotency_error',
      code: 'request_in_progress',
    });
    expect(retried).toEqual({ ...answered, replayed: true });
    expect(ledger.allCharges()).toHaveLength(1);
  });

  test('a claim left by a crashed invocation blocks its key until its lease runs out, then is taken over', async () => {
    // Prepare
    const { createCharge, ledger, advance } = processor();
    await ledger.claimKey({
      key: 'key-1',
      fingerprint: requestFingerprint(CREATE_CHARGE_ROUTE, aChargeRequest()),
      owner: 'crashed',
      nowMs: Date.parse(FIXED_NOW),
      leaseMs: 30_000,
    });
    // Act
    const blocked = await thrownBy(createCharge(charge()));
    advance(30_001);
    const takenOver = await createCharge(charge());
    // Assess
    expect(blocked).toBeInstanceOf(RequestInProgressError);
    expect(takenOver.status).toBe(201);
    expect(ledger.keyRecord('key-1')).toMatchObject({ state: 'completed', attempts: 2 });
    // The crashed owner can no longer write under the key.
    await expect(
      ledger.completeKey({ key: 'key-1', owner: 'crashed', answer: { status: 500, body: {}, hang: false } }),
    ).rejects.toBeInstanceOf(KeyLeaseLostError);
  });

  test('an unexpected failure gives the key back, so a retry with it runs again', async () => {
    // Prepare
    const { createCharge, ledger } = processor();
    const recordCharge = ledger.recordCharge.bind(ledger);
    let failures = 1;
    ledger.recordCharge = async (...args) => {
      if (failures-- > 0) throw new Error('the table is unavailable');
      return recordCharge(...args);
    };
    // Act
    await expect(createCharge(charge())).rejects.toThrow('the table is unavailable');
    const released = ledger.keyRecord('key-1');
    const retried = await createCharge(charge());
    // Assess
    expect(released).toMatchObject({ state: 'released' });
    expect(retried.status).toBe(201);
    expect(ledger.allCharges()).toHaveLength(1);
  });
});

describe('POST /v1/charges/{chargeId}/refunds', () => {
  async function charged(amountCents = 3_000) {
    const api = processor();
    await api.createCharge(
      charge({ idempotencyKey: `charge-${++requests}`, request: aChargeRequest({ amountCents }) }),
    );
    return api;
  }

  test('refunds part, then the rest by default, and keeps refundedCents on the charge', async () => {
    // Prepare
    const api = await charged(3_000);
    const getCharge = makeGetCharge({ ledger: api.ledger });
    // Act
    const partial = await api.createRefund(
      refund({ idempotencyKey: 'r-1', request: { amountCents: 1_000 } }),
    );
    const afterPartial = await getCharge(chargeId(1));
    const rest = await api.createRefund(refund({ idempotencyKey: 'r-2' }));
    // Assess
    expect(partial).toEqual({
      status: 201,
      body: {
        id: refundId(1),
        object: 'refund',
        chargeId: chargeId(1),
        amountCents: 1_000,
        status: 'succeeded',
        createdAt: FIXED_NOW,
      },
    });
    expect(afterPartial.refundedCents).toBe(1_000);
    expect(refundOf(rest)).toMatchObject({ id: refundId(2), amountCents: 2_000 });
    expect((await getCharge(chargeId(1))).refundedCents).toBe(3_000);
  });

  test('more than what is left is 409 amount_too_large, stored for the key', async () => {
    // Prepare
    const api = await charged(3_000);
    await api.createRefund(refund({ idempotencyKey: 'r-1', request: { amountCents: 2_500 } }));
    // Act
    const tooLarge = await api.createRefund(refund({ idempotencyKey: 'r-2', request: { amountCents: 501 } }));
    const replayed = await api.createRefund(refund({ idempotencyKey: 'r-2', request: { amountCents: 501 } }));
    // Assess
    expect(tooLarge.status).toBe(409);
    expect(tooLarge.body).toEqual({
      error: {
        type: 'invalid_request_error',
        code: 'amount_too_large',
        message: expect.any(String),
        param: 'amountCents',
      },
    });
    expect(replayed).toEqual({ ...tooLarge, replayed: true });
    expect(api.ledger.refunds.map((made) => made.amountCents)).toEqual([2_500]);
  });

  test('a fully refunded charge refuses a refund of "what is left" with 409 charge_already_refunded', async () => {
    const api = await charged(3_000);
    await api.createRefund(refund({ idempotencyKey: 'r-1' }));
    const again = await api.createRefund(refund({ idempotencyKey: 'r-2' }));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'charge_already_refunded' } });
  });

  test('a retry with the same key replays the refund; another amount under the key is key_reused', async () => {
    // Prepare
    const api = await charged(3_000);
    const first = await api.createRefund(refund({ request: { amountCents: 1_000 } }));
    // Act
    const again = await api.createRefund(refund({ request: { amountCents: 1_000 } }));
    const reused = await thrownBy(api.createRefund(refund({ request: { amountCents: 999 } })));
    // Assess
    expect(again).toEqual({ ...first, replayed: true });
    expect(reused).toBeInstanceOf(KeyReusedError);
    expect(api.ledger.refunds).toHaveLength(1);
  });

  test('an unknown charge is 404 resource_missing; a malformed id too, without touching the key', async () => {
    // Prepare
    const api = processor();
    // Act
    const unknown = await api.createRefund(refund({ chargeId: chargeId(9) }));
    const malformed = await thrownBy(
      api.createRefund(refund({ chargeId: 'ch_nope', idempotencyKey: 'r-9' })),
    );
    // Assess
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({
      error: { type: 'invalid_request_error', code: 'resource_missing' },
    });
    expect(malformed).toBeInstanceOf(ResourceMissingError);
    expect(api.ledger.keyRecord('r-9')).toBeUndefined();
  });

  test('concurrent refunds of one charge never refund more than the charge', async () => {
    // Prepare
    const api = await charged(1_000);
    // Act: 10 refunds of 300 and 5 of "what is left", all at once
    const answers = await Promise.all([
      ...Array.from({ length: 10 }, (_, index) =>
        api.createRefund(refund({ idempotencyKey: `fixed-${index}`, request: { amountCents: 300 } })),
      ),
      ...Array.from({ length: 5 }, (_, index) =>
        api.createRefund(refund({ idempotencyKey: `rest-${index}` })),
      ),
    ]);
    // Assess
    const refunded = api.ledger.refunds.reduce((sum, made) => sum + made.amountCents, 0);
    expect(refunded).toBe(1_000);
    expect((await api.ledger.findCharge(chargeId(1)))?.refundedCents).toBe(1_000);
    const created = answers
      .filter((answer) => answer.status === 201)
      .map((answer) => refundOf(answer).amountCents);
    expect(created.reduce((sum, amount) => sum + amount, 0)).toBe(1_000);
    expect(answers.every((answer) => answer.status === 201 || answer.status === 409)).toBe(true);
  });
});

describe('GET /v1/charges', () => {
  test('lists the charges of an order, oldest first; a charge by id; 404 for others', async () => {
    // Prepare
    const api = processor();
    await api.createCharge(charge({ idempotencyKey: 'a' }));
    api.advance(1_000);
    await api.createCharge(charge({ idempotencyKey: 'b', request: aChargeRequest({ amountCents: 10 }) }));
    await api.createCharge(
      charge({ idempotencyKey: 'c', request: aChargeRequest({ orderId: 'ord_other' }) }),
    );
    const list = makeListCharges({ ledger: api.ledger });
    const get = makeGetCharge({ ledger: api.ledger });
    // Act
    const listed = await list(ORDER_ID);
    // Assess
    expect(listed.map((listedCharge) => [listedCharge.chargeId, listedCharge.amountCents])).toEqual([
      [chargeId(1), 3_000],
      [chargeId(2), 10],
    ]);
    expect(await list('ord_none')).toEqual([]);
    expect((await get(chargeId(3))).orderId).toBe('ord_other');
    await expect(get(chargeId(4))).rejects.toBeInstanceOf(ResourceMissingError);
    await expect(get('nonsense')).rejects.toBeInstanceOf(ResourceMissingError);
  });
});
