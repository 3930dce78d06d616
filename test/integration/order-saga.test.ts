/**
 * The orchestrated PlaceOrder saga end to end, on the real app (`infra/app.ts`) booted on the local
 * cloud with short settings: every path of the state machine driven through the public API as a
 * client drives it, and checked where each context keeps its truth — the order (read model, event
 * history, its execution), the product's stock, the payment record, and the card processor's own
 * ledger (`payment-provider-api`).
 *
 * Customers, signed in on the users stack's pool, place their orders and follow them with their ID token
 * (the order, its events, its payment are theirs to read); a staff member creates and restocks the
 * products and decides the approvals.
 *
 * The charges' circuit breaker is shared by every charge of the payments context, so the two tests that
 * open it run last; every other path leaves it CLOSED.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import {
  BatchGetTracesCommand,
  XRayClient,
  paginateGetTraceSummaries,
  type TraceSummary,
} from '@aws-sdk/client-xray';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import type {
  AccountResponse,
  TransactionResponse,
  TransactionsPageResponse,
} from '../../functions/accounts/contracts';
import type { OrderDetails } from '../../functions/orders/application/order-queries';
import { SETTINGS_CONTEXT_KEYS } from '../../infra/app-settings';
import { type LocalCloud, eventually, localClientConfig } from 'cdk-local-cloud';
import { newId } from '../../shared/ids/ids';
import { customerDirectory, signedInUser, startShopCloud } from '../support/shop-cloud';
import {
  capturedLessRefunded,
  errorCodeOf,
  send,
  shopOrders,
  type Stock,
  type TestProduct,
} from '../support/shop-orders';
import type { SignedInUser } from '../../infra/ops/shop-users';
import { CANCEL_AND_RELEASE, CANCEL_REFUND_AND_RELEASE } from '../support/place-order-saga-paths';
import { BusRecorder, type EnvelopeDetail } from '../support/bus-recorder';

const APPROVAL_THRESHOLD_CENTS = 50_000;
/** Long enough for an approver to answer once the read model shows the wait, short enough to wait out. */
const APPROVAL_DEADLINE_SECONDS = 8;
const BREAKER_FAILURE_THRESHOLD = 3;
const BREAKER_RESET_TIMEOUT_SECONDS = 3;
/** `tok_timeout` answers after 3 s: past the payments client's 2 s timeout. */
const PROVIDER_HANG_SECONDS = 3;
/** An order waits for an unavailable processor 8 times, 1 to 2 s each (a budget of 8 s). */
const PAYMENT_WAIT_BUDGET_SECONDS = 8;
const PAYMENT_WAIT_INTERVAL_SECONDS = 2;
const PAYMENT_WAITS = 8;
/** ChargePayment's invocations when the processor stays unavailable: the first and one after each wait. */
const CHARGE_INVOCATIONS_WHEN_UNAVAILABLE = 1 + PAYMENT_WAITS;

/** Two of it stay under the approval threshold. */
const PRICE_CENTS = 2_500;
/** Two of it reach the approval threshold. */
const PREMIUM_PRICE_CENTS = 30_000;

const SETTLE_MS = 60_000;
const POLL_MS = 150;

let cloud: LocalCloud;
let sfn: SFNClient;
let documents: DynamoDBDocumentClient;
let providerUrl: string;
let circuitBreakerTable: string;
/** The breaker's log lines (its transitions), from every function's log. */
const circuitLogs: string[] = [];
/** Every function's log lines that mention a card token (`tok_…`). */
const tokenLogs: string[] = [];
/** Creates and restocks the products, decides the approvals. */
let staff: SignedInUser;
/** The shop's customers by name, each signed in once. */
const customer = customerDirectory(() => cloud, 'saga');
const {
  shop,
  ownerOf,
  newProduct,
  restock,
  stockOf,
  placeOrder,
  orderOf,
  eventTypesOf,
  paymentOf,
  chargesAt,
  placeTracedOrder,
  traceServices,
  decide,
} = shopOrders({
  cloud: () => cloud,
  staff: () => staff,
  customer,
  providerUrl: () => providerUrl,
  productName: 'Saga item',
});

beforeAll(async () => {
  ({ cloud } = await startShopCloud({
    asyncRetryBaseDelayMs: 50,
    context: {
      [SETTINGS_CONTEXT_KEYS.approvalThresholdCents]: APPROVAL_THRESHOLD_CENTS,
      [SETTINGS_CONTEXT_KEYS.approvalDeadlineSeconds]: APPROVAL_DEADLINE_SECONDS,
      [SETTINGS_CONTEXT_KEYS.breakerFailureThreshold]: BREAKER_FAILURE_THRESHOLD,
      [SETTINGS_CONTEXT_KEYS.breakerResetTimeoutSeconds]: BREAKER_RESET_TIMEOUT_SECONDS,
      [SETTINGS_CONTEXT_KEYS.providerHangSeconds]: PROVIDER_HANG_SECONDS,
      [SETTINGS_CONTEXT_KEYS.paymentWaitBudgetSeconds]: PAYMENT_WAIT_BUDGET_SECONDS,
      [SETTINGS_CONTEXT_KEYS.paymentWaitIntervalSeconds]: PAYMENT_WAIT_INTERVAL_SECONDS,
    },
    log: (line) => {
      if (line.includes('Circuit')) circuitLogs.push(line);
      if (line.includes('tok_')) tokenLogs.push(line);
    },
  }));
  sfn = new SFNClient({ ...localClientConfig(cloud.edgeUrl), maxAttempts: 1 });
  documents = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(cloud.dynamoDbEndpoint)));
  const processor = cloud.apis.find((api) => api.name === 'payment-provider-api');
  if (processor === undefined) throw new Error(`no payment-provider-api among the APIs`);
  providerUrl = cloud.gateway.localUrl(processor.apiId, processor.stages[0] ?? 'prod');
  circuitBreakerTable = cloud.outputs['ShopPayments']?.['CircuitBreakerTableName'] ?? '';
  [staff] = await Promise.all([
    signedInUser(cloud, { email: 'radia.saga@example.com', staff: true }),
    customer('ada'),
    customer('grace'),
  ]);
}, 180_000);

afterEach(async () => {
  if (cloud !== undefined) await fetch(`${cloud.apiUrl}/_local/faults`, { method: 'DELETE' });
});

afterAll(async () => {
  sfn?.destroy();
  documents?.destroy();
  await cloud?.stop();
});

// ---- HTTP -----------------------------------------------------------------------------------------

// ---- Products and stock ---------------------------------------------------------------------------

/** The stock figures, and the invariant `initial + restocks = available + reserved + sold`. */
async function expectStock(product: TestProduct, expected: Stock): Promise<void> {
  const stock = await stockOf(product);
  expect(stock).toEqual(expected);
  expect(stock.available + stock.reserved + stock.sold).toBe(product.initial + product.restocked);
}

// ---- Orders ---------------------------------------------------------------------------------------

/** The order once the read model shows it PAID or CANCELLED and its execution has ended. */
async function settledOrder(orderId: string, timeoutMs = SETTLE_MS): Promise<OrderDetails> {
  return eventually(
    async () => {
      const order = await orderOf(orderId);
      const ended = order?.status === 'PAID' || order?.status === 'CANCELLED';
      return ended && order.saga?.status === 'SUCCEEDED' ? order : undefined;
    },
    { timeoutMs, intervalMs: POLL_MS, what: `order ${orderId} to be settled by its saga` },
  );
}

/** The order once the read model shows it waiting, and its saga at `WaitForApproval`. */
async function awaitingApproval(orderId: string): Promise<OrderDetails> {
  return eventually(
    async () => {
      const order = await orderOf(orderId);
      return order?.status === 'AWAITING_APPROVAL' && order.saga?.currentStep === 'WaitForApproval'
        ? order
        : undefined;
    },
    { timeoutMs: SETTLE_MS, intervalMs: POLL_MS, what: `order ${orderId} to await approval` },
  );
}

/** Once the saga has asked for the approval (the event store: no projection lag). */
async function approvalRequested(orderId: string): Promise<void> {
  await eventually(
    async () => ((await eventTypesOf(orderId)).includes('OrderApprovalRequested') ? true : undefined),
    { timeoutMs: SETTLE_MS, intervalMs: 50, what: `order ${orderId} to ask for approval` },
  );
}

async function executionArnFor(orderId: string): Promise<string> {
  return eventually(async () => (await orderOf(orderId))?.saga?.executionArn, {
    timeoutMs: SETTLE_MS,
    intervalMs: POLL_MS,
    what: `the execution of order ${orderId}`,
  });
}

// ---- Payments and the card processor's ledger -------------------------------------------------------

/** A cancelled order that was never charged: no payment record, nothing at the processor. */
async function expectNeverCharged(orderId: string): Promise<void> {
  expect((await paymentOf(orderId)).status).toBe(404);
  expect(await chargesAt(orderId)).toEqual([]);
}

// ---- Accounts -------------------------------------------------------------------------------------

/** A USD account `buyer` opens and tops up with `balanceCents`. */
async function fundedAccount(buyer: string, balanceCents: number): Promise<string> {
  const owner = await customer(buyer);
  const opened = await shop(owner, 'POST', '/accounts', { currency: 'USD' });
  expect(opened.status).toBe(201);
  const { accountId } = opened.body as AccountResponse;
  const deposit = await shop(owner, 'POST', `/accounts/${accountId}/deposits`, { amountCents: balanceCents });
  expect(deposit.status).toBe(201);
  return accountId;
}

async function accountAs(user: SignedInUser, accountId: string): Promise<AccountResponse> {
  const answer = await shop(user, 'GET', `/accounts/${accountId}`);
  expect(answer.status).toBe(200);
  return answer.body as AccountResponse;
}

/** The account's newest transactions (up to 100), as `user` reads them. */
async function transactionsAs(user: SignedInUser, accountId: string): Promise<TransactionResponse[]> {
  const answer = await shop(user, 'GET', `/accounts/${accountId}/transactions?limit=100`);
  expect(answer.status).toBe(200);
  return [...(answer.body as TransactionsPageResponse).transactions];
}

// ---- The execution --------------------------------------------------------------------------------

async function historyOf(executionArn: string): Promise<HistoryEvent[]> {
  const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return events;
}

/** The states the execution entered, in order. */
async function statesOf(order: OrderDetails): Promise<string[]> {
  const events = await historyOf(executionArnOf(order));
  return events.flatMap((event) => event.stateEnteredEventDetails?.name ?? []);
}

function executionArnOf(order: OrderDetails): string {
  const arn = order.saga?.executionArn;
  if (arn === undefined) throw new Error(`order ${order.orderId} shows no saga`);
  return arn;
}

interface StepFailure {
  readonly error?: string;
  readonly cause?: string;
}

/** Per invocation of the state's function: undefined while it runs or when it succeeded. */
function invocationsOf(events: readonly HistoryEvent[], state: string): (StepFailure | undefined)[] {
  let current: string | undefined;
  const invocations: (StepFailure | undefined)[] = [];
  for (const event of events) {
    if (event.stateEnteredEventDetails?.name) current = event.stateEnteredEventDetails.name;
    if (current !== state) continue;
    if (event.type === 'LambdaFunctionScheduled' || event.type === 'TaskScheduled')
      invocations.push(undefined);
    const failed = event.lambdaFunctionFailedEventDetails ?? event.taskFailedEventDetails;
    if (failed !== undefined && invocations.length > 0) {
      invocations[invocations.length - 1] = { error: failed.error, cause: failed.cause };
    }
  }
  return invocations;
}

interface SagaOutput {
  readonly compensation?: { readonly reason: string; readonly failedStep: string };
}

async function outputOf(order: OrderDetails): Promise<SagaOutput> {
  const { output } = await sfn.send(new DescribeExecutionCommand({ executionArn: executionArnOf(order) }));
  return JSON.parse(output ?? '{}') as SagaOutput;
}

const FORWARD_TO_CHARGE = [
  'IsRedrive',
  'ReserveStock',
  'NeedsApproval',
  'EnsureOrderActive',
  'ChargePayment',
];

// ---- Faults and the circuit breaker ---------------------------------------------------------------

interface Fault {
  readonly id: string;
  readonly matched: number;
  readonly injected: number;
  readonly resolvedTargets: readonly string[];
}

async function injectFault(spec: Record<string, unknown>): Promise<Fault> {
  const answer = await send(cloud.apiUrl, 'POST', '/_local/faults', spec);
  expect(answer.status).toBe(201);
  const { fault } = answer.body as { fault: Fault };
  expect(fault.resolvedTargets).toHaveLength(1);
  return fault;
}

async function faultOf(id: string): Promise<Fault> {
  const answer = await send(cloud.apiUrl, 'GET', `/_local/faults/${id}`);
  expect(answer.status).toBe(200);
  return (answer.body as { fault: Fault }).fault;
}

const clearFaults = async (): Promise<void> => {
  expect((await send(cloud.apiUrl, 'DELETE', '/_local/faults')).status).toBe(200);
};

/** The card processor's charge function: the processor "down" is this function failing. */
/** The sandbox processor's instances (its two stages), which a call fails over between. */
const PROCESSOR_INSTANCES = 2;
const PROCESSOR_DOWN = {
  kind: 'function-error',
  target: { logicalIdPrefix: 'CreateChargeFunction' },
  probability: 1,
} as const;

interface CircuitItem {
  readonly state: 'CLOSED' | 'OPEN' | 'HALF_OPEN';
  readonly failures: number;
  readonly version: number;
  readonly openedAt?: number;
  readonly probeLeaseUntil?: number;
}

/**
 * A breaker's shared state item, read consistently (absent: CLOSED, version 0): the charges' circuit
 * (`payment-provider`) by default, or the refunds' (`payment-provider-refunds`).
 */
async function circuit(name = 'payment-provider'): Promise<CircuitItem> {
  const { Item } = await documents.send(
    new GetCommand({
      TableName: circuitBreakerTable,
      Key: { pk: `circuit#${name}` },
      ConsistentRead: true,
    }),
  );
  return Item === undefined ? { state: 'CLOSED', failures: 0, version: 0 } : (Item as CircuitItem);
}

async function circuitOpenedAfter(version: number): Promise<CircuitItem> {
  return eventually(
    async () => {
      const item = await circuit();
      return item.state === 'OPEN' && item.version > version ? item : undefined;
    },
    { timeoutMs: 45_000, intervalMs: 25, what: 'the circuit to open' },
  );
}

/**
 * Waits until the charges' circuit would let the next call through: CLOSED, or OPEN past its reset
 * timeout or HALF_OPEN past its probe's lease (the call becomes the probe). The saga's retries are jittered, so without this wait every
 * retry of a charge may fall inside an earlier test's open period and never reach the breaker's probe.
 */
async function circuitLetsTheNextCallThrough(): Promise<void> {
  await eventually(
    async () => {
      const charges = await circuit();
      const ready =
        charges.state === 'CLOSED' ||
        (charges.state === 'OPEN' &&
          Date.now() >= (charges.openedAt ?? 0) + BREAKER_RESET_TIMEOUT_SECONDS * 1_000) ||
        (charges.state === 'HALF_OPEN' && Date.now() >= (charges.probeLeaseUntil ?? 0));
      return ready ? true : undefined;
    },
    { timeoutMs: 30_000, what: "the charges' circuit closed or ready for a probe" },
  );
}

// ---- The paths ------------------------------------------------------------------------------------

describe('the saga places an order', () => {
  test("happy path (tok_visa): PAID, stock sold, payment CAPTURED, one charge at the processor; the order and its payment are the customer's", async () => {
    // Prepare
    const product = await newProduct(PRICE_CENTS, 10);
    const [ada, grace] = await Promise.all([customer('ada'), customer('grace')]);

    // Act
    const { orderId, totalCents } = await placeOrder([{ product, quantity: 2 }], 'tok_visa', 'ada');
    const order = await settledOrder(orderId);
    const [orderToOther, paymentToOther, orderToStaff, paymentToStaff] = await Promise.all([
      shop(grace, 'GET', `/orders/${orderId}`),
      shop(grace, 'GET', `/payments/${orderId}`),
      shop(staff, 'GET', `/orders/${orderId}`),
      shop(staff, 'GET', `/payments/${orderId}`),
    ]);

    // Assess
    expect(totalCents).toBe(2 * PRICE_CENTS);
    expect(order).toMatchObject({
      orderId,
      userId: ada.userId,
      status: 'PAID',
      version: 2,
      totalCents,
      saga: { status: 'SUCCEEDED', executionArn: expect.stringContaining(`:${orderId}`) },
    });
    expect(order.cancellationReason).toBeUndefined();
    expect(await eventTypesOf(orderId)).toEqual(['OrderCreated', 'OrderPaid']);
    await expectStock(product, { available: 8, reserved: 0, sold: 2 });
    const charges = await chargesAt(orderId);
    expect(charges).toEqual([
      expect.objectContaining({ orderId, amountCents: totalCents, refundedCents: 0, status: 'succeeded' }),
    ]);
    expect(order.payment).toMatchObject({ chargeId: charges[0]?.id, amountCents: totalCents });
    expect((await paymentOf(orderId)).payment).toMatchObject({
      orderId,
      status: 'CAPTURED',
      amountCents: totalCents,
      currency: 'USD',
      attempts: 1,
      providerChargeId: charges[0]?.id,
    });
    expect(await statesOf(order)).toEqual([
      ...FORWARD_TO_CHARGE,
      'CommitStock',
      'ConfirmOrder',
      'OrderPlaced',
    ]);
    // The saga charged for the customer: another customer finds neither the order nor its payment.
    expect([orderToOther.status, errorCodeOf(orderToOther)]).toEqual([404, 'ORDER_NOT_FOUND']);
    expect([paymentToOther.status, errorCodeOf(paymentToOther)]).toEqual([404, 'PAYMENT_NOT_FOUND']);
    expect([orderToStaff.status, paymentToStaff.status]).toEqual([200, 200]);
  });

  test('out of stock: CANCELLED OUT_OF_STOCK, nothing reserved, nothing charged; after a restock it sells', async () => {
    // Prepare
    const plenty = await newProduct(PRICE_CENTS, 10);
    const scarce = await newProduct(PRICE_CENTS, 1);

    // Act
    const { orderId } = await placeOrder(
      [
        { product: plenty, quantity: 2 },
        { product: scarce, quantity: 2 },
      ],
      'tok_visa',
    );
    const order = await settledOrder(orderId);
    const scarceWhenCancelled = await stockOf(scarce);
    await restock(scarce, 3);
    const again = await placeOrder([{ product: scarce, quantity: 2 }], 'tok_visa');
    const paid = await settledOrder(again.orderId);

    // Assess
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'OUT_OF_STOCK' });
    expect(await eventTypesOf(orderId)).toEqual(['OrderCreated', 'OrderCancelled']);
    expect(await statesOf(order)).toEqual([
      'IsRedrive',
      'ReserveStock',
      'ReserveStockOutOfStock',
      ...CANCEL_AND_RELEASE,
    ]);
    await expectStock(plenty, { available: 10, reserved: 0, sold: 0 });
    expect(scarceWhenCancelled).toEqual({ available: 1, reserved: 0, sold: 0 });
    await expectNeverCharged(orderId);
    expect(paid.status).toBe('PAID');
    await expectStock(scarce, { available: 2, reserved: 0, sold: 2 });
  });

  test('an approval decision on an order that awaits none is a 409; on an unknown order a 404', async () => {
    // Prepare
    const product = await newProduct(PRICE_CENTS, 10);
    const { orderId } = await placeOrder([{ product, quantity: 1 }], 'tok_visa');
    await settledOrder(orderId);

    // Act
    const approve = await decide(orderId, 'approve');
    const unknown = await decide(newId('order'), 'approve');

    // Assess
    expect(approve.status).toBe(409);
    expect(errorCodeOf(approve)).toBe('ORDER_NOT_AWAITING_APPROVAL');
    expect(unknown.status).toBe(404);
    expect(errorCodeOf(unknown)).toBe('ORDER_NOT_FOUND');
    expect(await eventTypesOf(orderId)).toEqual(['OrderCreated', 'OrderPaid']);
  });
});

describe('the card token', () => {
  /** Every item of the table, as JSON. */
  async function tableItems(tableName: string): Promise<string[]> {
    const items: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(
        new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
      );
      items.push(...(page.Items ?? []).map((item) => JSON.stringify(item)));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }

  test('is charged, then forgotten: no event, bus delivery, saga history, read model, payment record or log keeps it', async () => {
    // Prepare
    const bus = await BusRecorder.start<EnvelopeDetail>(cloud, {
      ruleName: 'order-saga-token-recorder',
      source: 'shop.orders',
    });
    try {
      const product = await newProduct(PRICE_CENTS, 5);
      const output = (stack: string, name: string): string => {
        const value = cloud.outputs[stack]?.[name];
        if (value === undefined) throw new Error(`no ${stack} output ${name}`);
        return value;
      };

      // Act
      const { orderId } = await placeOrder([{ product, quantity: 1 }], 'tok_visa', 'ada');
      const order = await settledOrder(orderId);
      const published = await bus.eventsOf(orderId, 2);
      const [history, events, eventStore, readModel, paymentsTable] = await Promise.all([
        historyOf(executionArnOf(order)),
        shop(await customer('ada'), 'GET', `/orders/${orderId}/events`),
        tableItems(output('ShopOrders', 'EventStoreTableName')),
        tableItems(output('ShopOrders', 'ReadModelTableName')),
        tableItems(output('ShopPayments', 'PaymentsTableName')),
      ]);

      // Assess: charged with the token the customer gave…
      expect(order.status).toBe('PAID');
      expect(await chargesAt(orderId)).toHaveLength(1);
      // …which the order names by its method alone, everywhere.
      expect(published.map((event) => event['detail-type'])).toEqual(['OrderCreated', 'OrderPaid']);
      expect(JSON.stringify(published)).not.toContain('tok_');
      expect(JSON.stringify(history)).not.toContain('tok_');
      expect(events.status).toBe(200);
      expect(JSON.stringify(events.body)).toContain('"method":"card"');
      expect(JSON.stringify(events.body)).not.toContain('tok_');
      expect(eventStore.filter((item) => item.includes('tok_'))).toEqual([]);
      expect(readModel.filter((item) => item.includes('tok_'))).toEqual([]);
      // The vault forgot this order's token once it was captured; orders cancelled before their charge
      // (other tests') may still have theirs there, until it expires.
      expect(paymentsTable.filter((item) => item.includes(`card-token#${orderId}`))).toEqual([]);
      expect(
        paymentsTable.filter((item) => item.includes('tok_') && !item.includes('"kind":"card-token"')),
      ).toEqual([]);
      // Only the card processor itself may log what it was asked to charge.
      expect(tokenLogs.filter((line) => !line.includes('"service":"payment-provider"'))).toEqual([]);
    } finally {
      await bus.stop();
    }
  });
});

describe('one trace per order', () => {
  test('the trace POST /orders answers with holds the order’s whole journey: the API, the bus, the saga, its steps and the card processor', async () => {
    // Prepare
    const product = await newProduct(PRICE_CENTS, 5);

    // Act
    const placed = await placeTracedOrder(product);
    await settledOrder(placed.orderId);
    const trace = await traceServices(placed.traceId, (names) => /CommitStock/.test(names), SETTLE_MS);

    // Assess
    expect(placed.status).toBe(202);
    // The outbox relay's batch is a trace of its own (one invocation relays many orders' events), but each
    // event it publishes carries its order's trace header, so the bus and everything after it continue it.
    const hops = [
      'shop-api/prod',
      'CreateOrderFunction',
      'GetProductFunction',
      'StartOrderSagaFunction',
      'ProjectorFunction',
      'PlaceOrderSagaStateMachine',
      'ReserveStockFunction',
      'ChargePaymentFunction',
      // Either instance of the processor (its stage prod or zone-b), as discovery chose.
      'payment-provider-api/',
      'CreateChargeFunction',
      'CommitStockFunction',
      'ConfirmOrderFunction',
    ];
    expect(hops.filter((hop) => !trace.includes(hop))).toEqual([]);
  });

  test('X-Ray finds the order’s traces by annotation.order_id, and they hold the orders, inventory and payments segments', async () => {
    // Prepare
    const product = await newProduct(PRICE_CENTS, 5);
    const placed = await placeTracedOrder(product);
    await settledOrder(placed.orderId);
    const xray = new XRayClient({ ...localClientConfig(cloud.edgeUrl), maxAttempts: 1 });
    const byOrder = {
      StartTime: new Date(Date.now() - 10 * 60_000),
      EndTime: new Date(Date.now() + 60_000),
      FilterExpression: `annotation.order_id = "${placed.orderId}"`,
    };
    /** The functions that annotated the order in the trace of `POST /orders`. */
    const annotatedBy = (summaries: readonly TraceSummary[]): string[] =>
      (summaries.find((summary) => summary.Id === placed.traceId)?.Annotations?.['order_id'] ?? []).flatMap(
        (value) => (value.ServiceIds ?? []).map((service) => service.Name ?? ''),
      );
    const sagaSteps = [
      'CreateOrderFunction',
      'ReserveStockFunction',
      'ChargePaymentFunction',
      'CommitStockFunction',
    ];

    try {
      // Act
      const found = await eventually(
        async () => {
          const summaries: TraceSummary[] = [];
          for await (const page of paginateGetTraceSummaries({ client: xray }, byOrder)) {
            summaries.push(...(page.TraceSummaries ?? []));
          }
          const functions = annotatedBy(summaries);
          return sagaSteps.every((step) => functions.some((name) => name.includes(step)))
            ? summaries
            : undefined;
        },
        { timeoutMs: SETTLE_MS, intervalMs: 500, what: `the traces annotated with order ${placed.orderId}` },
      );
      const traceIds = [placed.traceId, ...found.map((summary) => summary.Id ?? '')];
      const batch = await xray.send(
        new BatchGetTracesCommand({ TraceIds: [...new Set(traceIds)].slice(0, 5) }),
      );

      // Assess
      expect(found.map((summary) => summary.Id)).toContain(placed.traceId);
      expect(found.find((summary) => summary.Id === placed.traceId)?.Http).toMatchObject({
        HttpMethod: 'POST',
        HttpStatus: 202,
      });
      expect(batch.UnprocessedTraceIds).toEqual([]);
      // Each function's handler subsegment names its bounded context (Powertools' `Service` annotation).
      const services = new Set(
        (batch.Traces ?? []).flatMap((trace) =>
          (trace.Segments ?? []).flatMap((segment) =>
            [...(segment.Document ?? '').matchAll(/"Service":"([a-z-]+)"/g)].map((match) => match[1]),
          ),
        ),
      );
      expect([...services]).toEqual(expect.arrayContaining(['orders', 'inventory', 'payments']));
    } finally {
      xray.destroy();
    }
  });
});

describe('an order at or above the approval threshold waits for a person', () => {
  test('approved: AWAITING_APPROVAL at WaitForApproval with stock reserved, then PAID; the same decision again is a 200', async () => {
    // Prepare
    const product = await newProduct(PREMIUM_PRICE_CENTS, 5);
    const { orderId, totalCents } = await placeOrder([{ product, quantity: 2 }], 'tok_visa');
    const waiting = await awaitingApproval(orderId);
    const stockWhileWaiting = await stockOf(product);

    // Act
    const approved = await decide(orderId, 'approve', 'known customer');
    const approvedAgain = await decide(orderId, 'approve', 'known customer');
    const order = await settledOrder(orderId);
    const rejectedLate = await decide(orderId, 'reject');

    // Assess
    expect(totalCents).toBeGreaterThanOrEqual(APPROVAL_THRESHOLD_CENTS);
    expect(waiting).toMatchObject({
      status: 'AWAITING_APPROVAL',
      approval: { status: 'REQUESTED' },
      saga: { status: 'RUNNING', currentStep: 'WaitForApproval' },
    });
    expect(stockWhileWaiting).toEqual({ available: 3, reserved: 2, sold: 0 });
    expect(approved.status).toBe(200);
    expect(approved.body).toEqual({ orderId, status: 'PENDING', decision: 'approve' });
    expect(approvedAgain.status).toBe(200);
    expect(order).toMatchObject({
      status: 'PAID',
      approval: { status: 'APPROVED', comment: 'known customer' },
    });
    expect(await eventTypesOf(orderId)).toEqual([
      'OrderCreated',
      'OrderApprovalRequested',
      'OrderApproved',
      'OrderPaid',
    ]);
    expect(rejectedLate.status).toBe(409);
    expect(errorCodeOf(rejectedLate)).toBe('ORDER_NOT_AWAITING_APPROVAL');
    await expectStock(product, { available: 3, reserved: 0, sold: 2 });
    expect((await paymentOf(orderId)).payment).toMatchObject({ status: 'CAPTURED', amountCents: totalCents });
    expect(capturedLessRefunded(await chargesAt(orderId))).toBe(totalCents);
    expect(await statesOf(order)).toEqual([
      'IsRedrive',
      'ReserveStock',
      'NeedsApproval',
      'WaitForApproval',
      'EnsureOrderActive',
      'ChargePayment',
      'CommitStock',
      'ConfirmOrder',
      'OrderPlaced',
    ]);
  });

  test('rejected: CANCELLED APPROVAL_REJECTED, the reserved stock released, nothing charged', async () => {
    // Prepare
    const product = await newProduct(PREMIUM_PRICE_CENTS, 5);
    const { orderId } = await placeOrder([{ product, quantity: 2 }], 'tok_visa');
    await awaitingApproval(orderId);

    // Act
    const rejected = await decide(orderId, 'reject', 'unusual address');
    const order = await settledOrder(orderId);

    // Assess
    expect(rejected.status).toBe(200);
    expect(order).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'APPROVAL_REJECTED',
      approval: { status: 'REJECTED', comment: 'unusual address' },
    });
    expect(await eventTypesOf(orderId)).toEqual([
      'OrderCreated',
      'OrderApprovalRequested',
      'OrderRejected',
      'OrderCancelled',
    ]);
    expect(await statesOf(order)).toEqual([
      'IsRedrive',
      'ReserveStock',
      'NeedsApproval',
      'WaitForApproval',
      'WaitForApprovalRejected',
      ...CANCEL_AND_RELEASE,
    ]);
    await expectStock(product, { available: 5, reserved: 0, sold: 0 });
    await expectNeverCharged(orderId);
  });

  test('cancelled by the customer while waiting: the wait ends at once (CUSTOMER_CANCELLED), stock released, nothing charged', async () => {
    // Prepare
    const product = await newProduct(PREMIUM_PRICE_CENTS, 5);
    const { orderId } = await placeOrder([{ product, quantity: 2 }], 'tok_visa');
    await awaitingApproval(orderId);

    // Act
    const cancelledAt = Date.now();
    const cancel = await shop(ownerOf(orderId), 'POST', `/orders/${orderId}/cancel`, {
      reason: 'found it cheaper',
    });
    const order = await settledOrder(orderId);
    const settledWithinMs = Date.now() - cancelledAt;

    // Assess
    expect(cancel.status).toBe(202);
    // The cancel failed the waiting task: the saga did not sit out the approval deadline.
    expect(settledWithinMs).toBeLessThan(APPROVAL_DEADLINE_SECONDS * 1_000);
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'found it cheaper' });
    expect((await outputOf(order)).compensation).toMatchObject({
      reason: 'CUSTOMER_CANCELLED',
      failedStep: 'WaitForApproval',
    });
    expect(await eventTypesOf(orderId)).toEqual(['OrderCreated', 'OrderApprovalRequested', 'OrderCancelled']);
    expect(await statesOf(order)).toEqual([
      'IsRedrive',
      'ReserveStock',
      'NeedsApproval',
      'WaitForApproval',
      'WaitForApprovalCancelled',
      ...CANCEL_AND_RELEASE,
    ]);
    await expectStock(product, { available: 5, reserved: 0, sold: 0 });
    await expectNeverCharged(orderId);
  });

  test('left without a decision: CANCELLED APPROVAL_TIMEOUT at the deadline; a late approval is a 409', async () => {
    // Prepare
    const product = await newProduct(PREMIUM_PRICE_CENTS, 5);
    const { orderId } = await placeOrder([{ product, quantity: 2 }], 'tok_visa');
    await awaitingApproval(orderId);

    // Act
    const order = await settledOrder(orderId);
    const late = await decide(orderId, 'approve');

    // Assess
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'APPROVAL_TIMEOUT' });
    expect(late.status).toBe(409);
    expect(errorCodeOf(late)).toBe('ORDER_NOT_AWAITING_APPROVAL');
    expect(await eventTypesOf(orderId)).toEqual(['OrderCreated', 'OrderApprovalRequested', 'OrderCancelled']);
    expect(await statesOf(order)).toEqual([
      'IsRedrive',
      'ReserveStock',
      'NeedsApproval',
      'WaitForApproval',
      'WaitForApprovalTimedOut',
      ...CANCEL_AND_RELEASE,
    ]);
    await expectStock(product, { available: 5, reserved: 0, sold: 0 });
    await expectNeverCharged(orderId);
  });
});

describe('the card processor answers', () => {
  test.each(['tok_decline', 'tok_insufficient_funds'])(
    '%s: CANCELLED PAYMENT_DECLINED, stock back, payment DECLINED, nothing captured',
    async (token) => {
      // Prepare
      const product = await newProduct(PRICE_CENTS, 10);

      // Act
      const { orderId, totalCents } = await placeOrder([{ product, quantity: 2 }], token);
      const order = await settledOrder(orderId);

      // Assess
      expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_DECLINED' });
      expect(await eventTypesOf(orderId)).toEqual(['OrderCreated', 'OrderCancelled']);
      // A decline charged nothing: no refund is attempted.
      expect(await statesOf(order)).toEqual([
        ...FORWARD_TO_CHARGE,
        'ChargePaymentDeclined',
        ...CANCEL_AND_RELEASE,
      ]);
      await expectStock(product, { available: 10, reserved: 0, sold: 0 });
      expect((await paymentOf(orderId)).payment).toMatchObject({
        status: 'DECLINED',
        amountCents: totalCents,
        attempts: 1,
      });
      expect(await chargesAt(orderId)).toEqual([]);
    },
  );

  test('tok_flaky (503 twice): retried within the charge, PAID with exactly one captured charge', async () => {
    // Prepare
    const product = await newProduct(PRICE_CENTS, 10);

    // Act
    const { orderId, totalCents } = await placeOrder([{ product, quantity: 2 }], 'tok_flaky');
    const order = await settledOrder(orderId);

    // Assess
    expect(order.status).toBe('PAID');
    const charges = await chargesAt(orderId);
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({ amountCents: totalCents, refundedCents: 0 });
    expect((await paymentOf(orderId)).payment).toMatchObject({
      status: 'CAPTURED',
      attempts: 3,
      providerChargeId: charges[0]?.id,
    });
    await expectStock(product, { available: 8, reserved: 0, sold: 2 });
  });

  test('tok_error (500, replayed to the retry): its final answer, CANCELLED PAYMENT_DECLINED processing_error, nothing captured', async () => {
    // Prepare
    const product = await newProduct(PRICE_CENTS, 10);

    // Act
    const { orderId, totalCents } = await placeOrder([{ product, quantity: 2 }], 'tok_error');
    const order = await settledOrder(orderId);

    // Assess: no wait for a processor that answered; one charge invocation, two calls (500, replayed).
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_DECLINED' });
    expect(invocationsOf(await historyOf(executionArnOf(order)), 'ChargePayment')).toEqual([
      expect.objectContaining({ error: 'PaymentDeclined' }),
    ]);
    expect(await statesOf(order)).toEqual([
      ...FORWARD_TO_CHARGE,
      'ChargePaymentDeclined',
      ...CANCEL_AND_RELEASE,
    ]);
    expect((await paymentOf(orderId)).payment).toMatchObject({
      status: 'DECLINED',
      declineCode: 'processing_error',
      amountCents: totalCents,
      attempts: 2,
    });
    expect(await chargesAt(orderId)).toEqual([]);
    await expectStock(product, { available: 10, reserved: 0, sold: 0 });
  });

  test('tok_timeout (captured, answered too late): the charge is looked up, found captured, and the order PAID', async () => {
    // Prepare
    const product = await newProduct(PRICE_CENTS, 10);
    const before = await circuit();

    // Act
    const { orderId, totalCents } = await placeOrder([{ product, quantity: 2 }], 'tok_timeout');
    const order = await settledOrder(orderId, 90_000);

    // Assess: one charge at the processor, kept; the payment names it.
    expect(order.status).toBe('PAID');
    expect(await statesOf(order)).toEqual([
      ...FORWARD_TO_CHARGE,
      'CommitStock',
      'ConfirmOrder',
      'OrderPlaced',
    ]);
    const charges = await chargesAt(orderId);
    expect(charges).toEqual([expect.objectContaining({ amountCents: totalCents, refundedCents: 0 })]);
    expect((await paymentOf(orderId)).payment).toMatchObject({
      status: 'CAPTURED',
      attempts: 1,
      providerChargeId: charges[0]?.id,
    });
    await expectStock(product, { available: 8, reserved: 0, sold: 2 });
    // A processor that captured, only late, is not failing: the attempt counted as a success.
    expect(await circuit()).toMatchObject({ state: 'CLOSED', version: before.version });
  }, 120_000);
});

describe('a step failing after the charge', () => {
  test.each([
    ['CommitStock', 'CommitStockFunction'],
    ['ConfirmOrder', 'ConfirmOrderFunction'],
  ])(
    '%s failing (an unknown error): CANCELLED SAGA_FAILED, the charge refunded, the stock back',
    async (step, logicalIdPrefix) => {
      // Prepare
      const product = await newProduct(PRICE_CENTS, 10);
      const fault = await injectFault({
        kind: 'function-error',
        target: { logicalIdPrefix },
        probability: 1,
        maxCount: 1,
        errorType: 'Boom',
      });

      // Act
      const { orderId, totalCents } = await placeOrder([{ product, quantity: 2 }], 'tok_visa');
      const order = await settledOrder(orderId);

      // Assess
      expect((await faultOf(fault.id)).injected).toBe(1);
      expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'SAGA_FAILED' });
      expect((await outputOf(order)).compensation).toMatchObject({ reason: 'SAGA_FAILED', failedStep: step });
      expect(await eventTypesOf(orderId)).toEqual(['OrderCreated', 'OrderCancelled']);
      const forward = step === 'CommitStock' ? ['CommitStock'] : ['CommitStock', 'ConfirmOrder'];
      expect(await statesOf(order)).toEqual([
        ...FORWARD_TO_CHARGE,
        ...forward,
        `${step}Failed`,
        ...CANCEL_REFUND_AND_RELEASE,
      ]);
      const charges = await chargesAt(orderId);
      expect(charges).toEqual([
        expect.objectContaining({ amountCents: totalCents, refundedCents: totalCents }),
      ]);
      expect((await paymentOf(orderId)).payment?.status).toBe('REFUNDED');
      // Released whether it was still reserved (CommitStock) or already sold (ConfirmOrder).
      await expectStock(product, { available: 10, reserved: 0, sold: 0 });
    },
  );
});

describe('an order paid from an account (the accounts context charges and refunds it)', () => {
  test("PAID: the amount moves from the customer's account into the shop's, one transfer naming the order; the card processor is not asked", async () => {
    // Prepare
    const product = await newProduct(PRICE_CENTS, 10);
    const ada = await customer('ada');
    const accountId = await fundedAccount('ada', 10_000);

    // Act
    const { orderId, totalCents } = await placeOrder([{ product, quantity: 2 }], {
      method: 'account',
      accountId,
    });
    const order = await settledOrder(orderId);

    // Assess
    expect(order).toMatchObject({ status: 'PAID' });
    await expectStock(product, { available: 8, reserved: 0, sold: 2 });
    const { payment } = await paymentOf(orderId);
    expect(payment).toMatchObject({
      status: 'CAPTURED',
      method: 'account',
      amountCents: totalCents,
      attempts: 1,
    });
    expect(payment?.providerChargeId).toMatch(/^trf_/);
    expect(order.payment).toMatchObject({ chargeId: payment?.providerChargeId, amountCents: totalCents });
    expect(await chargesAt(orderId)).toEqual([]);
    expect(await accountAs(ada, accountId)).toMatchObject({ balanceCents: 10_000 - totalCents, version: 2 });
    const [paid] = await transactionsAs(ada, accountId);
    expect(paid).toMatchObject({
      type: 'TRANSFER_OUT',
      amountCents: -totalCents,
      transferId: payment?.providerChargeId,
      orderId,
    });
    // The shop's account: staff may read it, the customer may not.
    const shopAccountId = paid?.counterpartyAccountId ?? '';
    expect(await accountAs(staff, shopAccountId)).toMatchObject({ ownerId: 'shop', currency: 'USD' });
    expect((await shop(ada, 'GET', `/accounts/${shopAccountId}`)).status).toBe(404);
    const legs = (await transactionsAs(staff, shopAccountId)).filter((entry) => entry.orderId === orderId);
    expect(legs).toEqual([expect.objectContaining({ type: 'TRANSFER_IN', amountCents: totalCents })]);
  });

  test.each([
    ['an account with too little money in it', 'ada', 1_000, 'insufficient_funds'],
    ["an account that is not the payer's", 'grace', 10_000, 'account_not_found'],
  ])(
    '%s (paid by %s): CANCELLED PAYMENT_DECLINED, stock back, no money moved',
    async (_label, payer, balanceCents, declineCode) => {
      // Prepare: the account is Ada's; the payer names it.
      const product = await newProduct(PRICE_CENTS, 10);
      const ada = await customer('ada');
      const accountId = await fundedAccount('ada', balanceCents);

      // Act
      const { orderId } = await placeOrder(
        [{ product, quantity: 2 }],
        { method: 'account', accountId },
        payer,
      );
      const order = await settledOrder(orderId);

      // Assess
      expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_DECLINED' });
      expect(await statesOf(order)).toEqual([
        ...FORWARD_TO_CHARGE,
        'ChargePaymentDeclined',
        ...CANCEL_AND_RELEASE,
      ]);
      expect((await paymentOf(orderId)).payment).toMatchObject({
        status: 'DECLINED',
        method: 'account',
        declineCode,
      });
      await expectStock(product, { available: 10, reserved: 0, sold: 0 });
      expect(await accountAs(ada, accountId)).toMatchObject({ balanceCents, version: 1 });
    },
  );

  test('a step failing after the charge: CANCELLED SAGA_FAILED, the money back in the account, the stock back', async () => {
    // Prepare
    const product = await newProduct(PRICE_CENTS, 10);
    const ada = await customer('ada');
    const accountId = await fundedAccount('ada', 10_000);
    const fault = await injectFault({
      kind: 'function-error',
      target: { logicalIdPrefix: 'CommitStockFunction' },
      probability: 1,
      maxCount: 1,
      errorType: 'Boom',
    });

    // Act
    const { orderId, totalCents } = await placeOrder([{ product, quantity: 2 }], {
      method: 'account',
      accountId,
    });
    const order = await settledOrder(orderId);

    // Assess
    expect((await faultOf(fault.id)).injected).toBe(1);
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'SAGA_FAILED' });
    expect(await statesOf(order)).toEqual([
      ...FORWARD_TO_CHARGE,
      'CommitStock',
      'CommitStockFailed',
      ...CANCEL_REFUND_AND_RELEASE,
    ]);
    expect((await paymentOf(orderId)).payment).toMatchObject({ status: 'REFUNDED', method: 'account' });
    await expectStock(product, { available: 10, reserved: 0, sold: 0 });
    // Deposit, payment, refund: three changes, and the balance whole again.
    expect(await accountAs(ada, accountId)).toMatchObject({ balanceCents: 10_000, version: 3 });
    const [refund, paid] = await transactionsAs(ada, accountId);
    expect(paid).toMatchObject({ type: 'TRANSFER_OUT', amountCents: -totalCents, orderId });
    expect(refund).toMatchObject({ type: 'TRANSFER_IN', amountCents: totalCents, orderId });
    const shopLegs = (await transactionsAs(staff, paid?.counterpartyAccountId ?? '')).filter(
      (entry) => entry.orderId === orderId,
    );
    expect(shopLegs.map((entry) => entry.amountCents).sort((a, b) => a - b)).toEqual([
      -totalCents,
      totalCents,
    ]);
  });
});

describe('the card processor down, behind the circuit breaker (run last: every charge shares the breaker)', () => {
  test('an outage longer than the wait budget: the breaker opens, waiting charges fail fast, and the orders end PAYMENT_UNAVAILABLE with stock released and nothing captured', async () => {
    // Prepare: an order above the threshold waiting for approval, to be charged when we choose; the
    // processor down for the whole test.
    const product = await newProduct(PRICE_CENTS, 10);
    const premium = await newProduct(PREMIUM_PRICE_CENTS, 5);
    const held = await placeOrder([{ product: premium, quantity: 2 }], 'tok_visa');
    await approvalRequested(held.orderId);
    await circuitLetsTheNextCallThrough();
    const before = await circuit();
    expect(before.state).toBe('CLOSED');
    const fault = await injectFault(PROCESSOR_DOWN);

    // Act: another order's failing charge opens the breaker; the held order is approved while it is open.
    const failing = await placeOrder([{ product, quantity: 2 }], 'tok_visa', 'grace');
    const opened = await circuitOpenedAfter(before.version);
    const callsWhenOpened = (await faultOf(fault.id)).matched;
    const approved = await decide(held.orderId, 'approve');
    const heldExecution = await executionArnFor(held.orderId);
    const firstHeldCharge = await eventually(
      async () => invocationsOf(await historyOf(heldExecution), 'ChargePayment')[0],
      { timeoutMs: 30_000, intervalMs: 25, what: "the held order's first charge to fail" },
    );
    const callsAfterFirstHeldCharge = (await faultOf(fault.id)).matched;
    const failingOrder = await settledOrder(failing.orderId, 120_000);
    const heldOrder = await settledOrder(held.orderId, 120_000);

    // Assess
    expect(opened.failures).toBe(BREAKER_FAILURE_THRESHOLD);
    // Each failing call found both instances of the processor down (one function behind both stages):
    // two requests a call, one failure counted by the breaker.
    expect(callsWhenOpened).toBe(BREAKER_FAILURE_THRESHOLD * PROCESSOR_INSTANCES);
    expect(approved.status).toBe(200);
    // Failed fast: refused by the open circuit, and no call reached the processor.
    expect(firstHeldCharge.error).toBe('PaymentProviderUnavailable');
    expect(firstHeldCharge.cause).toContain('circuit is open');
    expect(callsAfterFirstHeldCharge).toBe(callsWhenOpened);
    for (const order of [failingOrder, heldOrder]) {
      expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_UNAVAILABLE' });
      const states = await statesOf(order);
      expect(states.filter((state) => state === 'WaitForPaymentProvider')).toHaveLength(PAYMENT_WAITS);
      expect(states.slice(-(3 + CANCEL_REFUND_AND_RELEASE.length))).toEqual([
        'PaymentWaitStarted',
        'PaymentWaitBudgetLeft',
        'ChargePaymentUnavailable',
        ...CANCEL_REFUND_AND_RELEASE,
      ]);
      expect(await chargesAt(order.orderId)).toEqual([]);
      expect((await paymentOf(order.orderId)).payment?.status).toBe('FAILED');
    }
    // Every call the processor got is one the payment records counted (each attempt tried both
    // instances): the first invocation's three, then one probe at most per reset timeout; without the
    // breaker each invocation would make three.
    const calls = (await faultOf(fault.id)).matched;
    const attempts =
      ((await paymentOf(failing.orderId)).payment?.attempts ?? 0) +
      ((await paymentOf(held.orderId)).payment?.attempts ?? 0);
    expect(attempts * PROCESSOR_INSTANCES).toBe(calls);
    const chargeInvocations =
      invocationsOf(await historyOf(executionArnOf(failingOrder)), 'ChargePayment').length +
      invocationsOf(await historyOf(heldExecution), 'ChargePayment').length;
    expect(chargeInvocations).toBe(2 * CHARGE_INVOCATIONS_WHEN_UNAVAILABLE);
    expect(attempts).toBeLessThan(chargeInvocations);
    await expectStock(product, { available: 10, reserved: 0, sold: 0 });
    await expectStock(premium, { available: 5, reserved: 0, sold: 0 });
  }, 240_000);

  test('an outage shorter than the wait budget: the order waits (WaitForPaymentProvider), a probe closes the breaker, and it is PAID', async () => {
    // Prepare: the processor down; an order's failing charge opens the breaker.
    const product = await newProduct(PRICE_CENTS, 50);
    await circuitLetsTheNextCallThrough();
    const before = await circuit();
    const logsBefore = circuitLogs.length;
    await injectFault(PROCESSOR_DOWN);
    const { orderId } = await placeOrder([{ product, quantity: 1 }], 'tok_visa');
    const opened = await circuitOpenedAfter(before.version);

    // Act: the order shows that it waits for the processor; then the processor is repaired.
    const waiting = await eventually(
      async () => {
        const order = await orderOf(orderId);
        return order?.saga?.currentStep === 'WaitForPaymentProvider' ? order : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: `order ${orderId} to wait for the processor` },
    );
    await clearFaults();
    const order = await settledOrder(orderId, 90_000);
    const after = await circuit();

    // Assess
    expect(waiting).toMatchObject({ status: 'PENDING', saga: { status: 'RUNNING' } });
    expect(order.status).toBe('PAID');
    expect(await statesOf(order)).toContain('WaitForPaymentProvider');
    const charges = await chargesAt(orderId);
    expect(charges).toHaveLength(1);
    expect(capturedLessRefunded(charges)).toBe(PRICE_CENTS);
    // OPEN → HALF_OPEN (the probe) → CLOSED: two transitions at least since it opened.
    expect(after.state).toBe('CLOSED');
    expect(after.version).toBeGreaterThanOrEqual(opened.version + 2);
    const transitions = circuitLogs.slice(logsBefore);
    expect(transitions.some((line) => line.includes('Circuit opened'))).toBe(true);
    expect(transitions.some((line) => line.includes('Circuit closed: the probe call succeeded'))).toBe(true);
    await expectStock(product, { available: 50 - 1, reserved: 0, sold: 1 });
  }, 240_000);
});
