/**
 * An order's reservation of one product's stock, and the three moves of the PlaceOrder saga on it:
 *
 * | move    | reservation             | product counts                 | event            |
 * | ------- | ----------------------- | ------------------------------ | ---------------- |
 * | reserve | none → RESERVED         | available −q, reserved +q      | `StockReserved`  |
 * | commit  | RESERVED → COMMITTED    | reserved −q, sold +q           | `StockCommitted` |
 * | release | RESERVED → RELEASED     | reserved −q, available +q      | `StockReleased`  |
 * | release | COMMITTED → RELEASED    | sold −q, available +q          | `StockReleased`  |
 * | release | none → RELEASED (q = 0) | none (a tombstone)             | none             |
 *
 * A move already made is `unchanged` (a retried step changes nothing); RELEASED is final, so a reserve
 * that arrives after the release (a late retry) holds nothing. No count ever goes below zero, and
 * every product keeps `opening stock + restocks = available + reserved + sold`.
 *
 * Pure: the application writes the product at its next version, the reservation conditional on the
 * status read, and the event, in one transaction.
 */
import type { EventPayload } from '../../../shared/event-sourcing/domain-event';
import type { StockCommitted, StockReleased, StockReserved } from '../contracts/inventory-events';
import { InvalidProductError, OutOfStockError, ReservationNotFoundError } from './errors';
import { MAX_STOCK, type Product } from './product';

export type ReservationStatus = 'RESERVED' | 'COMMITTED' | 'RELEASED';
export const RESERVATION_STATUSES: readonly ReservationStatus[] = ['RESERVED', 'COMMITTED', 'RELEASED'];

export interface Reservation {
  readonly orderId: string;
  readonly productId: string;
  /** Units the reservation holds (RESERVED), sold (COMMITTED) or gave back (RELEASED; 0 for a tombstone). */
  readonly quantity: number;
  readonly status: ReservationStatus;
}

/** The move was made before: nothing to write. */
export interface ReservationUnchanged {
  readonly kind: 'unchanged';
  readonly reservation: Reservation;
}

/** A release of a reservation that does not exist: only the RELEASED marker is written. */
export interface ReservationTombstone {
  readonly kind: 'tombstone';
  readonly reservation: Reservation;
}

/** Units moved: the product at its next version, the reservation after the move, and the event. */
export interface StockMoved<TEvent extends StockReserved | StockCommitted | StockReleased> {
  readonly kind: 'moved';
  readonly product: Product;
  readonly reservation: Reservation;
  readonly event: EventPayload<TEvent>;
}

export type ReserveDecision = ReservationUnchanged | StockMoved<StockReserved>;
export type CommitDecision = ReservationUnchanged | StockMoved<StockCommitted>;
export type ReleaseDecision = ReservationUnchanged | ReservationTombstone | StockMoved<StockReleased>;
export type ReservationDecision = ReserveDecision | CommitDecision | ReleaseDecision;

/** All units the product counts: what was opened and restocked, wherever they are now. */
export function totalStock(product: Product): number {
  return product.available + product.reserved + product.sold;
}

/**
 * Holds `quantity` units for the order: `OutOfStockError` when fewer are available, or when the order's
 * reservation was released already. A reservation held or sold already is left as it is.
 */
export function reserveStock(
  product: Product,
  current: Reservation | undefined,
  orderId: string,
  quantity: number,
): ReserveDecision {
  checkReservationOf(product, current, orderId);
  if (!Number.isInteger(quantity) || quantity <= 0 || quantity > MAX_STOCK) {
    throw new InvalidProductError('quantity', `must be an integer from 1 to ${MAX_STOCK}`);
  }
  if (current !== undefined) {
    if (current.status === 'RELEASED') {
      throw new OutOfStockError(product.productId, quantity, product.available, 'released');
    }
    return { kind: 'unchanged', reservation: current };
  }
  if (product.available < quantity) {
    throw new OutOfStockError(product.productId, quantity, product.available);
  }
  const next = moved(product, { available: -quantity, reserved: +quantity });
  return {
    kind: 'moved',
    product: next,
    reservation: { orderId, productId: product.productId, quantity, status: 'RESERVED' },
    event: { type: 'StockReserved', data: { orderId, ...lineOf(next, quantity) } },
  };
}

/**
 * Sells the units the order holds: `ReservationNotFoundError` when it holds none (never reserved, or
 * released). A reservation sold already is left as it is.
 */
export function commitReservation(
  product: Product,
  current: Reservation | undefined,
  orderId: string,
): CommitDecision {
  checkReservationOf(product, current, orderId);
  if (current === undefined) throw new ReservationNotFoundError(orderId, product.productId);
  switch (current.status) {
    case 'RELEASED':
      throw new ReservationNotFoundError(orderId, product.productId, 'RELEASED');
    case 'COMMITTED':
      return { kind: 'unchanged', reservation: current };
    case 'RESERVED': {
      const next = moved(product, { reserved: -current.quantity, sold: +current.quantity });
      return {
        kind: 'moved',
        product: next,
        reservation: { ...current, status: 'COMMITTED' },
        event: { type: 'StockCommitted', data: { orderId, ...lineOf(next, current.quantity) } },
      };
    }
  }
}

/**
 * Gives back what the order holds or bought: a RESERVED or COMMITTED reservation becomes RELEASED and
 * its units available. Where the order holds nothing, a RELEASED tombstone of 0 units is the answer, so
 * a reserve arriving later holds nothing either. A released reservation is left as it is.
 */
export function releaseReservation(
  product: Product,
  current: Reservation | undefined,
  orderId: string,
): ReleaseDecision {
  checkReservationOf(product, current, orderId);
  if (current === undefined) {
    return {
      kind: 'tombstone',
      reservation: { orderId, productId: product.productId, quantity: 0, status: 'RELEASED' },
    };
  }
  switch (current.status) {
    case 'RELEASED':
      return { kind: 'unchanged', reservation: current };
    case 'RESERVED':
    case 'COMMITTED': {
      const next = moved(
        product,
        current.status === 'RESERVED'
          ? { reserved: -current.quantity, available: +current.quantity }
          : { sold: -current.quantity, available: +current.quantity },
      );
      return {
        kind: 'moved',
        product: next,
        reservation: { ...current, status: 'RELEASED' },
        event: {
          type: 'StockReleased',
          data: { orderId, ...lineOf(next, current.quantity), releasedFrom: current.status },
        },
      };
    }
  }
}

type Counts = Pick<Product, 'available' | 'reserved' | 'sold'>;

/** The product with its counts shifted by `delta` (summing to zero) at its next version. */
function moved(product: Product, delta: Partial<Counts>): Product {
  const next: Product = {
    ...product,
    available: product.available + (delta.available ?? 0),
    reserved: product.reserved + (delta.reserved ?? 0),
    sold: product.sold + (delta.sold ?? 0),
    version: product.version + 1,
  };
  // Unreachable by the moves above; a stored product whose counts disagree with its reservations is
  // a data error, and writing it on would spread it.
  if (next.available < 0 || next.reserved < 0 || next.sold < 0) {
    throw new Error(
      `Product ${product.productId} at version ${product.version} cannot move ${JSON.stringify(delta)}: ` +
        `a count would go below zero (available ${product.available}, reserved ${product.reserved}, sold ${product.sold}).`,
    );
  }
  return next;
}

function lineOf(product: Product, quantity: number) {
  return {
    productId: product.productId,
    quantity,
    available: product.available,
    reserved: product.reserved,
    sold: product.sold,
  };
}

function checkReservationOf(product: Product, current: Reservation | undefined, orderId: string): void {
  if (current !== undefined && (current.orderId !== orderId || current.productId !== product.productId)) {
    throw new Error(
      `The reservation of order ${current.orderId} for product ${current.productId} is not the one of ` +
        `order ${orderId} for product ${product.productId}.`,
    );
  }
}
