/**
 * The orders context end to end on the local cloud, booted on the real app (`cdk.json`): API Gateway →
 * command Lambdas → event store → stream → outbox relay → EventBridge → rule → SQS → projector → read
 * model → query Lambdas, with inventory's API answering the price look-ups.
 *
 * Every order here starts the PlaceOrder saga, which moves it on: an order under the approval threshold
 * (100,000 cents by default) is charged and becomes PAID; one at or above it waits, AWAITING_APPROVAL,
 * for a decision no one gives here, and so stays cancellable and unpaid.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { newId, newUlid } from '../../shared/ids/ids';
import { type LocalCloud, eventually, localClientConfig } from 'cdk-local-cloud';
import { callJson, localJson, startShopCloud, type JsonAnswer, type JsonCall } from '../support/shop-cloud';

let cloud: LocalCloud;
let dynamodb: DynamoDBClient;

type Answer = JsonAnswer;

interface Call extends JsonCall {
  /** An `Idempotency-Key` header; a fresh one when absent on `POST /orders`, none when `null`. */
  readonly key?: string | null;
}

async function call(method: string, path: string, options: Call = {}): Promise<Answer> {
  const { key: given, ...request } = options;
  const key = given === undefined && method === 'POST' && path === '/orders' ? randomUUID() : given;
  return callJson(cloud.apiUrl, method, path, {
    ...request,
    headers: { ...options.headers, ...(typeof key === 'string' ? { 'Idempotency-Key': key } : {}) },
  });
}

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
  /** The order's saga execution, read live. */
  readonly saga?: { readonly status: string; readonly currentStep?: string };
}

interface StoredEvent {
  readonly type: string;
  readonly version: number;
  readonly eventId: string;
}

/** The read model's view once it reaches `version` (or any version when absent). */
async function viewAt(orderId: string, version?: number, timeoutMs = 30_000): Promise<OrderView> {
  return eventually(
    async () => {
      const answer = await call('GET', `/orders/${orderId}`);
      if (answer.status !== 200) return undefined;
      const view = answer.body as unknown as OrderView;
      return version === undefined || view.version === version ? view : undefined;
    },
    { timeoutMs, intervalMs: 200, what: `order ${orderId} in the read model at version ${version ?? 'any'}` },
  );
}

async function eventsOf(orderId: string): Promise<StoredEvent[]> {
  const answer = await call('GET', `/orders/${orderId}/events`);
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

/** The order that claimed `POST /orders` with `key` in the event store, if any did. */
async function orderClaimingKey(key: string): Promise<string | undefined> {
  const { Item: claim } = await dynamodb.send(
    new GetItemCommand({
      TableName: eventStoreTable(),
      Key: { pk: { S: `unique#POST /orders#${key}` }, sk: { N: '0' } },
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
  const answer = await call('POST', '/products', { body: { name, priceCents, currency, stock: 100 } });
  if (answer.status !== 201) throw new Error(`creating ${name}: ${answer.status} ${answer.text}`);
  return String(answer.body['productId']);
}

const newUser = (): string => newId('user');
/** Every order pays by card; `tok_visa` is the payment provider's card that is always charged. */
const payment = { method: 'card', token: 'tok_visa' } as const;
const orderBody = (userId: string, quantity = 2) => ({
  userId,
  items: [
    { productId: products.keyboard, quantity },
    { productId: products.mouse, quantity: 1 },
  ],
  payment,
});
/** At or above the approval threshold: the saga reserves its stock, then waits for a decision. */
const awaitingOrderBody = (userId: string, quantity = 1) => ({
  userId,
  items: [{ productId: products.workstation, quantity }],
  payment,
});

/** Places an order above the approval threshold; resolves once the read model shows it waiting. */
async function awaitingOrder(userId: string): Promise<OrderView> {
  const created = await call('POST', '/orders', { body: awaitingOrderBody(userId) });
  expect(created.status).toBe(202);
  const view = await viewAt(String(created.body['orderId']), 2);
  expect(view.status).toBe('AWAITING_APPROVAL');
  return view;
}

beforeAll(async () => {
  ({ cloud } = await startShopCloud({ asyncRetryBaseDelayMs: 50 }));
  dynamodb = new DynamoDBClient(localClientConfig(cloud.dynamoDbEndpoint));
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

describe('placing and reading an order', () => {
  test('create → 202, then the read model, the user’s list and the event history show it, paid by the saga', async () => {
    // Prepare
    const userId = newUser();

    // Act
    const created = await call('POST', '/orders', { body: orderBody(userId) });

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
    const view = await viewAt(orderId, 2);
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
    const list = await call('GET', `/users/${userId}/orders`);
    expect((list.body['orders'] as OrderView[]).map((o) => o.orderId)).toEqual([orderId]);
    expect((await eventsOf(orderId)).map((e) => [e.version, e.type])).toEqual([
      [1, 'OrderCreated'],
      [2, 'OrderPaid'],
    ]);
  });

  test('a user’s orders come newest first, a page at a time, and a tampered cursor is a 400', async () => {
    // Prepare
    const userId = newUser();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await call('POST', '/orders', { body: orderBody(userId, i + 1) });
      ids.push(String(created.body['orderId']));
    }
    for (const id of ids) await viewAt(id);

    // Act
    const first = await call('GET', `/users/${userId}/orders?limit=2`);
    const second = await call(
      'GET',
      `/users/${userId}/orders?limit=2&cursor=${String(first.body['nextCursor'])}`,
    );
    const tampered = await call(
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
    const userId = newUser();
    const unknown = newId('product');

    // Act
    const unknownAnswer = await call('POST', '/orders', {
      body: { userId, items: [{ productId: unknown, quantity: 1 }], payment },
    });
    const mixed = await call('POST', '/orders', {
      body: {
        userId,
        items: [
          { productId: products.keyboard, quantity: 1 },
          { productId: products.mug, quantity: 1 },
        ],
        payment,
      },
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
    expect(await ordersCreatedFor(userId)).toEqual([]);
  });
});

describe('idempotent commands', () => {
  test('the same key and body replay the first answer and create one order', async () => {
    // Prepare
    const userId = newUser();
    const key = randomUUID();
    const first = await call('POST', '/orders', { body: orderBody(userId), key });

    // Act
    const replay = await call('POST', '/orders', { body: orderBody(userId), key });

    // Assess
    expect(first.status).toBe(202);
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('location')).toBe(first.headers.get('location'));
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await ordersCreatedFor(userId)).toEqual([first.body['orderId']]);
  });

  test('the same key with another body is a 422 IDEMPOTENCY_KEY_REUSED', async () => {
    // Prepare
    const userId = newUser();
    const key = randomUUID();
    await call('POST', '/orders', { body: orderBody(userId, 1), key });

    // Act
    const reused = await call('POST', '/orders', { body: orderBody(userId, 3), key });

    // Assess
    expect(reused.status).toBe(422);
    expect(errorOf(reused).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await ordersCreatedFor(userId)).toHaveLength(1);
  });

  test('a retry whose idempotency record was lost answers the order its key created, and creates no other', async () => {
    // Prepare
    const userId = newUser();
    const key = randomUUID();
    const first = await call('POST', '/orders', { body: orderBody(userId), key });
    expect(first.status).toBe(202);
    const orderId = String(first.body['orderId']);
    expect(await loseIdempotencyRecordsOf(orderId)).toBe(1);

    // Act
    const retried = await call('POST', '/orders', { body: orderBody(userId), key });

    // Assess: answered by the key claimed with the order, not by a stored record
    expect(retried.status).toBe(202);
    expect(retried.body).toEqual(first.body);
    expect(retried.headers.get('location')).toBe(`/orders/${orderId}`);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(await ordersCreatedFor(userId)).toEqual([orderId]);
    expect(await orderClaimingKey(key)).toBe(orderId);
    await viewAt(orderId);
    const list = await call('GET', `/users/${userId}/orders`);
    expect((list.body['orders'] as OrderView[]).map((order) => order.orderId)).toEqual([orderId]);
  });

  test('another body under a key whose idempotency record was lost is a 422 IDEMPOTENCY_KEY_REUSED', async () => {
    // Prepare
    const userId = newUser();
    const key = randomUUID();
    const first = await call('POST', '/orders', { body: orderBody(userId, 1), key });
    expect(first.status).toBe(202);
    expect(await loseIdempotencyRecordsOf(String(first.body['orderId']))).toBe(1);

    // Act
    const reused = await call('POST', '/orders', { body: orderBody(userId, 3), key });

    // Assess
    expect(reused.status).toBe(422);
    expect(errorOf(reused).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await ordersCreatedFor(userId)).toEqual([first.body['orderId']]);
  });

  test('10 concurrent identical requests create exactly one order', async () => {
    // Prepare
    const userId = newUser();
    const key = randomUUID();

    // Act
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => call('POST', '/orders', { body: orderBody(userId), key })),
    );

    // Assess
    const created = await ordersCreatedFor(userId);
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
    const { orderId } = await awaitingOrder(newUser());

    // Act
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        call('POST', `/orders/${orderId}/cancel`, { body: { reason: `changed my mind ${i}` } }),
      ),
    );

    // Assess
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 10 }, () => 202));
    // The saga, told of the cancel, compensates; its own cancel finds the order cancelled already.
    const view = await eventually(
      async () => {
        const answer = await call('GET', `/orders/${orderId}`);
        const current = answer.body as unknown as OrderView;
        return current.version === 3 && current.saga?.status === 'SUCCEEDED' ? current : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: `the saga of ${orderId} to end` },
    );
    const events = await eventsOf(orderId);
    expect(events.map((e) => e.type)).toEqual(['OrderCreated', 'OrderApprovalRequested', 'OrderCancelled']);
    expect(view.status).toBe('CANCELLED');
    expect(view.cancellationReason).toMatch(/^changed my mind \d$/);
  });
});

describe('refused commands', () => {
  test('shipping an unpaid order is a 409 ORDER_NOT_PAID; cancelling a shipped or unknown order is refused', async () => {
    // Prepare: an order waiting for approval, so not paid.
    const { orderId } = await awaitingOrder(newUser());

    // Act
    const ship = await call('POST', `/orders/${orderId}/ship`, {
      body: { carrier: 'UPS', trackingNumber: '1Z9' },
    });
    const unknownCancel = await call('POST', `/orders/${newId('order')}/cancel`, { body: {} });
    const unknownGet = await call('GET', `/orders/${newId('order')}`);

    // Assess
    expect(ship.status).toBe(409);
    expect(errorOf(ship).error).toEqual({
      code: 'ORDER_NOT_PAID',
      message: `Cannot ship unpaid order ${orderId}.`,
    });
    expect(unknownCancel.status).toBe(404);
    expect(errorOf(unknownCancel).error.code).toBe('ORDER_NOT_FOUND');
    expect(unknownGet.status).toBe(404);
    expect((await eventsOf(orderId)).map((e) => e.type)).toEqual(['OrderCreated', 'OrderApprovalRequested']);
  });

  test('malformed requests each get their 4xx and error body, never a 5xx', async () => {
    // Prepare
    const userId = newUser();
    const item = () => ({ productId: products.keyboard, quantity: 1 });
    const orderId = newId('order');
    const cases: [string, string, string, Call, number, string][] = [
      ['bad JSON', 'POST', '/orders', { raw: '{"userId": ' }, 400, 'MALFORMED_JSON'],
      ['no body', 'POST', '/orders', { raw: '' }, 400, 'VALIDATION_FAILED'],
      ['a JSON array', 'POST', '/orders', { body: [] }, 400, 'VALIDATION_FAILED'],
      ['JSON null', 'POST', '/orders', { raw: 'null' }, 400, 'VALIDATION_FAILED'],
      [
        'text/plain',
        'POST',
        '/orders',
        { body: { userId, items: [item()], payment }, headers: { 'Content-Type': 'text/plain' } },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'latin-1 JSON',
        'POST',
        '/orders',
        {
          body: { userId, items: [item()], payment },
          headers: { 'Content-Type': 'application/json; charset=iso-8859-1' },
        },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'a huge body',
        'POST',
        '/orders',
        { body: { userId, items: [item()], note: 'x'.repeat(100_000), payment } },
        413,
        'PAYLOAD_TOO_LARGE',
      ],
      ['no userId', 'POST', '/orders', { body: { items: [item()], payment } }, 400, 'VALIDATION_FAILED'],
      [
        'a numeric userId',
        'POST',
        '/orders',
        { body: { userId: 42, items: [item()], payment } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a malformed userId',
        'POST',
        '/orders',
        { body: { userId: 'alice', items: [item()], payment } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'items not an array',
        'POST',
        '/orders',
        { body: { userId, items: item(), payment } },
        400,
        'VALIDATION_FAILED',
      ],
      ['no items', 'POST', '/orders', { body: { userId, items: [], payment } }, 400, 'VALIDATION_FAILED'],
      [
        '51 items',
        'POST',
        '/orders',
        {
          body: {
            userId,
            items: Array.from({ length: 51 }, () => ({ productId: newId('product'), quantity: 1 })),
            payment,
          },
        },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a duplicate product',
        'POST',
        '/orders',
        { body: { userId, items: [item(), item()], payment } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a zero quantity',
        'POST',
        '/orders',
        { body: { userId, items: [{ ...item(), quantity: 0 }], payment } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a negative quantity',
        'POST',
        '/orders',
        { body: { userId, items: [{ ...item(), quantity: -3 }], payment } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a huge quantity',
        'POST',
        '/orders',
        { body: { userId, items: [{ ...item(), quantity: 1e12 }], payment } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a fractional quantity',
        'POST',
        '/orders',
        { body: { userId, items: [{ ...item(), quantity: 2.5 }], payment } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a quantity as a string',
        'POST',
        '/orders',
        { body: { userId, items: [{ ...item(), quantity: '2' }], payment } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a malformed productId',
        'POST',
        '/orders',
        { body: { userId, items: [{ productId: 'keyboard', quantity: 1 }], payment } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'an unknown top-level field',
        'POST',
        '/orders',
        { body: { userId, items: [item()], discount: 50, payment } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a client-sent price',
        'POST',
        '/orders',
        { body: { userId, items: [{ ...item(), unitPriceCents: 1 }], payment } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'an unknown saga',
        'POST',
        '/orders',
        { body: { userId, items: [item()], saga: 'freestyle', payment } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a cash payment',
        'POST',
        '/orders',
        { body: { userId, items: [item()], payment: { method: 'cash', token: 't' } } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a payment without token',
        'POST',
        '/orders',
        { body: { userId, items: [item()], payment: { method: 'card' } } },
        400,
        'VALIDATION_FAILED',
      ],
      ['no payment', 'POST', '/orders', { body: { userId, items: [item()] } }, 400, 'VALIDATION_FAILED'],
      [
        'a token that is not a card token',
        'POST',
        '/orders',
        { body: { userId, items: [item()], payment: { method: 'card', token: '4242424242424242' } } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'no Idempotency-Key',
        'POST',
        '/orders',
        { body: { userId, items: [item()], payment }, key: null },
        400,
        'IDEMPOTENCY_KEY_MISSING',
      ],
      [
        'an over-long Idempotency-Key',
        'POST',
        '/orders',
        { body: { userId, items: [item()], payment }, key: 'k'.repeat(256) },
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

    // Act
    const answers = await Promise.all(
      cases.map(async ([label, method, path, options, status, code]) => {
        const answer = await call(method, path, options);
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
    expect(await ordersCreatedFor(userId)).toEqual([]);
  });
});

describe('paused streams', () => {
  test('while the stream mappings are paused nothing reaches the read model; resumed, the order arrives', async () => {
    // Prepare
    await cloud.pauseStreams();
    let orderId: string;
    try {
      // Act
      const created = await call('POST', '/orders', { body: orderBody(newUser()) });
      orderId = String(created.body['orderId']);
      const { eventSources } = await localJson<{
        eventSources: { kind: string; state?: string }[];
      }>(cloud, '/_local/event-sources');
      const unread = await call('GET', `/orders/${orderId}`);
      // Assess
      expect(created.status).toBe(202);
      const streams = eventSources.filter((source) => source.kind === 'dynamodb-stream');
      expect(streams.length).toBeGreaterThan(0);
      expect(streams.every((source) => source.state === 'Disabled')).toBe(true);
      expect(unread.status).toBe(404);
    } finally {
      await cloud.resumeStreams();
    }
    expect(await viewAt(orderId)).toMatchObject({ orderId });
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
    const userId = newUser();

    // Act: orders the saga leaves waiting for approval; every other one cancelled by its customer.
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const created = await call('POST', '/orders', { body: awaitingOrderBody(userId, i + 1) });
      expect(created.status).toBe(202);
      ids.push(String(created.body['orderId']));
    }
    for (const id of ids.filter((_, i) => i % 2 === 0)) {
      expect((await call('POST', `/orders/${id}/cancel`, { body: {} })).status).toBe(202);
    }

    // Assess: once the saga has had its say (the wait asked for, or the order cancelled for good).
    for (const [index, id] of ids.entries()) {
      const cancelled = index % 2 === 0;
      const last = cancelled ? 'OrderCancelled' : 'OrderApprovalRequested';
      const events = await eventually(
        async () => {
          const stream = await eventsOf(id);
          return stream.at(-1)?.type === last ? stream : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: `${last} last in the history of ${id}` },
      );
      const view = await viewAt(id, events.length, 60_000);
      expect(view.status).toBe(cancelled ? 'CANCELLED' : 'AWAITING_APPROVAL');
    }
    const faults = await localJson<{ faults: { injected: number }[] }>(cloud, '/_local/faults');
    expect(faults.faults[0]?.injected).toBeGreaterThan(0);
    const list = await call('GET', `/users/${userId}/orders?limit=100`);
    expect((list.body['orders'] as OrderView[]).map((o) => o.orderId).sort()).toEqual([...ids].sort());
    // Retried entries were published, not given up on: nothing reached a dead-letter queue.
    const deadLetters = await ordersDeadLetterQueues();
    expect(deadLetters).toHaveLength(3);
    expect(deadLetters.map((queue) => queue.visible + queue.notVisible)).toEqual([0, 0, 0]);
  });

  test('a poison event goes to the outbox DLQ after its retries, and later events keep flowing', async () => {
    // Prepare: an event item too large for EventBridge (over 256 KB), written straight into the store.
    await fetch(`${cloud.apiUrl}/_local/faults`, { method: 'DELETE' });
    const poisonId = newId('order');
    await dynamodb.send(
      new PutItemCommand({
        TableName: eventStoreTable(),
        Item: marshall({
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
          data: { padding: 'x'.repeat(300_000) },
        }),
      }),
    );

    // Act: an ordinary order after it, on the same stream.
    const created = await call('POST', '/orders', { body: orderBody(newUser()) });
    expect(created.status).toBe(202);

    // Assess
    await viewAt(String(created.body['orderId']), undefined, 90_000);
    const outboxDlq = await eventually(
      async () => {
        const queue = (await ordersDeadLetterQueues()).find((q) => q.name.includes('OutboxRelay'));
        return queue !== undefined && queue.visible > 0 ? queue : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 250, what: 'the poison record in the outbox DLQ' },
    );
    expect(outboxDlq.visible).toBe(1);
    expect((await call('GET', `/orders/${poisonId}`)).status).toBe(404);
  }, 120_000);
});
