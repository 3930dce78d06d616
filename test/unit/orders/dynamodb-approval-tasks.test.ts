import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  APPROVAL_TASK_ITEM_KIND,
  DynamoDbApprovalTasks,
} from '../../../functions/orders/adapters/dynamodb-approval-tasks';
import { EVENT_ITEM_KIND, SNAPSHOT_KEY_PREFIX } from '../../../shared/event-sourcing';

const ORDER_ID = 'ord_01JD0000000000000000000061';
const task = { orderId: ORDER_ID, taskToken: 'token-1', requestedAt: '2026-11-26T12:00:00.000Z' };

let restore: (() => void) | undefined;

function setup() {
  // Every document client the adapter builds sends through this mock, until `restore`.
  const documents = mockClient(DynamoDBDocumentClient);
  restore = () => documents.restore();
  const tasks = new DynamoDbApprovalTasks({
    client: new DynamoDBClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
    tableName: 'orders-events',
  });
  return { documents, tasks };
}

describe('DynamoDbApprovalTasks', () => {
  afterEach(() => restore?.());

  it('keeps a task beside the order’s events, in a key space and kind the outbox relay ignores', async () => {
    // Prepare
    const { documents, tasks } = setup();
    documents.on(PutCommand).resolves({});

    // Act
    await tasks.save(task);

    // Assess
    const item = documents.commandCalls(PutCommand)[0]?.args[0].input.Item;
    expect(item).toEqual({
      pk: `approval#${ORDER_ID}`,
      sk: 0,
      kind: APPROVAL_TASK_ITEM_KIND,
      orderId: ORDER_ID,
      taskToken: 'token-1',
      requestedAt: task.requestedAt,
      resolution: undefined,
      resolvedAt: undefined,
    });
    expect(item?.['kind']).not.toBe(EVENT_ITEM_KIND);
    expect(String(item?.['pk'])).not.toBe(ORDER_ID);
    expect(String(item?.['pk']).startsWith(SNAPSHOT_KEY_PREFIX)).toBe(false);
  });

  it('reads a task back, consistently, with its resolution', async () => {
    // Prepare
    const { documents, tasks } = setup();
    documents
      .on(GetCommand)
      .resolvesOnce({
        Item: {
          pk: `approval#${ORDER_ID}`,
          sk: 0,
          kind: APPROVAL_TASK_ITEM_KIND,
          ...task,
          resolution: 'APPROVED',
          resolvedAt: '2026-11-26T12:05:00.000Z',
        },
      })
      .resolvesOnce({});

    // Act
    const found = await tasks.get(ORDER_ID);
    const missing = await tasks.get(ORDER_ID);

    // Assess
    expect(found).toEqual({ ...task, resolution: 'APPROVED', resolvedAt: '2026-11-26T12:05:00.000Z' });
    expect(missing).toBeUndefined();
    expect(documents.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: 'orders-events',
      Key: { pk: `approval#${ORDER_ID}`, sk: 0 },
      ConsistentRead: true,
    });
  });

  it('marks a task answered only while its token is still the stored one', async () => {
    // Prepare
    const { documents, tasks } = setup();
    documents
      .on(PutCommand)
      .resolvesOnce({})
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'replaced', $metadata: {} }))
      .rejectsOnce(new Error('throttled'));

    // Act
    await tasks.markResolved(task, 'CANCELLED', '2026-11-26T12:05:00.000Z');
    await tasks.markResolved(task, 'CANCELLED', '2026-11-26T12:05:00.000Z');
    const third = tasks.markResolved(task, 'CANCELLED', '2026-11-26T12:05:00.000Z');

    // Assess
    await expect(third).rejects.toThrow('throttled');
    expect(documents.commandCalls(PutCommand)[0]?.args[0].input).toMatchObject({
      Item: { resolution: 'CANCELLED', resolvedAt: '2026-11-26T12:05:00.000Z', taskToken: 'token-1' },
      ConditionExpression: '#token = :token',
      ExpressionAttributeValues: { ':token': 'token-1' },
    });
  });
});
