import type { ChargePayment } from '../application/charge-payment';
import type { ChargePaymentOutput } from '../contracts/payment-steps';
import { sagaStep, type SagaStepHandler, type SagaStepMetrics } from '../../../shared/saga/saga-step';
import { PAYMENT_STEP_OUTCOMES } from './payment-step-outcomes';
import { ChargePaymentInputSchema } from './schemas';
import type { KeyedLogger } from '../../../shared/observability/app-logger';

export interface ChargePaymentHandlerDependencies {
  readonly chargePayment: ChargePayment;
  readonly logger: KeyedLogger;
  readonly metrics: SagaStepMetrics;
}

/**
 * The saga's ChargePayment step: `{ orderId, userId, amountCents, currency, payment, correlationId? }` →
 * `{ orderId, status: 'CAPTURED', chargeId, amountCents, currency }`; throws `PaymentDeclined`,
 * `PaymentProviderUnavailable` (and `InvalidSagaInput`, `PaymentProviderRejected`,
 * `PaymentAlreadyRefunded`). Retries stop in time for the outcome to be recorded before the
 * function's own timeout.
 */
export function makeHandler(deps: ChargePaymentHandlerDependencies): SagaStepHandler<ChargePaymentOutput> {
  return sagaStep({
    step: 'charge-payment',
    input: ChargePaymentInputSchema,
    outcomes: PAYMENT_STEP_OUTCOMES,
    logger: deps.logger,
    counting: {
      metrics: deps.metrics,
      prefix: 'Charge',
      succeeded: 'Captured',
    },
    run: async (input, flow) => {
      const payment = await deps.chargePayment(
        input,
        flow.remainingTimeMs === undefined ? {} : { remainingTimeMs: flow.remainingTimeMs },
      );
      if (payment.status !== 'CAPTURED' || payment.providerChargeId === undefined) {
        throw new Error(`the charge of ${payment.orderId} ended ${payment.status} without a charge id`);
      }
      return {
        orderId: payment.orderId,
        status: 'CAPTURED',
        chargeId: payment.providerChargeId,
        amountCents: payment.amountCents,
        currency: payment.currency,
      };
    },
  });
}
