import {
  applyRefund,
  behaviourOf,
  chargeOutcome,
  FLAKY_FAILURES_PER_KEY,
  isChargeId,
  isRefundId,
  refundAmount,
  TEST_TOKENS,
  type ChargeOutcome,
} from '../../../functions/payment-provider/domain/charge';
import {
  AmountTooLargeError,
  ChargeAlreadyRefundedError,
  type ProcessorError,
} from '../../../functions/payment-provider/domain/errors';
import { aCharge, chargeId, refundId } from './fixtures';

/** An outcome as plain data: the kind, and the status and code of its error. */
function summary(outcome: ChargeOutcome) {
  return outcome.kind === 'approved'
    ? { kind: outcome.kind, hang: outcome.hang }
    : {
        kind: outcome.kind,
        status: outcome.error.status,
        type: outcome.error.type,
        code: outcome.error.code,
      };
}

describe('test tokens', () => {
  test.each([
    ['tok_visa', { kind: 'approved', hang: false }],
    ['tok_timeout', { kind: 'approved', hang: true }],
    ['tok_decline', { kind: 'refused', status: 402, type: 'card_error', code: 'card_declined' }],
    [
      'tok_insufficient_funds',
      { kind: 'refused', status: 402, type: 'card_error', code: 'insufficient_funds' },
    ],
    ['tok_error', { kind: 'refused', status: 500, type: 'api_error', code: 'processing_error' }],
  ])('%s → %o on every attempt', (token, expected) => {
    // Prepare
    const behaviour = behaviourOf(token);
    // Act
    const outcomes = [1, 2, 3, 4].map((attempt) => summary(chargeOutcome(behaviour ?? 'approve', attempt)));
    // Assess
    expect(behaviour).toBeDefined();
    expect(outcomes).toEqual([expected, expected, expected, expected]);
  });

  test('tok_flaky is unavailable (503) on the first two attempts of a key, then approves', () => {
    // Act
    const outcomes = [1, 2, 3, 4].map((attempt) => summary(chargeOutcome('flaky', attempt)));
    // Assess
    const unavailable = {
      kind: 'unavailable',
      status: 503,
      type: 'api_error',
      code: 'temporarily_unavailable',
    };
    expect(FLAKY_FAILURES_PER_KEY).toBe(2);
    expect(outcomes).toEqual([
      unavailable,
      unavailable,
      { kind: 'approved', hang: false },
      { kind: 'approved', hang: false },
    ]);
  });

  test('knows exactly the six test tokens; anything else, inherited names included, is unknown', () => {
    expect(Object.keys(TEST_TOKENS).sort()).toEqual([
      'tok_decline',
      'tok_error',
      'tok_flaky',
      'tok_insufficient_funds',
      'tok_timeout',
      'tok_visa',
    ]);
    for (const token of ['tok_mastercard', 'tok_VISA', '', 'toString', 'constructor', '__proto__']) {
      expect(behaviourOf(token)).toBeUndefined();
    }
  });
});

describe('refund arithmetic', () => {
  test('defaults to what is left of the charge', () => {
    expect(refundAmount(aCharge({ amountCents: 3_000 }))).toBe(3_000);
    expect(refundAmount(aCharge({ amountCents: 3_000, refundedCents: 1_000 }))).toBe(2_000);
  });

  test('takes a requested amount up to what is left, exactly', () => {
    const charge = aCharge({ amountCents: 3_000, refundedCents: 1_000 });
    expect(refundAmount(charge, 1)).toBe(1);
    expect(refundAmount(charge, 2_000)).toBe(2_000);
  });

  test('refuses more than what is left with 409 amount_too_large', () => {
    // Act
    let thrown: unknown;
    try {
      refundAmount(aCharge({ amountCents: 3_000, refundedCents: 1_000 }), 2_001);
    } catch (error) {
      thrown = error;
    }
    // Assess
    expect(thrown).toBeInstanceOf(AmountTooLargeError);
    expect((thrown as ProcessorError).toErrorObject()).toEqual({
      type: 'invalid_request_error',
      code: 'amount_too_large',
      message: expect.stringContaining('2000'),
      param: 'amountCents',
    });
    expect((thrown as ProcessorError).status).toBe(409);
  });

  test('refuses a refund of what is left when nothing is left', () => {
    const refunded = aCharge({ amountCents: 3_000, refundedCents: 3_000 });
    expect(() => refundAmount(refunded)).toThrow(ChargeAlreadyRefundedError);
    expect(() => refundAmount(refunded, 1)).toThrow(AmountTooLargeError);
  });

  test('refuses amounts that are not positive integers (the schema stops them first)', () => {
    for (const amount of [0, -1, 1.5, Number.NaN, 2 ** 53]) {
      expect(() => refundAmount(aCharge(), amount)).toThrow(RangeError);
    }
  });

  test('a refund adds to refundedCents', () => {
    const charge = aCharge({ amountCents: 3_000, refundedCents: 500 });
    const refund = {
      refundId: refundId(1),
      chargeId: charge.chargeId,
      amountCents: 700,
      status: 'succeeded' as const,
      createdAt: charge.createdAt,
    };
    expect(applyRefund(charge, refund)).toEqual({ ...charge, refundedCents: 1_200 });
  });
});

describe('ids', () => {
  test('charge and refund ids are the prefix and a ULID', () => {
    expect(isChargeId(chargeId(1))).toBe(true);
    expect(isRefundId(refundId(1))).toBe(true);
    for (const malformed of [
      'ch_',
      'ch_123',
      `${chargeId(1)}x`,
      refundId(1),
      'ch_01JD000000000000000000000I',
    ]) {
      expect(isChargeId(malformed)).toBe(false);
    }
  });
});
