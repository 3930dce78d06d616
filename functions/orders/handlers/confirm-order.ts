import type { ConfirmOrder } from '../application/confirm-order';
import { ConfirmOrderInputSchema, ORDER_SAGA_ERRORS } from '../contracts/place-order-saga';
import { OrderNotConfirmableError } from '../domain/errors';
import type { CommandContextFactory } from './command-context';
import { sagaStep, type SagaStepLogger } from './saga-step';

export interface ConfirmOrderHandlerDeps {
  readonly confirmOrder: ConfirmOrder;
  readonly commandContext: CommandContextFactory;
  readonly logger?: SagaStepLogger;
}

/**
 * Saga step `ConfirmOrder`: `{ orderId, chargeId, amountCents }` → `{ orderId, status: 'PAID', version }`
 * (appends `OrderPaid`), or throws `OrderNotConfirmable` when the customer's cancel came first.
 */
export function makeHandler(deps: ConfirmOrderHandlerDeps) {
  return sagaStep({
    step: 'confirm-order',
    input: ConfirmOrderInputSchema,
    outcomes: [[OrderNotConfirmableError, ORDER_SAGA_ERRORS.orderNotConfirmable]],
    commandContext: deps.commandContext,
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    run: ({ orderId, chargeId, amountCents }, context) =>
      deps.confirmOrder({ orderId, chargeId, amountCents }, context),
  });
}
