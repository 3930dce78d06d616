import { httpHandler, type ProxyHandler } from '../../../shared/http';
import { chargeListObject } from '../application/answers';
import type { ListCharges } from '../application/list-charges';
import { processorErrorResult } from './processor-http';
import { ListChargesQuery } from './schemas';
import type { AppLogger } from '../../../shared/observability/app-logger';

export interface ListChargesHandlerDependencies {
  readonly listCharges: ListCharges;
  readonly logger?: AppLogger;
}

/** `GET /v1/charges?orderId=` → 200 `{ object: 'list', data: [charge…] }`; 400 without `orderId`. */
export function makeHandler(deps: ListChargesHandlerDependencies): ProxyHandler {
  return httpHandler(
    { query: ListChargesQuery, logger: deps.logger, errorResult: processorErrorResult },
    async ({ query }) => ({
      statusCode: 200,
      body: chargeListObject(await deps.listCharges(query.orderId)),
    }),
  );
}
