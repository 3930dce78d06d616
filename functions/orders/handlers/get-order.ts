import type { ProxyHandler } from '../../../shared/http';
import { callerOf, httpHandler } from '../../../shared/http';
import type { Requester } from '../../../shared/identity/requester';
import type { OrderDetails } from '../application/order-queries';
import { OrderPath } from './schemas';
import { annotate } from '../../../shared/observability/tracer';
import type { AppLogger } from '../../../shared/observability/app-logger';
import { definedProps } from '../../../shared/objects/defined-props';

export interface GetOrderHandlerDependencies {
  readonly getOrder: (orderId: string, requester: Requester) => Promise<OrderDetails>;
  readonly logger?: AppLogger;
}

/**
 * `GET /orders/{orderId}` → 200 with the read model's view (and, for an orchestrated order, its saga
 * execution read live), 404 while it has none, and to anyone but its owner and staff.
 */
export function makeHandler(deps: GetOrderHandlerDependencies): ProxyHandler {
  return httpHandler(
    { pathParameters: OrderPath, ...definedProps({ logger: deps.logger }) },
    async ({ pathParameters: { orderId }, event }) => {
      const requester = callerOf(event);
      annotate({ orderId, userId: requester.userId });
      return { statusCode: 200, body: await deps.getOrder(orderId, requester) };
    },
  );
}
