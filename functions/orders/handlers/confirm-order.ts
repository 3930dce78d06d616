import type { ConfirmOrder } from '../application/confirm-order';
import { ConfirmOrderInputSchema, ORDER_SAGA_ERRORS } from '../contracts/place-order-saga';
import { OrderNotConfirmableError } from '../domain/errors';
import type { CommandContextFactory } from '../../../shared/event-sourcing';
import { sagaStep } from '../../../shared/saga/saga-step';
import type { KeyedLogger } from '../../../shared/observability/app-logger';
import { definedProps } from '../../../shared/objects/defined-props';

export interface ConfirmOrderHandlerDependencies {
  readonly confirmOrder: ConfirmOrder;
  readonly commandContext: CommandContextFactory;
  readonly logger?: KeyedLogger;
}

/**
 * Saga step `ConfirmOrder`: `{ orderId, chargeId, amountCents }` → `{ orderId, status: 'PAID', version }`
 * (appends `OrderPaid`), or throws `OrderNotConfirmable` when the customer's cancel came first.
 */
export function makeHandler(deps: ConfirmOrderHandlerDependencies) {
  return sagaStep({
    step: 'confirm-order',
    input: ConfirmOrderInputSchema,
    outcomes: [{ error: OrderNotConfirmableError, name: ORDER_SAGA_ERRORS.orderNotConfirmable }],
    ...definedProps({ logger: deps.logger }),
    run: ({ orderId, chargeId, amountCents }, flow) =>
      deps.confirmOrder({ orderId, chargeId, amountCents }, deps.commandContext(flow)),
  });
}
