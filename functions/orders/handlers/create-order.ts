import * as z from 'zod';
import type { HttpInterceptor, ProxyHandler } from '../../../shared/http';
import { callerOf, httpHandler, idSchema } from '../../../shared/http';
import { requiredIdempotencyKey } from '../../../shared/idempotency';
import { withRequestContext } from '../../../shared/observability/with-request-context';
import type { CreateOrder } from '../application/create-order';
import { CARD_TOKEN_PATTERN } from '../../payments/contracts';
import { MAX_LINE_QUANTITY, MAX_ORDER_LINES } from '../domain/order';
import type { CommandContextFactory } from '../../../shared/event-sourcing';
import { annotate } from '../../../shared/observability/tracer';
import type { AppLogger } from '../../../shared/observability/app-logger';
import { definedProps } from '../../../shared/objects/defined-props';

/**
 * The order's user is the caller (their verified token) and its saga style the deployment's
 * (`/shop/saga-style`): neither is a field of the body.
 */
export const CreateOrderBody = z.strictObject({
  items: z
    .array(
      z.strictObject({
        productId: idSchema('product'),
        quantity: z.number().int({ error: 'must be an integer' }).min(1).max(MAX_LINE_QUANTITY),
      }),
    )
    .min(1)
    .max(MAX_ORDER_LINES)
    .superRefine((items, context) => {
      const seen = new Set<string>();
      items.forEach((item, index) => {
        if (seen.has(item.productId)) {
          context.addIssue({
            code: 'custom',
            path: [index, 'productId'],
            message: 'must not repeat a product of an earlier item',
            input: item.productId,
          });
        }
        seen.add(item.productId);
      });
    }),
  payment: z.discriminatedUnion('method', [
    z.strictObject({
      method: z.literal('card'),
      token: z.string().regex(CARD_TOKEN_PATTERN, {
        error: 'must be a card token: tok_ followed by 1 to 64 lower-case letters, digits or _',
      }),
    }),
    z.strictObject({ method: z.literal('account'), accountId: idSchema('account') }),
  ]),
});

export interface CreateOrderHandlerDependencies {
  readonly createOrder: CreateOrder;
  /** `Idempotency-Key`, required on this route. */
  readonly idempotency: HttpInterceptor;
  readonly commandContext: CommandContextFactory;
  readonly logger?: AppLogger;
}

/**
 * `POST /orders` → 202 with the caller's new order's id and total; the saga takes it from there. The
 * `Idempotency-Key` goes to the use case too, which claims it with the order it creates, the caller's
 * token, with which it reads inventory's prices, and the invocation's remaining time, within which the
 * price look-ups retry.
 */
export function makeHandler(deps: CreateOrderHandlerDependencies): ProxyHandler {
  return httpHandler(
    {
      body: CreateOrderBody,
      interceptor: deps.idempotency,
      ...definedProps({ logger: deps.logger }),
    },
    async ({ body, headers, event, correlationId, requestId, context }) =>
      withRequestContext({ correlationId }, async () => {
        const { userId } = callerOf(event);
        annotate({ userId });
        const order = await deps.createOrder(
          {
            ...body,
            userId,
            authorization: headers['authorization'] ?? '',
            requestKey: requiredIdempotencyKey(headers),
          },
          deps.commandContext({ correlationId, causationId: requestId }),
          context === undefined ? {} : { remainingTimeMs: () => context.getRemainingTimeInMillis() },
        );
        annotate({ orderId: order.orderId });
        return { statusCode: 202, body: order, headers: { Location: `/orders/${order.orderId}` } };
      }),
  );
}
