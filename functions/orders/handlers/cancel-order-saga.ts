import type { CancelOrderSaga } from '../application/cancel-order-saga';
import { CancelOrderSagaInputSchema, ORDER_SAGA_ERRORS } from '../contracts/place-order-saga';
import { OrderNotCancellableError } from '../domain/errors';
import type { CommandContextFactory } from '../../../shared/event-sourcing';
import { sagaStep } from '../../../shared/saga/saga-step';
import type { KeyedLogger } from '../../../shared/observability/app-logger';
import { definedProps } from '../../../shared/objects/defined-props';

export interface CancelOrderSagaHandlerDependencies {
  readonly cancelOrder: CancelOrderSaga;
  readonly commandContext: CommandContextFactory;
  readonly logger?: KeyedLogger;
}

/**
 * Saga compensation `CancelOrder`: `{ orderId, reason }` → `{ orderId, status: 'CANCELLED', reason }`
 * (appends `OrderCancelled` unless the order is cancelled already), or throws `OrderNotCancellable` for
 * a paid order.
 */
export function makeHandler(deps: CancelOrderSagaHandlerDependencies) {
  return sagaStep({
    step: 'cancel-order-saga',
    input: CancelOrderSagaInputSchema,
    outcomes: [{ error: OrderNotCancellableError, name: ORDER_SAGA_ERRORS.orderNotCancellable }],
    ...definedProps({ logger: deps.logger }),
    run: ({ orderId, reason }, flow) => deps.cancelOrder({ orderId, reason }, deps.commandContext(flow)),
  });
}
