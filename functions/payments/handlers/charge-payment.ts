import type { ChargePayment } from '../application/charge-payment';
import type { ChargePaymentOutput } from '../contracts/payment-steps';
import { sagaStep, type StepHandler, type StepLogger, type StepMetrics } from './saga-step';
import { ChargePaymentInputSchema } from './schemas';

export interface ChargePaymentHandlerDependencies {
  readonly chargePayment: ChargePayment;
  readonly logger: StepLogger;
  readonly metrics: StepMetrics;
}

/**
 * The saga's ChargePayment step: `{ orderId, userId, amountCents, currency, payment, correlationId? }` →
 * `{ orderId, status: 'CAPTURED', chargeId, amountCents, currency }`; throws `PaymentDeclined`,
 * `PaymentProviderUnavailable` (and `InvalidSagaInput`, `PaymentProviderRejected`,
 * `PaymentAlreadyRefunded`). Retries stop in time for the outcome to be recorded before the
 * function's own timeout.
 */
export function makeChargePaymentHandler(
  deps: ChargePaymentHandlerDependencies,
): StepHandler<ChargePaymentOutput> {
  return sagaStep(
    {
      step: 'charge-payment',
      metricPrefix: 'Charge',
      succeeded: 'Captured',
      input: ChargePaymentInputSchema,
      logger: deps.logger,
      metrics: deps.metrics,
    },
    async (input, context) => {
      const payment = await deps.chargePayment(
        input,
        context === undefined ? {} : { remainingTimeMs: () => context.getRemainingTimeInMillis() },
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
  );
}
