/**
 * The choreographed saga's reactions on DynamoDB Local (AWS's own engine: conditions, transaction
 * cancellations and stream records are the real ones): each change is one transaction of the
 * reacted-to event's marker, the order's state at its next version and the event it publishes, so a
 * duplicate writes nothing, a stale decision writes nothing, an early event is put back, and a
 * compensation that arrives first leaves a tombstone the late forward step respects.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ConcurrencyError } from '../../shared/errors/app-error';
import { commandContext, type CommandContext } from '../../shared/event-sourcing/command-context';
import { DynamoDbReactionStore } from '../../shared/messaging/dynamodb-reaction-store';
import { RetryLaterError } from '../../shared/messaging/event-consumer';
import { DynamoDbProductRepository } from '../../functions/inventory/adapters/dynamodb-product-repository';
import { dynamoDbOrderStockStore } from '../../functions/inventory/adapters/order-stock-items';
import { makeCommitStock } from '../../functions/inventory/application/commit-stock';
import { makeCreateProduct } from '../../functions/inventory/application/create-product';
import { makeOrderStockChoreography } from '../../functions/inventory/application/order-stock-choreography';
import { makeReleaseStock } from '../../functions/inventory/application/release-stock';
import { makeReserveStock } from '../../functions/inventory/application/reserve-stock';
import { dynamoDbOrderPaymentStore } from '../../functions/payments/adapters/order-payment-items';
import type { ChargePaymentCommand } from '../../functions/payments/application/charge-payment';
import {
  makeOrderPaymentChoreography,
  type ChargeRequest,
} from '../../functions/payments/application/order-payment-choreography';
import {
  PaymentDeclinedError,
  PaymentProviderUnavailableError,
} from '../../functions/payments/domain/errors';
import type { Payment } from '../../functions/payments/domain/payment';
import { newId, newUlid } from '../../shared/ids/ids';
import * as z from 'zod';
import { useDynamoDbLocal, type CreatedTable } from '../support/dynamodb-local';
import { recordingOutboxRelay } from '../support/recording-outbox-relay';
import { silentLogger } from '../../shared/observability/app-logger';

const dynamo = useDynamoDbLocal();
let products: CreatedTable;
let payments: CreatedTable;

beforeAll(async () => {
  products = await dynamo.createTable('products', {
    partitionKey: 'pk',
    sortKey: 'sk',
    stream: 'NEW_IMAGE',
  });
  payments = await dynamo.createTable('payments', { partitionKey: 'orderId', stream: 'NEW_IMAGE' });
});

const context = (causationId = newUlid()): CommandContext =>
  commandContext({ correlationId: 'corr-1', causationId, traceHeader: 'Root=1-67535f00-abcdef;Sampled=1' });

/** A cause: the domain id of the event reacted to, and its order. */
const cause = (orderId: string, eventId = newUlid()) => ({ eventId, orderId });

// ---- Inventory -------------------------------------------------------------------------------------

function inventory() {
  const repository = new DynamoDbProductRepository({ client: dynamo.client, tableName: products.tableName });
  const stock = { repository };
  return {
    repository,
    choreography: makeOrderStockChoreography({
      store: dynamoDbOrderStockStore(dynamo.client, products.tableName),
      reserveStock: makeReserveStock(stock),
      commitStock: makeCommitStock(stock),
      releaseStock: makeReleaseStock(stock),
    }),
    store: dynamoDbOrderStockStore(dynamo.client, products.tableName),
    newProduct: async (available: number) => {
      const productId = newId('product');
      await makeCreateProduct({ repository, newProductId: () => productId })(
        { name: 'Reacted item', priceCents: 500, currency: 'USD', stock: available },
        context(),
      );
      return productId;
    },
  };
}

async function countsOf(productId: string) {
  const { Item } = await dynamo.documents.send(
    new GetCommand({
      TableName: products.tableName,
      Key: { pk: productId, sk: 'product' },
      ConsistentRead: true,
    }),
  );
  const { available, reserved, sold } = Item as { available: number; reserved: number; sold: number };
  return { available, reserved, sold };
}

/** The types of the events the order's stock state published, from the table's stream, through the relay. */
async function publishedFor(table: CreatedTable, orderId: string): Promise<string[]> {
  const { relay, published } = recordingOutboxRelay(table === products ? 'shop.inventory' : 'shop.payments');
  await relay(
    { Records: await dynamo.streamRecords(table.streamArn) },
    { getRemainingTimeInMillis: () => 30_000 },
  );
  return published.flatMap((entry) => {
    const detail = JSON.parse(entry.Detail ?? '{}') as { aggregateId?: string; version?: number };
    return detail.aggregateId === orderId ? [`${entry.DetailType}@${detail.version}`] : [];
  });
}

describe("inventory's reactions (the order's stock)", () => {
  test('OrderCreated reserves every line once: the same event again is a duplicate that writes nothing', async () => {
    const { choreography, newProduct } = inventory();
    const [a, b] = await Promise.all([newProduct(5), newProduct(5)]);
    const orderId = newId('order');
    const created = cause(orderId);
    const items = [
      { productId: a, quantity: 2 },
      { productId: b, quantity: 1 },
    ];

    const first = await choreography.reserve(created, items, context());
    const again = await choreography.reserve(created, items, context());

    expect([first, again]).toEqual(['applied', 'duplicate']);
    expect(await countsOf(a)).toEqual({ available: 3, reserved: 2, sold: 0 });
    expect(await countsOf(b)).toEqual({ available: 4, reserved: 1, sold: 0 });
    expect(await publishedFor(products, orderId)).toEqual(['OrderStockReserved@2']);
  });

  test('out of stock: what was held is given back, and OrderStockReservationFailed names the product', async () => {
    const { choreography, newProduct, store } = inventory();
    const [plenty, scarce] = await Promise.all([newProduct(5), newProduct(1)]);
    const orderId = newId('order');

    const outcome = await choreography.reserve(
      cause(orderId),
      [
        { productId: plenty, quantity: 2 },
        { productId: scarce, quantity: 2 },
      ],
      context(),
    );

    expect(outcome).toBe('applied');
    expect(await countsOf(plenty)).toEqual({ available: 5, reserved: 0, sold: 0 });
    expect((await store.load(orderId))?.state.status).toBe('RESERVATION_FAILED');
    expect(await publishedFor(products, orderId)).toEqual(['OrderStockReservationFailed@2']);
  });

  test('PaymentCaptured before the stock is held is put back (RetryLaterError), then commits once', async () => {
    const { choreography, newProduct } = inventory();
    const productId = await newProduct(5);
    const orderId = newId('order');
    const captured = cause(orderId);
    const payment = { chargeId: 'ch_1', amountCents: 1_000 };

    await expect(choreography.commit(captured, payment, context())).rejects.toBeInstanceOf(RetryLaterError);
    await choreography.reserve(cause(orderId), [{ productId, quantity: 2 }], context());
    const outcomes = [
      await choreography.commit(captured, payment, context()),
      await choreography.commit(captured, payment, context()),
    ];

    expect(outcomes).toEqual(['applied', 'duplicate']);
    expect(await countsOf(productId)).toEqual({ available: 3, reserved: 0, sold: 2 });
    expect(await publishedFor(products, orderId)).toEqual(['OrderStockReserved@2', 'OrderStockCommitted@3']);
  });

  test('OrderCancelled before OrderCreated leaves a tombstone: the late OrderCreated holds nothing', async () => {
    const { choreography, newProduct, store } = inventory();
    const productId = await newProduct(5);
    const orderId = newId('order');

    const released = await choreography.release(cause(orderId), 'CUSTOMER_CANCELLED', context());
    const late = await choreography.reserve(cause(orderId), [{ productId, quantity: 2 }], context());

    expect([released, late]).toEqual(['applied', 'duplicate']);
    expect((await store.load(orderId))?.state).toEqual({ orderId, status: 'RELEASED', items: [] });
    expect(await countsOf(productId)).toEqual({ available: 5, reserved: 0, sold: 0 });
    expect(await publishedFor(products, orderId)).toEqual([]);
  });

  test('a sold order cancelled (twice) gives its stock back once; a capture after the release commits nothing', async () => {
    const { choreography, newProduct } = inventory();
    const productId = await newProduct(5);
    const orderId = newId('order');
    await choreography.reserve(cause(orderId), [{ productId, quantity: 2 }], context());
    await choreography.commit(cause(orderId), { chargeId: 'ch_1', amountCents: 1_000 }, context());
    const cancelled = cause(orderId);

    const outcomes = [
      await choreography.release(cancelled, 'SAGA_TIMED_OUT', context()),
      await choreography.release(cancelled, 'SAGA_TIMED_OUT', context()),
      await choreography.commit(cause(orderId), { chargeId: 'ch_1', amountCents: 1_000 }, context()),
    ];

    expect(outcomes).toEqual(['applied', 'duplicate', 'ignored']);
    expect(await countsOf(productId)).toEqual({ available: 5, reserved: 0, sold: 0 });
  });

  test('duplicates and a cancel delivered together: stock conserved, the order ends RELEASED', async () => {
    const { choreography, newProduct, store } = inventory();
    const productIds = await Promise.all([newProduct(20), newProduct(20), newProduct(20)]);
    const orderId = newId('order');
    const created = cause(orderId);
    const items = productIds.map((productId) => ({ productId, quantity: 3 }));

    await Promise.all([
      choreography.reserve(created, items, context()),
      choreography.reserve(created, items, context()),
      choreography.release(cause(orderId), 'CUSTOMER_CANCELLED', context()),
      choreography.reserve(created, items, context()),
    ]);
    // Whatever won the races, a cancel applied last leaves nothing held.
    await choreography.release(cause(orderId), 'CUSTOMER_CANCELLED', context());

    expect((await store.load(orderId))?.state.status).toBe('RELEASED');
    for (const productId of productIds) {
      expect(await countsOf(productId)).toEqual({ available: 20, reserved: 0, sold: 0 });
    }
  });
});

// ---- The store -------------------------------------------------------------------------------------

describe('the reaction store', () => {
  const store = () =>
    new DynamoDbReactionStore<{ n: number }>({
      client: dynamo.client,
      tableName: payments.tableName,
      consumer: 'test-consumer',
      schema: z.object({ n: z.number() }),
      layout: {
        partitionKey: 'orderId',
        stateKey: (id) => ({ orderId: `state#${id}` }),
        eventKey: (event) => ({ orderId: `event#${event.aggregateId}#${event.version}` }),
        markerKey: (marker) => ({ orderId: marker }),
      },
    });

  test('a change decided on a stale version writes nothing (ConcurrencyError); one for an event seen before is a duplicate', async () => {
    const id = newId('order');
    const at = new Date().toISOString();
    const first = await store().save({ id, state: { n: 1 }, expectedVersion: 0, reactsTo: 'e1', at });
    const stale = store().save({ id, state: { n: 2 }, expectedVersion: 0, reactsTo: 'e2', at });
    const duplicate = await store().save({ id, state: { n: 3 }, expectedVersion: 1, reactsTo: 'e1', at });

    expect(first).toBe('applied');
    await expect(stale).rejects.toBeInstanceOf(ConcurrencyError);
    expect(duplicate).toBe('duplicate');
    expect(await store().load(id)).toEqual({ state: { n: 1 }, version: 1 });
  });

  test('a change that failed on its version records no marker: the event is applied when decided again', async () => {
    const id = newId('order');
    const at = new Date().toISOString();
    await store().save({ id, state: { n: 1 }, expectedVersion: 0, at });
    await expect(
      store().save({ id, state: { n: 2 }, expectedVersion: 0, reactsTo: 'e9', at }),
    ).rejects.toBeInstanceOf(ConcurrencyError);

    const again = await store().save({ id, state: { n: 2 }, expectedVersion: 1, reactsTo: 'e9', at });

    expect(again).toBe('applied');
  });

  test('consumers stay apart: another consumer of the same event applies it', async () => {
    const id = newId('order');
    const at = new Date().toISOString();
    const other = new DynamoDbReactionStore<{ n: number }>({
      client: dynamo.client,
      tableName: payments.tableName,
      consumer: 'another-consumer',
      schema: z.object({ n: z.number() }),
      layout: {
        partitionKey: 'orderId',
        stateKey: (key) => ({ orderId: `other-state#${key}` }),
        eventKey: (event) => ({ orderId: `other-event#${event.aggregateId}#${event.version}` }),
        markerKey: (marker) => ({ orderId: marker }),
      },
    });

    const outcomes = [
      await store().save({ id, state: { n: 1 }, expectedVersion: 0, reactsTo: 'shared-event', at }),
      await other.save({ id, state: { n: 1 }, expectedVersion: 0, reactsTo: 'shared-event', at }),
    ];

    expect(outcomes).toEqual(['applied', 'applied']);
  });
});

// ---- Payments ----------------------------------------------------------------------------------------

/** The processor as the saga sees it: each charge's answer in turn, every call recorded. */
function fakeProcessor(
  answers: ('capture' | 'decline' | 'unavailable')[],
  refundAnswers: ('refund' | 'unavailable')[] = [],
) {
  const charges: ChargePaymentCommand[] = [];
  const refunds: string[] = [];
  let captured = 0;
  return {
    charges,
    refunds,
    chargePayment: async (command: ChargePaymentCommand): Promise<Payment> => {
      charges.push(command);
      const answer = answers[Math.min(charges.length, answers.length) - 1] ?? 'capture';
      if (answer === 'decline') throw new PaymentDeclinedError(command.orderId, 'card_declined');
      if (answer === 'unavailable') throw new PaymentProviderUnavailableError(command.orderId, 'down');
      captured = command.amountCents;
      return {
        orderId: command.orderId,
        userId: command.userId,
        status: 'CAPTURED',
        method: 'card',
        amountCents: command.amountCents,
        currency: command.currency,
        attempts: 1,
        providerChargeId: 'ch_1',
        updatedAt: new Date().toISOString(),
      };
    },
    refundPayment: async ({ orderId }: { orderId: string }) => {
      if (refundAnswers.shift() === 'unavailable') {
        throw new PaymentProviderUnavailableError(orderId, 'down');
      }
      refunds.push(orderId);
      const refundedCents = captured;
      captured = 0;
      return { orderId, refundedCents, refunds: [] };
    },
  };
}

function paymentsWith(
  processor: ReturnType<typeof fakeProcessor>,
  clock: { now: Date } = { now: new Date() },
) {
  return makeOrderPaymentChoreography({
    store: dynamoDbOrderPaymentStore(dynamo.client, payments.tableName),
    chargePayment: processor.chargePayment,
    refundPayment: processor.refundPayment,
    waitBudgetSeconds: 60,
    waitIntervalSeconds: 10,
    logger: silentLogger,
    now: () => clock.now,
    random: () => 0.5,
  });
}

const request = (approvalRequired = false): ChargeRequest => ({
  userId: newId('user'),
  amountCents: 4_200,
  currency: 'USD',
  payment: { method: 'card' },
  approvalRequired,
});

describe("payments' reactions (the order's payment)", () => {
  test('OrderStockReserved before OrderCreated is put back; then one charge, however often it is delivered', async () => {
    const processor = fakeProcessor(['capture']);
    const saga = paymentsWith(processor);
    const orderId = newId('order');
    const reserved = cause(orderId);

    await expect(saga.stockReserved(reserved, context())).rejects.toBeInstanceOf(RetryLaterError);
    await saga.expect(cause(orderId), request(), context());
    const outcomes = [
      await saga.stockReserved(reserved, context()),
      await saga.stockReserved(reserved, context()),
    ];

    expect(outcomes).toEqual(['applied', 'duplicate']);
    expect(processor.charges).toHaveLength(1);
    expect(await publishedFor(payments, orderId)).toEqual(['PaymentCaptured@3']);
  });

  test('an order that needs an approval is charged only once both the stock and the approval arrived, in either order', async () => {
    for (const order of [
      ['stock', 'approval'],
      ['approval', 'stock'],
    ] as const) {
      const processor = fakeProcessor(['capture']);
      const saga = paymentsWith(processor);
      const orderId = newId('order');
      await saga.expect(cause(orderId), request(true), context());

      const first = order[0] === 'stock' ? saga.stockReserved : saga.approved;
      const second = order[1] === 'stock' ? saga.stockReserved : saga.approved;
      await first(cause(orderId), context());
      const chargesAfterFirst = processor.charges.length;
      await second(cause(orderId), context());

      expect(chargesAfterFirst).toBe(0);
      expect(processor.charges).toHaveLength(1);
    }
  });

  test('a decline is PaymentDeclined; nothing refunded', async () => {
    const processor = fakeProcessor(['decline']);
    const saga = paymentsWith(processor);
    const orderId = newId('order');
    await saga.expect(cause(orderId), request(), context());

    await saga.stockReserved(cause(orderId), context());

    expect(processor.refunds).toEqual([]);
    expect(await publishedFor(payments, orderId)).toEqual(['PaymentDeclined@3']);
  });

  test('an unavailable processor is waited for (put back with the interval), then past the budget refunded and PaymentFailed', async () => {
    const processor = fakeProcessor(['unavailable']);
    const clock = { now: new Date('2026-12-06T10:00:00Z') };
    const saga = paymentsWith(processor, clock);
    const orderId = newId('order');
    const reserved = cause(orderId);
    await saga.expect(cause(orderId), request(), context());

    const waiting = await saga.stockReserved(reserved, context()).catch((error: unknown) => error);
    clock.now = new Date('2026-12-06T10:01:01Z');
    const outcome = await saga.stockReserved(reserved, context());

    expect(waiting).toBeInstanceOf(RetryLaterError);
    expect((waiting as RetryLaterError).delaySeconds).toBe(8);
    expect(outcome).toBe('applied');
    // Past the budget the order is given up without another charge, as the orchestrated saga does.
    expect(processor.charges).toHaveLength(1);
    expect(processor.refunds).toEqual([orderId]);
    expect(await publishedFor(payments, orderId)).toEqual(['PaymentFailed@3']);
  });

  test('past the budget, a processor that cannot say what it holds is waited for with the same pause, then PaymentFailed', async () => {
    const processor = fakeProcessor(['unavailable'], ['unavailable']);
    const clock = { now: new Date('2026-12-06T10:00:00Z') };
    const saga = paymentsWith(processor, clock);
    const orderId = newId('order');
    const reserved = cause(orderId);
    await saga.expect(cause(orderId), request(), context());
    await saga.stockReserved(reserved, context()).catch(() => undefined);
    clock.now = new Date('2026-12-06T10:01:01Z');

    const lookUpFailed = await saga.stockReserved(reserved, context()).catch((error: unknown) => error);
    const outcome = await saga.stockReserved(reserved, context());

    expect(lookUpFailed).toBeInstanceOf(RetryLaterError);
    expect((lookUpFailed as RetryLaterError).delaySeconds).toBe(8);
    expect(outcome).toBe('applied');
    expect(processor.charges).toHaveLength(1);
    expect(processor.refunds).toEqual([orderId]);
    expect(await publishedFor(payments, orderId)).toEqual(['PaymentFailed@3']);
  });

  test('a cancel waits for a charge under way, then refunds the capture once', async () => {
    const processor = fakeProcessor(['unavailable', 'capture']);
    const saga = paymentsWith(processor);
    const orderId = newId('order');
    const reserved = cause(orderId);
    const cancelled = cause(orderId);
    await saga.expect(cause(orderId), request(), context());
    await saga.stockReserved(reserved, context()).catch(() => undefined);

    const whileCharging = await saga.cancel(cancelled, context()).catch((error: unknown) => error);
    await saga.stockReserved(reserved, context());
    const outcomes = [await saga.cancel(cancelled, context()), await saga.cancel(cancelled, context())];

    expect(whileCharging).toBeInstanceOf(RetryLaterError);
    expect(outcomes).toEqual(['applied', 'duplicate']);
    expect(processor.refunds).toEqual([orderId]);
    expect(await publishedFor(payments, orderId)).toEqual(['PaymentCaptured@3', 'PaymentRefunded@4']);
  });

  test('a cancel before OrderCreated leaves a tombstone: nothing is ever charged', async () => {
    const processor = fakeProcessor(['capture']);
    const saga = paymentsWith(processor);
    const orderId = newId('order');

    const outcomes = [
      await saga.cancel(cause(orderId), context()),
      await saga.expect(cause(orderId), request(), context()),
      await saga.stockReserved(cause(orderId), context()),
    ];

    expect(outcomes).toEqual(['applied', 'ignored', 'duplicate']);
    expect(processor.charges).toEqual([]);
  });
});
