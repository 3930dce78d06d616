import type { CommandContext } from '../../../shared/event-sourcing';
import type { ApprovalTaskOutput } from '../contracts/place-order-saga';
import { ORDER_SAGA_ERRORS } from '../contracts/place-order-saga';
import { OrderNotAwaitingApprovalError, OrderStateError } from '../domain/errors';
import type { OrderStatus } from '../domain/order';
import type { ApprovalTaskResolution, ApprovalTasks } from '../ports/approval-tasks';
import type { TaskCallbacks } from '../../../shared/saga/task-callbacks';
import { ApprovalNoLongerAwaitedError, OrderNotFoundError } from './errors';
import type { OrderRunner } from './order-runner';
import type { AppLogger } from '../../../shared/observability/app-logger';

export type ApprovalDecisionKind = 'approve' | 'reject';

export interface DecideApprovalInput {
  readonly orderId: string;
  readonly decision: ApprovalDecisionKind;
  readonly comment?: string;
}

export interface DecidedApproval {
  readonly orderId: string;
  /** The order's status right after the decision: `PENDING` (the saga goes on, or cancels a rejected order). */
  readonly status: OrderStatus;
  readonly decision: ApprovalDecisionKind;
}

export type DecideApproval = (
  input: DecideApprovalInput,
  context: CommandContext,
) => Promise<DecidedApproval>;

export interface DecideApprovalDependencies {
  readonly runner: OrderRunner;
  readonly approvalTasks: ApprovalTasks;
  readonly taskCallbacks: TaskCallbacks;
  readonly logger?: AppLogger;
}

/**
 * `POST /orders/{orderId}/approval`: records the decision (`OrderApproved` / `OrderRejected`), then
 * resumes the saga waiting on the stored task token — `SendTaskSuccess` to approve, `SendTaskFailure`
 * with `ApprovalRejected` to reject — and marks the task answered.
 *
 * The event comes first: it is the record of who decided what. When Step Functions answers that no
 * execution waits on the token any more (the deadline passed), the event stays as that record and the
 * caller gets 409 `ORDER_NOT_AWAITING_APPROVAL`; the saga cancels the order with `APPROVAL_TIMEOUT`.
 * The same decision again is harmless: no second event, and the saga is resumed only if the first call
 * did not get to it.
 */
export function makeDecideApproval(deps: DecideApprovalDependencies): DecideApproval {
  return async ({ orderId, decision, comment }, context) => {
    const withComment = comment === undefined ? {} : { comment };
    let status: OrderStatus;
    try {
      const { state } = await deps.runner.run(
        orderId,
        decision === 'approve'
          ? { type: 'Approve', orderId, ...withComment }
          : { type: 'Reject', orderId, ...withComment },
        context,
      );
      if (state.status === 'NONE') throw new OrderNotFoundError(orderId);
      status = state.status;
      // No execution waits in the choreography: the decision is the event, and the bus carries it on.
      if (state.saga === 'choreographed') return { orderId, status, decision };
    } catch (error) {
      // On a decision the decider refuses a state only when the order has no events at all.
      if (error instanceof OrderStateError) throw new OrderNotFoundError(orderId);
      throw error;
    }

    const resolution: ApprovalTaskResolution = decision === 'approve' ? 'APPROVED' : 'REJECTED';
    const task = await deps.approvalTasks.get(orderId);
    if (task === undefined) throw new ApprovalNoLongerAwaitedError(orderId);
    if (task.resolution === resolution) return { orderId, status, decision };
    if (task.resolution !== undefined) {
      throw new OrderNotAwaitingApprovalError(
        orderId,
        status,
        `the wait ended ${task.resolution.toLowerCase()}`,
      );
    }

    const output: ApprovalTaskOutput = { orderId, decision: 'approve', ...withComment };
    const outcome =
      decision === 'approve'
        ? await deps.taskCallbacks.succeed(task.taskToken, output)
        : await deps.taskCallbacks.fail(
            task.taskToken,
            ORDER_SAGA_ERRORS.approvalRejected,
            comment === undefined
              ? `Order ${orderId} was rejected.`
              : `Order ${orderId} was rejected: ${comment}`,
          );
    if (outcome === 'task-closed') throw new ApprovalNoLongerAwaitedError(orderId);
    try {
      await deps.approvalTasks.markResolved(task, resolution, context.now().toISOString());
    } catch (error) {
      // The saga has its answer; the mark only spares a retried call a second one.
      deps.logger?.warn('Approval delivered, but the task could not be marked answered', { orderId, error });
    }
    return { orderId, status, decision };
  };
}
