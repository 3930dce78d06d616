import type { StockReservationEvent } from '../contracts/inventory-events';
import type { Product } from '../domain/product';
import type { Reservation, ReservationStatus } from '../domain/stock-reservation';

/** A product and an order's reservation of it, as last written (strongly consistent reads). */
export interface ProductStock {
  readonly product: Product | undefined;
  readonly reservation: Reservation | undefined;
}

/**
 * One reservation change, written atomically or not at all:
 * - `move`: the product (at `expectedVersion + 1`, conditional on `expectedVersion`), the reservation
 *   (conditional on `expectedStatus`, or on its absence when `undefined`) and the event;
 * - `tombstone`: a RELEASED reservation, conditional on there being none.
 */
export type ReservationWrite =
  | {
      readonly kind: 'move';
      readonly product: Product;
      readonly expectedVersion: number;
      readonly reservation: Reservation;
      readonly expectedStatus: ReservationStatus | undefined;
      readonly event: StockReservationEvent;
    }
  | {
      readonly kind: 'tombstone';
      readonly reservation: Reservation;
      /** ISO-8601 instant of the release. */
      readonly releasedAt: string;
    };

/**
 * Persistence of orders' stock reservations, next to the products they hold (same table, same
 * transaction). Adapters: `DynamoDbProductRepository`, `InMemoryProductRepository`.
 */
export interface StockReservationRepository {
  load(productId: string, orderId: string): Promise<ProductStock>;

  /**
   * Stores the change, or throws the kernel's `ConcurrencyError` when the product's version or the
   * reservation's status is no longer the one read: the caller loads and decides again.
   */
  save(write: ReservationWrite): Promise<void>;
}
