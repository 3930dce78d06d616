import { makeStartOrderSaga } from '../../../functions/orders/application/start-order-saga';
import type { OrderEventEnvelope } from '../../../functions/orders/contracts/order-events';
import { makeHandler } from '../../../functions/orders/handlers/start-order-saga';
import { CARD, FakeSagaStarter, KEYBOARD, MOUSE, recordingLogger, USER_ID } from './fakes';

const ORDER_ID = 'ord_01JD0000000000000000000041';

function orderCreated(data: Record<string, unknown> = {}, envelope: Partial<OrderEventEnvelope> = {}) {
  return {
    version: '0',
    id: 'eb-1',
    'detail-type': 'OrderCreated',
    source: 'shop.orders',
    account: '000000000000',
    time: '2026-11-26T12:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      eventId: '01JD0000000000000000000001',
      type: 'OrderCreated',
      aggregateType: 'Order',
      aggregateId: ORDER_ID,
      version: 1,
      occurredAt: '2026-11-26T12:00:00.000Z',
      correlationId: 'flow-7',
      causationId: 'req-7',
      traceHeader: 'Root=1-6745a000-000000000000000000000001;Parent=53995c3f42cd8ad8;Sampled=1',
      schemaVersion: 1,
      ...envelope,
      data: {
        orderId: ORDER_ID,
        userId: USER_ID,
        items: [
          { productId: KEYBOARD, quantity: 2, unitPriceCents: 4_999 },
          { productId: MOUSE, quantity: 1, unitPriceCents: 1_250 },
        ],
        totalCents: 11_248,
        currency: 'USD',
        saga: 'orchestrated',
        payment: CARD,
        ...data,
      },
    },
  };
}

function setup() {
  const starter = new FakeSagaStarter();
  const log = recordingLogger();
  const handler = makeHandler({ startOrderSaga: makeStartOrderSaga({ starter }), logger: log });
  return { starter, log, handler };
}

describe('starting the PlaceOrder saga on OrderCreated', () => {
  it('starts an order recorded before the card vault without its token: no execution input holds one', async () => {
    // Prepare
    const { handler, starter } = setup();

    // Act
    await handler(orderCreated({ payment: { method: 'card', token: 'tok_visa' } }));

    // Assess
    expect(starter.started.map((start) => start.input.payment)).toEqual([{ method: 'card' }]);
    expect(JSON.stringify(starter.started)).not.toContain('tok_visa');
  });

  it('starts an execution named after the order with the contract’s input and the order’s trace', async () => {
    // Prepare
    const { handler, starter } = setup();

    // Act
    const result = await handler(orderCreated());

    // Assess
    expect(result).toEqual({ orderId: ORDER_ID, outcome: 'started' });
    expect(starter.started).toEqual([
      {
        input: {
          orderId: ORDER_ID,
          userId: USER_ID,
          items: [
            { productId: KEYBOARD, quantity: 2, unitPriceCents: 4_999 },
            { productId: MOUSE, quantity: 1, unitPriceCents: 1_250 },
          ],
          totalCents: 11_248,
          currency: 'USD',
          payment: { method: 'card' },
          correlationId: 'flow-7',
        },
        traceHeader: 'Root=1-6745a000-000000000000000000000001;Parent=53995c3f42cd8ad8;Sampled=1',
      },
    ]);
  });

  it('passes an account payment on as the order names it, and nothing else the event carried', async () => {
    // Prepare
    const { handler, starter } = setup();
    const payment = { method: 'account', accountId: 'acc_01JD0000000000000000000001' };

    // Act
    await handler(orderCreated({ payment: { ...payment, nickname: 'savings' } }));

    // Assess
    expect(starter.started[0]?.input.payment).toEqual(payment);
  });

  it('treats a redelivered event (the execution exists) as success, and logs it', async () => {
    // Prepare
    const { handler, starter, log } = setup();
    await handler(orderCreated());

    // Act
    const again = await handler(orderCreated());

    // Assess
    expect(again).toEqual({ orderId: ORDER_ID, outcome: 'already-started' });
    expect(starter.started).toHaveLength(1);
    expect(log.lines.at(-1)).toMatchObject({ level: 'info', attributes: { outcome: 'already-started' } });
  });

  it('starts nothing for a choreographed order', async () => {
    // Prepare
    const { handler, starter } = setup();

    // Act
    const result = await handler(orderCreated({ saga: 'choreographed' }));

    // Assess
    expect(result).toEqual({ orderId: ORDER_ID, outcome: 'not-orchestrated' });
    expect(starter.started).toEqual([]);
  });

  it.each<[string, unknown]>([
    ['another event type', { ...orderCreated(), 'detail-type': 'OrderCancelled' }],
    ['another source', { ...orderCreated(), source: 'shop.inventory' }],
    ['an envelope without a correlation id', orderCreated({}, { correlationId: '' })],
    ['data breaking the contract', orderCreated({ totalCents: -1 })],
    ['an order without a payment', orderCreated({ payment: undefined })],
  ])('refuses %s with InvalidSagaInput, for the retries and the dead-letter queue', async (_label, event) => {
    // Prepare
    const { handler, starter } = setup();

    // Act
    const result = handler(event);

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'InvalidSagaInput' });
    expect(starter.started).toEqual([]);
  });

  it('lets a failure to start through, so that Lambda retries it', async () => {
    // Prepare
    const handler = makeHandler({
      startOrderSaga: async () => {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      },
      logger: recordingLogger(),
    });

    // Act
    const result = handler(orderCreated());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});
