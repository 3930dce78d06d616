import { callerOf, httpHandler, type HttpInterceptor, type ProxyHandler } from '../../../shared/http';
import { requiredIdempotencyKey } from '../../../shared/idempotency/idempotency-key';
import { withRequestContext } from '../../../shared/observability/with-request-context';
import type { DepositMoney } from '../application/deposit-money';
import { budgetOf } from './call-budget';
import { toDepositResponse } from './responses';
import { AccountPath, DepositBody, NoQuery } from './schemas';
import { annotate } from '../../../shared/observability/tracer';
import type { AppLogger } from '../../../shared/observability/app-logger';

export interface DepositMoneyHandlerDependencies {
  readonly depositMoney: DepositMoney;
  /** `Idempotency-Key` handling, required on this route (the use case claims the key too). */
  readonly idempotency?: HttpInterceptor;
  readonly logger?: AppLogger;
}

/**
 * `POST /accounts/{accountId}/deposits` `{ amountCents }` with `Idempotency-Key` → 201 with the deposit,
 * for the account's owner and staff; a retry with the key answers the same deposit.
 */
export function makeHandler(deps: DepositMoneyHandlerDependencies): ProxyHandler {
  return httpHandler(
    {
      pathParameters: AccountPath,
      body: DepositBody,
      query: NoQuery,
      interceptor: deps.idempotency,
      logger: deps.logger,
    },
    async ({ pathParameters, body, headers, event, correlationId, context }) => {
      const caller = callerOf(event);
      const requestKey = requiredIdempotencyKey(headers);
      const { accountId } = pathParameters;
      annotate({ accountId, userId: caller.userId });
      // Every log line of the retries names the request, the caller and the account.
      const deposit = await withRequestContext({ correlationId, userId: caller.userId, accountId }, () =>
        deps.depositMoney(
          { accountId, amountCents: body.amountCents, requestKey },
          caller,
          budgetOf(context),
        ),
      );
      return { statusCode: 201, body: toDepositResponse(deposit) };
    },
  );
}
