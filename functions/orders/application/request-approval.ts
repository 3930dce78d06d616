import type { CommandContext } from '../../../shared/event-sourcing';
import type { ApprovalTasks } from '../ports/approval-tasks';
import type { OrderRunner } from './order-runner';

export interface RequestApprovalInput {
  readonly orderId: string;
  /** The token of the saga's `.waitForTaskToken` step: the approval answers it. */
  readonly taskToken: string;
}

export interface ApprovalRequested {
  readonly orderId: string;
  readonly status: 'AWAITING_APPROVAL';
  /** False when the order already awaited approval (a retried step): only the token was replaced. */
  readonly appended: boolean;
}

export type RequestApproval = (
  input: RequestApprovalInput,
  context: CommandContext,
) => Promise<ApprovalRequested>;

/**
 * The saga's approval step: keeps the task token with the order, then appends `OrderApprovalRequested`.
 * The token is stored first, so that whoever sees the order `AWAITING_APPROVAL` finds the token to
 * answer. A retried step brings a new token: it replaces the stored one, and the order, already
 * waiting, gets no second event. A cancelled order throws `OrderCancelledError`.
 */
export function makeRequestApproval(deps: {
  readonly runner: OrderRunner;
  readonly approvalTasks: ApprovalTasks;
}): RequestApproval {
  return async ({ orderId, taskToken }, context) => {
    await deps.approvalTasks.save({ orderId, taskToken, requestedAt: context.now().toISOString() });
    const { events } = await deps.runner.run(orderId, { type: 'RequestApproval', orderId }, context);
    return { orderId, status: 'AWAITING_APPROVAL', appended: events.length > 0 };
  };
}
