import type { RefundPayment } from '../application/refund-payment';
import type { RefundPaymentOutput } from '../contracts/payment-steps';
import { sagaStep, type StepHandler, type StepLogger, type StepMetrics } from './saga-step';
import { RefundPaymentInputSchema } from './schemas';

export interface RefundPaymentHandlerDependencies {
  readonly refundPayment: RefundPayment;
  readonly logger: StepLogger;
  readonly metrics: StepMetrics;
}

/**
 * The saga's refund compensation: `{ orderId, correlationId? }` →
 * `{ orderId, refundedCents, refunds: [{ chargeId, refundId, amountCents }] }`; throws
 * `PaymentProviderUnavailable` when the processor cannot be reached (the saga retries it).
 */
export function makeRefundPaymentHandler(
  deps: RefundPaymentHandlerDependencies,
): StepHandler<RefundPaymentOutput> {
  return sagaStep(
    {
      step: 'refund-payment',
      metricPrefix: 'Refund',
      succeeded: 'Completed',
      input: RefundPaymentInputSchema,
      logger: deps.logger,
      metrics: deps.metrics,
      resultMetrics: (result) => ({ Issued: result.refunds.length }),
    },
    async (input, context) => {
      const result = await deps.refundPayment(
        input,
        context === undefined ? {} : { remainingTimeMs: () => context.getRemainingTimeInMillis() },
      );
      return { orderId: result.orderId, refundedCents: result.refundedCents, refunds: result.refunds };
    },
  );
}
