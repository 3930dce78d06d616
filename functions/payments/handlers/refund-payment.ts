import type { RefundPayment } from '../application/refund-payment';
import type { RefundPaymentOutput } from '../contracts/payment-steps';
import { sagaStep, type SagaStepHandler, type SagaStepMetrics } from '../../../shared/saga/saga-step';
import { PAYMENT_STEP_OUTCOMES } from './payment-step-outcomes';
import { RefundPaymentInputSchema } from './schemas';
import type { KeyedLogger } from '../../../shared/observability/app-logger';

export interface RefundPaymentHandlerDependencies {
  readonly refundPayment: RefundPayment;
  readonly logger: KeyedLogger;
  readonly metrics: SagaStepMetrics;
}

/**
 * The saga's refund compensation: `{ orderId, correlationId? }` →
 * `{ orderId, refundedCents, refunds: [{ chargeId, refundId, amountCents }] }`; throws
 * `PaymentProviderUnavailable` when the processor cannot be reached (the saga retries it).
 */
export function makeHandler(deps: RefundPaymentHandlerDependencies): SagaStepHandler<RefundPaymentOutput> {
  return sagaStep({
    step: 'refund-payment',
    input: RefundPaymentInputSchema,
    outcomes: PAYMENT_STEP_OUTCOMES,
    logger: deps.logger,
    counting: {
      metrics: deps.metrics,
      prefix: 'Refund',
      succeeded: 'Completed',
      resultMetrics: (result) => ({ Issued: result.refunds.length }),
    },
    run: async (input, flow) => {
      const result = await deps.refundPayment(
        input,
        flow.remainingTimeMs === undefined ? {} : { remainingTimeMs: flow.remainingTimeMs },
      );
      return { orderId: result.orderId, refundedCents: result.refundedCents, refunds: result.refunds };
    },
  });
}
