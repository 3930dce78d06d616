/**
 * Rebuilding the order views from the event store, on DynamoDB Local with the tables as the orders stack
 * makes them: the streams listed from the event store's `streams` index (never a scan), each folded with
 * the projector's own code; and the one-off indexing of streams written before the index.
 */
import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { DynamoDbOrderViews } from '../../functions/orders/adapters/dynamodb-order-views';
import { makeProjectOrderEvent } from '../../functions/orders/application/project-order-event';
import { makeRebuildOrderViews } from '../../functions/orders/application/rebuild-order-views';
import { OrderEventEnvelopeSchema } from '../../functions/orders/contracts/order-events';
import { ORDER_VIEW_SORT_KEY } from '../../functions/orders/adapters/dynamodb-order-views';
import {
  DynamoDbEventStore,
  STREAMS_INDEX,
  STREAM_TYPE_ATTRIBUTE,
  type DomainEvent,
} from '../../shared/event-sourcing';
import { indexExistingStreams } from '../../shared/event-sourcing/index-streams';
import { newId, newUlid } from '../../shared/ids/ids';
import { useDynamoDbLocal } from '../support/dynamodb-local';

const dynamo = useDynamoDbLocal();

/** An event store as `EventStoreTable` makes it, with its `streams` index, and a read model. */
async function tables() {
  const eventStore = dynamo.uniqueTableName('order-events');
  await dynamo.createTable(eventStore, {
    partitionKey: 'pk',
    sortKey: { name: 'sk', type: 'N' },
    indexes: [{ name: STREAMS_INDEX, partitionKey: STREAM_TYPE_ATTRIBUTE, sortKey: 'pk' }],
  });
  const readModel = dynamo.uniqueTableName('order-views');
  await dynamo.createTable(readModel, { partitionKey: 'pk', sortKey: 'sk' });
  const store = new DynamoDbEventStore({ client: dynamo.client, tableName: eventStore });
  const views = new DynamoDbOrderViews({ client: dynamo.client, tableName: readModel });
  return { eventStore, readModel, store, views };
}

function orderEvent(
  orderId: string,
  version: number,
  type: string,
  data: Record<string, unknown>,
): DomainEvent {
  return {
    eventId: newUlid(),
    type,
    aggregateType: 'Order',
    aggregateId: orderId,
    version,
    occurredAt: `2026-12-07T10:00:0${version}.000Z`,
    correlationId: 'corr',
    causationId: 'cause',
    schemaVersion: 1,
    data,
  };
}

/** An order's events: created, then cancelled when `cancelled`. */
function orderHistory(orderId: string, cancelled: boolean): DomainEvent[] {
  const created = orderEvent(orderId, 1, 'OrderCreated', {
    orderId,
    userId: 'usr_01JD0000000000000000000001',
    items: [{ productId: 'prd_01JD0000000000000000000001', quantity: 2, unitPriceCents: 1_250 }],
    totalCents: 2_500,
    currency: 'USD',
    saga: 'orchestrated',
    payment: { method: 'card' },
  });
  return cancelled
    ? [
        created,
        orderEvent(orderId, 2, 'OrderCancelled', { orderId, reason: 'OUT_OF_STOCK', saga: 'orchestrated' }),
      ]
    : [created];
}

describe('listing streams from the event store’s index', () => {
  test('lists every stream of a type once, in pages, and nothing else (other types, snapshots, claims)', async () => {
    // Prepare
    const { store } = await tables();
    const orders = Array.from({ length: 5 }, () => newId('order')).sort();
    for (const orderId of orders) await store.append(orderId, 0, orderHistory(orderId, true));
    await store.append('cnt_1', 0, [{ ...orderEvent('cnt_1', 1, 'Counted', {}), aggregateType: 'Counter' }], {
      uniqueKey: 'request-1',
    });
    await store.saveSnapshot({
      aggregateId: orders[0] ?? '',
      version: 2,
      state: {},
      schemaVersion: 1,
      takenAt: '2026-12-07T10:00:00Z',
    });

    // Act
    const pages: (readonly string[])[] = [];
    let after: string | undefined;
    do {
      const page = await store.listStreams('Order', { limit: 2, ...(after === undefined ? {} : { after }) });
      pages.push(page.aggregateIds);
      after = page.next;
    } while (after !== undefined);

    // Assess
    expect(pages.flat()).toEqual(orders);
    expect(pages[0]).toHaveLength(2);
    expect((await store.listStreams('Counter')).aggregateIds).toEqual(['cnt_1']);
    expect((await store.listStreams('Nothing')).aggregateIds).toEqual([]);
  });

  test('indexes the streams written before the index, once', async () => {
    // Prepare: a first event as it was written before the index (no streamType).
    const { eventStore, store } = await tables();
    const [old] = orderHistory(newId('order'), false);
    await dynamo.client.send(
      new PutItemCommand({
        TableName: eventStore,
        Item: marshall(
          { pk: old?.aggregateId, sk: 1, kind: 'event', ...old },
          { removeUndefinedValues: true },
        ),
      }),
    );
    expect((await store.listStreams('Order')).aggregateIds).toEqual([]);

    // Act
    const indexed = await indexExistingStreams(dynamo.client, eventStore);
    const again = await indexExistingStreams(dynamo.client, eventStore);

    // Assess
    expect([indexed, again]).toEqual([1, 0]);
    expect((await store.listStreams('Order')).aggregateIds).toEqual([old?.aggregateId]);
  });
});

describe('rebuilding the order views', () => {
  test('a lost view and a damaged one come back as the projector made them; a sound one is left alone', async () => {
    // Prepare: three orders projected as the live projector does.
    const { readModel, store, views } = await tables();
    const [lost, damaged, sound] = [newId('order'), newId('order'), newId('order')];
    const project = makeProjectOrderEvent({ views });
    for (const [orderId, cancelled] of [
      [lost, true],
      [damaged, true],
      [sound, false],
    ] as const) {
      const history = orderHistory(orderId, cancelled);
      await store.append(orderId, 0, history);
      for (const event of history) await project(OrderEventEnvelopeSchema.parse(event));
    }
    const expected = await Promise.all([lost, damaged, sound].map((orderId) => views.get(orderId)));
    await dynamo.client.send(
      new DeleteItemCommand({ TableName: readModel, Key: marshall({ pk: lost, sk: ORDER_VIEW_SORT_KEY }) }),
    );
    await dynamo.client.send(
      new UpdateItemCommand({
        TableName: readModel,
        Key: marshall({ pk: damaged, sk: ORDER_VIEW_SORT_KEY }),
        UpdateExpression: 'SET #status = :paid',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: marshall({ ':paid': 'PAID' }),
      }),
    );
    const told: string[] = [];

    // Act
    const summary = await makeRebuildOrderViews({
      store,
      views,
      onOrder: (orderId, result) => told.push(`${orderId} ${result.outcome}`),
    })();

    // Assess
    expect(summary).toEqual({ orders: 3, rebuilt: 2, unchanged: 1, ahead: 0, failed: [] });
    expect(told.sort()).toEqual([`${damaged} rebuilt`, `${lost} rebuilt`, `${sound} unchanged`].sort());
    expect(await Promise.all([lost, damaged, sound].map((orderId) => views.get(orderId)))).toEqual(expected);
  });

  test('leaves a view the live projector moved past the events read, and reports an unprojectable stream', async () => {
    // Prepare: an order whose view is at version 2 while its first event alone is read; and a stream
    // whose first event is not an OrderCreated.
    const { store, views } = await tables();
    const ahead = newId('order');
    const broken = newId('order');
    const history = orderHistory(ahead, true);
    await store.append(ahead, 0, history.slice(0, 1));
    const project = makeProjectOrderEvent({ views });
    for (const event of history) await project(OrderEventEnvelopeSchema.parse(event));
    await store.append(broken, 0, [
      orderEvent(broken, 1, 'OrderCancelled', { orderId: broken, reason: 'X' }),
    ]);

    // Act
    const summary = await makeRebuildOrderViews({ store, views })();

    // Assess
    expect(summary).toMatchObject({ orders: 2, rebuilt: 0, ahead: 1 });
    expect(summary.failed).toEqual([
      {
        orderId: broken,
        reason: expect.stringContaining('the first event of an order must be OrderCreated'),
      },
    ]);
    expect(await views.get(broken)).toBeUndefined();
    expect((await views.get(ahead))?.status).toBe('CANCELLED');
  });
});
