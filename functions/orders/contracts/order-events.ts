/**
 * What the orders context publishes on the `shop` bus: EventBridge `source` `shop.orders`, `detail-type`
 * the event type, `detail` the envelope of ARCHITECTURE.md §4 with one of these `data` shapes. Other
 * contexts import this module, never the orders domain.
 */
import * as z from 'zod';
import { EventEnvelopeSchema } from '../../../shared/messaging/event-consumer';

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
  /** Choreographed orders: whether the order waits for a human approval once its stock is held. */
  approvalRequired: z.boolean().optional(),
  /** Required on every new order; absent on orders placed before it was. */
  payment: z
    .discriminatedUnion('method', [
      // The method alone: the card's token is in payments' card vault, never in an event.
      z.object({ method: z.literal('card') }),
      z.object({ method: z.literal('account'), accountId: nonEmpty }),
    ])
    .optional(),
});

const sagaStyle = z.enum(['orchestrated', 'choreographed']);

/** `saga`: the order's saga style (absent on events recorded before it was), for rules to route on. */
export const OrderCancelledDataSchema = z.object({
  orderId: nonEmpty,
  reason: z.string(),
  saga: sagaStyle.optional(),
});

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
  saga: sagaStyle.optional(),
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
export const OrderEventEnvelopeSchema = EventEnvelopeSchema.extend({
  aggregateType: z.literal(ORDER_AGGREGATE_TYPE),
  version: z.number().int().positive(),
});

export type OrderEventEnvelope = z.infer<typeof OrderEventEnvelopeSchema>;

export function isKnownOrderEventType(type: string): type is OrderEventType {
  return Object.hasOwn(ORDER_EVENT_DATA_SCHEMAS, type);
}

/**
 * What a choreographed order's one-time schedules put on the bus when a deadline passes: source
 * `shop.orders.schedules`, `detail-type` `OrderDeadlineReached`, the envelope fixed when the schedule was
 * set (so every delivery of one deadline has the same `eventId`), aggregate `OrderDeadline`.
 */
export const ORDER_DEADLINES_EVENT_SOURCE = 'shop.orders.schedules';
export const ORDER_DEADLINE_AGGREGATE_TYPE = 'OrderDeadline';
export const OrderDeadlineReachedDataSchema = z.object({
  orderId: nonEmpty,
  kind: z.enum(['approval', 'watchdog']),
  dueAt: nonEmpty,
});
