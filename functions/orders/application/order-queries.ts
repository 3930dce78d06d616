import type { DomainEvent } from '../../../shared/event-sourcing';
import type { ListOptions, OrderView, OrderViewPage, OrderViewReader } from '../ports/order-views';
import type { SagaExecution, SagaStatus } from '../ports/place-order-saga';
import { OrderNotFoundError } from './errors';
import type { OrderEventStore } from './order-runner';
import type { UseCaseLogger } from './use-case-logger';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** An order as `GET /orders/{orderId}` answers it: the view, and for an orchestrated order its saga. */
export interface OrderDetails extends OrderView {
  readonly saga?: SagaExecution;
}

export interface GetOrderDeps {
  readonly views: OrderViewReader;
  /** Where an orchestrated order's saga is read live; without it, no `saga` is shown. */
  readonly sagaStatus?: SagaStatus;
  readonly logger?: UseCaseLogger;
}

/**
 * `GET /orders/{orderId}`: the read model's view, eventually consistent with the commands. An
 * orchestrated order also shows its saga execution, read live from Step Functions; when that cannot be
 * read, the order is still answered, with the saga's status `UNKNOWN`.
 */
export function makeGetOrder(deps: GetOrderDeps) {
  return async (orderId: string): Promise<OrderDetails> => {
    const view = await deps.views.get(orderId);
    if (view === undefined) throw new OrderNotFoundError(orderId);
    if (deps.sagaStatus === undefined || view.sagaMode !== 'orchestrated') return view;
    return { ...view, saga: await sagaOf(deps.sagaStatus, orderId, deps.logger) };
  };
}

async function sagaOf(
  sagaStatus: SagaStatus,
  orderId: string,
  logger: UseCaseLogger | undefined,
): Promise<SagaExecution> {
  try {
    return await sagaStatus.describe(orderId);
  } catch (error) {
    logger?.warn('The saga of the order could not be read; answered without it', { orderId, error });
    return { executionArn: sagaStatus.executionArnOf(orderId), status: 'UNKNOWN' };
  }
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
