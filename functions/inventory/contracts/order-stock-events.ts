/**
 * What inventory publishes about an order's stock as a whole, for the choreographed saga: source
 * `shop.inventory`, aggregate `OrderStock` (its id is the order id), one event per move of the order.
 * The per-product `StockReserved`/`StockCommitted`/`StockReleased` of the product streams say how each
 * product's counts moved; these say where the order stands, so other contexts react to one event.
 */
import * as z from 'zod';

export const ORDER_STOCK_AGGREGATE_TYPE = 'OrderStock';

const nonEmpty = z.string().min(1);
const line = z.object({ productId: nonEmpty, quantity: z.number().int().positive() });

/** Every line of the order is held. */
export const OrderStockReservedDataSchema = z.object({ orderId: nonEmpty, items: z.array(line).min(1) });
/** A line could not be held; what was held of the others is back in stock. */
export const OrderStockReservationFailedDataSchema = z.object({
  orderId: nonEmpty,
  reason: z.literal('OUT_OF_STOCK'),
  productId: nonEmpty,
});
/** The held lines are sold, after the payment named here was captured. */
export const OrderStockCommittedDataSchema = z.object({
  orderId: nonEmpty,
  chargeId: nonEmpty,
  amountCents: z.number().int().nonnegative(),
});
/** The stock could not be sold after the charge (its reservation was released meanwhile). */
export const OrderStockCommitFailedDataSchema = z.object({
  orderId: nonEmpty,
  reason: z.literal('SAGA_FAILED'),
  productId: nonEmpty,
});
/** What the order held or bought is available again: the order was cancelled. */
export const OrderStockReleasedDataSchema = z.object({ orderId: nonEmpty, reason: nonEmpty });

export const ORDER_STOCK_EVENT_DATA_SCHEMAS = {
  OrderStockReserved: OrderStockReservedDataSchema,
  OrderStockReservationFailed: OrderStockReservationFailedDataSchema,
  OrderStockCommitted: OrderStockCommittedDataSchema,
  OrderStockCommitFailed: OrderStockCommitFailedDataSchema,
  OrderStockReleased: OrderStockReleasedDataSchema,
} as const;

export type OrderStockEventType = keyof typeof ORDER_STOCK_EVENT_DATA_SCHEMAS;
export type OrderStockEventData<T extends OrderStockEventType> = z.infer<
  (typeof ORDER_STOCK_EVENT_DATA_SCHEMAS)[T]
>;
