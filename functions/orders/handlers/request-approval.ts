import type { RequestApproval } from '../application/request-approval';
import { ORDER_SAGA_ERRORS, RequestApprovalInputSchema } from '../contracts/place-order-saga';
import { OrderCancelledError } from '../domain/errors';
import type { CommandContextFactory } from './command-context';
import { sagaStep, type SagaStepLogger } from './saga-step';

export interface RequestApprovalHandlerDeps {
  readonly requestApproval: RequestApproval;
  readonly commandContext: CommandContextFactory;
  readonly logger?: SagaStepLogger;
}

/**
 * Saga step `WaitForApproval` (`.waitForTaskToken`): `{ orderId, taskToken, correlationId? }` → `{}`.
 * The execution then waits for the token, which `POST /orders/{orderId}/approval` (or a customer
 * cancel) answers. A cancelled order throws `OrderCancelled`.
 */
export function makeHandler(deps: RequestApprovalHandlerDeps) {
  return sagaStep({
    step: 'request-approval',
    input: RequestApprovalInputSchema,
    outcomes: [[OrderCancelledError, ORDER_SAGA_ERRORS.orderCancelled]],
    commandContext: deps.commandContext,
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    run: async ({ orderId, taskToken }, context): Promise<Record<string, never>> => {
      await deps.requestApproval({ orderId, taskToken }, context);
      return {};
    },
  });
}
