import { orderDecider, type OrderState } from '../domain/order';
import type { OrderEventStore } from './order-runner';

export interface LoadedOrder {
  readonly state: OrderState;
  /** The version of the last event folded; 0 for an order without events. */
  readonly version: number;
}

/**
 * An order's current state, folded from its events, for the steps that only read it. An order has a
 * handful of events, so the fold ignores snapshots; the commands' runner reads those.
 */
export async function loadOrder(store: Pick<OrderEventStore, 'load'>, orderId: string): Promise<LoadedOrder> {
  const events = await store.load(orderId);
  return {
    state: events.reduce(orderDecider.evolve, orderDecider.initialState),
    version: events.at(-1)?.version ?? 0,
  };
}
