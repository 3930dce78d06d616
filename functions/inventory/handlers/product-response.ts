import type { ProductResponse } from '../contracts/product-response';
import type { Product } from '../domain/product';

/** Field by field, so nothing stored beside the product ever leaks into an answer. */
export function toProductResponse(product: Product): ProductResponse {
  return {
    productId: product.productId,
    name: product.name,
    priceCents: product.priceCents,
    currency: product.currency,
    available: product.available,
    reserved: product.reserved,
    sold: product.sold,
    version: product.version,
  };
}
