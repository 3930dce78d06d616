import type { CommandContext } from '../../../shared/event-sourcing/command-context';
import { OutOfStockError } from '../domain/errors';
import { reserveStock } from '../domain/stock-reservation';
import {
  changeEachLine,
  type LineOutcome,
  type OrderStock,
  type StockReservationDependencies,
} from './change-reservation';

export type ReserveStock = (order: OrderStock, context: CommandContext) => Promise<LineOutcome[]>;

/**
 * Holds every line of the order, product by product, each in its own transaction (one transaction for
 * all would pass DynamoDB's limits on a large order). The first line that cannot be held (too few
 * available, unknown product, reservation released already) ends the step with `OutOfStockError`;
 * the lines held before it stay held: releasing them is the saga's compensation (`release-stock` for
 * the whole order), not this step's. A retry holds nothing twice.
 */
export function makeReserveStock(deps: StockReservationDependencies): ReserveStock {
  return (order, context) =>
    changeEachLine(
      deps,
      order,
      (line) => ({
        decide: (product, reservation) => reserveStock(product, reservation, order.orderId, line.quantity),
        unknownProduct: () => {
          throw new OutOfStockError(line.productId, line.quantity, 0, 'unknown-product');
        },
      }),
      context,
    );
}
