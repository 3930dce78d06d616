import type { EnsureOrderActive } from '../application/ensure-order-active';
import { EnsureOrderActiveInputSchema, ORDER_SAGA_ERRORS } from '../contracts/place-order-saga';
import { OrderCancelledError } from '../domain/errors';
import type { CommandContextFactory } from '../../../shared/event-sourcing';
import { sagaStep } from '../../../shared/saga/saga-step';
import type { KeyedLogger } from '../../../shared/observability/app-logger';
import { definedProps } from '../../../shared/objects/defined-props';

export interface EnsureOrderActiveHandlerDependencies {
  readonly ensureOrderActive: EnsureOrderActive;
  readonly commandContext: CommandContextFactory;
  readonly logger?: KeyedLogger;
}

/** Saga step `EnsureOrderActive`: `{ orderId }` → `{ orderId, version }`, or throws `OrderCancelled`. */
export function makeHandler(deps: EnsureOrderActiveHandlerDependencies) {
  return sagaStep({
    step: 'ensure-order-active',
    input: EnsureOrderActiveInputSchema,
    outcomes: [{ error: OrderCancelledError, name: ORDER_SAGA_ERRORS.orderCancelled }],
    ...definedProps({ logger: deps.logger }),
    run: ({ orderId }) => deps.ensureOrderActive({ orderId }),
  });
}
