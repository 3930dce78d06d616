import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import { AccountAlreadyExistsError } from '../domain/errors';
import type { Account, LedgerEntry } from '../domain/account';
import {
  RequestKeyTakenError,
  StaleAccountsError,
  type AccountRepository,
  type DepositWrite,
  type LedgerPage,
  type RequestClaim,
  type TransferWrite,
} from '../ports/account-repository';
import {
  accountFromItem,
  accountItem,
  accountKey,
  claimFromItem,
  claimItem,
  claimKey,
  ledgerEntryFromItem,
  ledgerEntryItem,
  ledgerSortKey,
  LEDGER_SORT_KEY_PREFIX,
  shopAccountIdFromItem,
  shopAccountItem,
  shopAccountKey,
  transferItem,
} from './account-items';

export interface DynamoDbAccountRepositoryProps {
  /** A document client is used as it is; a plain client is wrapped in one. */
  readonly client: DynamoDBClient | DynamoDBDocumentClient;
  readonly tableName: string;
}

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

/**
 * Accounts, ledgers, transfers and request claims in one DynamoDB table (layout: `account-items.ts`).
 * A deposit is one `TransactWriteItems` of the account (on its version), its ledger entry and the claim;
 * a transfer one of both accounts (each on its version, the source also on `balanceCents >= :amount`),
 * the transfer, both ledger entries and the claim. The cancellation reasons say what was lost: the
 * claim's condition → `RequestKeyTakenError`; an account's condition or a `TransactionConflict` →
 * `StaleAccountsError` with the accounts as the conditions found them (`ALL_OLD`); anything else is
 * rethrown as it is.
 */
export class DynamoDbAccountRepository implements AccountRepository {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(props: DynamoDbAccountRepositoryProps) {
    if (props.tableName.length === 0) throw new Error('DynamoDbAccountRepository needs a tableName');
    this.documents =
      props.client instanceof DynamoDBDocumentClient
        ? props.client
        : DynamoDBDocumentClient.from(props.client, { marshallOptions: { removeUndefinedValues: true } });
    this.tableName = props.tableName;
  }

  async findAccount(accountId: string): Promise<Account | undefined> {
    const item = await this.get(accountKey(accountId));
    return item === undefined ? undefined : accountFromItem(item);
  }

  async findClaim(key: string): Promise<RequestClaim | undefined> {
    const item = await this.get(claimKey(key));
    return item === undefined ? undefined : claimFromItem(item);
  }

  async listEntries(accountId: string, page: LedgerPage): Promise<readonly LedgerEntry[]> {
    const { beforeVersion } = page;
    const { Items: items = [] } = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        // `sk < ledger#…` alone would reach the `account` item, which sorts before every entry.
        KeyConditionExpression:
          beforeVersion === undefined
            ? 'pk = :pk AND begins_with(sk, :prefix)'
            : 'pk = :pk AND sk BETWEEN :prefix AND :below',
        ExpressionAttributeValues: {
          ':pk': accountId,
          ':prefix': LEDGER_SORT_KEY_PREFIX,
          ...(beforeVersion === undefined ? {} : { ':below': ledgerSortKey(beforeVersion - 1) }),
        },
        ScanIndexForward: false,
        Limit: page.limit,
        // A client that just moved money expects to see it.
        ConsistentRead: true,
      }),
    );
    return items.map(ledgerEntryFromItem);
  }

  async openAccount(account: Account): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: accountItem(account),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') {
        throw new AccountAlreadyExistsError(account.accountId);
      }
      throw error;
    }
  }

  async findShopAccount(currency: string): Promise<Account | undefined> {
    const pointer = await this.get(shopAccountKey(currency));
    if (pointer === undefined) return undefined;
    const accountId = shopAccountIdFromItem(pointer);
    const account = await this.findAccount(accountId);
    // Both items are written in one transaction and never deleted.
    if (account === undefined) throw new Error(`the shop's ${currency} account ${accountId} is missing`);
    return account;
  }

  async openShopAccount(account: Account): Promise<Account> {
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [this.putNew(shopAccountItem(account)), this.putNew(accountItem(account))],
        }),
      );
      return account;
    } catch (error) {
      if (cancellationReasons(error)?.[0]?.code !== 'ConditionalCheckFailed') throw error;
      // Another first payment in the currency opened it meanwhile: that one is the shop's account.
      const holder = await this.findShopAccount(account.currency);
      if (holder === undefined) throw error;
      return holder;
    }
  }

  async saveDeposit(write: DepositWrite): Promise<void> {
    const { decision, expectedVersion, claim } = write;
    const items: TransactItem[] = [
      this.claim(claim, decision.entry.occurredAt),
      this.updateAccount(decision.account, expectedVersion),
      this.putNew(ledgerEntryItem(decision.entry)),
    ];
    await this.transact(items, claim.key, [decision.account.accountId]);
  }

  async saveTransfer(write: TransferWrite): Promise<void> {
    const { decision, expectedVersions, claim } = write;
    const items: TransactItem[] = [
      this.claim(claim, decision.transfer.createdAt),
      this.updateAccount(decision.from, expectedVersions.from, decision.transfer.amountCents),
      this.updateAccount(decision.to, expectedVersions.to),
      this.putNew(transferItem(decision.transfer)),
      ...decision.entries.map((entry) => this.putNew(ledgerEntryItem(entry))),
    ];
    await this.transact(items, claim.key, [decision.from.accountId, decision.to.accountId]);
  }

  /**
   * Runs the transaction whose item 0 claims `claimedKey` and items 1… are the accounts `accountIds`
   * (in order), translating a cancellation into what was lost.
   */
  private async transact(
    items: TransactItem[],
    claimedKey: string,
    accountIds: readonly string[],
  ): Promise<void> {
    try {
      await this.documents.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons === undefined) throw error;
      const claimReason = reasons[CLAIM_INDEX];
      if (claimReason?.code === 'ConditionalCheckFailed') {
        throw new RequestKeyTakenError(await this.holderOf(claimedKey, claimReason.item), { cause: error });
      }
      const accountReasons = accountIds.map((_, index) => reasons[index + 1]);
      const lostRace =
        reasons.some((reason) => reason?.code === 'TransactionConflict') ||
        accountReasons.some((reason) => reason?.code === 'ConditionalCheckFailed');
      if (!lostRace) throw error;
      const current = accountReasons.flatMap((reason) =>
        reason?.item === undefined ? [] : [accountFromItem(reason.item)],
      );
      throw new StaleAccountsError(
        `Account ${accountIds.join(' or ')} was changed by another request after it was read`,
        current,
        { cause: error },
      );
    }
  }

  /** The claim that holds the key: as the failed condition returned it, else read (consistently). */
  private async holderOf(key: string, returned: Record<string, unknown> | undefined): Promise<RequestClaim> {
    if (returned !== undefined) return claimFromItem(returned);
    const stored = await this.findClaim(key);
    // Claims are never deleted: one that failed a condition and is gone is a broken table.
    if (stored === undefined) throw new Error(`the request key ${key} was taken, then vanished`);
    return stored;
  }

  private claim(claim: RequestClaim, claimedAt: string): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: claimItem(claim, claimedAt),
        // Claimed once and never released: a retry of the request cannot move money again.
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
  }

  /**
   * The optimistic lock: the account must still be at the version the change was decided on, and a
   * source must still hold what it pays (a guard: the balance changes only with the version). The item
   * as the condition found it comes back with the cancellation, so the loser decides again without a read.
   */
  private updateAccount(account: Account, expectedVersion: number, debitCents?: number): TransactItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: accountKey(account.accountId),
        UpdateExpression: 'SET #balance = :balance, #version = :version',
        ConditionExpression:
          debitCents === undefined ? '#version = :expected' : '#version = :expected AND #balance >= :debit',
        ExpressionAttributeNames: { '#balance': 'balanceCents', '#version': 'version' },
        ExpressionAttributeValues: {
          ':balance': account.balanceCents,
          ':version': account.version,
          ':expected': expectedVersion,
          ...(debitCents === undefined ? {} : { ':debit': debitCents }),
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
  }

  /** An item written once: its key is fresh (a new id, or a version the account's condition guards). */
  private putNew(item: Record<string, unknown>): TransactItem {
    return {
      Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
    };
  }

  private async get(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    const { Item: item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: key,
        // A stale read would doom the next conditional write to a conflict.
        ConsistentRead: true,
      }),
    );
    return item;
  }
}

/** Where both writes put the claim in their transaction; the accounts follow it. */
const CLAIM_INDEX = 0;

interface CancellationReason {
  readonly code: string | undefined;
  /** Unmarshalled: cancellation reasons carry raw attribute values, even through the document client. */
  readonly item: Record<string, unknown> | undefined;
}

/** The reasons of a cancelled transaction, by item; `undefined` for any other error. */
function cancellationReasons(error: unknown): readonly (CancellationReason | undefined)[] | undefined {
  // By name and shape rather than `instanceof`: a bundle may hold more than one copy of the SDK.
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons: unknown = 'CancellationReasons' in error ? error.CancellationReasons : undefined;
  if (!Array.isArray(reasons)) return undefined;
  return reasons.map((reason: unknown) => {
    if (typeof reason !== 'object' || reason === null) return undefined;
    const code = 'Code' in reason && typeof reason.Code === 'string' ? reason.Code : undefined;
    const raw = 'Item' in reason ? reason.Item : undefined;
    const item =
      typeof raw === 'object' && raw !== null
        ? unmarshall(raw as Record<string, NativeAttributeValue>)
        : undefined;
    return { code, item };
  });
}
