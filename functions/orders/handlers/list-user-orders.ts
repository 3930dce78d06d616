import * as z from 'zod';
import type { ProxyHandler } from '../../../shared/http';
import { callerOf, httpHandler, idSchema } from '../../../shared/http';
import type { Requester } from '../../../shared/identity/requester';
import { MAX_PAGE_SIZE } from '../application/order-queries';
import type { ListOptions, OrderViewPage } from '../ports/order-views';
import type { AppLogger } from '../../../shared/observability/app-logger';
import { definedProps } from '../../../shared/objects/defined-props';

/** `/users/{userId}/orders`, or `/users/me/orders` (no parameter): the caller's own. */
export const UserOrdersPath = z.strictObject({ userId: idSchema('user').optional() });

export const ListUserOrdersQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, { error: `must be an integer from 1 to ${MAX_PAGE_SIZE}` })
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_PAGE_SIZE))
    .optional(),
  cursor: z.string().min(1).max(1024).optional(),
});

export interface ListUserOrdersHandlerDependencies {
  readonly listUserOrders: (
    userId: string,
    requester: Requester,
    options: Partial<ListOptions>,
  ) => Promise<OrderViewPage>;
  readonly logger?: AppLogger;
}

/**
 * `GET /users/{userId}/orders?limit=&cursor=` and `GET /users/me/orders?…` → 200
 * `{ orders, nextCursor }`, newest first; another customer's → 403; a user the orders context has never
 * heard of, named by staff → 404 `USER_NOT_FOUND`.
 */
export function makeHandler(deps: ListUserOrdersHandlerDependencies): ProxyHandler {
  return httpHandler(
    {
      pathParameters: UserOrdersPath,
      query: ListUserOrdersQuery,
      ...definedProps({ logger: deps.logger }),
    },
    async ({ pathParameters, query, event }) => {
      const requester = callerOf(event);
      const page = await deps.listUserOrders(pathParameters.userId ?? requester.userId, requester, {
        ...definedProps({ limit: query.limit }),
        ...definedProps({ cursor: query.cursor }),
      });
      return { statusCode: 200, body: { orders: page.orders, nextCursor: page.nextCursor ?? null } };
    },
  );
}
