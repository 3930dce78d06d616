import type { CancelOrderSaga } from '../application/cancel-order-saga';
import { CancelOrderSagaInputSchema, ORDER_SAGA_ERRORS } from '../contracts/place-order-saga';
import { OrderNotCancellableError } from '../domain/errors';
import type { CommandContextFactory } from './command-context';
import { sagaStep, type SagaStepLogger } from './saga-step';

export interface CancelOrderSagaHandlerDeps {
  readonly cancelOrder: CancelOrderSaga;
  readonly commandContext: CommandContextFactory;
  readonly logger?: SagaStepLogger;
}

/**
 * Saga compensation `CancelOrder`: `{ orderId, reason }` → `{ orderId, status: 'CANCELLED', reason }`
 * (appends `OrderCancelled` unless the order is cancelled already), or throws `OrderNotCancellable` for
 * a paid order.
 */
export function makeHandler(deps: CancelOrderSagaHandlerDeps) {
  return sagaStep({
    step: 'cancel-order-saga',
    input: CancelOrderSagaInputSchema,
    outcomes: [[OrderNotCancellableError, ORDER_SAGA_ERRORS.orderNotCancellable]],
    commandContext: deps.commandContext,
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    run: ({ orderId, reason }, context) => deps.cancelOrder({ orderId, reason }, context),
  });
}
