import { httpHandler, staffOnly, type HttpInterceptor, type ProxyHandler } from '../../../shared/http';
import type { CreateProduct } from '../application/create-product';
import type { CommandContextFactory } from '../../../shared/event-sourcing/command-context';
import { toProductResponse } from './product-response';
import { CreateProductBody, NoQuery } from './schemas';
import { annotate } from '../../../shared/observability/tracer';
import type { AppLogger } from '../../../shared/observability/app-logger';

export interface CreateProductHandlerDependencies {
  readonly createProduct: CreateProduct;
  readonly newContext: CommandContextFactory;
  /** `Idempotency-Key` handling (optional on this route). @default - none */
  readonly idempotency?: HttpInterceptor;
  readonly logger?: AppLogger;
}

/** `POST /products` → 201 with the product and its `Location`. */
export function makeHandler(deps: CreateProductHandlerDependencies): ProxyHandler {
  return httpHandler(
    {
      authorize: staffOnly('create products'),
      body: CreateProductBody,
      query: NoQuery,
      interceptor: deps.idempotency,
      logger: deps.logger,
    },
    async (request) => {
      const product = await deps.createProduct(
        request.body,
        deps.newContext({ correlationId: request.correlationId, causationId: request.requestId }),
      );
      annotate({ productId: product.productId });
      return {
        statusCode: 201,
        body: toProductResponse(product),
        headers: { Location: `/products/${product.productId}` },
      };
    },
  );
}
