import type { CommandContext } from '../../../shared/event-sourcing/command-context';
import { ProductNotFoundError } from '../domain/errors';
import { addStock, type Product } from '../domain/product';
import { StaleProductError, type ProductRepository } from '../ports/product-repository';
import { envelope } from './event-envelope';
import { CLIENT_REQUEST_RETRY, retryLostRaces, type LostRaceRetryOptions } from '../../../shared/resilience';

export type RestockProduct = (
  productId: string,
  quantity: number,
  context: CommandContext,
) => Promise<Product>;

export interface RestockProductDependencies {
  readonly repository: ProductRepository;
  /** @default CLIENT_REQUEST_RETRY */
  readonly retry?: LostRaceRetryOptions;
}

/**
 * Adds `quantity` units: read the product, compute the new state, write it conditional on the version
 * read (optimistic locking), with its `StockAdded`. A concurrent writer in between makes the write fail;
 * the decision is made again on the fresh state — the one the failed write returned, else a new read —
 * a bounded number of times.
 */
export function makeRestockProduct(deps: RestockProductDependencies): RestockProduct {
  const retry = deps.retry ?? CLIENT_REQUEST_RETRY;
  return (productId, quantity, context) => {
    let returnedByConflict: Product | undefined;
    return retryLostRaces(async () => {
      const current = returnedByConflict ?? (await deps.repository.find(productId));
      returnedByConflict = undefined;
      if (current === undefined) throw new ProductNotFoundError(productId);
      const { product, event } = addStock(current, quantity);
      try {
        await deps.repository.update(product, current.version, envelope(event, product, context));
      } catch (error) {
        if (error instanceof StaleProductError) returnedByConflict = error.current;
        throw error;
      }
      return product;
    }, retry);
  };
}
