import type { CommandContext } from '../../../shared/event-sourcing';
import type { Requester } from '../../../shared/identity/requester';
import { ORDER_SAGA_ERRORS } from '../contracts/place-order-saga';
import { OrderStateError } from '../domain/errors';
import type { ApprovalTasks } from '../ports/approval-tasks';
import type { TaskCallbacks } from '../../../shared/saga/task-callbacks';
import { OrderNotFoundError } from './errors';
import type { OrderRunner } from './order-runner';
import type { AppLogger } from '../../../shared/observability/app-logger';

/** The reason recorded when the client gives none. */
export const DEFAULT_CANCELLATION_REASON = 'Cancelled at the customer’s request';

export interface CancelOrderInput {
  readonly orderId: string;
  readonly reason?: string;
  /** The order's owner or staff; anyone else is answered 404, as for an unknown order. */
  readonly requester: Requester;
}

export interface CancelledOrder {
  readonly orderId: string;
  readonly status: 'CANCELLED';
}

export type CancelOrder = (input: CancelOrderInput, context: CommandContext) => Promise<CancelledOrder>;

export interface CancelOrderDependencies {
  readonly runner: OrderRunner;
  /** With `taskCallbacks`: a saga waiting for the order's approval is failed with `OrderCancelled`. */
  readonly approvalTasks?: ApprovalTasks;
  readonly taskCallbacks?: TaskCallbacks;
  readonly logger?: AppLogger;
}

/**
 * Cancels a pending order or one awaiting approval. A cancelled order stays cancelled without a second
 * event, so retries and concurrent cancels all succeed and the stream holds one `OrderCancelled`.
 *
 * When this cancel ended a wait for approval (the order's approval task is stored and unanswered), the
 * waiting saga is failed at once with `OrderCancelled`, so it compensates now rather than at its
 * deadline. That call is best effort: its failures are logged, never the client's, since the deadline
 * ends the wait anyway.
 */
export function makeCancelOrder(deps: CancelOrderDependencies): CancelOrder {
  return async ({ orderId, reason, requester }, context) => {
    let appended: boolean;
    try {
      const { events } = await deps.runner.run(
        orderId,
        { type: 'CancelOrder', orderId, reason: reason ?? DEFAULT_CANCELLATION_REASON, requester },
        context,
      );
      appended = events.length > 0;
    } catch (error) {
      // On cancel the decider refuses a state only when the order has no events at all.
      if (error instanceof OrderStateError) throw new OrderNotFoundError(orderId);
      throw error;
    }
    if (appended) await endApprovalWait(deps, orderId, context);
    return { orderId, status: 'CANCELLED' };
  };
}

async function endApprovalWait(
  deps: CancelOrderDependencies,
  orderId: string,
  context: CommandContext,
): Promise<void> {
  const { approvalTasks, taskCallbacks, logger } = deps;
  if (approvalTasks === undefined || taskCallbacks === undefined) return;
  try {
    const task = await approvalTasks.get(orderId);
    if (task === undefined || task.resolution !== undefined) return;
    const outcome = await taskCallbacks.fail(
      task.taskToken,
      ORDER_SAGA_ERRORS.orderCancelled,
      `The customer cancelled order ${orderId} while it awaited approval.`,
    );
    if (outcome === 'task-closed') {
      logger?.info('No saga waited on the approval of the cancelled order any more', { orderId });
      return;
    }
    await approvalTasks.markResolved(task, 'CANCELLED', context.now().toISOString());
  } catch (error) {
    logger?.warn('The saga waiting for approval was not told of the cancel; its deadline ends the wait', {
      orderId,
      error,
    });
  }
}
