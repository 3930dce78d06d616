/**
 * The shop's user journeys, end to end, on the target `E2E_TARGET` names (test/e2e/support/e2e-target.ts):
 * the local cloud by default, LocalStack or an AWS account. Only what a client of a deployment has is
 * used — the Cognito, CloudFormation and X-Ray APIs and the shop's REST API — so the same file proves a
 * deployment anywhere (docs/deploying.md).
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetAliasCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import {
  BatchGetTracesCommand,
  paginateGetTraceSummaries,
  XRayClient,
  type TraceSummary,
} from '@aws-sdk/client-xray';
import { eventually } from 'cdk-local-cloud';
import { CanaryOutputSchema } from '../../infra/ops/canary-rollouts';
import { connectE2eTarget, type E2eTarget } from './support/e2e-target';
import {
  anonymous,
  expectStatus,
  orderReaching,
  signedInClient,
  type ShopClient,
} from './support/shop-client';

/** Orders of this many cents or more wait for a staff member's approval (`shop:approvalThresholdCents`). */
const APPROVAL_THRESHOLD_CENTS = 100_000;

let target: E2eTarget;
let staff: ShopClient;

beforeAll(async () => {
  target = await connectE2eTarget();
  staff = await signedInClient(target, 'staff', { staff: true });
}, 180_000);

afterAll(async () => {
  await target?.stop();
});

/** A new product of this run, with `stock` units. */
async function newProduct(priceCents: number, stock: number): Promise<string> {
  const body = expectStatus(
    await staff.call('POST', '/products', {
      body: { name: `E2E item ${Date.now()}`, priceCents, currency: 'USD', stock },
    }),
    201,
  );
  const productId = body['productId'];
  if (typeof productId !== 'string') throw new Error(`POST /products answered no productId: ${String(body)}`);
  return productId;
}

/**
 * Polls `GET /products/{id}` until its stock is `expected`; answers the last stock seen. A saga's last
 * steps (committing or releasing the stock) may land after the order's own status, so the stock is
 * waited for rather than read once.
 */
async function stockSettling(
  client: ShopClient,
  productId: string,
  expected: Record<string, number>,
): Promise<Record<string, unknown>> {
  let last: Record<string, unknown> = {};
  try {
    return await eventually(
      async () => {
        const body = expectStatus(await client.call('GET', `/products/${productId}`), 200);
        last = { available: body['available'], reserved: body['reserved'], sold: body['sold'] };
        return Object.entries(expected).every(([key, value]) => last[key] === value) ? last : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: `the stock of ${productId}` },
    );
  } catch (error) {
    // Never answered: the error says why. Answered otherwise: the caller's assertion shows the difference.
    if (Object.keys(last).length === 0) throw error;
    return last;
  }
}

/** `POST /orders` of `quantity` units paid by card with a sandbox test token; answers the order id. */
async function placeOrder(
  customer: ShopClient,
  productId: string,
  quantity: number,
  token: string,
): Promise<string> {
  const body = expectStatus(
    await customer.command('/orders', {
      items: [{ productId, quantity }],
      payment: { method: 'card', token },
    }),
    202,
  );
  const orderId = body['orderId'];
  if (typeof orderId !== 'string') throw new Error(`POST /orders answered no orderId: ${String(body)}`);
  return orderId;
}

describe(`the shop, end to end (E2E_TARGET=${process.env['E2E_TARGET'] ?? 'local'})`, () => {
  test('a new user signs up and in, and the API knows them by their ID token alone', async () => {
    // Arrange
    const customer = await signedInClient(target, 'newcomer');

    // Act
    const me = await customer.call('GET', '/users/me');
    const withoutToken = await anonymous(target)('GET', '/users/me');
    const withAnotherUsersPath = await customer.call('GET', '/users/usr_00000000000000000000000000/orders');

    // Assert
    expect(expectStatus(me, 200)).toMatchObject({
      userId: customer.user.userId,
      email: customer.user.email,
    });
    expect(withoutToken.status).toBe(401);
    expect(withAnotherUsersPath.status).toBe(403);
  });

  test('staff create a product that customers can read but not create', async () => {
    // Arrange
    const customer = await signedInClient(target, 'reader');

    // Act
    const productId = await newProduct(1_250, 7);
    const read = await customer.call('GET', `/products/${productId}`);
    const refused = await customer.call('POST', '/products', {
      body: { name: 'Not mine to sell', priceCents: 100, currency: 'USD', stock: 1 },
    });

    // Assert
    expect(expectStatus(read, 200)).toMatchObject({
      productId,
      priceCents: 1_250,
      currency: 'USD',
      available: 7,
      reserved: 0,
      sold: 0,
    });
    expect(refused.status).toBe(403);
  });

  test('an order paid by card is PAID: its stock sold, its payment captured, its events recorded', async () => {
    // Arrange
    const customer = await signedInClient(target, 'buyer');
    const productId = await newProduct(2_000, 10);

    // Act
    const orderId = await placeOrder(customer, productId, 3, 'tok_visa');
    const order = await orderReaching(customer, orderId, ['PAID', 'CANCELLED']);

    // Assert
    expect(order).toMatchObject({ orderId, status: 'PAID', totalCents: 6_000 });
    const stock = { available: 7, reserved: 0, sold: 3 };
    expect(await stockSettling(customer, productId, stock)).toEqual(stock);
    expect(expectStatus(await customer.call('GET', `/payments/${orderId}`), 200)).toMatchObject({
      orderId,
      status: 'CAPTURED',
      amountCents: 6_000,
    });
    const events = expectStatus(await customer.call('GET', `/orders/${orderId}/events`), 200)['events'];
    expect(Array.isArray(events) ? events.map((event: { type?: unknown }) => event.type) : events).toEqual(
      expect.arrayContaining(['OrderCreated', 'OrderPaid']),
    );
  });

  test('a declined card cancels the order PAYMENT_DECLINED and gives the stock back', async () => {
    // Arrange
    const customer = await signedInClient(target, 'declined');
    const productId = await newProduct(1_500, 5);

    // Act
    const orderId = await placeOrder(customer, productId, 2, 'tok_decline');
    const order = await orderReaching(customer, orderId, ['PAID', 'CANCELLED']);

    // Assert
    expect(order).toMatchObject({ orderId, status: 'CANCELLED', cancellationReason: 'PAYMENT_DECLINED' });
    const stock = { available: 5, reserved: 0, sold: 0 };
    expect(await stockSettling(customer, productId, stock)).toEqual(stock);
    expect(expectStatus(await customer.call('GET', `/payments/${orderId}`), 200)).toMatchObject({
      status: 'DECLINED',
    });
  });

  test('a large order waits for a staff member’s approval, which only staff may give, then is paid', async () => {
    // Arrange
    const customer = await signedInClient(target, 'big-spender');
    const unitCents = APPROVAL_THRESHOLD_CENTS / 2;
    const productId = await newProduct(unitCents, 4);
    const orderId = await placeOrder(customer, productId, 2, 'tok_visa');
    await orderReaching(customer, orderId, ['AWAITING_APPROVAL']);

    // Act
    const byCustomer = await customer.call('POST', `/orders/${orderId}/approval`, {
      body: { decision: 'approve' },
    });
    const byStaff = await staff.call('POST', `/orders/${orderId}/approval`, {
      body: { decision: 'approve', comment: 'known customer' },
    });
    const order = await orderReaching(customer, orderId, ['PAID', 'CANCELLED']);

    // Assert
    expect(byCustomer.status).toBe(403);
    expect(byStaff.status).toBe(200);
    expect(order).toMatchObject({ status: 'PAID', totalCents: APPROVAL_THRESHOLD_CENTS });
  });

  test('a transfer moves money between two customers’ accounts once, however often it is sent', async () => {
    // Arrange
    const ada = await signedInClient(target, 'ada');
    const grace = await signedInClient(target, 'grace');
    const from = expectStatus(await ada.call('POST', '/accounts', { body: { currency: 'USD' } }), 201);
    const to = expectStatus(await grace.call('POST', '/accounts', { body: { currency: 'USD' } }), 201);
    const fromAccountId = String(from['accountId']);
    const toAccountId = String(to['accountId']);
    expectStatus(await ada.command(`/accounts/${fromAccountId}/deposits`, { amountCents: 10_000 }), 201);
    const transfer = {
      body: { fromAccountId, toAccountId, amountCents: 2_500 },
      headers: { 'Idempotency-Key': `e2e-transfer-${fromAccountId}` },
    };

    // Act
    const first = await ada.call('POST', '/transfers', transfer);
    const again = await ada.call('POST', '/transfers', transfer);

    // Assert
    expect(expectStatus(first, 201)).toMatchObject({ status: 'COMPLETED', amountCents: 2_500 });
    expect(expectStatus(again, 201)['transferId']).toBe(first.body['transferId']);
    expect(expectStatus(await ada.call('GET', `/accounts/${fromAccountId}`), 200)).toMatchObject({
      balanceCents: 7_500,
    });
    expect(expectStatus(await grace.call('GET', `/accounts/${toAccountId}`), 200)).toMatchObject({
      balanceCents: 2_500,
    });
  });

  test('an order’s journey is found in X-Ray by its id: the traces hold the orders, inventory and payments work', async () => {
    // Arrange
    const customer = await signedInClient(target, 'traced');
    const productId = await newProduct(1_000, 3);
    const placedAt = Date.now();
    const orderId = await placeOrder(customer, productId, 1, 'tok_visa');
    await orderReaching(customer, orderId, ['PAID', 'CANCELLED']);
    const xray = new XRayClient(target.clientConfig);
    const byOrder = {
      StartTime: new Date(placedAt - 60_000),
      EndTime: new Date(Date.now() + 60_000),
      FilterExpression: `annotation.order_id = "${orderId}"`,
    };
    /** The bounded contexts whose functions annotated the order (Powertools' `Service` annotation). */
    const servicesIn = (documents: readonly string[]): Set<string> =>
      new Set(
        documents.flatMap((document) =>
          [...document.matchAll(/"Service":"([a-z-]+)"/g)].map((m) => m[1] ?? ''),
        ),
      );

    try {
      // Act: X-Ray indexes a trace some seconds after its segments arrive (on AWS up to a minute).
      const documents = await eventually(
        async () => {
          const summaries: TraceSummary[] = [];
          for await (const page of paginateGetTraceSummaries({ client: xray }, byOrder)) {
            summaries.push(...(page.TraceSummaries ?? []));
          }
          const traceIds = summaries.flatMap((summary) => (summary.Id === undefined ? [] : [summary.Id]));
          if (traceIds.length === 0) return undefined;
          const batch = await xray.send(new BatchGetTracesCommand({ TraceIds: traceIds.slice(0, 5) }));
          const found = (batch.Traces ?? []).flatMap((trace) =>
            (trace.Segments ?? []).map((segment) => segment.Document ?? ''),
          );
          const services = servicesIn(found);
          return ['orders', 'inventory', 'payments'].every((service) => services.has(service))
            ? found
            : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 1_000, what: `the traces of order ${orderId}` },
      );

      // Assert
      expect(documents.some((document) => document.includes(`"order_id":"${orderId}"`))).toBe(true);
    } finally {
      xray.destroy();
    }
  });

  test('an operator finds where the canary of POST /orders stands: live on one version, its alarms in place and quiet, its rollout controller ready', async () => {
    // Arrange: what the deployment says of its canary and of the controller that rolls it out.
    const canary = CanaryOutputSchema.parse(JSON.parse(target.output('Orders', 'CreateOrderFunctionCanary')));
    const controllerArn = target.output('Operations', 'RolloutStateMachineArn');
    const lambda = new LambdaClient(target.clientConfig);
    const cloudWatch = new CloudWatchClient(target.clientConfig);
    const stepFunctions = new SFNClient(target.clientConfig);

    try {
      // Act
      const alias = await lambda.send(
        new GetAliasCommand({ FunctionName: canary.functionName, Name: canary.aliasName }),
      );
      const { MetricAlarms = [], CompositeAlarms = [] } = await cloudWatch.send(
        new DescribeAlarmsCommand({
          AlarmNames: [...canary.alarmNames],
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        }),
      );
      const controller = await stepFunctions.send(
        new DescribeStateMachineCommand({ stateMachineArn: controllerArn }),
      );

      // Assert: no rollout under way (one published version takes all the traffic); the guard and the
      // new-version alarm exist and would let a rollout start.
      expect({
        version: alias.FunctionVersion,
        weights: alias.RoutingConfig?.AdditionalVersionWeights ?? {},
      }).toEqual({ version: expect.stringMatching(/^[0-9]+$/), weights: {} });
      const alarms = [...MetricAlarms, ...CompositeAlarms];
      expect(alarms.map((alarm) => alarm.AlarmName).sort()).toEqual([...canary.alarmNames].sort());
      expect(alarms.filter((alarm) => alarm.StateValue === 'ALARM').map((alarm) => alarm.AlarmName)).toEqual(
        [],
      );
      expect(controller.status).toBe('ACTIVE');
    } finally {
      lambda.destroy();
      cloudWatch.destroy();
      stepFunctions.destroy();
    }
  });
});
