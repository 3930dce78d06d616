/**
 * The accounts context on DynamoDB Local (AWS's own engine: condition expressions and transaction
 * cancellations are the real ones). A transfer is one `TransactWriteItems` over both accounts, each on
 * its version (the source also on its balance), with the transfer, its two ledger entries and the
 * request's claimed key: a stale version and a balance that would go negative write nothing; a retry
 * with the key answers the same transfer, through Powertools' record or, without it, the claim; and 500
 * random transfers among 10 accounts from 32 concurrent clients, a tenth of them sent twice, leave the
 * books exact.
 */
import { createHash } from 'node:crypto';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type {
  ApiGatewayProxyEvent,
  ApiGatewayProxyResult,
  LambdaContext,
} from '../../shared/http/api-gateway-proxy';
import { USER_ID_CLAIM } from '../../shared/http/caller';
import { httpIdempotency } from '../../shared/idempotency/http-idempotency';
import { newId } from '../../shared/ids/ids';
import { accountFromItem, ledgerEntryFromItem } from '../../functions/accounts/adapters/account-items';
import { DynamoDbAccountRepository } from '../../functions/accounts/adapters/dynamodb-account-repository';
import { makeDepositMoney } from '../../functions/accounts/application/deposit-money';
import { makeGetAccount } from '../../functions/accounts/application/get-account';
import { makeListTransactions } from '../../functions/accounts/application/list-transactions';
import { makeOpenAccount } from '../../functions/accounts/application/open-account';
import { CLIENT_REQUEST_RETRY, type LostRaceRetryOptions } from '../../shared/resilience';
import { makeTransferMoney } from '../../functions/accounts/application/transfer-money';
import { ledgerSum, type Account } from '../../functions/accounts/domain/account';
import { InsufficientFundsError } from '../../functions/accounts/domain/errors';
import { decideTransfer } from '../../functions/accounts/domain/transfer';
import { makeHandler as makeDepositMoneyHandler } from '../../functions/accounts/handlers/deposit-money';
import { makeHandler as makeGetAccountHandler } from '../../functions/accounts/handlers/get-account';
import { makeHandler as makeListTransactionsHandler } from '../../functions/accounts/handlers/list-transactions';
import { makeHandler as makeOpenAccountHandler } from '../../functions/accounts/handlers/open-account';
import { makeHandler as makeTransferMoneyHandler } from '../../functions/accounts/handlers/transfer-money';
import {
  RequestKeyTakenError,
  StaleAccountsError,
  type AccountRepository,
  type DepositWrite,
  type LedgerPage,
  type TransferWrite,
} from '../../functions/accounts/ports/account-repository';
import { useDynamoDbLocal } from '../support/dynamodb-local';
import { seededRandom } from '../support/seeded-random';
import type { AppLogger } from '../../shared/observability/app-logger';
import { silentLogger } from '../../shared/observability/app-logger';

// Failures are expected here; their logging is covered by the unit tests.
const quietLogger: AppLogger = silentLogger;

let requestCount = 0;

const dynamo = useDynamoDbLocal();

/** An accounts table as the context expects it (`pk`, `sk` strings) and an idempotency table (`id`). */
async function tables(): Promise<{ accountsTable: string; idempotencyTable: string }> {
  const { tableName: accountsTable } = await dynamo.createTable(dynamo.uniqueTableName('accounts'), {
    partitionKey: 'pk',
    sortKey: 'sk',
  });
  const { tableName: idempotencyTable } = await dynamo.createTable(dynamo.uniqueTableName('idempotency'), {
    partitionKey: 'id',
  });
  return { accountsTable, idempotencyTable };
}

const now = (): Date => new Date();

/** The accounts API on DynamoDB Local, wired as the composition root wires it (the retry counts its lost races). */
async function accountsOnDynamoDb(retry: Partial<LostRaceRetryOptions> = {}) {
  const { accountsTable, idempotencyTable } = await tables();
  const repository = new DynamoDbAccountRepository({ client: dynamo.client, tableName: accountsTable });
  const idempotency = (required: boolean) =>
    httpIdempotency({
      tableName: idempotencyTable,
      client: dynamo.client,
      required,
    });
  // Lost races, and those that came back without the accounts (a `TransactionConflict`).
  const lostRaces = { count: 0, withoutState: 0 };
  const retryPolicy: LostRaceRetryOptions = {
    ...CLIENT_REQUEST_RETRY,
    onRetry: ({ error }) => {
      lostRaces.count += 1;
      if (error instanceof StaleAccountsError && error.current.length === 0) lostRaces.withoutState += 1;
    },
    ...retry,
  };
  const openAccount = makeOpenAccount({ repository, newAccountId: () => newId('account'), now });
  const depositMoney = makeDepositMoney({
    repository,
    newDepositId: () => newId('deposit'),
    now,
    retry: retryPolicy,
  });
  const transferMoney = makeTransferMoney({
    repository,
    newTransferId: () => newId('transfer'),
    now,
    retry: retryPolicy,
  });
  return {
    accountsTable,
    idempotencyTable,
    repository,
    lostRaces,
    transferMoney,
    open: makeOpenAccountHandler({ openAccount, idempotency: idempotency(false), logger: quietLogger }),
    get: makeGetAccountHandler({ getAccount: makeGetAccount({ reader: repository }), logger: quietLogger }),
    deposit: makeDepositMoneyHandler({ depositMoney, idempotency: idempotency(true), logger: quietLogger }),
    transfer: makeTransferMoneyHandler({
      transferMoney,
      idempotency: idempotency(true),
      logger: quietLogger,
    }),
    list: makeListTransactionsHandler({
      listTransactions: makeListTransactions({ reader: repository }),
      logger: quietLogger,
    }),
  };
}

type Api = Awaited<ReturnType<typeof accountsOnDynamoDb>>;

const userId = (n: number): string => `usr_01JE${String(n).padStart(22, '0')}`;

/** A proxy event behind the Cognito authorizer, from `caller`. */
function request(
  caller: string,
  method: 'GET' | 'POST',
  resource: string,
  options: {
    readonly accountId?: string;
    readonly body?: unknown;
    readonly key?: string;
    readonly query?: Record<string, string>;
  } = {},
): ApiGatewayProxyEvent {
  requestCount += 1;
  return {
    resource,
    path: resource.replace('{accountId}', options.accountId ?? ''),
    httpMethod: method,
    headers: {
      ...(method === 'POST' ? { 'Content-Type': 'application/json' } : {}),
      ...(options.key === undefined ? {} : { 'Idempotency-Key': options.key }),
    },
    queryStringParameters: options.query ?? null,
    pathParameters: options.accountId === undefined ? null : { accountId: options.accountId },
    requestContext: { requestId: `req-${requestCount}`, authorizer: { claims: { [USER_ID_CLAIM]: caller } } },
    body: options.body === undefined ? null : JSON.stringify(options.body),
  };
}

/** A Lambda context with `ms` left, as the function's 25 s timeout gives it. */
function lambdaContext(event: ApiGatewayProxyEvent, ms = 25_000): LambdaContext {
  const deadline = Date.now() + ms;
  return {
    awsRequestId: event.requestContext.requestId,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

async function call(
  handler: (event: ApiGatewayProxyEvent, context?: LambdaContext) => Promise<ApiGatewayProxyResult>,
  event: ApiGatewayProxyEvent,
): Promise<ApiGatewayProxyResult> {
  return handler(event, lambdaContext(event));
}

const bodyOf = <T = Record<string, unknown>>(result: { readonly body: string }): T =>
  JSON.parse(result.body) as T;
const errorCode = (result: ApiGatewayProxyResult): string =>
  bodyOf<{ error: { code: string } }>(result).error.code;

/** Opens an account for `owner` and tops it up by `balanceCents` (as staff would). */
async function openFunded(api: Api, owner: string, balanceCents: number, currency = 'USD'): Promise<string> {
  const opened = await call(api.open, request(owner, 'POST', '/accounts', { body: { currency } }));
  expect(opened.statusCode).toBe(201);
  const { accountId } = bodyOf<{ accountId: string }>(opened);
  if (balanceCents > 0) {
    const deposited = await call(
      api.deposit,
      request(owner, 'POST', '/accounts/{accountId}/deposits', {
        accountId,
        body: { amountCents: balanceCents },
        key: `fund-${accountId}`,
      }),
    );
    expect(deposited.statusCode).toBe(201);
  }
  return accountId;
}

/** Every item of the accounts table. */
async function allItems(tableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.documents.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

/** The books as the table holds them: accounts, each one's ledger (by version), transfers, claims. */
async function books(tableName: string) {
  const items = await allItems(tableName);
  const ofKind = (kind: string) => items.filter((item) => item['kind'] === kind);
  const accounts = ofKind('account').map(accountFromItem);
  const entries = ofKind('ledger-entry').map(ledgerEntryFromItem);
  const ledgerOf = (accountId: string) =>
    entries.filter((entry) => entry.accountId === accountId).sort((a, b) => a.version - b.version);
  return {
    items,
    accounts,
    entries,
    ledgerOf,
    transfers: ofKind('transfer'),
    claims: ofKind('request-claim'),
  };
}

type Books = Awaited<ReturnType<typeof books>>;

function expectBooksBalanced(state: Books): void {
  for (const account of state.accounts) {
    const ledger = state.ledgerOf(account.accountId);
    expect(account.balanceCents).toBeGreaterThanOrEqual(0);
    expect(ledgerSum(ledger)).toBe(account.balanceCents);
    expect(account.version).toBe(ledger.length);
    expect(ledger.map((entry) => entry.version)).toEqual(ledger.map((_, index) => index + 1));
  }
}

/** The accounts table holds exactly what it held `before`: the write was refused whole. */
async function expectNothingWritten(api: Api, before: Books): Promise<void> {
  expect((await books(api.accountsTable)).items).toEqual(before.items);
}

/** Refused for stale accounts, with `current` as the table holds them, for the transfer to be decided again. */
async function expectStale(outcome: Promise<unknown>, current: readonly Account[]): Promise<void> {
  await expect(outcome).rejects.toBeInstanceOf(StaleAccountsError);
  await expect(outcome).rejects.toMatchObject({ current });
}

/** What a client sees of an answer: status, body and whether it is marked as a replay. */
const seenByClient = (result: ApiGatewayProxyResult) => ({
  status: result.statusCode,
  body: result.body,
  replayed: result.headers['Idempotent-Replayed'],
});

/** Refused as a reuse of an idempotency key with another body. */
function expectKeyReused(result: ApiGatewayProxyResult): void {
  expect([result.statusCode, errorCode(result)]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
}

const balanceOf = (state: Books, accountId: string): number | undefined =>
  state.accounts.find((account) => account.accountId === accountId)?.balanceCents;

/** The two accounts as stored. */
async function accountsOf(api: Api, firstId: string, secondId: string): Promise<[Account, Account]> {
  const [first, second] = await Promise.all([firstId, secondId].map((id) => api.repository.findAccount(id)));
  if (first === undefined || second === undefined) throw new Error(`${firstId} or ${secondId} is not stored`);
  return [first, second];
}

/** The table, except that the first read of one account shows ten times its balance. */
class InflatedFirstRead implements AccountRepository {
  inflated = false;
  constructor(
    private readonly inner: AccountRepository,
    private readonly accountId: string,
  ) {}
  async findAccount(accountId: string) {
    const account = await this.inner.findAccount(accountId);
    if (account === undefined || accountId !== this.accountId || this.inflated) return account;
    this.inflated = true;
    return { ...account, balanceCents: account.balanceCents * 10 };
  }
  findClaim(key: string) {
    return this.inner.findClaim(key);
  }
  listEntries(accountId: string, page: LedgerPage) {
    return this.inner.listEntries(accountId, page);
  }
  openAccount(account: Account) {
    return this.inner.openAccount(account);
  }
  findShopAccount(currency: string) {
    return this.inner.findShopAccount(currency);
  }
  openShopAccount(account: Account) {
    return this.inner.openShopAccount(account);
  }
  saveDeposit(write: DepositWrite) {
    return this.inner.saveDeposit(write);
  }
  saveTransfer(write: TransferWrite) {
    return this.inner.saveTransfer(write);
  }
}

const ALICE = userId(1);
const BOB = userId(2);

describe('a transfer is one conditional transaction', () => {
  test('it writes both accounts at their next versions, the transfer, two ledger entries and the claimed key', async () => {
    // Prepare
    const api = await accountsOnDynamoDb();
    const from = await openFunded(api, ALICE, 1_000);
    const to = await openFunded(api, BOB, 0);
    // Act
    const result = await call(
      api.transfer,
      request(ALICE, 'POST', '/transfers', {
        body: { fromAccountId: from, toAccountId: to, amountCents: 250 },
        key: 't1',
      }),
    );
    // Assess
    expect(result.statusCode).toBe(201);
    const transfer = bodyOf(result);
    expect(transfer).toEqual({
      transferId: expect.stringMatching(/^trf_[0-9A-HJKMNP-TV-Z]{26}$/),
      status: 'COMPLETED',
      fromAccountId: from,
      toAccountId: to,
      amountCents: 250,
    });
    const state = await books(api.accountsTable);
    expect(
      state.accounts.map(({ accountId, balanceCents, version }) => [accountId, balanceCents, version]),
    ).toEqual(
      expect.arrayContaining([
        [from, 750, 2],
        [to, 250, 1],
      ]),
    );
    expect(state.transfers).toEqual([
      expect.objectContaining({ pk: transfer['transferId'], amountCents: 250 }),
    ]);
    expect(state.ledgerOf(to)).toEqual([
      {
        type: 'TRANSFER_IN',
        accountId: to,
        version: 1,
        amountCents: 250,
        balanceCents: 250,
        occurredAt: expect.any(String),
        transferId: transfer['transferId'],
        counterpartyAccountId: from,
      },
    ]);
    expect(state.ledgerOf(from).at(-1)).toMatchObject({
      version: 2,
      type: 'TRANSFER_OUT',
      amountCents: -250,
    });
    // Each entry under its account's version: the newest-first query's sort key.
    expect(
      state.items.filter((item) => item['kind'] === 'ledger-entry').map((item) => [item['pk'], item['sk']]),
    ).toEqual(
      expect.arrayContaining([
        [from, 'ledger#0000000002'],
        [to, 'ledger#0000000001'],
      ]),
    );
    expect(state.claims.map((claim) => claim['pk'])).toEqual(
      expect.arrayContaining([`request#POST /transfers#${ALICE}#t1`]),
    );
    expectBooksBalanced(state);
  });

  test('a stale version is refused and writes nothing; the error carries the account as the table holds it', async () => {
    // Prepare: decide on version 1, then let a deposit move the source to version 2.
    const api = await accountsOnDynamoDb();
    const fromId = await openFunded(api, ALICE, 1_000);
    const toId = await openFunded(api, BOB, 0);
    const [from, to] = await accountsOf(api, fromId, toId);
    const decision = decideTransfer(from, to, {
      fromAccountId: fromId,
      toAccountId: toId,
      amountCents: 100,
      transferId: newId('transfer'),
      requester: { userId: ALICE, isStaff: false },
      at: now().toISOString(),
    });
    await call(
      api.deposit,
      request(ALICE, 'POST', '/accounts/{accountId}/deposits', {
        accountId: fromId,
        body: { amountCents: 5 },
        key: 'd2',
      }),
    );
    const before = await books(api.accountsTable);
    // Act
    const outcome = api.repository.saveTransfer({
      decision,
      expectedVersions: { from: from.version, to: to.version },
      claim: {
        kind: 'transfer',
        key: 'stale',
        request: { fromAccountId: fromId, toAccountId: toId, amountCents: 100 },
        answer: decision.transfer,
      },
    });
    // Assess
    await expectStale(outcome, [{ ...from, balanceCents: 1_005, version: 2 }]);
    await expectNothingWritten(api, before);
  });

  test('a balance that would go negative is refused by the condition, writing nothing', async () => {
    // Prepare: a decision on the stored version of the source, but on more money than it holds (a read
    // no writer can produce: the balance changes only with the version), to reach the balance condition.
    const api = await accountsOnDynamoDb();
    const fromId = await openFunded(api, ALICE, 100);
    const toId = await openFunded(api, BOB, 0);
    const [from, to] = await accountsOf(api, fromId, toId);
    const request = { fromAccountId: fromId, toAccountId: toId, amountCents: 500 };
    const decision = decideTransfer({ ...from, balanceCents: 1_000 }, to, {
      ...request,
      transferId: newId('transfer'),
      requester: { userId: ALICE, isStaff: false },
      at: now().toISOString(),
    });
    const before = await books(api.accountsTable);
    // Act
    const outcome = api.repository.saveTransfer({
      decision,
      expectedVersions: { from: from.version, to: to.version },
      claim: { kind: 'transfer', key: 'overdraw', request, answer: decision.transfer },
    });
    // Assess: the source comes back as stored, same version, for the transfer to be decided again.
    await expectStale(outcome, [from]);
    await expectNothingWritten(api, before);
  });

  test('a transfer refused by the balance condition is decided again on the fresh state: INSUFFICIENT_FUNDS', async () => {
    // Prepare: the use case's first read of the source shows more money than it holds.
    const api = await accountsOnDynamoDb();
    const fromId = await openFunded(api, ALICE, 100);
    const toId = await openFunded(api, BOB, 0);
    const repository = new InflatedFirstRead(api.repository, fromId);
    const transfer = makeTransferMoney({ repository, newTransferId: () => newId('transfer'), now });
    const before = await books(api.accountsTable);
    // Act
    const outcome = transfer(
      { fromAccountId: fromId, toAccountId: toId, amountCents: 500, requestKey: 'overdraw' },
      { userId: ALICE, isStaff: false },
    );
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(InsufficientFundsError);
    expect(repository.inflated).toBe(true);
    await expectNothingWritten(api, before);
  });

  test('a claimed key refuses a second write of it, whatever it carries, and names the holder', async () => {
    // Prepare
    const api = await accountsOnDynamoDb();
    const fromId = await openFunded(api, ALICE, 1_000);
    const toId = await openFunded(api, BOB, 0);
    const request = { fromAccountId: fromId, toAccountId: toId, amountCents: 10, requestKey: 'once' };
    const first = await api.transferMoney(request, { userId: ALICE, isStaff: false });
    const [from, to] = await accountsOf(api, fromId, toId);
    const decision = decideTransfer(from, to, {
      ...request,
      amountCents: 20,
      transferId: newId('transfer'),
      requester: { userId: ALICE, isStaff: false },
      at: now().toISOString(),
    });
    const before = await books(api.accountsTable);
    // Act
    const outcome = api.repository.saveTransfer({
      decision,
      expectedVersions: { from: from.version, to: to.version },
      claim: {
        kind: 'transfer',
        key: `POST /transfers#${ALICE}#once`,
        request: { ...request, amountCents: 20 },
        answer: decision.transfer,
      },
    });
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(RequestKeyTakenError);
    await expect(outcome).rejects.toMatchObject({ claim: { kind: 'transfer', answer: first } });
    await expectNothingWritten(api, before);
  });
});

describe('idempotent replay', () => {
  /** `POST /transfers` by `caller` with `Idempotency-Key: key`. */
  const postTransfer = (
    api: Api,
    caller: string,
    { from, to, amountCents, key }: { from: string; to: string; amountCents: number; key: string },
  ): Promise<ApiGatewayProxyResult> =>
    call(
      api.transfer,
      request(caller, 'POST', '/transfers', {
        body: { fromAccountId: from, toAccountId: to, amountCents },
        key,
      }),
    );

  test('the same key and body answer the same transfer (201, same body, marked as a replay); another body is a 422', async () => {
    // Prepare
    const api = await accountsOnDynamoDb();
    const from = await openFunded(api, ALICE, 1_000);
    const to = await openFunded(api, BOB, 0);
    const first = await postTransfer(api, ALICE, { from, to, amountCents: 300, key: 'k1' });
    // Act
    const replayed = await postTransfer(api, ALICE, { from, to, amountCents: 300, key: 'k1' });
    const reused = await postTransfer(api, ALICE, { from, to, amountCents: 301, key: 'k1' });
    // Assess
    expect(first.statusCode).toBe(201);
    expect(seenByClient(replayed)).toEqual({ status: 201, body: first.body, replayed: 'true' });
    expectKeyReused(reused);
    const state = await books(api.accountsTable);
    expect(state.transfers).toHaveLength(1);
    expect(balanceOf(state, from)).toBe(700);
  });

  test('with its idempotency record lost, a retry still answers the same transfer, from the claimed key, and moves nothing', async () => {
    // Prepare
    const api = await accountsOnDynamoDb();
    const from = await openFunded(api, ALICE, 1_000);
    const to = await openFunded(api, BOB, 0);
    const first = await postTransfer(api, ALICE, { from, to, amountCents: 1_000, key: 'k1' });
    const recordId = `http#${createHash('md5')
      .update(JSON.stringify([`POST /transfers ${ALICE}`, 'k1']))
      .digest('base64')}`;
    await dynamo.client.send(
      new DeleteItemCommand({
        TableName: api.idempotencyTable,
        Key: { id: { S: recordId } },
        ConditionExpression: 'attribute_exists(id)',
      }),
    );
    // Act
    const retried = await postTransfer(api, ALICE, { from, to, amountCents: 1_000, key: 'k1' });
    const reused = await postTransfer(api, ALICE, { from, to, amountCents: 999, key: 'k1' });
    // Assess: the source is empty now, yet the retry is the first transfer, not INSUFFICIENT_FUNDS.
    expect(seenByClient(retried)).toEqual({ status: 201, body: first.body, replayed: undefined });
    expectKeyReused(reused);
    const state = await books(api.accountsTable);
    expect(state.transfers).toHaveLength(1);
    expectBooksBalanced(state);
  });

  test('two callers with one key and one body each make their own transfer: keys are the caller’s', async () => {
    // Prepare
    const api = await accountsOnDynamoDb();
    const alices = await openFunded(api, ALICE, 100);
    const bobs = await openFunded(api, BOB, 100);
    const shared = await openFunded(api, userId(3), 0);
    // Act
    const [a, b] = await Promise.all([
      postTransfer(api, ALICE, { from: alices, to: shared, amountCents: 10, key: 'same' }),
      postTransfer(api, BOB, { from: bobs, to: shared, amountCents: 10, key: 'same' }),
    ]);
    // Assess
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(bodyOf(a)['transferId']).not.toBe(bodyOf(b)['transferId']);
    expect(balanceOf(await books(api.accountsTable), shared)).toBe(20);
  });

  test('a deposit replays too, and another customer reads neither the account nor its transactions', async () => {
    // Prepare
    const api = await accountsOnDynamoDb();
    const account = await openFunded(api, ALICE, 0);
    const deposit = () =>
      call(
        api.deposit,
        request(ALICE, 'POST', '/accounts/{accountId}/deposits', {
          accountId: account,
          body: { amountCents: 42 },
          key: 'd1',
        }),
      );
    // Act
    const [first, again] = [await deposit(), await deposit()];
    const hidden = await call(api.get, request(BOB, 'GET', '/accounts/{accountId}', { accountId: account }));
    const hiddenList = await call(
      api.list,
      request(BOB, 'GET', '/accounts/{accountId}/transactions', { accountId: account }),
    );
    const shown = await call(api.get, request(ALICE, 'GET', '/accounts/{accountId}', { accountId: account }));
    // Assess
    expect([again.statusCode, again.body]).toEqual([201, first.body]);
    expect([hidden.statusCode, errorCode(hidden), hiddenList.statusCode]).toEqual([
      404,
      'ACCOUNT_NOT_FOUND',
      404,
    ]);
    expect(bodyOf(shown)).toMatchObject({ balanceCents: 42, version: 1 });
  });

  test('the transactions list pages through the ledger newest first', async () => {
    // Prepare
    const api = await accountsOnDynamoDb();
    const from = await openFunded(api, ALICE, 1_000);
    const to = await openFunded(api, BOB, 0);
    for (let n = 1; n <= 4; n += 1) {
      await postTransfer(api, ALICE, { from, to, amountCents: n, key: `p${n}` });
    }
    // Act
    const versions: number[][] = [];
    let cursor: string | null = null;
    do {
      const page = await call(
        api.list,
        request(ALICE, 'GET', '/accounts/{accountId}/transactions', {
          accountId: from,
          query: { limit: '2', ...(cursor === null ? {} : { cursor }) },
        }),
      );
      const body = bodyOf<{ transactions: { version: number }[]; nextCursor: string | null }>(page);
      versions.push(body.transactions.map((transaction) => transaction.version));
      cursor = body.nextCursor;
    } while (cursor !== null);
    // Assess
    expect(versions).toEqual([[5, 4], [3, 2], [1]]);
  });
});

describe('concurrency', () => {
  const ACCOUNTS = 10;
  const TRANSFERS = 500;
  const CLIENTS = 32;
  const OPENING_CENTS = 100_000;

  test(`${TRANSFERS} random transfers among ${ACCOUNTS} accounts from ${CLIENTS} clients, a tenth sent twice: the books stay exact`, async () => {
    // Prepare: ten funded accounts of five owners.
    const api = await accountsOnDynamoDb();
    const random = seededRandom(20261126);
    const owners = Array.from({ length: ACCOUNTS }, (_, n) => userId(10 + (n % 5)));
    const accountIds: string[] = [];
    for (const owner of owners) accountIds.push(await openFunded(api, owner, OPENING_CENTS));
    const transfers = Array.from({ length: TRANSFERS }, (_, n) => {
      const from = Math.floor(random() * ACCOUNTS);
      const to = (from + 1 + Math.floor(random() * (ACCOUNTS - 1))) % ACCOUNTS;
      return {
        key: `transfer-${n}`,
        owner: owners[from] as string,
        body: {
          fromAccountId: accountIds[from] as string,
          toAccountId: accountIds[to] as string,
          amountCents: 1 + Math.floor(random() * 40_000),
        },
      };
    });
    // A tenth go twice with the same key: the second copy somewhere later in the queue, some while
    // the first is still running.
    const queue = [...transfers];
    for (const transfer of transfers.filter((_, n) => n % 10 === 3)) {
      const first = queue.indexOf(transfer);
      const at = first + 1 + Math.floor(random() * Math.min(60, queue.length - first));
      queue.splice(at, 0, transfer);
    }
    const answers = new Map<string, { status: number; body: string }[]>();
    const resent = new Map<string, number>();
    async function send(transfer: (typeof transfers)[number]): Promise<void> {
      for (;;) {
        const event = request(transfer.owner, 'POST', '/transfers', {
          body: transfer.body,
          key: transfer.key,
        });
        const result = await call(api.transfer, event);
        // A lost race past the server's retries, or the same key still running: come back soon.
        if (result.statusCode === 409) {
          const code = errorCode(result);
          resent.set(code, (resent.get(code) ?? 0) + 1);
          await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80));
          continue;
        }
        answers.set(transfer.key, [
          ...(answers.get(transfer.key) ?? []),
          { status: result.statusCode, body: result.body },
        ]);
        return;
      }
    }
    // Act: 32 clients drain the queue.
    const startedAt = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < queue.length) {
          const transfer = queue[next++];
          if (transfer !== undefined) await send(transfer);
        }
      }),
    );
    const elapsedMs = Date.now() - startedAt;
    // Assess
    const state = await books(api.accountsTable);
    const all = [...answers.values()].flat();
    expect(all).toHaveLength(queue.length);
    // Only two answers: done, or refused for want of money (a refusal is not stored: a copy may
    // then succeed on a later balance, as a client's retry would).
    expect(
      new Set(
        all.map(({ status, body }) =>
          status === 201 ? 201 : `${status} ${body.includes('INSUFFICIENT_FUNDS')}`,
        ),
      ),
    ).toEqual(new Set([201, '422 true']));
    const applied = new Map<string, string>();
    for (const [key, results] of answers) {
      const done = results.filter((result) => result.status === 201);
      // Every 201 for one key is the same transfer, byte for byte.
      expect(new Set(done.map((result) => result.body)).size).toBeLessThanOrEqual(1);
      const [answer] = done;
      if (answer !== undefined) applied.set(key, bodyOf<{ transferId: string }>(answer).transferId);
    }
    // Each transfer applied exactly once: one transfer item, one claim, one debit and one credit.
    const transferIds = state.transfers.map((item) => item['transferId']);
    expect(new Set(transferIds).size).toBe(transferIds.length);
    expect([...applied.values()].sort()).toEqual([...transferIds].sort());
    expect(state.claims.filter((claim) => claim['claimKind'] === 'transfer')).toHaveLength(applied.size);
    for (const item of state.transfers) {
      const legs = state.entries.filter(
        (entry) => 'transferId' in entry && entry.transferId === item['transferId'],
      );
      expect(legs.map((entry) => [entry.type, entry.accountId, entry.amountCents]).sort()).toEqual(
        [
          ['TRANSFER_IN', item['toAccountId'], item['amountCents']],
          ['TRANSFER_OUT', item['fromAccountId'], -(item['amountCents'] as number)],
        ].sort(),
      );
    }
    // Money unchanged, no balance below zero, every ledger sums to its balance, version = changes.
    expect(state.accounts).toHaveLength(ACCOUNTS);
    expect(state.accounts.reduce((sum, account) => sum + account.balanceCents, 0)).toBe(
      ACCOUNTS * OPENING_CENTS,
    );
    expectBooksBalanced(state);
    expect(applied.size).toBeGreaterThan(TRANSFERS / 2);
    // The locks were contended for real.
    expect(api.lostRaces.count).toBeGreaterThan(0);
    process.stdout.write(
      `accounts concurrency: ${queue.length} requests (${applied.size} transfers applied) in ${elapsedMs} ms, ` +
        `${api.lostRaces.count} lost races retried by the server (${api.lostRaces.withoutState} without the ` +
        `accounts returned), 409s resent by the clients: ` +
        `${JSON.stringify(Object.fromEntries(resent))}\n`,
    );
  }, 600_000);
});
