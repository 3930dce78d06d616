import { ConcurrencyError } from '../../../shared/errors/app-error';
import type { InventoryEvent, ProductCreated } from '../contracts/inventory-events';
import { ProductAlreadyExistsError } from '../domain/errors';
import type { Product } from '../domain/product';
import type { ProductRepository } from '../ports/product-repository';

/**
 * Products in a Map, with the DynamoDB adapter's semantics (state and event written together or not
 * at all, `ConcurrencyError` on a stale version), for tests. Each call yields first, as a network call
 * would, so concurrent callers interleave as they do in Lambda; check and write have no await between.
 */
export class InMemoryProductRepository implements ProductRepository {
  private readonly products = new Map<string, Product>();
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
    const stored = this.products.get(product.productId);
    if (stored === undefined || stored.version !== expectedVersion) {
      throw new ConcurrencyError(
        `Product ${product.productId} is at version ${stored?.version ?? 'none'}, not ${expectedVersion}`,
      );
    }
    this.products.set(product.productId, { ...product });
    this.outbox.push(structuredClone(event));
  }
}
