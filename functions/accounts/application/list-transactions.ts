import type { Requester } from '../../../shared/identity/requester';
import { accountFor, mayServe, type LedgerEntry } from '../domain/account';
import type { AccountReader } from '../ports/account-repository';
import { decodeLedgerCursor, encodeLedgerCursor } from './ledger-cursor';
import { definedProps } from '../../../shared/objects/defined-props';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface TransactionsPage {
  /** Newest first: every deposit and transfer leg of the account. */
  readonly entries: readonly LedgerEntry[];
  /** Opaque; absent on the last page. */
  readonly nextCursor?: string;
}

export interface ListTransactionsOptions {
  /** @default DEFAULT_PAGE_SIZE */
  readonly limit?: number;
  /** A `nextCursor` from an earlier page; a malformed one is a 400 `INVALID_CURSOR`. */
  readonly cursor?: string;
}

export type ListTransactions = (
  accountId: string,
  requester: Requester,
  options: ListTransactionsOptions,
) => Promise<TransactionsPage>;

/**
 * `GET /accounts/{accountId}/transactions`: the account's ledger, newest first, a page at a time, for
 * its owner and staff (404 for anyone else). Entries are numbered 1…version without gaps, so a page
 * whose last entry is above 1 has a next page.
 */
export function makeListTransactions(deps: { readonly reader: AccountReader }): ListTransactions {
  return async (accountId, requester, options) => {
    const beforeVersion = options.cursor === undefined ? undefined : decodeLedgerCursor(options.cursor);
    accountFor(await deps.reader.findAccount(accountId), accountId, requester, mayServe);
    const entries = await deps.reader.listEntries(accountId, {
      limit: options.limit ?? DEFAULT_PAGE_SIZE,
      ...definedProps({ beforeVersion }),
    });
    const last = entries.at(-1);
    return last === undefined || last.version <= 1
      ? { entries }
      : { entries, nextCursor: encodeLedgerCursor(last.version) };
  };
}
