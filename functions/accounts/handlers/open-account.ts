import { callerOf, httpHandler, type HttpInterceptor, type ProxyHandler } from '../../../shared/http';
import type { OpenAccount } from '../application/open-account';
import { toAccountResponse } from './responses';
import { NoQuery, OpenAccountBody } from './schemas';
import { annotate } from '../../../shared/observability/tracer';
import type { AppLogger } from '../../../shared/observability/app-logger';

export interface OpenAccountHandlerDependencies {
  readonly openAccount: OpenAccount;
  /** `Idempotency-Key` handling (optional on this route). @default - none */
  readonly idempotency?: HttpInterceptor;
  readonly logger?: AppLogger;
}

/** `POST /accounts` `{ currency }` → 201 with the caller's new account and its `Location`. */
export function makeHandler(deps: OpenAccountHandlerDependencies): ProxyHandler {
  return httpHandler(
    { body: OpenAccountBody, query: NoQuery, interceptor: deps.idempotency, logger: deps.logger },
    async ({ body, event }) => {
      const requester = callerOf(event);
      annotate({ userId: requester.userId });
      const account = await deps.openAccount({ currency: body.currency }, requester);
      annotate({ accountId: account.accountId });
      return {
        statusCode: 201,
        body: toAccountResponse(account),
        headers: { Location: `/accounts/${account.accountId}` },
      };
    },
  );
}
