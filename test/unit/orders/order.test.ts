import type { EventPayload } from '../../../shared/event-sourcing/domain-event';
import {
  type ConfirmPayment,
  type CreateOrder,
  type OrderCommand,
  orderDecider,
  type OrderEvent,
  type OrderLine,
  type OrderState,
} from '../../../functions/orders/domain/order';
import {
  InvalidOrderError,
  OrderCancelledError,
  OrderNotAwaitingApprovalError,
  OrderNotCancellableError,
  OrderNotConfirmableError,
  OrderNotPaidError,
  OrderStateError,
  PaymentAmountMismatchError,
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

const payment = { method: 'card' } as const;
const created: EventPayload<OrderEvent> = {
  type: 'OrderCreated',
  data: {
    orderId,
    userId: 'usr_1',
    items: lines,
    totalCents: 2_599,
    currency: 'USD',
    saga: 'orchestrated',
    payment,
  },
};
const create: CreateOrder = {
  type: 'CreateOrder',
  orderId,
  userId: 'usr_1',
  items: lines,
  currency: 'USD',
  saga: 'orchestrated',
  payment,
};
const cancel: OrderCommand = { type: 'CancelOrder', orderId, reason: 'changed my mind' };
const ship: OrderCommand = { type: 'ShipOrder', orderId, carrier: 'UPS', trackingNumber: '1Z999' };
const requestApproval: OrderCommand = { type: 'RequestApproval', orderId };
const approve: OrderCommand = { type: 'Approve', orderId, comment: 'known customer' };
const reject: OrderCommand = { type: 'Reject', orderId };
const confirm: ConfirmPayment = { type: 'ConfirmPayment', orderId, chargeId: 'ch_1', amountCents: 2_599 };

const approvalRequested: EventPayload<OrderEvent> = { type: 'OrderApprovalRequested', data: { orderId } };
const approved: EventPayload<OrderEvent> = {
  type: 'OrderApproved',
  data: { orderId, saga: 'orchestrated' },
};
const rejected: EventPayload<OrderEvent> = {
  type: 'OrderRejected',
  data: { orderId, saga: 'orchestrated' },
};
const paid: EventPayload<OrderEvent> = {
  type: 'OrderPaid',
  data: { orderId, chargeId: 'ch_1', amountCents: 2_599 },
};
const cancelled: EventPayload<OrderEvent> = {
  type: 'OrderCancelled',
  data: { orderId, reason: 'APPROVAL_TIMEOUT' },
};
const shipped: EventPayload<OrderEvent> = {
  type: 'OrderShipped',
  data: { orderId, carrier: 'UPS', trackingNumber: '1' },
};

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
      { type: 'OrderCancelled', data: { orderId, reason: 'changed my mind', saga: 'orchestrated' } },
    ]);
  });

  test('cancelling a cancelled order succeeds with no new event', () => {
    expect(given(created, { type: 'OrderCancelled', data: { orderId, reason: 'x' } }).when(cancel)()).toEqual(
      [],
    );
  });

  test('a shipped order cannot be cancelled', () => {
    expect(given(created, shipped).when(cancel)).toThrow(OrderNotCancellableError);
  });

  test('an unpaid order cannot ship', () => {
    expect(given(created).when(ship)).toThrow(OrderNotPaidError);
  });

  test.each<[string, OrderCommand]>([
    ['cancel', cancel],
    ['ship', ship],
    ['request approval', requestApproval],
    ['approve', approve],
    ['reject', reject],
    ['confirm payment', confirm],
  ])('%s on an order that does not exist is refused', (_label, command) => {
    expect(given().when(command)).toThrow(OrderStateError);
  });

  test('evolve keeps the order’s contents and records the cancellation reason', () => {
    const { state } = given(created, { type: 'OrderCancelled', data: { orderId, reason: 'out of stock' } });
    expect(state).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'out of stock',
      totalCents: 2_599,
    });
  });

  describe('approval', () => {
    test('a pending order is put to an approval', () => {
      expect(given(created).when(requestApproval)()).toEqual([approvalRequested]);
      expect(given(created, approvalRequested).state).toMatchObject({ status: 'AWAITING_APPROVAL' });
    });

    test('asking again while the order waits changes nothing (a retried step)', () => {
      expect(given(created, approvalRequested).when(requestApproval)()).toEqual([]);
    });

    test('asking again after a decision the saga never got puts the order back to waiting', () => {
      // Prepare
      const { when } = given(created, approvalRequested, approved);

      // Act
      const events = when(requestApproval)();

      // Assess
      expect(events).toEqual([approvalRequested]);
      expect(given(created, approvalRequested, approved, approvalRequested).state).toMatchObject({
        status: 'AWAITING_APPROVAL',
      });
      expect(given(created, approvalRequested, approved, approvalRequested).state).not.toHaveProperty(
        'approval',
      );
    });

    test('a cancelled order cannot be put to an approval', () => {
      expect(given(created, cancelled).when(requestApproval)).toThrow(OrderCancelledError);
    });

    test('a paid order needs no approval', () => {
      expect(given(created, paid).when(requestApproval)).toThrow(OrderStateError);
    });

    test('approving records the decision with the comment and makes the order pending again', () => {
      // Prepare
      const { when } = given(created, approvalRequested);

      // Act
      const events = when(approve)();

      // Assess
      expect(events).toEqual([
        { type: 'OrderApproved', data: { orderId, comment: 'known customer', saga: 'orchestrated' } },
      ]);
      expect(given(created, approvalRequested, approved).state).toMatchObject({
        status: 'PENDING',
        approval: 'APPROVED',
      });
    });

    test('rejecting records the decision without a comment when none is given', () => {
      expect(given(created, approvalRequested).when(reject)()).toEqual([rejected]);
      expect(given(created, approvalRequested, rejected).state).toMatchObject({
        status: 'PENDING',
        approval: 'REJECTED',
      });
    });

    test.each<[string, OrderCommand, EventPayload<OrderEvent>[]]>([
      ['approving an approved order', approve, [created, approvalRequested, approved]],
      ['rejecting a rejected order', reject, [created, approvalRequested, rejected]],
      [
        'approving an approved order since cancelled',
        approve,
        [created, approvalRequested, approved, cancelled],
      ],
    ])('%s is harmless: no event', (_label, command, history) => {
      expect(given(...history).when(command)()).toEqual([]);
    });

    test.each<[string, OrderCommand, EventPayload<OrderEvent>[]]>([
      ['approving an order nobody asked about', approve, [created]],
      ['rejecting an approved order', reject, [created, approvalRequested, approved]],
      ['approving a rejected order', approve, [created, approvalRequested, rejected]],
      ['approving a cancelled order', approve, [created, approvalRequested, cancelled]],
      ['rejecting a paid order', reject, [created, paid]],
    ])('%s is refused with 409 ORDER_NOT_AWAITING_APPROVAL', (_label, command, history) => {
      const act = given(...history).when(command);
      expect(act).toThrow(OrderNotAwaitingApprovalError);
      expect(act).toThrow(expect.objectContaining({ code: 'ORDER_NOT_AWAITING_APPROVAL' }) as Error);
    });

    test.each<[string, EventPayload<OrderEvent>[]]>([
      ['awaiting approval', [created, approvalRequested]],
      ['approved', [created, approvalRequested, approved]],
      ['rejected', [created, approvalRequested, rejected]],
    ])('an order %s can be cancelled', (_label, history) => {
      expect(given(...history).when(cancel)()).toEqual([
        { type: 'OrderCancelled', data: { orderId, reason: 'changed my mind', saga: 'orchestrated' } },
      ]);
    });
  });

  describe('payment', () => {
    test('confirming a payment of the total makes a pending order PAID', () => {
      expect(given(created).when(confirm)()).toEqual([paid]);
      expect(given(created, paid).state).toMatchObject({ status: 'PAID' });
    });

    test('an approved order is confirmed', () => {
      expect(given(created, approvalRequested, approved).when(confirm)()).toEqual([paid]);
    });

    test.each<[string, EventPayload<OrderEvent>[]]>([
      ['a paid order', [created, paid]],
      ['a shipped order', [created, paid, shipped]],
    ])('confirming %s again records nothing (a retried step)', (_label, history) => {
      expect(given(...history).when(confirm)()).toEqual([]);
    });

    test.each<[string, EventPayload<OrderEvent>[]]>([
      ['a cancelled order', [created, cancelled]],
      ['an order awaiting approval', [created, approvalRequested]],
      ['a rejected order', [created, approvalRequested, rejected]],
    ])('%s cannot be confirmed: OrderNotConfirmable', (_label, history) => {
      expect(given(...history).when(confirm)).toThrow(OrderNotConfirmableError);
    });

    test('a payment of another amount than the total is refused', () => {
      expect(given(created).when({ ...confirm, amountCents: 2_598 })).toThrow(PaymentAmountMismatchError);
    });

    test('a paid order cannot be cancelled, and can ship', () => {
      expect(given(created, paid).when(cancel)).toThrow(OrderNotCancellableError);
      expect(given(created, paid).when(ship)()).toEqual([
        { type: 'OrderShipped', data: { orderId, carrier: 'UPS', trackingNumber: '1Z999' } },
      ]);
    });

    test('the approval decision is kept through payment', () => {
      expect(given(created, approvalRequested, approved, paid).state).toMatchObject({
        status: 'PAID',
        approval: 'APPROVED',
      });
    });
  });
});
