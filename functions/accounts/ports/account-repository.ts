import { ConcurrencyError } from '../../../shared/errors/app-error';
import type { Account, LedgerEntry } from '../domain/account';
import type { Deposit, DepositDecision, DepositRequest } from '../domain/deposit';
import type { Transfer, TransferDecision, TransferRequest } from '../domain/transfer';

/**
 * A request's `Idempotency-Key`, claimed in the transaction of the change it made: the key (scoped by
 * route and caller), what was asked, and what was answered. A key is claimed once and never released,
 * so no retry of a request can move money twice, even one that finds no idempotency record.
 */
export type RequestClaim =
  | {
      readonly kind: 'deposit';
      readonly key: string;
      readonly request: DepositRequest;
      readonly answer: Deposit;
    }
  | {
      readonly kind: 'transfer';
      readonly key: string;
      readonly request: TransferRequest;
      readonly answer: Transfer;
    };

/**
 * An account was no longer at the version a change was decided on (or, for a source, no longer held the
 * amount). `current` holds the accounts as the failed write found them, where the store could say
 * (DynamoDB returns them with the cancellation): the next attempt decides on them without reading again.
 */
export class StaleAccountsError extends ConcurrencyError {
  constructor(
    message: string,
    readonly current: readonly Account[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StaleAccountsError';
  }
}

/**
 * The request's key was claimed already, by `claim`: the request was carried out before (or another one
 * used its key). Not a lost race: never retried.
 */
export class RequestKeyTakenError extends Error {
  constructor(
    readonly claim: RequestClaim,
    options?: { cause?: unknown },
  ) {
    super(`The request key ${claim.key} was claimed before`, options);
    this.name = 'RequestKeyTakenError';
  }
}

/** A deposit to write: the account from `expectedVersion` to `decision.account`, its entry, the claim. */
export interface DepositWrite {
  readonly decision: DepositDecision;
  readonly expectedVersion: number;
  readonly claim: Extract<RequestClaim, { kind: 'deposit' }>;
}

/** A transfer to write: both accounts from their expected versions, the transfer, two entries, the claim. */
export interface TransferWrite {
  readonly decision: TransferDecision;
  readonly expectedVersions: { readonly from: number; readonly to: number };
  readonly claim: Extract<RequestClaim, { kind: 'transfer' }>;
}

export interface LedgerPage {
  /** Entries of one account, newest (highest version) first, at most `limit`. */
  readonly limit: number;
  /** Only entries below this version (the last of the previous page); all from the newest when absent. */
  readonly beforeVersion?: number;
}

/** What the query functions read: accounts and their ledgers (strongly consistent reads). */
export interface AccountReader {
  findAccount(accountId: string): Promise<Account | undefined>;
  listEntries(accountId: string, page: LedgerPage): Promise<readonly LedgerEntry[]>;
}

/**
 * Persistence of accounts, ledgers, transfers and request claims. Every change is atomic: the accounts at
 * their next versions (conditional on the versions decided on), the ledger entries, the transfer and the
 * claim are written together or not at all. Adapters: `DynamoDbAccountRepository`,
 * `InMemoryAccountRepository`.
 */
export interface AccountRepository extends AccountReader {
  /** Stores a new account (version 0); `AccountAlreadyExistsError` if the id is taken. */
  openAccount(account: Account): Promise<void>;

  /** The shop's account in `currency` (see `SHOP_OWNER_ID`), once opened. */
  findShopAccount(currency: string): Promise<Account | undefined>;

  /**
   * Stores `account` (version 0) as the shop's account in its currency, unless one was opened first:
   * resolves with the one that holds the place, so concurrent first payments share one account.
   */
  openShopAccount(account: Account): Promise<Account>;

  /** The claim of a request key, or `undefined` when the key is free. */
  findClaim(key: string): Promise<RequestClaim | undefined>;

  /**
   * Writes the deposit, or throws: `RequestKeyTakenError` when the key is claimed (checked first, even
   * if the version is stale too), `StaleAccountsError` when the account moved past `expectedVersion`.
   */
  saveDeposit(write: DepositWrite): Promise<void>;

  /**
   * Writes the transfer, or throws: `RequestKeyTakenError` when the key is claimed (checked first),
   * `StaleAccountsError` when either account moved past its expected version or the source no longer
   * holds the amount.
   */
  saveTransfer(write: TransferWrite): Promise<void>;
}
