/**
 * The accounts context end to end on the local cloud, booted on the real app (`cdk.json`): users signed
 * in on the `shop-users` pool call `/accounts` and `/transfers` on the `shop-api` with their ID token →
 * the users stack's Cognito authorizer → the accounts functions → the accounts table (one
 * `TransactWriteItems` per deposit or transfer) and Powertools' `Idempotency-Key` records. Everything is
 * observed through the API as its clients see it, but for the check that refused requests leave the
 * table exactly as it was, which reads the table itself.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type LocalCloud, eventually, localClientConfig, SeededRandom } from 'cdk-local-cloud';
import type {
  AccountResponse,
  DepositResponse,
  TransactionResponse,
  TransactionsPageResponse,
  TransferResponse,
} from '../../functions/accounts/contracts';
import { isId } from '../../shared/ids/ids';
import {
  apiAs,
  signedInUser,
  startShopCloud,
  type ApiCall,
  type JsonAnswer,
  type JsonCall,
} from '../support/shop-cloud';
import {
  codeOf,
  errorOf,
  expectRefusal,
  expectRefusals,
  tableItems,
  type RefusalCase,
} from '../support/refusals';
import type { SignedInUser } from '../../infra/ops/shop-users';

/** The platform answers a lost race past its retries, and a key still in flight, with this. */
const RETRY_AFTER_SECONDS = 1;

let cloud: LocalCloud;
let logs: string[] = [];
let dynamoDb: DynamoDBClient;
let documents: DynamoDBDocumentClient;
let accountsTable: string;
let ada: SignedInUser;
let grace: SignedInUser;
let staff: SignedInUser;

const as = (user?: SignedInUser): ApiCall => apiAs(cloud, user);
const keyed = (key: string, options: JsonCall = {}): JsonCall => ({
  ...options,
  headers: { ...options.headers, 'Idempotency-Key': key },
});

const accountOf = (answer: JsonAnswer): AccountResponse => answer.body as unknown as AccountResponse;
const depositOf = (answer: JsonAnswer): DepositResponse => answer.body as unknown as DepositResponse;
const transferOf = (answer: JsonAnswer): TransferResponse => answer.body as unknown as TransferResponse;

async function openAccount(user: SignedInUser, currency = 'USD'): Promise<AccountResponse> {
  const answer = await as(user)('POST', '/accounts', { body: { currency } });
  expect(answer.status).toBe(201);
  return accountOf(answer);
}

const deposit = (user: SignedInUser, accountId: string, amountCents: number, key: string = randomUUID()) =>
  as(user)('POST', `/accounts/${accountId}/deposits`, keyed(key, { body: { amountCents } }));

async function openFunded(user: SignedInUser, amountCents: number, currency = 'USD'): Promise<string> {
  const { accountId } = await openAccount(user, currency);
  expect((await deposit(user, accountId, amountCents)).status).toBe(201);
  return accountId;
}

const transfer = (
  user: SignedInUser,
  body: { fromAccountId: string; toAccountId: string; amountCents: number },
  key: string = randomUUID(),
) => as(user)('POST', '/transfers', keyed(key, { body }));

async function readAccount(user: SignedInUser, accountId: string): Promise<AccountResponse> {
  const answer = await as(user)('GET', `/accounts/${accountId}`);
  expect(answer.status).toBe(200);
  return accountOf(answer);
}

/** Every entry of an account's ledger, newest first, read page by page through `nextCursor`. */
async function ledgerOf(user: SignedInUser, accountId: string, limit = 100): Promise<TransactionResponse[]> {
  const entries: TransactionResponse[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const answer = await as(user)('GET', `/accounts/${accountId}/transactions?limit=${limit}${query}`);
    expect(answer.status).toBe(200);
    const page = answer.body as unknown as TransactionsPageResponse;
    entries.push(...page.transactions);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return entries;
}

/** Every item of the accounts table, sorted: what "nothing changed" compares. */

/** A ledger's checks: versions n…1 newest first, each balance the running sum, never below zero. */
function expectLedgerBalanced(account: AccountResponse, ledger: readonly TransactionResponse[]): void {
  expect(ledger.map((entry) => entry.version)).toEqual(
    Array.from({ length: account.version }, (_, n) => account.version - n),
  );
  let running = 0;
  for (const entry of [...ledger].reverse()) {
    running += entry.amountCents;
    expect(entry.balanceCents).toBe(running);
    expect(entry.balanceCents).toBeGreaterThanOrEqual(0);
  }
  expect(running).toBe(account.balanceCents);
}

beforeAll(async () => {
  ({ cloud, logs } = await startShopCloud({ defaultApiName: 'shop-api' }));
  accountsTable = cloud.outputs['ShopAccounts']?.['AccountsTableName'] ?? '';
  dynamoDb = new DynamoDBClient(localClientConfig(cloud.edgeUrl));
  documents = DynamoDBDocumentClient.from(dynamoDb);
  [ada, grace, staff] = await Promise.all([
    signedInUser(cloud, { email: 'ada.accounts@example.com' }),
    signedInUser(cloud, { email: 'grace.accounts@example.com' }),
    signedInUser(cloud, { email: 'radia.accounts@example.com', staff: true }),
  ]);
}, 300_000);

afterAll(async () => {
  dynamoDb?.destroy();
  await cloud?.stop();
});

describe('the accounts context on the local cloud', () => {
  it('runs the accounts stack as the template says, nothing of it unsupported', () => {
    expect(accountsTable).not.toBe('');
    expect(cloud.summary.unsupported.filter((line) => line.startsWith('ShopAccounts/'))).toEqual([]);
  });

  it("opens an account for the caller, which its owner and staff read and another customer cannot tell from one that doesn't exist", async () => {
    // Act
    const opened = await as(ada)('POST', '/accounts', { body: { currency: 'USD' } });
    const account = accountOf(opened);
    const [byOwner, byStaff, byOther, unknown] = await Promise.all([
      as(ada)('GET', `/accounts/${account.accountId}`),
      as(staff)('GET', `/accounts/${account.accountId}`),
      as(grace)('GET', `/accounts/${account.accountId}`),
      as(ada)('GET', '/accounts/acc_01JD0000000000000000000001'),
    ]);

    // Assess
    expect(opened.status).toBe(201);
    expect(isId('account', account.accountId)).toBe(true);
    expect(account).toEqual({
      accountId: account.accountId,
      ownerId: ada.userId,
      currency: 'USD',
      balanceCents: 0,
      version: 0,
    });
    expect(opened.headers.get('location')).toBe(`/accounts/${account.accountId}`);
    expect(byOwner.status).toBe(200);
    expect(byOwner.body).toEqual(account);
    expect(byStaff.status).toBe(200);
    expect(byStaff.body).toEqual(account);
    expectRefusal(byOther, 404, 'ACCOUNT_NOT_FOUND');
    expectRefusal(unknown, 404, 'ACCOUNT_NOT_FOUND');
    expect(errorOf(byOther).error.message).not.toContain(ada.userId);
  });

  it('deposits once per Idempotency-Key: a replay answers the same deposit, another body under the key is refused', async () => {
    // Prepare
    const { accountId } = await openAccount(ada);
    const key = `deposit-${randomUUID()}`;

    // Act
    const first = await deposit(ada, accountId, 2_500, key);
    const replay = await deposit(ada, accountId, 2_500, key);
    const reused = await deposit(ada, accountId, 9_999, key);
    const byStaff = await deposit(staff, accountId, 500);
    const byOther = await deposit(grace, accountId, 500);

    // Assess
    expect(first.status).toBe(201);
    const made = depositOf(first);
    expect(isId('deposit', made.depositId)).toBe(true);
    expect(made).toEqual({
      depositId: made.depositId,
      accountId,
      amountCents: 2_500,
      currency: 'USD',
      balanceCents: 2_500,
      version: 1,
    });
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(made);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expectRefusal(reused, 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(byStaff.status).toBe(201);
    expect(depositOf(byStaff)).toMatchObject({ balanceCents: 3_000, version: 2 });
    expectRefusal(byOther, 404, 'ACCOUNT_NOT_FOUND');
    const account = await readAccount(ada, accountId);
    expect(account).toMatchObject({ balanceCents: 3_000, version: 2 });
    const ledger = await ledgerOf(ada, accountId);
    expect(ledger.map((entry) => [entry.type, entry.amountCents, entry.depositId])).toEqual([
      ['DEPOSIT', 500, depositOf(byStaff).depositId],
      ['DEPOSIT', 2_500, made.depositId],
    ]);
  });

  it('lists an account’s transactions newest first, a page at a time, to its owner and staff only', async () => {
    // Prepare: five deposits, versions 1…5.
    const { accountId } = await openAccount(ada);
    for (const amountCents of [100, 200, 300, 400, 500]) {
      expect((await deposit(ada, accountId, amountCents)).status).toBe(201);
    }

    // Act
    const pages: TransactionsPageResponse[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const answer = await as(staff)('GET', `/accounts/${accountId}/transactions?limit=2${query}`);
      expect(answer.status).toBe(200);
      const page = answer.body as unknown as TransactionsPageResponse;
      pages.push(page);
      cursor = page.nextCursor;
    } while (cursor !== null);
    const byOther = await as(grace)('GET', `/accounts/${accountId}/transactions`);
    const whole = await ledgerOf(ada, accountId);

    // Assess
    expect(pages.map((page) => page.transactions.map((entry) => entry.version))).toEqual([
      [5, 4],
      [3, 2],
      [1],
    ]);
    expect(pages.map((page) => page.nextCursor === null)).toEqual([false, false, true]);
    expect(whole.map((entry) => [entry.version, entry.amountCents, entry.balanceCents])).toEqual([
      [5, 500, 1_500],
      [4, 400, 1_000],
      [3, 300, 600],
      [2, 200, 300],
      [1, 100, 100],
    ]);
    for (const entry of whole) {
      expect(entry).toEqual({
        version: entry.version,
        type: 'DEPOSIT',
        amountCents: entry.amountCents,
        balanceCents: entry.balanceCents,
        occurredAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        depositId: expect.stringMatching(/^dep_/),
      });
    }
    expectRefusal(byOther, 404, 'ACCOUNT_NOT_FOUND');
  });

  it('transfers between two accounts in one step, both legs in the ledgers', async () => {
    // Prepare
    const from = await openFunded(ada, 10_000);
    const { accountId: to } = await openAccount(grace);

    // Act
    const answer = await transfer(ada, { fromAccountId: from, toAccountId: to, amountCents: 2_750 });

    // Assess
    expect(answer.status).toBe(201);
    const made = transferOf(answer);
    expect(isId('transfer', made.transferId)).toBe(true);
    expect(made).toEqual({
      transferId: made.transferId,
      status: 'COMPLETED',
      fromAccountId: from,
      toAccountId: to,
      amountCents: 2_750,
    });
    expect(await readAccount(ada, from)).toMatchObject({ balanceCents: 7_250, version: 2 });
    expect(await readAccount(grace, to)).toMatchObject({ balanceCents: 2_750, version: 1 });
    const [out] = await ledgerOf(ada, from);
    const [into] = await ledgerOf(grace, to);
    expect(out).toMatchObject({
      version: 2,
      type: 'TRANSFER_OUT',
      amountCents: -2_750,
      balanceCents: 7_250,
      transferId: made.transferId,
      counterpartyAccountId: to,
    });
    expect(into).toMatchObject({
      version: 1,
      type: 'TRANSFER_IN',
      amountCents: 2_750,
      balanceCents: 2_750,
      transferId: made.transferId,
      counterpartyAccountId: from,
    });
  });

  it('refuses a transfer the accounts cannot make, and one from an account that is not the caller’s, moving nothing', async () => {
    // Prepare
    const from = await openFunded(ada, 1_000);
    const to = await openFunded(grace, 1_000);
    const { accountId: euros } = await openAccount(grace, 'EUR');
    const unknown = 'acc_01JD0000000000000000000002';
    const before = await tableItems(documents, accountsTable);

    // Act
    const [insufficient, mismatch, same, toUnknown, fromUnknown, fromOthers, fromCustomerByStaff] =
      await Promise.all([
        transfer(ada, { fromAccountId: from, toAccountId: to, amountCents: 1_001 }),
        transfer(ada, { fromAccountId: from, toAccountId: euros, amountCents: 100 }),
        transfer(ada, { fromAccountId: from, toAccountId: from, amountCents: 100 }),
        transfer(ada, { fromAccountId: from, toAccountId: unknown, amountCents: 100 }),
        transfer(ada, { fromAccountId: unknown, toAccountId: to, amountCents: 100 }),
        transfer(ada, { fromAccountId: to, toAccountId: from, amountCents: 100 }),
        transfer(staff, { fromAccountId: to, toAccountId: from, amountCents: 100 }),
      ]);

    // Assess
    expectRefusal(insufficient, 422, 'INSUFFICIENT_FUNDS', 'amountCents');
    expectRefusal(mismatch, 422, 'CURRENCY_MISMATCH', 'toAccountId');
    expectRefusal(same, 422, 'SAME_ACCOUNT', 'toAccountId');
    expectRefusal(toUnknown, 404, 'ACCOUNT_NOT_FOUND');
    expectRefusal(fromUnknown, 404, 'ACCOUNT_NOT_FOUND');
    // Grace's account answers Ada as an unknown one would; not even staff spend a customer's money.
    expectRefusal(fromOthers, 404, 'ACCOUNT_NOT_FOUND');
    expect(errorOf(fromOthers).error.message).toBe(errorOf(fromUnknown).error.message.replace(unknown, to));
    expectRefusal(fromCustomerByStaff, 404, 'ACCOUNT_NOT_FOUND');
    expect(await tableItems(documents, accountsTable)).toEqual(before);
  });

  it('answers every route without a valid ID token at the gateway with 401, and changes nothing', async () => {
    // Prepare
    const accountId = await openFunded(ada, 1_000);
    const { accountId: other } = await openAccount(ada);
    const calls: [string, string, JsonCall][] = [
      ['POST', '/accounts', { body: { currency: 'USD' } }],
      ['GET', `/accounts/${accountId}`, {}],
      ['POST', `/accounts/${accountId}/deposits`, keyed('no-token', { body: { amountCents: 100 } })],
      [
        'POST',
        '/transfers',
        keyed('no-token', { body: { fromAccountId: accountId, toAccountId: other, amountCents: 100 } }),
      ],
      ['GET', `/accounts/${accountId}/transactions`, {}],
    ];
    const before = await tableItems(documents, accountsTable);

    // Act
    const withoutToken = await Promise.all(
      calls.map(([method, path, options]) => as()(method, path, options)),
    );
    const withGarbage = await Promise.all(
      calls.map(([method, path, options]) =>
        as()(method, path, { ...options, headers: { ...options.headers, Authorization: 'not-a-token' } }),
      ),
    );

    // Assess
    for (const answer of [...withoutToken, ...withGarbage]) {
      expect({ status: answer.status, body: answer.body }).toEqual({
        status: 401,
        body: { message: 'Unauthorized' },
      });
    }
    expect(await tableItems(documents, accountsTable)).toEqual(before);
  });

  it('refuses malformed requests with the right 4xx and the error body, changing nothing', async () => {
    // Prepare
    const accountId = await openFunded(ada, 5_000);
    const other = await openFunded(ada, 5_000);
    const path = `/accounts/${accountId}`;
    const goodTransfer = { fromAccountId: accountId, toAccountId: other, amountCents: 100 };
    const depositWith = (body: unknown, options: JsonCall = {}) =>
      as(ada)('POST', `${path}/deposits`, keyed(randomUUID(), { body, ...options }));
    const transferWith = (body: unknown, options: JsonCall = {}) =>
      as(ada)('POST', '/transfers', keyed(randomUUID(), { body, ...options }));
    const cases: RefusalCase[] = [
      ['malformed JSON', () => as(ada)('POST', '/accounts', { raw: '{"currency":' }), 400, 'MALFORMED_JSON'],
      [
        'an owner given in the body',
        () => as(ada)('POST', '/accounts', { body: { currency: 'USD', ownerId: grace.userId } }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a lower-case currency',
        () => as(ada)('POST', '/accounts', { body: { currency: 'usd' } }),
        400,
        'VALIDATION_FAILED',
        'currency',
      ],
      [
        'a number for a currency',
        () => as(ada)('POST', '/accounts', { body: { currency: 840 } }),
        400,
        'VALIDATION_FAILED',
        'currency',
      ],
      ['no body', () => as(ada)('POST', '/accounts'), 400, 'VALIDATION_FAILED'],
      [
        'a text/plain body',
        () =>
          as(ada)('POST', '/accounts', {
            raw: '{"currency":"USD"}',
            headers: { 'Content-Type': 'text/plain' },
          }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'a negative deposit',
        () => depositWith({ amountCents: -100 }),
        400,
        'VALIDATION_FAILED',
        'amountCents',
      ],
      ['a zero deposit', () => depositWith({ amountCents: 0 }), 400, 'VALIDATION_FAILED', 'amountCents'],
      [
        'a fractional deposit',
        () => depositWith({ amountCents: 10.5 }),
        400,
        'VALIDATION_FAILED',
        'amountCents',
      ],
      [
        'a deposit past the largest amount',
        () => depositWith({ amountCents: 1_000_000_001 }),
        400,
        'VALIDATION_FAILED',
        'amountCents',
      ],
      [
        'an amount as a string',
        () => depositWith({ amountCents: '100' }),
        400,
        'VALIDATION_FAILED',
        'amountCents',
      ],
      [
        'a deposit with an unknown field',
        () => depositWith({ amountCents: 100, note: 'x' }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a deposit without Idempotency-Key',
        () => as(ada)('POST', `${path}/deposits`, { body: { amountCents: 100 } }),
        400,
        'IDEMPOTENCY_KEY_MISSING',
      ],
      [
        'a deposit to a malformed account id',
        () =>
          as(ada)(
            'POST',
            '/accounts/not-an-account/deposits',
            keyed(randomUUID(), { body: { amountCents: 1 } }),
          ),
        400,
        'VALIDATION_FAILED',
        'accountId',
      ],
      [
        'a deposit with a query parameter',
        () =>
          as(ada)(
            'POST',
            `${path}/deposits?amountCents=100`,
            keyed(randomUUID(), { body: { amountCents: 1 } }),
          ),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a transfer without a destination',
        () => transferWith({ fromAccountId: accountId, amountCents: 100 }),
        400,
        'VALIDATION_FAILED',
        'toAccountId',
      ],
      [
        'a transfer from an id that is no account id',
        () => transferWith({ ...goodTransfer, fromAccountId: 'ord_01JD0000000000000000000001' }),
        400,
        'VALIDATION_FAILED',
        'fromAccountId',
      ],
      [
        'a transfer naming its currency',
        () => transferWith({ ...goodTransfer, currency: 'USD' }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a transfer of a negative amount',
        () => transferWith({ ...goodTransfer, amountCents: -1 }),
        400,
        'VALIDATION_FAILED',
        'amountCents',
      ],
      ['a transfer as a JSON array', () => transferWith([goodTransfer]), 400, 'VALIDATION_FAILED'],
      [
        'a transfer without Idempotency-Key',
        () => as(ada)('POST', '/transfers', { body: goodTransfer }),
        400,
        'IDEMPOTENCY_KEY_MISSING',
      ],
      [
        'a transfer with an Idempotency-Key past 255 characters',
        () => as(ada)('POST', '/transfers', keyed('k'.repeat(256), { body: goodTransfer })),
        400,
        'IDEMPOTENCY_KEY_INVALID',
      ],
      [
        'a body past 64 KB',
        () => transferWith({ ...goodTransfer, padding: 'x'.repeat(70_000) }),
        413,
        'PAYLOAD_TOO_LARGE',
      ],
      [
        'a malformed account id to read',
        () => as(ada)('GET', '/accounts/ACC_1'),
        400,
        'VALIDATION_FAILED',
        'accountId',
      ],
      [
        'a cursor this API did not issue',
        () => as(ada)('GET', `${path}/transactions?cursor=not-a-cursor`),
        400,
        'INVALID_CURSOR',
        'cursor',
      ],
      [
        'a page size of 0',
        () => as(ada)('GET', `${path}/transactions?limit=0`),
        400,
        'VALIDATION_FAILED',
        'limit',
      ],
      [
        'a page size past 100',
        () => as(ada)('GET', `${path}/transactions?limit=101`),
        400,
        'VALIDATION_FAILED',
        'limit',
      ],
    ];
    const accountsBefore = await Promise.all([readAccount(ada, accountId), readAccount(ada, other)]);
    const before = await tableItems(documents, accountsTable);

    // Act and assess (each answer its refusal)
    await expectRefusals(cases);

    // Assess
    expect(cases.length).toBeGreaterThanOrEqual(15);
    expect(await Promise.all([readAccount(ada, accountId), readAccount(ada, other)])).toEqual(accountsBefore);
    expect(await tableItems(documents, accountsTable)).toEqual(before);
  });

  describe('under load', () => {
    const ACCOUNTS = 10;
    const OWNERS = 4;
    const TRANSFERS = 500;
    const CLIENTS = 32;
    const OPENING_CENTS = 100_000;
    /** A client gives up on a key after this many 409s: a live lock would fail the test, not hang it. */
    const MAX_RESENDS = 30;

    it(`${TRANSFERS} random transfers among ${ACCOUNTS} accounts from ${CLIENTS} clients, a tenth sent twice: the books stay exact`, async () => {
      // Prepare: ten accounts of four owners, each funded by two deposits.
      const random = new SeededRandom(20261127);
      const owners = await Promise.all(
        Array.from({ length: OWNERS }, (_, n) =>
          signedInUser(cloud, { email: `load-${n}.accounts@example.com` }),
        ),
      );
      const ownerOf = (n: number): SignedInUser => owners[n % OWNERS] as SignedInUser;
      const accountIds = await Promise.all(
        Array.from({ length: ACCOUNTS }, async (_, n) => {
          const { accountId } = await openAccount(ownerOf(n));
          for (const amountCents of [OPENING_CENTS / 2, OPENING_CENTS / 2]) {
            expect((await deposit(ownerOf(n), accountId, amountCents)).status).toBe(201);
          }
          return accountId;
        }),
      );
      const transfers = Array.from({ length: TRANSFERS }, (_, n) => {
        const from = Math.floor(random.next() * ACCOUNTS);
        const to = (from + 1 + Math.floor(random.next() * (ACCOUNTS - 1))) % ACCOUNTS;
        return {
          key: `load-${n}-${randomUUID()}`,
          owner: ownerOf(from),
          body: {
            fromAccountId: accountIds[from] as string,
            toAccountId: accountIds[to] as string,
            amountCents: 1 + Math.floor(random.next() * 40_000),
          },
        };
      });
      // A tenth go twice with the same key: the copy somewhere later in the queue, some while the first
      // is still running.
      const queue = [...transfers];
      for (const sent of transfers.filter((_, n) => n % 10 === 3)) {
        const first = queue.indexOf(sent);
        const at = first + 1 + Math.floor(random.next() * Math.min(60, queue.length - first));
        queue.splice(at, 0, sent);
      }
      const answers = new Map<string, JsonAnswer[]>();
      const resent = new Map<string, number>();
      const retryAfterValues = new Set<string | null>();
      async function send(sent: (typeof transfers)[number]): Promise<void> {
        let resends = 0;
        // A 409 (a lost race past the server's retries, or the key still in flight) is sent again with
        // the same key after Retry-After, as a client would.
        const answer = await eventually(
          async () => {
            const reply = await transfer(sent.owner, sent.body, sent.key);
            if (reply.status !== 409 || resends >= MAX_RESENDS) return reply;
            resends += 1;
            resent.set(codeOf(reply), (resent.get(codeOf(reply)) ?? 0) + 1);
            retryAfterValues.add(reply.headers.get('retry-after'));
            return undefined;
          },
          {
            timeoutMs: (MAX_RESENDS + 1) * 60_000,
            intervalMs: RETRY_AFTER_SECONDS * 1_000,
            what: `an answer to transfer ${sent.key} other than 409`,
          },
        );
        answers.set(sent.key, [...(answers.get(sent.key) ?? []), answer]);
      }

      // Act: 32 clients drain the queue.
      const logLinesBefore = logs.length;
      const startedAt = Date.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (next < queue.length) {
            const sent = queue[next++];
            if (sent !== undefined) await send(sent);
          }
        }),
      );
      const elapsedMs = Date.now() - startedAt;
      const lostRaces = logs
        .slice(logLinesBefore)
        .filter((line) => line.includes('Optimistic lock conflict')).length;

      // Assess: only two answers: done, or refused for want of money. A refusal is not stored, so its
      // copy may succeed on a later balance, as a client's retry would.
      const all = [...answers.values()].flat();
      expect(all).toHaveLength(queue.length);
      const outcomes = new Map<string, number>();
      for (const answer of all) {
        const outcome = answer.status === 201 ? '201' : `${answer.status} ${codeOf(answer)}`;
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
      expect(
        [...outcomes.keys()].filter((outcome) => !['201', '422 INSUFFICIENT_FUNDS'].includes(outcome)),
      ).toEqual([]);
      for (const answer of all.filter((reply) => reply.status === 422)) {
        expectRefusal(answer, 422, 'INSUFFICIENT_FUNDS', 'amountCents');
      }
      expect([...retryAfterValues].filter((value) => value !== String(RETRY_AFTER_SECONDS))).toEqual([]);
      // Every 201 of one key is the same transfer; each key applied at most once.
      const applied = new Map<string, TransferResponse>();
      for (const sent of transfers) {
        const done = (answers.get(sent.key) ?? []).filter((answer) => answer.status === 201);
        expect(new Set(done.map((answer) => answer.text)).size).toBeLessThanOrEqual(1);
        const [answer] = done;
        if (answer === undefined) continue;
        const made = transferOf(answer);
        expect(made).toEqual({ ...sent.body, transferId: made.transferId, status: 'COMPLETED' });
        applied.set(sent.key, made);
      }
      const transferIds = [...applied.values()].map((made) => made.transferId);
      expect(new Set(transferIds).size).toBe(applied.size);
      expect(applied.size).toBeGreaterThan(TRANSFERS / 2);

      // The books, read through the API as each account's owner.
      const books = await Promise.all(
        accountIds.map(async (accountId, n) => ({
          account: await readAccount(ownerOf(n), accountId),
          ledger: await ledgerOf(ownerOf(n), accountId),
        })),
      );
      // Money unchanged, no balance below zero, every ledger sums to its balance, version = entries.
      expect(books.reduce((sum, { account }) => sum + account.balanceCents, 0)).toBe(
        ACCOUNTS * OPENING_CENTS,
      );
      for (const { account, ledger } of books) {
        expect(account.balanceCents).toBeGreaterThanOrEqual(0);
        expect(account.version).toBe(ledger.length);
        expectLedgerBalanced(account, ledger);
        expect(ledger.filter((entry) => entry.type === 'DEPOSIT')).toHaveLength(2);
      }
      // Each applied transfer has exactly one debit and one credit, matching its answer; no other legs.
      const legs = books.flatMap(({ account, ledger }) =>
        ledger
          .filter((entry) => entry.type !== 'DEPOSIT')
          .map((entry) => ({ ...entry, accountId: account.accountId })),
      );
      expect(legs).toHaveLength(2 * applied.size);
      const legsById = new Map<string, typeof legs>();
      for (const leg of legs)
        legsById.set(leg.transferId ?? '', [...(legsById.get(leg.transferId ?? '') ?? []), leg]);
      expect([...legsById.keys()].sort()).toEqual([...transferIds].sort());
      for (const made of applied.values()) {
        const pair = (legsById.get(made.transferId) ?? []).map((leg) => [
          leg.type,
          leg.accountId,
          leg.counterpartyAccountId,
          leg.amountCents,
        ]);
        expect(pair.sort()).toEqual(
          [
            ['TRANSFER_IN', made.toAccountId, made.fromAccountId, made.amountCents],
            ['TRANSFER_OUT', made.fromAccountId, made.toAccountId, -made.amountCents],
          ].sort(),
        );
      }
      // The locks were contended for real.
      expect(lostRaces).toBeGreaterThan(0);
      const replayed = all.filter((answer) => answer.headers.get('idempotent-replayed') === 'true').length;
      process.stdout.write(
        `accounts on the local cloud: ${queue.length} requests (${applied.size} transfers applied, ` +
          `${replayed} answered as replays) in ${elapsedMs} ms, ${lostRaces} lost races retried by the server; outcomes ${JSON.stringify(Object.fromEntries(outcomes))}; ` +
          `409s sent again: ${JSON.stringify(Object.fromEntries(resent))}\n`,
      );
    }, 900_000);
  });
});
