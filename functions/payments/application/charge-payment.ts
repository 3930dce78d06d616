import {
  PaymentAlreadyRefundedError,
  PaymentDeclinedError,
  PaymentStatusConflictError,
} from '../domain/errors';
import { chargeIdempotencyKey, type ChargeSource, type Payment, type PaymentSource } from '../domain/payment';
import type { CardVault } from '../ports/card-vault';
import type { ChargeRequest, ChargeResult, PaymentProvider } from '../ports/payment-provider';
import type { PaymentChange, PaymentRepository } from '../ports/payment-repository';
import { sagaErrorFor } from './provider-failure';
import type { CallBudget } from '../../../shared/resilience';
import { finalProcessorError, isOutcomeUnknown, type PaymentProcessors } from './provider-policy';
import type { AppLogger } from '../../../shared/observability/app-logger';
import { silentLogger } from '../../../shared/observability/app-logger';
import { definedProps } from '../../../shared/objects/defined-props';
import type { CountPaymentOutcome } from '../ports/payment-metrics';
import { countEnteredOutcome } from './payment-outcomes';

export interface ChargePaymentCommand {
  readonly orderId: string;
  readonly userId: string;
  readonly amountCents: number;
  readonly currency: string;
  /** A card (its token is in the card vault), or one of the payer's accounts. */
  readonly payment: PaymentSource;
  readonly correlationId?: string;
}

/** Resolves with the order's CAPTURED payment, or throws the saga's error (see `makeChargePayment`). */
export type ChargePayment = (command: ChargePaymentCommand, budget?: CallBudget) => Promise<Payment>;

export interface ChargePaymentDependencies {
  readonly repository: PaymentRepository;
  /** Per payment method, who takes the money and the resilience policy its calls run under. */
  readonly processors: PaymentProcessors;
  /** Where a card payment's token waits for its charge; forgotten once the charge is settled. */
  readonly cardVault: CardVault;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default silentLogger */
  readonly logger?: AppLogger;
  /** Counts each payment captured or declined, once. */
  readonly countOutcome?: CountPaymentOutcome;
}

/** The decline of a card payment whose token is no longer in the vault (expired, or never kept). */
export const CARD_TOKEN_MISSING = 'card_token_missing';

/**
 * Charges an order once, whatever the number of invocations.
 *
 * - A payment already CAPTURED is returned as it is; one DECLINED is declined again; one REFUNDED is
 *   never charged again (`PaymentAlreadyRefunded`) — all without calling the processor.
 * - Otherwise (no payment yet, or FAILED) the processor is called with the key `charge-<orderId>`: after
 *   a FAILED or unknown outcome (a lost answer), it replays what it did the first time — the capture or
 *   the decline — and never charges twice.
 * - A charge that got no answer (a timeout, a lost connection, the key still in progress) is looked up
 *   in the processor's list of the order's charges within the same attempt: a capture found there is
 *   the answer, so a processor slow to answer one card neither fails the order nor counts against its
 *   circuit.
 * - A 5xx the processor replays for the key is its final answer to this charge (no retry with the key
 *   can change it): a decline with the processor's code, e.g. `processing_error`, which card networks
 *   list among their decline codes — never an unavailable processor, for which the saga would wait.
 * - The outcome is recorded with the calls made (`attempts`): CAPTURED (returned), DECLINED (throws
 *   `PaymentDeclined`), FAILED on an open circuit or a failing processor (throws
 *   `PaymentProviderUnavailable`) or on a rejected request (throws `PaymentProviderRejected`).
 * - If another invocation settled the payment meanwhile, its outcome wins over a FAILED one.
 * - A card's token is taken out of the card vault for the call, and forgotten once the payment is
 *   settled (captured or declined); a token that is no longer there is a decline, `card_token_missing`.
 */
export function makeChargePayment(deps: ChargePaymentDependencies): ChargePayment {
  const now = deps.now ?? (() => new Date());
  const logger = deps.logger ?? silentLogger;

  /** Records `change`; when the payment moved on meanwhile, the stored outcome is the answer. */
  async function recordOrSettle(change: PaymentChange): Promise<Payment> {
    try {
      const stored = await deps.repository.record(change);
      countEnteredOutcome(stored, deps.countOutcome);
      return stored;
    } catch (error) {
      if (!(error instanceof PaymentStatusConflictError)) throw error;
      const stored = await deps.repository.find(change.orderId);
      logger.warn('The payment was settled by another invocation meanwhile', {
        attempted: change.status,
        stored: stored?.status,
      });
      const answer = stored === undefined ? undefined : settled(stored);
      if (answer === undefined) throw error;
      return answer;
    }
  }

  /** The token is not needed once the payment is settled; its expiry forgets it if this fails. */
  async function forgetCard(command: ChargePaymentCommand): Promise<void> {
    if (command.payment.method !== 'card') return;
    try {
      await deps.cardVault.forget(command.orderId);
    } catch (error) {
      logger.warn('The card token could not be forgotten now; its expiry will', { error });
    }
  }

  /** What the processor is asked to charge; undefined for a card whose token is gone. */
  async function chargeSource(command: ChargePaymentCommand): Promise<ChargeSource | undefined> {
    if (command.payment.method === 'account') return command.payment;
    const token = await deps.cardVault.tokenOf(command.orderId);
    return token === undefined ? undefined : { method: 'card', token };
  }

  const charge: ChargePayment = async (command, budget) => {
    const existing = await deps.repository.find(command.orderId);
    if (existing !== undefined && existing.status !== 'FAILED') {
      logger.info('The payment is settled already; the processor is not called', {
        status: existing.status,
      });
      if (existing.amountCents !== command.amountCents || existing.currency !== command.currency) {
        logger.warn('The order was charged for another amount before; that outcome stands', {
          recorded: { amountCents: existing.amountCents, currency: existing.currency },
          asked: { amountCents: command.amountCents, currency: command.currency },
        });
      }
      const answer = settled(existing);
      if (answer !== undefined) return answer;
    }

    const processor = deps.processors[command.payment.method];
    let calls = 0;
    const change = (fields: Pick<PaymentChange, 'status'> & Partial<PaymentChange>): PaymentChange => ({
      orderId: command.orderId,
      userId: command.userId,
      method: command.payment.method,
      amountCents: command.amountCents,
      currency: command.currency,
      attemptsMade: calls,
      at: now().toISOString(),
      ...fields,
    });

    const source = await chargeSource(command);
    if (source === undefined) {
      logger.warn('The card token is no longer in the vault: the payment is declined', {});
      const stored = await recordOrSettle(change({ status: 'DECLINED', declineCode: CARD_TOKEN_MISSING }));
      if (stored.status === 'CAPTURED') return stored;
      throw new PaymentDeclinedError(command.orderId, CARD_TOKEN_MISSING);
    }
    const request: ChargeRequest = {
      idempotencyKey: chargeIdempotencyKey(command.orderId),
      orderId: command.orderId,
      payerId: command.userId,
      amountCents: command.amountCents,
      currency: command.currency,
      source,
      ...definedProps({ correlationId: command.correlationId }),
    };
    /** One attempt: the charge, and when it got no answer, the processor's list of the order's charges. */
    const attempt = async (): Promise<ChargeResult> => {
      calls += 1;
      try {
        return await processor.provider.charge(request);
      } catch (error) {
        if (!isOutcomeUnknown(error)) throw error;
        const captured = await findCapture(processor.provider, request).catch((lookUpError: unknown) => {
          logger.warn('The unanswered charge could not be looked up at the processor', {
            error: lookUpError,
          });
          return undefined;
        });
        if (captured === undefined) throw error;
        logger.info('The charge got no answer; the processor lists it captured', {
          chargeId: captured.chargeId,
        });
        return captured;
      }
    };

    let result: ChargeResult;
    try {
      result = await processor.call('charge', attempt, budget);
    } catch (error) {
      const final = finalProcessorError(error);
      if (final !== undefined) {
        const declineCode = final.code ?? 'processing_error';
        logger.warn('The processor replays an error for this charge: its final answer, a decline', {
          declineCode,
          status: final.status,
        });
        const stored = await recordOrSettle(change({ status: 'DECLINED', declineCode }));
        if (stored.status === 'CAPTURED') return stored;
        throw new PaymentDeclinedError(command.orderId, declineCode);
      }
      const failure = sagaErrorFor(error, command.orderId, 'charge', processor.name) ?? error;
      // The charge may have been captured all the same (a lost answer): FAILED lets it be retried with
      // the same key, and a refund finds it at the processor.
      let stored: Payment;
      try {
        stored = await recordOrSettle(change({ status: 'FAILED' }));
      } catch (recordError) {
        if (
          recordError instanceof PaymentDeclinedError ||
          recordError instanceof PaymentAlreadyRefundedError
        ) {
          throw recordError;
        }
        logger.warn('The failed charge could not be recorded', { error: recordError, calls });
        throw failure;
      }
      if (stored.status === 'CAPTURED') return stored;
      throw failure;
    }

    if (result.outcome === 'declined') {
      const stored = await recordOrSettle(change({ status: 'DECLINED', declineCode: result.code }));
      if (stored.status === 'CAPTURED') return stored;
      throw new PaymentDeclinedError(command.orderId, result.code);
    }
    if (result.replayed) {
      logger.info('The processor replayed an earlier capture of this order', { chargeId: result.chargeId });
    }
    return recordOrSettle(
      change({
        status: 'CAPTURED',
        providerChargeId: result.chargeId,
        amountCents: result.amountCents,
        currency: result.currency,
      }),
    );
  };

  return async (command, budget) => {
    try {
      const payment = await charge(command, budget);
      await forgetCard(command);
      return payment;
    } catch (error) {
      if (error instanceof PaymentDeclinedError || error instanceof PaymentAlreadyRefundedError) {
        await forgetCard(command);
      }
      throw error;
    }
  };
}

/**
 * The order's charge for this amount as the processor lists it, captured and not refunded, as the
 * charge's own answer would have given it; `undefined` when there is none (yet).
 */
async function findCapture(
  provider: PaymentProvider,
  request: ChargeRequest,
): Promise<Extract<ChargeResult, { outcome: 'captured' }> | undefined> {
  const charges = await provider.listCharges(
    request.orderId,
    request.correlationId === undefined ? {} : { correlationId: request.correlationId },
  );
  const charge = charges.find(
    (candidate) =>
      candidate.status === 'succeeded' &&
      candidate.amountCents === request.amountCents &&
      candidate.currency === request.currency &&
      candidate.refundedCents === 0,
  );
  return charge === undefined
    ? undefined
    : {
        outcome: 'captured',
        chargeId: charge.chargeId,
        amountCents: charge.amountCents,
        currency: charge.currency,
        replayed: true,
      };
}

/**
 * The answer a settled payment gives without calling the processor: the payment when CAPTURED, a
 * thrown decline or refusal when DECLINED or REFUNDED; `undefined` when FAILED (to be tried again).
 */
function settled(payment: Payment): Payment | undefined {
  switch (payment.status) {
    case 'CAPTURED':
      return payment;
    case 'DECLINED':
      throw new PaymentDeclinedError(payment.orderId, payment.declineCode ?? 'card_declined');
    case 'REFUNDED':
      throw new PaymentAlreadyRefundedError(payment.orderId);
    case 'FAILED':
      return undefined;
  }
}
