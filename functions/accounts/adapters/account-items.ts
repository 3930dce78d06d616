import * as z from 'zod';
import type { Account, LedgerEntry } from '../domain/account';
import type { Transfer } from '../domain/transfer';
import type { RequestClaim } from '../ports/account-repository';

/**
 * The accounts table: `pk` (S), `sk` (S), one table for the whole context.
 *
 * | Item          | `pk`                                  | `sk`                       | `kind`          |
 * | ------------- | ------------------------------------- | -------------------------- | --------------- |
 * | account       | the account id                        | `account`                  | `account`       |
 * | ledger entry  | the account id                        | `ledger#<version, 10 digits>` | `ledger-entry` |
 * | transfer      | the transfer id                       | `transfer`                 | `transfer`      |
 * | request claim | `request#<route>#<userId>#<key>`      | `request`                  | `request-claim` |
 * | shop account  | `shop-account#<currency>`             | `shop-account`             | `shop-account`  |
 *
 * Entries sit in their account's partition under its version, so one descending query reads a ledger
 * newest first, and a page starts below the last version seen. A version is written once: the account's
 * condition on its version makes the entry's key fresh. A payment of an order claims
 * `request#order charge#<orderId>`, its refund `request#order refund#<chargeId>`. The shop-account item
 * points at the shop's account in a currency (its own `account` item), written once with it.
 */
export const ACCOUNT_SORT_KEY = 'account';
export const TRANSFER_SORT_KEY = 'transfer';
export const CLAIM_SORT_KEY = 'request';
export const SHOP_ACCOUNT_SORT_KEY = 'shop-account';
export const LEDGER_SORT_KEY_PREFIX = 'ledger#';
const CLAIM_PARTITION_KEY_PREFIX = 'request#';
const SHOP_ACCOUNT_PARTITION_KEY_PREFIX = 'shop-account#';

export const ITEM_KINDS = {
  account: 'account',
  ledgerEntry: 'ledger-entry',
  transfer: 'transfer',
  claim: 'request-claim',
  shopAccount: 'shop-account',
} as const;

export function ledgerSortKey(version: number): string {
  return `${LEDGER_SORT_KEY_PREFIX}${String(version).padStart(10, '0')}`;
}

export function claimPartitionKey(key: string): string {
  return `${CLAIM_PARTITION_KEY_PREFIX}${key}`;
}

export function accountKey(accountId: string): { pk: string; sk: string } {
  return { pk: accountId, sk: ACCOUNT_SORT_KEY };
}

export function claimKey(key: string): { pk: string; sk: string } {
  return { pk: claimPartitionKey(key), sk: CLAIM_SORT_KEY };
}

export function shopAccountKey(currency: string): { pk: string; sk: string } {
  return { pk: `${SHOP_ACCOUNT_PARTITION_KEY_PREFIX}${currency}`, sk: SHOP_ACCOUNT_SORT_KEY };
}

export function shopAccountItem(account: Account): Record<string, unknown> {
  return { ...shopAccountKey(account.currency), kind: ITEM_KINDS.shopAccount, accountId: account.accountId };
}

/** The account id a shop-account item points at. */
export function shopAccountIdFromItem(item: Record<string, unknown>): string {
  return parseItem(z.object({ accountId: id }), 'shop account', item).accountId;
}

export function accountItem(account: Account): Record<string, unknown> {
  return { ...accountKey(account.accountId), kind: ITEM_KINDS.account, ...account };
}

export function ledgerEntryItem(entry: LedgerEntry): Record<string, unknown> {
  return { pk: entry.accountId, sk: ledgerSortKey(entry.version), kind: ITEM_KINDS.ledgerEntry, ...entry };
}

export function transferItem(transfer: Transfer): Record<string, unknown> {
  return { pk: transfer.transferId, sk: TRANSFER_SORT_KEY, kind: ITEM_KINDS.transfer, ...transfer };
}

export function claimItem(claim: RequestClaim, claimedAt: string): Record<string, unknown> {
  return {
    ...claimKey(claim.key),
    kind: ITEM_KINDS.claim,
    claimKind: claim.kind,
    key: claim.key,
    request: claim.request,
    answer: claim.answer,
    claimedAt,
  };
}

const id = z.string().min(1);
const cents = z.number().int().min(0);
const signedCents = z.number().int();
const version = z.number().int().min(0);
const instant = z.string().min(1);

const StoredAccount = z.object({
  accountId: id,
  ownerId: id,
  currency: z.string().length(3),
  balanceCents: cents,
  version,
  openedAt: instant,
});

const entryFields = {
  accountId: id,
  version: version.min(1),
  amountCents: signedCents,
  balanceCents: cents,
  occurredAt: instant,
};
const StoredLedgerEntry = z.discriminatedUnion('type', [
  z.object({ type: z.literal('DEPOSIT'), ...entryFields, depositId: id }),
  z.object({
    type: z.enum(['TRANSFER_OUT', 'TRANSFER_IN']),
    ...entryFields,
    transferId: id,
    counterpartyAccountId: id,
    orderId: id.optional(),
  }),
]);

const TransferRequestFields = z.object({ fromAccountId: id, toAccountId: id, amountCents: cents });
const StoredTransfer = TransferRequestFields.extend({
  transferId: id,
  status: z.literal('COMPLETED'),
  currency: z.string().length(3),
  requestedBy: id,
  createdAt: instant,
  orderId: id.optional(),
});

const DepositRequestFields = z.object({ accountId: id, amountCents: cents });
const StoredDeposit = DepositRequestFields.extend({
  depositId: id,
  currency: z.string().length(3),
  balanceCents: cents,
  version,
  depositedBy: id,
  depositedAt: instant,
});

const StoredClaim = z.discriminatedUnion('claimKind', [
  z.object({
    claimKind: z.literal('deposit'),
    key: id,
    request: DepositRequestFields,
    answer: StoredDeposit,
  }),
  z.object({
    claimKind: z.literal('transfer'),
    key: id,
    request: TransferRequestFields,
    answer: StoredTransfer,
  }),
]);

/** The account of a stored item; an item that is not one is a data error, never a client's. */
export function accountFromItem(item: Record<string, unknown>): Account {
  return parseItem(StoredAccount, 'account', item);
}

export function ledgerEntryFromItem(item: Record<string, unknown>): LedgerEntry {
  return parseItem(StoredLedgerEntry, 'ledger entry', item);
}

export function transferFromItem(item: Record<string, unknown>): Transfer {
  return parseItem(StoredTransfer, 'transfer', item);
}

export function claimFromItem(item: Record<string, unknown>): RequestClaim {
  const { claimKind, key, request, answer } = parseItem(StoredClaim, 'request claim', item);
  return claimKind === 'deposit'
    ? { kind: claimKind, key, request, answer }
    : { kind: claimKind, key, request, answer };
}

/** Parsing strips what the domain does not know (`pk`, `sk`, `kind`): nothing stored leaks further. */
function parseItem<S extends z.ZodType>(schema: S, what: string, item: Record<string, unknown>): z.output<S> {
  const parsed = schema.safeParse(item);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ');
  throw new Error(
    `the ${what} item pk=${String(item['pk'])} sk=${String(item['sk'])} is malformed: ${issues}`,
  );
}
