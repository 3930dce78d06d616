import type { EnsureOrderActive } from '../application/ensure-order-active';
import { EnsureOrderActiveInputSchema, ORDER_SAGA_ERRORS } from '../contracts/place-order-saga';
import { OrderCancelledError } from '../domain/errors';
import type { CommandContextFactory } from './command-context';
import { sagaStep, type SagaStepLogger } from './saga-step';

export interface EnsureOrderActiveHandlerDeps {
  readonly ensureOrderActive: EnsureOrderActive;
  readonly commandContext: CommandContextFactory;
  readonly logger?: SagaStepLogger;
}

/** Saga step `EnsureOrderActive`: `{ orderId }` → `{ orderId, version }`, or throws `OrderCancelled`. */
export function makeHandler(deps: EnsureOrderActiveHandlerDeps) {
  return sagaStep({
    step: 'ensure-order-active',
    input: EnsureOrderActiveInputSchema,
    outcomes: [[OrderCancelledError, ORDER_SAGA_ERRORS.orderCancelled]],
    commandContext: deps.commandContext,
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    run: ({ orderId }) => deps.ensureOrderActive({ orderId }),
  });
}
