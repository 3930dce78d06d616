import { ConflictError, UnprocessableError, ValidationError } from '../errors/app-error';

/** The header is required on this endpoint and absent (400). */
export class IdempotencyKeyMissingError extends ValidationError {
  constructor() {
    super(
      'The Idempotency-Key header is required: send a unique value (e.g. a UUID) per operation.',
      [],
      'IDEMPOTENCY_KEY_MISSING',
    );
  }
}

/** The header is empty, too long, repeated with different values or not printable ASCII (400). */
export class IdempotencyKeyInvalidError extends ValidationError {
  constructor() {
    super(
      'The Idempotency-Key header must be a single value of 1 to 255 printable ASCII characters.',
      [],
      'IDEMPOTENCY_KEY_INVALID',
    );
  }
}

/** The key was used before on this route with a different request (422). */
export class IdempotencyKeyReusedError extends UnprocessableError {
  constructor(options?: { cause?: unknown }) {
    super(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used with a different request; use a new key for a new operation.',
      [],
      options,
    );
  }
}

/** A request with the same key is still executing (409); `shared/http` turns `retryAfterSeconds` into `Retry-After`. */
export class IdempotencyInProgressError extends ConflictError {
  constructor(
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super(
      'IDEMPOTENCY_IN_PROGRESS',
      'A request with this Idempotency-Key is still being processed; retry it after the Retry-After delay.',
      [],
      options,
    );
  }
}
