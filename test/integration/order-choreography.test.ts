/**
 * The choreographed order saga end to end, on the real app (`infra/app.ts`) booted on the local cloud
 * with `shop:sagaStyle=choreographed` and short settings: every path driven through the public API as
 * a client drives it, and checked where each context keeps its truth — the order (read model and event
 * history), the product's stock, the payment record and the card processor's own ledger. No state
 * machine runs: each context reacts to the others' events on the bus.
 */
import type { OrderDetails } from '../../functions/orders/application/order-queries';
import type { ChargeObject } from '../../functions/payment-provider/contracts';
import { SETTINGS_CONTEXT_KEYS } from '../../infra/app-settings';
import { InvokeCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { type LocalCloud, eventually, localClientConfig } from 'cdk-local-cloud';
import { customerDirectory, signedInUser, startShopCloud } from '../support/shop-cloud';
import { capturedLessRefunded, send, shopOrders, type Stock, type TestProduct } from '../support/shop-orders';
import type { SignedInUser } from '../../infra/ops/shop-users';

const APPROVAL_THRESHOLD_CENTS = 50_000;
const APPROVAL_DEADLINE_SECONDS = 8;
const BREAKER_FAILURE_THRESHOLD = 3;
const BREAKER_RESET_TIMEOUT_SECONDS = 3;
const PAYMENT_WAIT_BUDGET_SECONDS = 8;
const PAYMENT_WAIT_INTERVAL_SECONDS = 2;
const PRICE_CENTS = 2_500;
const PREMIUM_PRICE_CENTS = 30_000;
const SETTLE_MS = 60_000;
const POLL_MS = 150;

let cloud: LocalCloud;
let cloudLogs: string[] = [];
let providerUrl: string;
let staff: SignedInUser;
const customer = customerDirectory(() => cloud, 'choreo');

beforeAll(async () => {
  ({ cloud, logs: cloudLogs } = await startShopCloud({
    asyncRetryBaseDelayMs: 50,
    context: {
      [SETTINGS_CONTEXT_KEYS.sagaStyle]: 'choreographed',
      [SETTINGS_CONTEXT_KEYS.approvalThresholdCents]: APPROVAL_THRESHOLD_CENTS,
      [SETTINGS_CONTEXT_KEYS.approvalDeadlineSeconds]: APPROVAL_DEADLINE_SECONDS,
      [SETTINGS_CONTEXT_KEYS.breakerFailureThreshold]: BREAKER_FAILURE_THRESHOLD,
      [SETTINGS_CONTEXT_KEYS.breakerResetTimeoutSeconds]: BREAKER_RESET_TIMEOUT_SECONDS,
      [SETTINGS_CONTEXT_KEYS.paymentWaitBudgetSeconds]: PAYMENT_WAIT_BUDGET_SECONDS,
      [SETTINGS_CONTEXT_KEYS.paymentWaitIntervalSeconds]: PAYMENT_WAIT_INTERVAL_SECONDS,
    },
  }));
  const processor = cloud.apis.find((api) => api.name === 'payment-provider-api');
  if (processor === undefined) throw new Error('no payment-provider-api among the APIs');
  providerUrl = cloud.gateway.localUrl(processor.apiId, processor.stages[0] ?? 'prod');
  [staff] = await Promise.all([
    signedInUser(cloud, { email: 'radia.choreo@example.com', staff: true }),
    customer('ada'),
  ]);
}, 180_000);

afterEach(async () => {
  if (cloud !== undefined) await fetch(`${cloud.apiUrl}/_local/faults`, { method: 'DELETE' });
});

afterAll(async () => {
  // A delivery the SQS engine did not wake its pollers for costs a long poll (20 s): say so when it happened.
  const missed = cloudLogs.filter((line) => line.includes('without waking the pollers'));
  if (missed.length > 0) console.warn(`Missed SQS wake-ups: ${missed.length}\n${missed.join('\n')}`);
  await cloud?.stop();
});

const {
  shop,
  ownerOf,
  newProduct,
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
  productName: 'Choreographed item',
});

// ---- Following an order: every reaction is asynchronous -------------------------------------------

/** Once the product's stock is `expected` (the reactions are asynchronous), with its invariant. */
async function expectStock(product: TestProduct, expected: Stock): Promise<void> {
  const stock = await eventually(
    async () => {
      const now = await stockOf(product);
      return JSON.stringify(now) === JSON.stringify(expected) ? now : undefined;
    },
    {
      timeoutMs: SETTLE_MS,
      intervalMs: POLL_MS,
      what: `product ${product.productId} at ${JSON.stringify(expected)}`,
    },
  );
  expect(stock.available + stock.reserved + stock.sold).toBe(product.initial);
}

/** The order once the read model shows it `PAID` or `CANCELLED`. */
async function settledOrder(orderId: string): Promise<OrderDetails> {
  try {
    return await eventually(
      async () => {
        const order = await orderOf(orderId);
        return order?.status === 'PAID' || order?.status === 'CANCELLED' ? order : undefined;
      },
      { timeoutMs: SETTLE_MS, intervalMs: POLL_MS, what: `order ${orderId} to be settled` },
    );
  } catch (error) {
    throw new Error(`${String(error)}\n${orderTrail(orderId)}\n${await stalledDeliveries()}`);
  }
}

/** What the functions logged about an order, for a failure to show where the reactions stopped. */
function orderTrail(orderId: string): string {
  const { lines } = cloud.lambda.functionLogs();
  const about = lines.filter((entry) => entry.line.includes(orderId)).slice(-60);
  return [
    `The last ${about.length} function log lines naming ${orderId}:`,
    ...about.map((entry) => `${entry.at} ${entry.functionName}: ${entry.line.slice(0, 600)}`),
  ].join('\n');
}

/**
 * The queues whose messages wait for their consumer, and what the event sources reported: a stalled
 * delivery shows here rather than as a silence in the functions' logs.
 */
async function stalledDeliveries(): Promise<string> {
  const response = await fetch(`${cloud.apiUrl}/_local/event-sources`);
  const { eventSources } = (await response.json()) as {
    eventSources: { kind: string; queue?: { visible: number }; missedWakeups?: number }[];
  };
  const stalled = eventSources.filter(
    (source) =>
      source.kind === 'sqs' && ((source.queue?.visible ?? 0) > 0 || (source.missedWakeups ?? 0) > 0),
  );
  return [
    `SQS event sources with a message waiting or a missed wake-up: ${stalled.length}`,
    ...stalled.map((source) => JSON.stringify(source)),
    ...cloudLogs.filter((line) => line.includes('[event-source')).slice(-20),
  ].join('\n');
}

async function orderInStatus(orderId: string, status: string): Promise<OrderDetails> {
  return eventually(
    async () => {
      const order = await orderOf(orderId);
      return order?.status === status ? order : undefined;
    },
    { timeoutMs: SETTLE_MS, intervalMs: POLL_MS, what: `order ${orderId} to be ${status}` },
  );
}

/** Once every capture of the order is refunded (the refund follows the cancellation). */
async function expectNothingKept(orderId: string): Promise<ChargeObject[]> {
  return eventually(
    async () => {
      const charges = await chargesAt(orderId);
      return capturedLessRefunded(charges) === 0 ? charges : undefined;
    },
    { timeoutMs: SETTLE_MS, intervalMs: POLL_MS, what: `the charges of order ${orderId} refunded` },
  );
}

/** Inventory hears of every event `ms` late (a local delivery fault on its consumer's rules). */
async function delayInventoryBy(ms: number): Promise<void> {
  const fault = await send(cloud.apiUrl, 'POST', '/_local/faults', {
    kind: 'delivery-delay',
    target: { targetArnContains: 'OrderSagaConsumerQueue', ruleNameContains: 'ShopInventory' },
    probability: 1,
    minDelayMs: ms,
    maxDelayMs: ms,
  });
  expect(fault.status).toBe(201);
}

// ---- The paths ------------------------------------------------------------------------------------

describe('the choreography places an order', () => {
  test('happy path (tok_visa): PAID with no state machine, stock sold, payment CAPTURED, one charge', async () => {
    // Prepare
    const product = await newProduct(PRICE_CENTS, 10);

    // Act
    const { orderId, totalCents } = await placeOrder([{ product, quantity: 2 }], 'tok_visa');
    const order = await settledOrder(orderId);

    // Assess
    expect(order).toMatchObject({ orderId, status: 'PAID', sagaStyle: 'choreographed', totalCents });
    expect(order.saga).toBeUndefined();
    expect(await eventTypesOf(orderId)).toEqual(['OrderCreated', 'OrderPaid']);
    await expectStock(product, { available: 8, reserved: 0, sold: 2 });
    expect((await paymentOf(orderId)).payment).toMatchObject({ status: 'CAPTURED', amountCents: totalCents });
    const charges = await chargesAt(orderId);
    expect(charges).toHaveLength(1);
    expect(capturedLessRefunded(charges)).toBe(totalCents);
  });

  test('out of stock: CANCELLED OUT_OF_STOCK, the lines held before it given back, never charged', async () => {
    // Prepare
    const plenty = await newProduct(PRICE_CENTS, 10);
    const scarce = await newProduct(PRICE_CENTS, 1);

    // Act
    const { orderId } = await placeOrder(
      [
        { product: plenty, quantity: 3 },
        { product: scarce, quantity: 2 },
      ],
      'tok_visa',
    );
    const order = await settledOrder(orderId);

    // Assess
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'OUT_OF_STOCK' });
    await expectStock(plenty, { available: 10, reserved: 0, sold: 0 });
    await expectStock(scarce, { available: 1, reserved: 0, sold: 0 });
    expect((await paymentOf(orderId)).status).toBe(404);
    expect(await chargesAt(orderId)).toEqual([]);
  });

  test.each([
    ['tok_decline', 'card_declined'],
    ['tok_error', 'processing_error'],
  ])(
    'a declining card (%s): CANCELLED PAYMENT_DECLINED, stock back, nothing captured',
    async (token, code) => {
      // Prepare
      const product = await newProduct(PRICE_CENTS, 5);

      // Act
      const { orderId } = await placeOrder([{ product, quantity: 2 }], token);
      const order = await settledOrder(orderId);

      // Assess
      expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_DECLINED' });
      await expectStock(product, { available: 5, reserved: 0, sold: 0 });
      expect((await paymentOf(orderId)).payment).toMatchObject({ status: 'DECLINED', declineCode: code });
      expect(capturedLessRefunded(await chargesAt(orderId))).toBe(0);
    },
  );

  test('tok_flaky (the processor fails twice, then approves): PAID with one charge', async () => {
    const product = await newProduct(PRICE_CENTS, 5);
    const { orderId, totalCents } = await placeOrder([{ product, quantity: 1 }], 'tok_flaky');
    expect(await settledOrder(orderId)).toMatchObject({ status: 'PAID' });
    expect(capturedLessRefunded(await chargesAt(orderId))).toBe(totalCents);
    await expectStock(product, { available: 4, reserved: 0, sold: 1 });
  });
});

describe('a choreographed order at or above the approval threshold waits for a person', () => {
  test('approved: AWAITING_APPROVAL with its stock held and nothing charged, then PAID', async () => {
    // Prepare
    const product = await newProduct(PREMIUM_PRICE_CENTS, 4);
    const { orderId, totalCents } = await placeOrder([{ product, quantity: 2 }], 'tok_visa');
    await orderInStatus(orderId, 'AWAITING_APPROVAL');
    await expectStock(product, { available: 2, reserved: 2, sold: 0 });
    expect(await chargesAt(orderId)).toEqual([]);

    // Act
    const decision = await decide(orderId, 'approve');
    const again = await decide(orderId, 'approve');
    const other = await decide(orderId, 'reject');
    const order = await settledOrder(orderId);

    // Assess
    expect(decision.status).toBe(200);
    expect(again.status).toBe(200);
    expect(other.status).toBe(409);
    expect(order.status).toBe('PAID');
    expect(await eventTypesOf(orderId)).toEqual([
      'OrderCreated',
      'OrderApprovalRequested',
      'OrderApproved',
      'OrderPaid',
    ]);
    await expectStock(product, { available: 2, reserved: 0, sold: 2 });
    expect(capturedLessRefunded(await chargesAt(orderId))).toBe(totalCents);
  });

  test('rejected: CANCELLED APPROVAL_REJECTED, stock back, never charged', async () => {
    const product = await newProduct(PREMIUM_PRICE_CENTS, 4);
    const { orderId } = await placeOrder([{ product, quantity: 2 }], 'tok_visa');
    await orderInStatus(orderId, 'AWAITING_APPROVAL');

    expect((await decide(orderId, 'reject')).status).toBe(200);
    const order = await settledOrder(orderId);

    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'APPROVAL_REJECTED' });
    await expectStock(product, { available: 4, reserved: 0, sold: 0 });
    expect(await chargesAt(orderId)).toEqual([]);
  });

  test('nobody answers: the deadline schedule cancels it with APPROVAL_TIMEOUT; a late decision is refused', async () => {
    const product = await newProduct(PREMIUM_PRICE_CENTS, 4);
    const { orderId } = await placeOrder([{ product, quantity: 2 }], 'tok_visa');
    await orderInStatus(orderId, 'AWAITING_APPROVAL');

    const order = await settledOrder(orderId);
    const late = await decide(orderId, 'approve');

    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'APPROVAL_TIMEOUT' });
    expect(late.status).toBe(409);
    await expectStock(product, { available: 4, reserved: 0, sold: 0 });
    expect(await chargesAt(orderId)).toEqual([]);
  });

  test('the customer cancels while it waits: CANCELLED with their reason, stock back, never charged', async () => {
    const product = await newProduct(PREMIUM_PRICE_CENTS, 4);
    const { orderId } = await placeOrder([{ product, quantity: 2 }], 'tok_visa');
    await orderInStatus(orderId, 'AWAITING_APPROVAL');

    const cancel = await shop(ownerOf(orderId), 'POST', `/orders/${orderId}/cancel`, {
      reason: 'Changed my mind',
    });
    const order = await settledOrder(orderId);

    expect(cancel.status).toBe(202);
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'Changed my mind' });
    await expectStock(product, { available: 4, reserved: 0, sold: 0 });
    expect(await chargesAt(orderId)).toEqual([]);
  });
});

describe('a failure after the charge is compensated by events', () => {
  test('the customer cancels after the charge, before the stock is sold: refunded, stock back, CANCELLED', async () => {
    // Prepare: inventory does not hear of the capture for a while.
    const product = await newProduct(PRICE_CENTS, 5);
    await delayInventoryBy(6_000);

    // Act
    const { orderId } = await placeOrder([{ product, quantity: 2 }], 'tok_visa');
    await eventually(async () => ((await chargesAt(orderId)).length === 1 ? true : undefined), {
      timeoutMs: SETTLE_MS,
      intervalMs: POLL_MS,
      what: `order ${orderId} charged`,
    });
    const cancel = await shop(ownerOf(orderId), 'POST', `/orders/${orderId}/cancel`, {});
    const order = await settledOrder(orderId);

    // Assess
    expect(cancel.status).toBe(202);
    expect(order.status).toBe('CANCELLED');
    const charges = await expectNothingKept(orderId);
    expect(charges).toHaveLength(1);
    await expectStock(product, { available: 5, reserved: 0, sold: 0 });
    await eventually(
      async () => ((await paymentOf(orderId)).payment?.status === 'REFUNDED' ? true : undefined),
      { timeoutMs: SETTLE_MS, intervalMs: POLL_MS, what: `the payment of ${orderId} REFUNDED` },
    );
  });

  test('the stock cannot be sold after the charge (its reservation released meanwhile): CANCELLED SAGA_FAILED, refunded, stock back', async () => {
    // Prepare: inventory hears of the capture late, and meanwhile something else releases the order's
    // reservation of the product (the orchestrated saga's release-stock, invoked as an operator would).
    const product = await newProduct(PRICE_CENTS, 5);
    await delayInventoryBy(4_000);
    const lambda = new LambdaClient({ ...localClientConfig(cloud.edgeUrl), maxAttempts: 1 });
    const { Functions = [] } = await lambda.send(new ListFunctionsCommand({}));
    const releaseStock = Functions.find((fn) => fn.FunctionName?.includes('ReleaseStockFunction'));

    // Act
    const { orderId, totalCents } = await placeOrder([{ product, quantity: 2 }], 'tok_visa');
    await expectStock(product, { available: 3, reserved: 2, sold: 0 });
    const released = await lambda.send(
      new InvokeCommand({
        FunctionName: releaseStock?.FunctionName,
        Payload: JSON.stringify({ orderId, items: [{ productId: product.productId, quantity: 2 }] }),
      }),
    );
    lambda.destroy();
    const order = await settledOrder(orderId);

    // Assess
    expect(released.FunctionError).toBeUndefined();
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'SAGA_FAILED' });
    const charges = await expectNothingKept(orderId);
    expect(charges.map((charge) => charge.amountCents)).toEqual([totalCents]);
    await expectStock(product, { available: 5, reserved: 0, sold: 0 });
  });

  test(
    'the processor down past the wait budget: PAYMENT_UNAVAILABLE, nothing captured, stock back',
    async () => {
      const product = await newProduct(PRICE_CENTS, 5);
      await send(cloud.apiUrl, 'POST', '/_local/faults', {
        kind: 'function-error',
        target: { logicalIdPrefix: 'CreateChargeFunction' },
        probability: 1,
      });

      const { orderId } = await placeOrder([{ product, quantity: 1 }], 'tok_visa');
      const order = await settledOrder(orderId);

      expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_UNAVAILABLE' });
      await expectStock(product, { available: 5, reserved: 0, sold: 0 });
      expect(capturedLessRefunded(await chargesAt(orderId))).toBe(0);
      // Longer than the settling's own deadline (SETTLE_MS) and the steps around it: a slow settling fails
      // with what it waited for, not with Jest's timeout.
    },
    SETTLE_MS + 30_000,
  );
});

describe('one trace per order', () => {
  test('the trace POST /orders answers with holds the choreographed order’s whole journey: the API, every consumer and the card processor', async () => {
    // Prepare
    const product = await newProduct(PRICE_CENTS, 5);
    const hops = [
      'shop-api/prod',
      'CreateOrderFunction',
      'GetProductFunction',
      'ShopInventory-OrderSagaConsumer',
      'ShopPayments-OrderSagaConsumer',
      // Either instance of the processor (its stage prod or zone-b), as discovery chose.
      'payment-provider-api/',
      'CreateChargeFunction',
      'ShopOrders-OrderSagaConsumer',
      'ProjectorFunction',
    ];

    // Act
    const placed = await placeTracedOrder(product);
    const order = await settledOrder(placed.orderId);
    const trace = await traceServices(
      placed.traceId,
      (names) => hops.every((hop) => names.includes(hop)),
      SETTLE_MS,
    );

    // Assess: the relays' batches are traces of their own, but every event carries its order's header.
    expect(placed.status).toBe(202);
    expect(order.status).toBe('PAID');
    expect(hops.filter((hop) => !trace.includes(hop))).toEqual([]);
  });
});
