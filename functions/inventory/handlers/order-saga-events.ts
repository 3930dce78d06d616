import {
  makeEventConsumer,
  ofChoreographedOrders,
  reaction,
  type EventConsumerOptions,
} from '../../../shared/messaging/event-consumer';
import { orderCause } from '../../../shared/messaging/reaction-state';
import {
  ORDERS_EVENT_SOURCE,
  OrderCancelledDataSchema,
  OrderCreatedDataSchema,
} from '../../orders/contracts/order-events';
import { PAYMENTS_EVENT_SOURCE, PaymentCapturedDataSchema } from '../../payments/contracts';
import type { OrderStockChoreography } from '../application/order-stock-choreography';

export interface OrderSagaEventsDependencies extends Omit<EventConsumerOptions, 'reactions'> {
  readonly choreography: OrderStockChoreography;
}

/**
 * Inventory's consumer of the choreographed saga: `OrderCreated` reserves, `PaymentCaptured` commits,
 * `OrderCancelled` releases (see `order-stock-choreography.ts`).
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
          choreography.reserve(
            orderCause(event),
            event.data.items.map(({ productId, quantity }) => ({ productId, quantity })),
            context,
          ),
        ),
      }),
      reaction({
        source: PAYMENTS_EVENT_SOURCE,
        type: 'PaymentCaptured',
        data: PaymentCapturedDataSchema,
        apply: (event, context) => choreography.commit(orderCause(event), event.data, context),
      }),
      reaction({
        source: ORDERS_EVENT_SOURCE,
        type: 'OrderCancelled',
        data: OrderCancelledDataSchema,
        apply: ofChoreographedOrders((event, context) =>
          choreography.release(orderCause(event), event.data.reason, context),
        ),
      }),
    ],
  });
}
