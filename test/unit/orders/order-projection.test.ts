import { ProjectionConflictError, ProjectionGapError } from '../../../functions/orders/application/errors';
import { makeProjectOrderEvent } from '../../../functions/orders/application/project-order-event';
import { MalformedOrderEventError } from '../../../functions/orders/application/order-view-projection';
import type { OrderEventEnvelope } from '../../../functions/orders/contracts/order-events';
import { makeHandler, type ProjectorLogger } from '../../../functions/orders/handlers/project-order-events';
import type { OrderView } from '../../../functions/orders/ports/order-views';
import { InMemoryOrderViews, KEYBOARD, USER_ID } from './fakes';

const ORDER_ID = 'ord_01JD0000000000000000000011';
const OTHER_ID = 'ord_01JD0000000000000000000012';

function orderEvent(version: number, type: string, data: unknown, orderId = ORDER_ID): OrderEventEnvelope {
  return {
    eventId: `evt-${orderId}-${version}`,
    type,
    aggregateType: 'Order',
    aggregateId: orderId,
    version,
    occurredAt: `2026-11-26T12:00:0${version}.000Z`,
    correlationId: 'corr',
    causationId: 'cause',
    schemaVersion: 1,
    data,
  };
}

const created = (orderId = ORDER_ID) =>
  orderEvent(
    1,
    'OrderCreated',
    {
      orderId,
      userId: USER_ID,
      items: [{ productId: KEYBOARD, quantity: 2, unitPriceCents: 4_999 }],
      totalCents: 9_998,
      currency: 'USD',
      saga: 'orchestrated',
    },
    orderId,
  );
const cancelled = (version = 2) =>
  orderEvent(version, 'OrderCancelled', { orderId: ORDER_ID, reason: 'late' });
const shipped = (version = 2) =>
  orderEvent(version, 'OrderShipped', { orderId: ORDER_ID, carrier: 'UPS', trackingNumber: '1Z' });

/** The SQS message the rule puts on the projection queue for `event`. */
function message(event: OrderEventEnvelope, messageId = `m-${event.aggregateId}-${event.version}`) {
  return {
    messageId,
    body: JSON.stringify({
      version: '0',
      id: 'x',
      'detail-type': event.type,
      source: 'shop.orders',
      detail: event,
    }),
  };
}

const silent: ProjectorLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

describe('projecting orders events into the read model', () => {
  it('builds the view from OrderCreated and moves it with later events', async () => {
    // Prepare
    const views = new InMemoryOrderViews();
    const project = makeProjectOrderEvent({ views });

    // Act
    const outcomes = [await project(created()), await project(cancelled())];

    // Assess
    expect(outcomes).toEqual(['applied', 'applied']);
    expect(await views.get(ORDER_ID)).toEqual<OrderView>({
      orderId: ORDER_ID,
      userId: USER_ID,
      items: [{ productId: KEYBOARD, quantity: 2, unitPriceCents: 4_999 }],
      totalCents: 9_998,
      currency: 'USD',
      status: 'CANCELLED',
      cancellationReason: 'late',
      sagaMode: 'orchestrated',
      version: 2,
      createdAt: '2026-11-26T12:00:01.000Z',
      updatedAt: '2026-11-26T12:00:02.000Z',
    });
  });

  it('marks a shipped order SHIPPED', async () => {
    // Prepare
    const views = new InMemoryOrderViews();
    const project = makeProjectOrderEvent({ views });
    await project(created());

    // Act
    await project(shipped());

    // Assess
    expect(await views.get(ORDER_ID)).toMatchObject({ status: 'SHIPPED', version: 2 });
  });

  it('ignores a duplicate and a stale redelivery without writing', async () => {
    // Prepare
    const views = new InMemoryOrderViews();
    const project = makeProjectOrderEvent({ views });
    await project(created());
    await project(cancelled());
    const before = await views.get(ORDER_ID);

    // Act
    const outcomes = [await project(cancelled()), await project(created())];

    // Assess
    expect(outcomes).toEqual(['duplicate', 'duplicate']);
    expect(await views.get(ORDER_ID)).toEqual(before);
  });

  it('throws on a gap, writes nothing, and applies the event once the missing version is in', async () => {
    // Prepare
    const views = new InMemoryOrderViews();
    const project = makeProjectOrderEvent({ views });
    const third = orderEvent(3, 'OrderShipped', { orderId: ORDER_ID, carrier: 'UPS', trackingNumber: '1Z' });

    // Act
    const early = project(third);

    // Assess
    await expect(early).rejects.toThrow(ProjectionGapError);
    expect(await views.get(ORDER_ID)).toBeUndefined();
    await project(created());
    await expect(project(third)).rejects.toThrow(ProjectionGapError);
    await project(cancelled());
    expect(await project(third)).toBe('applied');
    expect(await views.get(ORDER_ID)).toMatchObject({ status: 'SHIPPED', version: 3 });
  });

  it('lets exactly one of 10 concurrent deliveries of an event apply it', async () => {
    // Prepare
    const views = new InMemoryOrderViews();
    const project = makeProjectOrderEvent({ views });
    await project(created());

    // Act
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => project(cancelled())));

    // Assess
    expect(outcomes.filter((outcome) => outcome === 'applied')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'duplicate')).toHaveLength(9);
    expect(await views.get(ORDER_ID)).toMatchObject({ version: 2 });
  });

  it('throws ProjectionConflictError when the view moved but is still behind the event', async () => {
    // Prepare
    const views = new InMemoryOrderViews();
    await makeProjectOrderEvent({ views })(created());
    const racing = Object.assign(Object.create(views) as InMemoryOrderViews, {
      save: async () => 'version-conflict' as const,
    });

    // Act
    const result = makeProjectOrderEvent({ views: racing })(cancelled());

    // Assess
    await expect(result).rejects.toThrow(ProjectionConflictError);
  });

  it('advances the version over an event type it does not know yet, so later events are not held back', async () => {
    // Prepare
    const views = new InMemoryOrderViews();
    const project = makeProjectOrderEvent({ views });
    await project(created());

    // Act
    await project(orderEvent(2, 'OrderGiftWrapped', { orderId: ORDER_ID }));
    await project(cancelled(3));

    // Assess
    expect(await views.get(ORDER_ID)).toMatchObject({ status: 'CANCELLED', version: 3 });
  });

  it.each<[string, OrderEventEnvelope]>([
    ['a first event that is not OrderCreated', cancelled(1)],
    ['an OrderCreated whose data breaks the contract', orderEvent(1, 'OrderCreated', { orderId: ORDER_ID })],
  ])('refuses %s as malformed', async (_label, event) => {
    // Prepare
    const project = makeProjectOrderEvent({ views: new InMemoryOrderViews() });

    // Act
    const result = project(event);

    // Assess
    await expect(result).rejects.toThrow(MalformedOrderEventError);
  });

  describe('the saga’s events', () => {
    const approvalRequested = orderEvent(2, 'OrderApprovalRequested', { orderId: ORDER_ID });

    async function projected(...events: OrderEventEnvelope[]) {
      const views = new InMemoryOrderViews();
      const project = makeProjectOrderEvent({ views });
      for (const event of [created(), ...events]) await project(event);
      return views.get(ORDER_ID);
    }

    it('records how the order is placed', async () => {
      expect(await projected()).toMatchObject({ sagaMode: 'orchestrated', status: 'PENDING' });
    });

    it('shows an order awaiting approval', async () => {
      expect(await projected(approvalRequested)).toMatchObject({
        status: 'AWAITING_APPROVAL',
        approval: { status: 'REQUESTED', requestedAt: '2026-11-26T12:00:02.000Z' },
        version: 2,
      });
    });

    it('shows the approval decision with its comment, the order pending again', async () => {
      // Act
      const view = await projected(
        approvalRequested,
        orderEvent(3, 'OrderApproved', { orderId: ORDER_ID, comment: 'known customer' }),
      );

      // Assess
      expect(view).toMatchObject({
        status: 'PENDING',
        approval: {
          status: 'APPROVED',
          requestedAt: '2026-11-26T12:00:02.000Z',
          decidedAt: '2026-11-26T12:00:03.000Z',
          comment: 'known customer',
        },
      });
    });

    it('shows a rejection, then the saga’s cancellation with its reason', async () => {
      // Act
      const view = await projected(
        approvalRequested,
        orderEvent(3, 'OrderRejected', { orderId: ORDER_ID }),
        orderEvent(4, 'OrderCancelled', { orderId: ORDER_ID, reason: 'APPROVAL_REJECTED' }),
      );

      // Assess
      expect(view).toMatchObject({
        status: 'CANCELLED',
        cancellationReason: 'APPROVAL_REJECTED',
        approval: { status: 'REJECTED', decidedAt: '2026-11-26T12:00:03.000Z' },
        version: 4,
      });
      expect(view?.approval).not.toHaveProperty('comment');
    });

    it('shows a paid order with its charge', async () => {
      // Act
      const view = await projected(
        orderEvent(2, 'OrderPaid', { orderId: ORDER_ID, chargeId: 'ch_1', amountCents: 9_998 }),
      );

      // Assess
      expect(view).toMatchObject({
        status: 'PAID',
        payment: { chargeId: 'ch_1', amountCents: 9_998, paidAt: '2026-11-26T12:00:02.000Z' },
      });
    });

    it.each<[string, OrderEventEnvelope]>([
      ['an OrderPaid without a charge', orderEvent(2, 'OrderPaid', { orderId: ORDER_ID, amountCents: 1 })],
      [
        'an OrderApproved with a numeric comment',
        orderEvent(2, 'OrderApproved', { orderId: ORDER_ID, comment: 7 }),
      ],
    ])('refuses %s as malformed', async (_label, event) => {
      // Prepare
      const views = new InMemoryOrderViews();
      const project = makeProjectOrderEvent({ views });
      await project(created());

      // Act
      const result = project(event);

      // Assess
      await expect(result).rejects.toThrow(MalformedOrderEventError);
    });
  });

  describe('the SQS handler', () => {
    it('applies an order’s events in version order whatever their order in the batch', async () => {
      // Prepare
      const views = new InMemoryOrderViews();
      const handler = makeHandler({ project: makeProjectOrderEvent({ views }), logger: silent });

      // Act
      const response = await handler({
        Records: [message(cancelled()), message(created(OTHER_ID)), message(created())],
      });

      // Assess
      expect(response).toEqual({ batchItemFailures: [] });
      expect(await views.get(ORDER_ID)).toMatchObject({ status: 'CANCELLED', version: 2 });
      expect(await views.get(OTHER_ID)).toMatchObject({ status: 'PENDING', version: 1 });
    });

    it('reports a gap and every later event of its order as failed, and lets other orders through', async () => {
      // Prepare
      const views = new InMemoryOrderViews();
      const handler = makeHandler({ project: makeProjectOrderEvent({ views }), logger: silent });
      const third = orderEvent(3, 'OrderShipped', {
        orderId: ORDER_ID,
        carrier: 'UPS',
        trackingNumber: '1Z',
      });
      const fourth = orderEvent(4, 'OrderGiftWrapped', { orderId: ORDER_ID });

      // Act
      const response = await handler({
        Records: [message(fourth), message(created(OTHER_ID)), message(third)],
      });

      // Assess
      expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual([
        message(third).messageId,
        message(fourth).messageId,
      ]);
      expect(await views.get(OTHER_ID)).toMatchObject({ version: 1 });
      expect(await views.get(ORDER_ID)).toBeUndefined();
    });

    it.each<[string, string]>([
      ['a body that is not JSON', 'not json'],
      ['another context’s event', JSON.stringify({ source: 'shop.inventory', detail: created() })],
      [
        'an envelope without a version',
        JSON.stringify({ source: 'shop.orders', detail: { ...created(), version: undefined } }),
      ],
    ])('reports %s as failed, for the dead-letter queue, and logs it', async (_label, body) => {
      // Prepare
      const errors: string[] = [];
      const handler = makeHandler({
        project: makeProjectOrderEvent({ views: new InMemoryOrderViews() }),
        logger: { ...silent, error: (text: string) => void errors.push(text) },
      });

      // Act
      const response = await handler({ Records: [{ messageId: 'bad', body }] });

      // Assess
      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
      expect(errors).toHaveLength(1);
    });
  });
});
