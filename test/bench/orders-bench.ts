/**
 * `npm run bench`: the orders context's own benchmarks, measured side by side in one run.
 *
 *  1. write path: `POST /orders` (with `Idempotency-Key`) end to end through the local API at
 *     concurrency 32, against the raw DynamoDB operations that command performs, replayed with an SDK
 *     client on the same tables, in alternating rounds after a warm-up; the ratio of the two;
 *  2. propagation: 202 of `POST /orders` → the order visible in `GET /orders/{id}` (p50 / p99);
 *  3. aggregate load time at 10, 1,000 and 10,000 events, with and without a snapshot, through
 *     `DynamoDbEventStore` + `AggregateRunner` on a DynamoDB Local of its own;
 *  4. the saga, orchestrated and choreographed side by side: `OrderCreated` → `OrderPaid` p50 / p99,
 *     the events published per order, and the orders per second each sustains.
 *
 * Every request carries an ID token, as the API requires: a staff member, signed in on the users stack's
 * pool, creates the products; a few customers place the orders (order i is customer i mod
 * `CUSTOMERS`'s) and read them back.
 *
 * Lives under `test/` (not `local/`) because it is about the app, not the local cloud.
 */
import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import {
  CreateTableCommand,
  DynamoDBClient,
  ScanCommand,
  type AttributeValue,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  startDynamoDbLocal,
  LocalCloud,
  percentile,
  processTicks,
  throughput,
  localClientConfig,
  eventually,
} from 'cdk-local-cloud';
import {
  AggregateRunner,
  commandContext,
  DynamoDbEventStore,
  MAX_EVENTS_PER_APPEND,
  type Decider,
  type DomainEvent,
} from '../../shared/event-sourcing';
import { ORDER_VIEW_SORT_KEY } from '../../functions/orders/adapters/dynamodb-order-views';
import { createOrderKey } from '../../functions/orders/application/create-order';
import { UNIQUE_KEY_PREFIX } from '../../shared/event-sourcing/dynamodb-event-store';
import { newId, newUlid } from '../../shared/ids/ids';
import { SAGA_STYLE_PARAMETER_NAME } from '../../infra/stacks/orders-stack';
import {
  LOCAL_STAGE_CONTEXT,
  PROJECT_DIR,
  apiAs,
  placeOrderExecutionArn,
  placeOrderMachineArn,
  signedInStaffAndCustomers,
  type JsonAnswer,
} from '../support/shop-cloud';
import type { SignedInUser } from '../../infra/ops/shop-users';

/** Every order pays by card: `tok_visa` is the payment provider's card that is always charged. */
const CARD = { method: 'card', token: 'tok_visa' } as const;
/**
 * The write path and propagation measure the orders context alone: they run with the deployment's saga
 * style set to choreographed (`useSagaStyle`), which starts no state machine, and with the deliveries to
 * the choreography's consumers dead-lettered at once (`muteChoreography`), so no saga competes for the
 * CPU with what is measured. The sagas have their own measures.
 */
const WITHOUT_ORCHESTRATION = { payment: CARD } as const;
/** The create function's cache of the saga style (`SAGA_STYLE_MAX_AGE_SECONDS`). */
const SAGA_STYLE_CACHE_MS = 5_000;
const SAGA_LATENCY_ORDERS = Number(process.env.BENCH_SAGA ?? 200);
const SAGA_LATENCY_CONCURRENCY = 4;
const SAGA_SUSTAINED_ORDERS = Number(process.env.BENCH_SAGA_SUSTAINED ?? 300);
const SAGA_SUSTAINED_CONCURRENCY = 16;
const SAGA_PRODUCTS = 16;

const CONCURRENCY = 32;
const ORDERS_PER_ROUND = Number(process.env.BENCH_ORDERS ?? 600);
const WARM_UP_ORDERS = Number(process.env.BENCH_WARM_UP ?? 400);
const PROPAGATION_ORDERS = Number(process.env.BENCH_PROPAGATION ?? 500);
const PROPAGATION_CONCURRENCY = 8;
const POLL_INTERVAL_MS = 5;
const AGGREGATE_SIZES = [10, 1_000, 10_000];
const LOADS_PER_SIZE = 7;
/** The customers who place the orders, taking turns. */
const CUSTOMERS = 4;

/** Who the bench acts as. */
interface Shoppers {
  /** Creates the products. */
  readonly staff: SignedInUser;
  readonly customers: readonly SignedInUser[];
}

/** The customer who places order `i`. */
function customerOf(shoppers: Shoppers, i: number): SignedInUser {
  const customer = shoppers.customers[i % shoppers.customers.length];
  if (customer === undefined) throw new Error('no customer signed in');
  return customer;
}

/** `customer` sends `POST /orders` with `body` and a fresh `Idempotency-Key`. */
function postOrder(cloud: LocalCloud, customer: SignedInUser, body: object): Promise<JsonAnswer> {
  return apiAs(cloud, customer)('POST', '/orders', {
    body,
    headers: { 'Idempotency-Key': randomUUID() },
  });
}

const median = (values: readonly number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits until this process and the JVM together use under half a core over 500 ms (at most 60 s):
 * what a `POST /orders` round sets off downstream (stream, relay, bus, projector) must not run
 * into the next round.
 */
async function quiesce(jvmPid: number | undefined): Promise<void> {
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline) {
    const node = process.cpuUsage();
    const ticks = processTicks(jvmPid);
    await sleep(500);
    const used = process.cpuUsage(node);
    const busyMs = (used.user + used.system) / 1000 + (processTicks(jvmPid) - ticks) * 10;
    if (busyMs < 250) return;
  }
}

function tableNamed(tables: readonly string[], pattern: RegExp): string {
  const found = tables.filter((name) => pattern.test(name));
  if (found.length !== 1) throw new Error(`${pattern} matches ${found.length} of ${tables.join(', ')}`);
  return found[0] as string;
}

/** One measured round: its rate, and the CPU it took per order in this process and in the JVM. */
interface Round {
  readonly perSecond: number;
  /** The load generator, the local cloud (gateway, bus, queues) and every Lambda worker. */
  readonly nodeCpuMsPerOrder: number;
  /** DynamoDB Local. */
  readonly jvmCpuMsPerOrder: number;
}

interface WritePath {
  readonly raw: readonly Round[];
  readonly api: readonly Round[];
  readonly apiStreamsPaused: readonly Round[];
  readonly failures: readonly string[];
}

/**
 * How many DynamoDB operations `rawCreate` (in `writePath`) replays per order: idempotency PutItem,
 * product GetItem, TransactWriteItems (key claim + event), idempotency UpdateItem.
 */
const RAW_CREATE_OPS = 4;

async function writePath(cloud: LocalCloud, shoppers: Shoppers, productId: string): Promise<WritePath> {
  const tables = cloud.summary.tables;
  const eventStore = tableNamed(tables, /Orders.*EventStore/i);
  const idempotency = tableNamed(tables, /Orders.*Idempotency/i);
  const products = tableNamed(tables, /Products/i);
  const dynamodb = new DynamoDBClient(localClientConfig(cloud.dynamoDbEndpoint));

  /** Statuses other than 202 seen in the measured rounds (the warm-up's are forgotten). */
  const failures = new Map<number, number>();
  const apiCreate = async (i: number): Promise<void> => {
    const answer = await postOrder(cloud, customerOf(shoppers, i), {
      items: [{ productId, quantity: 1 }],
      ...WITHOUT_ORCHESTRATION,
    });
    if (answer.status !== 202) failures.set(answer.status, (failures.get(answer.status) ?? 0) + 1);
  };

  /**
   * What `POST /orders` asks of DynamoDB, in its order (`RAW_CREATE_OPS` operations): Powertools'
   * in-progress record, the inventory API's product read (the price look-up), the `TransactWriteItems`
   * of the key's claim and the one event, Powertools' completed record. No snapshot read and no event
   * query: the runner creates the order without loading it (`AggregateRunner.create`), a new id having
   * no history. The event item is marked `kind = 'bench'` so the outbox relay's filter drops it: nothing
   * runs behind the raw path. The key is claimed per customer, as the command claims it.
   */
  const rawCreate = async (i: number): Promise<void> => {
    const { userId } = customerOf(shoppers, i);
    const orderId = newId('order');
    const key = `http#${randomUUID()}`;
    const nowSeconds = Math.floor(Date.now() / 1000);
    await dynamodb.send(
      new PutItemCommand({
        TableName: idempotency,
        Item: marshall({
          id: key,
          expiration: nowSeconds + 86_400,
          status: 'INPROGRESS',
          in_progress_expiration: Date.now() + 30_000,
          validation: randomUUID(),
        }),
        ConditionExpression:
          'attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND #inprogress < :nowMs)',
        ExpressionAttributeNames: {
          '#id': 'id',
          '#expiry': 'expiration',
          '#status': 'status',
          '#inprogress': 'in_progress_expiration',
        },
        ExpressionAttributeValues: marshall({
          ':now': nowSeconds,
          ':inprogress': 'INPROGRESS',
          ':nowMs': Date.now(),
        }),
      }),
    );
    await dynamodb.send(
      new GetItemCommand({ TableName: products, Key: marshall({ pk: productId, sk: 'product' }) }),
    );
    const occurredAt = new Date().toISOString();
    await dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            // The Idempotency-Key claimed with the event (see docs/patterns/idempotency.md).
            Put: {
              TableName: eventStore,
              Item: marshall({
                pk: `${UNIQUE_KEY_PREFIX}${createOrderKey({ userId, requestKey: key })}`,
                sk: 0,
                kind: 'unique-key',
                aggregateId: orderId,
                claimedAt: occurredAt,
              }),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: eventStore,
              Item: marshall({
                pk: orderId,
                sk: 1,
                kind: 'bench',
                eventId: newUlid(),
                type: 'OrderCreated',
                aggregateType: 'Order',
                aggregateId: orderId,
                version: 1,
                occurredAt,
                correlationId: randomUUID(),
                causationId: randomUUID(),
                schemaVersion: 1,
                data: {
                  orderId,
                  userId,
                  items: [{ productId, quantity: 1, unitPriceCents: 1_999 }],
                  totalCents: 1_999,
                  currency: 'USD',
                  saga: 'orchestrated',
                },
              }),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: idempotency,
        Key: marshall({ id: key }),
        UpdateExpression: 'SET #response_data = :data, #expiry = :expiry, #status = :status',
        ExpressionAttributeNames: { '#response_data': 'data', '#expiry': 'expiration', '#status': 'status' },
        ExpressionAttributeValues: marshall({
          ':data': JSON.stringify({ statusCode: 202, headers: {}, body: `{"orderId":"${orderId}"}` }),
          ':expiry': nowSeconds + 86_400,
          ':status': 'COMPLETED',
        }),
      }),
    );
  };

  try {
    await throughput(WARM_UP_ORDERS, CONCURRENCY, rawCreate);
    // Cold starts of 32 environments at once time out the price look-ups: warm up gently first.
    await throughput(WARM_UP_ORDERS / 4, 4, apiCreate);
    await throughput(WARM_UP_ORDERS, CONCURRENCY, apiCreate);
    await quiesce(cloud.dynamoDbPid);
    failures.clear();
    const raw: Round[] = [];
    const api: Round[] = [];
    const apiStreamsPaused: Round[] = [];
    const round = async (operation: (i: number) => Promise<void>): Promise<Round> => {
      const node = process.cpuUsage();
      const jvmTicks = processTicks(cloud.dynamoDbPid);
      const perSecond = await throughput(ORDERS_PER_ROUND, CONCURRENCY, operation);
      const nodeUsed = process.cpuUsage(node);
      return {
        perSecond,
        nodeCpuMsPerOrder: (nodeUsed.user + nodeUsed.system) / 1000 / ORDERS_PER_ROUND,
        jvmCpuMsPerOrder: ((processTicks(cloud.dynamoDbPid) - jvmTicks) * 10) / ORDERS_PER_ROUND,
      };
    };
    for (let index = 0; index < 3; index++) {
      raw.push(await round(rawCreate));
      await quiesce(cloud.dynamoDbPid);
      api.push(await round(apiCreate));
      await quiesce(cloud.dynamoDbPid);
      // The same requests with nothing running downstream (the stream mappings paused, as if disabled):
      // on AWS the relay, the bus and the projector run on other machines than the command.
      await cloud.pauseStreams();
      try {
        apiStreamsPaused.push(await round(apiCreate));
      } finally {
        await cloud.resumeStreams();
      }
      await quiesce(cloud.dynamoDbPid);
    }
    return {
      raw,
      api,
      apiStreamsPaused,
      failures: [...failures].map(([status, count]) => `${count} × ${status}`),
    };
  } finally {
    dynamodb.destroy();
  }
}

/**
 * 202 → the order in the read model `GET /orders/{id}` serves; sorted milliseconds. The read model is
 * polled every few milliseconds with a `GetItem` (a GET through the API every 5 ms from 8 clients would
 * be the heaviest load on the machine, and lengthen what it measures), then one `GET /orders/{id}`
 * confirms the order is visible.
 */
async function propagation(cloud: LocalCloud, shoppers: Shoppers, productId: string): Promise<number[]> {
  const readModel = tableNamed(cloud.summary.tables, /Orders.*ReadModel/i);
  const dynamodb = new DynamoDBClient(localClientConfig(cloud.dynamoDbEndpoint));
  const samples: number[] = [];
  try {
    await throughput(PROPAGATION_ORDERS, PROPAGATION_CONCURRENCY, async (i) => {
      const customer = customerOf(shoppers, i);
      const answer = await postOrder(cloud, customer, {
        items: [{ productId, quantity: 1 }],
        ...WITHOUT_ORCHESTRATION,
      });
      const body = answer.body as { orderId?: string };
      const accepted = performance.now();
      if (answer.status !== 202 || body.orderId === undefined) {
        throw new Error(`POST /orders answered ${answer.status}`);
      }
      for (;;) {
        const { Item: item } = await dynamodb.send(
          new GetItemCommand({
            TableName: readModel,
            Key: marshall({ pk: body.orderId, sk: ORDER_VIEW_SORT_KEY }),
          }),
        );
        if (item !== undefined) break;
        if (performance.now() - accepted > 30_000) throw new Error(`order ${body.orderId} never appeared`);
        await sleep(POLL_INTERVAL_MS);
      }
      samples.push(performance.now() - accepted);
      const view = await apiAs(cloud, customer)('GET', `/orders/${body.orderId}`);
      if (view.status !== 200) throw new Error(`GET /orders/${body.orderId} answered ${view.status}`);
    });
  } finally {
    dynamodb.destroy();
  }
  return samples.sort((a, b) => a - b);
}

interface SagaSample {
  /** `OrderCreated` → `OrderPaid`, by the events' `occurredAt`. */
  readonly createdToPaidMs: number;
  /** The execution's start → its end. */
  readonly executionMs: number;
  /** The time spent inside Task states (entered → exited), summed. */
  readonly tasksMs: number;
}

interface SagaMeasures {
  readonly style: 'orchestrated' | 'choreographed';
  readonly samples: readonly SagaSample[];
  /** Event items written (and relayed to the bus) per order, over the latency samples. */
  readonly eventsPerOrder: number;
  /** Orders per second with `SAGA_SUSTAINED_CONCURRENCY` clients, each placing its next order when its saga ends. */
  readonly sustainedPerSecond: number;
  readonly notPaid: number;
}

async function createBenchProduct(cloud: LocalCloud, shoppers: Shoppers): Promise<string> {
  const answer = await apiAs(cloud, shoppers.staff)('POST', '/products', {
    body: { name: 'Bench widget', priceCents: 1_999, currency: 'USD', stock: 1_000_000_000 },
    headers: { 'Idempotency-Key': randomUUID() },
  });
  const created = answer.body as { productId?: string };
  if (answer.status !== 201 || created.productId === undefined) {
    throw new Error(`POST /products answered ${answer.status}`);
  }
  return created.productId;
}

async function placeCardOrder(cloud: LocalCloud, customer: SignedInUser, productId: string): Promise<string> {
  const answer = await postOrder(cloud, customer, { items: [{ productId, quantity: 1 }], payment: CARD });
  const body = answer.body as { orderId?: string };
  if (answer.status !== 202 || body.orderId === undefined)
    throw new Error(`POST /orders answered ${answer.status}`);
  return body.orderId;
}

interface StoredEvent {
  readonly type: string;
  readonly occurredAt: string;
}

/** Waits until the order's saga execution has ended; its status. */
async function sagaEnded(sfn: SFNClient, executionArn: string): Promise<string> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    try {
      const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (status !== undefined && status !== 'RUNNING') return status;
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ExecutionDoesNotExist')) throw error;
    }
    if (performance.now() > deadline) throw new Error(`${executionArn} did not end within 60 s`);
    await sleep(POLL_INTERVAL_MS * 4);
  }
}

/** `customer`, the order's owner, reads its events. */
async function sagaSample(
  cloud: LocalCloud,
  customer: SignedInUser,
  sfn: SFNClient,
  executionArn: string,
  orderId: string,
) {
  const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  const events = history.events ?? [];
  const at = (index: number): number => events[index]?.timestamp?.getTime() ?? Number.NaN;
  const executionMs = at(events.length - 1) - at(0);
  let tasksMs = 0;
  const entered = new Map<string, number>();
  events.forEach((event, index) => {
    if (event.type === 'TaskStateEntered') entered.set(event.stateEnteredEventDetails?.name ?? '', at(index));
    if (event.type === 'TaskStateExited') {
      const name = event.stateExitedEventDetails?.name ?? '';
      tasksMs += at(index) - (entered.get(name) ?? at(index));
    }
  });
  const answer = await apiAs(cloud, customer)('GET', `/orders/${orderId}/events`);
  const body = answer.body as { events?: StoredEvent[] };
  const occurred = (type: string): number =>
    Date.parse(body.events?.find((event) => event.type === type)?.occurredAt ?? '');
  return { createdToPaidMs: occurred('OrderPaid') - occurred('OrderCreated'), executionMs, tasksMs };
}

/**
 * One saga style's happy path: latency (`OrderCreated` → `OrderPaid`) at a low concurrency, the events
 * published per order, the orders per second it sustains at a higher one, and, orchestrated, how much of
 * each execution is orchestration (the time between its Task states) rather than the steps' own work.
 * An orchestrated order has ended when its execution has; a choreographed one when `GET /orders/{id}`
 * shows it PAID or CANCELLED.
 */
async function sagaMeasures(
  cloud: LocalCloud,
  shoppers: Shoppers,
  productIds: readonly string[],
  style: 'orchestrated' | 'choreographed',
): Promise<SagaMeasures> {
  const productOf = (i: number): string => productIds[i % productIds.length] as string;
  const placeOrder = (i: number): Promise<string> =>
    placeCardOrder(cloud, customerOf(shoppers, i), productOf(i));
  const sfn = new SFNClient(localClientConfig(cloud.edgeUrl));
  const machineArn = placeOrderMachineArn(cloud);
  const executionOf = (orderId: string): string => placeOrderExecutionArn(machineArn, orderId);
  let notPaid = 0;
  const run = async (orderId: string, i: number): Promise<void> => {
    const status =
      style === 'orchestrated'
        ? await sagaEnded(sfn, executionOf(orderId))
        : await orderEnded(cloud, customerOf(shoppers, i), orderId);
    if (status !== (style === 'orchestrated' ? 'SUCCEEDED' : 'PAID')) notPaid += 1;
  };
  try {
    // Warm every step's environments first.
    await throughput(SAGA_LATENCY_CONCURRENCY * 4, SAGA_LATENCY_CONCURRENCY, async (i) =>
      run(await placeOrder(i), i),
    );
    await quiesce(cloud.dynamoDbPid);
    const eventsBefore = await eventItems(cloud);
    const samples: SagaSample[] = [];
    await throughput(SAGA_LATENCY_ORDERS, SAGA_LATENCY_CONCURRENCY, async (i) => {
      const orderId = await placeOrder(i);
      await run(orderId, i);
      samples.push(
        style === 'orchestrated'
          ? await sagaSample(cloud, customerOf(shoppers, i), sfn, executionOf(orderId), orderId)
          : { ...(await paidAfter(cloud, customerOf(shoppers, i), orderId)), executionMs: 0, tasksMs: 0 },
      );
    });
    await quiesce(cloud.dynamoDbPid);
    const eventsPerOrder = ((await eventItems(cloud)) - eventsBefore) / SAGA_LATENCY_ORDERS;
    // Closed loop: each client places its next order once its last saga has ended, so at most
    // SAGA_SUSTAINED_CONCURRENCY sagas run at once. (Placing orders without waiting overloads the
    // local cloud on 2 cores: every running saga holds Lambda environments, i.e. worker threads.)
    const sustainedPerSecond = await throughput(
      SAGA_SUSTAINED_ORDERS,
      SAGA_SUSTAINED_CONCURRENCY,
      async (i) => run(await placeOrder(i), i),
    );
    return { style, samples, eventsPerOrder, sustainedPerSecond, notPaid };
  } finally {
    sfn.destroy();
  }
}

/** Waits until the read model shows the order PAID or CANCELLED; its status. */
async function orderEnded(cloud: LocalCloud, customer: SignedInUser, orderId: string): Promise<string> {
  return eventually(
    async () => {
      const answer = await apiAs(cloud, customer)('GET', `/orders/${orderId}`);
      const status = answer.body['status'];
      return status === 'PAID' || status === 'CANCELLED' ? String(status) : undefined;
    },
    { what: `order ${orderId} to end`, timeoutMs: 60_000, intervalMs: POLL_INTERVAL_MS * 4 },
  );
}

/** `OrderCreated` → `OrderPaid` of the order, by the events' `occurredAt`. */
async function paidAfter(cloud: LocalCloud, customer: SignedInUser, orderId: string) {
  const answer = await apiAs(cloud, customer)('GET', `/orders/${orderId}/events`);
  const body = answer.body as { events?: StoredEvent[] };
  const occurred = (type: string): number =>
    Date.parse(body.events?.find((event) => event.type === type)?.occurredAt ?? '');
  return { createdToPaidMs: occurred('OrderPaid') - occurred('OrderCreated') };
}

/**
 * The event items in the tables whose streams are outboxes (orders' event store, the products table,
 * the payments table): each is one event the relays put on the bus.
 */
async function eventItems(cloud: LocalCloud): Promise<number> {
  const dynamodb = new DynamoDBClient(localClientConfig(cloud.dynamoDbEndpoint));
  const tables = [
    cloud.outputs['ShopOrders']?.['EventStoreTableName'],
    cloud.outputs['ShopInventory']?.['ProductsTableName'],
    cloud.outputs['ShopPayments']?.['PaymentsTableName'],
  ];
  let count = 0;
  try {
    for (const table of tables) {
      if (table === undefined) throw new Error('an outbox table is missing from the outputs');
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await dynamodb.send(
          new ScanCommand({
            TableName: table,
            Select: 'COUNT',
            FilterExpression: '#kind = :event',
            ExpressionAttributeNames: { '#kind': 'kind' },
            ExpressionAttributeValues: { ':event': { S: 'event' } },
            ExclusiveStartKey: startKey,
          }),
        );
        count += page.Count ?? 0;
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
    }
  } finally {
    dynamodb.destroy();
  }
  return count;
}

/**
 * Dead-letters at once every delivery to the choreography's consumers (a local fault): choreographed
 * orders then start no saga, and the write path measures the orders context alone.
 */
function muteChoreography(cloud: LocalCloud): void {
  cloud.faults.add({
    kind: 'target-failure',
    target: { targetArnContains: 'OrderSagaConsumerQueue' },
    probability: 1,
    retryable: false,
  });
}

type Counted = DomainEvent<'Counted', { readonly by: number; readonly note: string }>;
type Count = { readonly type: 'Count' } | { readonly type: 'Read' };

/** A tiny decider: the state is the sum of the events; `Read` decides nothing, so `run` only loads. */
const counter: Decider<Count, { readonly total: number }, Counted> = {
  initialState: { total: 0 },
  evolve: (state, event) => ({ total: state.total + event.data.by }),
  decide: (command) => (command.type === 'Count' ? [{ type: 'Counted', data: { by: 1, note: 'x' } }] : []),
};

interface LoadTimes {
  readonly events: number;
  readonly withSnapshot: number;
  readonly withoutSnapshot: number;
}

async function aggregateLoads(): Promise<LoadTimes[]> {
  const dynamo = await startDynamoDbLocal();
  const client = new DynamoDBClient(localClientConfig(dynamo.endpoint));
  try {
    const tableName = 'bench-event-store';
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'N' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const store = new DynamoDbEventStore<Counted, { readonly total: number }>({ client, tableName });
    const runner = (snapshots: boolean) =>
      new AggregateRunner({
        store,
        decider: counter,
        aggregateType: 'Counter',
        ...(snapshots ? { snapshotEvery: 25 } : {}),
      });
    const withSnapshots = runner(true);
    const withoutSnapshots = runner(false);
    const context = commandContext({ correlationId: randomUUID(), causationId: randomUUID() });
    const timeLoads = async (
      run: AggregateRunner<Count, { readonly total: number }, Counted>,
      id: string,
    ) => {
      const times: number[] = [];
      // One untimed load first: DynamoDB Local's JIT and the SDK's connection.
      for (let i = 0; i <= LOADS_PER_SIZE; i++) {
        const started = performance.now();
        const result = await run.run(id, { type: 'Read' }, context);
        if (i > 0) times.push(performance.now() - started);
        if (result.version === 0) throw new Error(`${id} loaded empty`);
      }
      return median(times);
    };

    const ids: string[] = [];
    for (const size of AGGREGATE_SIZES) {
      const id = `counter-${size}-${randomUUID()}`;
      const occurredAt = new Date().toISOString();
      // An append after the first also checks that its expected version exists: one event fewer fits.
      const perAppend = MAX_EVENTS_PER_APPEND - 1;
      for (let from = 1; from <= size; from += perAppend) {
        const batch: Counted[] = [];
        for (let version = from; version < Math.min(size + 1, from + perAppend); version++) {
          batch.push({
            eventId: newUlid(),
            type: 'Counted',
            aggregateType: 'Counter',
            aggregateId: id,
            version,
            occurredAt,
            correlationId: context.correlationId,
            causationId: context.causationId,
            schemaVersion: 1,
            data: { by: 1, note: 'an event of roughly the size of an order line, padded'.padEnd(120, '.') },
          });
        }
        await store.append(id, from - 1, batch);
      }
      await store.saveSnapshot({
        aggregateId: id,
        version: size,
        state: { total: size },
        schemaVersion: 1,
        takenAt: occurredAt,
      });
      ids.push(id);
    }
    // Untimed loads of every aggregate first, so the smallest is not the one that warms DynamoDB Local up.
    for (let pass = 0; pass < 3; pass++) {
      for (const id of ids) {
        await timeLoads(withSnapshots, id);
        await timeLoads(withoutSnapshots, id);
      }
    }
    const results: LoadTimes[] = [];
    for (const [index, id] of ids.entries()) {
      results.push({
        events: AGGREGATE_SIZES[index] ?? Number.NaN,
        withSnapshot: await timeLoads(withSnapshots, id),
        withoutSnapshot: await timeLoads(withoutSnapshots, id),
      });
    }
    return results;
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const bootStarted = performance.now();
  const logs: string[] = [];
  const cloud = await LocalCloud.start({
    projectDir: PROJECT_DIR,
    port: 0,
    edgePort: 0,
    context: LOCAL_STAGE_CONTEXT,
    // Set to 250 to measure with AWS's four reads a second per stream shard.
    ...(process.env.BENCH_STREAM_POLL_MS
      ? { streamPollIntervalMs: Number(process.env.BENCH_STREAM_POLL_MS) }
      : {}),
    log: (line) => logs.push(line),
  });
  const bootSeconds = (performance.now() - bootStarted) / 1000;
  let write: WritePath;
  let visible: number[];
  let sagas: SagaMeasures[];
  try {
    // Signed up and in before anything is measured.
    const shoppers: Shoppers = await signedInStaffAndCustomers(cloud, { tag: 'bench', customers: CUSTOMERS });
    const productId = await createBenchProduct(cloud, shoppers);
    muteChoreography(cloud);
    await useSagaStyle(cloud, shoppers, productId, 'choreographed');
    write = await writePath(cloud, shoppers, productId);
    visible = await propagation(cloud, shoppers, productId);
    cloud.faults.clear();
    // Each saga order takes one of several products: one product for all would measure the optimistic
    // locking of its stock item (every reserve and commit writes it) rather than the saga.
    const sagaProducts = await Promise.all(
      Array.from({ length: SAGA_PRODUCTS }, () => createBenchProduct(cloud, shoppers)),
    );
    sagas = [];
    for (const style of ['orchestrated', 'choreographed'] as const) {
      await useSagaStyle(cloud, shoppers, productId, style);
      await quiesce(cloud.dynamoDbPid);
      sagas.push(await sagaMeasures(cloud, shoppers, sagaProducts, style));
    }
  } catch (error) {
    process.stderr.write(`${logs.slice(-40).join('\n')}\n`);
    throw error;
  } finally {
    await cloud.stop();
  }
  const loads = await aggregateLoads();

  const rawOps = median(write.raw.map((round) => round.perSecond));
  const apiOps = median(write.api.map((round) => round.perSecond));
  const pausedOps = median(write.apiStreamsPaused.map((round) => round.perSecond));
  const rounds = (values: readonly Round[]) => values.map((round) => round.perSecond.toFixed(0)).join(', ');
  const cpuPerOrder = (values: readonly Round[]) =>
    `${median(values.map((round) => round.nodeCpuMsPerOrder)).toFixed(1)} ms Node + ${median(values.map((round) => round.jvmCpuMsPerOrder)).toFixed(1)} ms JVM`;
  const withSnapshot = loads.map((load) => load.withSnapshot);
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    `Machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()}`,
    `Local cloud start (real app): ${bootSeconds.toFixed(1)} s`,
    '',
    `| measure | value |`,
    `|---|---|`,
    `| raw DynamoDB ops of POST /orders (${RAW_CREATE_OPS} per order), concurrency ${CONCURRENCY} | ${rawOps.toFixed(0)} orders/s (rounds: ${rounds(write.raw)}) |`,
    `| POST /orders end to end, concurrency ${CONCURRENCY} | ${apiOps.toFixed(0)} orders/s (rounds: ${rounds(write.api)}; not 202: ${write.failures.join(', ') || 'none'}) |`,
    `| ratio (goal ≥ 0.5) | ${(apiOps / rawOps).toFixed(2)} |`,
    `| POST /orders end to end, stream mappings paused during the round (nothing runs downstream) | ${pausedOps.toFixed(0)} orders/s (rounds: ${rounds(write.apiStreamsPaused)}); ratio ${(pausedOps / rawOps).toFixed(2)} |`,
    `| CPU per order (median round): raw / end to end / end to end, streams paused | ${cpuPerOrder(write.raw)} / ${cpuPerOrder(write.api)} / ${cpuPerOrder(write.apiStreamsPaused)} |`,
    `| 202 → visible in GET /orders/{id}, ${visible.length} orders, concurrency ${PROPAGATION_CONCURRENCY}: p50 / p99 (goal p99 ≤ 300 ms) | ${percentile(visible, 50).toFixed(0)} ms / ${percentile(visible, 99).toFixed(0)} ms (max ${percentile(visible, 100).toFixed(0)} ms) |`,
    ...loads.map(
      (load) =>
        `| aggregate load, ${load.events} events: snapshot / no snapshot (median of ${LOADS_PER_SIZE}) | ${load.withSnapshot.toFixed(1)} ms / ${load.withoutSnapshot.toFixed(1)} ms |`,
    ),
    `| snapshot load, largest / smallest (goal ≤ 2) | ${(Math.max(...withSnapshot) / Math.min(...withSnapshot)).toFixed(2)} |`,
    ...sagas.flatMap(sagaLines),
    ...sagaComparison(sagas),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * Sets the deployment's saga style (`/shop/saga-style`, as an operator would) and returns once new
 * orders take it: a probe order shows it, and every create environment's cached value has expired.
 */
async function useSagaStyle(
  cloud: LocalCloud,
  shoppers: Shoppers,
  productId: string,
  style: 'orchestrated' | 'choreographed',
): Promise<void> {
  const ssm = new SSMClient(localClientConfig(cloud.edgeUrl));
  try {
    await ssm.send(
      new PutParameterCommand({ Name: SAGA_STYLE_PARAMETER_NAME, Value: style, Overwrite: true }),
    );
  } finally {
    ssm.destroy();
  }
  const putAt = performance.now();
  const customer = customerOf(shoppers, 0);
  let last = 'no answer yet';
  await eventually(
    async () => {
      const placed = await postOrder(cloud, customer, { items: [{ productId, quantity: 1 }], payment: CARD });
      const { orderId } = placed.body as { orderId?: string };
      last = `POST /orders ${placed.status}`;
      if (orderId === undefined) return undefined;
      // The projection takes a moment: the order is read until it shows, for a few seconds.
      const view = await eventually(
        async () => {
          const answer = await apiAs(cloud, customer)('GET', `/orders/${orderId}`);
          return answer.status === 200 ? answer.body : undefined;
        },
        { what: `order ${orderId} in the read model`, timeoutMs: 10_000, intervalMs: 100 },
      );
      last = `order ${orderId} in the ${String(view['sagaStyle'])} style`;
      const taken = view['sagaStyle'] === style && performance.now() - putAt > SAGA_STYLE_CACHE_MS;
      return taken ? orderId : undefined;
    },
    { what: `new orders in the ${style} saga style`, timeoutMs: 60_000, intervalMs: 500 },
  ).catch((error: unknown) => {
    throw new Error(`${String(error)} (last: ${last})`);
  });
}

function sagaLines(saga: SagaMeasures): string[] {
  const paid = saga.samples.map((sample) => sample.createdToPaidMs).sort((a, b) => a - b);
  const lines = [
    `| ${saga.style} saga OrderCreated → OrderPaid, ${paid.length} orders, concurrency ${SAGA_LATENCY_CONCURRENCY}: p50 / p99 (goal p99 ≤ 1 s) | ${percentile(paid, 50).toFixed(0)} ms / ${percentile(paid, 99).toFixed(0)} ms (max ${percentile(paid, 100).toFixed(0)} ms) |`,
    `| ${saga.style} saga events published per order (event items of the outbox tables) | ${saga.eventsPerOrder.toFixed(1)} |`,
    `| ${saga.style} saga sustained, ${SAGA_SUSTAINED_ORDERS} orders, ${SAGA_SUSTAINED_CONCURRENCY} clients each waiting for its saga to end | ${saga.sustainedPerSecond.toFixed(1)} orders/s (not PAID: ${saga.notPaid}) |`,
  ];
  if (saga.style !== 'orchestrated') return lines;
  const overheads = saga.samples
    .map((sample) => (sample.executionMs - sample.tasksMs) / sample.executionMs)
    .sort((a, b) => a - b);
  const executionMs = saga.samples.reduce((sum, sample) => sum + sample.executionMs, 0);
  const tasksMs = saga.samples.reduce((sum, sample) => sum + sample.tasksMs, 0);
  return [
    ...lines,
    `| saga orchestration overhead, (execution − Σ Task states) / execution: all / p50 / p99 (goal ≤ 30 %) | ${((1 - tasksMs / executionMs) * 100).toFixed(0)} % / ${(percentile(overheads, 50) * 100).toFixed(0)} % / ${(percentile(overheads, 99) * 100).toFixed(0)} % |`,
  ];
}

/** Choreography against orchestration, measured in the same run (goal: p99 within 1.5×). */
function sagaComparison(sagas: readonly SagaMeasures[]): string[] {
  const [orchestrated, choreographed] = sagas;
  if (orchestrated === undefined || choreographed === undefined) return [];
  const p = (saga: SagaMeasures, q: number): number =>
    percentile(
      saga.samples.map((sample) => sample.createdToPaidMs).sort((a, b) => a - b),
      q,
    );
  return [
    `| choreographed / orchestrated: p50, p99 (goal p99 ≤ 1.5), sustained | ${(p(choreographed, 50) / p(orchestrated, 50)).toFixed(2)}, ${(p(choreographed, 99) / p(orchestrated, 99)).toFixed(2)}, ${(choreographed.sustainedPerSecond / orchestrated.sustainedPerSecond).toFixed(2)} |`,
  ];
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
