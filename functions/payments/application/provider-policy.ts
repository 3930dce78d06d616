import {
  CircuitOpenError,
  retryWithBackoff,
  type CallBudget,
  type CircuitBreaker,
} from '../../../shared/resilience';
import type { PaymentMethod } from '../domain/payment';
import {
  ProviderTransientError,
  type PaymentProvider,
  type TransientReason,
} from '../ports/payment-provider';
import { definedProps } from '../../../shared/objects/defined-props';

/** Runs one provider operation under the policy; `operation` names it in logs and metrics. */
export type ProviderCall = <T>(operation: string, call: () => Promise<T>, budget?: CallBudget) => Promise<T>;

/** Who takes the money for one payment method, and the policy every call to it runs under. */
export interface PaymentProcessor {
  /** As messages name it, e.g. `The card processor`. */
  readonly name: string;
  readonly provider: PaymentProvider;
  readonly call: ProviderCall;
}

/** The processor of each payment method: the card processor for cards, the accounts context for accounts. */
export type PaymentProcessors = Readonly<Record<PaymentMethod, PaymentProcessor>>;

export interface ProviderPolicyOptions {
  /** The processor's circuit breaker, its state shared by every function that calls it. */
  readonly breaker: Pick<CircuitBreaker, 'execute'>;
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** @default 100 (the seed's first pause) */
  readonly baseDelayMs?: number;
  /** @default 1_000 */
  readonly maxDelayMs?: number;
  /**
   * Kept free of the invocation's remaining time: no retry starts unless, after its pause, this much
   * is left — the time for the attempt to time out and for its outcome to be recorded.
   */
  readonly attemptReserveMs: number;
  /** @default a setTimeout promise */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
  /** Told of every call actually made (one that passed the breaker). */
  readonly onCall?: (operation: string) => void;
  /** Told before each pause. */
  readonly onRetry?: (retry: {
    readonly operation: string;
    readonly attempt: number;
    readonly delayMs: number;
    readonly error: unknown;
  }) => void;
}

function transientReason(error: unknown): TransientReason | undefined {
  return error instanceof ProviderTransientError ? error.reason : undefined;
}

/**
 * The processor itself is failing — a fresh 5xx (or 429), a timeout, a network failure, an unusable
 * answer — and the call counts against its circuit. A decline is an answer and a rejection (4xx) the
 * caller's mistake: neither counts. Nor does a replayed 5xx (one failure, already counted when it
 * happened) or a request still in progress (the processor is busy with our own earlier attempt).
 */
export function isProviderFailure(error: unknown): boolean {
  const reason = transientReason(error);
  return reason !== undefined && reason !== 'replayed-error' && reason !== 'in-progress';
}

/**
 * Worth another attempt now: any transient failure but a replayed 5xx, which the processor would
 * replay to every retry with the same key.
 */
export function isRetryable(error: unknown): boolean {
  const reason = transientReason(error);
  return reason !== undefined && reason !== 'replayed-error';
}

/** The breaker refused the call: the processor was not called. By name too: shared code may be bundled twice. */
export function isCircuitOpen(error: unknown): boolean {
  return error instanceof CircuitOpenError || (error instanceof Error && error.name === 'CircuitOpenError');
}

/**
 * The one resilience policy of every call to the card processor (STYLE shape 8): retry( breaker(
 * timeout( call ) ) ). The timeout is the adapter's (`fetchWithTimeout`); each attempt passes the
 * breaker, so an open circuit fails fast and is never retried; only transient failures are retried
 * (`isRetryable`), with exponential backoff and full jitter, and never into the last
 * `attemptReserveMs` of the invocation.
 */
export function providerPolicy(options: ProviderPolicyOptions): ProviderCall {
  if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be a positive integer, not ${options.maxAttempts}.`);
  }
  if (!(options.attemptReserveMs >= 0)) {
    throw new RangeError(`attemptReserveMs must be 0 or more, not ${options.attemptReserveMs}.`);
  }
  return <T>(operation: string, call: () => Promise<T>, budget: CallBudget = {}): Promise<T> => {
    const remaining = budget.remainingTimeMs;
    return retryWithBackoff(
      () =>
        options.breaker.execute(() => {
          options.onCall?.(operation);
          return call();
        }, isProviderFailure),
      {
        maxAttempts: options.maxAttempts,
        baseDelayMs: options.baseDelayMs ?? 100,
        factor: 2,
        maxDelayMs: options.maxDelayMs ?? 1_000,
        isRetryable,
        ...(remaining === undefined ? {} : { remainingTimeMs: () => remaining() - options.attemptReserveMs }),
        ...definedProps({ sleep: options.sleep }),
        ...definedProps({ random: options.random }),
        onRetry: ({ attempt, delayMs, error }) => options.onRetry?.({ operation, attempt, delayMs, error }),
      },
    );
  };
}

/**
 * No answer came back — a timeout, a connection lost, the key's earlier request still running: the
 * call may have taken effect, and only the processor can say whether it did.
 */
export function isOutcomeUnknown(error: unknown): boolean {
  const reason = transientReason(error);
  return reason === 'timeout' || reason === 'network' || reason === 'in-progress';
}

/**
 * The processor replayed a stored 5xx: its final answer to the key, the same to every retry with it.
 * The error, for its status and code; `undefined` for any other failure.
 */
export function finalProcessorError(error: unknown): ProviderTransientError | undefined {
  return error instanceof ProviderTransientError && error.reason === 'replayed-error' ? error : undefined;
}

/** Any failure of the processor to give a usable answer (`ProviderTransientError`), whatever its reason. */
export function isTransient(error: unknown): boolean {
  return transientReason(error) !== undefined;
}
