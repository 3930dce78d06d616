import type { EventPayload } from '../../../shared/event-sourcing/domain-event';
import {
  type OrderCommand,
  orderDecider,
  type OrderEvent,
  type OrderLine,
  type OrderState,
} from '../../../functions/orders/domain/order';
import {
  InvalidOrderError,
  OrderNotCancellableError,
  OrderNotPaidError,
  OrderStateError,
} from '../../../functions/orders/domain/errors';

const orderId = 'ord_01JD0000000000000000000000';
const lines: OrderLine[] = [
  { productId: 'prd_A', quantity: 2, unitPriceCents: 1_250 },
  { productId: 'prd_B', quantity: 1, unitPriceCents: 99 },
];

let version = 0;
const envelope = (payload: EventPayload<OrderEvent>): OrderEvent =>
  ({
    ...payload,
    eventId: `evt-${++version}`,
    aggregateType: 'Order',
    aggregateId: orderId,
    version,
    occurredAt: '2026-11-26T12:00:00.000Z',
    correlationId: 'corr',
    causationId: 'cause',
    schemaVersion: 1,
  }) as OrderEvent;

/** Given past events, when a command is decided: the events it produces (or the error it throws). */
function given(...history: EventPayload<OrderEvent>[]) {
  const state = history.map(envelope).reduce<OrderState>(orderDecider.evolve, orderDecider.initialState);
  return { when: (command: OrderCommand) => () => orderDecider.decide(command, state), state };
}

const created: EventPayload<OrderEvent> = {
  type: 'OrderCreated',
  data: { orderId, userId: 'usr_1', items: lines, totalCents: 2_599, currency: 'USD', saga: 'orchestrated' },
};
const create: OrderCommand = {
  type: 'CreateOrder',
  orderId,
  userId: 'usr_1',
  items: lines,
  currency: 'USD',
  saga: 'orchestrated',
};
const cancel: OrderCommand = { type: 'CancelOrder', orderId, reason: 'changed my mind' };
const ship: OrderCommand = { type: 'ShipOrder', orderId, carrier: 'UPS', trackingNumber: '1Z999' };

describe('Order aggregate', () => {
  test('creating an order totals its lines in integer cents', () => {
    expect(given().when(create)()).toEqual([created]);
  });

  test('an order cannot be created twice', () => {
    expect(given(created).when(create)).toThrow(OrderStateError);
  });

  test.each([
    ['no items', []],
    [
      '51 items',
      Array.from({ length: 51 }, (_, i) => ({ productId: `prd_${i}`, quantity: 1, unitPriceCents: 1 })),
    ],
    ['a duplicate product', [lines[0], lines[0]]],
    ['a zero quantity', [{ productId: 'prd_A', quantity: 0, unitPriceCents: 1 }]],
    ['a fractional quantity', [{ productId: 'prd_A', quantity: 1.5, unitPriceCents: 1 }]],
    ['a quantity over 1000', [{ productId: 'prd_A', quantity: 1_001, unitPriceCents: 1 }]],
    ['a fractional price', [{ productId: 'prd_A', quantity: 1, unitPriceCents: 9.99 }]],
  ])('refuses an order with %s', (_label, items) => {
    expect(given().when({ ...create, items: items as OrderLine[] })).toThrow(InvalidOrderError);
  });

  test('a pending order is cancelled with its reason', () => {
    const { when } = given(created);
    expect(when(cancel)()).toEqual([
      { type: 'OrderCancelled', data: { orderId, reason: 'changed my mind' } },
    ]);
  });

  test('cancelling a cancelled order succeeds with no new event', () => {
    expect(given(created, { type: 'OrderCancelled', data: { orderId, reason: 'x' } }).when(cancel)()).toEqual(
      [],
    );
  });

  test('a shipped order cannot be cancelled', () => {
    const shipped: EventPayload<OrderEvent> = {
      type: 'OrderShipped',
      data: { orderId, carrier: 'UPS', trackingNumber: '1' },
    };
    expect(given(created, shipped).when(cancel)).toThrow(OrderNotCancellableError);
  });

  test('an unpaid order cannot ship', () => {
    expect(given(created).when(ship)).toThrow(OrderNotPaidError);
  });

  test('commands on an order that does not exist are refused', () => {
    expect(given().when(cancel)).toThrow(OrderStateError);
    expect(given().when(ship)).toThrow(OrderStateError);
  });

  test('evolve keeps the order’s contents and records the cancellation reason', () => {
    const { state } = given(created, { type: 'OrderCancelled', data: { orderId, reason: 'out of stock' } });
    expect(state).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'out of stock',
      totalCents: 2_599,
    });
  });
});
