/**
 * Charges, refunds and the deterministic test tokens of the simulated card processor: pure rules.
 * Amounts are integer minor units of `currency`.
 */
import {
  AmountTooLargeError,
  CardDeclinedError,
  ChargeAlreadyRefundedError,
  InsufficientFundsError,
  ProcessingError,
  TemporarilyUnavailableError,
  type ProcessorError,
} from './errors';

/** ISO 4217 alphabetic codes: three upper-case letters. */
export const CURRENCY_CODE = /^[A-Z]{3}$/;
const ULID = '[0-9A-HJKMNP-TV-Z]{26}';
export const CHARGE_ID_PREFIX = 'ch_';
export const REFUND_ID_PREFIX = 're_';
const CHARGE_ID = new RegExp(`^${CHARGE_ID_PREFIX}${ULID}$`);
const REFUND_ID = new RegExp(`^${REFUND_ID_PREFIX}${ULID}$`);

export function isChargeId(value: string): boolean {
  return CHARGE_ID.test(value);
}

export function isRefundId(value: string): boolean {
  return REFUND_ID.test(value);
}

export interface Charge {
  /** `ch_` + ULID. */
  readonly chargeId: string;
  /** The merchant's order the charge pays; the processor only stores it and lists by it. */
  readonly orderId: string;
  readonly amountCents: number;
  readonly currency: string;
  /** Sum of the charge's refunds; never more than `amountCents`. */
  readonly refundedCents: number;
  readonly status: 'succeeded';
  /** ISO 8601. */
  readonly createdAt: string;
  readonly description?: string;
}

export interface Refund {
  /** `re_` + ULID. */
  readonly refundId: string;
  readonly chargeId: string;
  readonly amountCents: number;
  readonly status: 'succeeded';
  readonly createdAt: string;
}

/** What a test token makes the processor do. */
export type TokenBehaviour =
  'approve' | 'decline' | 'insufficient-funds' | 'processing-error' | 'approve-then-hang' | 'flaky';

/** The tokens the processor knows; any other token is `invalid_token`. */
export const TEST_TOKENS: Readonly<Record<string, TokenBehaviour>> = Object.freeze({
  tok_visa: 'approve',
  tok_decline: 'decline',
  tok_insufficient_funds: 'insufficient-funds',
  tok_error: 'processing-error',
  tok_timeout: 'approve-then-hang',
  tok_flaky: 'flaky',
});

/** Attempts per Idempotency-Key that `tok_flaky` answers 503 before it approves. */
export const FLAKY_FAILURES_PER_KEY = 2;

export function behaviourOf(token: string): TokenBehaviour | undefined {
  return Object.hasOwn(TEST_TOKENS, token) ? TEST_TOKENS[token] : undefined;
}

/**
 * What a charge attempt ends in:
 * - `approved`: the charge is recorded as succeeded (with `hang`, its answer is held back);
 * - `refused`: a final answer (402, 500), stored with the key and replayed to every retry;
 * - `unavailable`: a transient 503, not stored: a retry with the same key is a new attempt.
 */
export type ChargeOutcome =
  | { readonly kind: 'approved'; readonly hang: boolean }
  | { readonly kind: 'refused'; readonly error: ProcessorError }
  | { readonly kind: 'unavailable'; readonly error: ProcessorError };

/** The outcome of the `attempt`-th attempt (1 for the first) under one Idempotency-Key. */
export function chargeOutcome(behaviour: TokenBehaviour, attempt: number): ChargeOutcome {
  switch (behaviour) {
    case 'approve':
      return { kind: 'approved', hang: false };
    case 'approve-then-hang':
      return { kind: 'approved', hang: true };
    case 'decline':
      return { kind: 'refused', error: new CardDeclinedError() };
    case 'insufficient-funds':
      return { kind: 'refused', error: new InsufficientFundsError() };
    case 'processing-error':
      return { kind: 'refused', error: new ProcessingError() };
    case 'flaky':
      return attempt <= FLAKY_FAILURES_PER_KEY
        ? { kind: 'unavailable', error: new TemporarilyUnavailableError() }
        : { kind: 'approved', hang: false };
    default: {
      const unknown: never = behaviour;
      throw new Error(`unknown token behaviour ${String(unknown)}`);
    }
  }
}

export function remainingCents(charge: Charge): number {
  return charge.amountCents - charge.refundedCents;
}

/**
 * The amount of a refund of `charge`: `requestedCents`, or everything left when none is given.
 * Throws `AmountTooLargeError` past what is left, `ChargeAlreadyRefundedError` when nothing is left.
 */
export function refundAmount(charge: Charge, requestedCents?: number): number {
  const remaining = remainingCents(charge);
  if (requestedCents === undefined) {
    if (remaining <= 0) throw new ChargeAlreadyRefundedError(charge.chargeId);
    return remaining;
  }
  if (!Number.isSafeInteger(requestedCents) || requestedCents <= 0) {
    throw new RangeError(`a refund amount must be a positive integer, not ${requestedCents}`);
  }
  if (requestedCents > remaining) throw new AmountTooLargeError(charge.chargeId, requestedCents, remaining);
  return requestedCents;
}

/** The charge once `refund` is applied. */
export function applyRefund(charge: Charge, refund: Refund): Charge {
  return { ...charge, refundedCents: charge.refundedCents + refund.amountCents };
}
