/**
 * The wire format of the simulated card processor's API (`payment-provider-api`). It stands for a
 * third party's published API reference: clients read it, they do not share the processor's code.
 * All bodies are JSON; amounts are integer minor units of `currency`.
 *
 * Idempotency (both POSTs require `Idempotency-Key`, 1–255 printable ASCII characters): a key is bound
 * to the first request sent with it (route, path and body) for at least 24 hours.
 * - Stored and replayed to a retry with the same request (same status and body, `Idempotent-Replayed:
 *   true`): 201, 402, 500 `processing_error`, and a refund's 404 and 409 answers. A `tok_timeout`
 *   replay is held back like the first answer.
 * - Not stored, the retry runs again: 400 (malformed request, `invalid_token`), 503
 *   `temporarily_unavailable`, 429 `lock_timeout`, 500 `internal_error`.
 * - The same key with another request: 409 `idempotency_error` / `key_reused`.
 * - The same request while an earlier one with the key is still running: 409 `idempotency_error` /
 *   `request_in_progress` with `Retry-After: 1`, never a second charge; retried, it gets the answer.
 */

/** `POST /v1/charges` body. */
export interface CreateChargeRequest {
  readonly amountCents: number;
  /** ISO 4217, e.g. `USD`. */
  readonly currency: string;
  /** A test token: `tok_visa`, `tok_decline`, `tok_insufficient_funds`, `tok_error`, `tok_timeout`, `tok_flaky`. */
  readonly token: string;
  readonly orderId: string;
  readonly description?: string;
}

/** `POST /v1/charges/{chargeId}/refunds` body; without `amountCents`, what is left is refunded. */
export interface CreateRefundRequest {
  readonly amountCents?: number;
}

/** A charge: the 201 of `POST /v1/charges`, `GET /v1/charges/{chargeId}`, items of the list. */
export interface ChargeObject {
  /** `ch_` + ULID. */
  readonly id: string;
  readonly object: 'charge';
  readonly status: 'succeeded';
  readonly amountCents: number;
  readonly currency: string;
  readonly orderId: string;
  readonly refundedCents: number;
  /** ISO 8601. */
  readonly createdAt: string;
  /** Present when the charge was made with one. */
  readonly description?: string;
}

/** The 201 of `POST /v1/charges/{chargeId}/refunds`. */
export interface RefundObject {
  /** `re_` + ULID. */
  readonly id: string;
  readonly object: 'refund';
  readonly chargeId: string;
  readonly amountCents: number;
  readonly status: 'succeeded';
  readonly createdAt: string;
}

/** `GET /v1/charges?orderId=…`: the order's charges, oldest first. */
export interface ChargeListObject {
  readonly object: 'list';
  readonly data: readonly ChargeObject[];
}

/** Every non-2xx answer. */
export interface ProcessorErrorBody {
  readonly error: {
    readonly type: 'card_error' | 'invalid_request_error' | 'idempotency_error' | 'api_error';
    readonly code: string;
    readonly message: string;
    readonly param?: string;
  };
}

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** `true` on an answer replayed from an earlier request with the same Idempotency-Key. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';
