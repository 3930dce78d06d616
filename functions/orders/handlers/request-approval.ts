import type { RequestApproval } from '../application/request-approval';
import { ORDER_SAGA_ERRORS, RequestApprovalInputSchema } from '../contracts/place-order-saga';
import { OrderCancelledError } from '../domain/errors';
import type { CommandContextFactory } from '../../../shared/event-sourcing';
import { sagaStep } from '../../../shared/saga/saga-step';
import type { KeyedLogger } from '../../../shared/observability/app-logger';
import { definedProps } from '../../../shared/objects/defined-props';

export interface RequestApprovalHandlerDependencies {
  readonly requestApproval: RequestApproval;
  readonly commandContext: CommandContextFactory;
  readonly logger?: KeyedLogger;
}

/**
 * Saga step `WaitForApproval` (`.waitForTaskToken`): `{ orderId, taskToken, correlationId? }` → `{}`.
 * The execution then waits for the token, which `POST /orders/{orderId}/approval` (or a customer
 * cancel) answers. A cancelled order throws `OrderCancelled`.
 */
export function makeHandler(deps: RequestApprovalHandlerDependencies) {
  return sagaStep({
    step: 'request-approval',
    input: RequestApprovalInputSchema,
    outcomes: [{ error: OrderCancelledError, name: ORDER_SAGA_ERRORS.orderCancelled }],
    ...definedProps({ logger: deps.logger }),
    run: async ({ orderId, taskToken }, flow): Promise<Record<string, never>> => {
      await deps.requestApproval({ orderId, taskToken }, deps.commandContext(flow));
      return {};
    },
  });
}
