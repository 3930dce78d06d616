import { callerOf, httpHandler, type ProxyHandler } from '../../../shared/http';
import type { ListTransactions } from '../application/list-transactions';
import type { TransactionsPageResponse } from '../contracts/account-responses';
import { toTransactionResponse } from './responses';
import { AccountPath, TransactionsQuery } from './schemas';
import { annotate } from '../../../shared/observability/tracer';
import type { AppLogger } from '../../../shared/observability/app-logger';
import { definedProps } from '../../../shared/objects/defined-props';

export interface ListTransactionsHandlerDependencies {
  readonly listTransactions: ListTransactions;
  readonly logger?: AppLogger;
}

/**
 * `GET /accounts/{accountId}/transactions?limit=&cursor=` → 200 `{ transactions, nextCursor }`, newest
 * first, for the account's owner and staff; 404 for anyone else.
 */
export function makeHandler(deps: ListTransactionsHandlerDependencies): ProxyHandler {
  return httpHandler(
    { pathParameters: AccountPath, query: TransactionsQuery, logger: deps.logger },
    async ({ pathParameters: { accountId }, query, event }) => {
      const requester = callerOf(event);
      annotate({ accountId, userId: requester.userId });
      const page = await deps.listTransactions(accountId, requester, {
        ...definedProps({ limit: query.limit }),
        ...definedProps({ cursor: query.cursor }),
      });
      const body: TransactionsPageResponse = {
        transactions: page.entries.map(toTransactionResponse),
        nextCursor: page.nextCursor ?? null,
      };
      return { statusCode: 200, body };
    },
  );
}
