import { httpHandler, type ProxyHandler } from '../../../shared/http';
import type { CreateRefund } from '../application/create-refund';
import { idempotencyKeyOf } from './idempotency-key';
import { processorErrorResult, processorResult } from './processor-http';
import { ChargePath, CreateRefundBody, NoQuery } from './schemas';
import type { AppLogger } from '../../../shared/observability/app-logger';

export interface CreateRefundHandlerDependencies {
  readonly createRefund: CreateRefund;
  readonly logger?: AppLogger;
}

/**
 * `POST /v1/charges/{chargeId}/refunds` (`Idempotency-Key` required; body optional, `{ amountCents? }`)
 * → 201 refund; 404 `resource_missing`; 409 `amount_too_large` / `charge_already_refunded`.
 */
export function makeHandler(deps: CreateRefundHandlerDependencies): ProxyHandler {
  return httpHandler(
    {
      body: CreateRefundBody,
      bodyOptional: true,
      pathParameters: ChargePath,
      query: NoQuery,
      logger: deps.logger,
      errorResult: processorErrorResult,
    },
    async (request) =>
      processorResult(
        await deps.createRefund({
          chargeId: request.pathParameters.chargeId,
          idempotencyKey: idempotencyKeyOf(request.event),
          request: request.body,
          requestId: request.requestId,
          remainingTimeMs: request.context?.getRemainingTimeInMillis(),
        }),
      ),
  );
}
