import { httpHandler, staffOnly, type HttpInterceptor, type ProxyHandler } from '../../../shared/http';
import { withRequestContext } from '../../../shared/observability/with-request-context';
import type { RestockProduct } from '../application/restock-product';
import type { CommandContextFactory } from '../../../shared/event-sourcing/command-context';
import { toProductResponse } from './product-response';
import { NoQuery, ProductPath, RestockBody } from './schemas';
import { annotate } from '../../../shared/observability/tracer';
import type { AppLogger } from '../../../shared/observability/app-logger';

export interface RestockProductHandlerDependencies {
  readonly restockProduct: RestockProduct;
  readonly newContext: CommandContextFactory;
  /** `Idempotency-Key` handling (optional on this route). @default - none */
  readonly idempotency?: HttpInterceptor;
  readonly logger?: AppLogger;
}

/** `POST /products/{productId}/restock` → 200 with the product after the restock. */
export function makeHandler(deps: RestockProductHandlerDependencies): ProxyHandler {
  return httpHandler(
    {
      authorize: staffOnly('restock products'),
      pathParameters: ProductPath,
      body: RestockBody,
      query: NoQuery,
      interceptor: deps.idempotency,
      logger: deps.logger,
    },
    async (request) => {
      const { productId } = request.pathParameters;
      annotate({ productId });
      // Every log line of the retries names the request and the product.
      const product = await withRequestContext({ correlationId: request.correlationId, productId }, () =>
        deps.restockProduct(
          productId,
          request.body.quantity,
          deps.newContext({ correlationId: request.correlationId, causationId: request.requestId }),
        ),
      );
      return { statusCode: 200, body: toProductResponse(product) };
    },
  );
}
