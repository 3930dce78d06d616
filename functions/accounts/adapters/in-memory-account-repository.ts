import type { Account, LedgerEntry } from '../domain/account';
import { AccountAlreadyExistsError } from '../domain/errors';
import type { Transfer } from '../domain/transfer';
import {
  RequestKeyTakenError,
  StaleAccountsError,
  type AccountRepository,
  type DepositWrite,
  type LedgerPage,
  type RequestClaim,
  type TransferWrite,
} from '../ports/account-repository';

/**
 * Accounts, ledgers, transfers and claims in Maps, with the DynamoDB adapter's semantics (a change is
 * written whole or not at all; the claim is checked first, then the versions and the source's balance;
 * a lost race returns the accounts as found), for tests. Each call yields first, as a network call
 * would, so concurrent callers interleave as they do in Lambda; check and write have no await between.
 */
export class InMemoryAccountRepository implements AccountRepository {
  private readonly accounts = new Map<string, Account>();
  private readonly ledgers = new Map<string, LedgerEntry[]>();
  private readonly claims = new Map<string, RequestClaim>();
  private readonly shopAccounts = new Map<string, string>();
  /** Every transfer written, in commit order. */
  readonly transfers: Transfer[] = [];

  async findAccount(accountId: string): Promise<Account | undefined> {
    await Promise.resolve();
    const account = this.accounts.get(accountId);
    return account === undefined ? undefined : { ...account };
  }

  async findClaim(key: string): Promise<RequestClaim | undefined> {
    await Promise.resolve();
    const claim = this.claims.get(key);
    return claim === undefined ? undefined : structuredClone(claim);
  }

  async listEntries(accountId: string, page: LedgerPage): Promise<readonly LedgerEntry[]> {
    await Promise.resolve();
    const below = page.beforeVersion ?? Infinity;
    return (this.ledgers.get(accountId) ?? [])
      .filter((entry) => entry.version < below)
      .sort((a, b) => b.version - a.version)
      .slice(0, page.limit)
      .map((entry) => ({ ...entry }));
  }

  async openAccount(account: Account): Promise<void> {
    await Promise.resolve();
    if (this.accounts.has(account.accountId)) throw new AccountAlreadyExistsError(account.accountId);
    this.accounts.set(account.accountId, { ...account });
  }

  async findShopAccount(currency: string): Promise<Account | undefined> {
    await Promise.resolve();
    const accountId = this.shopAccounts.get(currency);
    return accountId === undefined ? undefined : this.findAccount(accountId);
  }

  async openShopAccount(account: Account): Promise<Account> {
    await Promise.resolve();
    const holderId = this.shopAccounts.get(account.currency);
    const holder = holderId === undefined ? undefined : this.accounts.get(holderId);
    if (holder !== undefined) return { ...holder };
    if (this.accounts.has(account.accountId)) throw new AccountAlreadyExistsError(account.accountId);
    this.accounts.set(account.accountId, { ...account });
    this.shopAccounts.set(account.currency, account.accountId);
    return { ...account };
  }

  async saveDeposit(write: DepositWrite): Promise<void> {
    await Promise.resolve();
    const { decision } = write;
    this.checkClaim(write.claim);
    this.checkVersions([{ account: decision.account, expectedVersion: write.expectedVersion }]);
    this.store(decision.account, [decision.entry], write.claim);
  }

  async saveTransfer(write: TransferWrite): Promise<void> {
    await Promise.resolve();
    const { decision, expectedVersions } = write;
    this.checkClaim(write.claim);
    this.checkVersions([
      {
        account: decision.from,
        expectedVersion: expectedVersions.from,
        debitCents: decision.transfer.amountCents,
      },
      { account: decision.to, expectedVersion: expectedVersions.to },
    ]);
    this.store(decision.from, [decision.entries[0]], write.claim);
    this.store(decision.to, [decision.entries[1]]);
    this.transfers.push({ ...decision.transfer });
  }

  /** Every entry of the account, oldest first: what the table holds in its partition. */
  ledgerOf(accountId: string): LedgerEntry[] {
    return (this.ledgers.get(accountId) ?? []).map((entry) => ({ ...entry }));
  }

  /** Every account, by id. */
  allAccounts(): Account[] {
    return [...this.accounts.values()].map((account) => ({ ...account }));
  }

  private checkClaim(claim: RequestClaim): void {
    const holder = this.claims.get(claim.key);
    if (holder !== undefined) throw new RequestKeyTakenError(structuredClone(holder));
  }

  private checkVersions(
    changes: readonly { account: Account; expectedVersion: number; debitCents?: number }[],
  ): void {
    const lost = changes.filter(({ account, expectedVersion, debitCents }) => {
      const stored = this.accounts.get(account.accountId);
      return (
        stored === undefined ||
        stored.version !== expectedVersion ||
        (debitCents !== undefined && stored.balanceCents < debitCents)
      );
    });
    if (lost.length === 0) return;
    const current = lost.flatMap(({ account }) => {
      const stored = this.accounts.get(account.accountId);
      return stored === undefined ? [] : [{ ...stored }];
    });
    throw new StaleAccountsError(
      `Account ${lost.map(({ account }) => account.accountId).join(' and ')} moved past the version read`,
      current,
    );
  }

  private store(account: Account, entries: readonly LedgerEntry[], claim?: RequestClaim): void {
    this.accounts.set(account.accountId, { ...account });
    const ledger = this.ledgers.get(account.accountId) ?? [];
    ledger.push(...entries.map((entry) => ({ ...entry })));
    this.ledgers.set(account.accountId, ledger);
    if (claim !== undefined) this.claims.set(claim.key, structuredClone(claim));
  }
}
