import type { ChargeSource } from '../domain/payment';

/**
 * Whoever takes the money, as the payments context needs it: the card processor (`HttpPaymentProvider`,
 * its REST API) for a card, the accounts context (`AccountsPaymentProvider`, its payment API) for an
 * account. Each refuses a source it does not handle (`ProviderRejectedError`, `unsupported_payment_method`).
 *
 * A call either answers (a capture, a decline, a list, a refund) or throws one of two errors:
 * `ProviderTransientError` when the processor failed or could not be reached — the call may or may
 * not have taken effect, and repeating it with the same idempotency key is safe — and
 * `ProviderRejectedError` when it refused the request itself, which repeating cannot change.
 */

export interface ProviderCallOptions {
  /** Sent along as `X-Correlation-Id`. */
  readonly correlationId?: string;
}

export interface ChargeRequest extends ProviderCallOptions {
  /** The processor replays the first answer to every request with the same key: never two charges. */
  readonly idempotencyKey: string;
  readonly orderId: string;
  /** The customer who pays (`usr_` + ULID): an account is charged only for its owner. */
  readonly payerId: string;
  readonly amountCents: number;
  readonly currency: string;
  readonly source: ChargeSource;
}

export type ChargeResult =
  | {
      readonly outcome: 'captured';
      readonly chargeId: string;
      readonly amountCents: number;
      readonly currency: string;
      /** True when the processor replayed an earlier answer to the same key. */
      readonly replayed: boolean;
    }
  | {
      readonly outcome: 'declined';
      /** The processor's reason, e.g. `card_declined`, `insufficient_funds`, `invalid_token`. */
      readonly code: string;
      readonly message?: string;
    };

/** A charge as the processor lists it. */
export interface ProviderCharge {
  readonly chargeId: string;
  readonly orderId: string;
  /** `succeeded` for a captured charge. */
  readonly status: string;
  readonly amountCents: number;
  readonly currency: string;
  readonly refundedCents: number;
}

export interface RefundRequest extends ProviderCallOptions {
  readonly idempotencyKey: string;
  /** The order the charge paid. */
  readonly orderId: string;
  readonly chargeId: string;
  /** @default - what is left of the charge */
  readonly amountCents?: number;
}

/** The code of the refusal of a source a provider does not handle: a wiring bug, never retried. */
export const UNSUPPORTED_PAYMENT_METHOD = 'unsupported_payment_method';

export interface ProviderRefund {
  readonly refundId: string;
  readonly chargeId: string;
  readonly amountCents: number;
}

export interface PaymentProvider {
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** Every charge made for the order, with what was refunded of each. */
  listCharges(orderId: string, options?: ProviderCallOptions): Promise<readonly ProviderCharge[]>;
  refund(request: RefundRequest): Promise<ProviderRefund>;
}

/**
 * - `server-error`: a 5xx (or 429) answered afresh; `timeout`, `network`: no answer; `malformed-answer`:
 *   an answer that cannot be read — the processor is failing;
 * - `replayed-error`: a 5xx the processor replayed (`Idempotent-Replayed: true`): the stored outcome of
 *   an earlier attempt with the key, which every retry with it would replay again;
 * - `in-progress`: 409 `request_in_progress`, an earlier request with the key is still running.
 */
export type TransientReason =
  'server-error' | 'timeout' | 'network' | 'malformed-answer' | 'replayed-error' | 'in-progress';

/**
 * The processor did not give a usable answer: the call may or may not have taken effect, and the
 * operation may succeed later. What the policy makes of each `reason` (retry, count against the
 * circuit) is in `application/provider-policy.ts`.
 */
export class ProviderTransientError extends Error {
  /** The HTTP status, for a `server-error` or `malformed-answer`. */
  readonly status: number | undefined;
  /** The processor's `error.code` when it answered one, e.g. `processing_error`. */
  readonly code: string | undefined;

  constructor(
    readonly reason: TransientReason,
    message: string,
    options?: { cause?: unknown; status?: number; code?: string },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.status = options?.status;
    this.code = options?.code;
  }
}

/** The processor refused the request (a 4xx other than a decline): a caller's mistake, not retried. */
export class ProviderRejectedError extends Error {
  constructor(
    readonly status: number,
    /** The processor's `error.code`, e.g. `key_reused`, `amount_too_large`. */
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
