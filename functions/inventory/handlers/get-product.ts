import { httpHandler, type ProxyHandler } from '../../../shared/http';
import type { GetProduct } from '../application/get-product';
import { toProductResponse } from './product-response';
import { NoQuery, ProductPath } from './schemas';
import { annotate } from '../../../shared/observability/tracer';
import type { AppLogger } from '../../../shared/observability/app-logger';

export interface GetProductHandlerDependencies {
  readonly getProduct: GetProduct;
  readonly logger?: AppLogger;
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
