import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { KnownUser, KnownUserReader, KnownUserWriter, RecordOutcome } from '../ports/known-users';

/**
 * Known users live in the orders read model beside the order views: `pk` = the user id, `sk` =
 * `known-user`, with `userId` and `registeredAt`. The item has no `orderId`, so the `byUser` index
 * (`userId`, `orderId`) never holds it: a user's order list is orders only.
 */
export const KNOWN_USER_SORT_KEY = 'known-user';

export interface DynamoDbKnownUsersProps {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

export class DynamoDbKnownUsers implements KnownUserReader, KnownUserWriter {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(props: DynamoDbKnownUsersProps) {
    this.documents = DynamoDBDocumentClient.from(props.client);
    this.tableName = props.tableName;
  }

  async find(userId: string): Promise<KnownUser | undefined> {
    const { Item: item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: userId, sk: KNOWN_USER_SORT_KEY } }),
    );
    return item === undefined
      ? undefined
      : { userId: String(item['userId']), registeredAt: String(item['registeredAt']) };
  }

  /** Put only where no record exists: a redelivered or late duplicate never rewrites the first one. */
  async record(user: KnownUser): Promise<RecordOutcome> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: user.userId,
            sk: KNOWN_USER_SORT_KEY,
            userId: user.userId,
            registeredAt: user.registeredAt,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'recorded';
    } catch (error) {
      // By name rather than `instanceof`: a bundle may hold more than one copy of the SDK.
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return 'already-known';
      throw error;
    }
  }
}
