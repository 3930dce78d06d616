/** What other contexts may know of inventory: its API's answers and its events on the bus. */
export type { ProductResponse } from './product-response';
export {
  INVENTORY_EVENT_SOURCE,
  INVENTORY_EVENT_TYPES,
  PRODUCT_AGGREGATE_TYPE,
  type InventoryEvent,
  type ProductCreated,
  type ProductCreatedData,
  type StockAdded,
  type StockAddedData,
} from './inventory-events';
