import type { HttpLogger, ProxyHandler } from '../../../shared/http';
import { chargeListObject } from '../application/answers';
import type { ListCharges } from '../application/list-charges';
import { processorHandler } from './processor-http';
import { ListChargesQuery } from './schemas';

export interface ListChargesHandlerDependencies {
  readonly listCharges: ListCharges;
  readonly logger?: HttpLogger;
}

/** `GET /v1/charges?orderId=` → 200 `{ object: 'list', data: [charge…] }`; 400 without `orderId`. */
export function makeListChargesHandler(deps: ListChargesHandlerDependencies): ProxyHandler {
  return processorHandler({ query: ListChargesQuery, logger: deps.logger }, async ({ query }) => ({
    status: 200,
    body: chargeListObject(await deps.listCharges(query.orderId)),
  }));
}
