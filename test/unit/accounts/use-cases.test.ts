import type { Requester } from '../../../shared/identity/requester';
import { ConcurrencyError } from '../../../shared/errors/app-error';
import { IdempotencyKeyReusedError } from '../../../shared/idempotency/errors';
import { InMemoryAccountRepository } from '../../../functions/accounts/adapters/in-memory-account-repository';
import { makeDepositMoney } from '../../../functions/accounts/application/deposit-money';
import { InvalidCursorError } from '../../../functions/accounts/application/errors';
import { makeGetAccount } from '../../../functions/accounts/application/get-account';
import { makeListTransactions } from '../../../functions/accounts/application/list-transactions';
import { makeOpenAccount } from '../../../functions/accounts/application/open-account';
import { makeTransferMoney } from '../../../functions/accounts/application/transfer-money';
import { ledgerSum, type Account } from '../../../functions/accounts/domain/account';
import {
  AccountNotFoundError,
  CurrencyMismatchError,
  InsufficientFundsError,
  SameAccountError,
} from '../../../functions/accounts/domain/errors';
import type {
  AccountRepository,
  DepositWrite,
  LedgerPage,
  TransferWrite,
} from '../../../functions/accounts/ports/account-repository';
import {
  accountId,
  ALICE,
  alice,
  bob,
  BOB,
  depositId,
  FIXED_NOW,
  fixedClock,
  instantRetry,
  nextTick,
  seededRandom,
  sequence,
  staff,
  transferId,
} from './fixtures';

/**
 * The in-memory repository, counting reads and running `beforeSave` (once per write, while it returns
 * more work) between a use case's read and its write: a concurrent writer.
 */
class InterleavedRepository implements AccountRepository {
  readonly reads: string[] = [];
  saves = 0;
  constructor(
    readonly inner: InMemoryAccountRepository,
    private readonly beforeSave: (save: number) => Promise<void> = async () => {},
  ) {}
  findAccount(id: string) {
    this.reads.push(id);
    return this.inner.findAccount(id);
  }
  findClaim(key: string) {
    return this.inner.findClaim(key);
  }
  listEntries(id: string, page: LedgerPage) {
    return this.inner.listEntries(id, page);
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
  async saveDeposit(write: DepositWrite) {
    await this.beforeSave(++this.saves);
    return this.inner.saveDeposit(write);
  }
  async saveTransfer(write: TransferWrite) {
    await this.beforeSave(++this.saves);
    return this.inner.saveTransfer(write);
  }
}

/** A bank of accounts in one repository, and every use case over it. */
type Owners = readonly { owner: string; currency?: string; balanceCents?: number }[];

async function bankOn<R extends AccountRepository>(owners: Owners, repository: R) {
  const open = makeOpenAccount({ repository, newAccountId: sequence(accountId), now: fixedClock });
  const deposit = makeDepositMoney({
    repository,
    newDepositId: sequence(depositId),
    now: fixedClock,
    retry: instantRetry,
  });
  /** Every transfer outcome counted, `metric` or `metric/reason`. */
  const counted: string[] = [];
  const transfer = makeTransferMoney({
    repository,
    newTransferId: sequence(transferId),
    now: fixedClock,
    retry: instantRetry,
    countOutcome: (metric, reason) =>
      void counted.push(reason === undefined ? metric : `${metric}/${reason}`),
  });
  let keys = 0;
  const accounts: Account[] = [];
  for (const { owner, currency, balanceCents } of owners) {
    const account = await open({ currency: currency ?? 'USD' }, { userId: owner, isStaff: false });
    if (balanceCents !== undefined && balanceCents > 0) {
      await deposit(
        { accountId: account.accountId, amountCents: balanceCents, requestKey: `seed-${++keys}` },
        staff,
      );
    }
    accounts.push(account);
  }
  return {
    repository,
    accounts,
    counted,
    open,
    deposit,
    transfer,
    get: makeGetAccount({ reader: repository }),
    list: makeListTransactions({ reader: repository }),
  };
}

/** The bank in memory. */
const bank = (owners: Owners) => bankOn(owners, new InMemoryAccountRepository());

function expectLedgersBalanced(repository: InMemoryAccountRepository): void {
  for (const account of repository.allAccounts()) {
    const ledger = repository.ledgerOf(account.accountId);
    expect(account.balanceCents).toBeGreaterThanOrEqual(0);
    expect(ledgerSum(ledger)).toBe(account.balanceCents);
    expect(account.version).toBe(ledger.length);
  }
}

describe('opening and reading an account', () => {
  test('a customer opens their own empty account at version 0', async () => {
    // Prepare
    const { open, get } = await bank([]);
    // Act
    const account = await open({ currency: 'EUR' }, alice);
    // Assess
    expect(account).toEqual({
      accountId: accountId(1),
      ownerId: ALICE,
      currency: 'EUR',
      balanceCents: 0,
      version: 0,
      openedAt: FIXED_NOW,
    });
    expect(await get(accountId(1), alice)).toEqual(account);
  });

  test('the owner and staff read it; anyone else gets the 404 of an unknown account', async () => {
    // Prepare
    const { get } = await bank([{ owner: ALICE }]);
    // Act
    const results = await Promise.allSettled([
      get(accountId(1), alice),
      get(accountId(1), staff),
      get(accountId(1), bob),
      get(accountId(9), alice),
    ]);
    // Assess
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
    ]);
    const [, , hidden, unknown] = results;
    expect(hidden).toMatchObject({ reason: expect.any(AccountNotFoundError) });
    expect(unknown).toMatchObject({ reason: expect.any(AccountNotFoundError) });
  });
});

describe('deposits', () => {
  test('credit the account at its next version, with one ledger entry', async () => {
    // Prepare
    const { deposit, repository } = await bank([{ owner: ALICE }]);
    // Act
    const made = await deposit({ accountId: accountId(1), amountCents: 2_500, requestKey: 'k1' }, alice);
    // Assess
    expect(made).toEqual({
      depositId: depositId(1),
      accountId: accountId(1),
      amountCents: 2_500,
      currency: 'USD',
      balanceCents: 2_500,
      version: 1,
      depositedBy: ALICE,
      depositedAt: FIXED_NOW,
    });
    expect(repository.ledgerOf(accountId(1))).toEqual([
      {
        type: 'DEPOSIT',
        accountId: accountId(1),
        version: 1,
        amountCents: 2_500,
        balanceCents: 2_500,
        occurredAt: FIXED_NOW,
        depositId: depositId(1),
      },
    ]);
  });

  test('staff top up a customer account; another customer gets 404 and changes nothing', async () => {
    // Prepare
    const { deposit, repository } = await bank([{ owner: ALICE }]);
    // Act
    await deposit({ accountId: accountId(1), amountCents: 100, requestKey: 'k1' }, staff);
    const refused = deposit({ accountId: accountId(1), amountCents: 100, requestKey: 'k2' }, bob);
    // Assess
    await expect(refused).rejects.toBeInstanceOf(AccountNotFoundError);
    expect(repository.allAccounts()).toEqual([expect.objectContaining({ balanceCents: 100, version: 1 })]);
  });

  test('a retry with the key answers the same deposit and credits nothing more', async () => {
    // Prepare
    const { deposit, repository } = await bank([{ owner: ALICE }]);
    const first = await deposit({ accountId: accountId(1), amountCents: 700, requestKey: 'k1' }, alice);
    await deposit({ accountId: accountId(1), amountCents: 5, requestKey: 'k2' }, alice);
    // Act
    const again = await deposit({ accountId: accountId(1), amountCents: 700, requestKey: 'k1' }, alice);
    // Assess
    expect(again).toEqual(first);
    expect(repository.allAccounts()).toEqual([expect.objectContaining({ balanceCents: 705, version: 2 })]);
  });

  test.each([
    ['another amount', { accountId: accountId(1), amountCents: 701 }],
    ['another account', { accountId: accountId(2), amountCents: 700 }],
  ])('the key with %s is a 422 IDEMPOTENCY_KEY_REUSED, and nothing is credited', async (_, request) => {
    // Prepare
    const { deposit, repository } = await bank([{ owner: ALICE }, { owner: ALICE }]);
    await deposit({ accountId: accountId(1), amountCents: 700, requestKey: 'k1' }, alice);
    // Act
    const reused = deposit({ ...request, requestKey: 'k1' }, alice);
    // Assess
    await expect(reused).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(repository.allAccounts().map((account) => account.balanceCents)).toEqual([700, 0]);
  });

  test('two callers with one key each make their own deposit', async () => {
    // Prepare
    const { deposit, repository } = await bank([{ owner: ALICE }]);
    // Act
    await deposit({ accountId: accountId(1), amountCents: 10, requestKey: 'same' }, alice);
    await deposit({ accountId: accountId(1), amountCents: 10, requestKey: 'same' }, staff);
    // Assess
    expect(repository.allAccounts()).toEqual([expect.objectContaining({ balanceCents: 20, version: 2 })]);
  });

  test('beaten between its read and its write, it decides again on the state the failed write returned', async () => {
    // Prepare: another deposit lands between the first read and the first write.
    const inner = new InMemoryAccountRepository();
    const direct = makeDepositMoney({
      repository: inner,
      newDepositId: () => depositId(99),
      now: fixedClock,
    });
    const rival = (amountCents: number) =>
      direct({ accountId: accountId(1), amountCents, requestKey: 'rival' }, staff);
    const repository = new InterleavedRepository(inner, async (save) => {
      if (save === 1) await rival(40);
    });
    const { deposit } = await bankOn([{ owner: ALICE }], repository);
    repository.reads.length = 0;
    // Act
    const made = await deposit({ accountId: accountId(1), amountCents: 60, requestKey: 'k1' }, alice);
    // Assess
    expect(made).toMatchObject({ balanceCents: 100, version: 2 });
    expect(repository.reads).toEqual([accountId(1)]);
    expect(inner.ledgerOf(accountId(1)).map((entry) => entry.amountCents)).toEqual([40, 60]);
  });
});

describe('transfers', () => {
  test('move money between two accounts: both at their next version, one transfer, two entries', async () => {
    // Prepare
    const { transfer, repository } = await bank([{ owner: ALICE, balanceCents: 1_000 }, { owner: BOB }]);
    // Act
    const made = await transfer(
      { fromAccountId: accountId(1), toAccountId: accountId(2), amountCents: 300, requestKey: 't1' },
      alice,
    );
    // Assess
    expect(made).toEqual({
      transferId: transferId(1),
      status: 'COMPLETED',
      fromAccountId: accountId(1),
      toAccountId: accountId(2),
      amountCents: 300,
      currency: 'USD',
      requestedBy: ALICE,
      createdAt: FIXED_NOW,
    });
    expect(repository.allAccounts().map(({ balanceCents, version }) => ({ balanceCents, version }))).toEqual([
      { balanceCents: 700, version: 2 },
      { balanceCents: 300, version: 1 },
    ]);
    expect(repository.transfers).toEqual([made]);
    expect(repository.ledgerOf(accountId(2))).toEqual([
      expect.objectContaining({ type: 'TRANSFER_IN', amountCents: 300, counterpartyAccountId: accountId(1) }),
    ]);
    expectLedgersBalanced(repository);
  });

  test.each<[string, { from: number; to: number; amountCents: number }, Requester, unknown]>([
    ['an unknown source', { from: 9, to: 2, amountCents: 1 }, alice, AccountNotFoundError],
    ['a source of another customer', { from: 2, to: 1, amountCents: 1 }, alice, AccountNotFoundError],
    ['a source staff do not own', { from: 1, to: 2, amountCents: 1 }, staff, AccountNotFoundError],
    ['an unknown destination', { from: 1, to: 9, amountCents: 1 }, alice, AccountNotFoundError],
    ['more than the balance', { from: 1, to: 2, amountCents: 1_001 }, alice, InsufficientFundsError],
    ['another currency', { from: 1, to: 3, amountCents: 1 }, alice, CurrencyMismatchError],
    ['the same account', { from: 1, to: 1, amountCents: 1 }, alice, SameAccountError],
  ])('refuse %s and change nothing', async (_, { from, to, amountCents }, requester, refusal) => {
    // Prepare
    const { transfer, repository } = await bank([
      { owner: ALICE, balanceCents: 1_000 },
      { owner: BOB, balanceCents: 50 },
      { owner: BOB, currency: 'EUR' },
    ]);
    const before = repository.allAccounts();
    // Act
    const refused = transfer(
      { fromAccountId: accountId(from), toAccountId: accountId(to), amountCents, requestKey: 't1' },
      requester,
    );
    // Assess
    await expect(refused).rejects.toBeInstanceOf(refusal);
    expect(repository.allAccounts()).toEqual(before);
    expect(repository.transfers).toEqual([]);
    expect(await repository.findClaim(`POST /transfers#${requester.userId}#t1`)).toBeUndefined();
  });

  test('refuse the same account before reading anything', async () => {
    // Prepare
    const repository = new InterleavedRepository(new InMemoryAccountRepository());
    const { transfer } = await bankOn([{ owner: ALICE, balanceCents: 10 }], repository);
    repository.reads.length = 0;
    // Act
    const refused = transfer(
      { fromAccountId: accountId(1), toAccountId: accountId(1), amountCents: 1, requestKey: 't1' },
      alice,
    );
    // Assess
    await expect(refused).rejects.toMatchObject({ code: 'SAME_ACCOUNT' });
    expect(repository.reads).toEqual([]);
  });

  test('a retry with the key answers the same transfer, even once the source could no longer pay it', async () => {
    // Prepare
    const { transfer, repository } = await bank([{ owner: ALICE, balanceCents: 500 }, { owner: BOB }]);
    const request = {
      fromAccountId: accountId(1),
      toAccountId: accountId(2),
      amountCents: 500,
      requestKey: 't1',
    };
    const first = await transfer(request, alice);
    // Act
    const again = await transfer(request, alice);
    // Assess
    expect(again).toEqual(first);
    expect(repository.transfers).toHaveLength(1);
    expect(repository.allAccounts().map((account) => account.balanceCents)).toEqual([0, 500]);
  });

  test.each([
    ['another amount', { toAccountId: accountId(2), amountCents: 2 }],
    ['another destination', { toAccountId: accountId(3), amountCents: 1 }],
  ])('the key with %s is a 422 IDEMPOTENCY_KEY_REUSED, and nothing moves', async (_, change) => {
    // Prepare
    const { transfer, repository } = await bank([
      { owner: ALICE, balanceCents: 100 },
      { owner: BOB },
      { owner: BOB },
    ]);
    await transfer(
      { fromAccountId: accountId(1), toAccountId: accountId(2), amountCents: 1, requestKey: 't1' },
      alice,
    );
    // Act
    const reused = transfer({ fromAccountId: accountId(1), ...change, requestKey: 't1' }, alice);
    // Assess
    await expect(reused).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(repository.allAccounts().map((account) => account.balanceCents)).toEqual([99, 1, 0]);
  });

  test('a deposit key is not a transfer key: each route claims its own', async () => {
    // Prepare
    const { deposit, transfer, repository } = await bank([
      { owner: ALICE, balanceCents: 10 },
      { owner: BOB },
    ]);
    // Act
    await deposit({ accountId: accountId(1), amountCents: 5, requestKey: 'k' }, alice);
    await transfer(
      { fromAccountId: accountId(1), toAccountId: accountId(2), amountCents: 15, requestKey: 'k' },
      alice,
    );
    // Assess
    expect(repository.allAccounts().map((account) => account.balanceCents)).toEqual([0, 15]);
  });

  test('concurrent requests with one key make one transfer, and all answer it', async () => {
    // Prepare
    const { transfer, repository } = await bank([{ owner: ALICE, balanceCents: 100 }, { owner: BOB }]);
    const request = {
      fromAccountId: accountId(1),
      toAccountId: accountId(2),
      amountCents: 60,
      requestKey: 't1',
    };
    // Act
    const answers = await Promise.all(Array.from({ length: 8 }, () => transfer(request, alice)));
    // Assess
    expect(new Set(answers.map((answer) => answer.transferId)).size).toBe(1);
    expect(repository.transfers).toHaveLength(1);
    expect(repository.allAccounts().map((account) => account.balanceCents)).toEqual([40, 60]);
  });

  test('beaten between its read and its write, it decides on the returned state, reading nothing again', async () => {
    // Prepare: a deposit into the source lands between the read and the first write.
    const inner = new InMemoryAccountRepository();
    const direct = makeDepositMoney({
      repository: inner,
      newDepositId: () => depositId(99),
      now: fixedClock,
    });
    const rival = () => direct({ accountId: accountId(1), amountCents: 1, requestKey: 'rival' }, staff);
    const repository = new InterleavedRepository(inner, async (save) => {
      if (save === 2) await rival();
    });
    const { transfer } = await bankOn([{ owner: ALICE, balanceCents: 100 }, { owner: BOB }], repository);
    repository.reads.length = 0;
    // Act
    await transfer(
      { fromAccountId: accountId(1), toAccountId: accountId(2), amountCents: 100, requestKey: 't1' },
      alice,
    );
    // Assess
    expect(repository.reads).toEqual([accountId(1), accountId(2)]);
    expect(inner.allAccounts().map(({ balanceCents, version }) => ({ balanceCents, version }))).toEqual([
      { balanceCents: 1, version: 3 },
      { balanceCents: 100, version: 1 },
    ]);
    expectLedgersBalanced(inner);
  });

  test('a race that leaves the source short is decided again on the fresh state: INSUFFICIENT_FUNDS', async () => {
    // Prepare: a rival transfer empties the source between this one's read and its write.
    const inner = new InMemoryAccountRepository();
    const direct = makeTransferMoney({
      repository: inner,
      newTransferId: () => transferId(99),
      now: fixedClock,
    });
    const rival = () =>
      direct(
        { fromAccountId: accountId(1), toAccountId: accountId(3), amountCents: 80, requestKey: 'r' },
        alice,
      );
    const repository = new InterleavedRepository(inner, async (save) => {
      if (save === 2) await rival();
    });
    const { transfer } = await bankOn(
      [{ owner: ALICE, balanceCents: 100 }, { owner: BOB }, { owner: BOB }],
      repository,
    );
    // Act
    const refused = transfer(
      { fromAccountId: accountId(1), toAccountId: accountId(2), amountCents: 50, requestKey: 't1' },
      alice,
    );
    // Assess
    await expect(refused).rejects.toBeInstanceOf(InsufficientFundsError);
    expect(inner.allAccounts().map((account) => account.balanceCents)).toEqual([20, 0, 80]);
    expect(inner.transfers.map((made) => made.transferId)).toEqual([transferId(99)]);
    expectLedgersBalanced(inner);
  });

  test('are counted: a lost race, a refusal by its code, a transfer made once (its replay nothing)', async () => {
    // Prepare: a rival transfer empties the source between this one's read and its write.
    const inner = new InMemoryAccountRepository();
    const direct = makeTransferMoney({
      repository: inner,
      newTransferId: () => transferId(99),
      now: fixedClock,
    });
    const repository = new InterleavedRepository(inner, async (save) => {
      if (save === 2) {
        await direct(
          { fromAccountId: accountId(1), toAccountId: accountId(3), amountCents: 80, requestKey: 'r' },
          alice,
        );
      }
    });
    const { transfer, counted } = await bankOn(
      [{ owner: ALICE, balanceCents: 100 }, { owner: BOB }, { owner: BOB }],
      repository,
    );
    const request = { fromAccountId: accountId(1), toAccountId: accountId(2) };
    // Act
    await expect(transfer({ ...request, amountCents: 50, requestKey: 't1' }, alice)).rejects.toBeInstanceOf(
      InsufficientFundsError,
    );
    await transfer({ ...request, amountCents: 5, requestKey: 't2' }, alice);
    await transfer({ ...request, amountCents: 5, requestKey: 't2' }, alice);
    // Assess
    expect(counted).toEqual(['TransferLostRaces', 'TransfersRefused/INSUFFICIENT_FUNDS', 'TransfersMade']);
  });

  test('a writer beaten every time gives up with ConcurrencyError and writes nothing', async () => {
    // Prepare: every write is preceded by a rival deposit.
    const inner = new InMemoryAccountRepository();
    const direct = makeDepositMoney({
      repository: inner,
      newDepositId: () => depositId(99),
      now: fixedClock,
    });
    let rivals = 0;
    const rival = () =>
      direct({ accountId: accountId(2), amountCents: 1, requestKey: `rival-${++rivals}` }, staff);
    const repository = new InterleavedRepository(inner, async (save) => {
      if (save > 1) await rival();
    });
    await bankOn([{ owner: ALICE, balanceCents: 100 }, { owner: BOB }], repository);
    const bounded = makeTransferMoney({
      repository,
      newTransferId: sequence(transferId),
      now: fixedClock,
      retry: { ...instantRetry, maxAttempts: 5 },
    });
    // Act
    const gaveUp = bounded(
      { fromAccountId: accountId(1), toAccountId: accountId(2), amountCents: 10, requestKey: 't1' },
      alice,
    );
    // Assess
    await expect(gaveUp).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(gaveUp).rejects.toThrow(/gave up after 5 attempts/);
    expect(inner.transfers).toEqual([]);
    expect(inner.allAccounts().map((account) => account.balanceCents)).toEqual([100, 5]);
    expect(await inner.findClaim(`POST /transfers#${ALICE}#t1`)).toBeUndefined();
  });

  test('300 transfers among 5 accounts at once: each applied once, money conserved, every ledger balanced', async () => {
    // Prepare
    const random = seededRandom(7);
    const owners = [ALICE, BOB, ALICE, BOB, ALICE];
    const { transfer, repository } = await bank(owners.map((owner) => ({ owner, balanceCents: 1_000 })));
    const requests = Array.from({ length: 300 }, (_, n) => {
      const from = 1 + Math.floor(random() * 5);
      const to = 1 + ((from + Math.floor(random() * 4)) % 5);
      return {
        request: {
          fromAccountId: accountId(from),
          toAccountId: accountId(to),
          amountCents: 1 + Math.floor(random() * 100),
          requestKey: `t${n}`,
        },
        requester: { userId: owners[from - 1] ?? ALICE, isStaff: false },
      };
    });
    // Act
    const outcomes = await Promise.allSettled(
      requests.map(({ request, requester }) => transfer(request, requester)),
    );
    // Assess
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    for (const outcome of refused) expect(outcome.reason).toBeInstanceOf(InsufficientFundsError);
    expect(repository.transfers).toHaveLength(300 - refused.length);
    expect(repository.transfers.length).toBeGreaterThan(200);
    const accounts = repository.allAccounts();
    expect(accounts.reduce((sum, account) => sum + account.balanceCents, 0)).toBe(5_000);
    expectLedgersBalanced(repository);
  });
});

describe('listing transactions', () => {
  async function accountWithEntries(count: number) {
    const api = await bank([{ owner: ALICE }]);
    for (let n = 1; n <= count; n += 1) {
      await api.deposit({ accountId: accountId(1), amountCents: n, requestKey: `d${n}` }, alice);
    }
    return api;
  }

  test('pages through the ledger newest first, with a cursor until the first entry', async () => {
    // Prepare
    const { list } = await accountWithEntries(5);
    // Act
    const first = await list(accountId(1), alice, { limit: 2 });
    const second = await list(accountId(1), alice, { limit: 2, cursor: first.nextCursor });
    const last = await list(accountId(1), staff, { limit: 2, cursor: second.nextCursor });
    // Assess
    expect([first, second, last].map((page) => page.entries.map((entry) => entry.version))).toEqual([
      [5, 4],
      [3, 2],
      [1],
    ]);
    expect(last.nextCursor).toBeUndefined();
  });

  test('a page that ends on the first entry has no next page', async () => {
    const { list } = await accountWithEntries(2);
    expect((await list(accountId(1), alice, { limit: 2 })).nextCursor).toBeUndefined();
    expect(await list(accountId(1), alice, {})).toEqual({ entries: expect.any(Array) });
  });

  test('an account without entries answers an empty page', async () => {
    const { list } = await accountWithEntries(0);
    expect(await list(accountId(1), alice, {})).toEqual({ entries: [] });
  });

  test.each(['not-base64!', 'e30', Buffer.from('{"v":1,"before":1}').toString('base64url'), 'bm90IGpzb24'])(
    'refuses the cursor %j: 400 INVALID_CURSOR, before any read',
    async (cursor) => {
      const repository = new InterleavedRepository(new InMemoryAccountRepository());
      const { list } = await bankOn([{ owner: ALICE }], repository);
      repository.reads.length = 0;
      await expect(list(accountId(1), alice, { cursor })).rejects.toBeInstanceOf(InvalidCursorError);
      expect(repository.reads).toEqual([]);
    },
  );

  test('another customer gets the 404 of an unknown account', async () => {
    const { list } = await accountWithEntries(1);
    await expect(list(accountId(1), bob, {})).rejects.toBeInstanceOf(AccountNotFoundError);
  });
});

describe('the in-memory repository', () => {
  test('yields before each call, so concurrent callers interleave', async () => {
    // Prepare
    const repository = new InMemoryAccountRepository();
    const order: string[] = [];
    // Act
    await Promise.all([
      repository.findAccount(accountId(1)).then(() => order.push('read')),
      nextTick().then(() => order.push('tick')),
    ]);
    // Assess
    expect(order).toEqual(['read', 'tick']);
  });
});
