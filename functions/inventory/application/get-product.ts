import { ProductNotFoundError } from '../domain/errors';
import type { Product } from '../domain/product';
import type { ProductRepository } from '../ports/product-repository';

export type GetProduct = (productId: string) => Promise<Product>;

export function makeGetProduct(deps: { readonly repository: ProductRepository }): GetProduct {
  return async (productId) => {
    const product = await deps.repository.find(productId);
    if (product === undefined) throw new ProductNotFoundError(productId);
    return product;
  };
}
