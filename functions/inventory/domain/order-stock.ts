/**
 * An order's stock as a whole, as the choreographed saga moves it (the lines move one product at a time,
 * in `stock-reservation.ts`):
 *
 * | status               | reached on                       | from                                    |
 * | -------------------- | -------------------------------- | --------------------------------------- |
 * | `RESERVING`          | `OrderCreated`, before the lines | none                                    |
 * | `RESERVED`           | every line held                  | `RESERVING`                             |
 * | `RESERVATION_FAILED` | a line out of stock (all given back) | `RESERVING`                         |
 * | `COMMITTED`          | `PaymentCaptured`, lines sold    | `RESERVED`                              |
 * | `COMMIT_FAILED`      | a line no longer held            | `RESERVED`                              |
 * | `RELEASED`           | `OrderCancelled`, lines given back | any, or none (a tombstone: a late `OrderCreated` holds nothing) |
 *
 * RELEASED is final.
 */
import type { StockLine } from '../contracts/stock-steps';

export const ORDER_STOCK_STATUSES = [
  'RESERVING',
  'RESERVED',
  'RESERVATION_FAILED',
  'COMMITTED',
  'COMMIT_FAILED',
  'RELEASED',
] as const;
export type OrderStockStatus = (typeof ORDER_STOCK_STATUSES)[number];

export interface OrderStock {
  readonly orderId: string;
  readonly status: OrderStockStatus;
  /** The order's lines; none on a tombstone. */
  readonly items: readonly StockLine[];
}
