import { makeCancelOrder } from '../../../functions/orders/application/cancel-order';
import { makeCancelOrderSaga } from '../../../functions/orders/application/cancel-order-saga';
import { makeConfirmOrder } from '../../../functions/orders/application/confirm-order';
import { makeEnsureOrderActive } from '../../../functions/orders/application/ensure-order-active';
import { makeRequestApproval } from '../../../functions/orders/application/request-approval';
import type { OrderEvent, OrderState } from '../../../functions/orders/domain/order';
import { makeHandler as makeCancelSagaHandler } from '../../../functions/orders/handlers/cancel-order-saga';
import { makeHandler as makeConfirmHandler } from '../../../functions/orders/handlers/confirm-order';
import { makeHandler as makeEnsureHandler } from '../../../functions/orders/handlers/ensure-order-active';
import { makeHandler as makeRequestApprovalHandler } from '../../../functions/orders/handlers/request-approval';
import { SagaStepError } from '../../../shared/saga/saga-step';
import { InMemoryEventStore, type AppendResult } from '../../../shared/event-sourcing';
import { fixedContext } from '../event-sourcing/fixed-context';
import {
  CARD,
  fixedCommandContext,
  InMemoryApprovalTasks,
  KEYBOARD,
  recordingLogger,
  runnerOn,
  USER_ID,
  OWNER,
} from './fakes';

const ORDER_ID = 'ord_01JD0000000000000000000031';
const lambdaContext = { awsRequestId: 'lambda-req-1', getRemainingTimeInMillis: () => 10_000 };

function event(version: number, type: OrderEvent['type'], data: OrderEvent['data']): OrderEvent {
  return {
    eventId: `seed-${version}`,
    type,
    aggregateType: 'Order',
    aggregateId: ORDER_ID,
    version,
    occurredAt: '2026-11-26T11:00:00.000Z',
    correlationId: 'flow-1',
    causationId: 'seed',
    schemaVersion: 1,
    data,
  } as OrderEvent;
}

const created = event(1, 'OrderCreated', {
  orderId: ORDER_ID,
  userId: USER_ID,
  items: [{ productId: KEYBOARD, quantity: 2, unitPriceCents: 4_999 }],
  totalCents: 9_998,
  currency: 'USD',
  saga: 'orchestrated',
  payment: CARD,
});
const cancelledBy = (version: number, reason: string) =>
  event(version, 'OrderCancelled', { orderId: ORDER_ID, reason });
const paid = (version: number) =>
  event(version, 'OrderPaid', { orderId: ORDER_ID, chargeId: 'ch_1', amountCents: 9_998 });

/** The in-memory store, with a hook run once just before the next append: another writer's moment. */
class RacingStore extends InMemoryEventStore<OrderEvent, OrderState> {
  beforeNextAppend: (() => Promise<void>) | undefined;

  override async append(
    aggregateId: string,
    expectedVersion: number,
    events: readonly OrderEvent[],
  ): Promise<AppendResult> {
    const hook = this.beforeNextAppend;
    this.beforeNextAppend = undefined;
    await hook?.();
    return super.append(aggregateId, expectedVersion, events);
  }
}

async function given(...history: OrderEvent[]) {
  const store = new RacingStore();
  if (history.length > 0) await store.append(ORDER_ID, 0, history);
  const runner = runnerOn(store);
  const log = recordingLogger();
  const common = { commandContext: fixedCommandContext, logger: log };
  return {
    store,
    log,
    types: async () => (await store.load(ORDER_ID)).map((e) => e.type),
    customerCancel: makeCancelOrder({ runner }),
    requestApproval: makeRequestApprovalHandler({
      requestApproval: makeRequestApproval({ runner, approvalTasks: new InMemoryApprovalTasks() }),
      ...common,
    }),
    ensureOrderActive: makeEnsureHandler({ ensureOrderActive: makeEnsureOrderActive({ store }), ...common }),
    confirmOrder: makeConfirmHandler({ confirmOrder: makeConfirmOrder({ runner }), ...common }),
    cancelOrder: makeCancelSagaHandler({ cancelOrder: makeCancelOrderSaga({ runner }), ...common }),
  };
}

/** What a rejected promise was rejected with. */
async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-error: ${String(error)}`);
  }
  throw new Error('expected the step to fail');
}

describe('saga steps of the orders context', () => {
  describe('every step', () => {
    it.each<[string, unknown]>([
      ['no input', undefined],
      ['a malformed order id', { orderId: 'order-1', taskToken: 't' }],
      ['a missing task token', { orderId: ORDER_ID }],
      ['an empty task token', { orderId: ORDER_ID, taskToken: '' }],
    ])('refuses %s with an error named InvalidSagaInput', async (_label, input) => {
      // Prepare
      const { requestApproval, types } = await given(created);

      // Act
      const error = await failureOf(requestApproval(input, lambdaContext));

      // Assess
      expect(error.name).toBe('InvalidSagaInput');
      expect(error.message).toMatch(/^request-approval: /);
      expect(await types()).toEqual(['OrderCreated']);
    });

    it('stamps the saga’s correlation id and the invocation’s request id on the events', async () => {
      // Prepare
      const { confirmOrder, store } = await given(created);

      // Act
      await confirmOrder(
        { orderId: ORDER_ID, chargeId: 'ch_1', amountCents: 9_998, correlationId: 'flow-1' },
        lambdaContext,
      );

      // Assess
      expect((await store.load(ORDER_ID)).at(-1)).toMatchObject({
        correlationId: 'flow-1',
        causationId: 'lambda-req-1',
      });
    });

    it('falls back on the order id as correlation id when the state machine passes none', async () => {
      // Prepare
      const { cancelOrder, store } = await given(created);

      // Act
      await cancelOrder({ orderId: ORDER_ID, reason: 'OUT_OF_STOCK', requester: OWNER }, lambdaContext);

      // Assess
      expect((await store.load(ORDER_ID)).at(-1)?.correlationId).toBe(ORDER_ID);
    });
  });

  describe('request-approval', () => {
    it('answers {} once the order awaits approval', async () => {
      // Prepare
      const { requestApproval, types } = await given(created);

      // Act
      const output = await requestApproval({
        orderId: ORDER_ID,
        taskToken: 'tok-1',
        correlationId: 'flow-1',
      });

      // Assess
      expect(output).toEqual({});
      expect(await types()).toEqual(['OrderCreated', 'OrderApprovalRequested']);
    });

    it('ends with OrderCancelled when the customer cancelled first', async () => {
      // Prepare
      const { requestApproval } = await given(created, cancelledBy(2, 'changed my mind'));

      // Act
      const error = await failureOf(requestApproval({ orderId: ORDER_ID, taskToken: 'tok-1' }));

      // Assess
      expect(error).toBeInstanceOf(SagaStepError);
      expect(error.name).toBe('OrderCancelled');
    });
  });

  describe('ensure-order-active', () => {
    it('answers the order id and the version it checked', async () => {
      // Prepare
      const { ensureOrderActive } = await given(created);

      // Act
      const output = await ensureOrderActive({ orderId: ORDER_ID });

      // Assess
      expect(output).toEqual({ orderId: ORDER_ID, version: 1 });
    });

    it('ends with OrderCancelled for a cancelled order', async () => {
      // Prepare
      const { ensureOrderActive } = await given(created, cancelledBy(2, 'changed my mind'));

      // Act
      const error = await failureOf(ensureOrderActive({ orderId: ORDER_ID }));

      // Assess
      expect(error.name).toBe('OrderCancelled');
    });

    it('fails with an error outside the contract for an unknown order', async () => {
      // Prepare
      const { ensureOrderActive } = await given();

      // Act
      const error = await failureOf(ensureOrderActive({ orderId: ORDER_ID }));

      // Assess
      expect(error.name).toBe('OrderNotFoundError');
    });
  });

  describe('confirm-order', () => {
    const input = { orderId: ORDER_ID, chargeId: 'ch_1', amountCents: 9_998 };

    it('appends OrderPaid and answers the new version', async () => {
      // Prepare
      const { confirmOrder, store } = await given(created);

      // Act
      const output = await confirmOrder(input);

      // Assess
      expect(output).toEqual({ orderId: ORDER_ID, status: 'PAID', version: 2 });
      expect((await store.load(ORDER_ID)).at(-1)).toMatchObject({
        type: 'OrderPaid',
        data: { orderId: ORDER_ID, chargeId: 'ch_1', amountCents: 9_998 },
      });
    });

    it('confirms a paid order again without a second event (a retried step)', async () => {
      // Prepare
      const { confirmOrder, types } = await given(created, paid(2));

      // Act
      const output = await confirmOrder(input);

      // Assess
      expect(output).toEqual({ orderId: ORDER_ID, status: 'PAID', version: 2 });
      expect(await types()).toEqual(['OrderCreated', 'OrderPaid']);
    });

    it('ends with OrderNotConfirmable for a cancelled order', async () => {
      // Prepare
      const { confirmOrder } = await given(created, cancelledBy(2, 'changed my mind'));

      // Act
      const error = await failureOf(confirmOrder(input));

      // Assess
      expect(error.name).toBe('OrderNotConfirmable');
    });

    it('loses to a customer cancel appended between its load and its append: OrderNotConfirmable', async () => {
      // Prepare
      const { confirmOrder, store, types } = await given(created);
      store.beforeNextAppend = () =>
        store.append(ORDER_ID, 1, [cancelledBy(2, 'changed my mind')]).then(() => undefined);

      // Act
      const error = await failureOf(confirmOrder(input));

      // Assess
      expect(error.name).toBe('OrderNotConfirmable');
      expect(await types()).toEqual(['OrderCreated', 'OrderCancelled']);
    });

    it('wins over a customer cancel that comes after it: the cancel is refused', async () => {
      // Prepare
      const { confirmOrder, customerCancel, types } = await given(created);
      await confirmOrder(input);

      // Act
      const cancel = customerCancel({ orderId: ORDER_ID, requester: OWNER }, fixedContext());

      // Assess
      await expect(cancel).rejects.toMatchObject({ code: 'ORDER_NOT_CANCELLABLE' });
      expect(await types()).toEqual(['OrderCreated', 'OrderPaid']);
    });

    it('records exactly one outcome when a customer cancel races it', async () => {
      for (let round = 0; round < 10; round++) {
        // Prepare
        const { confirmOrder, customerCancel, types } = await given(created);

        // Act
        const [confirmed, cancelled] = await Promise.allSettled([
          confirmOrder(input),
          customerCancel({ orderId: ORDER_ID, requester: OWNER }, fixedContext()),
        ]);

        // Assess
        const last = (await types()).at(-1);
        expect(await types()).toHaveLength(2);
        if (last === 'OrderPaid') {
          expect(confirmed.status).toBe('fulfilled');
          expect(cancelled.status).toBe('rejected');
        } else {
          expect(last).toBe('OrderCancelled');
          expect(confirmed).toMatchObject({ status: 'rejected', reason: { name: 'OrderNotConfirmable' } });
        }
      }
    });

    it('fails outside the contract (a saga failure, refunded) on a payment of another amount', async () => {
      // Prepare
      const { confirmOrder } = await given(created);

      // Act
      const error = await failureOf(confirmOrder({ ...input, amountCents: 1 }));

      // Assess
      expect(error.name).toBe('PaymentAmountMismatchError');
    });

    it.each<[string, unknown]>([
      ['a negative amount', { ...input, amountCents: -1 }],
      ['a fractional amount', { ...input, amountCents: 1.5 }],
      ['no charge id', { orderId: ORDER_ID, amountCents: 9_998 }],
    ])('refuses %s with InvalidSagaInput', async (_label, bad) => {
      // Prepare
      const { confirmOrder } = await given(created);

      // Act
      const error = await failureOf(confirmOrder(bad));

      // Assess
      expect(error.name).toBe('InvalidSagaInput');
    });
  });

  describe('cancel-order-saga', () => {
    it('appends OrderCancelled with the saga’s reason', async () => {
      // Prepare
      const { cancelOrder, store } = await given(created);

      // Act
      const output = await cancelOrder({ orderId: ORDER_ID, reason: 'PAYMENT_DECLINED', requester: OWNER });

      // Assess
      expect(output).toEqual({ orderId: ORDER_ID, status: 'CANCELLED', reason: 'PAYMENT_DECLINED' });
      expect((await store.load(ORDER_ID)).at(-1)).toMatchObject({
        type: 'OrderCancelled',
        data: { orderId: ORDER_ID, reason: 'PAYMENT_DECLINED' },
      });
    });

    it('leaves a cancelled order as it is and answers the reason it records', async () => {
      // Prepare
      const { cancelOrder, types } = await given(created, cancelledBy(2, 'changed my mind'));

      // Act
      const output = await cancelOrder({ orderId: ORDER_ID, reason: 'CUSTOMER_CANCELLED', requester: OWNER });

      // Assess
      expect(output).toEqual({ orderId: ORDER_ID, status: 'CANCELLED', reason: 'changed my mind' });
      expect(await types()).toEqual(['OrderCreated', 'OrderCancelled']);
    });

    it('cancels an order awaiting approval (the deadline passed)', async () => {
      // Prepare
      const { cancelOrder, types } = await given(
        created,
        event(2, 'OrderApprovalRequested', { orderId: ORDER_ID }),
      );

      // Act
      await cancelOrder({ orderId: ORDER_ID, reason: 'APPROVAL_TIMEOUT', requester: OWNER });

      // Assess
      expect((await types()).at(-1)).toBe('OrderCancelled');
    });

    it('ends with OrderNotCancellable for a paid order, which it leaves paid', async () => {
      // Prepare
      const { cancelOrder, types } = await given(created, paid(2));

      // Act
      const error = await failureOf(
        cancelOrder({ orderId: ORDER_ID, reason: 'SAGA_FAILED', requester: OWNER }),
      );

      // Assess
      expect(error.name).toBe('OrderNotCancellable');
      expect(await types()).toEqual(['OrderCreated', 'OrderPaid']);
    });

    it('refuses a reason the contract does not list with InvalidSagaInput', async () => {
      // Prepare
      const { cancelOrder } = await given(created);

      // Act
      const error = await failureOf(cancelOrder({ orderId: ORDER_ID, reason: 'BORED', requester: OWNER }));

      // Assess
      expect(error.name).toBe('InvalidSagaInput');
    });
  });
});
