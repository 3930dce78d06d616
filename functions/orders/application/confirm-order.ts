import type { CommandContext } from '../../../shared/event-sourcing';
import type { ConfirmOrderOutput } from '../contracts/place-order-saga';
import { OrderStateError } from '../domain/errors';
import { OrderNotFoundError } from './errors';
import type { OrderRunner } from './order-runner';

export interface ConfirmOrderInput {
  readonly orderId: string;
  readonly chargeId: string;
  readonly amountCents: number;
}

export type ConfirmOrder = (input: ConfirmOrderInput, context: CommandContext) => Promise<ConfirmOrderOutput>;

/**
 * The saga's last step: appends `OrderPaid`. The append is conditional on the version the decision was
 * made on, so a concurrent customer cancel either lands first — the runner re-decides on the cancelled
 * order and `OrderNotConfirmableError` sends the saga to refund — or finds the order `PAID` and is
 * refused. A paid order is confirmed again without a second event (a retried step).
 */
export function makeConfirmOrder(deps: { readonly runner: OrderRunner }): ConfirmOrder {
  return async ({ orderId, chargeId, amountCents }, context) => {
    try {
      const { version } = await deps.runner.run(
        orderId,
        { type: 'ConfirmPayment', orderId, chargeId, amountCents },
        context,
      );
      return { orderId, status: 'PAID', version };
    } catch (error) {
      if (error instanceof OrderStateError) throw new OrderNotFoundError(orderId);
      throw error;
    }
  };
}
