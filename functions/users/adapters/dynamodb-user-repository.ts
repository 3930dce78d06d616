import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ConcurrencyError } from '../../../shared/errors/app-error';
import type { UserRegistered } from '../contracts/users-events';
import { EmailAlreadyRegisteredError } from '../domain/errors';
import type { User } from '../domain/user';
import type { RegistrationOutcome, UserRepository } from '../ports/user-repository';
import {
  emailItem,
  eventItem,
  subItem,
  subKey,
  userFromItem,
  userIdFromSubItem,
  userItem,
  userKey,
} from './user-items';

/** Where `register` puts each item in its transaction: the cancellation reasons come back in this order. */
const SUB_CLAIM = 0;
const EMAIL_CLAIM = 1;

export interface DynamoDbUserRepositoryProps {
  /** A document client is used as it is; a plain client is wrapped in one. */
  readonly client: DynamoDBClient | DynamoDBDocumentClient;
  readonly tableName: string;
}

/**
 * Users in DynamoDB, see `user-items.ts` for the layout. A registration is one `TransactWriteItems` of
 * four conditional puts (sub claim, email claim, user, event): the user, its claims and its outbox entry
 * commit together. It needs `dynamodb:PutItem` only: a lost claim is told apart by the transaction's
 * cancellation reasons, not by a read.
 */
export class DynamoDbUserRepository implements UserRepository {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(props: DynamoDbUserRepositoryProps) {
    if (props.tableName.length === 0) throw new Error('DynamoDbUserRepository needs a tableName');
    this.documents =
      props.client instanceof DynamoDBDocumentClient
        ? props.client
        : DynamoDBDocumentClient.from(props.client, { marshallOptions: { removeUndefinedValues: true } });
    this.tableName = props.tableName;
  }

  async register(user: User, event: UserRegistered): Promise<RegistrationOutcome> {
    const put = (item: Record<string, unknown>) => ({
      Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
    });
    try {
      await this.documents.send(
        new TransactWriteCommand({
          // The order is SUB_CLAIM, EMAIL_CLAIM, then the user (a fresh ULID: its condition only guards
          // against a bug) and its event.
          TransactItems: [
            put(subItem(user)),
            put(emailItem(user)),
            put(userItem(user)),
            put(eventItem(event)),
          ],
        }),
      );
      return 'registered';
    } catch (error) {
      const reasons = cancellationCodes(error);
      if (reasons === undefined) throw error;
      // A sub claimed already is the same Cognito user again: the first registration stands, whatever
      // else failed with it (its email claim is that user's own).
      if (reasons[SUB_CLAIM] === 'ConditionalCheckFailed') return 'already-registered';
      if (reasons[EMAIL_CLAIM] === 'ConditionalCheckFailed')
        throw new EmailAlreadyRegisteredError(user.email);
      if (reasons.includes('TransactionConflict')) {
        throw new ConcurrencyError(
          `The registration of ${user.sub} raced another write of its sub or email; the next attempt finds it`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  async find(userId: string): Promise<User | undefined> {
    const item = await this.get(userKey(userId));
    return item === undefined ? undefined : userFromItem(item);
  }

  async findUserIdBySub(sub: string): Promise<string | undefined> {
    const item = await this.get(subKey(sub));
    return item === undefined ? undefined : userIdFromSubItem(item);
  }

  private async get(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    const { Item: item } = await this.documents.send(
      // Strongly consistent: a token issued right after the confirmation must find the user.
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return item;
  }
}

/**
 * The cancellation reason codes of a cancelled transaction, in the order of its items (`'None'` for an
 * item that was not the cause), or `undefined` for any other error. By name and shape rather than
 * `instanceof`: a bundle may hold more than one copy of the SDK.
 */
function cancellationCodes(error: unknown): readonly string[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons: unknown = 'CancellationReasons' in error ? error.CancellationReasons : undefined;
  if (!Array.isArray(reasons)) return undefined;
  return reasons.map((reason: unknown) =>
    typeof reason === 'object' && reason !== null && 'Code' in reason && typeof reason.Code === 'string'
      ? reason.Code
      : 'None',
  );
}
