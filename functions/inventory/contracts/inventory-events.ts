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

/** The product's counts after a reservation change: `available + reserved + sold` is all its stock. */
export interface StockCounts {
  readonly available: number;
  readonly reserved: number;
  readonly sold: number;
}

export interface StockReservedData extends StockCounts {
  readonly orderId: string;
  readonly productId: string;
  /** Units moved from available to reserved. */
  readonly quantity: number;
}

export interface StockCommittedData extends StockCounts {
  readonly orderId: string;
  readonly productId: string;
  /** Units moved from reserved to sold. */
  readonly quantity: number;
}

export interface StockReleasedData extends StockCounts {
  readonly orderId: string;
  readonly productId: string;
  /** Units given back to available. */
  readonly quantity: number;
  /** Where they came from: a held reservation (`RESERVED`) or a sale undone (`COMMITTED`). */
  readonly releasedFrom: 'RESERVED' | 'COMMITTED';
}

/** `detail-type` `ProductCreated`; `version` 1. */
export type ProductCreated = DomainEvent<'ProductCreated', ProductCreatedData>;
/** `detail-type` `StockAdded`; `version` is the product's version after the restock. */
export type StockAdded = DomainEvent<'StockAdded', StockAddedData>;
/** `detail-type` `StockReserved`: an order holds units of the product. */
export type StockReserved = DomainEvent<'StockReserved', StockReservedData>;
/** `detail-type` `StockCommitted`: an order's held units are sold. */
export type StockCommitted = DomainEvent<'StockCommitted', StockCommittedData>;
/** `detail-type` `StockReleased`: an order's held or sold units are available again. */
export type StockReleased = DomainEvent<'StockReleased', StockReleasedData>;
/** The events of an order's reservation of one product; `version` is the product's version after it. */
export type StockReservationEvent = StockReserved | StockCommitted | StockReleased;
export type InventoryEvent = ProductCreated | StockAdded | StockReservationEvent;

/** For rules: `{ source: [INVENTORY_EVENT_SOURCE], detailType: [...INVENTORY_EVENT_TYPES] }`. */
export const INVENTORY_EVENT_TYPES: readonly InventoryEvent['type'][] = [
  'ProductCreated',
  'StockAdded',
  'StockReserved',
  'StockCommitted',
  'StockReleased',
];
