/**
 * The users context end to end on the local cloud, booted on the real app (`cdk.json`): a client signs up
 * on the `shop-users` pool through the Cognito API → an administrator confirms the sign-up → the pool's
 * PostConfirmation trigger registers the user in the users table (user, claims and event in one
 * transaction) → its stream → the `OutboxRelay` → `UserRegistered` on the `shop` bus; signing in runs
 * PreTokenGeneration, which puts the user id in the ID token; `GET /users/me` behind the pool's
 * authorizer answers the user the token names. What reaches the bus is observed the way any consumer
 * would: a rule with an SQS target, made in the test through the EventBridge and SQS APIs. The orders
 * context learns of each user from `UserRegistered` (its projector records a known user), so staff
 * listing the orders of a user it has never heard of get 404; and the users routes refuse malformed
 * requests with the platform's error body, changing nothing.
 */
import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { type LocalCloud, eventually, localClientConfig } from 'cdk-local-cloud';
import { GROUPS_CLAIM, USER_ID_CLAIM } from '../../shared/http/caller';
import { isId, newId } from '../../shared/ids/ids';
import type { UserRegistered, UserResponse } from '../../functions/users/contracts';
import { SETTINGS_CONTEXT_KEYS } from '../../infra/app-settings';
import {
  apiAs,
  callJson,
  localJson,
  signedInStaffAndCustomers,
  signedInUser,
  startShopCloud,
  type ApiCall,
  type JsonAnswer,
} from '../support/shop-cloud';
import { BusRecorder } from '../support/bus-recorder';
import {
  codeOf,
  errorOf,
  expectRefusal,
  expectRefusals,
  tableItems,
  type RefusalCase,
} from '../support/refusals';
import {
  newPassword,
  shopUserPool,
  tokenClaims,
  type ShopUserPool,
  type SignedInUser,
} from '../../infra/ops/shop-users';

let cloud: LocalCloud;
let logs: string[] = [];
let cognito: CognitoIdentityProviderClient;
let dynamoDb: DynamoDBClient;
let documents: DynamoDBDocumentClient;
/** Every users event on the bus, as a consumer's rule receives it. */
let bus: BusRecorder<UserRegistered>;
let sqs: SQSClient;
let pool: ShopUserPool;
let usersTable: string;
/** The orders context's read model, where its projector records the users it has heard of. */
let ordersReadModel: string;

const as = (user?: SignedInUser): ApiCall => apiAs(cloud, user);
const EMPTY_PAGE = { orders: [], nextCursor: null };

/**
 * Waits until the orders read model knows every user registered so far, so that no `UserRegistered`
 * still on its way changes the tables while a test compares them.
 */
async function ordersKnowEveryUser(): Promise<void> {
  await eventually(
    async () => {
      const [users, readModel] = await Promise.all([
        tableItems(documents, usersTable),
        tableItems(documents, ordersReadModel),
      ]);
      const known = new Set(
        readModel.filter((item) => item['sk'] === 'known-user').map((item) => item['userId']),
      );
      const registered = users.filter((item) => item['kind'] === 'user');
      return registered.every((user) => known.has(user['userId'])) ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250, what: 'every registered user known to the orders read model' },
  );
}

const getMe = (authorization?: string): Promise<JsonAnswer> =>
  callJson(cloud.apiUrl, 'GET', '/users/me', {
    headers: authorization === undefined ? {} : { Authorization: authorization },
  });

async function signUp(email: string, password: string): Promise<string> {
  const { UserSub } = await cognito.send(
    new SignUpCommand({ ClientId: pool.clientId, Username: email, Password: password }),
  );
  if (UserSub === undefined) throw new Error(`no sub for ${email}`);
  return UserSub;
}

async function signIn(email: string, password: string): Promise<string> {
  const { AuthenticationResult } = await cognito.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: pool.clientId,
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );
  if (AuthenticationResult?.IdToken === undefined) throw new Error(`no ID token for ${email}`);
  return AuthenticationResult.IdToken;
}

async function item(
  pk: string,
  sk: string,
  tableName: string = usersTable,
): Promise<Record<string, unknown> | undefined> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: tableName, Key: { pk, sk }, ConsistentRead: true }),
  );
  return Item;
}

const COMMAND_RATE_LIMIT = 1;
const COMMAND_BURST_LIMIT = 3;

beforeAll(async () => {
  ({ cloud, logs } = await startShopCloud({
    defaultApiName: 'shop-api',
    // The commands' own limit, low enough to reach here (no test of this file places orders).
    context: {
      [SETTINGS_CONTEXT_KEYS.commandRateLimit]: COMMAND_RATE_LIMIT,
      [SETTINGS_CONTEXT_KEYS.commandBurstLimit]: COMMAND_BURST_LIMIT,
    },
  }));
  pool = shopUserPool(cloud.outputs);
  usersTable = cloud.outputs['ShopUsers']?.['UsersTableName'] ?? '';
  ordersReadModel = cloud.outputs['ShopOrders']?.['ReadModelTableName'] ?? '';
  cognito = new CognitoIdentityProviderClient({ ...localClientConfig(cloud.edgeUrl), maxAttempts: 1 });
  dynamoDb = new DynamoDBClient(localClientConfig(cloud.edgeUrl));
  documents = DynamoDBDocumentClient.from(dynamoDb);
  sqs = new SQSClient(localClientConfig(cloud.edgeUrl));
  bus = await BusRecorder.start(cloud, { ruleName: 'users-test-recorder', source: 'shop.users' });
}, 240_000);

afterAll(async () => {
  await bus?.stop();
  cognito?.destroy();
  dynamoDb?.destroy();
  sqs?.destroy();
  await cloud?.stop();
});

describe('the users context on the local cloud', () => {
  it('runs the user pool, its client and triggers as the template says, nothing of it unsupported', () => {
    expect(pool.userPoolId).toMatch(/^us-east-1_[0-9A-Za-z]{9}$/);
    expect(cloud.summary.userPools).toEqual([`shop-users (${pool.userPoolId})`]);
    expect(cloud.summary.unsupported.filter((line) => line.startsWith('ShopUsers/'))).toEqual([]);
  });

  it('registers a confirmed sign-up, puts its user id in the ID token and answers GET /users/me', async () => {
    // Prepare
    const email = 'Ada.Lovelace@Example.com';
    const password = newPassword();

    // Act
    const sub = await signUp(email, password);
    await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: pool.userPoolId, Username: email }));
    const idToken = await signIn(email, password);
    const me = await getMe(idToken);

    // Assess: the sub's claim names the user; the user item holds the email lower-cased.
    const subClaim = await item(`sub#${sub}`, 'sub');
    const userId = String(subClaim?.['userId']);
    expect(isId('user', userId)).toBe(true);
    const user = await item(userId, 'user');
    expect(user).toMatchObject({ kind: 'user', userId, sub, email: 'ada.lovelace@example.com' });
    expect(await item('email#ada.lovelace@example.com', 'email')).toMatchObject({ userId });
    expect(tokenClaims(idToken)).toMatchObject({ sub, [USER_ID_CLAIM]: userId, token_use: 'id' });
    expect(me.status).toBe(200);
    expect(me.body as unknown as UserResponse).toEqual({
      userId,
      email: 'ada.lovelace@example.com',
      createdAt: user?.['createdAt'],
    });
  });

  it('publishes UserRegistered on the shop bus through the outbox, in the envelope, once', async () => {
    // Prepare
    const { userId } = await signedInUser(cloud, { email: 'grace@example.com' });

    // Act
    const events = await bus.eventsOf(userId, 1, 30_000);

    // Assess
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ source: 'shop.users', 'detail-type': 'UserRegistered' });
    // The trace header is there when the trigger ran traced (on AWS, always; locally, when sampled).
    const { traceHeader: _traceHeader, ...detail } = events[0]?.detail ?? ({} as UserRegistered);
    expect(detail).toEqual({
      eventId: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      type: 'UserRegistered',
      aggregateType: 'User',
      aggregateId: userId,
      version: 1,
      occurredAt: expect.any(String),
      correlationId: expect.any(String),
      causationId: expect.any(String),
      schemaVersion: 1,
      data: { userId },
    });
    const deadLetterQueueUrl = cloud.outputs['ShopUsers']?.['OutboxDeadLetterQueueUrl'];
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: deadLetterQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
  });

  it('refuses GET /users/me at the gateway without a valid ID token', async () => {
    // Prepare
    const { idToken } = await signedInUser(cloud, { email: 'hedy@example.com' });
    const [header = '', , signature = ''] = idToken.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...tokenClaims(idToken), [USER_ID_CLAIM]: 'usr_01JD0000000000000000000001' }),
    ).toString('base64url');

    // Act
    const answers = await Promise.all([
      getMe(),
      getMe('not-a-token'),
      getMe(`${header}.${forged}.${signature}`),
    ]);

    // Assess
    for (const answer of answers) {
      expect({ status: answer.status, body: answer.body }).toEqual({
        status: 401,
        body: { message: 'Unauthorized' },
      });
    }
  });

  it('throttles a flood of POST /orders at the gateway (429) while the same caller’s reads are served', async () => {
    // Prepare: requests the orders function refuses at once (no Idempotency-Key), so only the gateway counts.
    const { idToken } = await signedInUser(cloud, { email: 'flood@example.com' });
    const flood = 4 * COMMAND_BURST_LIMIT;

    // Act
    const [orders, reads] = await Promise.all([
      Promise.all(
        Array.from({ length: flood }, () =>
          callJson(cloud.apiUrl, 'POST', '/orders', { body: {}, headers: { Authorization: idToken } }),
        ),
      ),
      Promise.all(Array.from({ length: flood }, () => getMe(idToken))),
    ]);

    // Assess: the bucket lets the burst through (and what refills meanwhile), the rest is 429 before any
    // function runs; GET /users/me has the stage's own, larger bucket.
    const throttled = orders.filter((answer) => answer.status === 429);
    const passed = orders.filter((answer) => answer.status !== 429);
    expect(throttled.length).toBeGreaterThanOrEqual(flood - COMMAND_BURST_LIMIT - 2);
    expect(passed.length).toBeGreaterThanOrEqual(1);
    expect(passed.every((answer) => answer.status === 400)).toBe(true);
    expect(throttled[0]?.body).toEqual({ message: 'Too Many Requests' });
    expect(reads.map((answer) => answer.status)).toEqual(reads.map(() => 200));
  });

  it('signs in an identity with no user without the claim: the function answers 401', async () => {
    // Prepare: an administrator's user never runs PostConfirmation, so it is never registered.
    const email = 'joan@example.com';
    const password = newPassword();
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.userPoolId,
        Username: email,
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ],
        MessageAction: 'SUPPRESS',
      }),
    );
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: pool.userPoolId,
        Username: email,
        Password: password,
        Permanent: true,
      }),
    );

    // Act
    const idToken = await signIn(email, password);
    const me = await getMe(idToken);

    // Assess
    expect(tokenClaims(idToken)).not.toHaveProperty(USER_ID_CLAIM);
    expect(me.status).toBe(401);
    expect(me.body).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    expect(logs.some((line) => line.includes('No user is registered for this identity (yet)'))).toBe(true);
  });

  it('signs staff in with the staff group in their token', async () => {
    // Act
    const staff = await signedInUser(cloud, { email: 'radia@example.com', staff: true });
    const customer = await signedInUser(cloud, { email: 'barbara@example.com' });
    const me = await getMe(staff.idToken);

    // Assess
    expect(tokenClaims(staff.idToken)[GROUPS_CLAIM]).toEqual(['staff']);
    expect(tokenClaims(customer.idToken)).not.toHaveProperty(GROUPS_CLAIM);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ userId: staff.userId, email: 'radia@example.com' });
    expect(staff.userId).not.toBe(customer.userId);
  });

  it('lets the orders context learn of a new user from UserRegistered: staff then get 200 [], and 404 for an id it never heard of', async () => {
    // Prepare
    const {
      staff,
      customers: [newcomer],
    } = await signedInStaffAndCustomers(cloud, { tag: 'known-users', customers: 1 });
    if (newcomer === undefined) throw new Error('no customer signed in');
    const neverRegistered = newId('user');

    // Act
    const own = await as(newcomer)('GET', '/users/me/orders');
    const ownById = await as(newcomer)('GET', `/users/${newcomer.userId}/orders`);
    // Until the projector has the event, staff are told the user is not found; then the list.
    const byStaff = await eventually(
      async () => {
        const answer = await as(staff)('GET', `/users/${newcomer.userId}/orders`);
        return answer.status === 404 && codeOf(answer) === 'USER_NOT_FOUND' ? undefined : answer;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: `${newcomer.userId} known to the orders context` },
    );
    const unknown = await as(staff)('GET', `/users/${neverRegistered}/orders`);
    const unknownByCustomer = await as(newcomer)('GET', `/users/${neverRegistered}/orders`);

    // Assess: the user's own list never waits for the event; staff's does, and finds the user then.
    expect([own.status, own.body]).toEqual([200, EMPTY_PAGE]);
    expect([ownById.status, ownById.body]).toEqual([200, EMPTY_PAGE]);
    expect([byStaff.status, byStaff.body]).toEqual([200, EMPTY_PAGE]);
    expectRefusal(unknown, 404, 'USER_NOT_FOUND');
    expect(errorOf(unknown).error.message).toContain(neverRegistered);
    expectRefusal(unknownByCustomer, 403, 'FORBIDDEN');
    // Orders keep the id and the registration instant, nothing else of the user's.
    const user = await item(newcomer.userId, 'user');
    expect(await item(newcomer.userId, 'known-user', ordersReadModel)).toEqual({
      pk: newcomer.userId,
      sk: 'known-user',
      userId: newcomer.userId,
      registeredAt: user?.['createdAt'],
    });
    const deadLetterQueueUrl = cloud.outputs['ShopOrders']?.['ProjectionDeadLetterQueueUrl'];
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: deadLetterQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
    const { invocations } = await localJson<{ invocations: { functionName: string; outcome: string }[] }>(
      cloud,
      '/_local/invocations',
    );
    const projector = invocations.filter((invocation) =>
      invocation.functionName.startsWith('ShopOrders-Projector'),
    );
    expect(projector.length).toBeGreaterThan(0);
    expect(projector.filter((invocation) => invocation.outcome !== 'success')).toEqual([]);
  });

  it('refuses malformed requests on the users routes with the right 4xx and the error body, changing nothing', async () => {
    // Prepare
    const {
      staff,
      customers: [customer, other],
    } = await signedInStaffAndCustomers(cloud, { tag: 'bad-input', customers: 2 });
    if (customer === undefined || other === undefined) throw new Error('no customers signed in');
    const mine = `/users/${customer.userId}/orders`;
    const cursorOf = (position: unknown): string =>
      encodeURIComponent(Buffer.from(JSON.stringify(position)).toString('base64url'));
    const orderId = newId('order');
    const cases: RefusalCase[] = [
      [
        'GET /users/me with a query parameter',
        () => as(customer)('GET', '/users/me?fields=email'),
        400,
        'VALIDATION_FAILED',
        'fields',
      ],
      [
        'GET /users/me with a page size',
        () => as(customer)('GET', '/users/me?limit=10'),
        400,
        'VALIDATION_FAILED',
        'limit',
      ],
      [
        'a name for a user id',
        () => as(staff)('GET', '/users/alice/orders'),
        400,
        'VALIDATION_FAILED',
        'userId',
      ],
      [
        'an order id for a user id',
        () => as(staff)('GET', `/users/${orderId}/orders`),
        400,
        'VALIDATION_FAILED',
        'userId',
      ],
      [
        'a user id in lower case',
        () => as(staff)('GET', `/users/${customer.userId.toLowerCase()}/orders`),
        400,
        'VALIDATION_FAILED',
        'userId',
      ],
      [
        'a user id one character short',
        () => as(customer)('GET', `/users/${customer.userId.slice(0, -1)}/orders`),
        400,
        'VALIDATION_FAILED',
        'userId',
      ],
      ['a page size of 0', () => as(customer)('GET', `${mine}?limit=0`), 400, 'VALIDATION_FAILED', 'limit'],
      [
        'a page size past 100',
        () => as(customer)('GET', `${mine}?limit=101`),
        400,
        'VALIDATION_FAILED',
        'limit',
      ],
      ['a negative page size', () => as(staff)('GET', `${mine}?limit=-5`), 400, 'VALIDATION_FAILED', 'limit'],
      [
        'a fractional page size',
        () => as(customer)('GET', '/users/me/orders?limit=2.5'),
        400,
        'VALIDATION_FAILED',
        'limit',
      ],
      [
        'a page size in words',
        () => as(customer)('GET', '/users/me/orders?limit=ten'),
        400,
        'VALIDATION_FAILED',
        'limit',
      ],
      [
        'an unknown query parameter on my orders',
        () => as(customer)('GET', '/users/me/orders?status=PAID'),
        400,
        'VALIDATION_FAILED',
        'status',
      ],
      [
        'an unknown query parameter on a user’s orders',
        () => as(staff)('GET', `${mine}?sort=asc`),
        400,
        'VALIDATION_FAILED',
        'sort',
      ],
      [
        'a cursor this API did not issue',
        () => as(customer)('GET', '/users/me/orders?cursor=not-a-cursor'),
        400,
        'INVALID_CURSOR',
        'cursor',
      ],
      [
        'a forged cursor pointing at another user',
        () => as(customer)('GET', `${mine}?cursor=${cursorOf({ v: 1, after: other.userId })}`),
        400,
        'INVALID_CURSOR',
        'cursor',
      ],
      [
        'a cursor of another version',
        () => as(staff)('GET', `${mine}?cursor=${cursorOf({ v: 2, after: orderId })}`),
        400,
        'INVALID_CURSOR',
        'cursor',
      ],
      [
        'a cursor with a field of its own',
        () =>
          as(customer)(
            'GET',
            `/users/me/orders?cursor=${cursorOf({ v: 1, after: orderId, userId: other.userId })}`,
          ),
        400,
        'INVALID_CURSOR',
        'cursor',
      ],
      [
        'a cursor past 1,024 characters',
        () => as(customer)('GET', `/users/me/orders?cursor=${'A'.repeat(1_100)}`),
        400,
        'VALIDATION_FAILED',
        'cursor',
      ],
      [
        'another customer’s list',
        () => as(customer)('GET', `/users/${other.userId}/orders`),
        403,
        'FORBIDDEN',
      ],
    ];
    await ordersKnowEveryUser();
    const answersBefore = await Promise.all([
      as(customer)('GET', '/users/me'),
      as(customer)('GET', '/users/me/orders'),
      as(staff)('GET', mine),
    ]);
    const before = await Promise.all([
      tableItems(documents, usersTable),
      tableItems(documents, ordersReadModel),
    ]);

    // Act and assess (each answer its refusal)
    await expectRefusals(cases);

    // Assess
    expect(cases.length).toBeGreaterThanOrEqual(10);
    const answersAfter = await Promise.all([
      as(customer)('GET', '/users/me'),
      as(customer)('GET', '/users/me/orders'),
      as(staff)('GET', mine),
    ]);
    expect(answersAfter.map((answer) => [answer.status, answer.body])).toEqual(
      answersBefore.map((answer) => [answer.status, answer.body]),
    );
    expect(
      await Promise.all([tableItems(documents, usersTable), tableItems(documents, ordersReadModel)]),
    ).toEqual(before);
  });

  it("answers the triggers' and the function's invocations as successes", async () => {
    // Act
    const { invocations } = await localJson<{ invocations: { functionName: string; outcome: string }[] }>(
      cloud,
      '/_local/invocations',
    );

    // Assess
    const users = invocations.filter((invocation) => invocation.functionName.startsWith('ShopUsers-'));
    for (const name of ['PostConfirmation', 'PreTokenGeneration', 'GetMe', 'OutboxRelay']) {
      expect(users.some((invocation) => invocation.functionName.startsWith(`ShopUsers-${name}`))).toBe(true);
    }
    expect(users.filter((invocation) => invocation.outcome !== 'success')).toEqual([]);
  });
});
