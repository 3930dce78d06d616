import { makeGetPayment } from '../../../functions/payments/application/get-payment';
import { PaymentNotFoundError } from '../../../functions/payments/domain/errors';
import {
  aCharge,
  ACCOUNT_ID,
  BROKE_ACCOUNT_ID,
  FIXED_NOW,
  ORDER_ID,
  OTHER_ORDER_ID,
  payments,
  rejectionOf,
  USER_ID,
  type Fault,
} from './fakes';

describe('chargePayment', () => {
  describe('the card token, from the card vault', () => {
    test('is what the processor charges, and is forgotten once the charge is captured', async () => {
      // Prepare
      const { chargePayment, cardVault, processor } = payments();
      await cardVault.keep(ORDER_ID, 'tok_visa');
      // Act
      const payment = await chargePayment(aCharge({ payment: { method: 'card' } }));
      // Assess
      expect(payment.status).toBe('CAPTURED');
      expect(processor.count('charge')).toBe(1);
      expect(await cardVault.tokenOf(ORDER_ID)).toBeUndefined();
    });

    test('is forgotten once the card is declined', async () => {
      const { charge, cardVault } = payments();
      await rejectionOf(charge(aCharge({ token: 'tok_decline' })));
      expect(await cardVault.tokenOf(ORDER_ID)).toBeUndefined();
    });

    test('is kept while the processor is unavailable, for the charge that follows', async () => {
      // Prepare
      const { charge, chargePayment, cardVault, processor } = payments();
      processor.failNext('server-error', 'server-error', 'server-error');
      // Act
      const error = await rejectionOf(charge(aCharge()));
      // Assess
      expect(error.name).toBe('PaymentProviderUnavailable');
      expect(await cardVault.tokenOf(ORDER_ID)).toBe('tok_visa');
      // Act: the saga's next attempt, the processor back
      const payment = await chargePayment(aCharge({ payment: { method: 'card' } }));
      // Assess
      expect(payment.status).toBe('CAPTURED');
      expect(await cardVault.tokenOf(ORDER_ID)).toBeUndefined();
    });

    test('missing (expired, or never kept) is a decline, card_token_missing, without calling the processor', async () => {
      // Prepare
      const { chargePayment, processor, repository } = payments();
      // Act
      const error = await rejectionOf(chargePayment(aCharge({ payment: { method: 'card' } })));
      // Assess
      expect(error.name).toBe('PaymentDeclined');
      expect(error).toMatchObject({ declineCode: 'card_token_missing' });
      expect(processor.calls).toEqual([]);
      expect(await repository.find(ORDER_ID)).toMatchObject({
        status: 'DECLINED',
        declineCode: 'card_token_missing',
        attempts: 0,
      });
    });

    test('is forgotten by a refund: a refunded order is never charged', async () => {
      // Prepare
      const { refund, cardVault } = payments();
      await cardVault.keep(ORDER_ID, 'tok_visa');
      // Act
      await refund({ orderId: ORDER_ID, userId: USER_ID, method: 'card' });
      // Assess
      expect(await cardVault.tokenOf(ORDER_ID)).toBeUndefined();
    });

    test('is never looked for when the order is paid from an account', async () => {
      const { chargePayment, cardVault } = payments();
      await cardVault.keep(ORDER_ID, 'tok_visa');
      await chargePayment(aCharge({ payment: { method: 'account', accountId: ACCOUNT_ID } }));
      expect(await cardVault.tokenOf(ORDER_ID)).toBe('tok_visa');
    });
  });

  test('captures the order with the key charge-<orderId> and records it CAPTURED', async () => {
    // Prepare
    const { charge, processor, repository } = payments();
    // Act
    const payment = await charge(aCharge());
    // Assess
    expect(payment).toEqual({
      orderId: ORDER_ID,
      userId: USER_ID,
      status: 'CAPTURED',
      method: 'card',
      amountCents: 3_000,
      currency: 'USD',
      attempts: 1,
      providerChargeId: 'ch_1',
      updatedAt: FIXED_NOW,
    });
    expect(processor.calls).toEqual([{ operation: 'charge', key: `charge-${ORDER_ID}` }]);
    expect(await repository.find(ORDER_ID)).toEqual(payment);
  });

  test('a decline throws PaymentDeclined with the code and is recorded DECLINED, not retried', async () => {
    // Prepare
    const { charge, processor, repository } = payments();
    // Act
    const error = await rejectionOf(charge(aCharge({ token: 'tok_decline' })));
    // Assess
    expect(error.name).toBe('PaymentDeclined');
    expect(error).toMatchObject({ declineCode: 'card_declined', orderId: ORDER_ID });
    expect(processor.count('charge')).toBe(1);
    expect(await repository.find(ORDER_ID)).toMatchObject({
      status: 'DECLINED',
      declineCode: 'card_declined',
      attempts: 1,
    });
  });

  test('a declined order is declined again without calling the processor', async () => {
    const { charge, processor } = payments();
    await rejectionOf(charge(aCharge({ token: 'tok_decline' })));
    const again = await rejectionOf(charge(aCharge({ token: 'tok_decline' })));
    expect(again.name).toBe('PaymentDeclined');
    expect(processor.count('charge')).toBe(1);
  });

  test('retries a failing processor with growing pauses and captures, counting every call', async () => {
    // Prepare
    const { charge, processor, pauses } = payments();
    processor.failNext('server-error', 'network');
    // Act
    const payment = await charge(aCharge());
    // Assess: the charge without an answer was looked up (nothing found) before the retry.
    expect(payment).toMatchObject({ status: 'CAPTURED', attempts: 3, providerChargeId: 'ch_1' });
    expect(processor.calls).toEqual([
      { operation: 'charge', key: `charge-${ORDER_ID}` },
      { operation: 'charge', key: `charge-${ORDER_ID}` },
      { operation: 'list' },
      { operation: 'charge', key: `charge-${ORDER_ID}` },
    ]);
    // Full jitter at random() = 0.5: half of 100 ms, then half of 200 ms.
    expect(pauses).toEqual([50, 100]);
  });

  test('a processor failing every attempt → PaymentProviderUnavailable, FAILED; attempts add up later', async () => {
    // Prepare
    const { charge, processor, repository } = payments();
    processor.failNext('server-error', 'server-error', 'server-error');
    // Act
    const error = await rejectionOf(charge(aCharge()));
    // Assess
    expect(error.name).toBe('PaymentProviderUnavailable');
    expect(await repository.find(ORDER_ID)).toMatchObject({ status: 'FAILED', attempts: 3 });

    // Act: the saga retries the step once the processor is back.
    const payment = await charge(aCharge());
    // Assess
    expect(payment).toMatchObject({ status: 'CAPTURED', attempts: 4 });
  });

  test('a rejected request (4xx) is neither retried nor counted as unavailable: PaymentProviderRejected', async () => {
    const { charge, processor, repository } = payments();
    processor.failNext('rejected');
    const error = await rejectionOf(charge(aCharge()));
    expect(error.name).toBe('PaymentProviderRejected');
    expect(processor.count('charge')).toBe(1);
    expect(await repository.find(ORDER_ID)).toMatchObject({ status: 'FAILED', attempts: 1 });
  });

  test('a replayed 5xx is the final answer to the key: not retried, not counted, a decline with its code', async () => {
    // Prepare
    const { charge, processor, repository, breaker } = payments({ failureThreshold: 1 });
    processor.failNext('replayed-error');
    // Act
    const error = await rejectionOf(charge(aCharge()));
    const again = await rejectionOf(charge(aCharge()));
    // Assess
    expect(error).toMatchObject({ name: 'PaymentDeclined', declineCode: 'processing_error' });
    expect(again).toMatchObject({ name: 'PaymentDeclined', declineCode: 'processing_error' });
    expect(processor.count('charge')).toBe(1);
    expect(await repository.find(ORDER_ID)).toMatchObject({
      status: 'DECLINED',
      declineCode: 'processing_error',
      attempts: 1,
    });
    expect(await breaker.state()).toBe('CLOSED');
  });

  test('an earlier request still in progress is waited for (retried) without counting against the circuit', async () => {
    const { charge, processor, breaker } = payments({ failureThreshold: 1 });
    processor.failNext('in-progress');
    const payment = await charge(aCharge());
    expect(payment).toMatchObject({ status: 'CAPTURED', attempts: 2 });
    expect(await breaker.state()).toBe('CLOSED');
  });

  test('an open circuit fails fast: PaymentProviderUnavailable without calling the processor', async () => {
    // Prepare: two failures in a row open a circuit with a threshold of 2.
    const { charge, processor, repository, breaker } = payments({ failureThreshold: 2 });
    processor.failNext('server-error', 'server-error', 'server-error');
    const first = await rejectionOf(charge(aCharge()));
    expect(first.name).toBe('PaymentProviderUnavailable');
    // The third attempt met the open circuit: not made, and not retried either.
    expect(processor.count('charge')).toBe(2);
    expect(await breaker.state()).toBe('OPEN');

    // Act
    const error = await rejectionOf(charge(aCharge({ orderId: OTHER_ORDER_ID })));

    // Assess
    expect(error.name).toBe('PaymentProviderUnavailable');
    expect(error.cause).toMatchObject({ name: 'CircuitOpenError' });
    expect(processor.count('charge')).toBe(2);
    expect(await repository.find(OTHER_ORDER_ID)).toMatchObject({ status: 'FAILED', attempts: 0 });
  });

  test('the circuit lets a probe through after the reset timeout, and closes on its success', async () => {
    const { charge, processor, breaker, advanceClock } = payments({ failureThreshold: 2 });
    processor.failNext('server-error', 'server-error');
    await rejectionOf(charge(aCharge()));
    advanceClock(30_000);
    const payment = await charge(aCharge());
    expect(payment.status).toBe('CAPTURED');
    expect(await breaker.state()).toBe('CLOSED');
  });

  test('declines do not count against the circuit: the processor answered', async () => {
    const { charge, breaker } = payments({ failureThreshold: 2 });
    for (const orderId of [ORDER_ID, OTHER_ORDER_ID, 'ord_01JD0000000000000000000002']) {
      const error = await rejectionOf(charge(aCharge({ orderId, token: 'tok_decline' })));
      expect(error.name).toBe('PaymentDeclined');
    }
    expect(await breaker.state()).toBe('CLOSED');
  });

  test('a CAPTURED order is answered from the record, without calling the processor again', async () => {
    const { charge, processor } = payments();
    const first = await charge(aCharge());
    const second = await charge(aCharge());
    expect(second).toEqual(first);
    expect(processor.count('charge')).toBe(1);
  });

  test('a charge that got no answer is looked up at once: captured there, CAPTURED in one attempt, not a failure', async () => {
    // Prepare: the processor captures, but the answer is lost.
    const { charge, processor, repository, breaker } = payments({ failureThreshold: 1 });
    processor.failNext('lost-answer');
    // Act
    const payment = await charge(aCharge());
    // Assess
    expect(payment).toMatchObject({ status: 'CAPTURED', providerChargeId: 'ch_1', attempts: 1 });
    expect(processor.calls.map((call) => call.operation)).toEqual(['charge', 'list']);
    expect(processor.chargesOf(ORDER_ID)).toHaveLength(1);
    expect(await repository.find(ORDER_ID)).toMatchObject({ status: 'CAPTURED' });
    expect(await breaker.state()).toBe('CLOSED');
  });

  test('a charge without an answer whose look-up finds nothing is retried with its key, and counts as a failure', async () => {
    // Prepare: the request never reached the processor; the look-up lists nothing.
    const { charge, processor, breaker } = payments({ failureThreshold: 1 });
    processor.failNext('network');
    // Act
    const error = await rejectionOf(charge(aCharge()));
    // Assess: one attempt (charge + look-up) counted against a threshold of 1, the retry refused.
    expect(error.name).toBe('PaymentProviderUnavailable');
    expect(processor.calls.map((call) => call.operation)).toEqual(['charge', 'list']);
    expect(await breaker.state()).toBe('OPEN');
  });

  test('a charge whose answers and look-ups were all lost is captured once: a later retry replays it', async () => {
    // Prepare: the processor captures; every answer of the first invocation is lost, look-ups included.
    const { charge, processor, repository } = payments();
    processor.failNext(...Array<Fault>(6).fill('lost-answer'));
    const error = await rejectionOf(charge(aCharge()));
    expect(error.name).toBe('PaymentProviderUnavailable');
    expect(await repository.find(ORDER_ID)).toMatchObject({ status: 'FAILED', attempts: 3 });

    // Act
    const payment = await charge(aCharge());

    // Assess
    expect(payment).toMatchObject({ status: 'CAPTURED', providerChargeId: 'ch_1', attempts: 4 });
    expect(processor.chargesOf(ORDER_ID)).toHaveLength(1);
  });

  test('stops retrying when the next attempt would not fit in the invocation', async () => {
    // Prepare: 3.1 s left, the reserve per attempt is 3 s: no pause (≥ 50 ms + 250 ms margin) fits.
    const { charge, processor } = payments();
    processor.failNext('server-error', 'server-error');
    // Act
    const error = await rejectionOf(charge(aCharge(), { remainingTimeMs: () => 3_100 }));
    // Assess
    expect(error.name).toBe('PaymentProviderUnavailable');
    expect(processor.count('charge')).toBe(1);
  });

  test('a FAILED outcome loses to a capture another invocation recorded meanwhile', async () => {
    // Prepare: while this invocation waits on the processor, another one captures the order.
    const { charge, processor, repository } = payments({ maxAttempts: 1 });
    processor.failNext('server-error');
    processor.duringNextCharge = () =>
      repository
        .record({
          orderId: ORDER_ID,
          userId: USER_ID,
          method: 'card',
          status: 'CAPTURED',
          amountCents: 3_000,
          currency: 'USD',
          providerChargeId: 'ch_other',
          attemptsMade: 1,
          at: FIXED_NOW,
        })
        .then(() => undefined);
    // Act
    const payment = await charge(aCharge());
    // Assess
    expect(payment).toMatchObject({ status: 'CAPTURED', providerChargeId: 'ch_other' });
    expect(await repository.find(ORDER_ID)).toMatchObject({ status: 'CAPTURED' });
  });

  test('a refunded order is never charged again', async () => {
    const { charge, refund, processor } = payments();
    await charge(aCharge());
    await refund({ orderId: ORDER_ID, userId: USER_ID, method: 'card' });
    const error = await rejectionOf(charge(aCharge()));
    expect(error.name).toBe('PaymentAlreadyRefunded');
    expect(processor.count('charge')).toBe(1);
  });
});

describe('the outcomes counted (metrics)', () => {
  test('a capture once, however often the step runs; a decline with its code; a refund once', async () => {
    // Prepare
    const captured = payments();
    const declined = payments();
    // Act
    await captured.charge(aCharge());
    await captured.chargePayment(aCharge({ payment: { method: 'card' } }));
    await captured.refund({ orderId: ORDER_ID, userId: USER_ID, method: 'card' });
    await captured.refund({ orderId: ORDER_ID, userId: USER_ID, method: 'card' });
    await rejectionOf(declined.charge(aCharge({ token: 'tok_decline' })));
    await rejectionOf(declined.chargePayment(aCharge({ payment: { method: 'card' } })));
    // Assess
    expect(captured.counted).toEqual(['PaymentsCaptured', 'PaymentsRefunded']);
    expect(declined.counted).toEqual(['PaymentsDeclined/card_declined']);
  });

  test('two invocations capturing the same order at once count one capture', async () => {
    // Prepare: while this invocation waits on the processor, a redelivered step charges the order too.
    const { charge, chargePayment, processor, repository, counted } = payments();
    processor.duringNextCharge = () =>
      chargePayment(aCharge({ payment: { method: 'card' } })).then(() => undefined);
    // Act
    const payment = await charge(aCharge());
    // Assess: both wrote CAPTURED (the second over the first), one was counted
    expect(payment.status).toBe('CAPTURED');
    expect(await repository.find(ORDER_ID)).toMatchObject({ status: 'CAPTURED', previousStatus: 'CAPTURED' });
    expect(counted).toEqual(['PaymentsCaptured']);
  });

  test('a capture after a failed attempt counts the capture only; a failure counts nothing', async () => {
    // Prepare
    const { charge, chargePayment, processor, counted } = payments();
    processor.failNext('server-error', 'server-error', 'server-error');
    // Act
    await rejectionOf(charge(aCharge()));
    await chargePayment(aCharge({ payment: { method: 'card' } }));
    // Assess
    expect(counted).toEqual(['PaymentsCaptured']);
  });
});

describe('refundPayment', () => {
  test('refunds the captured charge with the key refund-<chargeId> and records REFUNDED', async () => {
    // Prepare
    const { charge, refund, processor, repository } = payments();
    await charge(aCharge());
    // Act
    const result = await refund({
      orderId: ORDER_ID,
      userId: USER_ID,
      method: 'card',
      correlationId: 'corr-1',
    });
    // Assess
    expect(result).toEqual({
      orderId: ORDER_ID,
      refundedCents: 3_000,
      refunds: [{ chargeId: 'ch_1', refundId: 're_2', amountCents: 3_000 }],
    });
    expect(processor.calls.filter((call) => call.operation === 'refund')).toEqual([
      { operation: 'refund', key: 'refund-ch_1' },
    ]);
    expect(await repository.find(ORDER_ID)).toMatchObject({
      status: 'REFUNDED',
      refundedCents: 3_000,
      providerChargeId: 'ch_1',
      attempts: 1,
    });
  });

  test('refunds a charge whose answer was lost, found at the processor', async () => {
    // Prepare: captured at the processor, recorded FAILED here (every answer lost, look-ups included).
    const { charge, refund, processor, repository } = payments();
    processor.failNext(...Array<Fault>(6).fill('lost-answer'));
    await rejectionOf(charge(aCharge()));
    // Act
    const result = await refund({ orderId: ORDER_ID, userId: USER_ID, method: 'card' });
    // Assess
    expect(result.refundedCents).toBe(3_000);
    expect(processor.chargesOf(ORDER_ID)).toEqual([expect.objectContaining({ refundedCents: 3_000 })]);
    expect(await repository.find(ORDER_ID)).toMatchObject({
      status: 'REFUNDED',
      providerChargeId: 'ch_1',
      refundedCents: 3_000,
    });
  });

  test('refunds a charge that was never recorded here at all (the function died first)', async () => {
    const { refund, processor, repository } = payments();
    await processor.charge({
      ...aCharge(),
      payerId: USER_ID,
      source: { method: 'card', token: 'tok_visa' },
      idempotencyKey: `charge-${ORDER_ID}`,
    });
    const result = await refund({ orderId: ORDER_ID, userId: USER_ID, method: 'card' });
    expect(result.refundedCents).toBe(3_000);
    expect(await repository.find(ORDER_ID)).toMatchObject({
      status: 'REFUNDED',
      amountCents: 3_000,
      currency: 'USD',
      attempts: 0,
    });
  });

  test('is idempotent: a second refund refunds nothing more', async () => {
    // Prepare
    const { charge, refund, processor } = payments();
    await charge(aCharge());
    await refund({ orderId: ORDER_ID, userId: USER_ID, method: 'card' });
    // Act
    const again = await refund({ orderId: ORDER_ID, userId: USER_ID, method: 'card' });
    // Assess
    expect(again).toEqual({ orderId: ORDER_ID, refundedCents: 0, refunds: [] });
    expect(processor.count('refund')).toBe(1);
    expect(processor.chargesOf(ORDER_ID)).toEqual([expect.objectContaining({ refundedCents: 3_000 })]);
  });

  test('a refund whose answer was lost is retried with its key and replayed, not doubled', async () => {
    const { charge, refund, processor } = payments();
    await charge(aCharge());
    processor.failNext('none', 'lost-answer');
    const result = await refund({ orderId: ORDER_ID, userId: USER_ID, method: 'card' });
    expect(result.refunds).toEqual([{ chargeId: 'ch_1', refundId: 're_2', amountCents: 3_000 }]);
    expect(processor.count('refund')).toBe(2);
    expect(processor.chargesOf(ORDER_ID)).toEqual([expect.objectContaining({ refundedCents: 3_000 })]);
  });

  test('nothing captured (a decline, or no charge at all) → a no-op that writes nothing', async () => {
    const { charge, refund, processor, repository } = payments();
    await rejectionOf(charge(aCharge({ token: 'tok_decline' })));
    const declined = await refund({ orderId: ORDER_ID, userId: USER_ID, method: 'card' });
    const unknown = await refund({ orderId: OTHER_ORDER_ID, userId: USER_ID, method: 'card' });
    expect(declined).toEqual({ orderId: ORDER_ID, refundedCents: 0, refunds: [] });
    expect(unknown).toEqual({ orderId: OTHER_ORDER_ID, refundedCents: 0, refunds: [] });
    expect(processor.count('refund')).toBe(0);
    expect(await repository.find(ORDER_ID)).toMatchObject({ status: 'DECLINED' });
    expect(await repository.find(OTHER_ORDER_ID)).toBeUndefined();
  });

  test('a processor failing every attempt → PaymentProviderUnavailable, the payment unchanged', async () => {
    const { charge, refund, processor, repository } = payments();
    await charge(aCharge());
    processor.failNext('server-error', 'server-error', 'server-error');
    const error = await rejectionOf(refund({ orderId: ORDER_ID, userId: USER_ID, method: 'card' }));
    expect(error.name).toBe('PaymentProviderUnavailable');
    expect(await repository.find(ORDER_ID)).toMatchObject({ status: 'CAPTURED' });
  });

  test('an open circuit fails the refund fast, without a call', async () => {
    const { charge, refund, processor } = payments({ failureThreshold: 1 });
    await charge(aCharge());
    processor.failNext('server-error');
    await rejectionOf(refund({ orderId: ORDER_ID, userId: USER_ID, method: 'card' }));
    const calls = processor.calls.length;
    const error = await rejectionOf(refund({ orderId: ORDER_ID, userId: USER_ID, method: 'card' }));
    expect(error.name).toBe('PaymentProviderUnavailable');
    expect(processor.calls).toHaveLength(calls);
  });
});

describe('an order paid from an account', () => {
  const fromAccount = (accountId: string) => aCharge({ payment: { method: 'account', accountId } });

  test('is charged by the accounts context alone, as the payer, and recorded with its method', async () => {
    // Prepare
    const { charge, processor, accounts, repository } = payments();
    // Act
    const payment = await charge(fromAccount(ACCOUNT_ID));
    // Assess
    expect(payment).toMatchObject({ status: 'CAPTURED', method: 'account', attempts: 1 });
    expect(accounts.calls).toEqual([{ operation: 'charge', key: `charge-${ORDER_ID}` }]);
    expect(processor.calls).toEqual([]);
    expect(await repository.find(ORDER_ID)).toEqual(payment);
  });

  test('insufficient funds is a decline: PaymentDeclined, recorded DECLINED, not asked again', async () => {
    const { charge, accounts, repository } = payments();
    const error = await rejectionOf(charge(fromAccount(BROKE_ACCOUNT_ID)));
    const again = await rejectionOf(charge(fromAccount(BROKE_ACCOUNT_ID)));
    expect([error.name, again.name]).toEqual(['PaymentDeclined', 'PaymentDeclined']);
    expect(error).toMatchObject({ declineCode: 'insufficient_funds' });
    expect(accounts.count('charge')).toBe(1);
    expect(await repository.find(ORDER_ID)).toMatchObject({ status: 'DECLINED', method: 'account' });
  });

  test('the accounts context failing is PaymentProviderUnavailable naming it, and the payment FAILED', async () => {
    const { charge, accounts, repository } = payments();
    accounts.failNext('server-error', 'server-error', 'server-error');
    const error = await rejectionOf(charge(fromAccount(ACCOUNT_ID)));
    expect(error.name).toBe('PaymentProviderUnavailable');
    expect(error.message).toMatch(/^The accounts context is unavailable: the charge of order/);
    expect(await repository.find(ORDER_ID)).toMatchObject({ status: 'FAILED', method: 'account' });
  });

  test('is refunded by the accounts context, never by the card processor', async () => {
    // Prepare
    const { charge, refund, processor, accounts, repository } = payments();
    await charge(fromAccount(ACCOUNT_ID));
    // Act
    const result = await refund({ orderId: ORDER_ID, userId: USER_ID, method: 'account' });
    // Assess
    expect(result.refundedCents).toBe(3_000);
    expect(accounts.count('refund')).toBe(1);
    expect(processor.calls).toEqual([]);
    expect(await repository.find(ORDER_ID)).toMatchObject({ status: 'REFUNDED', method: 'account' });
  });
});

describe('getPayment', () => {
  const customer = { userId: USER_ID, isStaff: false };
  const otherCustomer = { userId: 'usr_01JD0000000000000000000002', isStaff: false };
  const staff = { userId: 'usr_01JD0000000000000000000003', isStaff: true };

  test('answers the recorded payment to its customer and staff, PaymentNotFoundError for an order without one', async () => {
    const { charge, repository } = payments();
    const captured = await charge(aCharge());
    const getPayment = makeGetPayment({ repository });
    expect(captured.userId).toBe(USER_ID);
    expect(await getPayment(ORDER_ID, customer)).toEqual(captured);
    expect(await getPayment(ORDER_ID, staff)).toEqual(captured);
    await expect(getPayment(OTHER_ORDER_ID, customer)).rejects.toBeInstanceOf(PaymentNotFoundError);
  });

  test("answers another customer's payment as if there were none", async () => {
    const { charge, repository } = payments();
    await charge(aCharge());
    const error = await rejectionOf(makeGetPayment({ repository })(ORDER_ID, otherCustomer));
    expect(error).toBeInstanceOf(PaymentNotFoundError);
  });
});
