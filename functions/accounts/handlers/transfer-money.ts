import { callerOf, httpHandler, type HttpInterceptor, type ProxyHandler } from '../../../shared/http';
import { requiredIdempotencyKey } from '../../../shared/idempotency/idempotency-key';
import { withRequestContext } from '../../../shared/observability/with-request-context';
import type { TransferMoney } from '../application/transfer-money';
import { budgetOf } from './call-budget';
import { toTransferResponse } from './responses';
import { NoQuery, TransferBody } from './schemas';
import { annotate } from '../../../shared/observability/tracer';
import type { AppLogger } from '../../../shared/observability/app-logger';

export interface TransferMoneyHandlerDependencies {
  readonly transferMoney: TransferMoney;
  /** `Idempotency-Key` handling, required on this route (the use case claims the key too). */
  readonly idempotency?: HttpInterceptor;
  readonly logger?: AppLogger;
}

/**
 * `POST /transfers` `{ fromAccountId, toAccountId, amountCents }` with `Idempotency-Key` → 201 with the
 * completed transfer; the caller must own the source account. A retry with the key answers the same
 * transfer.
 */
export function makeHandler(deps: TransferMoneyHandlerDependencies): ProxyHandler {
  return httpHandler(
    { body: TransferBody, query: NoQuery, interceptor: deps.idempotency, logger: deps.logger },
    async ({ body, headers, event, correlationId, context }) => {
      const caller = callerOf(event);
      // The source account: the caller's, the one the transfer is looked for by.
      annotate({ accountId: body.fromAccountId, userId: caller.userId });
      const requestKey = requiredIdempotencyKey(headers);
      // Every log line of the retries names the request, the caller and both accounts.
      const transfer = await withRequestContext(
        {
          correlationId,
          userId: caller.userId,
          fromAccountId: body.fromAccountId,
          toAccountId: body.toAccountId,
        },
        () => deps.transferMoney({ ...body, requestKey }, caller, budgetOf(context)),
      );
      return { statusCode: 201, body: toTransferResponse(transfer) };
    },
  );
}
