import {
  makeEventConsumer,
  ofChoreographedOrders,
  reaction,
  type EventConsumerOptions,
} from '../../../shared/messaging/event-consumer';
import { orderCause } from '../../../shared/messaging/reaction-state';
import { INVENTORY_EVENT_SOURCE } from '../../inventory/contracts/inventory-events';
import { OrderStockReservedDataSchema } from '../../inventory/contracts';
import {
  ORDERS_EVENT_SOURCE,
  OrderApprovalDecisionDataSchema,
  OrderCancelledDataSchema,
  OrderCreatedDataSchema,
} from '../../orders/contracts/order-events';
import type { OrderPaymentChoreography } from '../application/order-payment-choreography';

export interface OrderSagaEventsDependencies extends Omit<EventConsumerOptions, 'reactions'> {
  readonly choreography: OrderPaymentChoreography;
}

/**
 * Payments' consumer of the choreographed saga: learns what to charge from `OrderCreated`, charges once
 * `OrderStockReserved` (and, where needed, `OrderApproved`) arrived, refunds on `OrderCancelled`.
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
        apply: ofChoreographedOrders(async (event, context) => {
          const { data } = event;
          if (data.payment === undefined) return 'ignored';
          return choreography.expect(
            orderCause(event),
            {
              userId: data.userId,
              amountCents: data.totalCents,
              currency: data.currency,
              payment: data.payment,
              approvalRequired: data.approvalRequired === true,
            },
            context,
          );
        }),
      }),
      reaction({
        source: INVENTORY_EVENT_SOURCE,
        type: 'OrderStockReserved',
        data: OrderStockReservedDataSchema,
        apply: (event, context) => choreography.stockReserved(orderCause(event), context),
      }),
      reaction({
        source: ORDERS_EVENT_SOURCE,
        type: 'OrderApproved',
        data: OrderApprovalDecisionDataSchema,
        apply: ofChoreographedOrders((event, context) => choreography.approved(orderCause(event), context)),
      }),
      reaction({
        source: ORDERS_EVENT_SOURCE,
        type: 'OrderCancelled',
        data: OrderCancelledDataSchema,
        apply: ofChoreographedOrders((event, context) => choreography.cancel(orderCause(event), context)),
      }),
    ],
  });
}
