import { ProjectionConflictError, ProjectionGapError } from '../../../functions/orders/application/errors';
import { makeProjectOrderEvent } from '../../../functions/orders/application/project-order-event';
import { makeRecordKnownUser } from '../../../functions/orders/application/record-known-user';
import { MalformedOrderEventError } from '../../../functions/orders/application/order-view-projection';
import type { OrderEventEnvelope } from '../../../functions/orders/contracts/order-events';
import { GAP_RETRY_SECONDS, makeHandler } from '../../../functions/orders/handlers/project-order-events';
import type { KnownUser } from '../../../functions/orders/ports/known-users';
import type { OrderView } from '../../../functions/orders/ports/order-views';
import type { UserRegistered } from '../../../functions/users/contracts';
import { InMemoryKnownUsers, InMemoryOrderViews, KEYBOARD, USER_ID } from './fakes';
import type { AppLogger } from '../../../shared/observability/app-logger';

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

const NEW_USER = 'usr_01JD0000000000000000000042';

/** Users' `UserRegistered` of `userId`, as its outbox publishes it. */
function userRegistered(userId = NEW_USER, overrides: Partial<UserRegistered> = {}): UserRegistered {
  return {
    eventId: `evt-${userId}`,
    type: 'UserRegistered',
    aggregateType: 'User',
    aggregateId: userId,
    version: 1,
    occurredAt: '2026-11-26T11:59:00.000Z',
    correlationId: 'cognito-req',
    causationId: 'cognito-req',
    schemaVersion: 1,
    data: { userId },
    ...overrides,
  };
}

/** The SQS message the known-users rule puts on the projection queue for `detail`. */
function userMessage(detail: unknown, messageId = 'm-user') {
  return {
    messageId,
    body: JSON.stringify({
      version: '0',
      id: 'y',
      'detail-type': 'UserRegistered',
      source: 'shop.users',
      detail,
    }),
  };
}

const silent: AppLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** The projector's handler on `views` and `knownUsers`, logging nothing unless told. */
function projector(
  views = new InMemoryOrderViews(),
  knownUsers = new InMemoryKnownUsers(),
  logger: AppLogger = silent,
) {
  return makeHandler({
    project: makeProjectOrderEvent({ views }),
    recordKnownUser: makeRecordKnownUser({ knownUsers }),
    logger,
  });
}

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
      sagaStyle: 'orchestrated',
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

  it('counts each outcome once, when the read model first applies it: placed, paid, cancelled by reason, shipped', async () => {
    // Prepare
    const counted: string[] = [];
    const countOutcome = (metric: string, reason?: string): void => {
      counted.push(reason === undefined ? metric : `${metric}(${reason})`);
    };
    const project = makeProjectOrderEvent({ views: new InMemoryOrderViews(), countOutcome });
    const other = 'ord_01J00000000000000000000002';
    const paid = orderEvent(2, 'OrderPaid', { orderId: other, chargeId: 'ch_1', amountCents: 9_998 }, other);

    // Act: each event twice: a redelivery counts nothing.
    for (const event of [created(), cancelled(), created(), cancelled(), created(other), paid, paid]) {
      await project(event);
    }

    // Assess
    expect(counted).toEqual(['OrdersPlaced', 'OrdersCancelled(late)', 'OrdersPlaced', 'OrdersPaid']);
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
      expect(await projected()).toMatchObject({ sagaStyle: 'orchestrated', status: 'PENDING' });
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
      const handler = projector(views);

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
      const handler = projector(views);
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

    it('makes a gap’s events visible again within a second, and no other failure’s', async () => {
      // Prepare
      const views = new InMemoryOrderViews();
      const early: { receiptHandle: string; seconds: number }[] = [];
      const handler = makeHandler({
        project: makeProjectOrderEvent({ views }),
        recordKnownUser: makeRecordKnownUser({ knownUsers: new InMemoryKnownUsers() }),
        logger: silent,
        changeVisibility: async (receiptHandle, seconds) => void early.push({ receiptHandle, seconds }),
      });
      const withHandle = (event: OrderEventEnvelope) => ({
        ...message(event),
        receiptHandle: `rh-${event.version}`,
      });

      // Act
      const response = await handler({
        Records: [withHandle(cancelled()), { messageId: 'bad', body: 'not json', receiptHandle: 'rh-bad' }],
      });

      // Assess
      expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual([
        'bad',
        message(cancelled()).messageId,
      ]);
      expect(early).toEqual([{ receiptHandle: 'rh-2', seconds: GAP_RETRY_SECONDS }]);
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
      const handler = projector(undefined, undefined, {
        ...silent,
        error: (text: string) => void errors.push(text),
      });

      // Act
      const response = await handler({ Records: [{ messageId: 'bad', body }] });

      // Assess
      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
      expect(errors).toHaveLength(1);
    });
  });

  describe('the users UserRegistered tells of', () => {
    it('records the user as known: the id and when they registered, nothing else', async () => {
      // Prepare
      const knownUsers = new InMemoryKnownUsers();
      const record = makeRecordKnownUser({ knownUsers });

      // Act
      const outcome = await record(userRegistered());

      // Assess
      expect(outcome).toBe('applied');
      expect(await knownUsers.find(NEW_USER)).toEqual<KnownUser>({
        userId: NEW_USER,
        registeredAt: '2026-11-26T11:59:00.000Z',
      });
    });

    it('changes nothing on a duplicate, a redelivery or a late copy with another instant', async () => {
      // Prepare
      const knownUsers = new InMemoryKnownUsers();
      const record = makeRecordKnownUser({ knownUsers });
      await record(userRegistered());
      const before = await knownUsers.find(NEW_USER);

      // Act
      const outcomes = [
        await record(userRegistered()),
        await record(userRegistered()),
        await record(
          userRegistered(NEW_USER, { eventId: 'evt-old', occurredAt: '2026-11-20T08:00:00.000Z' }),
        ),
      ];

      // Assess
      expect(outcomes).toEqual(['duplicate', 'duplicate', 'duplicate']);
      expect(await knownUsers.find(NEW_USER)).toEqual(before);
      expect(knownUsers.writes).toBe(1);
    });

    it('lets exactly one of 10 concurrent deliveries record the user', async () => {
      // Prepare
      const knownUsers = new InMemoryKnownUsers();
      const record = makeRecordKnownUser({ knownUsers });

      // Act
      const outcomes = await Promise.all(Array.from({ length: 10 }, () => record(userRegistered())));

      // Assess
      expect(outcomes.filter((outcome) => outcome === 'applied')).toHaveLength(1);
      expect(knownUsers.writes).toBe(1);
    });

    it('records users from the queue beside orders events, a duplicate in the batch harmlessly', async () => {
      // Prepare
      const views = new InMemoryOrderViews();
      const knownUsers = new InMemoryKnownUsers();
      const handler = projector(views, knownUsers);
      const other = 'usr_01JD0000000000000000000043';

      // Act
      const response = await handler({
        Records: [
          userMessage(userRegistered(), 'u1'),
          message(created()),
          userMessage(userRegistered(other), 'u2'),
          userMessage(userRegistered(), 'u1-again'),
        ],
      });

      // Assess
      expect(response).toEqual({ batchItemFailures: [] });
      expect([...knownUsers.users.keys()].sort()).toEqual([NEW_USER, other]);
      expect(knownUsers.writes).toBe(2);
      expect(await views.get(ORDER_ID)).toMatchObject({ version: 1 });
    });

    it('reports a user not recorded as failed, for redelivery, and lets the rest of the batch through', async () => {
      // Prepare
      const views = new InMemoryOrderViews();
      const failing = Object.assign(new InMemoryKnownUsers(), {
        record: async () => Promise.reject(new Error('the table is throttled')),
      });
      const handler = projector(views, failing);

      // Act
      const response = await handler({
        Records: [userMessage(userRegistered(), 'u1'), message(created())],
      });

      // Assess
      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'u1' }] });
      expect(await views.get(ORDER_ID)).toMatchObject({ version: 1 });
    });

    it.each<[string, unknown]>([
      ['a user id that is not one', userRegistered('alice', { data: { userId: 'alice' } })],
      ['data naming another user than the event', userRegistered(NEW_USER, { data: { userId: USER_ID } })],
      ['another users event type', { ...userRegistered(), type: 'UserRenamed' }],
      ['another aggregate type', { ...userRegistered(), aggregateType: 'Order' }],
      ['an instant that is not one', userRegistered(NEW_USER, { occurredAt: 'yesterday' })],
      ['no data', { ...userRegistered(), data: undefined }],
    ])('reports %s as failed, for the dead-letter queue, and records nothing', async (_label, detail) => {
      // Prepare
      const knownUsers = new InMemoryKnownUsers();
      const errors: string[] = [];
      const handler = projector(undefined, knownUsers, {
        ...silent,
        error: (text: string) => void errors.push(text),
      });

      // Act
      const response = await handler({ Records: [userMessage(detail, 'bad')] });

      // Assess
      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
      expect(errors).toHaveLength(1);
      expect(knownUsers.writes).toBe(0);
    });
  });
});
