import type { CommandContext } from '../../../shared/event-sourcing/command-context';
import { RetryLaterError, type ReactionOutcome } from '../../../shared/messaging/event-consumer';
import {
  REACTION_RACE_RETRY,
  saveReaction,
  type ReactionCause,
  type ReactionStateStore,
  type StoredState,
} from '../../../shared/messaging/reaction-state';
import { retryLostRaces } from '../../../shared/resilience';
import {
  ORDER_STOCK_AGGREGATE_TYPE,
  type OrderStockEventData,
  type OrderStockEventType,
} from '../contracts/order-stock-events';
import type { StockLine } from '../contracts/stock-steps';
import { OutOfStockError, ReservationNotFoundError } from '../domain/errors';
import type { OrderStock } from '../domain/order-stock';
import type { CommitStock } from './commit-stock';
import type { ReleaseStock } from './release-stock';
import type { ReserveStock } from './reserve-stock';

export type OrderStockStore = ReactionStateStore<OrderStock>;

export interface OrderStockChoreographyDependencies {
  readonly store: OrderStockStore;
  readonly reserveStock: ReserveStock;
  readonly commitStock: CommitStock;
  readonly releaseStock: ReleaseStock;
}

export interface OrderStockChoreography {
  /** On `OrderCreated`: holds every line, then `OrderStockReserved`; or gives all back and `OrderStockReservationFailed`. */
  reserve(
    cause: ReactionCause,
    items: readonly StockLine[],
    context: CommandContext,
  ): Promise<ReactionOutcome>;
  /** On `PaymentCaptured`: sells the held lines, then `OrderStockCommitted`; or `OrderStockCommitFailed`. */
  commit(
    cause: ReactionCause,
    payment: { readonly chargeId: string; readonly amountCents: number },
    context: CommandContext,
  ): Promise<ReactionOutcome>;
  /** On `OrderCancelled`: gives back whatever the order holds or bought, then `OrderStockReleased`. */
  release(cause: ReactionCause, reason: string, context: CommandContext): Promise<ReactionOutcome>;
}

/**
 * Inventory's part of the choreographed saga. The order's state (`OrderStock`) orders the moves: each
 * change is written at the next version of the state read, with the reacted-to event's marker and the
 * event it publishes, so a duplicate changes nothing and a concurrent reaction is decided again on the
 * state that won. The lines move first, each in its own transaction and idempotently (see
 * `change-reservation.ts`), so a reaction that dies half-way is completed by the redelivery.
 */
export function makeOrderStockChoreography(deps: OrderStockChoreographyDependencies): OrderStockChoreography {
  const { store } = deps;

  function write<T extends OrderStockEventType>(
    cause: ReactionCause,
    current: StoredState<OrderStock> | undefined,
    state: OrderStock,
    context: CommandContext,
    event?: { readonly type: T; readonly data: OrderStockEventData<T> },
  ): Promise<'applied' | 'duplicate'> {
    const orderId = cause.orderId;
    return saveReaction(
      store,
      {
        orderId,
        aggregateType: ORDER_STOCK_AGGREGATE_TYPE,
        cause,
        current,
        state,
        ...(event ? { event } : {}),
      },
      context,
    );
  }

  return {
    reserve: (cause, items, context) =>
      retryLostRaces(async (): Promise<ReactionOutcome> => {
        const { orderId } = cause;
        let current = await store.load(orderId);
        if (current !== undefined && current.state.status !== 'RESERVING') return 'duplicate';
        if (current === undefined) {
          // Claimed before any line moves: a cancel arriving meanwhile finds the lines to give back.
          const claimed: OrderStock = { orderId, status: 'RESERVING', items };
          await saveReaction(
            store,
            { orderId, aggregateType: ORDER_STOCK_AGGREGATE_TYPE, cause: undefined, current, state: claimed },
            context,
          );
          current = { state: claimed, version: 1 };
        }
        const order = { orderId, items: current.state.items };
        try {
          await deps.reserveStock(order, context);
        } catch (error) {
          if (!(error instanceof OutOfStockError)) throw error;
          await deps.releaseStock(order, context);
          return write(cause, current, { ...current.state, status: 'RESERVATION_FAILED' }, context, {
            type: 'OrderStockReservationFailed',
            data: { orderId, reason: 'OUT_OF_STOCK', productId: error.productId },
          });
        }
        return write(cause, current, { ...current.state, status: 'RESERVED' }, context, {
          type: 'OrderStockReserved',
          data: { orderId, items: [...current.state.items] },
        });
      }, REACTION_RACE_RETRY),

    commit: (cause, payment, context) =>
      retryLostRaces(async (): Promise<ReactionOutcome> => {
        const { orderId } = cause;
        const current = await store.load(orderId);
        if (current === undefined || current.state.status === 'RESERVING') {
          throw new RetryLaterError(`The stock of order ${orderId} is not reserved yet.`);
        }
        switch (current.state.status) {
          case 'COMMITTED':
          case 'COMMIT_FAILED':
            return 'duplicate';
          case 'RELEASED':
          case 'RESERVATION_FAILED':
            // Cancelled meanwhile: payments refunds on the cancellation.
            return 'ignored';
          case 'RESERVED':
            break;
        }
        const order = { orderId, items: current.state.items };
        try {
          await deps.commitStock(order, context);
        } catch (error) {
          if (!(error instanceof ReservationNotFoundError)) throw error;
          return write(cause, current, { ...current.state, status: 'COMMIT_FAILED' }, context, {
            type: 'OrderStockCommitFailed',
            data: { orderId, reason: 'SAGA_FAILED', productId: error.productId },
          });
        }
        return write(cause, current, { ...current.state, status: 'COMMITTED' }, context, {
          type: 'OrderStockCommitted',
          data: { orderId, chargeId: payment.chargeId, amountCents: payment.amountCents },
        });
      }, REACTION_RACE_RETRY),

    release: (cause, reason, context) =>
      retryLostRaces(async (): Promise<ReactionOutcome> => {
        const { orderId } = cause;
        const current = await store.load(orderId);
        if (current === undefined) {
          // Cancelled before inventory saw the order: a tombstone, so a late OrderCreated holds nothing.
          return write(cause, undefined, { orderId, status: 'RELEASED', items: [] }, context);
        }
        if (current.state.status === 'RELEASED') return 'duplicate';
        await deps.releaseStock({ orderId, items: current.state.items }, context);
        return write(cause, current, { ...current.state, status: 'RELEASED' }, context, {
          type: 'OrderStockReleased',
          data: { orderId, reason },
        });
      }, REACTION_RACE_RETRY),
  };
}
