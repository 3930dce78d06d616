import type { CommandContext } from '../../../shared/event-sourcing/command-context';
import { createProduct, type Product } from '../domain/product';
import type { ProductRepository } from '../ports/product-repository';
import { envelope } from './event-envelope';

export interface CreateProductInput {
  readonly name: string;
  readonly priceCents: number;
  readonly currency: string;
  readonly stock: number;
}

export type CreateProduct = (input: CreateProductInput, context: CommandContext) => Promise<Product>;

export interface CreateProductDependencies {
  readonly repository: ProductRepository;
  /** `prd_` + ULID in production. */
  readonly newProductId: () => string;
}

/** Creates a product at version 1 and its `ProductCreated`, in one write. */
export function makeCreateProduct(deps: CreateProductDependencies): CreateProduct {
  return async (input, context) => {
    const { product, event } = createProduct({ ...input, productId: deps.newProductId() });
    await deps.repository.create(product, envelope(event, product, context));
    return product;
  };
}
