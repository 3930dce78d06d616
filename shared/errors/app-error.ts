/**
 * The one error hierarchy of the runtime kernel. Every error the system answers a client with is an
 * `AppError`: a stable machine-readable `code` and a message a person can act on. `shared/http`
 * maps each class to its HTTP status in one table; anything else is an unknown error (500).
 */
export interface ErrorDetail {
  /** Dotted path of the offending field, e.g. `items.0.quantity`. */
  readonly path: string;
  readonly message: string;
}

export abstract class AppError extends Error {
  abstract readonly kind:
    | 'validation'
    | 'unauthorized'
    | 'forbidden'
    | 'unprocessable'
    | 'not-found'
    | 'conflict'
    | 'concurrency'
    | 'payload-too-large'
    | 'unsupported-media-type'
    | 'dependency-unavailable';

  constructor(
    readonly code: string,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The request is malformed or violates the schema (400). */
export class ValidationError extends AppError {
  readonly kind = 'validation';
  constructor(message: string, details: readonly ErrorDetail[] = [], code = 'VALIDATION_FAILED') {
    super(code, message, details);
  }
}

/**
 * The request carries no identity the platform can act on (401): no authorizer claims, or no user id
 * among them. API Gateway's authorizer refuses unauthenticated requests first; this guards a function
 * reached without one.
 */
export class UnauthorizedError extends AppError {
  readonly kind = 'unauthorized';
  constructor(message: string) {
    super('UNAUTHORIZED', message);
  }
}

/**
 * The caller is known but may not do this (403 `FORBIDDEN`): a customer on a staff route. Only for
 * routes anyone may know exist; a resource that is not the caller's answers 404, as an unknown one.
 */
export class ForbiddenError extends AppError {
  readonly kind = 'forbidden';
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

/** A well-formed request that names unknown things or reuses an idempotency key (422). */
export class UnprocessableError extends AppError {
  readonly kind = 'unprocessable';
}

/** The resource does not exist (404). */
export class NotFoundError extends AppError {
  readonly kind = 'not-found';
  constructor(message: string, code = 'NOT_FOUND') {
    super(code, message);
  }
}

/** The request conflicts with the resource's state, e.g. cancelling a shipped order (409). */
export class ConflictError extends AppError {
  readonly kind = 'conflict';
}

/** A concurrent writer won the race; retrying may succeed (409 `CONCURRENT_MODIFICATION`). */
export class ConcurrencyError extends AppError {
  readonly kind = 'concurrency';
  /** Answered once the server's own retries are spent: the contention is momentary, come back soon. */
  readonly retryAfterSeconds = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONCURRENT_MODIFICATION', message, [], options);
  }
}

export class PayloadTooLargeError extends AppError {
  readonly kind = 'payload-too-large';
  constructor(limitBytes: number) {
    super('PAYLOAD_TOO_LARGE', `The request body exceeds ${limitBytes} bytes.`);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  readonly kind = 'unsupported-media-type';
  constructor(contentType: string | undefined) {
    super(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type must be application/json${contentType ? `, not ${contentType}` : ''}.`,
    );
  }
}

/** A dependency is down, timed out or its circuit is open (503). */
export class DependencyUnavailableError extends AppError {
  readonly kind = 'dependency-unavailable';
  readonly retryAfterSeconds?: number;

  constructor(
    readonly dependency: string,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super('DEPENDENCY_UNAVAILABLE', message, [], options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}
