import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { CARD_TOKEN_KEY_PREFIX } from '../contracts/card-vault';
import type { CardVault } from '../ports/card-vault';
import { PAYMENT_KEY } from './payment-items';

export interface DynamoDbCardVaultProps {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /**
   * How long a token is kept when its charge never comes (the table's TTL deletes it after).
   * @default DEFAULT_CARD_TOKEN_RETENTION_SECONDS
   */
  readonly retentionSeconds?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** A week: longer than an order may wait for its charge (an approval's deadline, the payment wait). */
export const DEFAULT_CARD_TOKEN_RETENTION_SECONDS = 7 * 24 * 3600;

/**
 * The card vault in the payments table: one item per order, `orderId = 'card-token#<orderId>'`, with
 * the `token` and `expiresAt` (epoch seconds, the table's TTL attribute). `kind` is `card-token`, never
 * `event`: the table's stream is the outbox of payments' events, and the relay publishes events only.
 * The vault function's role may write only items under this prefix (`dynamodb:LeadingKeys`).
 */
export class DynamoDbCardVault implements CardVault {
  private readonly documents: DynamoDBDocumentClient;
  private readonly now: () => Date;
  private readonly retentionSeconds: number;

  constructor(private readonly props: DynamoDbCardVaultProps) {
    this.retentionSeconds = props.retentionSeconds ?? DEFAULT_CARD_TOKEN_RETENTION_SECONDS;
    if (!Number.isInteger(this.retentionSeconds) || this.retentionSeconds < 1) {
      throw new RangeError(`retentionSeconds must be a positive integer, not ${this.retentionSeconds}.`);
    }
    this.documents = DynamoDBDocumentClient.from(props.client);
    this.now = props.now ?? (() => new Date());
  }

  async keep(orderId: string, token: string): Promise<void> {
    const expiresAt = Math.floor(this.now().getTime() / 1000) + this.retentionSeconds;
    await this.documents.send(
      new PutCommand({
        TableName: this.props.tableName,
        Item: { [PAYMENT_KEY]: vaultKey(orderId), kind: 'card-token', token, expiresAt },
      }),
    );
  }

  async tokenOf(orderId: string): Promise<string | undefined> {
    const { Item: item } = await this.documents.send(
      new GetCommand({
        TableName: this.props.tableName,
        Key: { [PAYMENT_KEY]: vaultKey(orderId) },
        ConsistentRead: true,
      }),
    );
    // DynamoDB deletes expired items some time after their expiry: until then they are gone all the same.
    if (item === undefined || Number(item['expiresAt']) * 1000 <= this.now().getTime()) return undefined;
    const token: unknown = item['token'];
    return typeof token === 'string' && token !== '' ? token : undefined;
  }

  async forget(orderId: string): Promise<void> {
    await this.documents.send(
      new DeleteCommand({ TableName: this.props.tableName, Key: { [PAYMENT_KEY]: vaultKey(orderId) } }),
    );
  }
}

function vaultKey(orderId: string): string {
  return `${CARD_TOKEN_KEY_PREFIX}${orderId}`;
}
