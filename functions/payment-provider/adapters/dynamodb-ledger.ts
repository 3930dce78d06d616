import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  TransactWriteCommand,
  UpdateCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Charge, Refund } from '../domain/charge';
import { KeyLeaseLostError, RefundExceedsChargeError } from '../domain/errors';
import { keyVerdict, type KeyRecord } from '../domain/idempotency';
import type { ClaimResult, KeyClaim, KeyCompletion, Ledger } from '../ports/ledger';
import {
  answerAttributes,
  CHARGE_SORT_KEY,
  chargeFromItem,
  chargeItem,
  chargePartitionKey,
  EXPIRES_AT_ATTRIBUTE,
  KEY_RETENTION_SECONDS,
  KEY_SORT_KEY,
  keyPartitionKey,
  keyRecordFromItem,
  refundItem,
} from './ledger-items';

/** Attempts of a transaction cancelled only because another write touched one of its items meanwhile. */
const TRANSACTION_ATTEMPTS = 5;

export interface DynamoDbLedgerProps {
  /** A document client is used as it is; a plain client is wrapped in one. */
  readonly client: DynamoDBClient | DynamoDBDocumentClient;
  readonly tableName: string;
  /** The index on `orderId` (see `ledger-items.ts`); needed only by `chargesOfOrder`. */
  readonly orderIndexName?: string;
  /** Pause before a transaction is retried after a `TransactionConflict`. @default 10–50 ms, jittered */
  readonly conflictPause?: () => Promise<void>;
}

/** Names every expression uses (`state`, `owner` are DynamoDB reserved words). */
const KEY_NAMES = {
  '#state': 'state',
  '#owner': 'owner',
  '#lease': 'leaseExpiresAt',
};

/**
 * The ledger in one DynamoDB table, laid out as `ledger-items.ts` describes. A key is read, and when
 * claimable claimed with one conditional `UpdateItem` (which also counts the attempt atomically), so
 * that of concurrent claims exactly one succeeds; a charge or refund is written
 * with its key's completion in one `TransactWriteItems`, conditional on the claim still being held
 * (and, for a refund, on the charge having the amount left).
 */
export class DynamoDbLedger implements Ledger {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly orderIndexName: string | undefined;
  private readonly conflictPause: () => Promise<void>;

  constructor(props: DynamoDbLedgerProps) {
    if (props.tableName.length === 0) throw new Error('DynamoDbLedger needs a tableName');
    this.documents =
      props.client instanceof DynamoDBDocumentClient
        ? props.client
        : DynamoDBDocumentClient.from(props.client, { marshallOptions: { removeUndefinedValues: true } });
    this.tableName = props.tableName;
    this.orderIndexName = props.orderIndexName;
    this.conflictPause =
      props.conflictPause ??
      (() => new Promise<void>((resolve) => setTimeout(resolve, 10 + Math.floor(Math.random() * 40))));
  }

  async claimKey(claim: KeyClaim): Promise<ClaimResult> {
    // A retry of an answered request (the common case of a key seen before) costs one read, and no
    // write that is bound to fail its condition.
    const standing = await this.findKey(claim.key);
    if (standing !== undefined && keyVerdict(standing, claim.fingerprint, claim.nowMs).kind !== 'claimable') {
      return { claimed: false, record: standing };
    }
    try {
      const { Attributes: item } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keyPartitionKey(claim.key), sk: KEY_SORT_KEY },
          UpdateExpression:
            'SET #state = :inProgress, #owner = :owner, #lease = :lease, #fingerprint = :fingerprint, ' +
            '#key = :key, #expiresAt = if_not_exists(#expiresAt, :expiresAt) ADD #attempts :one',
          // keyVerdict's `claimable`, as one condition: no record, or the same request released or stalled.
          ConditionExpression:
            'attribute_not_exists(pk) OR (#fingerprint = :fingerprint AND ' +
            '(#state = :released OR (#state = :inProgress AND #lease < :now)))',
          ExpressionAttributeNames: {
            ...KEY_NAMES,
            '#fingerprint': 'fingerprint',
            '#key': 'idempotencyKey',
            '#expiresAt': EXPIRES_AT_ATTRIBUTE,
            '#attempts': 'attempts',
          },
          ExpressionAttributeValues: {
            ':inProgress': 'in-progress',
            ':released': 'released',
            ':owner': claim.owner,
            ':lease': claim.nowMs + claim.leaseMs,
            ':now': claim.nowMs,
            ':fingerprint': claim.fingerprint,
            ':key': claim.key,
            ':expiresAt': Math.floor(claim.nowMs / 1000) + KEY_RETENTION_SECONDS,
            ':one': 1,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { claimed: true, attempt: keyRecordFromItem(item ?? {}).attempts };
    } catch (error) {
      // The claim is refused, or collided with the owner's completing transaction: read what stands.
      if (
        hasName(error, 'ConditionalCheckFailedException') ||
        hasName(error, 'TransactionConflictException')
      ) {
        return { claimed: false, record: await this.findKey(claim.key) };
      }
      throw error;
    }
  }

  async recordCharge(charge: Charge, completion: KeyCompletion): Promise<void> {
    const reasons = await this.transact({
      TransactItems: [
        {
          Put: {
            TableName: this.tableName,
            Item: chargeItem(charge, completion.key),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        { Update: this.completionUpdate(completion) },
      ],
    });
    if (reasons === undefined) return;
    if (reasons[1] === 'ConditionalCheckFailed') throw new KeyLeaseLostError(completion.key);
    throw new Error(`charge ${charge.chargeId} was not recorded: ${reasons.join(', ')}`);
  }

  async recordRefund(refund: Refund, chargeAmountCents: number, completion: KeyCompletion): Promise<void> {
    const reasons = await this.transact({
      TransactItems: [
        {
          Update: {
            TableName: this.tableName,
            Key: { pk: chargePartitionKey(refund.chargeId), sk: CHARGE_SORT_KEY },
            UpdateExpression: 'SET #refunded = #refunded + :amount',
            // amountCents never changes, so "what is refunded leaves room for this refund" is a comparison
            // with a constant: concurrent refunds can never take the charge past its amount.
            ConditionExpression: 'attribute_exists(pk) AND #refunded <= :limit',
            ExpressionAttributeNames: { '#refunded': 'refundedCents' },
            ExpressionAttributeValues: {
              ':amount': refund.amountCents,
              ':limit': chargeAmountCents - refund.amountCents,
            },
          },
        },
        {
          Put: {
            TableName: this.tableName,
            Item: refundItem(refund, completion.key),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        { Update: this.completionUpdate(completion) },
      ],
    });
    if (reasons === undefined) return;
    if (reasons[2] === 'ConditionalCheckFailed') throw new KeyLeaseLostError(completion.key);
    if (reasons[0] === 'ConditionalCheckFailed') throw new RefundExceedsChargeError(refund.chargeId);
    throw new Error(`refund ${refund.refundId} was not recorded: ${reasons.join(', ')}`);
  }

  async completeKey(completion: KeyCompletion): Promise<void> {
    try {
      await this.documents.send(new UpdateCommand(this.completionUpdate(completion)));
    } catch (error) {
      if (hasName(error, 'ConditionalCheckFailedException')) throw new KeyLeaseLostError(completion.key);
      throw error;
    }
  }

  async releaseKey(key: string, owner: string): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keyPartitionKey(key), sk: KEY_SORT_KEY },
          UpdateExpression: 'SET #state = :released REMOVE #lease',
          ConditionExpression: '#state = :inProgress AND #owner = :owner',
          ExpressionAttributeNames: KEY_NAMES,
          ExpressionAttributeValues: {
            ':released': 'released',
            ':inProgress': 'in-progress',
            ':owner': owner,
          },
        }),
      );
    } catch (error) {
      // Not held any more: another request took the stalled claim over, nothing to give back.
      if (hasName(error, 'ConditionalCheckFailedException')) return;
      throw error;
    }
  }

  async findCharge(chargeId: string): Promise<Charge | undefined> {
    const { Item: item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: chargePartitionKey(chargeId), sk: CHARGE_SORT_KEY },
        // A refund plans on this read: a stale one would only cost a failed condition, but a charge
        // just created must be found.
        ConsistentRead: true,
      }),
    );
    return item === undefined ? undefined : chargeFromItem(item);
  }

  async chargesOfOrder(orderId: string): Promise<Charge[]> {
    if (this.orderIndexName === undefined) {
      throw new Error('DynamoDbLedger needs an orderIndexName to list the charges of an order');
    }
    const charges: Charge[] = [];
    // A global secondary index is eventually consistent: a charge written a moment ago may be missing.
    const pages = paginateQuery(
      { client: this.documents },
      {
        TableName: this.tableName,
        IndexName: this.orderIndexName,
        KeyConditionExpression: '#orderId = :orderId',
        ExpressionAttributeNames: { '#orderId': 'orderId' },
        ExpressionAttributeValues: { ':orderId': orderId },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) charges.push(chargeFromItem(item));
    }
    // Charges of one millisecond: ULIDs of one process are monotonic, so the id breaks the tie.
    return charges.sort((a, b) => compare(a.createdAt, b.createdAt) || compare(a.chargeId, b.chargeId));
  }

  private async findKey(key: string): Promise<KeyRecord | undefined> {
    const { Item: item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: keyPartitionKey(key), sk: KEY_SORT_KEY },
        ConsistentRead: true,
      }),
    );
    return item === undefined ? undefined : keyRecordFromItem(item);
  }

  private completionUpdate(completion: KeyCompletion) {
    const answer = answerAttributes(completion.answer);
    return {
      TableName: this.tableName,
      Key: { pk: keyPartitionKey(completion.key), sk: KEY_SORT_KEY },
      UpdateExpression:
        'SET #state = :completed, #answerStatus = :answerStatus, #answerBody = :answerBody, ' +
        '#answerHang = :answerHang REMOVE #lease',
      ConditionExpression: '#state = :inProgress AND #owner = :owner',
      ExpressionAttributeNames: {
        ...KEY_NAMES,
        '#answerStatus': 'answerStatus',
        '#answerBody': 'answerBody',
        '#answerHang': 'answerHang',
      },
      ExpressionAttributeValues: {
        ':completed': 'completed',
        ':inProgress': 'in-progress',
        ':owner': completion.owner,
        ':answerStatus': answer['answerStatus'],
        ':answerBody': answer['answerBody'],
        ':answerHang': answer['answerHang'],
      },
    };
  }

  /**
   * Runs the transaction; `undefined` once it committed, else the cancellation reason of each item
   * (`None`, `ConditionalCheckFailed`, …). Cancelled only by concurrent writes to its items
   * (`TransactionConflict`, nothing written), it is run again a few times first.
   */
  private async transact(input: TransactWriteCommandInput): Promise<string[] | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.documents.send(new TransactWriteCommand(input));
        return undefined;
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (reasons === undefined) throw error;
        const conflictOnly =
          reasons.includes('TransactionConflict') && !reasons.includes('ConditionalCheckFailed');
        if (!conflictOnly || attempt >= TRANSACTION_ATTEMPTS) return reasons;
        await this.conflictPause();
      }
    }
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** By name rather than `instanceof`: a bundle may hold more than one copy of the SDK. */
function hasName(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

/** The `Code` of each item of a cancelled transaction, or `undefined` for any other error. */
function cancellationReasons(error: unknown): string[] | undefined {
  if (!hasName(error, 'TransactionCanceledException') || !(error instanceof Error)) return undefined;
  const reasons: unknown = 'CancellationReasons' in error ? error.CancellationReasons : undefined;
  if (!Array.isArray(reasons)) return undefined;
  return reasons.map((reason: unknown) =>
    typeof reason === 'object' && reason !== null && 'Code' in reason && typeof reason.Code === 'string'
      ? reason.Code
      : 'None',
  );
}
