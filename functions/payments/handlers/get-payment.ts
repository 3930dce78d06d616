import { callerOf, httpHandler, type ProxyHandler } from '../../../shared/http';
import type { GetPayment } from '../application/get-payment';
import { toPaymentResponse } from './payment-response';
import { NoQuery, PaymentPath } from './schemas';
import { annotate } from '../../../shared/observability/tracer';
import type { AppLogger } from '../../../shared/observability/app-logger';

export interface GetPaymentHandlerDependencies {
  readonly getPayment: GetPayment;
  readonly logger?: AppLogger;
}

/**
 * `GET /payments/{orderId}` → 200 with the order's payment, to the customer who pays and staff; 404
 * `PAYMENT_NOT_FOUND` to anyone else.
 */
export function makeHandler(deps: GetPaymentHandlerDependencies): ProxyHandler {
  return httpHandler(
    { pathParameters: PaymentPath, query: NoQuery, logger: deps.logger },
    async ({ pathParameters: { orderId }, event }) => {
      const requester = callerOf(event);
      annotate({ orderId, userId: requester.userId });
      return { statusCode: 200, body: toPaymentResponse(await deps.getPayment(orderId, requester)) };
    },
  );
}
