/**
 * The orders context end to end on the local cloud, booted on the real app (`cdk.json`): API Gateway →
 * command Lambdas → event store → stream → outbox relay → EventBridge → rule → SQS → projector → read
 * model → query Lambdas, with inventory's API answering the price look-ups.
 *
 * Every order here starts the PlaceOrder saga, which moves it on: an order under the approval threshold
 * (100,000 cents by default) is charged and becomes PAID; one at or above it waits, AWAITING_APPROVAL,
 * for a decision no one gives here, and so stays cancellable and unpaid.
 *
 * Every call carries an ID token: customers place orders for themselves and see only their own (another
 * customer's answer 404, as unknown ones), staff see every order and alone ship it or decide approvals.
 * Tests that count a customer's orders each sign in a customer of their own.
 */
import { createOrderKey } from '../../functions/orders/application/create-order';
import { UNIQUE_KEY_PREFIX } from '../../shared/event-sourcing/dynamodb-event-store';
import { randomUUID } from 'node:crypto';
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { PoisonDeadLetter } from '../../shared/outbox/poison-dead-letter';
import { replayDeadLetters } from '../../shared/outbox/replay-dead-letters';
import { sqsPoisonSink } from '../../shared/outbox/sqs-poison-sink';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { BUNDLE_BUDGET_BYTES } from '../../infra/constructs/service-function';
import { SAGA_STYLE_PARAMETER_NAME } from '../../infra/stacks/orders-stack';
import { functionBundleBytes, functionBundleSources } from '../support/function-bundles';
import { newId, newUlid } from '../../shared/ids/ids';
import { type LocalCloud, eventually, localClientConfig } from 'cdk-local-cloud';
import {
  apiAs,
  localJson,
  customerDirectory,
  signedInUser,
  startShopCloud,
  type ApiCall,
  type JsonAnswer,
  type JsonCall,
} from '../support/shop-cloud';
import type { SignedInUser } from '../../infra/ops/shop-users';

let cloud: LocalCloud;
let dynamodb: DynamoDBClient;
/** Keeps the catalog, ships orders and decides approvals; may read every customer's orders. */
let staff: SignedInUser;

type Answer = JsonAnswer;

const as = (user?: SignedInUser): ApiCall => apiAs(cloud, user);

/** `options` with an `Idempotency-Key`: a fresh one unless given (`POST /orders` wants one). */
const keyed = (options: JsonCall = {}, key: string = randomUUID()): JsonCall => ({
  ...options,
  headers: { 'Idempotency-Key': key, ...options.headers },
});

/** `POST /orders` of `body` as `user`, under `key` (a fresh one unless given). */
const placeOrder = (user: SignedInUser, body: unknown, key?: string): Promise<Answer> =>
  as(user)('POST', '/orders', keyed({ body }, key));

/** The customers of this file by name: a test that counts a customer's orders names its own. */
const customer = customerDirectory(() => cloud, 'orders');

interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
  readonly requestId: string;
}
const errorOf = (answer: Answer): ErrorBody => answer.body as unknown as ErrorBody;

interface OrderView {
  readonly orderId: string;
  readonly userId: string;
  readonly status: string;
  readonly version: number;
  readonly totalCents: number;
  readonly currency: string;
  readonly items: readonly { productId: string; quantity: number; unitPriceCents: number }[];
  readonly cancellationReason?: string;
  readonly sagaStyle?: 'orchestrated' | 'choreographed';
  /** The order's saga execution, read live. */
  readonly saga?: { readonly status: string; readonly currentStep?: string };
}

interface StoredEvent {
  readonly type: string;
  readonly version: number;
  readonly eventId: string;
}

/** The read model's view, read by `reader`, once it reaches `version` (or any version when absent). */
async function viewAt(
  reader: SignedInUser,
  orderId: string,
  version?: number,
  timeoutMs = 30_000,
): Promise<OrderView> {
  return eventually(
    async () => {
      const answer = await as(reader)('GET', `/orders/${orderId}`);
      if (answer.status !== 200) return undefined;
      const view = answer.body as unknown as OrderView;
      return version === undefined || view.version === version ? view : undefined;
    },
    { timeoutMs, intervalMs: 200, what: `order ${orderId} in the read model at version ${version ?? 'any'}` },
  );
}

async function eventsOf(reader: SignedInUser, orderId: string): Promise<StoredEvent[]> {
  const answer = await as(reader)('GET', `/orders/${orderId}/events`);
  expect(answer.status).toBe(200);
  return (answer.body as unknown as { events: StoredEvent[] }).events;
}

function eventStoreTable(): string {
  const table = cloud.summary.tables.find((name) => name.includes('EventStore'));
  if (table === undefined) throw new Error(`no event store among ${cloud.summary.tables.join(', ')}`);
  return table;
}

function ordersIdempotencyTable(): string {
  const table = cloud.summary.tables.find((name) => /^ShopOrders-.*Idempotency/.test(name));
  if (table === undefined)
    throw new Error(`no orders idempotency table among ${cloud.summary.tables.join(', ')}`);
  return table;
}

/**
 * Deletes the Powertools records whose stored answer names `orderId`, as if saving the answer had failed
 * after the order was appended (or the record were lost); returns how many there were.
 */
async function loseIdempotencyRecordsOf(orderId: string): Promise<number> {
  const table = ordersIdempotencyTable();
  const records: Record<string, AttributeValue>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    records.push(...(page.Items ?? []).filter((item) => JSON.stringify(unmarshall(item)).includes(orderId)));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  for (const { id } of records) {
    if (id === undefined) throw new Error(`an idempotency record of ${orderId} has no id`);
    await dynamodb.send(new DeleteItemCommand({ TableName: table, Key: { id } }));
  }
  return records.length;
}

/** The order that claimed `POST /orders` with `key` of `userId` in the event store, if any did. */
async function orderClaimingKey(userId: string, key: string): Promise<string | undefined> {
  const { Item: claim } = await dynamodb.send(
    new GetItemCommand({
      TableName: eventStoreTable(),
      // Claimed per caller: two customers' same key are two requests.
      Key: {
        pk: { S: `${UNIQUE_KEY_PREFIX}${createOrderKey({ userId, requestKey: key })}` },
        sk: { N: '0' },
      },
      ConsistentRead: true,
    }),
  );
  return claim?.['aggregateId']?.S;
}

interface QueueCounts {
  readonly name: string;
  readonly visible: number;
  readonly notVisible: number;
}

/** The orders stack's dead-letter queues (outbox relay, projection, saga start), with their message counts. */
async function ordersDeadLetterQueues(): Promise<QueueCounts[]> {
  const answer = await localJson<{ queues: QueueCounts[] }>(cloud, '/_local/queues');
  return answer.queues.filter((queue) => /^ShopOrders-.*DeadLetterQueue/.test(queue.name));
}

/** Every `OrderCreated` of `userId` in the event store itself: the commands' truth, read consistently. */
async function ordersCreatedFor(userId: string): Promise<string[]> {
  const table = eventStoreTable();
  const found: string[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    for (const item of page.Items ?? []) {
      const event = unmarshall(item) as { type?: string; aggregateId?: string; data?: { userId?: string } };
      if (event.type === 'OrderCreated' && event.data?.userId === userId && event.aggregateId) {
        found.push(event.aggregateId);
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return found;
}

const products: Record<'keyboard' | 'mouse' | 'mug' | 'workstation', string> = {
  keyboard: '',
  mouse: '',
  mug: '',
  workstation: '',
};

async function createProduct(name: string, priceCents: number, currency: string): Promise<string> {
  const answer = await as(staff)('POST', '/products', {
    body: { name, priceCents, currency, stock: 100 },
  });
  if (answer.status !== 201) throw new Error(`creating ${name}: ${answer.status} ${answer.text}`);
  return String(answer.body['productId']);
}

/** Every order pays by card; `tok_visa` is the payment provider's card that is always charged. */
const payment = { method: 'card', token: 'tok_visa' } as const;
/** Under the approval threshold: the saga charges it and it becomes PAID. No `userId`: it is the caller's. */
const orderBody = (quantity = 2) => ({
  items: [
    { productId: products.keyboard, quantity },
    { productId: products.mouse, quantity: 1 },
  ],
  payment,
});
/** At or above the approval threshold: the saga reserves its stock, then waits for a decision. */
const awaitingOrderBody = (quantity = 1) => ({
  items: [{ productId: products.workstation, quantity }],
  payment,
});

/** Places an order of `user` above the approval threshold; resolves once the read model shows it waiting. */
async function awaitingOrder(user: SignedInUser): Promise<OrderView> {
  const created = await placeOrder(user, awaitingOrderBody());
  expect(created.status).toBe(202);
  const view = await viewAt(user, String(created.body['orderId']), 2);
  expect(view.status).toBe('AWAITING_APPROVAL');
  return view;
}

beforeAll(async () => {
  ({ cloud } = await startShopCloud({ asyncRetryBaseDelayMs: 50 }));
  dynamodb = new DynamoDBClient(localClientConfig(cloud.dynamoDbEndpoint));
  [staff] = await Promise.all([
    signedInUser(cloud, { email: 'fulfilment.orders@example.com', staff: true }),
    customer('ada'),
    customer('grace'),
  ]);
  products.keyboard = await createProduct('Keyboard', 4_999, 'USD');
  products.mouse = await createProduct('Mouse', 1_250, 'USD');
  products.mug = await createProduct('Mug', 900, 'EUR');
  products.workstation = await createProduct('Workstation', 150_000, 'USD');
}, 180_000);

afterAll(async () => {
  if (cloud !== undefined) await fetch(`${cloud.apiUrl}/_local/faults`, { method: 'DELETE' });
  dynamodb?.destroy();
  await cloud?.stop();
});

describe('start-up', () => {
  test('the orders stack runs locally: nothing of it is unsupported', () => {
    // Assess
    expect(cloud.summary.stacks).toContain('ShopOrders');
    const ours = cloud.summary.unsupported.filter((line) => /ShopOrders|shop-api/.test(line));
    expect(ours).toEqual([]);
    expect(cloud.summary.routes).toEqual(
      expect.arrayContaining([
        expect.stringContaining('/orders/{orderId}/cancel'),
        expect.stringContaining('/users/{userId}/orders'),
      ]),
    );
  });
});

describe('the bundles', () => {
  test(`every function's index.js, as synthesized for deployment, stays within ${BUNDLE_BUDGET_BYTES / 1024} KB`, () => {
    // Act
    const sizes = functionBundleBytes(cloud.startup.assembly.dir);
    // Assess: every function of the app is counted, and none is over.
    expect(sizes.size).toBe(cloud.summary.functions.length);
    const overBudget = [...sizes].filter(([, bytes]) => bytes > BUNDLE_BUDGET_BYTES);
    expect(overBudget).toEqual([]);
  });

  test("the SDK clients take the function's credentials from its environment: no bundle holds the default chain", () => {
    // Act
    const sources = [...functionBundleSources(cloud.startup.assembly.dir)];
    // Assess
    const withChain = sources.filter(([, files]) =>
      files.some((file) => /credential-provider-(node|ini|sso|process|web-identity)\//.test(file)),
    );
    expect(withChain.map(([name]) => name)).toEqual([]);
    const withSdk = sources.filter(([, files]) => files.some((file) => file.includes('@aws-sdk/client-')));
    expect(withSdk.length).toBeGreaterThan(20);
    for (const [, files] of withSdk) {
      expect(files.some((file) => file.endsWith('shared/aws/lambda-credentials.ts'))).toBe(true);
    }
  });
});

describe('placing and reading an order', () => {
  test('create → 202, then the read model, the user’s list and the event history show it, paid by the saga', async () => {
    // Prepare
    const buyer = await customer('first-order');
    const { userId } = buyer;

    // Act
    const created = await placeOrder(buyer, orderBody());

    // Assess
    expect(created.status).toBe(202);
    const orderId = String(created.body['orderId']);
    expect(created.body).toEqual({
      orderId,
      status: 'PENDING',
      totalCents: 2 * 4_999 + 1_250,
      currency: 'USD',
    });
    expect(created.headers.get('location')).toBe(`/orders/${orderId}`);
    const view = await viewAt(buyer, orderId, 2);
    // The order is the caller's: its user comes from the ID token.
    expect(view).toMatchObject({
      orderId,
      userId,
      status: 'PAID',
      totalCents: 11_248,
      currency: 'USD',
      items: [
        { productId: products.keyboard, quantity: 2, unitPriceCents: 4_999 },
        { productId: products.mouse, quantity: 1, unitPriceCents: 1_250 },
      ],
    });
    const list = await as(buyer)('GET', `/users/${userId}/orders`);
    expect((list.body['orders'] as OrderView[]).map((o) => o.orderId)).toEqual([orderId]);
    expect((await eventsOf(buyer, orderId)).map((e) => [e.version, e.type])).toEqual([
      [1, 'OrderCreated'],
      [2, 'OrderPaid'],
    ]);
  });

  test('a user’s orders come newest first, a page at a time, and a tampered cursor is a 400', async () => {
    // Prepare
    const buyer = await customer('pages');
    const { userId } = buyer;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await placeOrder(buyer, orderBody(i + 1));
      ids.push(String(created.body['orderId']));
    }
    for (const id of ids) await viewAt(buyer, id);

    // Act
    const first = await as(buyer)('GET', `/users/${userId}/orders?limit=2`);
    const second = await as(buyer)(
      'GET',
      `/users/${userId}/orders?limit=2&cursor=${String(first.body['nextCursor'])}`,
    );
    const tampered = await as(buyer)(
      'GET',
      `/users/${userId}/orders?cursor=${String(first.body['nextCursor']).slice(2)}`,
    );

    // Assess
    expect((first.body['orders'] as OrderView[]).map((o) => o.orderId)).toEqual([ids[2], ids[1]]);
    expect((second.body['orders'] as OrderView[]).map((o) => o.orderId)).toEqual([ids[0]]);
    expect(second.body['nextCursor']).toBeNull();
    expect(tampered.status).toBe(400);
    expect(errorOf(tampered).error.code).toBe('INVALID_CURSOR');
  });

  test('an unknown product is a 422 UNKNOWN_PRODUCT, mixed currencies a 422 CURRENCY_MISMATCH', async () => {
    // Prepare
    const buyer = await customer('refused-pricing');
    const unknown = newId('product');

    // Act
    const unknownAnswer = await placeOrder(buyer, {
      items: [{ productId: unknown, quantity: 1 }],
      payment,
    });
    const mixed = await placeOrder(buyer, {
      items: [
        { productId: products.keyboard, quantity: 1 },
        { productId: products.mug, quantity: 1 },
      ],
      payment,
    });

    // Assess
    expect(unknownAnswer.status).toBe(422);
    expect(errorOf(unknownAnswer).error).toEqual({
      code: 'UNKNOWN_PRODUCT',
      message: `Unknown product: ${unknown}.`,
      details: [{ path: 'items.0.productId', message: 'is not a known product' }],
    });
    expect(mixed.status).toBe(422);
    expect(errorOf(mixed).error.code).toBe('CURRENCY_MISMATCH');
    expect(await ordersCreatedFor(buyer.userId)).toEqual([]);
  });
});

describe('the saga style: the deployment’s /shop/saga-style parameter', () => {
  test('an order runs the style the parameter names when it is placed; a change reaches new orders without a deployment', async () => {
    // Prepare
    const buyer = await customer('saga-style');
    const ssm = new SSMClient({ ...localClientConfig(cloud.edgeUrl), maxAttempts: 1 });
    const orchestrated = String((await placeOrder(buyer, orderBody(1))).body['orderId']);

    // Act
    try {
      await ssm.send(
        new PutParameterCommand({ Name: SAGA_STYLE_PARAMETER_NAME, Value: 'choreographed', Overwrite: true }),
      );
      // Every create environment rereads the parameter within 5 s: orders are placed until one takes it.
      const choreographed = await eventually(
        async () => {
          const orderId = String((await placeOrder(buyer, orderBody(1))).body['orderId']);
          const view = await viewAt(buyer, orderId, 1);
          return view.sagaStyle === 'choreographed' ? view : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500, what: 'an order placed in the choreographed style' },
      );

      // Assess
      expect((await viewAt(buyer, orchestrated, 2)).sagaStyle).toBe('orchestrated');
      expect(choreographed).toMatchObject({ status: 'PENDING', sagaStyle: 'choreographed' });
      expect(choreographed.saga).toBeUndefined();
      expect((await eventsOf(buyer, choreographed.orderId))[0]).toMatchObject({ type: 'OrderCreated' });
    } finally {
      await ssm.send(
        new PutParameterCommand({ Name: SAGA_STYLE_PARAMETER_NAME, Value: 'orchestrated', Overwrite: true }),
      );
      ssm.destroy();
    }
    // The other tests place orchestrated orders again.
    await eventually(
      async () => {
        const orderId = String((await placeOrder(buyer, orderBody(1))).body['orderId']);
        return (await viewAt(buyer, orderId, 1)).sagaStyle === 'orchestrated' ? orderId : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'orders placed in the orchestrated style again' },
    );
  });
});

describe('whose orders: the owner’s and staff’s, no other customer’s', () => {
  /** `GET` of an order, its history and its payment, as `user`. */
  const readAll = (user: SignedInUser, orderId: string): Promise<Answer[]> =>
    Promise.all([
      as(user)('GET', `/orders/${orderId}`),
      as(user)('GET', `/orders/${orderId}/events`),
      as(user)('GET', `/payments/${orderId}`),
    ]);

  test('another customer’s GET of an order, its events and its payment is a 404, as for an unknown order; staff read them', async () => {
    // Prepare: a paid order, so it has a payment.
    const [owner, stranger] = await Promise.all([customer('ada'), customer('grace')]);
    const created = await placeOrder(owner, orderBody());
    expect(created.status).toBe(202);
    const orderId = String(created.body['orderId']);
    expect((await viewAt(owner, orderId, 2)).status).toBe('PAID');
    const unknownId = newId('order');

    // Act
    const [byOwner, byStaff, byStranger, unknownToStranger] = await Promise.all([
      readAll(owner, orderId),
      readAll(staff, orderId),
      readAll(stranger, orderId),
      readAll(stranger, unknownId),
    ]);

    // Assess
    expect(byOwner.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(byOwner[0]?.body).toMatchObject({ orderId, userId: owner.userId, status: 'PAID', version: 2 });
    expect(byOwner[2]?.body).toMatchObject({
      orderId,
      status: 'CAPTURED',
      amountCents: 11_248,
      currency: 'USD',
    });
    expect(byStaff.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(byStaff[0]?.body).toMatchObject({ orderId, userId: owner.userId, status: 'PAID', version: 2 });
    expect(byStaff[1]?.body).toEqual(byOwner[1]?.body);
    expect(byStaff[2]?.body).toEqual(byOwner[2]?.body);
    // Nothing tells the stranger the order exists: the answers are an unknown order's, word for word.
    expect(byStranger.map((answer) => errorOf(answer).error.code)).toEqual([
      'ORDER_NOT_FOUND',
      'ORDER_NOT_FOUND',
      'PAYMENT_NOT_FOUND',
    ]);
    expect(byStranger.map((answer) => ({ status: answer.status, error: errorOf(answer).error }))).toEqual(
      unknownToStranger.map((answer) => ({
        status: answer.status,
        error: {
          ...errorOf(answer).error,
          message: errorOf(answer).error.message.replace(unknownId, orderId),
        },
      })),
    );
  });

  test('another customer’s cancel is a 404 and changes nothing; staff may cancel the order', async () => {
    // Prepare: an order waiting for approval, so still cancellable.
    const [owner, stranger] = await Promise.all([customer('ada'), customer('grace')]);
    const { orderId } = await awaitingOrder(owner);

    // Act
    const refused = await as(stranger)('POST', `/orders/${orderId}/cancel`, {
      body: { reason: 'not mine to cancel' },
    });
    const eventsAfterRefusal = await eventsOf(owner, orderId);
    const byStaff = await as(staff)('POST', `/orders/${orderId}/cancel`, {
      body: { reason: 'out of stock' },
    });

    // Assess
    expect(refused.status).toBe(404);
    expect(errorOf(refused).error).toEqual({
      code: 'ORDER_NOT_FOUND',
      message: `Order ${orderId} does not exist.`,
    });
    expect(eventsAfterRefusal.map((e) => e.type)).toEqual(['OrderCreated', 'OrderApprovalRequested']);
    expect(byStaff.status).toBe(202);
    const view = await viewAt(owner, orderId, 3);
    expect(view).toMatchObject({ status: 'CANCELLED', cancellationReason: 'out of stock' });
  });

  test('a customer may neither approve nor ship an order, even their own: 403 FORBIDDEN, and nothing changes', async () => {
    // Prepare
    const owner = await customer('ada');
    const { orderId } = await awaitingOrder(owner);

    // Act
    const approve = await as(owner)('POST', `/orders/${orderId}/approval`, { body: { decision: 'approve' } });
    const ship = await as(owner)('POST', `/orders/${orderId}/ship`, {
      body: { carrier: 'UPS', trackingNumber: '1Z9' },
    });

    // Assess
    for (const answer of [approve, ship]) {
      expect({ status: answer.status, code: errorOf(answer).error?.code }).toEqual({
        status: 403,
        code: 'FORBIDDEN',
      });
      expect(errorOf(answer).requestId).toBe(answer.headers.get('x-request-id'));
    }
    expect((await eventsOf(owner, orderId)).map((e) => e.type)).toEqual([
      'OrderCreated',
      'OrderApprovalRequested',
    ]);
    expect((await viewAt(owner, orderId)).status).toBe('AWAITING_APPROVAL');
  });

  test('GET /users/me/orders lists the caller’s orders only; another customer’s list is 403, to staff 200', async () => {
    // Prepare
    const [lister, listed] = await Promise.all([customer('lister'), customer('listed')]);
    // Each order paid (version 2, where it stays) before the lists are read, so that they hold still.
    const placed = async (user: SignedInUser): Promise<string> => {
      const created = await placeOrder(user, orderBody(1));
      expect(created.status).toBe(202);
      const orderId = String(created.body['orderId']);
      expect((await viewAt(user, orderId, 2)).status).toBe('PAID');
      return orderId;
    };
    const listerOrders = [await placed(lister), await placed(lister)];
    const listedOrders = [await placed(listed)];
    const idsOf = (answer: Answer): string[] =>
      (answer.body['orders'] as OrderView[]).map((order) => order.orderId);

    // Act
    const [mine, mineById, theirsByThem, theirsByLister, theirsByStaff, staffsOwn] = await Promise.all([
      as(lister)('GET', '/users/me/orders'),
      as(lister)('GET', `/users/${lister.userId}/orders`),
      as(listed)('GET', '/users/me/orders'),
      as(lister)('GET', `/users/${listed.userId}/orders`),
      as(staff)('GET', `/users/${listed.userId}/orders`),
      as(staff)('GET', '/users/me/orders'),
    ]);

    // Assess
    expect(mine.status).toBe(200);
    expect(idsOf(mine)).toEqual([...listerOrders].reverse());
    expect((mine.body['orders'] as OrderView[]).every((order) => order.userId === lister.userId)).toBe(true);
    expect(mineById.body).toEqual(mine.body);
    expect(idsOf(theirsByThem)).toEqual(listedOrders);
    expect(theirsByLister.status).toBe(403);
    expect(errorOf(theirsByLister).error.code).toBe('FORBIDDEN');
    expect(errorOf(theirsByLister).requestId).toBe(theirsByLister.headers.get('x-request-id'));
    expect(theirsByStaff.status).toBe(200);
    expect(idsOf(theirsByStaff)).toEqual(listedOrders);
    // Staff's own list is theirs too: staff have placed no order here.
    expect(staffsOwn.status).toBe(200);
    expect(idsOf(staffsOwn)).toEqual([]);
  });
});

describe('idempotent commands', () => {
  test('the same key and body replay the first answer and create one order', async () => {
    // Prepare
    const buyer = await customer('replay');
    const key = randomUUID();
    const first = await placeOrder(buyer, orderBody(), key);

    // Act
    const replay = await placeOrder(buyer, orderBody(), key);

    // Assess
    expect(first.status).toBe(202);
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('location')).toBe(first.headers.get('location'));
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await ordersCreatedFor(buyer.userId)).toEqual([first.body['orderId']]);
  });

  test('the same key with another body is a 422 IDEMPOTENCY_KEY_REUSED', async () => {
    // Prepare
    const buyer = await customer('key-reused');
    const key = randomUUID();
    await placeOrder(buyer, orderBody(1), key);

    // Act
    const reused = await placeOrder(buyer, orderBody(3), key);

    // Assess
    expect(reused.status).toBe(422);
    expect(errorOf(reused).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await ordersCreatedFor(buyer.userId)).toHaveLength(1);
  });

  test('the same key from two customers is two requests: each creates and replays their own order', async () => {
    // Prepare
    const [first, second] = await Promise.all([customer('key-sharer-1'), customer('key-sharer-2')]);
    const key = randomUUID();

    // Act
    const byFirst = await placeOrder(first, orderBody(), key);
    const bySecond = await placeOrder(second, orderBody(), key);
    const secondReplay = await placeOrder(second, orderBody(), key);

    // Assess
    expect([byFirst.status, bySecond.status, secondReplay.status]).toEqual([202, 202, 202]);
    const firstOrder = String(byFirst.body['orderId']);
    const secondOrder = String(bySecond.body['orderId']);
    expect(secondOrder).not.toBe(firstOrder);
    expect(bySecond.headers.get('idempotent-replayed')).toBeNull();
    expect(secondReplay.headers.get('idempotent-replayed')).toBe('true');
    expect(secondReplay.body).toEqual(bySecond.body);
    expect(await ordersCreatedFor(first.userId)).toEqual([firstOrder]);
    expect(await ordersCreatedFor(second.userId)).toEqual([secondOrder]);
    expect(await orderClaimingKey(first.userId, key)).toBe(firstOrder);
    expect(await orderClaimingKey(second.userId, key)).toBe(secondOrder);
  });

  test('a retry whose idempotency record was lost answers the order its key created, and creates no other', async () => {
    // Prepare
    const buyer = await customer('record-lost');
    const { userId } = buyer;
    const key = randomUUID();
    const first = await placeOrder(buyer, orderBody(), key);
    expect(first.status).toBe(202);
    const orderId = String(first.body['orderId']);
    expect(await loseIdempotencyRecordsOf(orderId)).toBe(1);

    // Act
    const retried = await placeOrder(buyer, orderBody(), key);

    // Assess: answered by the key claimed with the order, not by a stored record
    expect(retried.status).toBe(202);
    expect(retried.body).toEqual(first.body);
    expect(retried.headers.get('location')).toBe(`/orders/${orderId}`);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(await ordersCreatedFor(userId)).toEqual([orderId]);
    expect(await orderClaimingKey(userId, key)).toBe(orderId);
    await viewAt(buyer, orderId);
    const list = await as(buyer)('GET', `/users/${userId}/orders`);
    expect((list.body['orders'] as OrderView[]).map((order) => order.orderId)).toEqual([orderId]);
  });

  test('another body under a key whose idempotency record was lost is a 422 IDEMPOTENCY_KEY_REUSED', async () => {
    // Prepare
    const buyer = await customer('record-lost-reused');
    const key = randomUUID();
    const first = await placeOrder(buyer, orderBody(1), key);
    expect(first.status).toBe(202);
    expect(await loseIdempotencyRecordsOf(String(first.body['orderId']))).toBe(1);

    // Act
    const reused = await placeOrder(buyer, orderBody(3), key);

    // Assess
    expect(reused.status).toBe(422);
    expect(errorOf(reused).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await ordersCreatedFor(buyer.userId)).toEqual([first.body['orderId']]);
  });

  test('10 concurrent identical requests create exactly one order', async () => {
    // Prepare
    const buyer = await customer('concurrent-creates');
    const key = randomUUID();

    // Act
    const answers = await Promise.all(Array.from({ length: 10 }, () => placeOrder(buyer, orderBody(), key)));

    // Assess
    const created = await ordersCreatedFor(buyer.userId);
    expect(created).toHaveLength(1);
    const accepted = answers.filter((a) => a.status === 202);
    const inFlight = answers.filter((a) => a.status === 409);
    expect(accepted.length + inFlight.length).toBe(10);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    for (const answer of accepted) expect(answer.body['orderId']).toBe(created[0]);
    for (const answer of inFlight) expect(errorOf(answer).error.code).toBe('IDEMPOTENCY_IN_PROGRESS');
  });

  test('10 concurrent cancels all succeed and record exactly one OrderCancelled', async () => {
    // Prepare: an order the saga leaves waiting for approval, so it is still cancellable.
    const buyer = await customer('concurrent-cancels');
    const { orderId } = await awaitingOrder(buyer);

    // Act
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        as(buyer)('POST', `/orders/${orderId}/cancel`, { body: { reason: `changed my mind ${i}` } }),
      ),
    );

    // Assess
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 10 }, () => 202));
    // The saga, told of the cancel, compensates; its own cancel finds the order cancelled already.
    const view = await eventually(
      async () => {
        const answer = await as(buyer)('GET', `/orders/${orderId}`);
        const current = answer.body as unknown as OrderView;
        return current.version === 3 && current.saga?.status === 'SUCCEEDED' ? current : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: `the saga of ${orderId} to end` },
    );
    const events = await eventsOf(buyer, orderId);
    expect(events.map((e) => e.type)).toEqual(['OrderCreated', 'OrderApprovalRequested', 'OrderCancelled']);
    expect(view.status).toBe('CANCELLED');
    expect(view.cancellationReason).toMatch(/^changed my mind \d$/);
  });
});

describe('refused commands', () => {
  test('shipping an unpaid order is a 409 ORDER_NOT_PAID; cancelling a shipped or unknown order is refused', async () => {
    // Prepare: an order waiting for approval, so not paid.
    const buyer = await customer('ada');
    const { orderId } = await awaitingOrder(buyer);

    // Act
    const ship = await as(staff)('POST', `/orders/${orderId}/ship`, {
      body: { carrier: 'UPS', trackingNumber: '1Z9' },
    });
    const unknownCancel = await as(buyer)('POST', `/orders/${newId('order')}/cancel`, { body: {} });
    const unknownGet = await as(buyer)('GET', `/orders/${newId('order')}`);

    // Assess
    expect(ship.status).toBe(409);
    expect(errorOf(ship).error).toEqual({
      code: 'ORDER_NOT_PAID',
      message: `Cannot ship unpaid order ${orderId}.`,
    });
    expect(unknownCancel.status).toBe(404);
    expect(errorOf(unknownCancel).error.code).toBe('ORDER_NOT_FOUND');
    expect(unknownGet.status).toBe(404);
    expect((await eventsOf(buyer, orderId)).map((e) => e.type)).toEqual([
      'OrderCreated',
      'OrderApprovalRequested',
    ]);
  });

  test('malformed requests each get their 4xx and error body, never a 5xx', async () => {
    // Prepare
    const buyer = await customer('malformed');
    const other = await customer('malformed-named');
    const { userId } = buyer;
    const item = () => ({ productId: products.keyboard, quantity: 1 });
    const orderId = newId('order');
    const cases: [string, string, string, JsonCall, number, string][] = [
      ['bad JSON', 'POST', '/orders', keyed({ raw: '{"items": ' }), 400, 'MALFORMED_JSON'],
      ['no body', 'POST', '/orders', keyed({ raw: '' }), 400, 'VALIDATION_FAILED'],
      ['a JSON array', 'POST', '/orders', keyed({ body: [] }), 400, 'VALIDATION_FAILED'],
      ['JSON null', 'POST', '/orders', keyed({ raw: 'null' }), 400, 'VALIDATION_FAILED'],
      [
        'text/plain',
        'POST',
        '/orders',
        keyed({ body: { items: [item()], payment }, headers: { 'Content-Type': 'text/plain' } }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'latin-1 JSON',
        'POST',
        '/orders',
        keyed({
          body: { items: [item()], payment },
          headers: { 'Content-Type': 'application/json; charset=iso-8859-1' },
        }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'a huge body',
        'POST',
        '/orders',
        keyed({ body: { items: [item()], note: 'x'.repeat(100_000), payment } }),
        413,
        'PAYLOAD_TOO_LARGE',
      ],
      // The order's user is the caller: a userId in the body is refused, whoever it names.
      [
        'the caller’s own userId',
        'POST',
        '/orders',
        keyed({ body: { userId, items: [item()], payment } }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'another user’s userId',
        'POST',
        '/orders',
        keyed({ body: { userId: other.userId, items: [item()], payment } }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a numeric userId',
        'POST',
        '/orders',
        keyed({ body: { userId: 42, items: [item()], payment } }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a malformed userId',
        'POST',
        '/orders',
        keyed({ body: { userId: 'alice', items: [item()], payment } }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'items not an array',
        'POST',
        '/orders',
        keyed({ body: { items: item(), payment } }),
        400,
        'VALIDATION_FAILED',
      ],
      ['no items', 'POST', '/orders', keyed({ body: { items: [], payment } }), 400, 'VALIDATION_FAILED'],
      [
        '51 items',
        'POST',
        '/orders',
        keyed({
          body: {
            items: Array.from({ length: 51 }, () => ({ productId: newId('product'), quantity: 1 })),
            payment,
          },
        }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a duplicate product',
        'POST',
        '/orders',
        keyed({ body: { items: [item(), item()], payment } }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a zero quantity',
        'POST',
        '/orders',
        keyed({ body: { items: [{ ...item(), quantity: 0 }], payment } }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a negative quantity',
        'POST',
        '/orders',
        keyed({ body: { items: [{ ...item(), quantity: -3 }], payment } }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a huge quantity',
        'POST',
        '/orders',
        keyed({ body: { items: [{ ...item(), quantity: 1e12 }], payment } }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a fractional quantity',
        'POST',
        '/orders',
        keyed({ body: { items: [{ ...item(), quantity: 2.5 }], payment } }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a quantity as a string',
        'POST',
        '/orders',
        keyed({ body: { items: [{ ...item(), quantity: '2' }], payment } }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a malformed productId',
        'POST',
        '/orders',
        keyed({ body: { items: [{ productId: 'keyboard', quantity: 1 }], payment } }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'an unknown top-level field',
        'POST',
        '/orders',
        keyed({ body: { items: [item()], discount: 50, payment } }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a client-sent price',
        'POST',
        '/orders',
        keyed({ body: { items: [{ ...item(), unitPriceCents: 1 }], payment } }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a saga style in the body (the deployment chooses it)',
        'POST',
        '/orders',
        keyed({ body: { items: [item()], saga: 'choreographed', payment } }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a cash payment',
        'POST',
        '/orders',
        keyed({ body: { items: [item()], payment: { method: 'cash', token: 't' } } }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a payment without token',
        'POST',
        '/orders',
        keyed({ body: { items: [item()], payment: { method: 'card' } } }),
        400,
        'VALIDATION_FAILED',
      ],
      ['no payment', 'POST', '/orders', keyed({ body: { items: [item()] } }), 400, 'VALIDATION_FAILED'],
      [
        'a token that is not a card token',
        'POST',
        '/orders',
        keyed({ body: { items: [item()], payment: { method: 'card', token: '4242424242424242' } } }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'no Idempotency-Key',
        'POST',
        '/orders',
        { body: { items: [item()], payment } },
        400,
        'IDEMPOTENCY_KEY_MISSING',
      ],
      [
        'an over-long Idempotency-Key',
        'POST',
        '/orders',
        keyed({ body: { items: [item()], payment } }, 'k'.repeat(256)),
        400,
        'IDEMPOTENCY_KEY_INVALID',
      ],
      ['a malformed order id', 'GET', '/orders/ord_nope', {}, 400, 'VALIDATION_FAILED'],
      [
        'a malformed order id on cancel',
        'POST',
        '/orders/12345/cancel',
        { body: {} },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'an unknown field on cancel',
        'POST',
        `/orders/${orderId}/cancel`,
        { body: { reason: 'x', force: true } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a numeric cancel reason',
        'POST',
        `/orders/${orderId}/cancel`,
        { body: { reason: 5 } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a ship without tracking number',
        'POST',
        `/orders/${orderId}/ship`,
        { body: { carrier: 'UPS' } },
        400,
        'VALIDATION_FAILED',
      ],
      ['a malformed user id', 'GET', '/users/bob/orders', {}, 400, 'VALIDATION_FAILED'],
      ['a zero limit', 'GET', `/users/${userId}/orders?limit=0`, {}, 400, 'VALIDATION_FAILED'],
      [
        'a limit that is no number',
        'GET',
        `/users/${userId}/orders?limit=many`,
        {},
        400,
        'VALIDATION_FAILED',
      ],
      ['an unknown query parameter', 'GET', `/users/${userId}/orders?sort=asc`, {}, 400, 'VALIDATION_FAILED'],
      ['a garbage cursor', 'GET', `/users/${userId}/orders?cursor=%7B%7D`, {}, 400, 'INVALID_CURSOR'],
      ['a garbage cursor on my orders', 'GET', '/users/me/orders?cursor=%7B%7D', {}, 400, 'INVALID_CURSOR'],
      ['a malformed id on the history', 'GET', '/orders/x/events', {}, 400, 'VALIDATION_FAILED'],
      [
        'an unknown approval decision',
        'POST',
        `/orders/${orderId}/approval`,
        { body: { decision: 'maybe' } },
        400,
        'VALIDATION_FAILED',
      ],
    ];
    // Staff-only routes refuse a customer before reading anything of the request: staff send those.
    const senderOf = (path: string): SignedInUser => (/\/(ship|approval)$/.test(path) ? staff : buyer);

    // Act
    const answers = await Promise.all(
      cases.map(async ([label, method, path, options, status, code]) => {
        const answer = await as(senderOf(path))(method, path, options);
        return { label, status, code, answer };
      }),
    );

    // Assess
    expect(cases.length).toBeGreaterThanOrEqual(25);
    const outcomes = answers.map(({ label, answer }) => [label, answer.status, errorOf(answer).error?.code]);
    expect(outcomes).toEqual(answers.map(({ label, status, code }) => [label, status, code]));
    for (const { answer } of answers) {
      expect(typeof errorOf(answer).error.message).toBe('string');
      expect(typeof errorOf(answer).requestId).toBe('string');
    }
    // Refused as a field the body may not have, not for what it holds.
    for (const { answer } of answers.filter(({ label }) => label.includes('saga style'))) {
      expect(errorOf(answer).error).toEqual({
        code: 'VALIDATION_FAILED',
        message: 'saga is not allowed',
        details: [{ path: 'saga', message: 'is not allowed' }],
      });
    }
    for (const { answer } of answers.filter(({ label }) => label.endsWith('userId'))) {
      expect(errorOf(answer).error).toEqual({
        code: 'VALIDATION_FAILED',
        message: 'userId is not allowed',
        details: [{ path: 'userId', message: 'is not allowed' }],
      });
    }
    expect(await ordersCreatedFor(userId)).toEqual([]);
    expect(await ordersCreatedFor(other.userId)).toEqual([]);
  });
});

describe('paused streams', () => {
  test('while the stream mappings are paused nothing reaches the read model; resumed, the order arrives', async () => {
    // Prepare
    const buyer = await customer('ada');
    await cloud.pauseStreams();
    let orderId: string;
    try {
      // Act
      const created = await placeOrder(buyer, orderBody());
      orderId = String(created.body['orderId']);
      const { eventSources } = await localJson<{
        eventSources: { kind: string; state?: string }[];
      }>(cloud, '/_local/event-sources');
      const unread = await as(buyer)('GET', `/orders/${orderId}`);
      // Assess
      expect(created.status).toBe(202);
      const streams = eventSources.filter((source) => source.kind === 'dynamodb-stream');
      expect(streams.length).toBeGreaterThan(0);
      expect(streams.every((source) => source.state === 'Disabled')).toBe(true);
      expect(unread.status).toBe(404);
    } finally {
      await cloud.resumeStreams();
    }
    expect(await viewAt(buyer, orderId)).toMatchObject({ orderId });
  });
});

describe('under faults', () => {
  test('with 30 % of PutEvents entries failing, every order reaches the read model once, at its event count', async () => {
    // Prepare
    const fault = await fetch(`${cloud.apiUrl}/_local/faults`, {
      method: 'POST',
      body: JSON.stringify({
        kind: 'put-events-failure',
        target: { source: 'shop.orders' },
        probability: 0.3,
        seed: 20261126,
      }),
    });
    expect(fault.status).toBe(201);
    const buyer = await customer('faults');

    // Act: orders the saga leaves waiting for approval; every other one cancelled by its customer.
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const created = await placeOrder(buyer, awaitingOrderBody(i + 1));
      expect(created.status).toBe(202);
      ids.push(String(created.body['orderId']));
    }
    for (const id of ids.filter((_, i) => i % 2 === 0)) {
      expect((await as(buyer)('POST', `/orders/${id}/cancel`, { body: {} })).status).toBe(202);
    }

    // Assess: once the saga has had its say (the wait asked for, or the order cancelled for good).
    for (const [index, id] of ids.entries()) {
      const cancelled = index % 2 === 0;
      const last = cancelled ? 'OrderCancelled' : 'OrderApprovalRequested';
      const events = await eventually(
        async () => {
          const stream = await eventsOf(buyer, id);
          return stream.at(-1)?.type === last ? stream : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: `${last} last in the history of ${id}` },
      );
      const view = await viewAt(buyer, id, events.length, 60_000);
      expect(view.status).toBe(cancelled ? 'CANCELLED' : 'AWAITING_APPROVAL');
    }
    const faults = await localJson<{ faults: { injected: number }[] }>(cloud, '/_local/faults');
    expect(faults.faults[0]?.injected).toBeGreaterThan(0);
    const list = await as(buyer)('GET', `/users/${buyer.userId}/orders?limit=100`);
    expect((list.body['orders'] as OrderView[]).map((o) => o.orderId).sort()).toEqual([...ids].sort());
    // Retried entries were published, not given up on: nothing reached a dead-letter queue.
    const deadLetters = await ordersDeadLetterQueues();
    expect(deadLetters).toHaveLength(5);
    expect(deadLetters.map((queue) => queue.visible + queue.notVisible)).toEqual([0, 0, 0, 0, 0]);
  });

  test('a poison event is dead-lettered whole at once, later events keep flowing, and once fixed `outbox:replay` publishes it', async () => {
    // Prepare: an event item too large for EventBridge (over 256 KB), written straight into the store.
    await fetch(`${cloud.apiUrl}/_local/faults`, { method: 'DELETE' });
    const poisonId = newId('order');
    const buyer = await customer('ada');
    const envelope = {
      pk: poisonId,
      sk: 1,
      kind: 'event',
      eventId: newUlid(),
      type: 'OrderCreated',
      aggregateType: 'Order',
      aggregateId: poisonId,
      version: 1,
      occurredAt: new Date().toISOString(),
      correlationId: 'poison',
      causationId: 'poison',
      schemaVersion: 1,
    };
    await dynamodb.send(
      new PutItemCommand({
        TableName: eventStoreTable(),
        Item: marshall({ ...envelope, data: { padding: 'x'.repeat(300_000) } }),
      }),
    );

    // Act: an ordinary order after it, on the same stream.
    const created = await placeOrder(buyer, orderBody());
    expect(created.status).toBe(202);

    // Assess: the order goes its way; the poison is on the outbox's dead-letter queue, whole, once.
    await viewAt(buyer, String(created.body['orderId']), undefined, 90_000);
    const queueUrl = cloud.outputs['ShopOrders']?.['OutboxDeadLetterQueueUrl'] ?? '';
    const sqs = new SQSClient(localClientConfig(cloud.edgeUrl));
    const [message] = await eventually(
      async () => {
        const { Messages: messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
        );
        return messages.length > 0 ? messages : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 250, what: 'the poison record in the outbox DLQ' },
    );
    const deadLetter = JSON.parse(message?.Body ?? '{}') as PoisonDeadLetter;
    expect(deadLetter).toMatchObject({
      kind: 'outbox-poison-record',
      source: 'shop.orders',
      aggregateId: poisonId,
      reason: expect.stringMatching(/over the 262144-byte PutEvents limit/),
      keys: { pk: { S: poisonId }, sk: { N: '1' } },
    });
    expect(unmarshall(deadLetter.newImage ?? {})).toMatchObject({ eventId: envelope.eventId });
    expect((await ordersDeadLetterQueues()).find((q) => q.name.includes('OutboxRelay'))?.visible).toBe(1);
    // Staff see every order: the 404 says the poison reached no read model, not that it is someone else's.
    expect((await as(staff)('GET', `/orders/${poisonId}`)).status).toBe(404);

    // Act: an operator fixes the item (a valid OrderCreated, for a product no one stocks), then replays.
    await dynamodb.send(
      new PutItemCommand({
        TableName: eventStoreTable(),
        Item: marshall({
          ...envelope,
          data: {
            orderId: poisonId,
            userId: buyer.userId,
            items: [{ productId: newId('product'), quantity: 1, unitPriceCents: 100 }],
            totalCents: 100,
            currency: 'USD',
            saga: 'orchestrated',
            payment: { method: 'card' },
          },
        }),
      }),
    );
    const outcomes = await replayDeadLetters({
      sqs,
      dynamodb: new DynamoDBClient(localClientConfig(cloud.edgeUrl)),
      streams: new DynamoDBStreamsClient(localClientConfig(cloud.edgeUrl)),
      eventBridge: new EventBridgeClient(localClientConfig(cloud.edgeUrl)),
      queueUrl,
      busName: 'shop',
      source: 'shop.orders',
      poisonSink: sqsPoisonSink(sqs, queueUrl),
    });

    // Assess: published, off the queue, and the order takes its course (its saga cancels it: no stock).
    expect(outcomes).toEqual([
      { message: message?.MessageId, outcome: 'replayed', published: 1, deadLettered: 0 },
    ]);
    expect((await ordersDeadLetterQueues()).find((q) => q.name.includes('OutboxRelay'))).toMatchObject({
      visible: 0,
      notVisible: 0,
    });
    const view = await eventually(
      async () => {
        const answer = await as(staff)('GET', `/orders/${poisonId}`);
        return answer.status === 200 && answer.body['status'] === 'CANCELLED' ? answer.body : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'the replayed order in the read model, cancelled' },
    );
    expect(view).toMatchObject({ orderId: poisonId, userId: buyer.userId });
    sqs.destroy();
  }, 180_000);
});
