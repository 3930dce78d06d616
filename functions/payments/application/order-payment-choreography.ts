import type { CommandContext } from '../../../shared/event-sourcing/command-context';
import {
  REACTION_RACE_RETRY,
  saveReaction,
  type ReactionCause,
  type ReactionStateStore,
  type StoredState,
} from '../../../shared/messaging/reaction-state';
import { RetryLaterError, type ReactionOutcome } from '../../../shared/messaging/event-consumer';
import { retryLostRaces } from '../../../shared/resilience';
import {
  ORDER_PAYMENT_AGGREGATE_TYPE,
  type PaymentEventData,
  type PaymentEventType,
} from '../contracts/payment-events';
import { PaymentDeclinedError, PaymentProviderUnavailableError } from '../domain/errors';
import type { PaymentSource } from '../domain/payment';
import { isReadyToCharge, type OrderPayment } from '../domain/order-payment';
import type { ChargePayment } from './charge-payment';
import type { RefundPayment } from './refund-payment';
import type { AppLogger } from '../../../shared/observability/app-logger';
import { definedProps } from '../../../shared/objects/defined-props';

export type OrderPaymentStore = ReactionStateStore<OrderPayment>;

export interface OrderPaymentChoreographyDependencies {
  readonly store: OrderPaymentStore;
  readonly chargePayment: ChargePayment;
  readonly refundPayment: RefundPayment;
  /** How long a charge waits for an unavailable processor before the order's payment fails. */
  readonly waitBudgetSeconds: number;
  /** The longest pause between two charges of a waiting order; each is drawn from its half to all of it. */
  readonly waitIntervalSeconds: number;
  readonly logger: AppLogger;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default Math.random */
  readonly random?: () => number;
}

export interface ChargeRequest {
  readonly userId: string;
  readonly amountCents: number;
  readonly currency: string;
  readonly payment: PaymentSource;
  readonly approvalRequired: boolean;
}

export interface OrderPaymentChoreography {
  /** On `OrderCreated`: what to charge, and when (after the stock, and the approval where needed). */
  expect(cause: ReactionCause, request: ChargeRequest, context: CommandContext): Promise<ReactionOutcome>;
  /** On `OrderStockReserved`: charges once nothing else is awaited. */
  stockReserved(cause: ReactionCause, context: CommandContext): Promise<ReactionOutcome>;
  /** On `OrderApproved`: charges once nothing else is awaited. */
  approved(cause: ReactionCause, context: CommandContext): Promise<ReactionOutcome>;
  /** On `OrderCancelled`: no charge from now on; a captured one is refunded. */
  cancel(cause: ReactionCause, context: CommandContext): Promise<ReactionOutcome>;
}

/**
 * Payments' part of the choreographed saga. The order's payment state (`OrderPayment`) is written at the
 * next version of the state read, with the reacted-to event's marker and the event it publishes, so a
 * duplicate changes nothing and concurrent reactions are decided again on the state that won.
 *
 * The charge is claimed first (`CHARGING`, no marker), then made with the processor's idempotency key
 * (`makeChargePayment`: one charge per order, however often it runs), then its outcome written with the
 * marker. A reaction that dies half-way is redelivered and charges again, which the key makes safe. An
 * unavailable processor is waited for — the event is delivered again after a pause — for the wait
 * budget, counted from the first attempt; then whatever a lost answer may have captured is refunded
 * and the payment fails (`PAYMENT_UNAVAILABLE`). A cancellation waits for a charge under way (it is
 * delivered again), so it always finds the charge's outcome and refunds a capture.
 */
export function makeOrderPaymentChoreography(
  deps: OrderPaymentChoreographyDependencies,
): OrderPaymentChoreography {
  const { store, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;

  function write<T extends PaymentEventType>(
    cause: ReactionCause | undefined,
    current: StoredState<OrderPayment> | undefined,
    state: OrderPayment,
    context: CommandContext,
    event?: { readonly type: T; readonly data: PaymentEventData<T> },
  ): Promise<'applied' | 'duplicate'> {
    return saveReaction(
      store,
      {
        orderId: state.orderId,
        aggregateType: ORDER_PAYMENT_AGGREGATE_TYPE,
        cause,
        current,
        state,
        ...(event ? { event } : {}),
      },
      context,
    );
  }

  /** Refunds whatever the processor captured for the order; what it gave back. */
  async function refundAll(payment: OrderPayment, charge: ChargeRequest, context: CommandContext) {
    const result = await deps.refundPayment({
      orderId: payment.orderId,
      userId: charge.userId,
      method: charge.payment.method,
      correlationId: context.correlationId,
    });
    return result.refundedCents;
  }

  /** Claims the charge (CHARGING), makes it, and writes its outcome with the cause's marker. */
  async function charge(
    cause: ReactionCause,
    current: StoredState<OrderPayment>,
    context: CommandContext,
  ): Promise<ReactionOutcome> {
    const request = current.state.charge;
    if (request === undefined)
      throw new Error(`The payment of order ${cause.orderId} has nothing to charge.`);
    let claimed = current;
    if (current.state.status !== 'CHARGING') {
      const state: OrderPayment = {
        ...current.state,
        status: 'CHARGING',
        chargeStartedAt: now().toISOString(),
      };
      await write(undefined, current, state, context);
      claimed = { state, version: current.version + 1 };
    }
    const { orderId } = cause;
    const waitedSeconds = (): number =>
      (now().getTime() - Date.parse(claimed.state.chargeStartedAt ?? now().toISOString())) / 1000;
    const pause = (): number => {
      const interval = deps.waitIntervalSeconds;
      return Math.max(1, Math.round(interval / 2 + (random() * interval) / 2));
    };
    try {
      // Past the wait budget the order is given up, as the orchestrated saga gives it up: no later charge.
      if (waitedSeconds() >= deps.waitBudgetSeconds) {
        throw new PaymentProviderUnavailableError(orderId, 'the wait budget is spent');
      }
      const captured = await deps.chargePayment({
        orderId,
        userId: request.userId,
        amountCents: request.amountCents,
        currency: request.currency,
        payment: request.payment,
        correlationId: context.correlationId,
      });
      // As the orchestrated step: a capture is published with the processor's charge id, or not at all.
      if (captured.providerChargeId === undefined) {
        throw new Error(`the charge of ${orderId} ended ${captured.status} without a charge id`);
      }
      return await write(cause, claimed, { ...claimed.state, status: 'CAPTURED' }, context, {
        type: 'PaymentCaptured',
        data: {
          orderId,
          chargeId: captured.providerChargeId,
          amountCents: captured.amountCents,
          currency: captured.currency,
        },
      });
    } catch (error) {
      if (error instanceof PaymentDeclinedError) {
        return write(cause, claimed, { ...claimed.state, status: 'DECLINED' }, context, {
          type: 'PaymentDeclined',
          data: {
            orderId,
            reason: 'PAYMENT_DECLINED',
            ...definedProps({ declineCode: error.declineCode }),
          },
        });
      }
      const waited = waitedSeconds();
      if (error instanceof PaymentProviderUnavailableError && waited < deps.waitBudgetSeconds) {
        throw new RetryLaterError(
          `The payment processor is unavailable (${error.message}); waited ${Math.round(waited)} s of ${deps.waitBudgetSeconds} s.`,
          pause(),
        );
      }
      if (!(error instanceof PaymentProviderUnavailableError) && !isBusinessFailure(error)) throw error;
      // A lost answer may hide a capture: whatever the processor holds for the order goes back first.
      let refundedCents: number;
      try {
        refundedCents = await refundAll(claimed.state, request, context);
      } catch (refundError) {
        // The look-up needs the processor too: waited for with the charge's pause, not the queue's timeout.
        if (!(refundError instanceof PaymentProviderUnavailableError)) throw refundError;
        throw new RetryLaterError(
          `The payment is given up, but the processor cannot say what it holds (${refundError.message}).`,
          pause(),
        );
      }
      logger.warn('The charge failed: refunded what was captured, the order is cancelled', {
        orderId,
        refundedCents,
        error,
      });
      return write(cause, claimed, { ...claimed.state, status: 'FAILED' }, context, {
        type: 'PaymentFailed',
        data: {
          orderId,
          reason: error instanceof PaymentProviderUnavailableError ? 'PAYMENT_UNAVAILABLE' : 'SAGA_FAILED',
          refundedCents,
        },
      });
    }
  }

  /** Records what `change` says was awaited, and charges when nothing else is. */
  function onAwaited(
    cause: ReactionCause,
    change: (payment: OrderPayment) => OrderPayment,
    what: string,
    context: CommandContext,
  ): Promise<ReactionOutcome> {
    return retryLostRaces(async (): Promise<ReactionOutcome> => {
      const current = await store.load(cause.orderId);
      if (current === undefined) {
        throw new RetryLaterError(`${what} came before the order's OrderCreated.`);
      }
      const { status } = current.state;
      if (status === 'CHARGING') return charge(cause, current, context);
      if (status !== 'WAITING') return 'duplicate';
      const next = change(current.state);
      if (isReadyToCharge(next)) {
        return charge(cause, { state: next, version: current.version }, context);
      }
      return write(cause, current, next, context);
    }, REACTION_RACE_RETRY);
  }

  return {
    expect: (cause, request, context) =>
      retryLostRaces(async (): Promise<ReactionOutcome> => {
        const current = await store.load(cause.orderId);
        if (current !== undefined) return current.state.status === 'CANCELLED' ? 'ignored' : 'duplicate';
        return write(
          cause,
          undefined,
          {
            orderId: cause.orderId,
            status: 'WAITING',
            charge: request,
            stockReserved: false,
            approved: false,
          },
          context,
        );
      }, REACTION_RACE_RETRY),

    stockReserved: (cause, context) =>
      onAwaited(cause, (payment) => ({ ...payment, stockReserved: true }), 'OrderStockReserved', context),

    approved: (cause, context) =>
      onAwaited(cause, (payment) => ({ ...payment, approved: true }), 'OrderApproved', context),

    cancel: (cause, context) =>
      retryLostRaces(async (): Promise<ReactionOutcome> => {
        const { orderId } = cause;
        const current = await store.load(orderId);
        if (current === undefined) {
          // Cancelled before payments saw the order: a tombstone, so a late OrderCreated charges nothing.
          return write(
            cause,
            undefined,
            { orderId, status: 'CANCELLED', stockReserved: false, approved: false },
            context,
          );
        }
        const { status, charge: request } = current.state;
        switch (status) {
          case 'WAITING':
            return write(cause, current, { ...current.state, status: 'CANCELLED' }, context);
          case 'CHARGING':
            throw new RetryLaterError(`A charge of order ${orderId} is under way.`);
          case 'CAPTURED': {
            if (request === undefined) throw new Error(`The payment of order ${orderId} has no charge.`);
            const refundedCents = await refundAll(current.state, request, context);
            return write(cause, current, { ...current.state, status: 'REFUNDED' }, context, {
              type: 'PaymentRefunded',
              data: { orderId, refundedCents },
            });
          }
          case 'DECLINED':
          case 'FAILED':
          case 'REFUNDED':
          case 'CANCELLED':
            return 'duplicate';
        }
      }, REACTION_RACE_RETRY),
  };
}

/** The processor's answers no retry changes: a rejected request, a refunded payment charged again. */
function isBusinessFailure(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'PaymentProviderRejected' || error.name === 'PaymentAlreadyRefunded')
  );
}
