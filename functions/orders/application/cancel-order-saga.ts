import type { CommandContext } from '../../../shared/event-sourcing';
import type { CancelOrderSagaOutput, SagaCancellationReason } from '../contracts/place-order-saga';
import { OrderStateError } from '../domain/errors';
import { OrderNotFoundError } from './errors';
import type { OrderRunner } from './order-runner';

export interface CancelOrderSagaInput {
  readonly orderId: string;
  readonly reason: SagaCancellationReason;
}

export type CancelOrderSaga = (
  input: CancelOrderSagaInput,
  context: CommandContext,
) => Promise<CancelOrderSagaOutput>;

/**
 * The saga's first compensation: appends `OrderCancelled` with the saga's reason code. An order already
 * cancelled (by its customer, or by an earlier attempt of this step) stays as it is and the step
 * succeeds; a paid or shipped order is refused with `OrderNotCancellableError`, before anything is
 * refunded or released.
 */
export function makeCancelOrderSaga(deps: { readonly runner: OrderRunner }): CancelOrderSaga {
  return async ({ orderId, reason }, context) => {
    try {
      const { state } = await deps.runner.run(orderId, { type: 'CancelOrder', orderId, reason }, context);
      const recorded = state.status === 'CANCELLED' ? state.cancellationReason : reason;
      return { orderId, status: 'CANCELLED', reason: recorded };
    } catch (error) {
      if (error instanceof OrderStateError) throw new OrderNotFoundError(orderId);
      throw error;
    }
  };
}
