/** What other contexts may know of inventory: its API's answers, its saga steps and its events on the bus. */
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
  type StockCommitted,
  type StockCommittedData,
  type StockCounts,
  type StockReleased,
  type StockReleasedData,
  type StockReservationEvent,
  type StockReserved,
  type StockReservedData,
} from './inventory-events';
export {
  MAX_STOCK_STEP_ITEMS,
  STOCK_STEP_ERRORS,
  type CommitStockOutput,
  type ReleaseStockOutput,
  type ReserveStockOutput,
  type StockLine,
  type StockStepInput,
} from './stock-steps';
export {
  ORDER_STOCK_AGGREGATE_TYPE,
  ORDER_STOCK_EVENT_DATA_SCHEMAS,
  OrderStockCommitFailedDataSchema,
  OrderStockCommittedDataSchema,
  OrderStockReleasedDataSchema,
  OrderStockReservationFailedDataSchema,
  OrderStockReservedDataSchema,
  type OrderStockEventData,
  type OrderStockEventType,
} from './order-stock-events';
