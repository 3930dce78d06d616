import { callerOf, httpHandler, type ProxyHandler } from '../../../shared/http';
import type { GetAccount } from '../application/get-account';
import { toAccountResponse } from './responses';
import { AccountPath, NoQuery } from './schemas';
import { annotate } from '../../../shared/observability/tracer';
import type { AppLogger } from '../../../shared/observability/app-logger';

export interface GetAccountHandlerDependencies {
  readonly getAccount: GetAccount;
  readonly logger?: AppLogger;
}

/** `GET /accounts/{accountId}` → 200 for its owner and staff; 404 `ACCOUNT_NOT_FOUND` for anyone else. */
export function makeHandler(deps: GetAccountHandlerDependencies): ProxyHandler {
  return httpHandler(
    { pathParameters: AccountPath, query: NoQuery, logger: deps.logger },
    async ({ pathParameters: { accountId }, event }) => {
      const requester = callerOf(event);
      annotate({ accountId, userId: requester.userId });
      return { statusCode: 200, body: toAccountResponse(await deps.getAccount(accountId, requester)) };
    },
  );
}
