import { httpHandler, type ProxyHandler } from '../../../shared/http';
import { chargeObject } from '../application/answers';
import type { GetCharge } from '../application/get-charge';
import { processorErrorResult } from './processor-http';
import { ChargePath, NoQuery } from './schemas';
import type { AppLogger } from '../../../shared/observability/app-logger';

export interface GetChargeHandlerDependencies {
  readonly getCharge: GetCharge;
  readonly logger?: AppLogger;
}

/** `GET /v1/charges/{chargeId}` → 200 charge, 404 `resource_missing`. */
export function makeHandler(deps: GetChargeHandlerDependencies): ProxyHandler {
  return httpHandler(
    { pathParameters: ChargePath, query: NoQuery, logger: deps.logger, errorResult: processorErrorResult },
    async ({ pathParameters }) => ({
      statusCode: 200,
      body: chargeObject(await deps.getCharge(pathParameters.chargeId)),
    }),
  );
}
