import { errorMessage } from '../../../shared/errors/error-message';
import { PaymentProviderRejectedError, PaymentProviderUnavailableError } from '../domain/errors';
import { ProviderRejectedError } from '../ports/payment-provider';
import { isCircuitOpen, isTransient } from './provider-policy';

/**
 * The saga's error for a provider call that failed under the policy: an open circuit or a failing
 * processor → `PaymentProviderUnavailable` (transient); a rejected request → `PaymentProviderRejected`.
 * Anything else (a bug, the breaker's own table failing) is not the processor's: `undefined`.
 */
export function sagaErrorFor(
  error: unknown,
  orderId: string,
  operation: string,
  /** Who was called, as the messages name it. @default 'The card processor' */
  processorName = 'The card processor',
): PaymentProviderUnavailableError | PaymentProviderRejectedError | undefined {
  if (isCircuitOpen(error)) {
    return new PaymentProviderUnavailableError(
      orderId,
      `${processorName}'s circuit is open: the ${operation} of order ${orderId} was not attempted.`,
      { cause: error },
    );
  }
  if (isTransient(error)) {
    return new PaymentProviderUnavailableError(
      orderId,
      `${processorName} is unavailable: the ${operation} of order ${orderId} failed (${errorMessage(error)}).`,
      { cause: error },
    );
  }
  if (error instanceof ProviderRejectedError) {
    return new PaymentProviderRejectedError(
      orderId,
      `${processorName} refused the ${operation} of order ${orderId}: ${error.message}.`,
      { cause: error },
    );
  }
  return undefined;
}
