/**
 * The bodies the accounts API answers with. Money is always an integer number of minor units of the
 * account's ISO 4217 currency (cents for USD).
 */

/** `POST /accounts` (201) and `GET /accounts/{accountId}` (200). */
export interface AccountResponse {
  /** `acc_` + ULID. */
  readonly accountId: string;
  /** The user (`usr_` + ULID) who opened it. */
  readonly ownerId: string;
  /** ISO 4217, e.g. `USD`. */
  readonly currency: string;
  /** Never negative; always the sum of the account's transactions. */
  readonly balanceCents: number;
  /** The number of changes of the balance so far (0 when opened): the optimistic lock. */
  readonly version: number;
}

/** `POST /accounts/{accountId}/deposits` (201, and the same body to a retry with the same key). */
export interface DepositResponse {
  /** `dep_` + ULID. */
  readonly depositId: string;
  readonly accountId: string;
  readonly amountCents: number;
  readonly currency: string;
  /** The balance right after the deposit. */
  readonly balanceCents: number;
  /** The account's version right after the deposit: the deposit's transaction is this version. */
  readonly version: number;
}

/** `POST /transfers` (201, and the same body to a retry with the same key). */
export interface TransferResponse {
  /** `trf_` + ULID. */
  readonly transferId: string;
  /** A transfer is made whole or not at all. */
  readonly status: 'COMPLETED';
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amountCents: number;
}

/** One change of an account's balance. */
export interface TransactionResponse {
  /** The account's version after it: 1, 2, 3… without gaps. */
  readonly version: number;
  readonly type: 'DEPOSIT' | 'TRANSFER_OUT' | 'TRANSFER_IN';
  /** Signed: credits positive, debits negative. */
  readonly amountCents: number;
  /** The balance right after it. */
  readonly balanceCents: number;
  /** ISO-8601. */
  readonly occurredAt: string;
  /** On a `DEPOSIT`. */
  readonly depositId?: string;
  /** On a transfer leg. */
  readonly transferId?: string;
  /** On a transfer leg: the other account. */
  readonly counterpartyAccountId?: string;
  /** On a transfer leg that paid an order (or refunded it): the order, `ord_` + ULID. */
  readonly orderId?: string;
}

/** `GET /accounts/{accountId}/transactions?limit=&cursor=` (200). */
export interface TransactionsPageResponse {
  /** Newest first. */
  readonly transactions: readonly TransactionResponse[];
  /** Pass it back as `cursor` for the next page; `null` on the last page. */
  readonly nextCursor: string | null;
}
