import { makeCreateOrder } from '../../../functions/orders/application/create-order';
import { CurrencyMismatchError, UnknownProductError } from '../../../functions/orders/application/errors';
import { makeHandler } from '../../../functions/orders/handlers/create-order';
import type { HttpInterceptor } from '../../../shared/http';
import { errorBodyOf, jsonEvent } from '../http/proxy-event';
import { FIXED_NOW, fixedContext } from '../event-sourcing/fixed-context';
import {
  CARD,
  EURO_MUG,
  FakeProductCatalog,
  fixedCommandContext,
  KEYBOARD,
  MOUSE,
  noIdempotency,
  orderStore,
  runnerOn,
  UNKNOWN,
  USER_ID,
} from './fakes';

const ORDER_ID = 'ord_01JD0000000000000000000042';

function setup() {
  const store = orderStore();
  const catalog = new FakeProductCatalog();
  const createOrder = makeCreateOrder({ runner: runnerOn(store), catalog, newOrderId: () => ORDER_ID });
  const handler = makeHandler({
    createOrder,
    idempotency: noIdempotency,
    commandContext: fixedCommandContext,
  });
  return { store, catalog, createOrder, handler };
}

const post = (body: unknown, headers: Record<string, string> = {}) =>
  jsonEvent(body, {
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'key-1', ...headers },
  });

describe('creating an order', () => {
  describe('the use case', () => {
    it('prices each line at the inventory’s price and appends OrderCreated as version 1', async () => {
      // Prepare
      const { store, createOrder } = setup();

      // Act
      const placed = await createOrder(
        {
          userId: USER_ID,
          items: [
            { productId: KEYBOARD, quantity: 2 },
            { productId: MOUSE, quantity: 1 },
          ],
          saga: 'choreographed',
          payment: CARD,
        },
        fixedContext(),
      );

      // Assess
      expect(placed).toEqual({
        orderId: ORDER_ID,
        status: 'PENDING',
        totalCents: 2 * 4_999 + 1_250,
        currency: 'USD',
      });
      expect(await store.load(ORDER_ID)).toEqual([
        {
          eventId: 'evt-1',
          type: 'OrderCreated',
          aggregateType: 'Order',
          aggregateId: ORDER_ID,
          version: 1,
          occurredAt: FIXED_NOW,
          correlationId: 'corr-1',
          causationId: 'cause-1',
          schemaVersion: 1,
          data: {
            orderId: ORDER_ID,
            userId: USER_ID,
            items: [
              { productId: KEYBOARD, quantity: 2, unitPriceCents: 4_999 },
              { productId: MOUSE, quantity: 1, unitPriceCents: 1_250 },
            ],
            totalCents: 11_248,
            currency: 'USD',
            saga: 'choreographed',
            payment: CARD,
          },
        },
      ]);
    });

    it('keeps the payment token in the event for the payment step', async () => {
      // Prepare
      const { store, createOrder } = setup();

      // Act
      await createOrder(
        {
          userId: USER_ID,
          items: [{ productId: MOUSE, quantity: 1 }],
          saga: 'orchestrated',
          payment: { method: 'card', token: 'tok_1' },
        },
        fixedContext(),
      );

      // Assess
      const [created] = await store.load(ORDER_ID);
      expect(created?.data).toMatchObject({ payment: { method: 'card', token: 'tok_1' } });
    });

    it('refuses unknown products with 422 UNKNOWN_PRODUCT naming each one, and appends nothing', async () => {
      // Prepare
      const { store, createOrder } = setup();
      const other = 'prd_01JD00000000000000000000YY';

      // Act
      const result = createOrder(
        {
          userId: USER_ID,
          items: [
            { productId: UNKNOWN, quantity: 1 },
            { productId: MOUSE, quantity: 1 },
            { productId: other, quantity: 1 },
          ],
          saga: 'orchestrated',
          payment: CARD,
        },
        fixedContext(),
      );

      // Assess
      await expect(result).rejects.toThrow(UnknownProductError);
      await expect(result).rejects.toMatchObject({
        code: 'UNKNOWN_PRODUCT',
        details: [
          { path: 'items.0.productId', message: 'is not a known product' },
          { path: 'items.2.productId', message: 'is not a known product' },
        ],
      });
      expect(await store.load(ORDER_ID)).toEqual([]);
    });

    it('refuses products priced in different currencies with 422 CURRENCY_MISMATCH', async () => {
      // Prepare
      const { store, createOrder } = setup();

      // Act
      const result = createOrder(
        {
          userId: USER_ID,
          items: [
            { productId: MOUSE, quantity: 1 },
            { productId: EURO_MUG, quantity: 1 },
          ],
          saga: 'orchestrated',
          payment: CARD,
        },
        fixedContext(),
      );

      // Assess
      await expect(result).rejects.toThrow(CurrencyMismatchError);
      await expect(result).rejects.toMatchObject({ code: 'CURRENCY_MISMATCH' });
      expect(await store.load(ORDER_ID)).toEqual([]);
    });

    it('asks for prices at most 8 at a time and forwards the correlation id', async () => {
      // Prepare
      let inFlight = 0;
      let maxInFlight = 0;
      const catalog = {
        priceOf: async (productId: string, { correlationId }: { correlationId: string }) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((resolve) => setImmediate(resolve));
          inFlight--;
          expect(correlationId).toBe('corr-1');
          return { productId, unitPriceCents: 100, currency: 'USD' };
        },
      };
      const createOrder = makeCreateOrder({
        runner: runnerOn(orderStore()),
        catalog,
        newOrderId: () => ORDER_ID,
      });
      const items = Array.from({ length: 50 }, (_, index) => ({
        productId: `prd_01JD0000000000000000000${String(index).padStart(3, '0')}`,
        quantity: 1,
      }));

      // Act
      const placed = await createOrder(
        { userId: USER_ID, items, saga: 'orchestrated', payment: CARD },
        fixedContext(),
      );

      // Assess
      expect(placed.totalCents).toBe(5_000);
      expect(maxInFlight).toBe(8);
    });
  });

  describe('POST /orders', () => {
    it('answers 202 with the order and its Location', async () => {
      // Prepare
      const { handler } = setup();

      // Act
      const result = await handler(
        post({ userId: USER_ID, items: [{ productId: KEYBOARD, quantity: 1 }], payment: CARD }),
      );

      // Assess
      expect(result.statusCode).toBe(202);
      expect(result.headers['Location']).toBe(`/orders/${ORDER_ID}`);
      expect(JSON.parse(result.body)).toEqual({
        orderId: ORDER_ID,
        status: 'PENDING',
        totalCents: 4_999,
        currency: 'USD',
      });
    });

    it('defaults the saga to orchestrated and stamps the request’s ids on the event', async () => {
      // Prepare
      const { handler, store } = setup();

      // Act
      await handler(
        post(
          { userId: USER_ID, items: [{ productId: KEYBOARD, quantity: 1 }], payment: CARD },
          { 'X-Correlation-Id': 'flow-9' },
        ),
      );

      // Assess
      const [created] = await store.load(ORDER_ID);
      expect(created).toMatchObject({
        correlationId: 'flow-9',
        causationId: 'req-1',
        data: { saga: 'orchestrated' },
      });
    });

    it('runs the use case inside the idempotency interceptor', async () => {
      // Prepare
      const seen: string[] = [];
      const recording: HttpInterceptor = async (invocation, proceed) => {
        seen.push(JSON.stringify(invocation.json));
        return proceed();
      };
      const { createOrder } = setup();
      const handler = makeHandler({
        createOrder,
        idempotency: recording,
        commandContext: fixedCommandContext,
      });
      const body = { userId: USER_ID, items: [{ productId: KEYBOARD, quantity: 1 }], payment: CARD };

      // Act
      await handler(post(body));

      // Assess
      expect(seen).toEqual([JSON.stringify(body)]);
    });

    it.each<[string, unknown, string]>([
      ['no items', { userId: USER_ID, items: [], payment: CARD }, 'items must not be empty'],
      [
        '51 items',
        {
          userId: USER_ID,
          payment: CARD,
          items: Array.from({ length: 51 }, (_, index) => ({
            productId: `prd_01JD0000000000000000000${String(index).padStart(3, '0')}`,
            quantity: 1,
          })),
        },
        'items must have at most 50 items',
      ],
      [
        'a repeated product',
        {
          userId: USER_ID,
          items: [
            { productId: KEYBOARD, quantity: 1 },
            { productId: KEYBOARD, quantity: 2 },
          ],
          payment: CARD,
        },
        'items[1].productId must not repeat a product of an earlier item',
      ],
      [
        'a zero quantity',
        { userId: USER_ID, items: [{ productId: KEYBOARD, quantity: 0 }], payment: CARD },
        'items[0].quantity must be at least 1',
      ],
      [
        'a quantity over 1000',
        { userId: USER_ID, items: [{ productId: KEYBOARD, quantity: 1001 }], payment: CARD },
        'items[0].quantity must be at most 1000',
      ],
      [
        'a fractional quantity',
        { userId: USER_ID, items: [{ productId: KEYBOARD, quantity: 1.5 }], payment: CARD },
        'items[0].quantity must be an integer',
      ],
      [
        'a malformed product id',
        { userId: USER_ID, items: [{ productId: 'keyboard', quantity: 1 }], payment: CARD },
        'items[0].productId must be a product id (prd_ followed by a ULID)',
      ],
      [
        'a malformed user id',
        { userId: 'bob', items: [{ productId: KEYBOARD, quantity: 1 }], payment: CARD },
        'userId must be',
      ],
      [
        'a price sent by the client',
        { userId: USER_ID, items: [{ productId: KEYBOARD, quantity: 1, unitPriceCents: 1 }], payment: CARD },
        'items[0].unitPriceCents is not allowed',
      ],
      [
        'an unknown saga',
        { userId: USER_ID, items: [{ productId: KEYBOARD, quantity: 1 }], saga: 'improvised', payment: CARD },
        'saga must be one of "orchestrated", "choreographed"',
      ],
      [
        'a payment method other than card',
        {
          userId: USER_ID,
          items: [{ productId: KEYBOARD, quantity: 1 }],
          payment: { method: 'cash', token: 't' },
        },
        'payment.method must be "card"',
      ],
      [
        'no payment',
        { userId: USER_ID, items: [{ productId: KEYBOARD, quantity: 1 }] },
        'payment is required',
      ],
      [
        'a payment without a token',
        { userId: USER_ID, items: [{ productId: KEYBOARD, quantity: 1 }], payment: { method: 'card' } },
        'payment.token is required',
      ],
      [
        'a token that is not a card token',
        {
          userId: USER_ID,
          items: [{ productId: KEYBOARD, quantity: 1 }],
          payment: { method: 'card', token: '4242424242424242' },
        },
        'payment.token must be a card token',
      ],
      [
        'a token with upper-case letters',
        {
          userId: USER_ID,
          items: [{ productId: KEYBOARD, quantity: 1 }],
          payment: { method: 'card', token: 'tok_Visa' },
        },
        'payment.token must be a card token',
      ],
      [
        'a token over 64 characters after tok_',
        {
          userId: USER_ID,
          items: [{ productId: KEYBOARD, quantity: 1 }],
          payment: { method: 'card', token: `tok_${'a'.repeat(65)}` },
        },
        'payment.token must be a card token',
      ],
      [
        'a payment with an unknown field',
        {
          userId: USER_ID,
          items: [{ productId: KEYBOARD, quantity: 1 }],
          payment: { method: 'card', token: 'tok_visa', cvc: '123' },
        },
        'payment.cvc is not allowed',
      ],
    ])('refuses %s with 400 VALIDATION_FAILED before asking inventory', async (_label, body, message) => {
      // Prepare
      const { handler, catalog, store } = setup();

      // Act
      const result = await handler(post(body));

      // Assess
      expect(result.statusCode).toBe(400);
      expect(errorBodyOf(result).error).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: expect.stringContaining(message) as unknown,
      });
      expect(catalog.calls).toEqual([]);
      expect(await store.load(ORDER_ID)).toEqual([]);
    });

    it('answers 422 UNKNOWN_PRODUCT with the path of the unknown line', async () => {
      // Prepare
      const { handler } = setup();

      // Act
      const result = await handler(
        post({ userId: USER_ID, items: [{ productId: UNKNOWN, quantity: 1 }], payment: CARD }),
      );

      // Assess
      expect(result.statusCode).toBe(422);
      expect(errorBodyOf(result).error).toEqual({
        code: 'UNKNOWN_PRODUCT',
        message: `Unknown product: ${UNKNOWN}.`,
        details: [{ path: 'items.0.productId', message: 'is not a known product' }],
      });
    });

    it('answers 503 DEPENDENCY_UNAVAILABLE when inventory cannot be reached, and appends nothing', async () => {
      // Prepare
      const { createOrder, catalog, store } = setup();
      const warnings: string[] = [];
      const handler = makeHandler({
        createOrder,
        idempotency: noIdempotency,
        commandContext: fixedCommandContext,
        logger: { error: () => undefined, warn: (message) => warnings.push(message) },
      });
      catalog.unavailable = true;

      // Act
      const result = await handler(
        post({ userId: USER_ID, items: [{ productId: KEYBOARD, quantity: 1 }], payment: CARD }),
      );

      // Assess
      expect(result.statusCode).toBe(503);
      expect(errorBodyOf(result).error.code).toBe('DEPENDENCY_UNAVAILABLE');
      expect(await store.load(ORDER_ID)).toEqual([]);
      expect(warnings).toEqual(['request failed on an unavailable dependency']);
    });
  });
});
