import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Setting } from '../domain/setting';
import { revisionOf } from '../domain/version';
import type { Replica, ReplicaPage, ReplicaWriteOutcome } from '../ports/replica';
import { settingFromItem, settingItem, settingKey } from './setting-items';

export interface DynamoDbReplicaProps {
  /** A document client is used as it is; a plain client is wrapped in one. */
  readonly client: DynamoDBClient | DynamoDBDocumentClient;
  readonly tableName: string;
  /** @default the table's name */
  readonly name?: string;
  /** Items per sweep page. @default 100 */
  readonly pageSize?: number;
}

/**
 * One replica of the settings store: a DynamoDB table standing for one storage node. Reads are
 * strongly consistent (the node's own latest state); writes are conditional on the revision, so the
 * table never goes back to an older version whatever order writes and repairs arrive in.
 */
export class DynamoDbReplica implements Replica {
  readonly name: string;
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly pageSize: number;

  constructor(props: DynamoDbReplicaProps) {
    this.documents =
      props.client instanceof DynamoDBDocumentClient
        ? props.client
        : DynamoDBDocumentClient.from(props.client);
    this.tableName = props.tableName;
    this.name = props.name ?? props.tableName;
    this.pageSize = props.pageSize ?? 100;
  }

  async read(key: string): Promise<Setting | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: settingKey(key), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : settingFromItem(Item);
  }

  async write(setting: Setting): Promise<ReplicaWriteOutcome> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: settingItem(setting),
          ConditionExpression: 'attribute_not_exists(pk) OR revision < :revision',
          ExpressionAttributeValues: { ':revision': revisionOf(setting.version) },
        }),
      );
      return 'applied';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'superseded';
      throw error;
    }
  }

  async undo(written: Setting, previous: Setting | undefined): Promise<void> {
    const condition = {
      ConditionExpression: 'revision = :written',
      ExpressionAttributeValues: { ':written': revisionOf(written.version) },
    };
    try {
      if (previous === undefined) {
        await this.documents.send(
          new DeleteCommand({ TableName: this.tableName, Key: settingKey(written.key), ...condition }),
        );
      } else {
        await this.documents.send(
          new PutCommand({ TableName: this.tableName, Item: settingItem(previous), ...condition }),
        );
      }
    } catch (error) {
      // A newer write came in meanwhile: there is nothing of ours left to take back.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async page(cursor?: string): Promise<ReplicaPage> {
    const { Items = [], LastEvaluatedKey } = await this.documents.send(
      new ScanCommand({
        TableName: this.tableName,
        ConsistentRead: true,
        Limit: this.pageSize,
        ...(cursor === undefined ? {} : { ExclusiveStartKey: JSON.parse(cursor) as Record<string, unknown> }),
      }),
    );
    return {
      settings: Items.map(settingFromItem),
      ...(LastEvaluatedKey === undefined ? {} : { cursor: JSON.stringify(LastEvaluatedKey) }),
    };
  }
}
