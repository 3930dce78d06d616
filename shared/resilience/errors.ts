/**
 * Errors of the resilience policies. They are transient by nature: the caller maps them to its own
 * "dependency unavailable" outcome (e.g. `PaymentProviderUnavailable`), never to a business one.
 * Both keep `Error`'s constructor shape, so a test double can build them like any error.
 */
export abstract class ResilienceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface CircuitOpenErrorOptions {
  readonly cause?: unknown;
  /** The breaker's `name`. */
  readonly circuit?: string;
  /** Milliseconds until the open period ends and a probe may be let through; unknown while a probe runs. */
  readonly retryAfterMs?: number;
}

/**
 * The breaker is OPEN, or HALF_OPEN with its single probe call already taken: the call was **not** made.
 * Retrying it at once is pointless; a retry policy must answer `false` for it.
 */
export class CircuitOpenError extends ResilienceError {
  readonly circuit?: string;
  readonly retryAfterMs?: number;

  constructor(message?: string, options: CircuitOpenErrorOptions = {}) {
    super(
      message ?? `The circuit${options.circuit === undefined ? '' : ` ${options.circuit}`} is open.`,
      options,
    );
    this.circuit = options.circuit;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export interface CallTimeoutErrorOptions {
  /** What the aborted call rejected with. */
  readonly cause?: unknown;
  readonly timeoutMs?: number;
}

/**
 * The call did not answer within `timeoutMs` and was aborted (its request is cancelled, not left
 * running). Whether the remote side acted on it is unknown: only an idempotent call may be retried.
 */
export class CallTimeoutError extends ResilienceError {
  readonly timeoutMs?: number;

  constructor(message?: string, options: CallTimeoutErrorOptions = {}) {
    super(
      message ??
        `The call did not answer${options.timeoutMs === undefined ? '' : ` within ${options.timeoutMs} ms`}.`,
      options,
    );
    this.timeoutMs = options.timeoutMs;
  }
}
