import { decodeCursor, encodeCursor } from '../../../functions/orders/adapters/list-cursor';
import {
  makeGetOrder,
  makeGetOrderHistory,
  makeListUserOrders,
} from '../../../functions/orders/application/order-queries';
import { makeHandler as makeGetOrderHandler } from '../../../functions/orders/handlers/get-order';
import { makeHandler as makeHistoryHandler } from '../../../functions/orders/handlers/get-order-events';
import { makeHandler as makeListHandler } from '../../../functions/orders/handlers/list-user-orders';
import type { OrderView } from '../../../functions/orders/ports/order-views';
import { errorBodyOf, proxyEvent, requestContextOf, TEST_STAFF } from '../http/proxy-event';
import { fixedContext } from '../event-sourcing/fixed-context';
import {
  CARD,
  FakeSagaStatus,
  InMemoryKnownUsers,
  InMemoryOrderViews,
  KEYBOARD,
  orderStore,
  recordingLogger,
  runnerOn,
  USER_ID,
} from './fakes';

const OTHER_USER = 'usr_01JD0000000000000000000002';
const orderId = (n: number) => `ord_01JD00000000000000000000${String(n).padStart(2, '0')}`;

function view(n: number, userId = USER_ID): OrderView {
  return {
    orderId: orderId(n),
    userId,
    items: [{ productId: KEYBOARD, quantity: 1, unitPriceCents: 100 }],
    totalCents: 100,
    currency: 'USD',
    status: 'PENDING',
    version: 1,
    createdAt: '2026-11-26T12:00:00.000Z',
    updatedAt: '2026-11-26T12:00:00.000Z',
  };
}

async function readModelWith(...views: OrderView[]) {
  const model = new InMemoryOrderViews();
  for (const v of views) await model.save(v, 0);
  return model;
}

/** The orders context has heard of both users of these tests. */
const bothKnown = () => new InMemoryKnownUsers(USER_ID, OTHER_USER);

const get = (path: string, overrides: Parameters<typeof proxyEvent>[0]) =>
  proxyEvent({ httpMethod: 'GET', path, headers: {}, ...overrides });

describe('order queries', () => {
  describe('GET /orders/{orderId}', () => {
    it('answers 200 with the view', async () => {
      // Prepare
      const handler = makeGetOrderHandler({
        getOrder: makeGetOrder({ views: await readModelWith(view(1)) }),
      });

      // Act
      const result = await handler(
        get(`/orders/${orderId(1)}`, {
          resource: '/orders/{orderId}',
          pathParameters: { orderId: orderId(1) },
        }),
      );

      // Assess
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body)).toEqual(view(1));
    });

    it.each<[string, string, number, string]>([
      ['an order the read model does not have', orderId(9), 404, 'ORDER_NOT_FOUND'],
      ['a malformed order id', 'ord_123', 400, 'VALIDATION_FAILED'],
    ])('answers %s with %s', async (_label, id, status, code) => {
      // Prepare
      const handler = makeGetOrderHandler({
        getOrder: makeGetOrder({ views: await readModelWith(view(1)) }),
      });

      // Act
      const result = await handler(
        get(`/orders/${id}`, { resource: '/orders/{orderId}', pathParameters: { orderId: id } }),
      );

      // Assess
      expect(result.statusCode).toBe(status);
      expect(errorBodyOf(result).error.code).toBe(code);
    });
  });

  describe('who may read an order', () => {
    const asCaller = (caller: { userId: string; isStaff: boolean }, path: string, resource: string) =>
      get(path, {
        resource,
        pathParameters: { orderId: orderId(1) },
        requestContext: requestContextOf(caller),
      });
    const stranger = { userId: OTHER_USER, isStaff: false };

    async function history() {
      const store = orderStore();
      await runnerOn(store).run(
        orderId(1),
        {
          type: 'CreateOrder',
          orderId: orderId(1),
          userId: USER_ID,
          items: [{ productId: KEYBOARD, quantity: 1, unitPriceCents: 5 }],
          currency: 'USD',
          saga: 'orchestrated',
          payment: CARD,
        },
        fixedContext(),
      );
      return makeHistoryHandler({ getOrderHistory: makeGetOrderHistory({ store }) });
    }

    /** The order and its events, read by `caller`. */
    async function readAs(caller: { userId: string; isStaff: boolean }) {
      const getOrder = makeGetOrderHandler({
        getOrder: makeGetOrder({ views: await readModelWith(view(1)) }),
      });
      const getEvents = await history();
      return {
        order: await getOrder(asCaller(caller, `/orders/${orderId(1)}`, '/orders/{orderId}')),
        events: await getEvents(asCaller(caller, `/orders/${orderId(1)}/events`, '/orders/{orderId}/events')),
      };
    }

    it('answers staff the order and its events', async () => {
      const { order, events } = await readAs(TEST_STAFF);
      expect([order.statusCode, events.statusCode]).toEqual([200, 200]);
    });

    it('answers another customer 404 ORDER_NOT_FOUND for the order and its events, as for an unknown order', async () => {
      const { order, events } = await readAs(stranger);
      expect([order.statusCode, events.statusCode]).toEqual([404, 404]);
      expect(errorBodyOf(order)).toEqual({
        error: { code: 'ORDER_NOT_FOUND', message: expect.stringContaining(orderId(1)) as unknown },
        requestId: 'req-1',
      });
      expect(errorBodyOf(events).error.code).toBe('ORDER_NOT_FOUND');
    });
  });

  describe('GET /orders/{orderId} of an orchestrated order', () => {
    const getOne = (id: string) =>
      get(`/orders/${id}`, { resource: '/orders/{orderId}', pathParameters: { orderId: id } });

    async function setup(sagaStyle: OrderView['sagaStyle']) {
      const sagaStatus = new FakeSagaStatus();
      const log = recordingLogger();
      const views = await readModelWith({
        ...view(1),
        ...(sagaStyle === undefined ? {} : { sagaStyle }),
      });
      const handler = makeGetOrderHandler({ getOrder: makeGetOrder({ views, sagaStatus, logger: log }) });
      return { sagaStatus, log, handler };
    }

    it('shows the saga execution, read live, with the step it is in', async () => {
      // Prepare
      const { sagaStatus, handler } = await setup('orchestrated');
      sagaStatus.executions.set(orderId(1), { status: 'RUNNING', currentStep: 'WaitForApproval' });

      // Act
      const result = await handler(getOne(orderId(1)));

      // Assess
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body)).toEqual({
        ...view(1),
        sagaStyle: 'orchestrated',
        saga: {
          executionArn: `arn:aws:states:us-east-1:123456789012:execution:PlaceOrder:${orderId(1)}`,
          status: 'RUNNING',
          currentStep: 'WaitForApproval',
        },
      });
    });

    it('says NOT_STARTED while the saga has not started yet', async () => {
      // Prepare
      const { handler } = await setup('orchestrated');

      // Act
      const result = await handler(getOne(orderId(1)));

      // Assess
      expect((JSON.parse(result.body) as { saga: unknown }).saga).toMatchObject({ status: 'NOT_STARTED' });
    });

    it('answers the order with the saga UNKNOWN when Step Functions cannot be reached, and logs it', async () => {
      // Prepare
      const { sagaStatus, log, handler } = await setup('orchestrated');
      sagaStatus.unavailable = true;

      // Act
      const result = await handler(getOne(orderId(1)));

      // Assess
      expect(result.statusCode).toBe(200);
      expect((JSON.parse(result.body) as { saga: unknown }).saga).toEqual({
        executionArn: sagaStatus.executionArnOf(orderId(1)),
        status: 'UNKNOWN',
      });
      expect(log.lines).toEqual([
        expect.objectContaining({
          level: 'warn',
          attributes: expect.objectContaining({ orderId: orderId(1) }) as unknown,
        }),
      ]);
    });

    it.each<[string, OrderView['sagaStyle']]>([
      ['a choreographed order', 'choreographed'],
      ['an order projected before its saga style was recorded', undefined],
    ])('shows no saga for %s', async (_label, sagaStyle) => {
      // Prepare
      const { handler } = await setup(sagaStyle);

      // Act
      const result = await handler(getOne(orderId(1)));

      // Assess
      expect(JSON.parse(result.body)).not.toHaveProperty('saga');
    });
  });

  describe('GET /users/{userId}/orders', () => {
    const list = (query: Record<string, string> | null, userId = USER_ID) =>
      get(`/users/${userId}/orders`, {
        resource: '/users/{userId}/orders',
        pathParameters: { userId },
        queryStringParameters: query,
      });

    it('pages through the user’s orders newest first, and only theirs', async () => {
      // Prepare
      const views = await readModelWith(view(1), view(2), view(3, OTHER_USER), view(4), view(5));
      const handler = makeListHandler({
        listUserOrders: makeListUserOrders({ views, knownUsers: bothKnown() }),
      });

      // Act
      const first = JSON.parse((await handler(list({ limit: '2' }))).body) as {
        orders: OrderView[];
        nextCursor: string;
      };
      const second = JSON.parse((await handler(list({ limit: '2', cursor: first.nextCursor }))).body) as {
        orders: OrderView[];
        nextCursor: string | null;
      };

      // Assess
      expect(first.orders.map((o) => o.orderId)).toEqual([orderId(5), orderId(4)]);
      expect(second.orders.map((o) => o.orderId)).toEqual([orderId(2), orderId(1)]);
      expect(second.nextCursor).toBeNull();
    });

    it('answers GET /users/me/orders with the caller’s own orders', async () => {
      // Prepare
      const views = await readModelWith(view(1), view(2, OTHER_USER));
      const handler = makeListHandler({
        listUserOrders: makeListUserOrders({ views, knownUsers: bothKnown() }),
      });

      // Act
      const result = await handler(
        get('/users/me/orders', { resource: '/users/me/orders', pathParameters: null }),
      );

      // Assess
      expect(result.statusCode).toBe(200);
      expect((JSON.parse(result.body) as { orders: OrderView[] }).orders.map((o) => o.orderId)).toEqual([
        orderId(1),
      ]);
    });

    it('answers staff any user’s orders, and another customer 403 FORBIDDEN', async () => {
      // Prepare
      const views = await readModelWith(view(1), view(2, OTHER_USER));
      const handler = makeListHandler({
        listUserOrders: makeListUserOrders({ views, knownUsers: bothKnown() }),
      });
      const asCaller = (caller: { userId: string; isStaff: boolean }) => ({
        ...list(null, OTHER_USER),
        requestContext: requestContextOf(caller),
      });

      // Act
      const byStaff = await handler(asCaller(TEST_STAFF));
      const byCustomer = await handler(asCaller({ userId: USER_ID, isStaff: false }));

      // Assess
      expect(byStaff.statusCode).toBe(200);
      expect((JSON.parse(byStaff.body) as { orders: OrderView[] }).orders.map((o) => o.orderId)).toEqual([
        orderId(2),
      ]);
      expect(byCustomer.statusCode).toBe(403);
      expect(errorBodyOf(byCustomer).error.code).toBe('FORBIDDEN');
    });

    it('answers a user without orders with an empty page', async () => {
      // Prepare
      const handler = makeListHandler({
        listUserOrders: makeListUserOrders({ views: await readModelWith(), knownUsers: bothKnown() }),
      });

      // Act
      const result = await handler(list(null));

      // Assess
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body)).toEqual({ orders: [], nextCursor: null });
    });

    it.each<[string, Record<string, string>, string, string]>([
      [
        'a tampered cursor',
        { cursor: `${encodeCursor(orderId(4)).slice(0, -3)}xyz` },
        'INVALID_CURSOR',
        USER_ID,
      ],
      ['a cursor that is not base64url JSON', { cursor: 'not a cursor!' }, 'INVALID_CURSOR', USER_ID],
      ['a zero limit', { limit: '0' }, 'VALIDATION_FAILED', USER_ID],
      ['a limit over 100', { limit: '101' }, 'VALIDATION_FAILED', USER_ID],
      ['a limit that is not a number', { limit: 'ten' }, 'VALIDATION_FAILED', USER_ID],
      ['an unknown query parameter', { status: 'PENDING' }, 'VALIDATION_FAILED', USER_ID],
      ['a malformed user id', {}, 'VALIDATION_FAILED', 'alice'],
    ])('answers %s with 400 %s', async (_label, query, code, userId) => {
      // Prepare
      const handler = makeListHandler({
        listUserOrders: makeListUserOrders({
          views: await readModelWith(view(4), view(5)),
          knownUsers: bothKnown(),
        }),
      });

      // Act
      const result = await handler(list(query, userId));

      // Assess
      expect(result.statusCode).toBe(400);
      expect(errorBodyOf(result).error.code).toBe(code);
    });
  });

  describe('GET /users/{userId}/orders of a user the orders context may not know', () => {
    const UNKNOWN_USER = 'usr_01JD00000000000000000000ZZ';
    const listOf = (
      caller: { userId: string; isStaff: boolean },
      userId?: string,
      query: Record<string, string> | null = null,
    ) =>
      get(userId === undefined ? '/users/me/orders' : `/users/${userId}/orders`, {
        resource: userId === undefined ? '/users/me/orders' : '/users/{userId}/orders',
        pathParameters: userId === undefined ? null : { userId },
        queryStringParameters: query,
        requestContext: requestContextOf(caller),
      });

    async function handlerKnowing(knownUsers: InMemoryKnownUsers, ...views: OrderView[]) {
      return makeListHandler({
        listUserOrders: makeListUserOrders({ views: await readModelWith(...views), knownUsers }),
      });
    }

    it('answers staff 404 USER_NOT_FOUND, in the error body, for a user it has never heard of', async () => {
      // Prepare
      const handler = await handlerKnowing(new InMemoryKnownUsers(USER_ID), view(1));

      // Act
      const result = await handler(listOf(TEST_STAFF, UNKNOWN_USER));

      // Assess
      expect(result.statusCode).toBe(404);
      expect(errorBodyOf(result)).toEqual({
        error: { code: 'USER_NOT_FOUND', message: expect.stringContaining(UNKNOWN_USER) as unknown },
        requestId: 'req-1',
      });
    });

    it('answers staff 200 with an empty page for a known user without orders', async () => {
      // Prepare
      const handler = await handlerKnowing(new InMemoryKnownUsers(USER_ID, OTHER_USER), view(1));

      // Act
      const result = await handler(listOf(TEST_STAFF, OTHER_USER));

      // Assess
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body)).toEqual({ orders: [], nextCursor: null });
    });

    it('answers staff the orders of a user whose UserRegistered has not arrived: an order proves its user', async () => {
      // Prepare
      const handler = await handlerKnowing(new InMemoryKnownUsers(), view(1));

      // Act
      const result = await handler(listOf(TEST_STAFF, USER_ID));

      // Assess
      expect(result.statusCode).toBe(200);
      expect((JSON.parse(result.body) as { orders: OrderView[] }).orders.map((o) => o.orderId)).toEqual([
        orderId(1),
      ]);
    });

    it.each<[string, string | undefined]>([
      ['GET /users/me/orders', undefined],
      ['their own id', UNKNOWN_USER],
    ])('never refuses a user not known yet their own list, read by %s', async (_label, userId) => {
      // Prepare
      const handler = await handlerKnowing(new InMemoryKnownUsers(USER_ID));
      const newcomer = { userId: UNKNOWN_USER, isStaff: false };

      // Act
      const result = await handler(listOf(newcomer, userId));

      // Assess
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body)).toEqual({ orders: [], nextCursor: null });
    });

    it('never refuses staff their own list, known or not', async () => {
      // Prepare
      const handler = await handlerKnowing(new InMemoryKnownUsers());

      // Act
      const results = await Promise.all([
        handler(listOf(TEST_STAFF)),
        handler(listOf(TEST_STAFF, TEST_STAFF.userId)),
      ]);

      // Assess
      expect(results.map((result) => result.statusCode)).toEqual([200, 200]);
    });

    it('answers a customer 403 FORBIDDEN for another user, known or not: the check tells them nothing', async () => {
      // Prepare
      const handler = await handlerKnowing(new InMemoryKnownUsers(USER_ID, OTHER_USER));
      const customer = { userId: USER_ID, isStaff: false };

      // Act
      const [known, unknown] = await Promise.all([
        handler(listOf(customer, OTHER_USER)),
        handler(listOf(customer, UNKNOWN_USER)),
      ]);

      // Assess
      expect([known, unknown].map((result) => [result.statusCode, errorBodyOf(result).error.code])).toEqual([
        [403, 'FORBIDDEN'],
        [403, 'FORBIDDEN'],
      ]);
      expect(errorBodyOf(known).error.message).toBe(errorBodyOf(unknown).error.message);
    });

    it('answers a malformed request 400 before it asks whether the user exists', async () => {
      // Prepare
      const handler = await handlerKnowing(new InMemoryKnownUsers());

      // Act
      const results = await Promise.all([
        handler(listOf(TEST_STAFF, UNKNOWN_USER, { cursor: 'not a cursor!' })),
        handler(listOf(TEST_STAFF, UNKNOWN_USER, { limit: '0' })),
      ]);

      // Assess
      expect(results.map((result) => [result.statusCode, errorBodyOf(result).error.code])).toEqual([
        [400, 'INVALID_CURSOR'],
        [400, 'VALIDATION_FAILED'],
      ]);
    });
  });

  describe('the list cursor', () => {
    it('round-trips the last order id', () => {
      expect(decodeCursor(encodeCursor(orderId(7)))).toBe(orderId(7));
    });

    it.each<[string, string]>([
      [
        'another shape',
        Buffer.from(JSON.stringify({ v: 1, after: orderId(7), extra: 1 })).toString('base64url'),
      ],
      ['another version', Buffer.from(JSON.stringify({ v: 2, after: orderId(7) })).toString('base64url')],
      [
        'an id that is not an order’s',
        Buffer.from(JSON.stringify({ v: 1, after: USER_ID })).toString('base64url'),
      ],
      ['JSON that is not an object', Buffer.from('"x"').toString('base64url')],
    ])('refuses %s', (_label, cursor) => {
      expect(() => decodeCursor(cursor)).toThrow(
        expect.objectContaining({ code: 'INVALID_CURSOR' }) as Error,
      );
    });
  });

  describe('GET /orders/{orderId}/events', () => {
    it('answers the order’s events from the event store, oldest first', async () => {
      // Prepare
      const store = orderStore();
      const runner = runnerOn(store);
      const id = orderId(1);
      await runner.run(
        id,
        {
          type: 'CreateOrder',
          orderId: id,
          userId: USER_ID,
          items: [{ productId: KEYBOARD, quantity: 1, unitPriceCents: 5 }],
          currency: 'USD',
          saga: 'orchestrated',
          payment: CARD,
        },
        fixedContext(),
      );
      await runner.run(id, { type: 'CancelOrder', orderId: id, reason: 'x' }, fixedContext());
      const handler = makeHistoryHandler({ getOrderHistory: makeGetOrderHistory({ store }) });

      // Act
      const result = await handler(
        get(`/orders/${id}/events`, {
          resource: '/orders/{orderId}/events',
          pathParameters: { orderId: id },
        }),
      );

      // Assess
      expect(result.statusCode).toBe(200);
      const body = JSON.parse(result.body) as {
        orderId: string;
        events: { type: string; version: number }[];
      };
      expect(body.orderId).toBe(id);
      expect(body.events.map((e) => [e.version, e.type])).toEqual([
        [1, 'OrderCreated'],
        [2, 'OrderCancelled'],
      ]);
    });

    it('answers an order without events with 404', async () => {
      // Prepare
      const handler = makeHistoryHandler({ getOrderHistory: makeGetOrderHistory({ store: orderStore() }) });

      // Act
      const result = await handler(
        get(`/orders/${orderId(3)}/events`, {
          resource: '/orders/{orderId}/events',
          pathParameters: { orderId: orderId(3) },
        }),
      );

      // Assess
      expect(result.statusCode).toBe(404);
      expect(errorBodyOf(result).error.code).toBe('ORDER_NOT_FOUND');
    });
  });
});
