import { httpHandler, type HttpLogger, type ProxyHandler } from '../../../shared/http';
import type { GetProduct } from '../application/get-product';
import { toProductResponse } from './product-response';
import { NoQuery, ProductPath } from './schemas';
import { annotate } from '../../../shared/observability/tracer';

export interface GetProductHandlerDependencies {
  readonly getProduct: GetProduct;
  readonly logger?: HttpLogger;
}

/** `GET /products/{productId}` → 200 with the product, 404 `PRODUCT_NOT_FOUND`. */
export function makeHandler(deps: GetProductHandlerDependencies): ProxyHandler {
  return httpHandler(
    { pathParameters: ProductPath, query: NoQuery, logger: deps.logger },
    async ({ pathParameters: { productId } }) => {
      annotate({ productId });
      return { statusCode: 200, body: toProductResponse(await deps.getProduct(productId)) };
    },
  );
}
