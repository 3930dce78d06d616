import { ConcurrencyError } from '../../../shared/errors/app-error';
import type { InventoryEvent, ProductCreated } from '../contracts/inventory-events';
import type { Product } from '../domain/product';

/**
 * The product was no longer at the version a change was computed from. `current` is the product as
 * the failed write found it, when the store could say (DynamoDB returns it with the cancellation): the
 * next attempt decides on it without reading again, one round trip instead of two while writers race.
 */
export class StaleProductError extends ConcurrencyError {
  constructor(
    message: string,
    readonly current: Product | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StaleProductError';
  }
}

/**
 * Persistence of products and their outbox. Each write stores the new state and the event that
 * announces it atomically: both or neither. Adapters: `DynamoDbProductRepository`,
 * `InMemoryProductRepository`.
 */
export interface ProductRepository {
  /** The product as last written (a strongly consistent read), or `undefined`. */
  find(productId: string): Promise<Product | undefined>;

  /** Stores a new product (version 1) with its `ProductCreated`; `ProductAlreadyExistsError` if the id is taken. */
  create(product: Product, event: ProductCreated): Promise<void>;

  /**
   * Replaces the product stored at `expectedVersion` by `product` (at `expectedVersion + 1`) and stores
   * `event`, or throws `StaleProductError` (a `ConcurrencyError`) when the stored version is no longer
   * `expectedVersion` (or the product is gone): the caller decides again on its `current`, or re-reads.
   */
  update(product: Product, expectedVersion: number, event: InventoryEvent): Promise<void>;
}
