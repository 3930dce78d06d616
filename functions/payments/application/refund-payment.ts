import type { RefundLine } from '../contracts/payment-steps';
import { PaymentStatusConflictError } from '../domain/errors';
import { refundIdempotencyKey, type PaymentMethod } from '../domain/payment';
import type { CardVault } from '../ports/card-vault';
import type { PaymentRepository } from '../ports/payment-repository';
import { sagaErrorFor } from './provider-failure';
import type { CallBudget } from '../../../shared/resilience';
import type { PaymentProcessors } from './provider-policy';
import type { AppLogger } from '../../../shared/observability/app-logger';
import { silentLogger } from '../../../shared/observability/app-logger';
import type { CountPaymentOutcome } from '../ports/payment-metrics';
import { countEnteredOutcome } from './payment-outcomes';

export interface RefundPaymentCommand {
  readonly orderId: string;
  readonly userId: string;
  /** What the order was paid with: whoever took the money gives it back. */
  readonly method: PaymentMethod;
  readonly correlationId?: string;
}

export interface RefundPaymentResult {
  readonly orderId: string;
  /** What this invocation refunded, in minor units. */
  readonly refundedCents: number;
  readonly refunds: readonly RefundLine[];
}

export type RefundPayment = (
  command: RefundPaymentCommand,
  budget?: CallBudget,
) => Promise<RefundPaymentResult>;

export interface RefundPaymentDependencies {
  readonly repository: PaymentRepository;
  /** Per payment method, who took the money and the resilience policy its calls run under. */
  readonly processors: PaymentProcessors;
  /** A refunded order is never charged again: its card token, if still kept, is forgotten. */
  readonly cardVault: CardVault;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default silentLogger */
  readonly logger?: AppLogger;
  /** Counts each payment refunded, once. */
  readonly countOutcome?: CountPaymentOutcome;
}

/** A charge the processor captured. */
const CAPTURED_AT_PROVIDER = 'succeeded';

/**
 * Gives an order its money back: the compensation of a charge.
 *
 * The processor, not the payments table, says what to refund: its list of the order's charges also
 * holds a charge whose answer was lost to a timeout (recorded FAILED here, or not at all). Each captured
 * charge with something left is refunded in full, with the key `refund-<chargeId>` (a retried refund is
 * replayed, never doubled), and the payment is recorded REFUNDED. Nothing captured → nothing written,
 * nothing refunded. Idempotent: once everything is refunded, a repeat refunds (and reports) nothing.
 * A failing processor or an open circuit → `PaymentProviderUnavailable`, the saga retries the refund.
 * The order is never charged after its refund: a card token still in the vault is forgotten first.
 */
export function makeRefundPayment(deps: RefundPaymentDependencies): RefundPayment {
  const now = deps.now ?? (() => new Date());
  const logger = deps.logger ?? silentLogger;

  return async (command, budget) => {
    const { orderId } = command;
    const processor = deps.processors[command.method];
    const correlation = command.correlationId === undefined ? {} : { correlationId: command.correlationId };
    const provider = async <T>(operation: string, call: () => Promise<T>): Promise<T> => {
      try {
        return await processor.call(operation, call, budget);
      } catch (error) {
        throw sagaErrorFor(error, orderId, operation, processor.name) ?? error;
      }
    };

    if (command.method === 'card') await deps.cardVault.forget(orderId);
    const listed = await provider('charge list', () => processor.provider.listCharges(orderId, correlation));
    const captured = listed.filter(
      (charge) => charge.orderId === orderId && charge.status === CAPTURED_AT_PROVIDER,
    );
    const [first] = captured;
    if (first === undefined) {
      logger.info('Nothing was captured for the order: nothing to refund', { charges: listed.length });
      return { orderId, refundedCents: 0, refunds: [] };
    }

    const refunds: RefundLine[] = [];
    for (const charge of captured) {
      const left = charge.amountCents - charge.refundedCents;
      if (left <= 0) continue;
      const refund = await provider('refund', () =>
        processor.provider.refund({
          idempotencyKey: refundIdempotencyKey(charge.chargeId),
          orderId,
          chargeId: charge.chargeId,
          amountCents: left,
          ...correlation,
        }),
      );
      const line = { chargeId: charge.chargeId, refundId: refund.refundId, amountCents: refund.amountCents };
      logger.info('Charge refunded', { ...line });
      refunds.push(line);
    }

    const refundedCents = sum(refunds.map((refund) => refund.amountCents));
    const existing = await deps.repository.find(orderId);
    if (refunds.length > 0 || existing?.status !== 'REFUNDED') {
      try {
        const stored = await deps.repository.record({
          orderId,
          userId: command.userId,
          method: command.method,
          status: 'REFUNDED',
          amountCents: existing?.amountCents ?? sum(captured.map((charge) => charge.amountCents)),
          currency: existing?.currency ?? first.currency,
          providerChargeId: existing?.providerChargeId ?? first.chargeId,
          refundedCents: sum(captured.map((charge) => charge.refundedCents)) + refundedCents,
          // `attempts` counts charge calls; refunds are not attempts to charge.
          attemptsMade: 0,
          at: now().toISOString(),
        });
        countEnteredOutcome(stored, deps.countOutcome);
      } catch (error) {
        // Every status may become REFUNDED: a conflict here is a bug, yet the money is back all the same.
        if (!(error instanceof PaymentStatusConflictError)) throw error;
        logger.warn('The refund could not be recorded', { error });
      }
    }
    return { orderId, refundedCents, refunds };
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
