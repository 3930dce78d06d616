/**
 * Stock reservations on DynamoDB Local (AWS's own engine: the condition expressions, transaction
 * cancellations and stream records are the real ones): each move is one transaction of the product
 * (on its version), the reservation (on its status) and the event; a stale read writes nothing; orders
 * racing for the last units never oversell; and the table's stream, run through the outbox relay,
 * publishes the reservation events and never a reservation item.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConcurrencyError } from '../../shared/errors/app-error';
import { commandContext, type CommandContext } from '../../shared/event-sourcing/command-context';
import { DynamoDbProductRepository } from '../../functions/inventory/adapters/dynamodb-product-repository';
import type { OrderStock } from '../../functions/inventory/application/change-reservation';
import { makeCommitStock } from '../../functions/inventory/application/commit-stock';
import { makeCreateProduct } from '../../functions/inventory/application/create-product';
import type { LostRaceRetryOptions } from '../../shared/resilience';
import { makeReleaseStock } from '../../functions/inventory/application/release-stock';
import { makeReserveStock } from '../../functions/inventory/application/reserve-stock';
import { INVENTORY_EVENT_SOURCE } from '../../functions/inventory/contracts';
import { OutOfStockError } from '../../functions/inventory/domain/errors';
import type { Product } from '../../functions/inventory/domain/product';
import { StaleProductError } from '../../functions/inventory/ports/product-repository';
import { totalStock } from '../../functions/inventory/domain/stock-reservation';
import { newId, newUlid } from '../../shared/ids/ids';
import { useDynamoDbLocal, type CreatedTable } from '../support/dynamodb-local';
import { recordingOutboxRelay } from '../support/recording-outbox-relay';

/** Racing writers on one item lose often on a shared 2-core machine: many short, jittered pauses. */
const RETRY: LostRaceRetryOptions = {
  maxAttempts: 300,
  firstPauseMs: 20,
  maxElapsedMs: 40_000,
  answerReserveMs: 0,
};

/** A product event's envelope at `version`, as the use cases write it. */
function productEvent<const TType extends string, TData>(
  productId: string,
  type: TType,
  version: number,
  data: TData,
) {
  return {
    eventId: newUlid(),
    type,
    aggregateType: 'Product',
    aggregateId: productId,
    version,
    occurredAt: new Date().toISOString(),
    correlationId: 'corr-it',
    causationId: 'req-it',
    schemaVersion: 1,
    data,
  };
}

const dynamo = useDynamoDbLocal();

/** A products table as the inventory stack makes it (pk/sk strings, NEW_IMAGE stream). */
function productsTable(): Promise<CreatedTable> {
  return dynamo.createTable(dynamo.uniqueTableName('products'), {
    partitionKey: 'pk',
    sortKey: 'sk',
    stream: 'NEW_IMAGE',
  });
}

function inventory(tableName: string, retry: LostRaceRetryOptions = RETRY) {
  const repository = new DynamoDbProductRepository({ client: dynamo.client, tableName });
  const deps = { repository, retry };
  return {
    repository,
    createProduct: makeCreateProduct({ repository, newProductId: () => newId('product') }),
    reserve: makeReserveStock(deps),
    release: makeReleaseStock(deps),
    commit: makeCommitStock(deps),
  };
}

const context = (): CommandContext => commandContext({ correlationId: 'corr-it', causationId: 'req-it' });
const orderOf = (orderId: string, items: OrderStock['items']): OrderStock => ({ orderId, items });

/** Every item of a product's partition, by sort key. */
async function partition(tableName: string, productId: string): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await dynamo.documents.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': productId },
      ConsistentRead: true,
    }),
  );
  return Items;
}

describe('each reservation move is one transaction of product, reservation and event', () => {
  test('reserve, commit and release leave the partition with the state, the reservation and one event per version', async () => {
    // Prepare
    const { tableName } = await productsTable();
    const { createProduct, reserve, commit, release } = inventory(tableName);
    const { productId } = await createProduct(
      { name: 'Mug', priceCents: 900, currency: 'USD', stock: 5 },
      context(),
    );
    const order = orderOf(newId('order'), [{ productId, quantity: 2 }]);
    // Act
    await reserve(order, context());
    const afterReserve = await partition(tableName, productId);
    await commit(order, context());
    await release(order, context());
    const items = await partition(tableName, productId);
    // Assess
    expect(afterReserve.map((item) => [item['sk'], item['kind']])).toEqual([
      ['event#0000000001', 'event'],
      ['event#0000000002', 'event'],
      ['product', 'product'],
      [`reservation#${order.orderId}`, 'reservation'],
    ]);
    expect(items.find((item) => item['sk'] === 'product')).toMatchObject({
      available: 5,
      reserved: 0,
      sold: 0,
      version: 4,
    });
    expect(items.find((item) => item['kind'] === 'reservation')).toEqual({
      pk: productId,
      sk: `reservation#${order.orderId}`,
      kind: 'reservation',
      orderId: order.orderId,
      productId,
      quantity: 2,
      status: 'RELEASED',
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const events = items.filter((item) => item['kind'] === 'event');
    expect(events.map((item) => [item['type'], item['version'], item['data']])).toEqual([
      ['ProductCreated', 1, expect.objectContaining({ available: 5 })],
      [
        'StockReserved',
        2,
        { orderId: order.orderId, productId, quantity: 2, available: 3, reserved: 2, sold: 0 },
      ],
      [
        'StockCommitted',
        3,
        { orderId: order.orderId, productId, quantity: 2, available: 3, reserved: 0, sold: 2 },
      ],
      [
        'StockReleased',
        4,
        {
          orderId: order.orderId,
          productId,
          quantity: 2,
          available: 5,
          reserved: 0,
          sold: 0,
          releasedFrom: 'COMMITTED',
        },
      ],
    ]);
  });

  test('a write on a stale version or a stale reservation status is refused whole: ConcurrencyError, nothing written', async () => {
    // Prepare
    const { tableName } = await productsTable();
    const { createProduct, reserve, commit, repository } = inventory(tableName);
    const { productId } = await createProduct(
      { name: 'Mug', priceCents: 900, currency: 'USD', stock: 5 },
      context(),
    );
    const order = orderOf(newId('order'), [{ productId, quantity: 2 }]);
    await reserve(order, context());
    const { product, reservation } = await repository.load(productId, order.orderId);
    const current = product as Product;
    const event = (version: number) =>
      productEvent(productId, 'StockCommitted', version, {
        orderId: order.orderId,
        productId,
        quantity: 2,
        available: 3,
        reserved: 0,
        sold: 2,
      });
    const committed = { ...current, reserved: 0, sold: 2, version: current.version + 1 };
    const before = await partition(tableName, productId);
    // Act: a stale version (the status is right), then a stale status (the version is right).
    const staleVersion = repository.save({
      kind: 'move',
      product: { ...committed, version: current.version },
      expectedVersion: current.version - 1,
      reservation: { orderId: order.orderId, productId, quantity: 2, status: 'COMMITTED' },
      expectedStatus: 'RESERVED',
      event: event(current.version),
    });
    await expect(staleVersion).rejects.toThrow(ConcurrencyError);
    await commit(order, context());
    const afterCommit = await partition(tableName, productId);
    const staleStatus = repository.save({
      kind: 'move',
      product: { ...committed, version: current.version + 2 },
      expectedVersion: current.version + 1,
      reservation: { orderId: order.orderId, productId, quantity: 2, status: 'COMMITTED' },
      expectedStatus: 'RESERVED',
      event: event(current.version + 2),
    });
    const tombstoneOverReservation = repository.save({
      kind: 'tombstone',
      reservation: { orderId: order.orderId, productId, quantity: 0, status: 'RELEASED' },
      releasedAt: new Date().toISOString(),
    });
    // Assess
    expect(reservation?.status).toBe('RESERVED');
    await expect(staleStatus).rejects.toThrow(ConcurrencyError);
    await expect(tombstoneOverReservation).rejects.toThrow(ConcurrencyError);
    expect(afterCommit).toHaveLength(before.length + 1);
    expect(await partition(tableName, productId)).toEqual(afterCommit);
  });

  test('an update on a stale version comes back with the product as the table holds it, nothing written', async () => {
    // Prepare
    const { tableName } = await productsTable();
    const { createProduct, repository } = inventory(tableName);
    const created = await createProduct(
      { name: 'Mug', priceCents: 900, currency: 'USD', stock: 5 },
      context(),
    );
    const { productId } = created;
    const restocked = { ...created, available: 8, version: 2 };
    const stockAdded = (version: number, available: number) =>
      productEvent(productId, 'StockAdded', version, { productId, quantity: 3, available });
    await repository.update(restocked, 1, stockAdded(2, 8));
    const before = await partition(tableName, productId);
    // Act: a writer that read version 1 writes on it.
    const stale = repository.update({ ...created, available: 9, version: 2 }, 1, stockAdded(2, 9));
    // Assess
    const error = await stale.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(StaleProductError);
    expect((error as StaleProductError).current).toEqual(restocked);
    expect(await partition(tableName, productId)).toEqual(before);
  });

  test('a release of a line never reserved writes a tombstone, and a late reserve then holds nothing', async () => {
    // Prepare
    const { tableName } = await productsTable();
    const { createProduct, reserve, release } = inventory(tableName);
    const { productId } = await createProduct(
      { name: 'Mug', priceCents: 900, currency: 'USD', stock: 5 },
      context(),
    );
    const order = orderOf(newId('order'), [{ productId, quantity: 2 }]);
    // Act
    const released = await release(order, context());
    const late = reserve(order, context());
    // Assess
    expect(released.map(({ outcome }) => outcome)).toEqual(['tombstone']);
    await expect(late).rejects.toMatchObject({ name: 'OutOfStock', reason: 'released' });
    const items = await partition(tableName, productId);
    expect(items.find((item) => item['sk'] === 'product')).toMatchObject({ available: 5, version: 1 });
    expect(items.find((item) => item['kind'] === 'reservation')).toMatchObject({
      status: 'RELEASED',
      quantity: 0,
    });
    expect(items.filter((item) => item['kind'] === 'event')).toHaveLength(1);
  });
});

describe('orders racing for the last units', () => {
  test('40 concurrent reserves of 1 with 25 available: 25 hold one, 15 are OutOfStock, nothing oversold', async () => {
    // Prepare
    const { tableName } = await productsTable();
    const { createProduct, reserve, repository } = inventory(tableName);
    const { productId } = await createProduct(
      { name: 'Hot', priceCents: 900, currency: 'USD', stock: 25 },
      context(),
    );
    const orders = Array.from({ length: 40 }, () => newId('order'));
    /** As the saga's step runs it: a step whose lost races outlast its budget is tried again. */
    const reserveAsTheSaga = async (orderId: string): Promise<unknown> => {
      for (let step = 1; ; step++) {
        try {
          return await reserve(orderOf(orderId, [{ productId, quantity: 1 }]), context());
        } catch (error) {
          if (!(error instanceof ConcurrencyError) || step === 3) throw error;
        }
      }
    };
    // Act
    const results = await Promise.allSettled(orders.map(reserveAsTheSaga));
    // Assess
    const rejected = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    expect(rejected.filter((reason) => !(reason instanceof OutOfStockError)).map(String)).toEqual([]);
    expect(rejected).toHaveLength(15);
    const product = (await repository.find(productId)) as Product;
    expect(product).toMatchObject({ available: 0, reserved: 25, sold: 0, version: 26 });
    expect(totalStock(product)).toBe(25);
    const items = await partition(tableName, productId);
    expect(items.filter((item) => item['kind'] === 'reservation')).toHaveLength(25);
    expect(items.filter((item) => item['type'] === 'StockReserved').map((item) => item['version'])).toEqual(
      Array.from({ length: 25 }, (_, index) => index + 2),
    );
  }, 60_000);
});

describe("the table's stream through the outbox relay", () => {
  test('publishes the product and reservation events, and never a state or reservation item', async () => {
    // Prepare: a reserve, a commit, a release and a tombstone, all in the stream.
    const { tableName, streamArn } = await productsTable();
    const { createProduct, reserve, commit, release } = inventory(tableName);
    const { productId } = await createProduct(
      { name: 'Mug', priceCents: 900, currency: 'USD', stock: 5 },
      context(),
    );
    const sold = orderOf(newId('order'), [{ productId, quantity: 2 }]);
    const never = orderOf(newId('order'), [{ productId, quantity: 1 }]);
    await reserve(sold, context());
    await commit(sold, context());
    await release(sold, context());
    await release(never, context());
    const { relay, published } = recordingOutboxRelay(INVENTORY_EVENT_SOURCE);
    const records = await dynamo.streamRecords(streamArn);
    // Act: every record, unfiltered (the event source mapping's filter would drop most before the relay).
    const response = await relay({ Records: records }, { getRemainingTimeInMillis: () => 30_000 });
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const kinds = records.map((record) => `${record.eventName} ${record.dynamodb?.NewImage?.['kind']?.S}`);
    expect(kinds).toEqual(
      expect.arrayContaining(['INSERT reservation', 'MODIFY reservation', 'MODIFY product', 'INSERT event']),
    );
    expect(published.map((entry) => [entry.Source, entry.DetailType])).toEqual([
      ['shop.inventory', 'ProductCreated'],
      ['shop.inventory', 'StockReserved'],
      ['shop.inventory', 'StockCommitted'],
      ['shop.inventory', 'StockReleased'],
    ]);
    expect(published.every((entry) => !(entry.Detail ?? '').includes('"kind"'))).toBe(true);
  });
});
