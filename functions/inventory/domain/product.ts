/**
 * A product and its stock: state, not events. Every change is a pure function returning the new state
 * and the event that announces it; the application writes both in one transaction, conditional on the
 * version the change was computed from (optimistic locking).
 * Prices are integer minor units; stock counts are integers within `MAX_STOCK`.
 */
import type { EventPayload } from '../../../shared/event-sourcing/domain-event';
import type { ProductCreated, StockAdded } from '../contracts/inventory-events';
import { InvalidProductError, StockLimitExceededError } from './errors';

/** Far above any real stock, far below `Number.MAX_SAFE_INTEGER`: sums of counts stay exact. */
export const MAX_STOCK = 1_000_000_000;
export const MAX_NAME_LENGTH = 200;
export const DEFAULT_CURRENCY = 'USD';
/** ISO 4217 alphabetic codes: three upper-case letters. */
export const CURRENCY_CODE = /^[A-Z]{3}$/;

export interface Product {
  readonly productId: string;
  readonly name: string;
  readonly priceCents: number;
  readonly currency: string;
  readonly available: number;
  readonly reserved: number;
  readonly sold: number;
  /** 1 when created; each change adds 1. */
  readonly version: number;
}

export interface NewProduct {
  readonly productId: string;
  readonly name: string;
  readonly priceCents: number;
  readonly currency: string;
  /** Opening stock. */
  readonly stock: number;
}

/** A change: the state after it and the event announcing it (its `version` is `product.version`). */
export interface ProductChange<TEvent extends ProductCreated | StockAdded> {
  readonly product: Product;
  readonly event: EventPayload<TEvent>;
}

export function createProduct(input: NewProduct): ProductChange<ProductCreated> {
  const name = input.name.trim();
  if (name.length === 0) throw new InvalidProductError('name', 'must not be empty');
  if (name.length > MAX_NAME_LENGTH) {
    throw new InvalidProductError('name', `must be at most ${MAX_NAME_LENGTH} characters long`);
  }
  if (!Number.isSafeInteger(input.priceCents) || input.priceCents <= 0) {
    throw new InvalidProductError('priceCents', 'must be a positive integer');
  }
  if (!CURRENCY_CODE.test(input.currency)) {
    throw new InvalidProductError('currency', 'must be an ISO 4217 code of three upper-case letters');
  }
  if (!Number.isInteger(input.stock) || input.stock < 0 || input.stock > MAX_STOCK) {
    throw new InvalidProductError('stock', `must be an integer from 0 to ${MAX_STOCK}`);
  }
  const product: Product = {
    productId: input.productId,
    name,
    priceCents: input.priceCents,
    currency: input.currency,
    available: input.stock,
    reserved: 0,
    sold: 0,
    version: 1,
  };
  return {
    product,
    event: {
      type: 'ProductCreated',
      data: {
        productId: product.productId,
        name: product.name,
        priceCents: product.priceCents,
        currency: product.currency,
        available: product.available,
      },
    },
  };
}

export function addStock(product: Product, quantity: number): ProductChange<StockAdded> {
  if (!Number.isInteger(quantity) || quantity <= 0) {
    throw new InvalidProductError('quantity', 'must be a positive integer');
  }
  const onHand = product.available + product.reserved;
  if (onHand + quantity > MAX_STOCK) {
    throw new StockLimitExceededError(product.productId, onHand, quantity, MAX_STOCK);
  }
  const next: Product = { ...product, available: product.available + quantity, version: product.version + 1 };
  return {
    product: next,
    event: {
      type: 'StockAdded',
      data: { productId: next.productId, quantity, available: next.available },
    },
  };
}
