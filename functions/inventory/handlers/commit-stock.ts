import type { SagaStepHandler } from '../../../shared/saga/saga-step';
import type { CommitStock } from '../application/commit-stock';
import type { CommitStockOutput } from '../contracts';
import { linesOf, stockStep, type StockStepDependencies } from './stock-step';

export interface CommitStockHandlerDependencies extends StockStepDependencies {
  readonly commitStock: CommitStock;
}

/**
 * The saga's CommitStock step: `{ orderId, items, correlationId? }` → `{ orderId, committed }`; throws
 * `ReservationNotFound` when the order holds no reservation of a line (never made, or released).
 */
export function makeHandler(deps: CommitStockHandlerDependencies): SagaStepHandler<CommitStockOutput> {
  return stockStep(
    {
      step: 'commit-stock',
      run: deps.commitStock,
      output: (orderId, outcomes) => ({ orderId, committed: linesOf(outcomes) }),
    },
    deps,
  );
}
