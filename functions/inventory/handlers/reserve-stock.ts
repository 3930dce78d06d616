import type { SagaStepHandler } from '../../../shared/saga/saga-step';
import type { ReserveStock } from '../application/reserve-stock';
import type { ReserveStockOutput } from '../contracts';
import { linesOf, stockStep, type StockStepDependencies } from './stock-step';

export interface ReserveStockHandlerDependencies extends StockStepDependencies {
  readonly reserveStock: ReserveStock;
}

/**
 * The saga's ReserveStock step: `{ orderId, items, correlationId? }` → `{ orderId, reserved }`;
 * throws `OutOfStock` when a line cannot be held (the lines held before it stay held).
 */
export function makeHandler(deps: ReserveStockHandlerDependencies): SagaStepHandler<ReserveStockOutput> {
  return stockStep(
    {
      step: 'reserve-stock',
      run: deps.reserveStock,
      output: (orderId, outcomes) => ({ orderId, reserved: linesOf(outcomes) }),
    },
    deps,
  );
}
