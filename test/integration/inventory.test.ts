/**
 * The inventory context end to end on the local cloud, booted on the real app (`cdk.json`): the
 * `shop-api` routes → Lambda → the products table (state and event item in one transaction) → its
 * stream → the `OutboxRelay` → the `shop` bus. What reaches the bus is observed the way any consumer
 * would: a rule with an SQS target, made in the test through the EventBridge and SQS APIs. Every route
 * but `GET /health` wants an ID token: staff keep the catalog, customers may only read it.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { isId } from '../../shared/ids/ids';
import { type LocalCloud, localClientConfig } from 'cdk-local-cloud';
import type { InventoryEvent, ProductResponse } from '../../functions/inventory/contracts';
import {
  apiAs,
  localJson,
  signedInUser,
  startShopCloud,
  type ApiCall,
  type JsonAnswer,
} from '../support/shop-cloud';
import { BusRecorder } from '../support/bus-recorder';

/** Restocks sent at once, with no client retries: each must count exactly once. */
/**
 * `npm test` sends 60 at once; `npm run test:soak` also 200 (SOAK_TESTS=1). Two hundred writers of one
 * item queue behind the machine's budget of running invocations and behind each other's retries: on two
 * cores the slowest answer comes 25–29 s after it was sent, at the edge of API Gateway's 29 s, so that
 * size measures the machine as much as the code.
 */
const CONCURRENT_RESTOCKS = process.env.SOAK_TESTS === '1' ? [60, 200] : [60];

let cloud: LocalCloud;
let sqs: SQSClient;
let dynamodb: DynamoDBClient;
/** Every inventory event on the bus, as a consumer's rule receives it. */
let bus: BusRecorder<InventoryEvent>;
let logs: string[] = [];
/** Keeps the catalog: creates and restocks. */
let asStaff: ApiCall;
/** Signed in, not staff: may read products, not change them. */
let asCustomer: ApiCall;

type Answer = JsonAnswer;

interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details?: readonly { path: string }[];
  };
  readonly requestId: string;
}

const productOf = (answer: Answer): ProductResponse => answer.body as unknown as ProductResponse;
const errorOf = (answer: Answer): ErrorBody => answer.body as unknown as ErrorBody;

async function createProduct(body: Record<string, unknown> = {}): Promise<ProductResponse> {
  const answer = await asStaff('POST', '/products', {
    body: { name: 'Mug', priceCents: 1_200, stock: 0, ...body },
  });
  expect(answer.status).toBe(201);
  return productOf(answer);
}

/** Every item of the products table (products and their event items) that mentions `text`. */
async function productItemsMentioning(text: string): Promise<Record<string, unknown>[]> {
  const table = cloud.outputs['ShopInventory']?.['ProductsTableName'];
  if (table === undefined) throw new Error('no ShopInventory output ProductsTableName');
  const found: Record<string, unknown>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    found.push(
      ...(page.Items ?? [])
        .map((item) => unmarshall(item))
        .filter((item) => JSON.stringify(item).includes(text)),
    );
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return found;
}

beforeAll(async () => {
  ({ cloud, logs } = await startShopCloud({ defaultApiName: 'shop-api' }));
  sqs = new SQSClient(localClientConfig(cloud.edgeUrl));
  dynamodb = new DynamoDBClient(localClientConfig(cloud.dynamoDbEndpoint));
  const [staff, customer] = await Promise.all([
    signedInUser(cloud, { email: 'stock.keeper@example.com', staff: true }),
    signedInUser(cloud, { email: 'customer@example.com' }),
  ]);
  asStaff = apiAs(cloud, staff);
  asCustomer = apiAs(cloud, customer);
  bus = await BusRecorder.start(cloud, { ruleName: 'inventory-test-recorder', source: 'shop.inventory' });
}, 240_000);

afterAll(async () => {
  await bus?.stop();
  sqs?.destroy();
  dynamodb?.destroy();
  await cloud?.stop();
});

describe('the inventory API on shop-api', () => {
  test('is served by the default API next to the platform routes', async () => {
    // Act
    const resources = await localJson<{ routes: string[] }>(cloud, '/_local/resources');
    const health = await fetch(`${cloud.apiUrl}/health`);
    // Assess
    expect(resources.routes).toEqual(
      expect.arrayContaining([
        'shop-api: POST /products',
        'shop-api: GET /products/{productId}',
        'shop-api: POST /products/{productId}/restock',
        'shop-api: GET /health',
      ]),
    );
    expect(health.status).toBe(200);
  });

  test('staff create and restock a product, which a customer reads', async () => {
    // Act
    const created = await asStaff('POST', '/products', {
      body: { name: 'Espresso cup', priceCents: 1_250, stock: 3 },
    });
    const { productId } = productOf(created);
    const read = await asCustomer('GET', `/prod/products/${productId}`);
    const restocked = await asStaff('POST', `/products/${productId}/restock`, { body: { quantity: 5 } });
    const reread = await asCustomer('GET', `/products/${productId}`);
    // Assess
    expect(created.status).toBe(201);
    expect(isId('product', productId)).toBe(true);
    expect(created.headers.get('location')).toBe(`/products/${productId}`);
    expect(created.body).toEqual({
      productId,
      name: 'Espresso cup',
      priceCents: 1_250,
      currency: 'USD',
      available: 3,
      reserved: 0,
      sold: 0,
      version: 1,
    });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    expect(restocked.status).toBe(200);
    expect(restocked.body).toEqual({ ...created.body, available: 8, version: 2 });
    expect(reread.body).toEqual(restocked.body);

    const events = await bus.eventsOf(productId, 2);
    expect(events.map((event) => [event.source, event['detail-type'], event.detail.version])).toEqual([
      ['shop.inventory', 'ProductCreated', 1],
      ['shop.inventory', 'StockAdded', 2],
    ]);
    expect(events[1]?.detail).toEqual({
      eventId: expect.any(String),
      type: 'StockAdded',
      aggregateType: 'Product',
      aggregateId: productId,
      version: 2,
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      correlationId: restocked.headers.get('x-correlation-id'),
      causationId: restocked.headers.get('x-request-id'),
      schemaVersion: 1,
      data: { productId, quantity: 5, available: 8 },
      ...(events[1]?.detail.traceHeader === undefined ? {} : { traceHeader: expect.any(String) }),
    });
  });

  test('replays POST /products under the same Idempotency-Key, and refuses the key for another body', async () => {
    // Prepare
    const key = randomUUID();
    const body = { name: 'Teapot', priceCents: 3_900, currency: 'EUR', stock: 2 };
    // Act
    const first = await asStaff('POST', '/products', { body, headers: { 'Idempotency-Key': key } });
    const again = await asStaff('POST', '/products', { body, headers: { 'Idempotency-Key': key } });
    const other = await asStaff('POST', '/products', {
      body: { ...body, stock: 3 },
      headers: { 'Idempotency-Key': key },
    });
    // Assess
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(other.status).toBe(422);
    expect(errorOf(other).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});

describe('who may change the catalog', () => {
  test('a customer’s POST /products and restock are 403 FORBIDDEN and change nothing: no product, no stock, no event', async () => {
    // Prepare
    const product = await createProduct({ name: 'Staff-only teapot', stock: 4 });
    const refusedName = `A customer’s own mug ${randomUUID()}`;

    // Act
    const create = await asCustomer('POST', '/products', {
      body: { name: refusedName, priceCents: 1, stock: 1 },
    });
    const restock = await asCustomer('POST', `/products/${product.productId}/restock`, {
      body: { quantity: 5 },
      headers: { 'Idempotency-Key': randomUUID() },
    });
    // Refused before the body is read: a customer learns nothing of what would be wrong with it.
    const malformed = await asCustomer('POST', `/products/${product.productId}/restock`, {
      body: { quantity: -5 },
    });
    const reread = await asCustomer('GET', `/products/${product.productId}`);

    // Assess
    for (const answer of [create, restock, malformed]) {
      expect({ status: answer.status, code: errorOf(answer).error?.code }).toEqual({
        status: 403,
        code: 'FORBIDDEN',
      });
      expect(errorOf(answer).requestId).toBe(answer.headers.get('x-request-id'));
      expect(errorOf(answer).error.message).toMatch(/^Only staff may /);
    }
    expect(reread.status).toBe(200);
    expect(reread.body).toEqual(product);
    expect(await productItemsMentioning(refusedName)).toEqual([]);
    // A staff restock after the refusals: the product's events on the bus are its creation and this one.
    const marker = await asStaff('POST', `/products/${product.productId}/restock`, { body: { quantity: 1 } });
    expect(marker.status).toBe(200);
    const events = await bus.eventsOf(product.productId, 2);
    expect(events.map((event) => [event['detail-type'], event.detail.version, event.detail.data])).toEqual([
      ['ProductCreated', 1, expect.objectContaining({ available: 4 })],
      ['StockAdded', 2, { productId: product.productId, quantity: 1, available: 5 }],
    ]);
    expect(
      (await bus.all()).filter((event) => JSON.stringify(event.detail.data).includes(refusedName)),
    ).toEqual([]);
  });

  test('without a valid ID token the gateway answers 401, before any function, even to read', async () => {
    // Prepare
    const { productId } = await createProduct({ name: 'Saucer', stock: 2 });
    const anonymous = apiAs(cloud);

    // Act
    const answers = await Promise.all([
      anonymous('GET', `/products/${productId}`),
      anonymous('POST', '/products', { body: { name: 'Mug', priceCents: 1_200, stock: 1 } }),
      anonymous('POST', `/products/${productId}/restock`, { body: { quantity: 1 } }),
      asStaff('POST', `/products/${productId}/restock`, {
        body: { quantity: 1 },
        headers: { Authorization: 'not-a-token' },
      }),
    ]);

    // Assess
    expect(answers.map((answer) => ({ status: answer.status, body: answer.body }))).toEqual(
      Array(answers.length).fill({ status: 401, body: { message: 'Unauthorized' } }),
    );
    expect(productOf(await asStaff('GET', `/products/${productId}`))).toMatchObject({
      available: 2,
      version: 1,
    });
  });
});

describe('optimistic locking under contention', () => {
  test.each(CONCURRENT_RESTOCKS)(
    '%i restocks of 1 sent at once, without Idempotency-Key or client retries, all answer 200 and add exactly that much, each announced once on the bus',
    async (restocks) => {
      // Prepare
      const { productId } = await createProduct({ name: `Hot item ×${restocks}`, stock: 7 });
      const conflictsBefore = logs.filter((line) => line.includes('Optimistic lock conflict')).length;
      // Act
      const answers = await Promise.all(
        Array.from({ length: restocks }, () =>
          asStaff('POST', `/products/${productId}/restock`, { body: { quantity: 1 } }),
        ),
      );
      // Assess
      // A refused restock shows its body: the error says how many attempts it lost, over how long.
      expect(answers.map((answer) => (answer.status === 200 ? 200 : answer))).toEqual(
        Array(restocks).fill(200),
      );
      const final = productOf(await asStaff('GET', `/products/${productId}`));
      expect(final).toMatchObject({ available: 7 + restocks, version: 1 + restocks });
      // Every restock saw its own version: none overwrote another.
      const versions = answers.map((answer) => productOf(answer).version).sort((a, b) => a - b);
      expect(versions).toEqual(Array.from({ length: restocks }, (_, index) => index + 2));
      // The writers did race: some attempts lost on the version condition and were retried.
      const conflicts =
        logs.filter((line) => line.includes('Optimistic lock conflict')).length - conflictsBefore;
      expect(conflicts).toBeGreaterThan(0);

      const events = await bus.eventsOf(productId, 1 + restocks);
      expect(events.map((event) => event.detail.version)).toEqual(
        Array.from({ length: 1 + restocks }, (_, index) => index + 1),
      );
      expect(events.slice(1).every((event) => event['detail-type'] === 'StockAdded')).toBe(true);
      expect(events.at(-1)?.detail.data).toEqual({ productId, quantity: 1, available: 7 + restocks });
    },
    180_000,
  );

  test('the outbox relay ran without failures and dead-lettered nothing', async () => {
    // Act
    const { invocations } = await localJson<{
      invocations: { functionName: string; outcome: string }[];
    }>(cloud, '/_local/invocations');
    const deadLetterQueueUrl = cloud.outputs['ShopInventory']?.['OutboxDeadLetterQueueUrl'];
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: deadLetterQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    // Assess
    const relayed = invocations.filter((invocation) =>
      /^ShopInventory-OutboxRelay/.test(invocation.functionName),
    );
    expect(relayed.length).toBeGreaterThan(0);
    expect(relayed.filter((invocation) => invocation.outcome !== 'success')).toEqual([]);
    expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
    expect(logs.filter((line) => line.includes('Outbox records not published'))).toEqual([]);
  });
});

describe('malformed requests', () => {
  const big = 'x'.repeat(70 * 1024);
  const unknownId = 'prd_01JD0000000000000000000000';
  let productId: string;

  beforeAll(async () => {
    ({ productId } = await createProduct());
  });

  interface Case {
    readonly name: string;
    readonly method: string;
    readonly path: () => string;
    readonly body?: unknown;
    readonly raw?: string;
    readonly headers?: Record<string, string>;
    readonly status: number;
    readonly code: string;
    /** A field the error's details must name. */
    readonly detail?: string;
  }
  const product = (body: Record<string, unknown>) => ({ name: 'Mug', priceCents: 1_200, stock: 1, ...body });
  const restockPath = () => `/products/${productId}/restock`;
  const cases: Case[] = [
    {
      name: 'bad JSON',
      method: 'POST',
      path: () => '/products',
      raw: '{"name": "Mug",',
      status: 400,
      code: 'MALFORMED_JSON',
    },
    {
      name: 'a JSON array',
      method: 'POST',
      path: () => '/products',
      body: [product({})],
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'an empty body',
      method: 'POST',
      path: () => '/products',
      raw: '',
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'a text/plain body',
      method: 'POST',
      path: () => '/products',
      raw: 'name=Mug',
      headers: { 'Content-Type': 'text/plain' },
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'a 70 KB body',
      method: 'POST',
      path: () => '/products',
      body: product({ name: big }),
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
    {
      name: 'a missing stock',
      method: 'POST',
      path: () => '/products',
      body: { name: 'Mug', priceCents: 1 },
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'stock',
    },
    {
      name: 'an unknown field',
      method: 'POST',
      path: () => '/products',
      body: product({ sku: 'M-1' }),
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'sku',
    },
    {
      name: 'an empty name',
      method: 'POST',
      path: () => '/products',
      body: product({ name: ' ' }),
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'name',
    },
    {
      name: 'a zero price',
      method: 'POST',
      path: () => '/products',
      body: product({ priceCents: 0 }),
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'priceCents',
    },
    {
      name: 'a negative price',
      method: 'POST',
      path: () => '/products',
      body: product({ priceCents: -100 }),
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'priceCents',
    },
    {
      name: 'a fractional price',
      method: 'POST',
      path: () => '/products',
      body: product({ priceCents: 12.5 }),
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'priceCents',
    },
    {
      name: 'a price as a string',
      method: 'POST',
      path: () => '/products',
      body: product({ priceCents: '1200' }),
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'priceCents',
    },
    {
      name: 'a lower-case currency',
      method: 'POST',
      path: () => '/products',
      body: product({ currency: 'usd' }),
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'currency',
    },
    {
      name: 'a currency of four letters',
      method: 'POST',
      path: () => '/products',
      body: product({ currency: 'EURO' }),
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'currency',
    },
    {
      name: 'a negative stock',
      method: 'POST',
      path: () => '/products',
      body: product({ stock: -1 }),
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'stock',
    },
    {
      name: 'a fractional stock',
      method: 'POST',
      path: () => '/products',
      body: product({ stock: 2.5 }),
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'stock',
    },
    {
      name: 'an Idempotency-Key of 300 characters',
      method: 'POST',
      path: () => '/products',
      body: product({}),
      headers: { 'Idempotency-Key': 'k'.repeat(300) },
      status: 400,
      code: 'IDEMPOTENCY_KEY_INVALID',
    },
    {
      name: 'an id that is not a product id',
      method: 'GET',
      path: () => '/products/ord_01JD0000000000000000000000',
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'productId',
    },
    {
      name: 'an id with a malformed ULID',
      method: 'GET',
      path: () => '/products/prd_not-a-ulid',
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'productId',
    },
    {
      name: 'an unknown product',
      method: 'GET',
      path: () => `/products/${unknownId}`,
      status: 404,
      code: 'PRODUCT_NOT_FOUND',
    },
    {
      name: 'an unknown query parameter',
      method: 'GET',
      path: () => `/products/${productId}?expand=all`,
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'expand',
    },
    {
      name: 'a zero quantity',
      method: 'POST',
      path: restockPath,
      body: { quantity: 0 },
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'quantity',
    },
    {
      name: 'a negative quantity',
      method: 'POST',
      path: restockPath,
      body: { quantity: -5 },
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'quantity',
    },
    {
      name: 'a fractional quantity',
      method: 'POST',
      path: restockPath,
      body: { quantity: 0.5 },
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'quantity',
    },
    {
      name: 'a quantity as a string',
      method: 'POST',
      path: restockPath,
      body: { quantity: '1' },
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'quantity',
    },
    {
      name: 'a missing quantity',
      method: 'POST',
      path: restockPath,
      body: {},
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'quantity',
    },
    {
      name: 'a restock of a malformed id',
      method: 'POST',
      path: () => '/products/42/restock',
      body: { quantity: 1 },
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'productId',
    },
    {
      name: 'a restock of an unknown product',
      method: 'POST',
      path: () => `/products/${unknownId}/restock`,
      body: { quantity: 1 },
      status: 404,
      code: 'PRODUCT_NOT_FOUND',
    },
    {
      name: 'a restock sent as form data',
      method: 'POST',
      path: restockPath,
      raw: 'quantity=1',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
  ];

  test.each(cases)('$name → $status $code', async (wanted) => {
    // Act
    const answer = await asStaff(wanted.method, wanted.path(), {
      body: wanted.body,
      raw: wanted.raw,
      headers: wanted.headers,
    });
    // Assess
    const { error, requestId } = errorOf(answer);
    expect({ status: answer.status, code: error?.code }).toEqual({
      status: wanted.status,
      code: wanted.code,
    });
    expect(requestId).toBe(answer.headers.get('x-request-id'));
    expect(error.message.length).toBeGreaterThan(0);
    if (wanted.detail !== undefined) {
      expect(error.details?.map((detail) => detail.path)).toContain(wanted.detail);
    }
  });

  test('left the product untouched', async () => {
    const answer = await asStaff('GET', `/products/${productId}`);
    expect(productOf(answer)).toMatchObject({ available: 0, version: 1 });
  });
});
