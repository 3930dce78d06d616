import * as z from 'zod';
import type { HttpInterceptor, ProxyHandler } from '../../../shared/http';
import { callerOf, httpHandler } from '../../../shared/http';
import { withRequestContext } from '../../../shared/observability/with-request-context';
import type { CancelOrder } from '../application/cancel-order';
import type { CommandContextFactory } from '../../../shared/event-sourcing';
import { OrderPath } from './schemas';
import { annotate } from '../../../shared/observability/tracer';
import type { AppLogger } from '../../../shared/observability/app-logger';
import { definedProps } from '../../../shared/objects/defined-props';

export const CancelOrderBody = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() });

export interface CancelOrderHandlerDependencies {
  readonly cancelOrder: CancelOrder;
  /** `Idempotency-Key`, optional here: a cancel is safe to repeat without one. */
  readonly idempotency: HttpInterceptor;
  readonly commandContext: CommandContextFactory;
  readonly logger?: AppLogger;
}

/** `POST /orders/{orderId}/cancel` → 202: the compensations (stock, payment) follow asynchronously. */
export function makeHandler(deps: CancelOrderHandlerDependencies): ProxyHandler {
  return httpHandler(
    {
      body: CancelOrderBody,
      pathParameters: OrderPath,
      interceptor: deps.idempotency,
      ...definedProps({ logger: deps.logger }),
    },
    async ({ body, pathParameters: { orderId }, event, correlationId, requestId }) =>
      withRequestContext({ correlationId, orderId }, async () => {
        const requester = callerOf(event);
        annotate({ orderId, userId: requester.userId });
        const cancelled = await deps.cancelOrder(
          {
            orderId,
            requester,
            ...definedProps({ reason: body.reason }),
          },
          deps.commandContext({ correlationId, causationId: requestId }),
        );
        return { statusCode: 202, body: cancelled };
      }),
  );
}
