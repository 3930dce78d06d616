/**
 * What the orders context publishes on the `shop` bus: EventBridge `source` `shop.orders`, `detail-type`
 * the event type, `detail` the envelope of ARCHITECTURE.md §4 with one of these `data` shapes. Other
 * contexts import this module, never the orders domain.
 */
import { z } from 'zod';

export const ORDERS_EVENT_SOURCE = 'shop.orders';
export const ORDER_AGGREGATE_TYPE = 'Order';

const nonEmpty = z.string().min(1);
const cents = z.number().int().nonnegative();

export const OrderLineSchema = z.object({
  productId: nonEmpty,
  quantity: z.number().int().positive(),
  unitPriceCents: z.number().int().positive(),
});

export const OrderCreatedDataSchema = z.object({
  orderId: nonEmpty,
  userId: nonEmpty,
  items: z.array(OrderLineSchema).min(1),
  totalCents: cents,
  currency: z.string().length(3),
  saga: z.enum(['orchestrated', 'choreographed']),
  /** Required on every new order; absent on orders placed before it was. */
  payment: z
    .discriminatedUnion('method', [
      z.object({ method: z.literal('card'), token: nonEmpty }),
      z.object({ method: z.literal('account'), accountId: nonEmpty }),
    ])
    .optional(),
});

export const OrderCancelledDataSchema = z.object({ orderId: nonEmpty, reason: z.string() });

export const OrderShippedDataSchema = z.object({
  orderId: nonEmpty,
  carrier: nonEmpty,
  trackingNumber: nonEmpty,
});

/** The saga waits for a human decision on the order (status `AWAITING_APPROVAL`). */
export const OrderApprovalRequestedDataSchema = z.object({ orderId: nonEmpty });

/** `OrderApproved` and `OrderRejected`: the decision, with the approver's comment when they gave one. */
export const OrderApprovalDecisionDataSchema = z.object({
  orderId: nonEmpty,
  comment: z.string().max(500).optional(),
});

/** The saga charged the order and confirmed it (status `PAID`). */
export const OrderPaidDataSchema = z.object({
  orderId: nonEmpty,
  chargeId: nonEmpty,
  amountCents: cents,
});

/** The `data` schema of each event type the orders context publishes today. */
export const ORDER_EVENT_DATA_SCHEMAS = {
  OrderCreated: OrderCreatedDataSchema,
  OrderCancelled: OrderCancelledDataSchema,
  OrderShipped: OrderShippedDataSchema,
  OrderApprovalRequested: OrderApprovalRequestedDataSchema,
  OrderApproved: OrderApprovalDecisionDataSchema,
  OrderRejected: OrderApprovalDecisionDataSchema,
  OrderPaid: OrderPaidDataSchema,
} as const;

export type OrderEventType = keyof typeof ORDER_EVENT_DATA_SCHEMAS;

/** The envelope as consumers receive it in `detail`; `data` is checked per type by the consumer. */
export const OrderEventEnvelopeSchema = z.object({
  eventId: nonEmpty,
  type: nonEmpty,
  aggregateType: z.literal(ORDER_AGGREGATE_TYPE),
  aggregateId: nonEmpty,
  version: z.number().int().positive(),
  occurredAt: nonEmpty,
  correlationId: nonEmpty,
  causationId: nonEmpty,
  traceHeader: nonEmpty.optional(),
  schemaVersion: z.number().int().positive(),
  data: z.unknown(),
});

export type OrderEventEnvelope = z.infer<typeof OrderEventEnvelopeSchema>;

export function isKnownOrderEventType(type: string): type is OrderEventType {
  return Object.hasOwn(ORDER_EVENT_DATA_SCHEMAS, type);
}
