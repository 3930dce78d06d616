import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type NativeAttributeValue,
} from '@aws-sdk/lib-dynamodb';
import type { ApprovalResolution, RolloutRecord, RolloutRecords } from '../ports/rollout-records';

/**
 * Rollouts in the operations table: one item each, `pk = 'rollout#<rolloutId>'`, `sk = 'rollout'`, its
 * approval's task token in `approval` once it waits for one.
 */
export const ROLLOUT_KEY_PREFIX = 'rollout#';
const ROLLOUT_SORT_KEY = 'rollout';

type Item = Record<string, NativeAttributeValue>;

export interface DynamoDbRolloutRecordsProps {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

export class DynamoDbRolloutRecords implements RolloutRecords {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(props: DynamoDbRolloutRecordsProps) {
    this.documents = DynamoDBDocumentClient.from(props.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tableName = props.tableName;
  }

  async create(record: Omit<RolloutRecord, 'approval'>): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...key(record.rolloutId), kind: 'rollout', ...record },
      }),
    );
  }

  async get(rolloutId: string): Promise<RolloutRecord | undefined> {
    const { Item: item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: key(rolloutId), ConsistentRead: true }),
    );
    return item === undefined ? undefined : toRecord(item);
  }

  async awaitApproval(rolloutId: string, taskToken: string, requestedAt: string): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(rolloutId),
        UpdateExpression: 'SET #approval = :approval',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#approval': 'approval' },
        ExpressionAttributeValues: { ':approval': { taskToken, requestedAt } },
      }),
    );
  }

  async markResolved(
    rolloutId: string,
    taskToken: string,
    resolution: ApprovalResolution,
    at: string,
  ): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(rolloutId),
          UpdateExpression: 'SET #approval.#resolution = :resolution, #approval.#resolvedAt = :at',
          // A retried approval step may have stored a newer token since: its wait is not the one answered.
          ConditionExpression: '#approval.#token = :token',
          ExpressionAttributeNames: {
            '#approval': 'approval',
            '#resolution': 'resolution',
            '#resolvedAt': 'resolvedAt',
            '#token': 'taskToken',
          },
          ExpressionAttributeValues: { ':resolution': resolution, ':at': at, ':token': taskToken },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw error;
    }
  }
}

function key(rolloutId: string): Item {
  return { pk: `${ROLLOUT_KEY_PREFIX}${rolloutId}`, sk: ROLLOUT_SORT_KEY };
}

function toRecord(item: Item): RolloutRecord {
  const approval = item['approval'] as Item | undefined;
  const resolution = approval?.['resolution'];
  const resolvedAt = approval?.['resolvedAt'];
  return {
    rolloutId: String(item['rolloutId']),
    functionName: String(item['functionName']),
    aliasName: String(item['aliasName']),
    originalVersion: String(item['originalVersion']),
    targetVersion: String(item['targetVersion']),
    startedAt: String(item['startedAt']),
    ...(approval === undefined
      ? {}
      : {
          approval: {
            taskToken: String(approval['taskToken']),
            requestedAt: String(approval['requestedAt']),
            ...(resolution === 'APPROVED' || resolution === 'ABORTED' ? { resolution } : {}),
            ...(typeof resolvedAt === 'string' ? { resolvedAt } : {}),
          },
        }),
  };
}
