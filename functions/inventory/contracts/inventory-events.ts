import type { DomainEvent } from '../../../shared/event-sourcing/domain-event';

/** EventBridge `source` of every inventory event. */
export const INVENTORY_EVENT_SOURCE = 'shop.inventory';
/** `aggregateType` of product events; `aggregateId` is the product id. */
export const PRODUCT_AGGREGATE_TYPE = 'Product';

export interface ProductCreatedData {
  readonly productId: string;
  readonly name: string;
  readonly priceCents: number;
  readonly currency: string;
  /** The opening stock. */
  readonly available: number;
}

export interface StockAddedData {
  readonly productId: string;
  /** Units added. */
  readonly quantity: number;
  /** Units available after the addition. */
  readonly available: number;
}

/** `detail-type` `ProductCreated`; `version` 1. */
export type ProductCreated = DomainEvent<'ProductCreated', ProductCreatedData>;
/** `detail-type` `StockAdded`; `version` is the product's version after the restock. */
export type StockAdded = DomainEvent<'StockAdded', StockAddedData>;
export type InventoryEvent = ProductCreated | StockAdded;

/** For rules: `{ source: [INVENTORY_EVENT_SOURCE], detailType: [...INVENTORY_EVENT_TYPES] }`. */
export const INVENTORY_EVENT_TYPES: readonly InventoryEvent['type'][] = ['ProductCreated', 'StockAdded'];
