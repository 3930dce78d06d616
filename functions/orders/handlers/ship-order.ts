import * as z from 'zod';
import type { HttpInterceptor, ProxyHandler } from '../../../shared/http';
import { httpHandler, staffOnly } from '../../../shared/http';
import { withRequestContext } from '../../../shared/observability/with-request-context';
import type { ShipOrder } from '../application/ship-order';
import type { CommandContextFactory } from '../../../shared/event-sourcing';
import { OrderPath } from './schemas';
import { annotate } from '../../../shared/observability/tracer';
import type { AppLogger } from '../../../shared/observability/app-logger';
import { definedProps } from '../../../shared/objects/defined-props';

export const ShipOrderBody = z.strictObject({
  carrier: z.string().trim().min(1).max(64),
  trackingNumber: z.string().trim().min(1).max(64),
});

export interface ShipOrderHandlerDependencies {
  readonly shipOrder: ShipOrder;
  /** `Idempotency-Key`, optional: with one, a retried ship replays its 200 instead of a 409. */
  readonly idempotency: HttpInterceptor;
  readonly commandContext: CommandContextFactory;
  readonly logger?: AppLogger;
}

/** `POST /orders/{orderId}/ship` → 200 once a paid order is recorded as shipped. */
export function makeHandler(deps: ShipOrderHandlerDependencies): ProxyHandler {
  return httpHandler(
    {
      body: ShipOrderBody,
      pathParameters: OrderPath,
      authorize: staffOnly('ship orders'),
      interceptor: deps.idempotency,
      ...definedProps({ logger: deps.logger }),
    },
    async ({ body, pathParameters: { orderId }, correlationId, requestId }) =>
      withRequestContext({ correlationId, orderId }, async () => {
        annotate({ orderId });
        const shipped = await deps.shipOrder(
          { orderId, ...body },
          deps.commandContext({ correlationId, causationId: requestId }),
        );
        return { statusCode: 200, body: shipped };
      }),
  );
}
