/**
 * The choreographed saga held to the orchestrated saga's invariants, on the real app booted with
 * `shop:sagaStyle=choreographed`, while the bus misbehaves on purpose: 10 % of `PutEvents` entries
 * fail (the relays retry them), and 10 % of the deliveries to the three consumers' queues are
 * duplicated, 10 % held back behind later ones, 10 % delayed. Once every order has ended: each is PAID
 * or CANCELLED with a reason its card and stock explain; every unit of stock is accounted for; a paid
 * order holds one full charge and a cancelled one nothing; no charge exists without an order; nothing
 * was dead-lettered. One order nobody approves is cancelled by its watchdog schedule. Then a relay's
 * retry is imitated — an order's events published again with new EventBridge ids — and each consumer
 * recognizes them by their domain `eventId` and changes nothing.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ScanCommand, DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type LocalCloud, eventually, localClientConfig } from 'cdk-local-cloud';
import type { OrderDetails } from '../../functions/orders/application/order-queries';
import { SETTINGS_CONTEXT_KEYS } from '../../infra/app-settings';
import { localJson, signedInStaffAndCustomers, startShopCloud } from '../support/shop-cloud';
import { capturedLessRefunded, shopOrders, type TestProduct } from '../support/shop-orders';
import type { SignedInUser } from '../../infra/ops/shop-users';
import { countedSince, outcomeCountProblems } from '../support/metric-totals';
import { seededRandom as mulberry32 } from '../support/seeded-random';

const SEED = 20261206;
/** Where the metrics read back start: before the cloud, so everything it counted. */
const METRICS_SINCE = new Date(Date.now() - 60_000);
const ORDERS = 120;
const CLIENTS = 12;
const PRODUCTS = 6;
const STOCK_EACH = 14;
const PRICE_CENTS = 2_000;
const PREMIUM_PRICE_CENTS = 30_000;
const APPROVAL_THRESHOLD_CENTS = 25_000;
/** Longer than the test: no approval the test gives may come too late. */
const APPROVAL_DEADLINE_SECONDS = 600;
/** The abandoned order's watchdog; every other order ends well within it. */
const WATCHDOG_SECONDS = 45;
const PAYMENT_WAIT_BUDGET_SECONDS = 60;
const PAYMENT_WAIT_INTERVAL_SECONDS = 2;
const PROVIDER_HANG_SECONDS = 3;
const CHAOS = 0.1;
const SETTLE_MS = 240_000;

/** Cards that pay, and cards that decline. */
const GOOD_CARDS = ['tok_visa', 'tok_visa', 'tok_visa', 'tok_visa', 'tok_flaky', 'tok_timeout'];
const DECLINING_CARDS = ['tok_decline', 'tok_error'];

let cloud: LocalCloud;
let providerUrl: string;
let staff: SignedInUser;
let customers: readonly SignedInUser[];
const logs: string[] = [];

const orders = shopOrders({
  cloud: () => cloud,
  staff: () => staff,
  customer: async (name) => {
    const index = Number(name);
    const customer = customers[index];
    if (customer === undefined) throw new Error(`no customer ${name}`);
    return customer;
  },
  providerUrl: () => providerUrl,
  productName: 'Chaos item',
});

beforeAll(async () => {
  ({ cloud } = await startShopCloud({
    asyncRetryBaseDelayMs: 50,
    context: {
      [SETTINGS_CONTEXT_KEYS.sagaStyle]: 'choreographed',
      [SETTINGS_CONTEXT_KEYS.approvalThresholdCents]: APPROVAL_THRESHOLD_CENTS,
      [SETTINGS_CONTEXT_KEYS.approvalDeadlineSeconds]: APPROVAL_DEADLINE_SECONDS,
      [SETTINGS_CONTEXT_KEYS.sagaWatchdogSeconds]: WATCHDOG_SECONDS,
      [SETTINGS_CONTEXT_KEYS.paymentWaitBudgetSeconds]: PAYMENT_WAIT_BUDGET_SECONDS,
      [SETTINGS_CONTEXT_KEYS.paymentWaitIntervalSeconds]: PAYMENT_WAIT_INTERVAL_SECONDS,
      [SETTINGS_CONTEXT_KEYS.providerHangSeconds]: PROVIDER_HANG_SECONDS,
    },
    log: (line) => {
      if (line.includes('"message":"Event duplicate"')) logs.push(line);
    },
  }));
  const processor = cloud.apis.find((api) => api.name === 'payment-provider-api');
  if (processor === undefined) throw new Error('no payment-provider-api among the APIs');
  providerUrl = cloud.gateway.localUrl(processor.apiId, processor.stages[0] ?? 'prod');
  ({ staff, customers } = await signedInStaffAndCustomers(cloud, { tag: 'chaos', customers: CLIENTS }));
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
});

/** Seeded: the same plan every run. */

interface PlannedOrder {
  readonly lines: readonly { readonly product: number; readonly quantity: number }[];
  readonly premium: boolean;
  readonly token: string;
  readonly decision: 'approve' | 'reject';
  readonly client: number;
}

function plan(): PlannedOrder[] {
  const random = mulberry32(SEED);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  return Array.from({ length: ORDERS }, (_, index) => {
    const first = Math.floor(random() * PRODUCTS);
    const second = (first + 1 + Math.floor(random() * (PRODUCTS - 1))) % PRODUCTS;
    const lines = [{ product: first, quantity: 1 + Math.floor(random() * 2) }];
    if (random() < 0.4) lines.push({ product: second, quantity: 1 });
    return {
      lines,
      premium: random() < 0.1,
      token: random() < 0.8 ? pick(GOOD_CARDS) : pick(DECLINING_CARDS),
      decision: random() < 0.7 ? 'approve' : 'reject',
      client: index % CLIENTS,
    };
  });
}

interface Placed {
  readonly planned: PlannedOrder;
  readonly orderId: string;
  readonly totalCents: number;
  readonly quantities: ReadonlyMap<string, number>;
}

/** Places the order (a transient answer is sent again, same key) and follows it to its end, deciding its approval. */
async function run(
  planned: PlannedOrder,
  products: readonly TestProduct[],
  premium: TestProduct,
): Promise<Placed> {
  const lines = planned.lines.map((line) => ({
    product: products[line.product] as TestProduct,
    quantity: line.quantity,
  }));
  if (planned.premium) lines.push({ product: premium, quantity: 1 });
  const placed = await eventually(
    async () => orders.placeOrder(lines, planned.token, String(planned.client)).catch(() => undefined),
    { timeoutMs: 60_000, intervalMs: 500, what: 'an order accepted' },
  );
  const quantities = new Map(lines.map((line) => [line.product.productId, line.quantity]));
  await eventually(
    async () => {
      const order = await orders.orderOf(placed.orderId);
      if (order?.status === 'AWAITING_APPROVAL') await orders.decide(placed.orderId, planned.decision);
      return order?.status === 'PAID' || order?.status === 'CANCELLED' ? true : undefined;
    },
    { timeoutMs: SETTLE_MS, intervalMs: 400, what: `order ${placed.orderId} to end` },
  );
  return { planned, orderId: placed.orderId, totalCents: placed.totalCents, quantities };
}

async function pool<T, R>(items: readonly T[], workers: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index] as T);
      }
    }),
  );
  return results;
}

async function ledgerOrderIds(): Promise<string[]> {
  const table = cloud.outputs['ShopPaymentProvider']?.['LedgerTableName'] ?? '';
  const dynamodb = new DynamoDBClient(localClientConfig(cloud.dynamoDbEndpoint));
  const ids: string[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) {
      const record = unmarshall(item) as { kind?: string; orderId?: string };
      if (record.kind === 'charge') ids.push(String(record.orderId));
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  dynamodb.destroy();
  return ids;
}

interface QueueCounts {
  readonly name: string;
  readonly visible: number;
  readonly notVisible: number;
  readonly delayed: number;
}

const CONSUMER_QUEUES = { targetArnContains: 'OrderSagaConsumerQueue' };

describe('the choreographed saga under a misbehaving bus', () => {
  let placed: Placed[] = [];
  let products: TestProduct[] = [];
  let abandoned: { orderId: string; product: TestProduct };

  test('every order ends PAID or CANCELLED with its reason; stock and money are conserved; nothing is dead-lettered', async () => {
    // Prepare
    products = await Promise.all(
      Array.from({ length: PRODUCTS }, () => orders.newProduct(PRICE_CENTS, STOCK_EACH)),
    );
    const premium = await orders.newProduct(PREMIUM_PRICE_CENTS, ORDERS);
    const abandonedProduct = await orders.newProduct(PREMIUM_PRICE_CENTS, 1);
    const faults = [
      { kind: 'put-events-failure', probability: CHAOS, seed: SEED },
      { kind: 'delivery-duplicate', target: CONSUMER_QUEUES, probability: CHAOS, seed: SEED + 1 },
      {
        kind: 'delivery-reorder',
        target: CONSUMER_QUEUES,
        probability: CHAOS,
        seed: SEED + 2,
        afterDeliveries: 2,
        maxHoldMs: 3_000,
      },
      {
        kind: 'delivery-delay',
        target: CONSUMER_QUEUES,
        probability: CHAOS,
        seed: SEED + 3,
        minDelayMs: 100,
        maxDelayMs: 2_000,
      },
    ] as const;
    for (const fault of faults) cloud.faults.add(fault);

    // Act: the order nobody approves first, then the rest.
    const { orderId: abandonedId } = await orders.placeOrder(
      [{ product: abandonedProduct, quantity: 1 }],
      'tok_visa',
      '0',
    );
    abandoned = { orderId: abandonedId, product: abandonedProduct };
    placed = await pool(plan(), CLIENTS, (planned) => run(planned, products, premium));
    const abandonedOrder = await eventually(
      async () => {
        const order = await orders.orderOf(abandonedId);
        return order?.status === 'CANCELLED' ? order : undefined;
      },
      { timeoutMs: SETTLE_MS, intervalMs: 500, what: 'the abandoned order cancelled by its watchdog' },
    );
    const injected = cloud.faults.list().map((fault) => ({ kind: fault.kind, injected: fault.injected }));
    cloud.faults.clear();

    // Assess: the compensations follow the cancellations asynchronously, so stock and money are awaited.
    const problems: string[] = [];
    expect(abandonedOrder).toMatchObject({ status: 'CANCELLED', cancellationReason: 'SAGA_TIMED_OUT' });
    const ended = new Map<string, OrderDetails>();
    for (const order of placed) {
      const view = await orders.orderOf(order.orderId);
      if (view === undefined) throw new Error(`order ${order.orderId} not found`);
      ended.set(order.orderId, view);
      const events = await orders.eventTypesOf(order.orderId);
      const last = events.at(-1);
      if (last !== (view.status === 'PAID' ? 'OrderPaid' : 'OrderCancelled')) {
        problems.push(`${order.orderId}: read model ${view.status}, events end with ${last}`);
      }
      const declining = DECLINING_CARDS.includes(order.planned.token);
      const reason = view.cancellationReason;
      const allowed =
        view.status === 'PAID'
          ? !declining && !(order.planned.premium && order.planned.decision === 'reject')
          : reason === 'OUT_OF_STOCK' ||
            (reason === 'PAYMENT_DECLINED' && declining) ||
            (reason === 'APPROVAL_REJECTED' && order.planned.premium && order.planned.decision === 'reject');
      if (!allowed)
        problems.push(`${order.orderId} (${order.planned.token}): ${view.status} ${reason ?? ''}`);
    }
    const sold = new Map<string, number>();
    for (const order of placed) {
      if (ended.get(order.orderId)?.status !== 'PAID') continue;
      for (const [productId, quantity] of order.quantities)
        sold.set(productId, (sold.get(productId) ?? 0) + quantity);
    }
    await eventually(
      async () => {
        for (const product of [...products, premium, abandonedProduct]) {
          const stock = await orders.stockOf(product);
          const expected = {
            available: product.initial - (sold.get(product.productId) ?? 0),
            reserved: 0,
            sold: sold.get(product.productId) ?? 0,
          };
          if (JSON.stringify(stock) !== JSON.stringify(expected)) return undefined;
        }
        return true;
      },
      { timeoutMs: 120_000, intervalMs: 1_000, what: 'every product at initial − sold, nothing reserved' },
    );
    await eventually(
      async () => {
        for (const order of placed) {
          const kept = capturedLessRefunded(await orders.chargesAt(order.orderId));
          if (kept !== (ended.get(order.orderId)?.status === 'PAID' ? order.totalCents : 0)) return undefined;
        }
        return true;
      },
      {
        timeoutMs: 120_000,
        intervalMs: 1_000,
        what: 'one full charge per paid order, nothing kept of a cancelled one',
      },
    );
    // Metrics: duplicated, reordered and delayed deliveries counted nothing twice.
    const all = [...placed.map((order) => order.orderId), abandonedId];
    const paidCount = [...ended.values()].filter((view) => view.status === 'PAID').length;
    let capturedOrders = 0;
    for (const orderId of all) if ((await orders.chargesAt(orderId)).length > 0) capturedOrders += 1;
    const cloudWatch = new CloudWatchClient(localClientConfig(cloud.edgeUrl));
    const expectedCounts = {
      OrdersPlaced: all.length,
      OrdersPaid: paidCount,
      OrdersCancelled: all.length - paidCount,
    };
    const counted = await countedSince(cloudWatch, METRICS_SINCE, expectedCounts);
    cloudWatch.destroy();
    problems.push(...outcomeCountProblems(counted, expectedCounts, { capturedOrders }));
    const known = new Set(all);
    expect((await ledgerOrderIds()).filter((orderId) => !known.has(orderId))).toEqual([]);
    const { queues } = await localJson<{ queues: QueueCounts[] }>(cloud, '/_local/queues');
    const deadLettered = queues.filter(
      (queue) =>
        /DeadLetter|ParkedSagas/.test(queue.name) && queue.visible + queue.notVisible + queue.delayed > 0,
    );
    expect(deadLettered).toEqual([]);
    expect(problems).toEqual([]);
    const statuses = [...ended.values()].map((view) => view.cancellationReason ?? view.status);
    expect(statuses).toContain('PAID');
    expect(statuses).toContain('OUT_OF_STOCK');
    expect(statuses).toContain('PAYMENT_DECLINED');
    // The chaos happened: every kind of fault struck.
    for (const { kind, injected: count } of injected)
      expect({ kind, injected: count > 0 }).toEqual({ kind, injected: true });
  }, 900_000);

  test('a relay retry (the same domain events, new EventBridge ids) is applied once: each consumer finds it processed', async () => {
    // Prepare: a paid order and a cancelled one, and what their customers' stock and money are now.
    const paid = placed.find((order) => order.planned.token === 'tok_visa' && !order.planned.premium);
    if (paid === undefined) throw new Error('no paid order to replay');
    const events = await eventsOf(paid.orderId);
    const cancelledEvents = await eventsOf(abandoned.orderId);
    const replayed = [
      ...events.filter((event) => event.type === 'OrderCreated'),
      ...cancelledEvents.filter((event) => event.type === 'OrderCancelled'),
    ];
    const before = await Promise.all(products.map((product) => orders.stockOf(product)));
    const chargesBefore = await orders.chargesAt(paid.orderId);

    // Act
    const bus = new EventBridgeClient({ ...localClientConfig(cloud.edgeUrl), maxAttempts: 1 });
    const busName = cloud.outputs['ShopPlatform']?.['EventBusName'] ?? 'shop';
    const answer = await bus.send(
      new PutEventsCommand({
        Entries: replayed.map((event) => ({
          EventBusName: busName,
          Source: 'shop.orders',
          DetailType: event.type,
          Detail: JSON.stringify(event),
        })),
      }),
    );
    bus.destroy();

    // Assess: inventory and payments each logged both as duplicates, by their domain ids.
    expect(answer.FailedEntryCount).toBe(0);
    for (const event of replayed) {
      await eventually(
        async () => {
          const seen = logs.filter((line) => line.includes(event.eventId));
          return ['inventory', 'payments'].every((service) =>
            seen.some((line) => line.includes(`"service":"${service}"`)),
          )
            ? true
            : undefined;
        },
        {
          timeoutMs: 60_000,
          intervalMs: 250,
          what: `${event.type} ${event.eventId} found processed by inventory and payments`,
        },
      );
    }
    expect(await Promise.all(products.map((product) => orders.stockOf(product)))).toEqual(before);
    expect(await orders.chargesAt(paid.orderId)).toEqual(chargesBefore);
    expect((await orders.orderOf(paid.orderId))?.status).toBe('PAID');
  }, 120_000);
});

interface StoredEvent {
  readonly eventId: string;
  readonly type: string;
}

async function eventsOf(orderId: string): Promise<StoredEvent[]> {
  const answer = await orders.shop(staff, 'GET', `/orders/${orderId}/events`);
  return (answer.body as { events: StoredEvent[] }).events;
}
