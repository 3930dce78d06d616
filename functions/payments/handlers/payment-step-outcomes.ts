import type { SagaStepOutcome } from '../../../shared/saga/saga-step';
import { PAYMENT_STEP_ERRORS } from '../contracts/payment-steps';
import {
  PaymentAlreadyRefundedError,
  PaymentDeclinedError,
  PaymentProviderRejectedError,
  PaymentProviderUnavailableError,
} from '../domain/errors';

/**
 * The errors the saga expects of the charge and refund steps, each counted as `<Charge|Refund><metric>`:
 * a decline is a business outcome (the saga compensates); the others are failures it retries, waits out
 * or parks.
 */
export const PAYMENT_STEP_OUTCOMES: readonly SagaStepOutcome[] = [
  { error: PaymentDeclinedError, name: PAYMENT_STEP_ERRORS.declined, metric: 'Declined' },
  {
    error: PaymentProviderUnavailableError,
    name: PAYMENT_STEP_ERRORS.providerUnavailable,
    metric: 'ProviderUnavailable',
    business: false,
  },
  {
    error: PaymentProviderRejectedError,
    name: PAYMENT_STEP_ERRORS.providerRejected,
    metric: 'ProviderRejected',
    business: false,
  },
  {
    error: PaymentAlreadyRefundedError,
    name: PAYMENT_STEP_ERRORS.alreadyRefunded,
    metric: 'AlreadyRefunded',
    business: false,
  },
];
