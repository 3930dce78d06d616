/**
 * The orders context's known users on DynamoDB Local (AWS's own engine: the condition expressions and
 * the sparse `byUser` index are the real ones), in a read model made as the orders stack makes it: the
 * projector's handler records the user of a `UserRegistered` once, and duplicates, redeliveries and
 * racing deliveries write nothing more; the known-user item never shows in a user's order list; and
 * `GET /users/{userId}/orders` answers staff 404 for a user it has never heard of, 200 once it has.
 */
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbKnownUsers } from '../../functions/orders/adapters/dynamodb-known-users';
import { DynamoDbOrderViews } from '../../functions/orders/adapters/dynamodb-order-views';
import { makeListUserOrders } from '../../functions/orders/application/order-queries';
import { makeProjectOrderEvent } from '../../functions/orders/application/project-order-event';
import { makeRecordKnownUser } from '../../functions/orders/application/record-known-user';
import { makeHandler } from '../../functions/orders/handlers/project-order-events';
import type { OrderView } from '../../functions/orders/ports/order-views';
import type { UserRegistered } from '../../functions/users/contracts';
import type { Requester } from '../../shared/identity/requester';
import { newId } from '../../shared/ids/ids';
import { useDynamoDbLocal } from '../support/dynamodb-local';

const dynamo = useDynamoDbLocal();

const STAFF: Requester = { userId: newId('user'), isStaff: true };
const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** A read model as the orders stack makes it: `pk`/`sk`, GSI `byUser` (`userId`, `orderId`). */
async function readModel(): Promise<string> {
  const tableName = dynamo.uniqueTableName('order-views');
  await dynamo.client.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: ['pk', 'sk', 'userId', 'orderId'].map((name) => ({
        AttributeName: name,
        AttributeType: 'S' as const,
      })),
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byUser',
          KeySchema: [
            { AttributeName: 'userId', KeyType: 'HASH' },
            { AttributeName: 'orderId', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return tableName;
}

function orders(tableName: string) {
  const views = new DynamoDbOrderViews({ client: dynamo.client, tableName });
  const knownUsers = new DynamoDbKnownUsers({ client: dynamo.client, tableName });
  return {
    views,
    knownUsers,
    projector: makeHandler({
      project: makeProjectOrderEvent({ views }),
      recordKnownUser: makeRecordKnownUser({ knownUsers }),
      logger: silent,
    }),
    listUserOrders: makeListUserOrders({ views, knownUsers }),
  };
}

function userRegistered(userId: string, occurredAt = '2026-11-26T11:59:00.000Z'): UserRegistered {
  return {
    eventId: `evt-${userId}`,
    type: 'UserRegistered',
    aggregateType: 'User',
    aggregateId: userId,
    version: 1,
    occurredAt,
    correlationId: 'cognito-req',
    causationId: 'cognito-req',
    schemaVersion: 1,
    data: { userId },
  };
}

/** The SQS message the known-users rule puts on the projection queue. */
function delivered(event: UserRegistered, messageId: string) {
  return {
    messageId,
    body: JSON.stringify({ 'detail-type': event.type, source: 'shop.users', detail: event }),
  };
}

/** Every item of the table, sorted by key: what "nothing changed" compares. */
async function items(tableName: string): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await dynamo.documents.send(
    new ScanCommand({ TableName: tableName, ConsistentRead: true }),
  );
  const keyOf = (item: Record<string, unknown>) => `${String(item['pk'])} ${String(item['sk'])}`;
  return Items.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
}

describe('known users in the orders read model on DynamoDB', () => {
  test('records the user of a UserRegistered once: duplicates, late copies and racing deliveries write nothing', async () => {
    // Prepare
    const tableName = await readModel();
    const { projector } = orders(tableName);
    const userId = newId('user');
    const event = userRegistered(userId);
    expect(await projector({ Records: [delivered(event, 'first')] })).toEqual({ batchItemFailures: [] });
    const before = await items(tableName);

    // Act
    const redelivered = await projector({
      Records: [
        delivered(event, 'again'),
        delivered(userRegistered(userId, '2026-11-20T08:00:00.000Z'), 'late'),
      ],
    });
    const racing = await Promise.all(
      Array.from({ length: 8 }, (_, n) => projector({ Records: [delivered(event, `race-${n}`)] })),
    );

    // Assess
    expect(before).toEqual([{ pk: userId, sk: 'known-user', userId, registeredAt: event.occurredAt }]);
    expect(redelivered).toEqual({ batchItemFailures: [] });
    expect(racing.every((response) => response.batchItemFailures.length === 0)).toBe(true);
    expect(await items(tableName)).toEqual(before);
  });

  test("the known-user item is never one of the user's orders", async () => {
    // Prepare
    const tableName = await readModel();
    const { projector, views, listUserOrders } = orders(tableName);
    const userId = newId('user');
    const order: OrderView = {
      orderId: newId('order'),
      userId,
      items: [{ productId: newId('product'), quantity: 1, unitPriceCents: 100 }],
      totalCents: 100,
      currency: 'USD',
      status: 'PENDING',
      version: 1,
      createdAt: '2026-11-26T12:00:00.000Z',
      updatedAt: '2026-11-26T12:00:00.000Z',
    };
    await views.save(order, 0);

    // Act
    await projector({ Records: [delivered(userRegistered(userId), 'm')] });
    const page = await listUserOrders(userId, STAFF, {});

    // Assess
    expect(page).toEqual({ orders: [order] });
  });

  test('answers staff USER_NOT_FOUND for a user it has never heard of, and an empty page once it has', async () => {
    // Prepare
    const tableName = await readModel();
    const { projector, listUserOrders } = orders(tableName);
    const userId = newId('user');

    // Act
    const before = await listUserOrders(userId, STAFF, {}).catch((error: unknown) => error);
    await projector({ Records: [delivered(userRegistered(userId), 'm')] });
    const after = await listUserOrders(userId, STAFF, {});

    // Assess
    expect(before).toMatchObject({ code: 'USER_NOT_FOUND' });
    expect(after).toEqual({ orders: [] });
  });
});
