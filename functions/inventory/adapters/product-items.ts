import * as z from 'zod';
import type { DomainEvent } from '../../../shared/event-sourcing/domain-event';
import { eventItemAttributes } from '../../../shared/event-sourcing/dynamodb-event-store';
import type { Product } from '../domain/product';
import { RESERVATION_STATUSES, type Reservation } from '../domain/stock-reservation';

/**
 * The products table: `pk` (S) the product id, `sk` (S). The product's state is the item
 * `sk = 'product'`; each change adds an event item `sk = 'event#<version, 10 digits>'` with
 * `kind = 'event'` and the envelope's fields at the top level, as `DynamoDbEventStore` writes them, so
 * the table's stream is an outbox the `OutboxRelay` publishes unchanged. An order's reservation of the
 * product is the item `sk = 'reservation#<orderId>'` with `kind = 'reservation'`: in the product's
 * partition, so one transaction changes both, and never published (the relay takes `kind = 'event'` only).
 */
export const PRODUCT_SORT_KEY = 'product';
export const PRODUCT_ITEM_KIND = 'product';
export const RESERVATION_ITEM_KIND = 'reservation';
const RESERVATION_SORT_KEY_PREFIX = 'reservation#';
/**
 * Event items only need to outlive the relay; they are kept past the 14 days a stream batch waits on
 * the relay's dead-letter queue, so a failed batch can still be re-published from the table.
 */
export const EVENT_ITEM_RETENTION_SECONDS = 30 * 24 * 60 * 60;
export const EXPIRES_AT_ATTRIBUTE = 'expiresAt';

export function eventSortKey(version: number): string {
  return `event#${String(version).padStart(10, '0')}`;
}

export function productItem(product: Product): Record<string, unknown> {
  return { pk: product.productId, sk: PRODUCT_SORT_KEY, kind: PRODUCT_ITEM_KIND, ...product };
}

export function reservationSortKey(orderId: string): string {
  return `${RESERVATION_SORT_KEY_PREFIX}${orderId}`;
}

/** A reservation has no expiry: a RELEASED one must outlive any late retry of the order's reserve. */
export function reservationItem(reservation: Reservation, updatedAt: string): Record<string, unknown> {
  return {
    pk: reservation.productId,
    sk: reservationSortKey(reservation.orderId),
    kind: RESERVATION_ITEM_KIND,
    ...reservation,
    updatedAt,
  };
}

export function eventItem(event: DomainEvent): Record<string, unknown> {
  const expiresAt = Math.floor(Date.parse(event.occurredAt) / 1000) + EVENT_ITEM_RETENTION_SECONDS;
  return {
    pk: event.aggregateId,
    sk: eventSortKey(event.version),
    ...eventItemAttributes(event),
    [EXPIRES_AT_ATTRIBUTE]: expiresAt,
  };
}

const count = z.number().int().min(0);
const storedProduct = z.object({
  kind: z.literal(PRODUCT_ITEM_KIND),
  productId: z.string().min(1),
  name: z.string(),
  priceCents: z.number().int().positive(),
  currency: z.string(),
  available: count,
  reserved: count,
  sold: count,
  version: z.number().int().positive(),
});

/** The product of a stored item; an item that is not one is a data error, never a client's. */
export function productFromItem(item: Record<string, unknown>): Product {
  const parsed = storedProduct.safeParse(item);
  if (!parsed.success) throw malformed('product', item, parsed.error);
  const { kind: _kind, ...product } = parsed.data;
  return product;
}

const storedReservation = z.object({
  kind: z.literal(RESERVATION_ITEM_KIND),
  orderId: z.string().min(1),
  productId: z.string().min(1),
  quantity: count,
  status: z.enum(RESERVATION_STATUSES),
});

/** The reservation of a stored item; an item that is not one is a data error, never a client's. */
export function reservationFromItem(item: Record<string, unknown>): Reservation {
  const parsed = storedReservation.safeParse(item);
  if (!parsed.success) throw malformed('reservation', item, parsed.error);
  const { kind: _kind, ...reservation } = parsed.data;
  return reservation;
}

function malformed(what: string, item: Record<string, unknown>, error: z.ZodError): Error {
  const issues = error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ');
  return new Error(
    `the ${what} item pk=${String(item['pk'])} sk=${String(item['sk'])} is malformed: ${issues}`,
  );
}
