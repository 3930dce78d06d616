import {
  ConcurrencyError,
  ConflictError,
  DependencyUnavailableError,
  NotFoundError,
  UnprocessableError,
} from '../../../shared/errors/app-error';
import { PAYMENT_STEP_ERRORS } from '../contracts/payment-steps';
import type { PaymentStatus } from './payment';

/**
 * The errors the saga steps throw carry the exact `name` of `PAYMENT_STEP_ERRORS`: Lambda reports it as
 * the `errorType`, and Step Functions matches `Retry` and `Catch` on it. They are `AppError`s too, so
 * the one status table would answer them sensibly if they ever reached an HTTP client.
 */

/** The card processor declined the charge (business outcome; 422 `PAYMENT_DECLINED`). */
export class PaymentDeclinedError extends UnprocessableError {
  override readonly name = PAYMENT_STEP_ERRORS.declined;

  constructor(
    readonly orderId: string,
    /** The processor's reason, e.g. `card_declined`, `insufficient_funds`. */
    readonly declineCode: string,
  ) {
    super('PAYMENT_DECLINED', `The payment of order ${orderId} was declined: ${declineCode}.`);
  }
}

/** The card processor failed, timed out, or its circuit is open (transient; 503). */
export class PaymentProviderUnavailableError extends DependencyUnavailableError {
  override readonly name = PAYMENT_STEP_ERRORS.providerUnavailable;

  constructor(
    readonly orderId: string,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super('payment-provider', message, options);
  }
}

/** The card processor refused the request itself (a 4xx other than a decline); retrying cannot help. */
export class PaymentProviderRejectedError extends Error {
  override readonly name = PAYMENT_STEP_ERRORS.providerRejected;

  constructor(
    readonly orderId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A charge for an order whose payment was refunded: the order is not charged again (409). */
export class PaymentAlreadyRefundedError extends ConflictError {
  override readonly name = PAYMENT_STEP_ERRORS.alreadyRefunded;

  constructor(readonly orderId: string) {
    super(
      'PAYMENT_ALREADY_REFUNDED',
      `The payment of order ${orderId} was refunded; the order is not charged again.`,
    );
  }
}

/** No payment is recorded for this order (404 `PAYMENT_NOT_FOUND`). */
export class PaymentNotFoundError extends NotFoundError {
  constructor(readonly orderId: string) {
    super(`No payment is recorded for order ${orderId}.`, 'PAYMENT_NOT_FOUND');
  }
}

/**
 * The payment moved on while this invocation worked (e.g. another invocation captured or refunded
 * it), so `attempted` may no longer be written over it. The caller reads it again and decides.
 */
export class PaymentStatusConflictError extends ConcurrencyError {
  constructor(
    readonly orderId: string,
    readonly attempted: PaymentStatus,
    options?: { cause?: unknown },
  ) {
    super(`The payment of order ${orderId} can no longer become ${attempted}.`, options);
  }
}
