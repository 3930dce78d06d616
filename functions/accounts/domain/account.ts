/**
 * An account, who may act on it, and the ledger entries that change its balance. Pure: every change is
 * decided here (see `deposit.ts`, `transfer.ts`) and returns the account at its next version with the
 * ledger entry recording it; the application writes them in one transaction, conditional on the version
 * the change was decided on (optimistic locking).
 *
 * Invariants, for every account at all times: `version` = the number of its ledger entries (it opens at
 * 0 and each change adds exactly one entry, at the new version); `balanceCents` = the sum of their
 * `amountCents`; `0 ≤ balanceCents ≤ MAX_BALANCE_CENTS`.
 */
import { mayAccess, type Requester } from '../../../shared/identity/requester';
import { AccountNotFoundError, InvalidAccountInputError } from './errors';
import { isCurrencyCode } from './money';

export interface Account {
  /** `acc_` + ULID. */
  readonly accountId: string;
  /** The user (`usr_` + ULID) who opened it. */
  readonly ownerId: string;
  /** ISO 4217. */
  readonly currency: string;
  /** Minor units of `currency`; never negative. */
  readonly balanceCents: number;
  /** The number of changes so far: 0 when opened, +1 per ledger entry. The optimistic lock. */
  readonly version: number;
  /** ISO-8601. */
  readonly openedAt: string;
}

export type LedgerEntryType = 'DEPOSIT' | 'TRANSFER_OUT' | 'TRANSFER_IN';

interface LedgerEntryFields {
  readonly accountId: string;
  /** The account's version after this entry: entries are numbered 1, 2, 3… per account. */
  readonly version: number;
  /** Signed minor units: credits positive, debits negative, so the entries sum to the balance. */
  readonly amountCents: number;
  /** The balance after this entry. */
  readonly balanceCents: number;
  /** ISO-8601. */
  readonly occurredAt: string;
}

export interface DepositEntry extends LedgerEntryFields {
  readonly type: 'DEPOSIT';
  /** `dep_` + ULID. */
  readonly depositId: string;
}

export interface TransferEntry extends LedgerEntryFields {
  readonly type: 'TRANSFER_OUT' | 'TRANSFER_IN';
  /** `trf_` + ULID. */
  readonly transferId: string;
  /** The other account of the transfer. */
  readonly counterpartyAccountId: string;
  /** Set when the transfer paid an order or refunded it. */
  readonly orderId?: string;
}

/** One change of an account's balance. */
export type LedgerEntry = DepositEntry | TransferEntry;

export interface NewAccount {
  readonly accountId: string;
  readonly ownerId: string;
  readonly currency: string;
  /** ISO-8601. */
  readonly openedAt: string;
}

/** A new account: empty, at version 0 (no change yet). */
export function openAccount(input: NewAccount): Account {
  if (!isCurrencyCode(input.currency)) {
    throw new InvalidAccountInputError('currency', 'must be an ISO 4217 currency code in upper case');
  }
  return { ...input, balanceCents: 0, version: 0 };
}

/** The owner and staff may see an account and top it up. */
export function mayServe(account: Account, requester: Requester): boolean {
  return mayAccess(requester, account.ownerId);
}

/** Only the owner spends from an account: not even staff move a customer's money away. */
export function maySpendFrom(account: Account, requester: Requester): boolean {
  return account.ownerId === requester.userId;
}

/**
 * The account, when it exists and `may` lets the requester act on it; `AccountNotFoundError` otherwise —
 * the same answer for both, so that no one learns of an account that is not theirs.
 */
export function accountFor(
  account: Account | undefined,
  accountId: string,
  requester: Requester,
  may: (account: Account, requester: Requester) => boolean,
): Account {
  if (account === undefined || !may(account, requester)) throw new AccountNotFoundError(accountId);
  return account;
}

/** The account, when it exists; `AccountNotFoundError` otherwise. */
export function existingAccount(account: Account | undefined, accountId: string): Account {
  if (account === undefined) throw new AccountNotFoundError(accountId);
  return account;
}

/** What the entries of an account add up to: its balance, when the ledger is complete. */
export function ledgerSum(entries: readonly LedgerEntry[]): number {
  return entries.reduce((sum, entry) => sum + entry.amountCents, 0);
}

/**
 * The owner of the shop's own accounts, which receive what orders pay from customers' accounts (one per
 * currency). No user can be it (user ids are `usr_` + ULID): no customer spends from them, staff may read
 * them, and only the refund of an order moves money out of one.
 */
export const SHOP_OWNER_ID = 'shop';

/** The shop, acting on its own accounts: refunding an order. */
export const SHOP: Requester = { userId: SHOP_OWNER_ID, isStaff: false };
