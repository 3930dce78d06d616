import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type NativeAttributeValue,
} from '@aws-sdk/lib-dynamodb';
import type { ApprovalTask, ApprovalTaskResolution, ApprovalTasks } from '../ports/approval-tasks';

/**
 * Approval tasks live in the orders' event store table, beside the events, as the snapshots do: one item
 * per order under `pk = 'approval#<orderId>'`, `sk = 0`, `kind = 'approval-task'`. The order's event
 * partition holds nothing but events; the outbox relay's filter (`kind = 'event'`) drops the stream
 * records of these items before any invocation, so a token never reaches the bus; and the command
 * functions need no grant beyond their `grantAppend` (`GetItem`, `PutItem`).
 */
export const APPROVAL_TASK_KEY_PREFIX = 'approval#';
export const APPROVAL_TASK_ITEM_KIND = 'approval-task';
const APPROVAL_TASK_SORT_KEY = 0;

type Item = Record<string, NativeAttributeValue>;

export interface DynamoDbApprovalTasksProps {
  readonly client: DynamoDBClient;
  /** The orders' `EventStoreTable`. */
  readonly tableName: string;
}

export class DynamoDbApprovalTasks implements ApprovalTasks {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(props: DynamoDbApprovalTasksProps) {
    this.documents = DynamoDBDocumentClient.from(props.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tableName = props.tableName;
  }

  async get(orderId: string): Promise<ApprovalTask | undefined> {
    const { Item: item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: key(orderId), ConsistentRead: true }),
    );
    return item === undefined ? undefined : toTask(item);
  }

  async save(task: Pick<ApprovalTask, 'orderId' | 'taskToken' | 'requestedAt'>): Promise<void> {
    await this.documents.send(new PutCommand({ TableName: this.tableName, Item: toItem(task) }));
  }

  async markResolved(task: ApprovalTask, resolution: ApprovalTaskResolution, at: string): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem({ ...task, resolution, resolvedAt: at }),
          // A retried step may have stored a newer token since: its wait is not the one answered.
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#token': 'taskToken' },
          ExpressionAttributeValues: { ':token': task.taskToken },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw error;
    }
  }
}

function key(orderId: string): Item {
  return { pk: `${APPROVAL_TASK_KEY_PREFIX}${orderId}`, sk: APPROVAL_TASK_SORT_KEY };
}

function toItem(task: ApprovalTask): Item {
  return {
    ...key(task.orderId),
    kind: APPROVAL_TASK_ITEM_KIND,
    orderId: task.orderId,
    taskToken: task.taskToken,
    requestedAt: task.requestedAt,
    resolution: task.resolution,
    resolvedAt: task.resolvedAt,
  };
}

function toTask(item: Item): ApprovalTask {
  const resolution = item['resolution'];
  const resolvedAt = item['resolvedAt'];
  return {
    orderId: String(item['orderId']),
    taskToken: String(item['taskToken']),
    requestedAt: String(item['requestedAt']),
    ...(resolution === 'APPROVED' || resolution === 'REJECTED' || resolution === 'CANCELLED'
      ? { resolution }
      : {}),
    ...(typeof resolvedAt === 'string' ? { resolvedAt } : {}),
  };
}
