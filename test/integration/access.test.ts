/**
 * Who may do what on the shop's API, end to end on the local cloud booted on the real app: API Gateway's
 * Cognito authorizer in front of every route but `GET /health` (401 without a valid, unexpired ID token
 * of the shop's pool), staff routes that answer a customer 403, and customers' resources that do not
 * exist for other customers (404, or 403 for another user's order list) — each refusal changing nothing.
 * The route table is checked against the routes the local cloud loaded, so a new route cannot be left
 * out of these checks.
 */
import { type LocalCloud, eventually } from 'cdk-local-cloud';
import type { SignedInUser } from '../../infra/ops/shop-users';
import { apiAs, localJson, signedInUser, startShopCloud, type ApiCall } from '../support/shop-cloud';

/** How far the identity clock runs ahead of the wall clock; moved forward to let tokens expire. */
let identityClockSkewMs = 0;
let cloud: LocalCloud;
let staff: SignedInUser;
let alice: SignedInUser;
let bob: SignedInUser;
let asStaff: ApiCall;
let asAlice: ApiCall;
let asBob: ApiCall;
let anonymous: ApiCall;

/** What alice owns, made in `beforeAll`. */
const ids = { productId: '', orderId: '', accountId: '' };

interface Route {
  readonly method: string;
  /** The resource path, e.g. `/orders/{orderId}`. */
  readonly template: string;
}

/** Every route of the shop's API, with the ids of alice's resources filled in. */
const ROUTES: readonly Route[] = [
  { method: 'GET', template: '/health' },
  { method: 'GET', template: '/users/me' },
  { method: 'GET', template: '/users/me/orders' },
  { method: 'GET', template: '/users/{userId}/orders' },
  { method: 'POST', template: '/products' },
  { method: 'GET', template: '/products/{productId}' },
  { method: 'POST', template: '/products/{productId}/restock' },
  { method: 'POST', template: '/orders' },
  { method: 'GET', template: '/orders/{orderId}' },
  { method: 'GET', template: '/orders/{orderId}/events' },
  { method: 'POST', template: '/orders/{orderId}/cancel' },
  { method: 'POST', template: '/orders/{orderId}/ship' },
  { method: 'POST', template: '/orders/{orderId}/approval' },
  { method: 'GET', template: '/payments/{orderId}' },
  { method: 'POST', template: '/accounts' },
  { method: 'GET', template: '/accounts/{accountId}' },
  { method: 'POST', template: '/accounts/{accountId}/deposits' },
  { method: 'GET', template: '/accounts/{accountId}/transactions' },
  { method: 'POST', template: '/transfers' },
  { method: 'GET', template: '/kv/{key}' },
  { method: 'PUT', template: '/kv/{key}' },
  { method: 'POST', template: '/deployments/{rolloutId}/approval' },
];

/** `path` with alice's ids in place of its parameters. */
function filled(path: string): string {
  return path
    .replace('{userId}', alice.userId)
    .replace('{productId}', ids.productId)
    .replace('{orderId}', ids.orderId)
    .replace('{accountId}', ids.accountId)
    .replace('{key}', 'access.flag')
    .replace('{rolloutId}', 'CreateOrderFunction-v2-1');
}

const PROTECTED = ROUTES.filter((route) => route.template !== '/health');

/** A valid body for each POST, so that a refusal is about who asks, never about what they sent. */
function validBody(template: string): unknown {
  switch (template) {
    case '/products':
      return { name: 'Mug', priceCents: 1_200, stock: 1 };
    case '/products/{productId}/restock':
      return { quantity: 1 };
    case '/orders':
      return {
        items: [{ productId: ids.productId, quantity: 1 }],
        payment: { method: 'card', token: 'tok_visa' },
      };
    case '/orders/{orderId}/ship':
      return { carrier: 'UPS', trackingNumber: '1Z999' };
    case '/orders/{orderId}/approval':
    case '/deployments/{rolloutId}/approval':
      return { decision: 'approve' };
    case '/accounts':
      return { currency: 'USD' };
    case '/accounts/{accountId}/deposits':
      return { amountCents: 500 };
    case '/transfers':
      return { fromAccountId: ids.accountId, toAccountId: ids.accountId, amountCents: 1 };
    case '/kv/{key}':
      return { value: true };
    default:
      return {};
  }
}

/** The route called as `call`, with a valid body and a fresh Idempotency-Key. */
async function callRoute(call: ApiCall, route: Route, headers = {}) {
  return call(route.method, filled(route.template), {
    ...(route.method === 'POST' || route.method === 'PUT' ? { body: validBody(route.template) } : {}),
    headers: { 'Idempotency-Key': `access-${Math.random().toString(36).slice(2)}`, ...headers },
  });
}

/** What alice has, read as staff: compared before and after the refusals to show they changed nothing. */
async function aliceState(): Promise<unknown> {
  const [order, events, account, transactions, product] = await Promise.all([
    asStaff('GET', `/orders/${ids.orderId}`),
    asStaff('GET', `/orders/${ids.orderId}/events`),
    asStaff('GET', `/accounts/${ids.accountId}`),
    asStaff('GET', `/accounts/${ids.accountId}/transactions`),
    asStaff('GET', `/products/${ids.productId}`),
  ]);
  const { saga: _liveSaga, ...orderView } = order.body;
  return {
    order: [order.status, orderView],
    events: [events.status, events.body],
    account: [account.status, account.body],
    transactions: [transactions.status, transactions.body],
    product: [product.status, product.body],
  };
}

beforeAll(async () => {
  ({ cloud } = await startShopCloud({ identityClock: () => Date.now() + identityClockSkewMs }));
  [staff, alice, bob] = await Promise.all([
    signedInUser(cloud, { email: 'staff@example.com', staff: true }),
    signedInUser(cloud, { email: 'alice@example.com' }),
    signedInUser(cloud, { email: 'bob@example.com' }),
  ]);
  asStaff = apiAs(cloud, staff);
  asAlice = apiAs(cloud, alice);
  asBob = apiAs(cloud, bob);
  anonymous = apiAs(cloud);

  const product = await asStaff('POST', '/products', {
    body: { name: 'Kettle', priceCents: 2_500, stock: 10 },
  });
  expect(product.status).toBe(201);
  ids.productId = String(product.body['productId']);
  // A card the processor declines: the order settles CANCELLED at once, and stays so.
  const order = await asAlice('POST', '/orders', {
    body: {
      items: [{ productId: ids.productId, quantity: 1 }],
      payment: { method: 'card', token: 'tok_decline' },
    },
    headers: { 'Idempotency-Key': 'alice-order-1' },
  });
  expect(order.status).toBe(202);
  ids.orderId = String(order.body['orderId']);
  const account = await asAlice('POST', '/accounts', { body: { currency: 'USD' } });
  expect(account.status).toBe(201);
  ids.accountId = String(account.body['accountId']);
  await eventually(
    async () => {
      const [view, payment] = await Promise.all([
        asAlice('GET', `/orders/${ids.orderId}`),
        asAlice('GET', `/payments/${ids.orderId}`),
      ]);
      return view.body['status'] === 'CANCELLED' && payment.status === 200 ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, what: `alice's order ${ids.orderId} cancelled with its payment` },
  );
}, 240_000);

afterAll(async () => {
  await cloud?.stop();
});

describe('the route table', () => {
  test('names every route the app deploys on the shop API, each behind the Cognito authorizer but GET /health', async () => {
    const { apis } = await localJson<{
      apis: { name: string; routes: { method: string; path: string; authorizationType: string }[] }[];
    }>(cloud, '/_local/resources');
    const shop = apis.find((api) => api.name === 'shop-api');
    const deployed = (shop?.routes ?? []).map(
      (route) => `${route.method} ${route.path} ${route.authorizationType}`,
    );
    const expected = ROUTES.map(
      (route) =>
        `${route.method} ${route.template} ${route.template === '/health' ? 'NONE' : 'COGNITO_USER_POOLS'}`,
    );
    expect(deployed.sort()).toEqual(expected.sort());
  });
});

describe('no valid token: 401 from API Gateway, before any function runs', () => {
  test('GET /health needs none', async () => {
    const health = await anonymous('GET', '/health');
    expect(health.status).toBe(200);
  });

  test.each(PROTECTED.map((route) => [`${route.method} ${route.template}`, route] as const))(
    '%s without a token, with one that is not a JWT, and with a tampered one',
    async (_name, route) => {
      const [payload = '', header = '', signature = ''] = [
        alice.idToken.split('.')[1],
        alice.idToken.split('.')[0],
        alice.idToken.split('.')[2],
      ];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;
      // alice claiming to be staff: the signature no longer matches the claims.
      const tampered = [
        header,
        Buffer.from(JSON.stringify({ ...claims, 'cognito:groups': ['staff'] })).toString('base64url'),
        signature,
      ].join('.');
      const answers = await Promise.all([
        callRoute(anonymous, route),
        callRoute(anonymous, route, { Authorization: 'not-a-jwt' }),
        callRoute(anonymous, route, { Authorization: tampered }),
      ]);
      expect(answers.map((answer) => [answer.status, answer.body])).toEqual([
        [401, { message: 'Unauthorized' }],
        [401, { message: 'Unauthorized' }],
        [401, { message: 'Unauthorized' }],
      ]);
    },
  );

  test('an expired token: 401 "The incoming token has expired"; a new sign-in works again', async () => {
    const before = await asAlice('GET', '/users/me');
    expect(before.status).toBe(200);
    identityClockSkewMs = 61 * 60_000;
    try {
      const expired = await asAlice('GET', '/users/me');
      expect([expired.status, expired.body]).toEqual([401, { message: 'The incoming token has expired' }]);
      const again = await signedInUser(cloud, { email: 'alice-later@example.com' });
      expect((await apiAs(cloud, again)('GET', '/users/me')).status).toBe(200);
    } finally {
      identityClockSkewMs = 0;
    }
  });
});

describe('a customer on a staff route: 403 FORBIDDEN', () => {
  const STAFF_ROUTES = [
    ['POST', '/products', 'create products'],
    ['POST', '/products/{productId}/restock', 'restock products'],
    ['POST', '/orders/{orderId}/ship', 'ship orders'],
    ['POST', '/orders/{orderId}/approval', 'decide approvals'],
    ['POST', '/deployments/{rolloutId}/approval', 'decide rollout approvals'],
  ] as const;

  test.each(STAFF_ROUTES)(
    '%s %s, even by the order’s own customer, changing nothing',
    async (method, template, action) => {
      const before = await aliceState();
      const answer = await callRoute(asAlice, { method, template });
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual({
        error: { code: 'FORBIDDEN', message: `Only staff may ${action}.` },
        requestId: answer.headers.get('x-request-id'),
      });
      expect(await aliceState()).toEqual(before);
    },
  );
});

describe("another customer's resources do not exist for bob", () => {
  test.each([
    ['GET', '/orders/{orderId}', 'ORDER_NOT_FOUND'],
    ['GET', '/orders/{orderId}/events', 'ORDER_NOT_FOUND'],
    ['POST', '/orders/{orderId}/cancel', 'ORDER_NOT_FOUND'],
    ['GET', '/payments/{orderId}', 'PAYMENT_NOT_FOUND'],
    ['GET', '/accounts/{accountId}', 'ACCOUNT_NOT_FOUND'],
    ['GET', '/accounts/{accountId}/transactions', 'ACCOUNT_NOT_FOUND'],
    ['POST', '/accounts/{accountId}/deposits', 'ACCOUNT_NOT_FOUND'],
  ] as const)(
    '%s %s → 404 %s, the same answer as for an unknown id, changing nothing',
    async (method, template, code) => {
      const before = await aliceState();
      const answer = await callRoute(asBob, { method, template });
      expect([answer.status, (answer.body['error'] as { code?: string } | undefined)?.code]).toEqual([
        404,
        code,
      ]);
      expect(await aliceState()).toEqual(before);
    },
  );

  test("alice's order list → 403 for bob; bob's own list and GET /users/me/orders are his", async () => {
    const aliceList = await asBob('GET', `/users/${alice.userId}/orders`);
    expect(aliceList.status).toBe(403);
    expect((aliceList.body['error'] as { code?: string }).code).toBe('FORBIDDEN');
    const own = await asBob('GET', `/users/${bob.userId}/orders`);
    const me = await asBob('GET', '/users/me/orders');
    expect([own.status, own.body]).toEqual([200, { orders: [], nextCursor: null }]);
    expect([me.status, me.body]).toEqual([200, { orders: [], nextCursor: null }]);
  });

  test("a transfer from alice's account, by bob → 404, and alice's balance is untouched", async () => {
    const bobAccount = await asBob('POST', '/accounts', { body: { currency: 'USD' } });
    const before = await aliceState();
    const answer = await asBob('POST', '/transfers', {
      body: {
        fromAccountId: ids.accountId,
        toAccountId: String(bobAccount.body['accountId']),
        amountCents: 1,
      },
      headers: { 'Idempotency-Key': 'bob-steals' },
    });
    expect([answer.status, (answer.body['error'] as { code?: string }).code]).toEqual([
      404,
      'ACCOUNT_NOT_FOUND',
    ]);
    expect(await aliceState()).toEqual(before);
  });
});

describe('staff read anything', () => {
  test.each([
    ['/orders/{orderId}'],
    ['/orders/{orderId}/events'],
    ['/payments/{orderId}'],
    ['/accounts/{accountId}'],
    ['/accounts/{accountId}/transactions'],
    ['/users/{userId}/orders'],
  ])('GET %s of alice → 200', async (template) => {
    const answer = await asStaff('GET', filled(template));
    expect(answer.status).toBe(200);
  });

  test("alice's list, read by staff, holds her order", async () => {
    const list = await asStaff('GET', `/users/${alice.userId}/orders`);
    expect((list.body['orders'] as { orderId: string }[]).map((order) => order.orderId)).toEqual([
      ids.orderId,
    ]);
  });
});
