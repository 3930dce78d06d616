import {
  accountFor,
  existingAccount,
  ledgerSum,
  mayServe,
  maySpendFrom,
  openAccount,
  type Account,
  type LedgerEntry,
} from '../../../functions/accounts/domain/account';
import { decideDeposit } from '../../../functions/accounts/domain/deposit';
import {
  AccountNotFoundError,
  BalanceLimitExceededError,
  CurrencyMismatchError,
  InsufficientFundsError,
  InvalidAccountInputError,
  SameAccountError,
} from '../../../functions/accounts/domain/errors';
import {
  isCurrencyCode,
  isValidAmount,
  MAX_AMOUNT_CENTS,
  MAX_BALANCE_CENTS,
} from '../../../functions/accounts/domain/money';
import { checkTransferRequest, decideTransfer } from '../../../functions/accounts/domain/transfer';
import { thrownBy } from '../http/proxy-event';
import {
  accountId,
  ALICE,
  alice,
  anAccount,
  bob,
  BOB,
  depositId,
  FIXED_NOW,
  seededRandom,
  staff,
  transferId,
} from './fixtures';

const transferCommand = (amountCents: number, overrides: { from?: string; to?: string } = {}) => ({
  fromAccountId: overrides.from ?? accountId(1),
  toAccountId: overrides.to ?? accountId(2),
  amountCents,
  transferId: transferId(1),
  requester: alice,
  at: FIXED_NOW,
});

describe('money', () => {
  test.each(['USD', 'EUR', 'JPY', 'GBP', 'CHF'])('%s is a currency', (code) => {
    expect(isCurrencyCode(code)).toBe(true);
  });

  test.each(['usd', 'Usd', 'US', 'USDD', 'ABC', 'XYZ', '', ' USD', '123'])('%j is not', (code) => {
    expect(isCurrencyCode(code)).toBe(false);
  });

  test('amounts are whole minor units from 1 to the maximum', () => {
    expect([1, 250, MAX_AMOUNT_CENTS].map(isValidAmount)).toEqual([true, true, true]);
    expect([0, -1, 1.5, MAX_AMOUNT_CENTS + 1, Number.NaN, Infinity].map(isValidAmount)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('openAccount', () => {
  test('opens an empty account at version 0: no change yet', () => {
    // Act
    const account = openAccount({
      accountId: accountId(1),
      ownerId: ALICE,
      currency: 'EUR',
      openedAt: FIXED_NOW,
    });
    // Assess
    expect(account).toEqual({
      accountId: accountId(1),
      ownerId: ALICE,
      currency: 'EUR',
      balanceCents: 0,
      version: 0,
      openedAt: FIXED_NOW,
    });
  });

  test('refuses a currency that is not ISO 4217 upper case', () => {
    expect(() =>
      openAccount({ accountId: accountId(1), ownerId: ALICE, currency: 'eur', openedAt: FIXED_NOW }),
    ).toThrow(InvalidAccountInputError);
  });
});

describe('who may act on an account', () => {
  const account = anAccount({ ownerId: ALICE });

  test('the owner and staff are served; anyone else is not', () => {
    expect([alice, staff, bob].map((requester) => mayServe(account, requester))).toEqual([true, true, false]);
  });

  test('only the owner spends, not even staff', () => {
    expect([alice, staff, bob].map((requester) => maySpendFrom(account, requester))).toEqual([
      true,
      false,
      false,
    ]);
  });

  test('an account someone may not see is as unknown as one that does not exist', () => {
    // Act
    const hidden = thrownBy(() => accountFor(account, account.accountId, bob, mayServe));
    const missing = thrownBy(() => accountFor(undefined, account.accountId, bob, mayServe));
    // Assess
    expect(hidden).toBeInstanceOf(AccountNotFoundError);
    expect(missing).toBeInstanceOf(AccountNotFoundError);
    expect((hidden as Error).message).toBe((missing as Error).message);
    expect(accountFor(account, account.accountId, staff, mayServe)).toBe(account);
    expect(() => existingAccount(undefined, accountId(7))).toThrow(AccountNotFoundError);
  });
});

describe('decideDeposit', () => {
  test('credits the amount at the next version, with its ledger entry and the deposit as made', () => {
    // Prepare
    const account = anAccount({ balanceCents: 500, version: 3 });
    // Act
    const decision = decideDeposit(account, {
      depositId: depositId(1),
      amountCents: 250,
      requester: staff,
      at: FIXED_NOW,
    });
    // Assess
    expect(decision.account).toEqual({ ...account, balanceCents: 750, version: 4 });
    expect(decision.entry).toEqual({
      type: 'DEPOSIT',
      accountId: account.accountId,
      version: 4,
      amountCents: 250,
      balanceCents: 750,
      occurredAt: FIXED_NOW,
      depositId: depositId(1),
    });
    expect(decision.deposit).toEqual({
      depositId: depositId(1),
      accountId: account.accountId,
      amountCents: 250,
      currency: 'USD',
      balanceCents: 750,
      version: 4,
      depositedBy: staff.userId,
      depositedAt: FIXED_NOW,
    });
  });

  test.each([0, -5, 1.5, MAX_AMOUNT_CENTS + 1])('refuses an amount of %p', (amountCents) => {
    expect(() =>
      decideDeposit(anAccount(), { depositId: depositId(1), amountCents, requester: alice, at: FIXED_NOW }),
    ).toThrow(InvalidAccountInputError);
  });

  test('refuses to take a balance past the maximum', () => {
    const account = anAccount({ balanceCents: MAX_BALANCE_CENTS - 10 });
    expect(() =>
      decideDeposit(account, { depositId: depositId(1), amountCents: 11, requester: alice, at: FIXED_NOW }),
    ).toThrow(BalanceLimitExceededError);
  });
});

describe('decideTransfer', () => {
  const from = anAccount({ accountId: accountId(1), ownerId: ALICE, balanceCents: 1_000, version: 2 });
  const to = anAccount({ accountId: accountId(2), ownerId: BOB, balanceCents: 40, version: 5 });

  test('debits the source and credits the destination, each at its next version, money conserved', () => {
    // Act
    const decision = decideTransfer(from, to, transferCommand(300));
    // Assess
    expect(decision.from).toEqual({ ...from, balanceCents: 700, version: 3 });
    expect(decision.to).toEqual({ ...to, balanceCents: 340, version: 6 });
    expect(decision.transfer).toEqual({
      transferId: transferId(1),
      status: 'COMPLETED',
      fromAccountId: from.accountId,
      toAccountId: to.accountId,
      amountCents: 300,
      currency: 'USD',
      requestedBy: ALICE,
      createdAt: FIXED_NOW,
    });
    expect(decision.entries).toEqual([
      {
        type: 'TRANSFER_OUT',
        accountId: from.accountId,
        version: 3,
        amountCents: -300,
        balanceCents: 700,
        occurredAt: FIXED_NOW,
        transferId: transferId(1),
        counterpartyAccountId: to.accountId,
      },
      {
        type: 'TRANSFER_IN',
        accountId: to.accountId,
        version: 6,
        amountCents: 300,
        balanceCents: 340,
        occurredAt: FIXED_NOW,
        transferId: transferId(1),
        counterpartyAccountId: from.accountId,
      },
    ]);
    expect(ledgerSum(decision.entries)).toBe(0);
  });

  test('moves the whole balance, down to exactly 0', () => {
    expect(decideTransfer(from, to, transferCommand(1_000)).from.balanceCents).toBe(0);
  });

  test('refuses more than the source holds: INSUFFICIENT_FUNDS', () => {
    // Act
    const act = () => decideTransfer(from, to, transferCommand(1_001));
    // Assess
    expect(act).toThrow(InsufficientFundsError);
    expect(act).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_FUNDS' }));
  });

  test('refuses two currencies: CURRENCY_MISMATCH', () => {
    const euros = { ...to, currency: 'EUR' };
    expect(() => decideTransfer(from, euros, transferCommand(1))).toThrow(CurrencyMismatchError);
  });

  test('refuses one account on both sides: SAME_ACCOUNT, before anything is read', () => {
    // Act
    const act = () =>
      checkTransferRequest({ fromAccountId: accountId(1), toAccountId: accountId(1), amountCents: 1 });
    // Assess
    expect(act).toThrow(SameAccountError);
    expect(() => decideTransfer(from, from, transferCommand(1, { to: accountId(1) }))).toThrow(
      SameAccountError,
    );
  });

  test('refuses a destination that would pass the maximum balance', () => {
    const full = { ...to, balanceCents: MAX_BALANCE_CENTS };
    expect(() => decideTransfer(from, full, transferCommand(1))).toThrow(BalanceLimitExceededError);
  });

  test.each([0, -1, 2.5, MAX_AMOUNT_CENTS + 1])('refuses an amount of %p', (amountCents) => {
    expect(() => decideTransfer(from, to, transferCommand(amountCents))).toThrow(InvalidAccountInputError);
  });

  test('refuses accounts that are not the ones the command names (a bug, not a client error)', () => {
    expect(() => decideTransfer(to, from, transferCommand(1))).toThrow(/was given accounts/);
  });

  test.each([1, 2, 3, 4, 5, 6])(
    'keeps every invariant over 400 random deposits and transfers (seed %i)',
    (seed) => {
      // Prepare: four accounts in one currency, each with its own ledger.
      const random = seededRandom(seed);
      const accounts: Account[] = [1, 2, 3, 4].map((n) =>
        anAccount({ accountId: accountId(n), ownerId: n % 2 === 0 ? BOB : ALICE }),
      );
      const ledgers = new Map<string, LedgerEntry[]>(accounts.map((account) => [account.accountId, []]));
      let deposited = 0;
      // Act
      for (let step = 0; step < 400; step += 1) {
        const pick = () => Math.floor(random() * accounts.length);
        const amountCents = 1 + Math.floor(random() * 500);
        const i = pick();
        const source = accounts[i] as Account;
        if (random() < 0.3) {
          const { account, entry } = decideDeposit(source, {
            depositId: depositId(step),
            amountCents,
            requester: staff,
            at: FIXED_NOW,
          });
          accounts[i] = account;
          ledgers.get(account.accountId)?.push(entry);
          deposited += amountCents;
          continue;
        }
        const j = (i + 1 + Math.floor(random() * (accounts.length - 1))) % accounts.length;
        const destination = accounts[j] as Account;
        const requester = { userId: source.ownerId, isStaff: false };
        try {
          const decision = decideTransfer(source, destination, {
            fromAccountId: source.accountId,
            toAccountId: destination.accountId,
            amountCents,
            transferId: transferId(step),
            requester,
            at: FIXED_NOW,
          });
          accounts[i] = decision.from;
          accounts[j] = decision.to;
          ledgers.get(source.accountId)?.push(decision.entries[0]);
          ledgers.get(destination.accountId)?.push(decision.entries[1]);
        } catch (error) {
          expect(error).toBeInstanceOf(InsufficientFundsError);
          expect(source.balanceCents).toBeLessThan(amountCents);
        }
      }
      // Assess
      expect(accounts.reduce((sum, account) => sum + account.balanceCents, 0)).toBe(deposited);
      for (const account of accounts) {
        const ledger = ledgers.get(account.accountId) ?? [];
        expect(account.balanceCents).toBeGreaterThanOrEqual(0);
        expect(ledgerSum(ledger)).toBe(account.balanceCents);
        expect(account.version).toBe(ledger.length);
        expect(ledger.map((entry) => entry.version)).toEqual(ledger.map((_, index) => index + 1));
      }
    },
  );
});
