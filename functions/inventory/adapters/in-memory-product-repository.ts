import { ConcurrencyError } from '../../../shared/errors/app-error';
import type { InventoryEvent, ProductCreated } from '../contracts/inventory-events';
import { ProductAlreadyExistsError } from '../domain/errors';
import type { Product } from '../domain/product';
import type { Reservation } from '../domain/stock-reservation';
import { StaleProductError, type ProductRepository } from '../ports/product-repository';
import type {
  ProductStock,
  ReservationWrite,
  StockReservationRepository,
} from '../ports/stock-reservation-repository';

/**
 * Products and reservations in Maps, with the DynamoDB adapter's semantics (state, reservation and
 * event written together or not at all, `ConcurrencyError` on a stale version or reservation status),
 * for tests. Each call yields first, as a network call would, so concurrent callers interleave as they
 * do in Lambda; check and write have no await between.
 */
export class InMemoryProductRepository implements ProductRepository, StockReservationRepository {
  private readonly products = new Map<string, Product>();
  private readonly reservations = new Map<string, Reservation>();
  /** Every event written, in commit order: what the table's stream would carry. */
  readonly outbox: InventoryEvent[] = [];

  async find(productId: string): Promise<Product | undefined> {
    await Promise.resolve();
    const product = this.products.get(productId);
    return product === undefined ? undefined : { ...product };
  }

  async create(product: Product, event: ProductCreated): Promise<void> {
    await Promise.resolve();
    if (this.products.has(product.productId)) throw new ProductAlreadyExistsError(product.productId);
    this.products.set(product.productId, { ...product });
    this.outbox.push(structuredClone(event));
  }

  async update(product: Product, expectedVersion: number, event: InventoryEvent): Promise<void> {
    await Promise.resolve();
    this.checkVersion(product.productId, expectedVersion);
    this.products.set(product.productId, { ...product });
    this.outbox.push(structuredClone(event));
  }

  async load(productId: string, orderId: string): Promise<ProductStock> {
    await Promise.resolve();
    const product = this.products.get(productId);
    const reservation = this.reservations.get(reservationKey(productId, orderId));
    return {
      product: product === undefined ? undefined : { ...product },
      reservation: reservation === undefined ? undefined : { ...reservation },
    };
  }

  async save(write: ReservationWrite): Promise<void> {
    await Promise.resolve();
    const { reservation } = write;
    const key = reservationKey(reservation.productId, reservation.orderId);
    const stored = this.reservations.get(key);
    const expectedStatus = write.kind === 'tombstone' ? undefined : write.expectedStatus;
    if (stored?.status !== expectedStatus) {
      throw new ConcurrencyError(
        `The reservation of order ${reservation.orderId} for ${reservation.productId} is ` +
          `${stored?.status ?? 'absent'}, not ${expectedStatus ?? 'absent'}`,
      );
    }
    if (write.kind === 'move') {
      this.checkVersion(write.product.productId, write.expectedVersion);
      this.products.set(write.product.productId, { ...write.product });
      this.outbox.push(structuredClone(write.event));
    }
    this.reservations.set(key, { ...reservation });
  }

  /** Every reservation of the product, by order id: what the table holds beside the product. */
  reservationsOf(productId: string): Reservation[] {
    return [...this.reservations.values()]
      .filter((reservation) => reservation.productId === productId)
      .map((reservation) => ({ ...reservation }));
  }

  private checkVersion(productId: string, expectedVersion: number): void {
    const stored = this.products.get(productId);
    if (stored === undefined || stored.version !== expectedVersion) {
      throw new StaleProductError(
        `Product ${productId} is at version ${stored?.version ?? 'none'}, not ${expectedVersion}`,
        stored === undefined ? undefined : { ...stored },
      );
    }
  }
}

function reservationKey(productId: string, orderId: string): string {
  return `${productId}|${orderId}`;
}
