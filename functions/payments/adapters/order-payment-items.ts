import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { DynamoDbReactionStore } from '../../../shared/messaging/dynamodb-reaction-store';
import { ORDER_PAYMENT_STATUSES, type OrderPayment } from '../domain/order-payment';
import { PAYMENT_KEY } from './payment-items';

/**
 * The choreographed saga's items in the payments table (partition key `orderId`, no sort key), beside
 * the payments themselves: an order's payment state `orderId = 'order-payment#<orderId>'`, its events
 * `'event#<orderId>#<version>'` (`kind = 'event'`: the table's stream is payments' outbox), the markers
 * of the events reacted to `'processed-event#payments-order-saga#<eventId>'`.
 */
const CONSUMER = 'payments-order-saga';

const source = z.discriminatedUnion('method', [
  // The token is in the card vault; an item written before the vault may still hold one: it is dropped.
  z.object({ method: z.literal('card') }),
  z.object({ method: z.literal('account'), accountId: z.string().min(1) }),
]);
const storedOrderPayment = z.object({
  orderId: z.string().min(1),
  status: z.enum(ORDER_PAYMENT_STATUSES),
  charge: z
    .object({
      userId: z.string().min(1),
      amountCents: z.number().int().nonnegative(),
      currency: z.string().length(3),
      payment: source,
      approvalRequired: z.boolean(),
    })
    .optional(),
  stockReserved: z.boolean(),
  approved: z.boolean(),
  chargeStartedAt: z.string().optional(),
});

export function dynamoDbOrderPaymentStore(client: DynamoDBClient, tableName: string) {
  return new DynamoDbReactionStore<OrderPayment>({
    client,
    tableName,
    consumer: CONSUMER,
    schema: storedOrderPayment,
    layout: {
      partitionKey: PAYMENT_KEY,
      stateKey: (orderId) => ({ [PAYMENT_KEY]: `order-payment#${orderId}` }),
      eventKey: (event) => ({ [PAYMENT_KEY]: `event#${event.aggregateId}#${event.version}` }),
      markerKey: (markerId) => ({ [PAYMENT_KEY]: markerId }),
    },
  });
}
