import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { DynamoDbReactionStore } from '../../../shared/messaging/dynamodb-reaction-store';
import { ORDER_STOCK_STATUSES, type OrderStock } from '../domain/order-stock';
import { eventSortKey } from './product-items';

/**
 * The choreographed saga's items in the products table: an order's stock state is `pk = <orderId>`,
 * `sk = 'order-stock'`; its events `sk = 'event#<version>'` under the order id, published by the same
 * outbox relay as the products' events; the markers of the events reacted to `pk =
 * 'processed-event#inventory-order-saga#<eventId>'`, `sk = 'processed-event'`.
 */
export const ORDER_STOCK_SORT_KEY = 'order-stock';
const CONSUMER = 'inventory-order-saga';

const storedOrderStock = z.object({
  orderId: z.string().min(1),
  status: z.enum(ORDER_STOCK_STATUSES),
  items: z.array(z.object({ productId: z.string().min(1), quantity: z.number().int().positive() })),
});

export function dynamoDbOrderStockStore(client: DynamoDBClient, tableName: string) {
  return new DynamoDbReactionStore<OrderStock>({
    client,
    tableName,
    consumer: CONSUMER,
    schema: storedOrderStock,
    layout: {
      partitionKey: 'pk',
      stateKey: (orderId) => ({ pk: orderId, sk: ORDER_STOCK_SORT_KEY }),
      eventKey: (event) => ({ pk: event.aggregateId, sk: eventSortKey(event.version) }),
      markerKey: (markerId) => ({ pk: markerId, sk: 'processed-event' }),
    },
  });
}
