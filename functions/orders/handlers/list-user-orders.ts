import { z } from 'zod';
import type { HttpLogger, ProxyHandler } from '../../../shared/http';
import { httpHandler } from '../../../shared/http';
import { MAX_PAGE_SIZE } from '../application/order-queries';
import type { ListOptions, OrderViewPage } from '../ports/order-views';
import { UserPath } from './schemas';

export const ListUserOrdersQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, { error: `must be an integer from 1 to ${MAX_PAGE_SIZE}` })
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_PAGE_SIZE))
    .optional(),
  cursor: z.string().min(1).max(1024).optional(),
});

export interface ListUserOrdersHandlerDeps {
  readonly listUserOrders: (userId: string, options: Partial<ListOptions>) => Promise<OrderViewPage>;
  readonly logger?: HttpLogger;
}

/** `GET /users/{userId}/orders?limit=&cursor=` → 200 `{ orders, nextCursor }`, newest first. */
export function makeHandler(deps: ListUserOrdersHandlerDeps): ProxyHandler {
  return httpHandler(
    {
      pathParameters: UserPath,
      query: ListUserOrdersQuery,
      ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    },
    async ({ pathParameters: { userId }, query }) => {
      const page = await deps.listUserOrders(userId, {
        ...(query.limit === undefined ? {} : { limit: query.limit }),
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      });
      return { statusCode: 200, body: { orders: page.orders, nextCursor: page.nextCursor ?? null } };
    },
  );
}
