import type { CommitStock } from '../application/commit-stock';
import type { CommitStockOutput } from '../contracts';
import { linesOf, stockStepHandler, type StockStepDependencies, type StockStepHandler } from './stock-step';

export interface CommitStockHandlerDependencies extends StockStepDependencies {
  readonly commitStock: CommitStock;
}

/**
 * The saga's CommitStock step: `{ orderId, items, correlationId? }` → `{ orderId, committed }`; throws
 * `ReservationNotFound` when the order holds no reservation of a line (never made, or released).
 */
export function makeCommitStockHandler(
  deps: CommitStockHandlerDependencies,
): StockStepHandler<CommitStockOutput> {
  return stockStepHandler(
    {
      done: 'Stock committed',
      run: deps.commitStock,
      output: (orderId, outcomes) => ({ orderId, committed: linesOf(outcomes) }),
    },
    deps,
  );
}
