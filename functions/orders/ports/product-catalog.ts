import type { CallBudget } from '../../../shared/resilience';

/** A product's current unit price, as the inventory context quotes it. */
export interface ProductPrice {
  readonly productId: string;
  /** Integer minor units. */
  readonly unitPriceCents: number;
  /** ISO 4217 code, e.g. `USD`. */
  readonly currency: string;
}

export interface CatalogCallContext {
  /** Forwarded as `X-Correlation-Id`, so the inventory logs join the order's. */
  readonly correlationId: string;
  /**
   * The caller's ID token, forwarded as `Authorization`: inventory's routes are behind the same
   * authorizer, and the customer placing the order may read products.
   */
  readonly authorization: string;
}

/**
 * Where orders get prices from (the inventory context, synchronously). `undefined` means the product
 * does not exist; an unreachable catalog throws `DependencyUnavailableError` — only once the attempts
 * or the `budget` (the request's remaining time) are spent.
 */
export interface ProductCatalog {
  priceOf(
    productId: string,
    context: CatalogCallContext,
    budget?: CallBudget,
  ): Promise<ProductPrice | undefined>;
}
