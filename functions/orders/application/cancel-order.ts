import type { CommandContext } from '../../../shared/event-sourcing';
import { OrderStateError } from '../domain/errors';
import { OrderNotFoundError } from './errors';
import type { OrderRunner } from './order-runner';

/** The reason recorded when the client gives none. */
export const DEFAULT_CANCELLATION_REASON = 'Cancelled at the customer’s request';

export interface CancelOrderInput {
  readonly orderId: string;
  readonly reason?: string;
}

export interface CancelledOrder {
  readonly orderId: string;
  readonly status: 'CANCELLED';
}

export type CancelOrder = (input: CancelOrderInput, context: CommandContext) => Promise<CancelledOrder>;

/**
 * Cancels a pending order or one awaiting approval. A cancelled order stays cancelled without a second
 * event, so retries and concurrent cancels all succeed and the stream holds one `OrderCancelled`.
 */
export function makeCancelOrder(deps: { readonly runner: OrderRunner }): CancelOrder {
  return async ({ orderId, reason }, context) => {
    try {
      await deps.runner.run(
        orderId,
        { type: 'CancelOrder', orderId, reason: reason ?? DEFAULT_CANCELLATION_REASON },
        context,
      );
    } catch (error) {
      // On cancel the decider refuses a state only when the order has no events at all.
      if (error instanceof OrderStateError) throw new OrderNotFoundError(orderId);
      throw error;
    }
    return { orderId, status: 'CANCELLED' };
  };
}
