import type { DomainEvent } from '../../../shared/event-sourcing';
import type { ListOptions, OrderView, OrderViewPage, OrderViewReader } from '../ports/order-views';
import { OrderNotFoundError } from './errors';
import type { OrderEventStore } from './order-runner';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** `GET /orders/{orderId}`: the read model's view, eventually consistent with the commands. */
export function makeGetOrder(deps: { readonly views: OrderViewReader }) {
  return async (orderId: string): Promise<OrderView> => {
    const view = await deps.views.get(orderId);
    if (view === undefined) throw new OrderNotFoundError(orderId);
    return view;
  };
}

/** `GET /users/{userId}/orders`: a user's orders, newest first, a page at a time. */
export function makeListUserOrders(deps: { readonly views: OrderViewReader }) {
  return async (userId: string, options: Partial<ListOptions>): Promise<OrderViewPage> =>
    deps.views.listByUser(userId, {
      limit: options.limit ?? DEFAULT_PAGE_SIZE,
      ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
    });
}

export interface OrderHistory {
  readonly orderId: string;
  readonly events: readonly DomainEvent[];
}

/** `GET /orders/{orderId}/events`: the order's stream as the event store holds it, oldest first. */
export function makeGetOrderHistory(deps: { readonly store: Pick<OrderEventStore, 'load'> }) {
  return async (orderId: string): Promise<OrderHistory> => {
    const events = await deps.store.load(orderId);
    if (events.length === 0) throw new OrderNotFoundError(orderId);
    return { orderId, events };
  };
}
