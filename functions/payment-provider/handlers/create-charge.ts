import { httpHandler, type ProxyHandler } from '../../../shared/http';
import type { CreateCharge } from '../application/create-charge';
import { idempotencyKeyOf } from './idempotency-key';
import { processorErrorResult, processorResult } from './processor-http';
import { CreateChargeBody, NoQuery } from './schemas';
import type { AppLogger } from '../../../shared/observability/app-logger';

export interface CreateChargeHandlerDependencies {
  readonly createCharge: CreateCharge;
  readonly logger?: AppLogger;
}

/**
 * `POST /v1/charges` (`Idempotency-Key` required) → 201 charge; 402 `card_declined` /
 * `insufficient_funds`; 500 `processing_error`; 503 `temporarily_unavailable`; 400 `invalid_token`;
 * 409 `key_reused` / `request_in_progress`; a replay with `Idempotent-Replayed: true`.
 */
export function makeHandler(deps: CreateChargeHandlerDependencies): ProxyHandler {
  return httpHandler(
    { body: CreateChargeBody, query: NoQuery, logger: deps.logger, errorResult: processorErrorResult },
    async (request) =>
      processorResult(
        await deps.createCharge({
          idempotencyKey: idempotencyKeyOf(request.event),
          request: request.body,
          requestId: request.requestId,
          remainingTimeMs: request.context?.getRemainingTimeInMillis(),
        }),
      ),
  );
}
