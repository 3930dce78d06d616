import { ConcurrencyError } from '../../../shared/errors/app-error';
import type { ApiGatewayProxyEvent, ApiGatewayProxyResult } from '../../../shared/http/api-gateway-proxy';
import { callerOf } from '../../../shared/http/caller';
import type { HttpInterceptor } from '../../../shared/http/http-handler';
import { readIdempotencyKey } from '../../../shared/idempotency/idempotency-key';
import { InMemoryAccountRepository } from '../../../functions/accounts/adapters/in-memory-account-repository';
import { makeDepositMoney } from '../../../functions/accounts/application/deposit-money';
import { encodeLedgerCursor } from '../../../functions/accounts/application/ledger-cursor';
import { makeGetAccount } from '../../../functions/accounts/application/get-account';
import { makeListTransactions } from '../../../functions/accounts/application/list-transactions';
import { makeOpenAccount } from '../../../functions/accounts/application/open-account';
import { makeTransferMoney } from '../../../functions/accounts/application/transfer-money';
import type { Requester } from '../../../shared/identity/requester';
import { makeHandler as makeDepositMoneyHandler } from '../../../functions/accounts/handlers/deposit-money';
import { makeHandler as makeGetAccountHandler } from '../../../functions/accounts/handlers/get-account';
import { makeHandler as makeListTransactionsHandler } from '../../../functions/accounts/handlers/list-transactions';
import { makeHandler as makeOpenAccountHandler } from '../../../functions/accounts/handlers/open-account';
import { makeHandler as makeTransferMoneyHandler } from '../../../functions/accounts/handlers/transfer-money';
import { errorBodyOf, requestContextOf } from '../http/proxy-event';
import {
  accountId,
  ALICE,
  alice,
  bob,
  BOB,
  depositId,
  fixedClock,
  instantRetry,
  sequence,
  staff,
  transferId,
} from './fixtures';
import type { AppLogger } from '../../../shared/observability/app-logger';

/** Collects what would be logged; 4xx must log nothing. */
class RecordingLogger implements AppLogger {
  debug(): void {
    // Not called by what this test exercises.
  }
  info(): void {
    // Not called by what this test exercises.
  }
  readonly lines: string[] = [];
  error(message: string): void {
    this.lines.push(message);
  }
  warn(message: string): void {
    this.lines.push(message);
  }
}

/**
 * The accounts API over one in-memory repository, its idempotency interceptor a recorder that lets
 * every request through (the use cases' own key claims answer retries). Holds, opened by the use cases:
 * acc 1 (Alice, USD, 1 000), acc 2 (Bob, USD, 0), acc 3 (Bob, EUR, 0).
 */
async function accountsApi() {
  const repository = new InMemoryAccountRepository();
  const logger = new RecordingLogger();
  const intercepted: string[] = [];
  // Refuses what `httpIdempotency`, scoped by caller, refuses (no caller, a missing
  // or invalid key), before any record would be written.
  const idempotency =
    (required: boolean): HttpInterceptor =>
    async (invocation, proceed) => {
      callerOf(invocation.event);
      readIdempotencyKey(invocation.event, required);
      intercepted.push(invocation.requestId);
      return proceed();
    };
  const openAccount = makeOpenAccount({ repository, newAccountId: sequence(accountId), now: fixedClock });
  const depositMoney = makeDepositMoney({
    repository,
    newDepositId: sequence(depositId),
    now: fixedClock,
    retry: instantRetry,
  });
  const transferMoney = makeTransferMoney({
    repository,
    newTransferId: sequence(transferId),
    now: fixedClock,
    retry: instantRetry,
  });
  await openAccount({ currency: 'USD' }, alice);
  await openAccount({ currency: 'USD' }, bob);
  await openAccount({ currency: 'EUR' }, bob);
  await depositMoney({ accountId: accountId(1), amountCents: 1_000, requestKey: 'seed' }, staff);
  const handlers = {
    open: makeOpenAccountHandler({ openAccount, idempotency: idempotency(false), logger }),
    get: makeGetAccountHandler({ getAccount: makeGetAccount({ reader: repository }), logger }),
    deposit: makeDepositMoneyHandler({ depositMoney, idempotency: idempotency(true), logger }),
    transfer: makeTransferMoneyHandler({ transferMoney, idempotency: idempotency(true), logger }),
    list: makeListTransactionsHandler({
      listTransactions: makeListTransactions({ reader: repository }),
      logger,
    }),
  };
  intercepted.length = 0;
  return { repository, logger, intercepted, ...handlers };
}

type Route = 'open' | 'get' | 'deposit' | 'transfer' | 'list';

/** Everything the repository holds: no bad request may change any of it. */
function stateOf(repository: InMemoryAccountRepository) {
  const accounts = repository.allAccounts();
  return {
    accounts,
    ledgers: accounts.map((account) => repository.ledgerOf(account.accountId)),
    transfers: [...repository.transfers],
  };
}

interface RequestOptions {
  readonly caller?: Requester | undefined;
  readonly body?: unknown;
  /** The body as sent, when it is not JSON of `body`. */
  readonly rawBody?: string | null;
  readonly headers?: Record<string, string>;
  readonly query?: Record<string, string>;
}

function request(
  method: 'GET' | 'POST',
  resource: string,
  pathParameters: Record<string, string> | null,
  options: RequestOptions = {},
): ApiGatewayProxyEvent {
  const caller = 'caller' in options ? options.caller : alice;
  const path = resource.replace('{accountId}', pathParameters?.['accountId'] ?? '');
  return {
    resource,
    path,
    httpMethod: method,
    headers: { ...(method === 'POST' ? { 'Content-Type': 'application/json' } : {}), ...options.headers },
    multiValueHeaders: null,
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters,
    requestContext: requestContextOf(caller),
    body:
      options.rawBody !== undefined
        ? options.rawBody
        : options.body === undefined
          ? null
          : JSON.stringify(options.body),
    isBase64Encoded: false,
  };
}

const KEY = { 'Idempotency-Key': 'key-1' };
const openEvent = (body: unknown, options: RequestOptions = {}) =>
  request('POST', '/accounts', null, { body, ...options });
const getEvent = (id: string, options: RequestOptions = {}) =>
  request('GET', '/accounts/{accountId}', { accountId: id }, options);
const depositEvent = (id: string, body: unknown, options: RequestOptions = {}) =>
  request('POST', '/accounts/{accountId}/deposits', { accountId: id }, { body, headers: KEY, ...options });
const transferEvent = (body: unknown, options: RequestOptions = {}) =>
  request('POST', '/transfers', null, { body, headers: KEY, ...options });
const listEvent = (id: string, options: RequestOptions = {}) =>
  request('GET', '/accounts/{accountId}/transactions', { accountId: id }, options);

const json = (result: ApiGatewayProxyResult): unknown => JSON.parse(result.body);
const transferOf = (amountCents: unknown, from = accountId(1), to = accountId(2)) => ({
  fromAccountId: from,
  toAccountId: to,
  amountCents,
});

describe('POST /accounts', () => {
  test('opens an account for the caller: 201 with the account and its Location', async () => {
    // Prepare
    const api = await accountsApi();
    // Act
    const result = await api.open(openEvent({ currency: 'JPY' }, { caller: bob }));
    // Assess
    expect(result.statusCode).toBe(201);
    expect(result.headers).toMatchObject({ Location: `/accounts/${accountId(4)}` });
    expect(json(result)).toEqual({
      accountId: accountId(4),
      ownerId: BOB,
      currency: 'JPY',
      balanceCents: 0,
      version: 0,
    });
    expect(api.intercepted).toEqual(['req-1']);
  });
});

describe('GET /accounts/{accountId}', () => {
  test.each([
    ['its owner', alice],
    ['staff', staff],
  ])('answers %s 200 with the account', async (_, caller) => {
    const api = await accountsApi();
    const result = await api.get(getEvent(accountId(1), { caller }));
    expect(result.statusCode).toBe(200);
    expect(json(result)).toEqual({
      accountId: accountId(1),
      ownerId: ALICE,
      currency: 'USD',
      balanceCents: 1_000,
      version: 1,
    });
  });
});

describe('POST /accounts/{accountId}/deposits', () => {
  test('credits the account: 201 with the deposit; a retry with the key answers the same', async () => {
    // Prepare
    const api = await accountsApi();
    // Act
    const first = await api.deposit(depositEvent(accountId(2), { amountCents: 250 }, { caller: bob }));
    const again = await api.deposit(depositEvent(accountId(2), { amountCents: 250 }, { caller: bob }));
    // Assess
    expect(first.statusCode).toBe(201);
    expect(json(first)).toEqual({
      depositId: depositId(2),
      accountId: accountId(2),
      amountCents: 250,
      currency: 'USD',
      balanceCents: 250,
      version: 1,
    });
    expect([again.statusCode, again.body]).toEqual([201, first.body]);
    expect(api.repository.ledgerOf(accountId(2))).toHaveLength(1);
  });

  test('staff may top up any account', async () => {
    const api = await accountsApi();
    const result = await api.deposit(depositEvent(accountId(3), { amountCents: 1 }, { caller: staff }));
    expect(result.statusCode).toBe(201);
  });
});

describe('POST /transfers', () => {
  test('moves the money: 201 COMPLETED; a retry with the key answers the same transfer and moves nothing', async () => {
    // Prepare
    const api = await accountsApi();
    // Act
    const first = await api.transfer(transferEvent(transferOf(400)));
    const again = await api.transfer(transferEvent(transferOf(400)));
    // Assess
    expect(first.statusCode).toBe(201);
    expect(json(first)).toEqual({
      transferId: transferId(1),
      status: 'COMPLETED',
      fromAccountId: accountId(1),
      toAccountId: accountId(2),
      amountCents: 400,
    });
    expect([again.statusCode, again.body]).toEqual([201, first.body]);
    expect(api.repository.allAccounts().map((account) => account.balanceCents)).toEqual([600, 400, 0]);
  });

  test('without an interceptor, the handler itself refuses no caller (401) and no key (400)', async () => {
    // Prepare
    const transferMoney = jest.fn();
    const handler = makeTransferMoneyHandler({ transferMoney, logger: new RecordingLogger() });
    // Act
    const anonymous = await handler(transferEvent(transferOf(1), { caller: undefined }));
    const keyless = await handler(transferEvent(transferOf(1), { headers: {} }));
    // Assess
    expect([anonymous.statusCode, errorBodyOf(anonymous).error.code]).toEqual([401, 'UNAUTHORIZED']);
    expect([keyless.statusCode, errorBodyOf(keyless).error.code]).toEqual([400, 'IDEMPOTENCY_KEY_MISSING']);
    expect(transferMoney).not.toHaveBeenCalled();
  });

  test('a lost race past the retries answers 409 CONCURRENT_MODIFICATION with Retry-After', async () => {
    // Prepare
    const logger = new RecordingLogger();
    const handler = makeTransferMoneyHandler({
      transferMoney: async () => {
        throw new ConcurrencyError(
          'Account acc_1 was changed by another request; gave up after 300 attempts',
        );
      },
      logger,
    });
    // Act
    const result = await handler(transferEvent(transferOf(1)));
    // Assess
    expect(result.statusCode).toBe(409);
    expect(result.headers).toMatchObject({ 'Retry-After': '1' });
    expect(errorBodyOf(result)).toEqual({
      error: { code: 'CONCURRENT_MODIFICATION', message: expect.stringContaining('gave up') },
      requestId: 'req-1',
    });
    expect(logger.lines).toEqual([]);
  });

  test('an unexpected failure answers a generic 500, without a stack trace, and is logged', async () => {
    // Prepare
    const logger = new RecordingLogger();
    const handler = makeTransferMoneyHandler({
      transferMoney: async () => {
        throw new Error('the accounts table is gone');
      },
      logger,
    });
    // Act
    const result = await handler(transferEvent(transferOf(1)));
    // Assess
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toMatch(/table|at .*\.ts/);
    expect(errorBodyOf(result).error.code).toBe('INTERNAL_ERROR');
    expect(logger.lines).toEqual(['request failed with an unexpected error']);
  });
});

describe('GET /accounts/{accountId}/transactions', () => {
  test('lists every deposit and transfer leg newest first, a page at a time', async () => {
    // Prepare
    const api = await accountsApi();
    await api.transfer(transferEvent(transferOf(300), { headers: { 'Idempotency-Key': 't1' } }));
    await api.transfer(transferEvent(transferOf(200), { headers: { 'Idempotency-Key': 't2' } }));
    // Act
    const first = await api.list(listEvent(accountId(1), { query: { limit: '2' } }));
    const { nextCursor } = json(first) as { nextCursor: string };
    const second = await api.list(
      listEvent(accountId(1), { caller: staff, query: { limit: '2', cursor: nextCursor } }),
    );
    // Assess
    expect(first.statusCode).toBe(200);
    expect(json(first)).toEqual({
      transactions: [
        {
          version: 3,
          type: 'TRANSFER_OUT',
          amountCents: -200,
          balanceCents: 500,
          occurredAt: expect.any(String),
          transferId: transferId(2),
          counterpartyAccountId: accountId(2),
        },
        {
          version: 2,
          type: 'TRANSFER_OUT',
          amountCents: -300,
          balanceCents: 700,
          occurredAt: expect.any(String),
          transferId: transferId(1),
          counterpartyAccountId: accountId(2),
        },
      ],
      nextCursor: expect.any(String),
    });
    expect(json(second)).toEqual({
      transactions: [
        {
          version: 1,
          type: 'DEPOSIT',
          amountCents: 1_000,
          balanceCents: 1_000,
          occurredAt: expect.any(String),
          depositId: depositId(1),
        },
      ],
      nextCursor: null,
    });
  });
});

/**
 * Every malformed, unauthenticated or refused request: the right 4xx and the §4 error body, nothing
 * logged, nothing changed, and (for what the request's own checks refuse) no idempotency record touched.
 */
describe('bad requests', () => {
  const tooLongKey = { 'Idempotency-Key': 'k'.repeat(256) };
  const otherCursor = encodeLedgerCursor(1);
  const rows: readonly [string, Route, ApiGatewayProxyEvent, number, string, string?][] = [
    // POST /accounts
    ['open: no currency', 'open', openEvent({}), 400, 'VALIDATION_FAILED', 'currency'],
    [
      'open: a lower-case currency',
      'open',
      openEvent({ currency: 'usd' }),
      400,
      'VALIDATION_FAILED',
      'currency',
    ],
    [
      'open: an unknown currency',
      'open',
      openEvent({ currency: 'ABC' }),
      400,
      'VALIDATION_FAILED',
      'currency',
    ],
    ['open: a numeric currency', 'open', openEvent({ currency: 840 }), 400, 'VALIDATION_FAILED', 'currency'],
    [
      'open: an owner in the body',
      'open',
      openEvent({ currency: 'USD', ownerId: BOB }),
      400,
      'VALIDATION_FAILED',
      'ownerId',
    ],
    [
      'open: an opening balance',
      'open',
      openEvent({ currency: 'USD', balanceCents: 100 }),
      400,
      'VALIDATION_FAILED',
      'balanceCents',
    ],
    [
      'open: malformed JSON',
      'open',
      openEvent(undefined, { rawBody: '{"currency":' }),
      400,
      'MALFORMED_JSON',
    ],
    ['open: no body', 'open', openEvent(undefined), 400, 'VALIDATION_FAILED'],
    ['open: a body that is an array', 'open', openEvent(['USD']), 400, 'VALIDATION_FAILED'],
    [
      'open: an unknown query parameter',
      'open',
      openEvent({ currency: 'USD' }, { query: { owner: BOB } }),
      400,
      'VALIDATION_FAILED',
      'owner',
    ],
    ['open: no claims', 'open', openEvent({ currency: 'USD' }, { caller: undefined }), 401, 'UNAUTHORIZED'],
    [
      'open: a malformed user id claim',
      'open',
      openEvent({ currency: 'USD' }, { caller: { userId: 'alice', isStaff: false } }),
      401,
      'UNAUTHORIZED',
    ],
    // GET /accounts/{accountId}
    ['get: a malformed id', 'get', getEvent('acc_123'), 400, 'VALIDATION_FAILED', 'accountId'],
    [
      'get: an id of another kind',
      'get',
      getEvent('usr_01JD0000000000000000000001'),
      400,
      'VALIDATION_FAILED',
      'accountId',
    ],
    ['get: bad URL encoding', 'get', getEvent('acc_%E0%A4%A'), 400, 'VALIDATION_FAILED', 'accountId'],
    ['get: another customer’s account', 'get', getEvent(accountId(2)), 404, 'ACCOUNT_NOT_FOUND'],
    ['get: an unknown account', 'get', getEvent(accountId(9)), 404, 'ACCOUNT_NOT_FOUND'],
    ['get: no claims', 'get', getEvent(accountId(1), { caller: undefined }), 401, 'UNAUTHORIZED'],
    // POST /accounts/{accountId}/deposits
    [
      'deposit: no Idempotency-Key',
      'deposit',
      depositEvent(accountId(1), { amountCents: 1 }, { headers: {} }),
      400,
      'IDEMPOTENCY_KEY_MISSING',
    ],
    [
      'deposit: an over-long Idempotency-Key',
      'deposit',
      depositEvent(accountId(1), { amountCents: 1 }, { headers: tooLongKey }),
      400,
      'IDEMPOTENCY_KEY_INVALID',
    ],
    [
      'deposit: a zero amount',
      'deposit',
      depositEvent(accountId(1), { amountCents: 0 }),
      400,
      'VALIDATION_FAILED',
      'amountCents',
    ],
    [
      'deposit: a negative amount',
      'deposit',
      depositEvent(accountId(1), { amountCents: -100 }),
      400,
      'VALIDATION_FAILED',
      'amountCents',
    ],
    [
      'deposit: a fractional amount',
      'deposit',
      depositEvent(accountId(1), { amountCents: 10.5 }),
      400,
      'VALIDATION_FAILED',
      'amountCents',
    ],
    [
      'deposit: a huge amount',
      'deposit',
      depositEvent(accountId(1), { amountCents: 1e12 }),
      400,
      'VALIDATION_FAILED',
      'amountCents',
    ],
    [
      'deposit: an amount in a string',
      'deposit',
      depositEvent(accountId(1), { amountCents: '100' }),
      400,
      'VALIDATION_FAILED',
      'amountCents',
    ],
    [
      'deposit: no amount',
      'deposit',
      depositEvent(accountId(1), {}),
      400,
      'VALIDATION_FAILED',
      'amountCents',
    ],
    [
      'deposit: a currency beside the amount',
      'deposit',
      depositEvent(accountId(1), { amountCents: 1, currency: 'EUR' }),
      400,
      'VALIDATION_FAILED',
      'currency',
    ],
    [
      'deposit: a malformed account id',
      'deposit',
      depositEvent('acc_x', { amountCents: 1 }),
      400,
      'VALIDATION_FAILED',
      'accountId',
    ],
    [
      'deposit: another customer’s account',
      'deposit',
      depositEvent(accountId(2), { amountCents: 1 }),
      404,
      'ACCOUNT_NOT_FOUND',
    ],
    [
      'deposit: an unknown account',
      'deposit',
      depositEvent(accountId(9), { amountCents: 1 }),
      404,
      'ACCOUNT_NOT_FOUND',
    ],
    [
      'deposit: no claims',
      'deposit',
      depositEvent(accountId(1), { amountCents: 1 }, { caller: undefined }),
      401,
      'UNAUTHORIZED',
    ],
    // POST /transfers
    [
      'transfer: no Idempotency-Key',
      'transfer',
      transferEvent(transferOf(1), { headers: {} }),
      400,
      'IDEMPOTENCY_KEY_MISSING',
    ],
    [
      'transfer: a zero amount',
      'transfer',
      transferEvent(transferOf(0)),
      400,
      'VALIDATION_FAILED',
      'amountCents',
    ],
    [
      'transfer: a negative amount',
      'transfer',
      transferEvent(transferOf(-1)),
      400,
      'VALIDATION_FAILED',
      'amountCents',
    ],
    [
      'transfer: a fractional amount',
      'transfer',
      transferEvent(transferOf(0.5)),
      400,
      'VALIDATION_FAILED',
      'amountCents',
    ],
    [
      'transfer: a huge amount',
      'transfer',
      transferEvent(transferOf(Number.MAX_SAFE_INTEGER)),
      400,
      'VALIDATION_FAILED',
      'amountCents',
    ],
    [
      'transfer: a null amount',
      'transfer',
      transferEvent(transferOf(null)),
      400,
      'VALIDATION_FAILED',
      'amountCents',
    ],
    [
      'transfer: no destination',
      'transfer',
      transferEvent({ fromAccountId: accountId(1), amountCents: 1 }),
      400,
      'VALIDATION_FAILED',
      'toAccountId',
    ],
    [
      'transfer: a malformed source',
      'transfer',
      transferEvent(transferOf(1, 'acc_01JD')),
      400,
      'VALIDATION_FAILED',
      'fromAccountId',
    ],
    [
      'transfer: a user id as destination',
      'transfer',
      transferEvent(transferOf(1, accountId(1), BOB)),
      400,
      'VALIDATION_FAILED',
      'toAccountId',
    ],
    [
      'transfer: a user id in the body',
      'transfer',
      transferEvent({ ...transferOf(1), userId: ALICE }),
      400,
      'VALIDATION_FAILED',
      'userId',
    ],
    [
      'transfer: malformed JSON',
      'transfer',
      transferEvent(undefined, { rawBody: 'amountCents=1' }),
      400,
      'MALFORMED_JSON',
    ],
    [
      'transfer: the same account',
      'transfer',
      transferEvent(transferOf(1, accountId(1), accountId(1))),
      422,
      'SAME_ACCOUNT',
      'toAccountId',
    ],
    [
      'transfer: another customer’s source',
      'transfer',
      transferEvent(transferOf(1, accountId(2), accountId(1))),
      404,
      'ACCOUNT_NOT_FOUND',
    ],
    [
      'transfer: a source staff do not own',
      'transfer',
      transferEvent(transferOf(1), { caller: staff }),
      404,
      'ACCOUNT_NOT_FOUND',
    ],
    [
      'transfer: an unknown destination',
      'transfer',
      transferEvent(transferOf(1, accountId(1), accountId(9))),
      404,
      'ACCOUNT_NOT_FOUND',
    ],
    [
      'transfer: more than the balance',
      'transfer',
      transferEvent(transferOf(1_001)),
      422,
      'INSUFFICIENT_FUNDS',
      'amountCents',
    ],
    [
      'transfer: another currency',
      'transfer',
      transferEvent(transferOf(1, accountId(1), accountId(3))),
      422,
      'CURRENCY_MISMATCH',
      'toAccountId',
    ],
    [
      'transfer: no claims',
      'transfer',
      transferEvent(transferOf(1), { caller: undefined }),
      401,
      'UNAUTHORIZED',
    ],
    // GET /accounts/{accountId}/transactions
    [
      'list: a malformed cursor',
      'list',
      listEvent(accountId(1), { query: { cursor: 'not a cursor' } }),
      400,
      'INVALID_CURSOR',
      'cursor',
    ],
    [
      'list: a forged cursor',
      'list',
      listEvent(accountId(1), { query: { cursor: otherCursor } }),
      400,
      'INVALID_CURSOR',
      'cursor',
    ],
    [
      'list: a zero limit',
      'list',
      listEvent(accountId(1), { query: { limit: '0' } }),
      400,
      'VALIDATION_FAILED',
      'limit',
    ],
    [
      'list: a limit past the maximum',
      'list',
      listEvent(accountId(1), { query: { limit: '1000' } }),
      400,
      'VALIDATION_FAILED',
      'limit',
    ],
    [
      'list: a limit that is no number',
      'list',
      listEvent(accountId(1), { query: { limit: 'ten' } }),
      400,
      'VALIDATION_FAILED',
      'limit',
    ],
    [
      'list: an unknown query parameter',
      'list',
      listEvent(accountId(1), { query: { order: 'asc' } }),
      400,
      'VALIDATION_FAILED',
      'order',
    ],
    ['list: another customer’s account', 'list', listEvent(accountId(2)), 404, 'ACCOUNT_NOT_FOUND'],
    ['list: no claims', 'list', listEvent(accountId(1), { caller: undefined }), 401, 'UNAUTHORIZED'],
  ];

  const cases = rows.map(([name, route, event, status, code, path]) => ({
    name,
    route,
    event,
    status,
    code,
    path,
  }));

  test(`covers at least 30 bad requests (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  test.each(cases)('$name → $status $code', async ({ route, event, status, code, path }) => {
    // Prepare
    const api = await accountsApi();
    const before = stateOf(api.repository);
    // Act
    const result = await api[route](event);
    // Assess
    expect(result.statusCode).toBe(status);
    expect(result.headers).toMatchObject({ 'Content-Type': 'application/json', 'X-Request-Id': 'req-1' });
    const body = errorBodyOf(result);
    expect(body).toEqual({
      error: {
        code,
        message: expect.any(String),
        ...(body.error.details === undefined ? {} : { details: expect.any(Array) }),
      },
      requestId: 'req-1',
    });
    if (path !== undefined) {
      expect(body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    }
    expect(result.body).not.toMatch(/\n\s+at /);
    expect(stateOf(api.repository)).toEqual(before);
    expect(api.logger.lines).toEqual([]);
    if (status === 400 || status === 401) expect(api.intercepted).toEqual([]);
  });

  test('the key of a transfer with another body: 422 IDEMPOTENCY_KEY_REUSED, and the second moves nothing', async () => {
    // Prepare
    const api = await accountsApi();
    await api.transfer(transferEvent(transferOf(100)));
    const before = stateOf(api.repository);
    // Act
    const result = await api.transfer(transferEvent(transferOf(101)));
    // Assess
    expect(result.statusCode).toBe(422);
    expect(errorBodyOf(result).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(stateOf(api.repository)).toEqual(before);
  });

  test('the key of a deposit with another amount: 422 IDEMPOTENCY_KEY_REUSED, and nothing more is credited', async () => {
    // Prepare
    const api = await accountsApi();
    await api.deposit(depositEvent(accountId(1), { amountCents: 5 }));
    const before = stateOf(api.repository);
    // Act
    const result = await api.deposit(depositEvent(accountId(1), { amountCents: 6 }));
    // Assess
    expect(result.statusCode).toBe(422);
    expect(errorBodyOf(result).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(stateOf(api.repository)).toEqual(before);
  });
});
