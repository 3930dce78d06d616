import type { InventoryEvent, ProductCreated } from '../contracts/inventory-events';
import type { Product } from '../domain/product';

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
   * `event`, or throws the kernel's `ConcurrencyError` when the stored version is no longer
   * `expectedVersion` (or the product is gone): the caller re-reads and decides again.
   */
  update(product: Product, expectedVersion: number, event: InventoryEvent): Promise<void>;
}
