import { ConcurrencyError } from '../../../shared/errors/app-error';
import type { ApiGatewayProxyEvent, ApiGatewayProxyResult } from '../../../shared/http/api-gateway-proxy';
import type { HttpInterceptor } from '../../../shared/http/http-handler';
import { InMemoryProductRepository } from '../../../functions/inventory/adapters/in-memory-product-repository';
import { makeCreateProduct } from '../../../functions/inventory/application/create-product';
import { makeGetProduct } from '../../../functions/inventory/application/get-product';
import { makeRestockProduct } from '../../../functions/inventory/application/restock-product';
import { makeHandler as makeCreateProductHandler } from '../../../functions/inventory/handlers/create-product';
import { makeHandler as makeGetProductHandler } from '../../../functions/inventory/handlers/get-product';
import { makeHandler as makeRestockProductHandler } from '../../../functions/inventory/handlers/restock-product';
import {
  errorBodyOf,
  jsonEvent,
  proxyEvent,
  requestContextOf,
  TEST_STAFF,
  TEST_CUSTOMER,
} from '../http/proxy-event';
import type { Requester } from '../../../shared/identity/requester';
import { fixedContext, nextTick, PRODUCT_ID } from './fixtures';
import type { AppLogger } from '../../../shared/observability/app-logger';

/** Collects what would be logged; 4xx must log nothing. */
class RecordingLogger implements AppLogger {
  debug(): void {
    // Not called by what this test exercises.
  }
  info(): void {
    // Not called by what this test exercises.
  }
  readonly lines: string[] = [];
  error(message: string): void {
    this.lines.push(message);
  }
  warn(message: string): void {
    this.lines.push(message);
  }
}

function inventoryApi() {
  const repository = new InMemoryProductRepository();
  const logger = new RecordingLogger();
  const newContext = () => fixedContext();
  const intercepted: string[] = [];
  const idempotency: HttpInterceptor = async (invocation, proceed) => {
    intercepted.push(invocation.requestId);
    return proceed();
  };
  const create = makeCreateProductHandler({
    createProduct: makeCreateProduct({ repository, newProductId: () => PRODUCT_ID }),
    newContext,
    idempotency,
    logger,
  });
  const get = makeGetProductHandler({ getProduct: makeGetProduct({ repository }), logger });
  const restock = makeRestockProductHandler({
    restockProduct: makeRestockProduct({
      repository,
      retry: {
        maxAttempts: 3,
        firstPauseMs: 0,
        maxElapsedMs: 1_000,
        answerReserveMs: 0,
        sleep: nextTick,
      },
    }),
    newContext,
    logger,
  });
  return { repository, logger, intercepted, create, get, restock };
}

/** Staff create and restock products: those requests come from `TEST_STAFF`. */
const createEvent = (body: unknown, overrides: Partial<ApiGatewayProxyEvent> = {}) =>
  jsonEvent(body, {
    resource: '/products',
    path: '/products',
    requestContext: requestContextOf(TEST_STAFF),
    ...overrides,
  });
const getEvent = (productId: string, overrides: Partial<ApiGatewayProxyEvent> = {}) =>
  proxyEvent({
    resource: '/products/{productId}',
    path: `/products/${productId}`,
    httpMethod: 'GET',
    headers: {},
    pathParameters: { productId },
    ...overrides,
  });
const restockEvent = (productId: string, body: unknown, caller: Requester = TEST_STAFF) =>
  jsonEvent(body, {
    resource: '/products/{productId}/restock',
    path: `/products/${productId}/restock`,
    pathParameters: { productId },
    requestContext: requestContextOf(caller),
  });

const json = (result: ApiGatewayProxyResult): unknown => JSON.parse(result.body);

describe('staff routes', () => {
  test('answer a customer 403 FORBIDDEN before reading the request, and change nothing', async () => {
    // Prepare
    const api = inventoryApi();
    await api.create(createEvent({ name: 'Espresso cup', priceCents: 1_250, stock: 4 }));
    const customer = requestContextOf(TEST_CUSTOMER);
    // Act
    const created = await api.create(
      createEvent({ name: 'Mug', priceCents: 900, stock: 1 }, { requestContext: customer }),
    );
    const malformed = await api.create(createEvent({ name: '' }, { requestContext: customer }));
    const restocked = await api.restock(restockEvent(PRODUCT_ID, { quantity: 5 }, TEST_CUSTOMER));
    // Assess
    expect([created.statusCode, malformed.statusCode, restocked.statusCode]).toEqual([403, 403, 403]);
    expect(json(created)).toMatchObject({
      error: { code: 'FORBIDDEN', message: 'Only staff may create products.' },
    });
    expect(json(restocked)).toMatchObject({
      error: { code: 'FORBIDDEN', message: 'Only staff may restock products.' },
    });
    expect(api.intercepted).toEqual(['req-1']);
    expect(api.repository.outbox.map((event) => event.type)).toEqual(['ProductCreated']);
  });
});

describe('POST /products', () => {
  test('answers 201 with the product, its Location, through the idempotency interceptor', async () => {
    // Prepare
    const api = inventoryApi();
    // Act
    const result = await api.create(createEvent({ name: 'Espresso cup', priceCents: 1_250, stock: 4 }));
    // Assess
    expect(result.statusCode).toBe(201);
    expect(result.headers).toMatchObject({ Location: `/products/${PRODUCT_ID}` });
    expect(json(result)).toEqual({
      productId: PRODUCT_ID,
      name: 'Espresso cup',
      priceCents: 1_250,
      currency: 'USD',
      available: 4,
      reserved: 0,
      sold: 0,
      version: 1,
    });
    expect(api.intercepted).toEqual(['req-1']);
    expect(api.repository.outbox.map((event) => event.type)).toEqual(['ProductCreated']);
  });

  test.each([
    ['an unknown field', { name: 'a', priceCents: 1, stock: 0, colour: 'red' }, 'colour'],
    ['a missing name', { priceCents: 1, stock: 0 }, 'name'],
    ['a blank name', { name: '  ', priceCents: 1, stock: 0 }, 'name'],
    ['a zero price', { name: 'a', priceCents: 0, stock: 0 }, 'priceCents'],
    ['a fractional price', { name: 'a', priceCents: 9.99, stock: 0 }, 'priceCents'],
    ['a price as a string', { name: 'a', priceCents: '100', stock: 0 }, 'priceCents'],
    ['a lower-case currency', { name: 'a', priceCents: 1, currency: 'usd', stock: 0 }, 'currency'],
    ['a negative stock', { name: 'a', priceCents: 1, stock: -1 }, 'stock'],
    ['a stock past the limit', { name: 'a', priceCents: 1, stock: 1e12 }, 'stock'],
  ])('answers 400 VALIDATION_FAILED for %s, before any idempotency record', async (_, body, path) => {
    // Prepare
    const api = inventoryApi();
    // Act
    const result = await api.create(createEvent(body));
    // Assess
    expect(result.statusCode).toBe(400);
    const { error } = errorBodyOf(result);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    expect(api.intercepted).toEqual([]);
    expect(api.repository.outbox).toEqual([]);
    expect(api.logger.lines).toEqual([]);
  });

  test('answers 400 for an unknown query parameter', async () => {
    const api = inventoryApi();
    const result = await api.create(
      createEvent({ name: 'a', priceCents: 1, stock: 0 }, { queryStringParameters: { dryRun: 'true' } }),
    );
    expect(result.statusCode).toBe(400);
  });
});

describe('GET /products/{productId}', () => {
  test('answers 200 with the product', async () => {
    // Prepare
    const api = inventoryApi();
    await api.create(createEvent({ name: 'Espresso cup', priceCents: 1_250, currency: 'EUR', stock: 4 }));
    // Act
    const result = await api.get(getEvent(PRODUCT_ID));
    // Assess
    expect(result.statusCode).toBe(200);
    expect(json(result)).toMatchObject({ productId: PRODUCT_ID, currency: 'EUR', available: 4, version: 1 });
  });

  test('answers 404 PRODUCT_NOT_FOUND for an unknown id, 400 for a malformed one', async () => {
    const api = inventoryApi();
    const unknown = await api.get(getEvent(PRODUCT_ID));
    expect(unknown.statusCode).toBe(404);
    expect(errorBodyOf(unknown).error.code).toBe('PRODUCT_NOT_FOUND');
    for (const malformed of ['42', 'ord_01JD0000000000000000000000', 'prd_01JD000000000000000000000I']) {
      const result = await api.get(getEvent(malformed));
      expect(result.statusCode).toBe(400);
      expect(errorBodyOf(result).error.details).toEqual([expect.objectContaining({ path: 'productId' })]);
    }
  });
});

describe('POST /products/{productId}/restock', () => {
  test('answers 200 with the product after the restock', async () => {
    // Prepare
    const api = inventoryApi();
    await api.create(createEvent({ name: 'Espresso cup', priceCents: 1_250, stock: 4 }));
    // Act
    const result = await api.restock(restockEvent(PRODUCT_ID, { quantity: 6 }));
    // Assess
    expect(result.statusCode).toBe(200);
    expect(json(result)).toMatchObject({ available: 10, version: 2 });
  });

  test.each([0, -2, 1.5, '3', null])('answers 400 for a quantity of %p', async (quantity) => {
    const api = inventoryApi();
    const result = await api.restock(restockEvent(PRODUCT_ID, { quantity }));
    expect(result.statusCode).toBe(400);
    expect(errorBodyOf(result).error.details).toEqual([expect.objectContaining({ path: 'quantity' })]);
  });

  test('answers 404 for an unknown product', async () => {
    const api = inventoryApi();
    const result = await api.restock(restockEvent(PRODUCT_ID, { quantity: 1 }));
    expect(result.statusCode).toBe(404);
    expect(errorBodyOf(result).error.code).toBe('PRODUCT_NOT_FOUND');
  });

  test('answers 409 CONCURRENT_MODIFICATION when the retries are spent', async () => {
    // Prepare
    const handler = makeRestockProductHandler({
      restockProduct: async () => {
        throw new ConcurrencyError('Product was changed by another request; gave up after 10 attempts');
      },
      newContext: () => fixedContext(),
      logger: new RecordingLogger(),
    });
    // Act
    const result = await handler(restockEvent(PRODUCT_ID, { quantity: 1 }));
    // Assess
    expect(result.statusCode).toBe(409);
    expect(errorBodyOf(result).error.code).toBe('CONCURRENT_MODIFICATION');
  });
});
