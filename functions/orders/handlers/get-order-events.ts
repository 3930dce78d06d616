import type { ProxyHandler } from '../../../shared/http';
import { callerOf, httpHandler } from '../../../shared/http';
import type { Requester } from '../../../shared/identity/requester';
import type { OrderHistory } from '../application/order-queries';
import { OrderPath } from './schemas';
import type { AppLogger } from '../../../shared/observability/app-logger';
import { definedProps } from '../../../shared/objects/defined-props';

export interface GetOrderEventsHandlerDependencies {
  readonly getOrderHistory: (orderId: string, requester: Requester) => Promise<OrderHistory>;
  readonly logger?: AppLogger;
}

/** `GET /orders/{orderId}/events` → 200 `{ orderId, events }` straight from the event store. */
export function makeHandler(deps: GetOrderEventsHandlerDependencies): ProxyHandler {
  return httpHandler(
    { pathParameters: OrderPath, ...definedProps({ logger: deps.logger }) },
    async ({ pathParameters: { orderId }, event }) => ({
      statusCode: 200,
      body: await deps.getOrderHistory(orderId, callerOf(event)),
    }),
  );
}
