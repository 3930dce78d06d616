import { ForbiddenError } from '../../../shared/errors/app-error';
import type { DomainEvent } from '../../../shared/event-sourcing';
import { mayAccess, type Requester } from '../../../shared/identity/requester';
import type { KnownUserReader } from '../ports/known-users';
import type { ListOptions, OrderView, OrderViewPage, OrderViewReader } from '../ports/order-views';
import type { SagaExecution, SagaStatus } from '../ports/place-order-saga';
import { OrderNotFoundError, UserNotFoundError } from './errors';
import type { OrderEventStore } from './order-runner';
import type { AppLogger } from '../../../shared/observability/app-logger';
import { definedProps } from '../../../shared/objects/defined-props';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** An order as `GET /orders/{orderId}` answers it: the view, and for an orchestrated order its saga. */
export interface OrderDetails extends OrderView {
  readonly saga?: SagaExecution;
}

export interface GetOrderDependencies {
  readonly views: OrderViewReader;
  /** Where an orchestrated order's saga is read live; without it, no `saga` is shown. */
  readonly sagaStatus?: SagaStatus;
  readonly logger?: AppLogger;
}

/**
 * `GET /orders/{orderId}`: the read model's view, eventually consistent with the commands, for its owner
 * and staff (404 for anyone else, as for an unknown order). An orchestrated order also shows its saga
 * execution, read live from Step Functions; when that cannot be read, the order is still answered, with
 * the saga's status `UNKNOWN`.
 */
export function makeGetOrder(deps: GetOrderDependencies) {
  return async (orderId: string, requester: Requester): Promise<OrderDetails> => {
    const view = await deps.views.get(orderId);
    if (view === undefined || !mayAccess(requester, view.userId)) throw new OrderNotFoundError(orderId);
    if (deps.sagaStatus === undefined || view.sagaStyle !== 'orchestrated') return view;
    return { ...view, saga: await sagaOf(deps.sagaStatus, orderId, deps.logger) };
  };
}

async function sagaOf(
  sagaStatus: SagaStatus,
  orderId: string,
  logger: AppLogger | undefined,
): Promise<SagaExecution> {
  try {
    return await sagaStatus.describe(orderId);
  } catch (error) {
    logger?.warn('The saga of the order could not be read; answered without it', { orderId, error });
    return { executionArn: sagaStatus.executionArnOf(orderId), status: 'UNKNOWN' };
  }
}

export interface ListUserOrdersDependencies {
  readonly views: OrderViewReader;
  /** The users the orders context has heard of (`UserRegistered`), for staff naming another user. */
  readonly knownUsers: KnownUserReader;
}

/**
 * `GET /users/{userId}/orders`: a user's orders, newest first, a page at a time, for the user and staff;
 * `ForbiddenError` (403) for another customer, whichever user they name. Staff naming a user the orders
 * context has never heard of, neither from `UserRegistered` nor by an order, get `UserNotFoundError`
 * (404). The caller's own list is never refused: their verified token proves them, and their
 * `UserRegistered` may still be on its way.
 */
export function makeListUserOrders(deps: ListUserOrdersDependencies) {
  return async (
    userId: string,
    requester: Requester,
    options: Partial<ListOptions>,
  ): Promise<OrderViewPage> => {
    if (!mayAccess(requester, userId)) {
      throw new ForbiddenError("Only staff may list another user's orders.");
    }
    const page = await deps.views.listByUser(userId, {
      limit: options.limit ?? DEFAULT_PAGE_SIZE,
      ...definedProps({ cursor: options.cursor }),
    });
    // An order proves its user: only an empty page of someone else's asks whether the user exists.
    if (page.orders.length > 0 || userId === requester.userId) return page;
    if ((await deps.knownUsers.find(userId)) === undefined) throw new UserNotFoundError(userId);
    return page;
  };
}

export interface OrderHistory {
  readonly orderId: string;
  readonly events: readonly DomainEvent[];
}

/**
 * `GET /orders/{orderId}/events`: the order's stream as the event store holds it, oldest first, for its
 * owner and staff (404 for anyone else).
 */
export function makeGetOrderHistory(deps: { readonly store: Pick<OrderEventStore, 'load'> }) {
  return async (orderId: string, requester: Requester): Promise<OrderHistory> => {
    const events = await deps.store.load(orderId);
    const [created] = events;
    if (created?.type !== 'OrderCreated' || !mayAccess(requester, created.data.userId)) {
      throw new OrderNotFoundError(orderId);
    }
    return { orderId, events };
  };
}
