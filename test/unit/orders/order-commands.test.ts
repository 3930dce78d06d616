import {
  DEFAULT_CANCELLATION_REASON,
  makeCancelOrder,
} from '../../../functions/orders/application/cancel-order';
import { OrderNotFoundError } from '../../../functions/orders/application/errors';
import { makeShipOrder } from '../../../functions/orders/application/ship-order';
import { OrderNotCancellableError, OrderNotPaidError } from '../../../functions/orders/domain/errors';
import type { OrderEvent } from '../../../functions/orders/domain/order';
import { makeHandler as makeCancelHandler } from '../../../functions/orders/handlers/cancel-order';
import { makeHandler as makeShipHandler } from '../../../functions/orders/handlers/ship-order';
import { fixedContext } from '../event-sourcing/fixed-context';
import { errorBodyOf, jsonEvent, requestContextOf, TEST_STAFF } from '../http/proxy-event';
import type { Requester } from '../../../shared/identity/requester';
import { fixedCommandContext, KEYBOARD, noIdempotency, orderStore, runnerOn, OWNER, USER_ID } from './fakes';

const ORDER_ID = 'ord_01JD0000000000000000000007';

function event(version: number, type: OrderEvent['type'], data: OrderEvent['data']): OrderEvent {
  return {
    eventId: `seed-${version}`,
    type,
    aggregateType: 'Order',
    aggregateId: ORDER_ID,
    version,
    occurredAt: '2026-11-26T11:00:00.000Z',
    correlationId: 'seed',
    causationId: 'seed',
    schemaVersion: 1,
    data,
  } as OrderEvent;
}

const created = event(1, 'OrderCreated', {
  orderId: ORDER_ID,
  userId: USER_ID,
  items: [{ productId: KEYBOARD, quantity: 1, unitPriceCents: 4_999 }],
  totalCents: 4_999,
  currency: 'USD',
  saga: 'orchestrated',
});
const shipped = event(2, 'OrderShipped', { orderId: ORDER_ID, carrier: 'UPS', trackingNumber: '1Z' });

async function given(...history: OrderEvent[]) {
  const store = orderStore();
  if (history.length > 0) await store.append(ORDER_ID, 0, history);
  const runner = runnerOn(store);
  return { store, cancelOrder: makeCancelOrder({ runner }), shipOrder: makeShipOrder({ runner }) };
}

const cancelRequest = (body: unknown, orderId = ORDER_ID, caller: Requester = OWNER) =>
  jsonEvent(body, {
    resource: '/orders/{orderId}/cancel',
    path: `/orders/${orderId}/cancel`,
    pathParameters: { orderId },
    requestContext: requestContextOf(caller),
  });
/** Staff ship orders: requests come from `TEST_STAFF` unless a test names another caller. */
const shipRequest = (body: unknown, orderId = ORDER_ID, caller: Requester = TEST_STAFF) =>
  jsonEvent(body, {
    resource: '/orders/{orderId}/ship',
    path: `/orders/${orderId}/ship`,
    pathParameters: { orderId },
    requestContext: requestContextOf(caller),
  });

describe('cancelling an order', () => {
  it('appends OrderCancelled with the client’s reason', async () => {
    // Prepare
    const { store, cancelOrder } = await given(created);

    // Act
    const result = await cancelOrder(
      { orderId: ORDER_ID, reason: 'found it cheaper', requester: OWNER },
      fixedContext(),
    );

    // Assess
    expect(result).toEqual({ orderId: ORDER_ID, status: 'CANCELLED' });
    const events = await store.load(ORDER_ID);
    expect(events.map((e) => [e.version, e.type, e.data])).toEqual([
      [1, 'OrderCreated', created.data],
      [2, 'OrderCancelled', { orderId: ORDER_ID, reason: 'found it cheaper', saga: 'orchestrated' }],
    ]);
  });

  it('records a default reason when the client gives none', async () => {
    // Prepare
    const { store, cancelOrder } = await given(created);

    // Act
    await cancelOrder({ orderId: ORDER_ID, requester: OWNER }, fixedContext());

    // Assess
    expect((await store.load(ORDER_ID))[1]?.data).toEqual({
      orderId: ORDER_ID,
      reason: DEFAULT_CANCELLATION_REASON,
      saga: 'orchestrated',
    });
  });

  it('succeeds again on a cancelled order without a second event', async () => {
    // Prepare
    const { store, cancelOrder } = await given(created);
    await cancelOrder({ orderId: ORDER_ID, requester: OWNER }, fixedContext());

    // Act
    const again = await cancelOrder({ orderId: ORDER_ID, reason: 'again', requester: OWNER }, fixedContext());

    // Assess
    expect(again).toEqual({ orderId: ORDER_ID, status: 'CANCELLED' });
    expect(await store.load(ORDER_ID)).toHaveLength(2);
  });

  it('lets 10 concurrent cancels all succeed with exactly one OrderCancelled', async () => {
    // Prepare
    const { store, cancelOrder } = await given(created);

    // Act
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        cancelOrder({ orderId: ORDER_ID, reason: `r${index}`, requester: OWNER }, fixedContext()),
      ),
    );

    // Assess
    expect(results).toHaveLength(10);
    const cancelled = (await store.load(ORDER_ID)).filter((e) => e.type === 'OrderCancelled');
    expect(cancelled).toHaveLength(1);
  });

  it('refuses a shipped order with 409 ORDER_NOT_CANCELLABLE', async () => {
    // Prepare
    const { cancelOrder } = await given(created, shipped);

    // Act
    const result = cancelOrder({ orderId: ORDER_ID, requester: OWNER }, fixedContext());

    // Assess
    await expect(result).rejects.toThrow(OrderNotCancellableError);
  });

  it('answers an unknown order with 404 ORDER_NOT_FOUND', async () => {
    // Prepare
    const { cancelOrder } = await given();

    // Act
    const result = cancelOrder({ orderId: ORDER_ID, requester: OWNER }, fixedContext());

    // Assess
    await expect(result).rejects.toThrow(OrderNotFoundError);
  });

  describe('POST /orders/{orderId}/cancel', () => {
    it('answers 202 and passes the reason on', async () => {
      // Prepare
      const { cancelOrder, store } = await given(created);
      const handler = makeCancelHandler({
        cancelOrder,
        idempotency: noIdempotency,
        commandContext: fixedCommandContext,
      });

      // Act
      const result = await handler(cancelRequest({ reason: 'late' }));

      // Assess
      expect(result.statusCode).toBe(202);
      expect(JSON.parse(result.body)).toEqual({ orderId: ORDER_ID, status: 'CANCELLED' });
      expect((await store.load(ORDER_ID))[1]?.data).toEqual({
        orderId: ORDER_ID,
        reason: 'late',
        saga: 'orchestrated',
      });
    });

    it.each<[string, unknown, string, number, string]>([
      ['an unknown order', {}, 'ord_01JD00000000000000000000ZZ', 404, 'ORDER_NOT_FOUND'],
      ['a malformed order id', {}, 'order-7', 400, 'VALIDATION_FAILED'],
      ['an unknown field', { reason: 'x', refund: true }, ORDER_ID, 400, 'VALIDATION_FAILED'],
      ['an empty reason', { reason: '   ' }, ORDER_ID, 400, 'VALIDATION_FAILED'],
      ['a reason that is not a string', { reason: 7 }, ORDER_ID, 400, 'VALIDATION_FAILED'],
    ])('answers %s with %s', async (_label, body, orderId, status, code) => {
      // Prepare
      const { cancelOrder } = await given(created);
      const handler = makeCancelHandler({
        cancelOrder,
        idempotency: noIdempotency,
        commandContext: fixedCommandContext,
      });

      // Act
      const result = await handler(cancelRequest(body, orderId));

      // Assess
      expect(result.statusCode).toBe(status);
      expect(errorBodyOf(result).error.code).toBe(code);
    });

    it('lets staff cancel, and answers another customer 404 ORDER_NOT_FOUND, appending nothing', async () => {
      // Prepare
      const { store, cancelOrder } = await given(created);
      const handler = makeCancelHandler({
        cancelOrder,
        idempotency: noIdempotency,
        commandContext: fixedCommandContext,
      });
      const stranger = { userId: 'usr_01JD0000000000000000000009', isStaff: false };

      // Act
      const byStranger = await handler(cancelRequest({}, ORDER_ID, stranger));
      const eventsAfterStranger = (await store.load(ORDER_ID)).length;
      const byStaff = await handler(cancelRequest({}, ORDER_ID, TEST_STAFF));

      // Assess
      expect(byStranger.statusCode).toBe(404);
      expect(errorBodyOf(byStranger).error.code).toBe('ORDER_NOT_FOUND');
      expect(eventsAfterStranger).toBe(1);
      expect(byStaff.statusCode).toBe(202);
      expect((await store.load(ORDER_ID)).map((event) => event.type)).toEqual([
        'OrderCreated',
        'OrderCancelled',
      ]);
    });

    it('answers a shipped order with 409 ORDER_NOT_CANCELLABLE', async () => {
      // Prepare
      const { cancelOrder } = await given(created, shipped);
      const handler = makeCancelHandler({
        cancelOrder,
        idempotency: noIdempotency,
        commandContext: fixedCommandContext,
      });

      // Act
      const result = await handler(cancelRequest({}));

      // Assess
      expect(result.statusCode).toBe(409);
      expect(errorBodyOf(result).error).toEqual({
        code: 'ORDER_NOT_CANCELLABLE',
        message: `Order ${ORDER_ID} cannot be cancelled: it is SHIPPED.`,
      });
    });
  });
});

describe('shipping an order', () => {
  it('refuses an unpaid order with 409 ORDER_NOT_PAID and appends nothing', async () => {
    // Prepare
    const { store, shipOrder } = await given(created);

    // Act
    const result = shipOrder({ orderId: ORDER_ID, carrier: 'UPS', trackingNumber: '1Z' }, fixedContext());

    // Assess
    await expect(result).rejects.toThrow(OrderNotPaidError);
    expect(await store.load(ORDER_ID)).toHaveLength(1);
  });

  it('answers an unknown order with 404 ORDER_NOT_FOUND', async () => {
    // Prepare
    const { shipOrder } = await given();

    // Act
    const result = shipOrder({ orderId: ORDER_ID, carrier: 'UPS', trackingNumber: '1Z' }, fixedContext());

    // Assess
    await expect(result).rejects.toThrow(OrderNotFoundError);
  });

  describe('POST /orders/{orderId}/ship', () => {
    it('answers an unpaid order with 409 "Cannot ship unpaid order"', async () => {
      // Prepare
      const { shipOrder } = await given(created);
      const handler = makeShipHandler({
        shipOrder,
        idempotency: noIdempotency,
        commandContext: fixedCommandContext,
      });

      // Act
      const result = await handler(shipRequest({ carrier: 'UPS', trackingNumber: '1Z' }));

      // Assess
      expect(result.statusCode).toBe(409);
      expect(errorBodyOf(result).error).toEqual({
        code: 'ORDER_NOT_PAID',
        message: `Cannot ship unpaid order ${ORDER_ID}.`,
      });
    });

    it('answers a customer, even the order’s own, 403 FORBIDDEN', async () => {
      // Prepare
      const { shipOrder } = await given(created);
      const handler = makeShipHandler({
        shipOrder,
        idempotency: noIdempotency,
        commandContext: fixedCommandContext,
      });

      // Act
      const result = await handler(shipRequest({ carrier: 'UPS', trackingNumber: '1Z' }, ORDER_ID, OWNER));

      // Assess
      expect(result.statusCode).toBe(403);
      expect(errorBodyOf(result).error).toEqual({
        code: 'FORBIDDEN',
        message: 'Only staff may ship orders.',
      });
    });

    it.each<[string, unknown]>([
      ['no tracking number', { carrier: 'UPS' }],
      ['an empty carrier', { carrier: '', trackingNumber: '1Z' }],
      ['an unknown field', { carrier: 'UPS', trackingNumber: '1Z', signed: true }],
    ])('answers %s with 400 VALIDATION_FAILED', async (_label, body) => {
      // Prepare
      const { shipOrder } = await given(created);
      const handler = makeShipHandler({
        shipOrder,
        idempotency: noIdempotency,
        commandContext: fixedCommandContext,
      });

      // Act
      const result = await handler(shipRequest(body));

      // Assess
      expect(result.statusCode).toBe(400);
      expect(errorBodyOf(result).error.code).toBe('VALIDATION_FAILED');
    });
  });
});
