import type { CommandContext } from '../../../shared/event-sourcing/command-context';
import { ReservationNotFoundError } from '../domain/errors';
import { commitReservation } from '../domain/stock-reservation';
import {
  changeEachLine,
  type LineOutcome,
  type OrderStock,
  type StockReservationDependencies,
} from './change-reservation';

export type CommitStock = (order: OrderStock, context: CommandContext) => Promise<LineOutcome[]>;

/**
 * Sells what the order holds, product by product: each RESERVED reservation becomes COMMITTED, with
 * the quantity it was reserved with. A line the order holds nothing of ends the step with
 * `ReservationNotFoundError`; lines committed before it stay committed (a release gives them back).
 */
export function makeCommitStock(deps: StockReservationDependencies): CommitStock {
  return (order, context) =>
    changeEachLine(
      deps,
      order,
      (line) => ({
        decide: (product, reservation) => commitReservation(product, reservation, order.orderId),
        unknownProduct: () => {
          throw new ReservationNotFoundError(order.orderId, line.productId);
        },
      }),
      context,
    );
}
