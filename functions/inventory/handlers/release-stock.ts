import type { SagaStepHandler } from '../../../shared/saga/saga-step';
import type { ReleaseStock } from '../application/release-stock';
import type { ReleaseStockOutput } from '../contracts';
import { linesOf, stockStep, type StockStepDependencies } from './stock-step';

export interface ReleaseStockHandlerDependencies extends StockStepDependencies {
  readonly releaseStock: ReleaseStock;
}

/**
 * The saga's ReleaseStock compensation: `{ orderId, items, correlationId? }` → `{ orderId, released }`,
 * the lines whose units are available again (a product the order held nothing of is marked released
 * and left out). Idempotent.
 */
export function makeHandler(deps: ReleaseStockHandlerDependencies): SagaStepHandler<ReleaseStockOutput> {
  return stockStep(
    {
      step: 'release-stock',
      run: deps.releaseStock,
      output: (orderId, outcomes) => ({
        orderId,
        released: linesOf(
          outcomes,
          ({ reservation }) => reservation?.status === 'RELEASED' && reservation.quantity > 0,
        ),
      }),
    },
    deps,
  );
}
