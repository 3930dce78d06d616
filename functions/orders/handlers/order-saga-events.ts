import {
  makeEventConsumer,
  ofChoreographedOrders,
  reaction,
  type EventConsumerOptions,
} from '../../../shared/messaging/event-consumer';
import { orderCause } from '../../../shared/messaging/reaction-state';
import {
  OrderStockCommitFailedDataSchema,
  OrderStockCommittedDataSchema,
  OrderStockReservationFailedDataSchema,
  OrderStockReservedDataSchema,
} from '../../inventory/contracts';
import { INVENTORY_EVENT_SOURCE } from '../../inventory/contracts/inventory-events';
import {
  PAYMENTS_EVENT_SOURCE,
  PaymentDeclinedDataSchema,
  PaymentFailedDataSchema,
} from '../../payments/contracts';
import type { OrderChoreography } from '../application/order-choreography';
import {
  ORDER_DEADLINES_EVENT_SOURCE,
  ORDERS_EVENT_SOURCE,
  OrderApprovalDecisionDataSchema,
  OrderCreatedDataSchema,
  OrderDeadlineReachedDataSchema,
} from '../contracts/order-events';

export interface OrderSagaEventsDependencies extends Omit<EventConsumerOptions, 'reactions'> {
  readonly choreography: OrderChoreography;
}

/**
 * Orders' consumer of the choreographed saga: sets an order's deadlines when it is placed, makes it
 * wait for its approval once its stock is held, confirms it once its stock is sold, and cancels it on
 * any failure (the compensations follow `OrderCancelled`) or when a deadline passes.
 */
export function makeHandler(deps: OrderSagaEventsDependencies) {
  const { choreography } = deps;
  return makeEventConsumer({
    ...deps,
    reactions: [
      reaction({
        source: ORDERS_EVENT_SOURCE,
        type: 'OrderCreated',
        data: OrderCreatedDataSchema,
        apply: ofChoreographedOrders((event, context) =>
          choreography.watch(
            orderCause(event),
            event.occurredAt,
            event.data.approvalRequired === true,
            context,
          ),
        ),
      }),
      reaction({
        source: INVENTORY_EVENT_SOURCE,
        type: 'OrderStockReserved',
        data: OrderStockReservedDataSchema,
        apply: (event, context) => choreography.stockReserved(orderCause(event), context),
      }),
      reaction({
        source: INVENTORY_EVENT_SOURCE,
        type: 'OrderStockReservationFailed',
        data: OrderStockReservationFailedDataSchema,
        apply: (event, context) => choreography.cancel(orderCause(event), event.data.reason, context),
      }),
      reaction({
        source: PAYMENTS_EVENT_SOURCE,
        type: 'PaymentDeclined',
        data: PaymentDeclinedDataSchema,
        apply: (event, context) => choreography.cancel(orderCause(event), event.data.reason, context),
      }),
      reaction({
        source: PAYMENTS_EVENT_SOURCE,
        type: 'PaymentFailed',
        data: PaymentFailedDataSchema,
        apply: (event, context) => choreography.cancel(orderCause(event), event.data.reason, context),
      }),
      reaction({
        source: INVENTORY_EVENT_SOURCE,
        type: 'OrderStockCommitted',
        data: OrderStockCommittedDataSchema,
        apply: (event, context) =>
          choreography.confirm(
            orderCause(event),
            { chargeId: event.data.chargeId, amountCents: event.data.amountCents },
            context,
          ),
      }),
      reaction({
        source: INVENTORY_EVENT_SOURCE,
        type: 'OrderStockCommitFailed',
        data: OrderStockCommitFailedDataSchema,
        apply: (event, context) => choreography.cancel(orderCause(event), event.data.reason, context),
      }),
      reaction({
        source: ORDERS_EVENT_SOURCE,
        type: 'OrderRejected',
        data: OrderApprovalDecisionDataSchema,
        apply: ofChoreographedOrders((event, context) =>
          choreography.cancel(orderCause(event), 'APPROVAL_REJECTED', context),
        ),
      }),
      reaction({
        source: ORDER_DEADLINES_EVENT_SOURCE,
        type: 'OrderDeadlineReached',
        data: OrderDeadlineReachedDataSchema,
        apply: (event, context) => choreography.deadlineReached(orderCause(event), event.data.kind, context),
      }),
    ],
  });
}
