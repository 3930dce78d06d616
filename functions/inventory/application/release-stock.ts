import type { CommandContext } from '../../../shared/event-sourcing/command-context';
import { releaseReservation } from '../domain/stock-reservation';
import {
  changeEachLine,
  type LineOutcome,
  type OrderStock,
  type StockReservationDependencies,
} from './change-reservation';

export type ReleaseStock = (order: OrderStock, context: CommandContext) => Promise<LineOutcome[]>;

/**
 * Gives back what the order holds or bought, product by product: RESERVED and COMMITTED reservations
 * become RELEASED and their units available; a product the order holds nothing of gets a RELEASED
 * tombstone, so a reserve still under way for the order holds nothing afterwards. A product that
 * does not exist is skipped (nothing could be reserved of it). Safe to run any number of times.
 */
export function makeReleaseStock(deps: StockReservationDependencies): ReleaseStock {
  return (order, context) =>
    changeEachLine(
      deps,
      order,
      (line) => ({
        decide: (product, reservation) => releaseReservation(product, reservation, order.orderId),
        unknownProduct: () => ({
          productId: line.productId,
          outcome: 'unknown-product',
          reservation: undefined,
        }),
      }),
      context,
    );
}
