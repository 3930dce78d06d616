import { makeCreateOrder, type CreateOrderInput } from '../../../functions/orders/application/create-order';
import { CurrencyMismatchError, UnknownProductError } from '../../../functions/orders/application/errors';
import { orderRunner } from '../../../functions/orders/application/order-runner';
import { OrderStateError } from '../../../functions/orders/domain/errors';
import type { SagaStyle } from '../../../functions/orders/domain/order';
import type { SagaStyleSetting } from '../../../functions/orders/ports/saga-style-setting';
import { makeHandler } from '../../../functions/orders/handlers/create-order';
import type { HttpInterceptor } from '../../../shared/http';
import { DependencyUnavailableError } from '../../../shared/errors/app-error';
import { IdempotencyKeyReusedError } from '../../../shared/idempotency';
import { errorBodyOf, jsonEvent, requestContextOf, TEST_CUSTOMER } from '../http/proxy-event';
import { FIXED_NOW, fixedContext } from '../event-sourcing/fixed-context';
import {
  CARD,
  CARD_INPUT,
  InMemoryCardVault,
  EURO_MUG,
  FakeProductCatalog,
  fixedCommandContext,
  KEYBOARD,
  MOUSE,
  noIdempotency,
  orderStore,
  runnerOn,
  UNKNOWN,
  ID_TOKEN,
  USER_ID,
} from './fakes';
import { silentLogger } from '../../../shared/observability/app-logger';

const ORDER_ID = 'ord_01JD0000000000000000000042';
/** The id the second request mints: it never holds an order when that request repeats the first. */
const SECOND_ORDER_ID = 'ord_01JD0000000000000000000043';
const THIRD_ORDER_ID = 'ord_01JD0000000000000000000044';
const REQUEST_KEY = 'key-1';
const ACCOUNT_ID = 'acc_01JD0000000000000000000001';

/** Mints the given ids in order, as each request of a test would. */
function orderIds(...ids: string[]): () => string {
  let minted = 0;
  return () => {
    const id = ids[minted++];
    if (id === undefined) throw new Error(`the test minted more than ${ids.length} order ids`);
    return id;
  };
}

/** The deployment's saga style, as a test sets it. */
class SettableSagaStyle implements SagaStyleSetting {
  style: SagaStyle = 'orchestrated';

  async current(): Promise<SagaStyle> {
    return this.style;
  }
}

function setup() {
  const store = orderStore();
  const catalog = new FakeProductCatalog();
  const sagaStyle = new SettableSagaStyle();
  const cardVault = new InMemoryCardVault();
  const createOrder = makeCreateOrder({
    runner: runnerOn(store),
    store,
    catalog,
    cardVault,
    newOrderId: orderIds(ORDER_ID, SECOND_ORDER_ID, THIRD_ORDER_ID),
    sagaStyle,
    approvalThresholdCents: 100_000,
  });
  const handler = makeHandler({
    createOrder,
    idempotency: noIdempotency,
    commandContext: fixedCommandContext,
  });
  return { store, catalog, cardVault, createOrder, handler, sagaStyle };
}

const post = (body: unknown, headers: Record<string, string> = {}) =>
  jsonEvent(body, {
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': REQUEST_KEY, ...headers },
  });

/** A request of two lines, as the client sent it. */
const twoLines: CreateOrderInput = {
  userId: USER_ID,
  authorization: ID_TOKEN,
  items: [
    { productId: KEYBOARD, quantity: 2 },
    { productId: MOUSE, quantity: 1 },
  ],
  payment: CARD_INPUT,
  requestKey: REQUEST_KEY,
};

describe('creating an order', () => {
  describe('the use case', () => {
    it('prices each line at the inventory’s price and appends OrderCreated as version 1, in the deployment’s saga style', async () => {
      // Prepare
      const { store, createOrder, sagaStyle } = setup();
      sagaStyle.style = 'choreographed';

      // Act
      const placed = await createOrder(twoLines, fixedContext());

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
            approvalRequired: false,
            payment: CARD,
          },
        },
      ]);
    });

    it.each<[string, 'orchestrated' | 'choreographed', number, boolean | undefined]>([
      ['a choreographed order at the threshold waits for an approval', 'choreographed', 11_248, true],
      ['a choreographed order below it does not', 'choreographed', 11_249, false],
      ['an orchestrated order leaves it to its state machine', 'orchestrated', 11_248, undefined],
    ])('%s (approvalRequired)', async (_label, style, thresholdCents, approvalRequired) => {
      // Prepare
      const store = orderStore();
      const sagaStyle = new SettableSagaStyle();
      sagaStyle.style = style;
      const createOrder = makeCreateOrder({
        runner: runnerOn(store),
        store,
        catalog: new FakeProductCatalog(),
        cardVault: new InMemoryCardVault(),
        newOrderId: () => ORDER_ID,
        sagaStyle,
        approvalThresholdCents: thresholdCents,
      });

      // Act
      await createOrder(twoLines, fixedContext());

      // Assess
      const [created] = await store.load(ORDER_ID);
      expect(created?.type).toBe('OrderCreated');
      expect(created?.data).toEqual(expect.objectContaining({ totalCents: 11_248, saga: style }));
      expect((created?.data as { approvalRequired?: boolean }).approvalRequired).toBe(approvalRequired);
    });

    it('reads nothing of the new order, neither events nor snapshot, before appending it', async () => {
      // Prepare: snapshots on, so that loading the order would read its snapshot too
      const store = orderStore();
      const load = jest.spyOn(store, 'load');
      const loadSnapshot = jest.spyOn(store, 'loadSnapshot');
      const createOrder = makeCreateOrder({
        runner: orderRunner(store, { snapshotEvery: 10 }),
        store,
        catalog: new FakeProductCatalog(),
        cardVault: new InMemoryCardVault(),
        newOrderId: () => ORDER_ID,
        sagaStyle: new SettableSagaStyle(),
        approvalThresholdCents: 100_000,
      });

      // Act
      await createOrder(twoLines, fixedContext());

      // Assess
      expect(load).not.toHaveBeenCalled();
      expect(loadSnapshot).not.toHaveBeenCalled();
      expect(await store.load(ORDER_ID)).toHaveLength(1);
    });

    it('refuses a minted id that already holds an order with ORDER_STATE_CONFLICT, appending nothing', async () => {
      // Prepare: an id minted twice, as a colliding ULID would be
      const store = orderStore();
      const createOrder = makeCreateOrder({
        runner: runnerOn(store),
        store,
        catalog: new FakeProductCatalog(),
        cardVault: new InMemoryCardVault(),
        newOrderId: orderIds(ORDER_ID, ORDER_ID),
        sagaStyle: new SettableSagaStyle(),
        approvalThresholdCents: 100_000,
      });
      await createOrder(twoLines, fixedContext());

      // Act
      const collided = createOrder({ ...twoLines, requestKey: 'key-2' }, fixedContext());

      // Assess
      await expect(collided).rejects.toThrow(new OrderStateError(`Order ${ORDER_ID} already exists.`));
      await expect(collided).rejects.toMatchObject({ code: 'ORDER_STATE_CONFLICT' });
      expect(await store.load(ORDER_ID)).toHaveLength(1);
    });

    it('hands the card token to the card vault under the new order, and records the method alone', async () => {
      // Prepare
      const { store, cardVault, createOrder } = setup();

      // Act
      await createOrder(
        {
          userId: USER_ID,
          authorization: ID_TOKEN,
          items: [{ productId: MOUSE, quantity: 1 }],
          payment: { method: 'card', token: 'tok_1' },
          requestKey: REQUEST_KEY,
        },
        fixedContext(),
      );

      // Assess
      expect(cardVault.tokens).toEqual(new Map([[ORDER_ID, 'tok_1']]));
      const [created] = await store.load(ORDER_ID);
      expect(created?.data).toMatchObject({ payment: { method: 'card' } });
      expect(JSON.stringify(await store.load(ORDER_ID))).not.toContain('tok_1');
    });

    it('places no order when the card vault cannot be reached: 503, nothing appended, retry is safe', async () => {
      // Prepare
      const { store, cardVault, createOrder } = setup();
      cardVault.failing = true;

      // Act
      const failed = createOrder(twoLines, fixedContext());

      // Assess
      await expect(failed).rejects.toBeInstanceOf(DependencyUnavailableError);
      expect(await store.load(ORDER_ID)).toEqual([]);

      // Act: the client's retry, the vault back
      cardVault.failing = false;
      const placed = await createOrder(twoLines, fixedContext());

      // Assess
      expect(placed.orderId).toBe(SECOND_ORDER_ID);
      expect(cardVault.tokens.get(SECOND_ORDER_ID)).toBe('tok_visa');
    });

    it('keeps no token for an order paid from an account', async () => {
      // Prepare
      const { cardVault, createOrder } = setup();

      // Act
      await createOrder(
        { ...twoLines, payment: { method: 'account', accountId: ACCOUNT_ID } },
        fixedContext(),
      );

      // Assess
      expect(cardVault.tokens.size).toBe(0);
    });

    it('refuses unknown products with 422 UNKNOWN_PRODUCT naming each one, and appends nothing', async () => {
      // Prepare
      const { store, createOrder } = setup();
      const other = 'prd_01JD00000000000000000000YY';

      // Act
      const result = createOrder(
        {
          userId: USER_ID,
          authorization: ID_TOKEN,
          items: [
            { productId: UNKNOWN, quantity: 1 },
            { productId: MOUSE, quantity: 1 },
            { productId: other, quantity: 1 },
          ],
          payment: CARD_INPUT,
          requestKey: REQUEST_KEY,
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
          authorization: ID_TOKEN,
          items: [
            { productId: MOUSE, quantity: 1 },
            { productId: EURO_MUG, quantity: 1 },
          ],
          payment: CARD_INPUT,
          requestKey: REQUEST_KEY,
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
      const store = orderStore();
      const createOrder = makeCreateOrder({
        runner: runnerOn(store),
        store,
        catalog,
        cardVault: new InMemoryCardVault(),
        newOrderId: () => ORDER_ID,
        sagaStyle: new SettableSagaStyle(),
        approvalThresholdCents: 100_000,
      });
      const items = Array.from({ length: 50 }, (_, index) => ({
        productId: `prd_01JD0000000000000000000${String(index).padStart(3, '0')}`,
        quantity: 1,
      }));

      // Act
      const placed = await createOrder(
        {
          userId: USER_ID,
          authorization: ID_TOKEN,
          items,
          payment: CARD_INPUT,
          requestKey: REQUEST_KEY,
        },
        fixedContext(),
      );

      // Assess
      expect(placed.totalCents).toBe(5_000);
      expect(maxInFlight).toBe(8);
    });
  });

  describe('retried with the same Idempotency-Key', () => {
    it("takes another customer's same key for another request: each customer's keys are their own", async () => {
      // Prepare
      const { store, createOrder } = setup();
      const first = await createOrder(twoLines, fixedContext());

      // Act
      const other = await createOrder(
        { ...twoLines, userId: 'usr_01JD0000000000000000000002' },
        fixedContext(),
      );

      // Assess
      expect(other.orderId).toBe(SECOND_ORDER_ID);
      expect(first.orderId).toBe(ORDER_ID);
      expect(await store.load(SECOND_ORDER_ID)).toMatchObject([
        { type: 'OrderCreated', data: { userId: 'usr_01JD0000000000000000000002' } },
      ]);
    });

    it('answers a retry that found no idempotency record with the order the key created, appending nothing', async () => {
      // Prepare: the first request created the order; its idempotency record was then lost
      const { store, createOrder } = setup();
      const first = await createOrder(twoLines, fixedContext());

      // Act
      const retried = await createOrder(twoLines, fixedContext());

      // Assess
      expect(retried).toEqual(first);
      expect(retried.orderId).toBe(ORDER_ID);
      expect(await store.load(ORDER_ID)).toHaveLength(1);
      expect(await store.load(SECOND_ORDER_ID)).toEqual([]);
    });

    it('answers the first answer even after the order moved on and the prices changed', async () => {
      // Prepare: the order was cancelled since, and another container prices the keyboard higher
      const { store, createOrder } = setup();
      const first = await createOrder(twoLines, fixedContext());
      await runnerOn(store).run(
        ORDER_ID,
        { type: 'CancelOrder', orderId: ORDER_ID, reason: 'x' },
        fixedContext(),
      );
      const repriced = makeCreateOrder({
        runner: runnerOn(store),
        store,
        catalog: new FakeProductCatalog({
          [KEYBOARD]: { unitPriceCents: 5_999, currency: 'USD' },
          [MOUSE]: { unitPriceCents: 1_250, currency: 'USD' },
        }),
        cardVault: new InMemoryCardVault(),
        newOrderId: orderIds(SECOND_ORDER_ID),
        sagaStyle: new SettableSagaStyle(),
        approvalThresholdCents: 100_000,
      });

      // Act
      const retried = await repriced(twoLines, fixedContext());

      // Assess
      expect(retried).toEqual({ orderId: ORDER_ID, status: 'PENDING', totalCents: 11_248, currency: 'USD' });
      expect(first).toEqual(retried);
      expect(await store.load(SECOND_ORDER_ID)).toEqual([]);
    });

    it.each<[string, Partial<CreateOrderInput>]>([
      [
        'another quantity',
        {
          items: [
            { productId: KEYBOARD, quantity: 3 },
            { productId: MOUSE, quantity: 1 },
          ],
        },
      ],
      [
        'the lines in another order',
        {
          items: [
            { productId: MOUSE, quantity: 1 },
            { productId: KEYBOARD, quantity: 2 },
          ],
        },
      ],
      ['a line fewer', { items: [{ productId: KEYBOARD, quantity: 2 }] }],
      ['an account instead of the card', { payment: { method: 'account', accountId: ACCOUNT_ID } }],
    ])('refuses the key with %s as IdempotencyKeyReusedError, appending nothing', async (_label, change) => {
      // Prepare
      const { store, createOrder } = setup();
      await createOrder(twoLines, fixedContext());

      // Act
      const reused = createOrder({ ...twoLines, ...change }, fixedContext());

      // Assess
      await expect(reused).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
      await expect(reused).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
      expect(await store.load(ORDER_ID)).toHaveLength(1);
      expect(await store.load(SECOND_ORDER_ID)).toEqual([]);
    });

    it('takes another card with the same key as the same request: the order keeps no token to compare', async () => {
      // Prepare: the idempotency record (which hashes the whole body) has expired; the key's claim has not.
      const { store, createOrder } = setup();
      const first = await createOrder(twoLines, fixedContext());

      // Act
      const again = await createOrder(
        { ...twoLines, payment: { method: 'card', token: 'tok_mastercard' } },
        fixedContext(),
      );

      // Assess
      expect(again).toEqual(first);
      expect(await store.load(SECOND_ORDER_ID)).toEqual([]);
    });

    it('creates one order for two concurrent requests with one key, and answers both with it', async () => {
      // Prepare
      const { store, createOrder } = setup();

      // Act
      const [one, other] = await Promise.all([
        createOrder(twoLines, fixedContext()),
        createOrder(twoLines, fixedContext()),
      ]);

      // Assess
      expect(one).toEqual(other);
      const streams = await Promise.all([ORDER_ID, SECOND_ORDER_ID].map((id) => store.load(id)));
      const created = streams.filter((events) => events.length > 0);
      expect(created).toHaveLength(1);
      expect(created[0]?.[0]?.aggregateId).toBe(one.orderId);
    });

    it('creates another order for the same request under another key', async () => {
      // Prepare
      const { store, createOrder } = setup();
      await createOrder(twoLines, fixedContext());

      // Act
      const second = await createOrder({ ...twoLines, requestKey: 'key-2' }, fixedContext());

      // Assess
      expect(second.orderId).toBe(SECOND_ORDER_ID);
      expect(await store.load(SECOND_ORDER_ID)).toHaveLength(1);
    });
  });

  describe('POST /orders', () => {
    it("places the order for the caller, reading prices with the caller's token", async () => {
      // Prepare
      const { handler, store, catalog } = setup();

      // Act
      const result = await handler(
        post(
          { items: [{ productId: KEYBOARD, quantity: 1 }], payment: CARD_INPUT },
          { Authorization: ID_TOKEN },
        ),
      );

      // Assess
      expect(result.statusCode).toBe(202);
      const [created] = await store.load(ORDER_ID);
      expect(created).toMatchObject({ type: 'OrderCreated', data: { userId: TEST_CUSTOMER.userId } });
      expect(catalog.calls).toEqual([
        expect.objectContaining({ productId: KEYBOARD, authorization: ID_TOKEN }),
      ]);
    });

    it('answers 401 UNAUTHORIZED to a request that reached it with no identity, appending nothing', async () => {
      // Prepare
      const { handler, store, catalog } = setup();
      const event = post({ items: [{ productId: KEYBOARD, quantity: 1 }], payment: CARD_INPUT });

      // Act
      const result = await handler({ ...event, requestContext: requestContextOf(undefined) });

      // Assess
      expect(result.statusCode).toBe(401);
      expect(errorBodyOf(result).error.code).toBe('UNAUTHORIZED');
      expect(catalog.calls).toEqual([]);
      expect(await store.load(ORDER_ID)).toEqual([]);
    });

    it('answers 202 with the order and its Location', async () => {
      // Prepare
      const { handler } = setup();

      // Act
      const result = await handler(
        post({ items: [{ productId: KEYBOARD, quantity: 1 }], payment: CARD_INPUT }),
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

    it('gives the price look-ups the invocation’s remaining time as their budget', async () => {
      // Prepare
      const budgets: (number | undefined)[] = [];
      const store = orderStore();
      const handler = makeHandler({
        createOrder: makeCreateOrder({
          runner: runnerOn(store),
          store,
          catalog: {
            priceOf: async (productId, _context, budget) => {
              budgets.push(budget?.remainingTimeMs?.());
              return { productId, unitPriceCents: 100, currency: 'USD' };
            },
          },
          cardVault: new InMemoryCardVault(),
          newOrderId: () => ORDER_ID,
          sagaStyle: new SettableSagaStyle(),
          approvalThresholdCents: 100_000,
        }),
        idempotency: noIdempotency,
        commandContext: fixedCommandContext,
      });
      const lambdaContext = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 18_250 };

      // Act
      const result = await handler(
        post({ items: [{ productId: KEYBOARD, quantity: 1 }], payment: CARD_INPUT }),
        lambdaContext,
      );

      // Assess
      expect(result.statusCode).toBe(202);
      expect(budgets).toEqual([18_250]);
    });

    it('runs the saga style the deployment set (orchestrated by default) and stamps the request’s ids on the event', async () => {
      // Prepare
      const { handler, store } = setup();

      // Act
      await handler(
        post(
          { items: [{ productId: KEYBOARD, quantity: 1 }], payment: CARD_INPUT },
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

    it('claims the Idempotency-Key with the order: a retry answers the order, another body is a 422', async () => {
      // Prepare: no idempotency records, as when they were lost after the first request
      const { handler, store } = setup();
      const body = { items: [{ productId: KEYBOARD, quantity: 1 }], payment: CARD_INPUT };
      const first = await handler(post(body));

      // Act
      const retried = await handler(post(body));
      const reused = await handler(post({ ...body, items: [{ productId: KEYBOARD, quantity: 2 }] }));

      // Assess
      expect(first.statusCode).toBe(202);
      expect(retried.statusCode).toBe(202);
      expect(JSON.parse(retried.body)).toEqual(JSON.parse(first.body));
      expect(retried.headers['Location']).toBe(`/orders/${ORDER_ID}`);
      expect(reused.statusCode).toBe(422);
      expect(errorBodyOf(reused).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(await store.load(SECOND_ORDER_ID)).toEqual([]);
      expect(await store.load(THIRD_ORDER_ID)).toEqual([]);
    });

    it('refuses a request without an Idempotency-Key with 400 even when no interceptor does, appending nothing', async () => {
      // Prepare
      const { handler, store } = setup();
      const body = { items: [{ productId: KEYBOARD, quantity: 1 }], payment: CARD_INPUT };

      // Act
      const result = await handler(jsonEvent(body, { headers: { 'Content-Type': 'application/json' } }));

      // Assess
      expect(result.statusCode).toBe(400);
      expect(errorBodyOf(result).error.code).toBe('IDEMPOTENCY_KEY_MISSING');
      expect(await store.load(ORDER_ID)).toEqual([]);
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
      const body = { items: [{ productId: KEYBOARD, quantity: 1 }], payment: CARD_INPUT };

      // Act
      await handler(post(body));

      // Assess
      expect(seen).toEqual([JSON.stringify(body)]);
    });

    it.each<[string, unknown, string]>([
      ['no items', { items: [], payment: CARD_INPUT }, 'items must not be empty'],
      [
        '51 items',
        {
          payment: CARD_INPUT,
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
          items: [
            { productId: KEYBOARD, quantity: 1 },
            { productId: KEYBOARD, quantity: 2 },
          ],
          payment: CARD_INPUT,
        },
        'items[1].productId must not repeat a product of an earlier item',
      ],
      [
        'a zero quantity',
        { items: [{ productId: KEYBOARD, quantity: 0 }], payment: CARD_INPUT },
        'items[0].quantity must be at least 1',
      ],
      [
        'a quantity over 1000',
        { items: [{ productId: KEYBOARD, quantity: 1001 }], payment: CARD_INPUT },
        'items[0].quantity must be at most 1000',
      ],
      [
        'a fractional quantity',
        { items: [{ productId: KEYBOARD, quantity: 1.5 }], payment: CARD_INPUT },
        'items[0].quantity must be an integer',
      ],
      [
        'a malformed product id',
        { items: [{ productId: 'keyboard', quantity: 1 }], payment: CARD_INPUT },
        'items[0].productId must be a product id (prd_ followed by a ULID)',
      ],
      [
        'a userId in the body (the user of an order is its caller)',
        { userId: USER_ID, items: [{ productId: KEYBOARD, quantity: 1 }], payment: CARD_INPUT },
        'userId is not allowed',
      ],
      [
        'a price sent by the client',
        { items: [{ productId: KEYBOARD, quantity: 1, unitPriceCents: 1 }], payment: CARD_INPUT },
        'items[0].unitPriceCents is not allowed',
      ],
      [
        'a saga style in the body (the deployment chooses it)',
        { items: [{ productId: KEYBOARD, quantity: 1 }], saga: 'choreographed', payment: CARD_INPUT },
        'saga is not allowed',
      ],
      [
        'a payment method other than card or account',
        {
          items: [{ productId: KEYBOARD, quantity: 1 }],
          payment: { method: 'cash', token: 't' },
        },
        'payment.method must be one of "card", "account"',
      ],
      [
        'a payment without a method',
        { items: [{ productId: KEYBOARD, quantity: 1 }], payment: { token: 'tok_visa' } },
        'payment.method must be one of "card", "account"',
      ],
      [
        'an account payment without an account',
        { items: [{ productId: KEYBOARD, quantity: 1 }], payment: { method: 'account' } },
        'payment.accountId is required',
      ],
      [
        'an account payment with a malformed account id',
        {
          items: [{ productId: KEYBOARD, quantity: 1 }],
          payment: { method: 'account', accountId: 'acc_savings' },
        },
        'payment.accountId must be an account id (acc_ followed by a ULID)',
      ],
      [
        'an account payment with a card token',
        {
          items: [{ productId: KEYBOARD, quantity: 1 }],
          payment: { method: 'account', accountId: ACCOUNT_ID, token: 'tok_visa' },
        },
        'payment.token is not allowed',
      ],
      ['no payment', { items: [{ productId: KEYBOARD, quantity: 1 }] }, 'payment is required'],
      [
        'a payment without a token',
        { items: [{ productId: KEYBOARD, quantity: 1 }], payment: { method: 'card' } },
        'payment.token is required',
      ],
      [
        'a token that is not a card token',
        {
          items: [{ productId: KEYBOARD, quantity: 1 }],
          payment: { method: 'card', token: '4242424242424242' },
        },
        'payment.token must be a card token',
      ],
      [
        'a token with upper-case letters',
        {
          items: [{ productId: KEYBOARD, quantity: 1 }],
          payment: { method: 'card', token: 'tok_Visa' },
        },
        'payment.token must be a card token',
      ],
      [
        'a token over 64 characters after tok_',
        {
          items: [{ productId: KEYBOARD, quantity: 1 }],
          payment: { method: 'card', token: `tok_${'a'.repeat(65)}` },
        },
        'payment.token must be a card token',
      ],
      [
        'a payment with an unknown field',
        {
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
        post({ items: [{ productId: UNKNOWN, quantity: 1 }], payment: CARD_INPUT }),
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
        logger: { ...silentLogger, warn: (message) => void warnings.push(message) },
      });
      catalog.unavailable = true;

      // Act
      const result = await handler(
        post({ items: [{ productId: KEYBOARD, quantity: 1 }], payment: CARD_INPUT }),
      );

      // Assess
      expect(result.statusCode).toBe(503);
      expect(errorBodyOf(result).error.code).toBe('DEPENDENCY_UNAVAILABLE');
      expect(await store.load(ORDER_ID)).toEqual([]);
      expect(warnings).toEqual(['request failed on an unavailable dependency']);
    });
  });
});
