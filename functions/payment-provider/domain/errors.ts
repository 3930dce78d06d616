/**
 * The simulated card processor's own errors. It stands for a system outside ours, so it answers in a
 * card processor's shape, `{ error: { type, code, message, param? } }`, not with the platform's
 * `AppError` body: each error carries its HTTP status, `type` and `code` itself.
 */
import { definedProps } from '../../../shared/objects/defined-props';
export type ProcessorErrorType = 'card_error' | 'invalid_request_error' | 'idempotency_error' | 'api_error';

/** The `error` member of every error body of the processor's API. */
export interface ProcessorErrorObject {
  readonly type: ProcessorErrorType;
  readonly code: string;
  readonly message: string;
  /** The request field at fault, for validation errors. */
  readonly param?: string;
}

export interface ProcessorErrorOptions {
  readonly cause?: unknown;
  readonly param?: string;
  /** Sent as `Retry-After` (whole seconds). */
  readonly retryAfterSeconds?: number;
}

/** An answer of the processor that is not a success: its status and `{ error }` body. */
export class ProcessorError extends Error {
  readonly param?: string;
  readonly retryAfterSeconds?: number;

  constructor(
    readonly status: number,
    readonly type: ProcessorErrorType,
    readonly code: string,
    message: string,
    options: ProcessorErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.param = options.param;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  toErrorObject(): ProcessorErrorObject {
    return {
      type: this.type,
      code: this.code,
      message: this.message,
      ...definedProps({ param: this.param }),
    };
  }
}

/** 402 `card_declined` (`tok_decline`). */
export class CardDeclinedError extends ProcessorError {
  constructor() {
    super(402, 'card_error', 'card_declined', 'Your card was declined.');
  }
}

/** 402 `insufficient_funds` (`tok_insufficient_funds`). */
export class InsufficientFundsError extends ProcessorError {
  constructor() {
    super(402, 'card_error', 'insufficient_funds', 'Your card has insufficient funds.');
  }
}

/** 500 `processing_error` (`tok_error`): the processor failed while charging the card. */
export class ProcessingError extends ProcessorError {
  constructor() {
    super(500, 'api_error', 'processing_error', 'An error occurred while processing the card.');
  }
}

/** 503 `temporarily_unavailable` (`tok_flaky`'s first attempts): retry with the same Idempotency-Key. */
export class TemporarilyUnavailableError extends ProcessorError {
  constructor() {
    super(
      503,
      'api_error',
      'temporarily_unavailable',
      'The processor is temporarily unavailable; retry later.',
    );
  }
}

/** 500 `internal_error`: anything unexpected inside the processor (never stored for replay). */
export class InternalProcessorError extends ProcessorError {
  constructor(options: { cause?: unknown } = {}) {
    super(500, 'api_error', 'internal_error', 'An unexpected error occurred inside the processor.', options);
  }
}

/** 429 `lock_timeout`: too many concurrent refunds of one charge; retry with the same Idempotency-Key. */
export class LockTimeoutError extends ProcessorError {
  constructor(chargeId: string) {
    super(429, 'api_error', 'lock_timeout', `Charge ${chargeId} is being changed by other requests; retry.`, {
      retryAfterSeconds: 1,
    });
  }
}

/** 400 `invalid_token`: not one of the test tokens. */
export class InvalidTokenError extends ProcessorError {
  constructor(token: string) {
    super(
      400,
      'invalid_request_error',
      'invalid_token',
      `No such token: ${JSON.stringify(token)}; use one of the test tokens.`,
      { param: 'token' },
    );
  }
}

/** 400 `parameter_missing` / `parameter_invalid` (or another code) for a malformed request. */
export class InvalidRequestError extends ProcessorError {
  constructor(code: string, message: string, options: ProcessorErrorOptions & { status?: number } = {}) {
    super(options.status ?? 400, 'invalid_request_error', code, message, options);
  }
}

/** 404 `resource_missing`. */
export class ResourceMissingError extends ProcessorError {
  constructor(what: 'charge', id: string) {
    super(404, 'invalid_request_error', 'resource_missing', `No such ${what}: ${JSON.stringify(id)}.`, {
      param: `${what}Id`,
    });
  }
}

/** 409 `amount_too_large`: the refund asks for more than what is left of the charge. */
export class AmountTooLargeError extends ProcessorError {
  constructor(chargeId: string, requestedCents: number, remainingCents: number) {
    super(
      409,
      'invalid_request_error',
      'amount_too_large',
      `Refund amount ${requestedCents} is greater than the ${remainingCents} left to refund on charge ${chargeId}.`,
      { param: 'amountCents' },
    );
  }
}

/** 409 `charge_already_refunded`: a refund of "what is left" when nothing is left. */
export class ChargeAlreadyRefundedError extends ProcessorError {
  constructor(chargeId: string) {
    super(409, 'invalid_request_error', 'charge_already_refunded', `Charge ${chargeId} is fully refunded.`);
  }
}

/** 400 `idempotency_key_missing` / `idempotency_key_invalid`. */
export class IdempotencyKeyError extends ProcessorError {
  constructor(code: 'idempotency_key_missing' | 'idempotency_key_invalid', message: string) {
    super(400, 'invalid_request_error', code, message, { param: 'Idempotency-Key' });
  }
}

/** 409 `key_reused`: the Idempotency-Key was first used for another request. */
export class KeyReusedError extends ProcessorError {
  constructor() {
    super(
      409,
      'idempotency_error',
      'key_reused',
      'This Idempotency-Key was already used with other parameters; use a new key for a new request.',
    );
  }
}

/** 409 `request_in_progress`: a request with this Idempotency-Key is still being processed. */
export class RequestInProgressError extends ProcessorError {
  constructor(options: { cause?: unknown } = {}) {
    super(
      409,
      'idempotency_error',
      'request_in_progress',
      'Another request with this Idempotency-Key is in progress; retry after it has finished.',
      { retryAfterSeconds: 1, cause: options.cause },
    );
  }
}

/**
 * A write that lost its claim on an Idempotency-Key: its lease ran out and another request took the
 * key over. Nothing was written. Internal: the request is answered as `request_in_progress`.
 */
export class KeyLeaseLostError extends Error {
  constructor(readonly idempotencyKey: string) {
    super(`The claim on Idempotency-Key ${JSON.stringify(idempotencyKey)} was lost before the write`);
    this.name = 'KeyLeaseLostError';
  }
}

/**
 * A refund whose conditional write found the charge refunded further than when it was read: nothing
 * was written; the refund is planned again on the fresh charge. Internal, never answered as such.
 */
export class RefundExceedsChargeError extends Error {
  constructor(readonly chargeId: string) {
    super(`Charge ${chargeId} changed since it was read; the refund no longer fits`);
    this.name = 'RefundExceedsChargeError';
  }
}
