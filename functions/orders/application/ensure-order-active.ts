import type { EnsureOrderActiveOutput } from '../contracts/place-order-saga';
import { OrderCancelledError } from '../domain/errors';
import { OrderNotFoundError } from './errors';
import { loadOrder } from './load-order';
import type { OrderEventStore } from './order-runner';

export type EnsureOrderActive = (input: { readonly orderId: string }) => Promise<EnsureOrderActiveOutput>;

/**
 * The saga's check before it charges: the order still exists and the customer has not cancelled it
 * (`OrderCancelledError`). A read only; `confirm-order` settles a cancel that comes after it.
 */
export function makeEnsureOrderActive(deps: {
  readonly store: Pick<OrderEventStore, 'load'>;
}): EnsureOrderActive {
  return async ({ orderId }) => {
    const { state, version } = await loadOrder(deps.store, orderId);
    if (state.status === 'NONE') throw new OrderNotFoundError(orderId);
    if (state.status === 'CANCELLED') throw new OrderCancelledError(orderId);
    return { orderId, version };
  };
}
