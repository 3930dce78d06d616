import { makeCancelOrder } from '../../../functions/orders/application/cancel-order';
import { makeDecideApproval } from '../../../functions/orders/application/decide-approval';
import {
  ApprovalNoLongerAwaitedError,
  OrderNotFoundError,
} from '../../../functions/orders/application/errors';
import { makeRequestApproval } from '../../../functions/orders/application/request-approval';
import { OrderCancelledError, OrderNotAwaitingApprovalError } from '../../../functions/orders/domain/errors';
import type { OrderEvent } from '../../../functions/orders/domain/order';
import { makeHandler as makeApprovalHandler } from '../../../functions/orders/handlers/decide-approval';
import { makeHandler as makeCancelHandler } from '../../../functions/orders/handlers/cancel-order';
import { FIXED_NOW, fixedContext } from '../event-sourcing/fixed-context';
import { errorBodyOf, jsonEvent, requestContextOf, TEST_STAFF } from '../http/proxy-event';
import type { Requester } from '../../../shared/identity/requester';
import {
  CARD,
  FakeTaskCallbacks,
  fixedCommandContext,
  InMemoryApprovalTasks,
  KEYBOARD,
  noIdempotency,
  orderStore,
  recordingLogger,
  runnerOn,
  USER_ID,
  OWNER,
} from './fakes';

const ORDER_ID = 'ord_01JD0000000000000000000021';
const TOKEN = 'token-1';

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
  items: [{ productId: KEYBOARD, quantity: 30, unitPriceCents: 4_999 }],
  totalCents: 149_970,
  currency: 'USD',
  saga: 'orchestrated',
  payment: CARD,
});

/** An order (with `history`), the in-memory approval tasks, a fake Step Functions, and the use cases on them. */
async function given(...history: OrderEvent[]) {
  const store = orderStore();
  if (history.length > 0) await store.append(ORDER_ID, 0, history);
  const runner = runnerOn(store);
  const approvalTasks = new InMemoryApprovalTasks();
  const taskCallbacks = new FakeTaskCallbacks();
  const log = recordingLogger();
  const requestApproval = makeRequestApproval({ runner, approvalTasks });
  const decideApproval = makeDecideApproval({ runner, approvalTasks, taskCallbacks, logger: log });
  const cancelOrder = makeCancelOrder({ runner, approvalTasks, taskCallbacks, logger: log });
  const types = async () => (await store.load(ORDER_ID)).map((e) => e.type);
  return { store, approvalTasks, taskCallbacks, log, requestApproval, decideApproval, cancelOrder, types };
}

/** An order awaiting approval, as the saga's request-approval step leaves it. */
async function awaitingApproval() {
  const world = await given(created);
  await world.requestApproval({ orderId: ORDER_ID, taskToken: TOKEN }, fixedContext());
  return world;
}

/** Staff decide approvals: requests come from `TEST_STAFF` unless a test names another caller. */
const approvalRequest = (body: unknown, orderId = ORDER_ID, caller: Requester = TEST_STAFF) =>
  jsonEvent(body, {
    resource: '/orders/{orderId}/approval',
    path: `/orders/${orderId}/approval`,
    pathParameters: { orderId },
    requestContext: requestContextOf(caller),
  });

describe('requesting an approval (the saga step)', () => {
  it('stores the task token with the order, then appends OrderApprovalRequested', async () => {
    // Prepare
    const { requestApproval, approvalTasks, store } = await given(created);

    // Act
    const result = await requestApproval({ orderId: ORDER_ID, taskToken: TOKEN }, fixedContext());

    // Assess
    expect(result).toEqual({ orderId: ORDER_ID, status: 'AWAITING_APPROVAL', appended: true });
    expect(approvalTasks.tasks.get(ORDER_ID)).toEqual({
      orderId: ORDER_ID,
      taskToken: TOKEN,
      requestedAt: FIXED_NOW,
    });
    const events = await store.load(ORDER_ID);
    expect(events.map((e) => [e.version, e.type, e.data])).toEqual([
      [1, 'OrderCreated', created.data],
      [2, 'OrderApprovalRequested', { orderId: ORDER_ID }],
    ]);
    expect(JSON.stringify(events)).not.toContain(TOKEN);
  });

  it('replaces the token on a retried invocation and appends nothing new', async () => {
    // Prepare
    const { requestApproval, approvalTasks, types } = await awaitingApproval();

    // Act
    const result = await requestApproval({ orderId: ORDER_ID, taskToken: 'token-2' }, fixedContext());

    // Assess
    expect(result.appended).toBe(false);
    expect(approvalTasks.tasks.get(ORDER_ID)?.taskToken).toBe('token-2');
    expect(await types()).toEqual(['OrderCreated', 'OrderApprovalRequested']);
  });

  it('refuses a cancelled order with OrderCancelledError', async () => {
    // Prepare
    const { requestApproval } = await given(
      created,
      event(2, 'OrderCancelled', { orderId: ORDER_ID, reason: 'changed my mind' }),
    );

    // Act
    const result = requestApproval({ orderId: ORDER_ID, taskToken: TOKEN }, fixedContext());

    // Assess
    await expect(result).rejects.toThrow(OrderCancelledError);
  });
});

describe('deciding an approval', () => {
  it('approving appends OrderApproved, resumes the saga with SendTaskSuccess and marks the task', async () => {
    // Prepare
    const { decideApproval, taskCallbacks, approvalTasks, store } = await awaitingApproval();

    // Act
    const result = await decideApproval(
      { orderId: ORDER_ID, decision: 'approve', comment: 'known customer' },
      fixedContext(),
    );

    // Assess
    expect(result).toEqual({ orderId: ORDER_ID, status: 'PENDING', decision: 'approve' });
    expect((await store.load(ORDER_ID)).at(-1)).toMatchObject({
      type: 'OrderApproved',
      version: 3,
      data: { orderId: ORDER_ID, comment: 'known customer' },
    });
    expect(taskCallbacks.calls).toEqual([
      {
        kind: 'succeed',
        taskToken: TOKEN,
        output: { orderId: ORDER_ID, decision: 'approve', comment: 'known customer' },
      },
    ]);
    expect(approvalTasks.tasks.get(ORDER_ID)).toMatchObject({
      resolution: 'APPROVED',
      resolvedAt: FIXED_NOW,
    });
  });

  it('rejecting appends OrderRejected and fails the wait with ApprovalRejected', async () => {
    // Prepare
    const { decideApproval, taskCallbacks, types } = await awaitingApproval();

    // Act
    const result = await decideApproval(
      { orderId: ORDER_ID, decision: 'reject', comment: 'too large' },
      fixedContext(),
    );

    // Assess
    expect(result).toEqual({ orderId: ORDER_ID, status: 'PENDING', decision: 'reject' });
    expect(await types()).toEqual(['OrderCreated', 'OrderApprovalRequested', 'OrderRejected']);
    expect(taskCallbacks.calls).toEqual([
      {
        kind: 'fail',
        taskToken: TOKEN,
        error: 'ApprovalRejected',
        cause: `Order ${ORDER_ID} was rejected: too large`,
      },
    ]);
  });

  it('answers the same decision again without a second event or a second resume', async () => {
    // Prepare
    const { decideApproval, taskCallbacks, types } = await awaitingApproval();
    await decideApproval({ orderId: ORDER_ID, decision: 'approve' }, fixedContext());

    // Act
    const again = await decideApproval({ orderId: ORDER_ID, decision: 'approve' }, fixedContext());

    // Assess
    expect(again).toEqual({ orderId: ORDER_ID, status: 'PENDING', decision: 'approve' });
    expect(await types()).toEqual(['OrderCreated', 'OrderApprovalRequested', 'OrderApproved']);
    expect(taskCallbacks.calls).toHaveLength(1);
  });

  it('resumes the saga on a retry when the first call recorded the decision but never reached it', async () => {
    // Prepare
    const { decideApproval, taskCallbacks, types } = await awaitingApproval();
    taskCallbacks.unavailable = true;
    await expect(
      decideApproval({ orderId: ORDER_ID, decision: 'approve' }, fixedContext()),
    ).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
    taskCallbacks.unavailable = false;

    // Act
    const retried = await decideApproval({ orderId: ORDER_ID, decision: 'approve' }, fixedContext());

    // Assess
    expect(retried.status).toBe('PENDING');
    expect(await types()).toEqual(['OrderCreated', 'OrderApprovalRequested', 'OrderApproved']);
    expect(taskCallbacks.calls.map((call) => [call.kind, call.taskToken])).toEqual([['succeed', TOKEN]]);
  });

  it('answers 409 when the deadline has passed, keeping the decision as the record', async () => {
    // Prepare
    const { decideApproval, taskCallbacks, types } = await awaitingApproval();
    taskCallbacks.closed.add(TOKEN);

    // Act
    const result = decideApproval({ orderId: ORDER_ID, decision: 'approve' }, fixedContext());

    // Assess
    await expect(result).rejects.toThrow(ApprovalNoLongerAwaitedError);
    await expect(result).rejects.toMatchObject({
      code: 'ORDER_NOT_AWAITING_APPROVAL',
      message: expect.stringContaining('approval deadline has passed') as unknown,
    });
    expect(await types()).toEqual(['OrderCreated', 'OrderApprovalRequested', 'OrderApproved']);
  });

  it('refuses the opposite decision once decided', async () => {
    // Prepare
    const { decideApproval, taskCallbacks } = await awaitingApproval();
    await decideApproval({ orderId: ORDER_ID, decision: 'reject' }, fixedContext());

    // Act
    const result = decideApproval({ orderId: ORDER_ID, decision: 'approve' }, fixedContext());

    // Assess
    await expect(result).rejects.toThrow(OrderNotAwaitingApprovalError);
    expect(taskCallbacks.calls).toHaveLength(1);
  });

  it('lets one of two concurrent opposite decisions win and refuses the other', async () => {
    // Prepare
    const { decideApproval, types } = await awaitingApproval();

    // Act
    const results = await Promise.allSettled([
      decideApproval({ orderId: ORDER_ID, decision: 'approve' }, fixedContext()),
      decideApproval({ orderId: ORDER_ID, decision: 'reject' }, fixedContext()),
    ]);

    // Assess
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const [rejection] = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejection?.reason).toBeInstanceOf(OrderNotAwaitingApprovalError);
    expect((await types()).filter((t) => t === 'OrderApproved' || t === 'OrderRejected')).toHaveLength(1);
  });

  it('refuses an order that never awaited approval, and answers an unknown one with 404', async () => {
    // Prepare
    const { decideApproval } = await given(created);
    const { decideApproval: onNothing } = await given();

    // Act
    const pending = decideApproval({ orderId: ORDER_ID, decision: 'approve' }, fixedContext());
    const unknown = onNothing({ orderId: ORDER_ID, decision: 'approve' }, fixedContext());

    // Assess
    await expect(pending).rejects.toThrow(OrderNotAwaitingApprovalError);
    await expect(unknown).rejects.toThrow(OrderNotFoundError);
  });

  describe('POST /orders/{orderId}/approval', () => {
    async function handlerOn(world: Awaited<ReturnType<typeof given>>) {
      return makeApprovalHandler({
        decideApproval: world.decideApproval,
        idempotency: noIdempotency,
        commandContext: fixedCommandContext,
      });
    }

    it('answers 200 { orderId, status, decision }', async () => {
      // Prepare
      const world = await awaitingApproval();
      const handler = await handlerOn(world);

      // Act
      const result = await handler(approvalRequest({ decision: 'approve', comment: '  fine  ' }));

      // Assess
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body)).toEqual({ orderId: ORDER_ID, status: 'PENDING', decision: 'approve' });
      expect(world.taskCallbacks.calls[0]).toMatchObject({ output: { comment: 'fine' } });
    });

    it('answers a customer 403 FORBIDDEN, even with a malformed body, and leaves the saga waiting', async () => {
      // Prepare
      const world = await awaitingApproval();
      const handler = await handlerOn(world);

      // Act
      const valid = await handler(approvalRequest({ decision: 'approve' }, ORDER_ID, OWNER));
      const malformed = await handler(approvalRequest({ decision: 'maybe' }, ORDER_ID, OWNER));

      // Assess
      expect([valid.statusCode, malformed.statusCode]).toEqual([403, 403]);
      expect(errorBodyOf(valid).error).toEqual({
        code: 'FORBIDDEN',
        message: 'Only staff may decide approvals.',
      });
      expect(world.taskCallbacks.calls).toEqual([]);
    });

    it('answers 409 ORDER_NOT_AWAITING_APPROVAL with the deadline named once it has passed', async () => {
      // Prepare
      const world = await awaitingApproval();
      world.taskCallbacks.closed.add(TOKEN);
      const handler = await handlerOn(world);

      // Act
      const result = await handler(approvalRequest({ decision: 'reject' }));

      // Assess
      expect(result.statusCode).toBe(409);
      expect(errorBodyOf(result).error.code).toBe('ORDER_NOT_AWAITING_APPROVAL');
      expect(errorBodyOf(result).error.message).toContain('deadline has passed');
    });

    it.each<[string, unknown, string, number, string]>([
      ['an unknown order', { decision: 'approve' }, 'ord_01JD00000000000000000000ZZ', 404, 'ORDER_NOT_FOUND'],
      ['a malformed order id', { decision: 'approve' }, 'order-1', 400, 'VALIDATION_FAILED'],
      ['no decision', { comment: 'x' }, ORDER_ID, 400, 'VALIDATION_FAILED'],
      ['an unknown decision', { decision: 'maybe' }, ORDER_ID, 400, 'VALIDATION_FAILED'],
      [
        'a comment over 500 characters',
        { decision: 'approve', comment: 'x'.repeat(501) },
        ORDER_ID,
        400,
        'VALIDATION_FAILED',
      ],
      ['an empty comment', { decision: 'approve', comment: '  ' }, ORDER_ID, 400, 'VALIDATION_FAILED'],
      ['an unknown field', { decision: 'approve', by: 'me' }, ORDER_ID, 400, 'VALIDATION_FAILED'],
    ])('answers %s with its 4xx', async (_label, body, orderId, status, code) => {
      // Prepare
      const handler = await handlerOn(await awaitingApproval());

      // Act
      const result = await handler(approvalRequest(body, orderId));

      // Assess
      expect(result.statusCode).toBe(status);
      expect(errorBodyOf(result).error.code).toBe(code);
    });

    it('answers an order that is not awaiting approval with 409', async () => {
      // Prepare
      const handler = await handlerOn(await given(created));

      // Act
      const result = await handler(approvalRequest({ decision: 'approve' }));

      // Assess
      expect(result.statusCode).toBe(409);
      expect(errorBodyOf(result).error).toEqual({
        code: 'ORDER_NOT_AWAITING_APPROVAL',
        message: `Order ${ORDER_ID} is not awaiting approval: it is PENDING.`,
      });
    });
  });
});

describe('a customer cancel of an order awaiting approval', () => {
  it('fails the waiting saga with OrderCancelled and marks the task', async () => {
    // Prepare
    const { cancelOrder, taskCallbacks, approvalTasks } = await awaitingApproval();

    // Act
    await cancelOrder({ orderId: ORDER_ID, reason: 'too slow', requester: OWNER }, fixedContext());

    // Assess
    expect(taskCallbacks.calls).toEqual([
      {
        kind: 'fail',
        taskToken: TOKEN,
        error: 'OrderCancelled',
        cause: `The customer cancelled order ${ORDER_ID} while it awaited approval.`,
      },
    ]);
    expect(approvalTasks.tasks.get(ORDER_ID)?.resolution).toBe('CANCELLED');
  });

  it('tells no saga when the approval was already answered, or none was asked', async () => {
    // Prepare
    const approved = await awaitingApproval();
    await approved.decideApproval({ orderId: ORDER_ID, decision: 'approve' }, fixedContext());
    const plain = await given(created);

    // Act
    await approved.cancelOrder({ orderId: ORDER_ID, requester: OWNER }, fixedContext());
    await plain.cancelOrder({ orderId: ORDER_ID, requester: OWNER }, fixedContext());

    // Assess
    expect(approved.taskCallbacks.calls.map((call) => call.kind)).toEqual(['succeed']);
    expect(plain.taskCallbacks.calls).toEqual([]);
  });

  it('tells the saga once, however often the cancel is repeated', async () => {
    // Prepare
    const { cancelOrder, taskCallbacks } = await awaitingApproval();

    // Act
    await cancelOrder({ orderId: ORDER_ID, requester: OWNER }, fixedContext());
    await cancelOrder({ orderId: ORDER_ID, requester: OWNER }, fixedContext());

    // Assess
    expect(taskCallbacks.calls).toHaveLength(1);
  });

  it('still cancels (202) when Step Functions cannot be told, and logs it', async () => {
    // Prepare
    const world = await awaitingApproval();
    world.taskCallbacks.unavailable = true;
    const handler = makeCancelHandler({
      cancelOrder: world.cancelOrder,
      idempotency: noIdempotency,
      commandContext: fixedCommandContext,
    });

    // Act
    const result = await handler(
      jsonEvent(
        {},
        {
          resource: '/orders/{orderId}/cancel',
          path: `/orders/${ORDER_ID}/cancel`,
          pathParameters: { orderId: ORDER_ID },
        },
      ),
    );

    // Assess
    expect(result.statusCode).toBe(202);
    expect(await world.types()).toEqual(['OrderCreated', 'OrderApprovalRequested', 'OrderCancelled']);
    expect(world.log.lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        attributes: expect.objectContaining({ orderId: ORDER_ID }) as unknown,
      }),
    ]);
    expect(world.approvalTasks.tasks.get(ORDER_ID)?.resolution).toBeUndefined();
  });

  it('logs, without failing, a wait that had already ended', async () => {
    // Prepare
    const world = await awaitingApproval();
    world.taskCallbacks.closed.add(TOKEN);

    // Act
    const result = await world.cancelOrder({ orderId: ORDER_ID, requester: OWNER }, fixedContext());

    // Assess
    expect(result.status).toBe('CANCELLED');
    expect(world.log.lines.map((line) => line.level)).toEqual(['info']);
  });

  it('still cancels when the approval task cannot be read', async () => {
    // Prepare
    const world = await awaitingApproval();
    world.approvalTasks.failGets = true;

    // Act
    const result = await world.cancelOrder({ orderId: ORDER_ID, requester: OWNER }, fixedContext());

    // Assess
    expect(result.status).toBe('CANCELLED');
    expect(world.log.lines.map((line) => line.level)).toEqual(['warn']);
  });
});
