/**
 * `replayDeadLetters` reading a failed batch's range back from a real table's stream (DynamoDB Local),
 * as the event source mapping's on-failure record names it. The queue and the bus are small fakes of
 * the two SQS and one EventBridge calls it makes; the poison path end to end is in `orders.test.ts`.
 */
import { PutItemCommand, StreamViewType } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand } from '@aws-sdk/client-dynamodb-streams';
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { DeleteMessageCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { PoisonDeadLetter } from '../../shared/outbox/poison-dead-letter';
import { replayDeadLetters, type ReplayOptions } from '../../shared/outbox/replay-dead-letters';
import { eventItem } from '../unit/outbox/stream-records';
import { useDynamoDbLocal } from '../support/dynamodb-local';

const dynamo = useDynamoDbLocal();

/** A queue holding `bodies`, as `ReceiveMessage` and `DeleteMessage` see it. */
function fakeQueue(bodies: readonly unknown[]) {
  const waiting: Message[] = bodies.map((body, index) => ({
    MessageId: `m-${index}`,
    ReceiptHandle: `r-${index}`,
    Body: JSON.stringify(body),
  }));
  const deleted: string[] = [];
  const sqs: ReplayOptions['sqs'] = {
    send: async (command: unknown) => {
      if (command instanceof ReceiveMessageCommand)
        return { Messages: waiting.filter((m) => !deleted.includes(m.ReceiptHandle ?? '')) };
      if (command instanceof DeleteMessageCommand)
        return void deleted.push(command.input.ReceiptHandle ?? '');
      throw new Error('an SQS call the replay does not make');
    },
  } as ReplayOptions['sqs'];
  return { sqs, deleted };
}

function fakeBus() {
  const published: PutEventsRequestEntry[] = [];
  const eventBridge: ReplayOptions['eventBridge'] = {
    send: async (command: unknown) => {
      if (!(command instanceof PutEventsCommand))
        throw new Error('an EventBridge call the replay does not make');
      published.push(...(command.input.Entries ?? []));
      return { FailedEntryCount: 0, Entries: (command.input.Entries ?? []).map(() => ({ EventId: 'eb' })) };
    },
  } as ReplayOptions['eventBridge'];
  return { eventBridge, published };
}

/** Four event items on a fresh table's stream, the second poison, and the mapping's record of the first three. */
async function failedBatch() {
  const { tableName, streamArn } = await dynamo.createTable(dynamo.uniqueTableName('replay-events'), {
    partitionKey: 'pk',
    sortKey: { name: 'sk', type: 'N' },
    stream: StreamViewType.NEW_IMAGE,
  });
  const items = [
    eventItem({ aggregateId: 'ord_a', version: 1 }),
    (({ correlationId: _dropped, ...rest }) => rest)(eventItem({ aggregateId: 'ord_b', version: 1 })),
    eventItem({ aggregateId: 'ord_a', version: 2 }),
    eventItem({ aggregateId: 'ord_c', version: 1 }),
  ];
  for (const item of items) {
    await dynamo.client.send(new PutItemCommand({ TableName: tableName, Item: marshall(item) }));
  }
  const records = await dynamo.streamRecords(streamArn);
  const { StreamDescription: stream } = await dynamo.streams.send(
    new DescribeStreamCommand({ StreamArn: streamArn }),
  );
  const batchInfo = {
    requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 11 },
    version: '1.0',
    DDBStreamBatchInfo: {
      shardId: stream?.Shards?.[0]?.ShardId,
      startSequenceNumber: records[0]?.dynamodb?.SequenceNumber,
      endSequenceNumber: records[2]?.dynamodb?.SequenceNumber,
      batchSize: 3,
      streamArn,
    },
  };
  return { items, batchInfo };
}

describe('replaying a batch the outbox relay’s event source mapping gave up on', () => {
  test('reads the range back from the stream, publishes its events in order and dead-letters its poison whole', async () => {
    // Prepare
    const { items, batchInfo } = await failedBatch();
    const queue = fakeQueue([batchInfo, { something: 'else' }]);
    const bus = fakeBus();
    const deadLettered: PoisonDeadLetter[] = [];

    // Act
    const outcomes = await replayDeadLetters({
      sqs: queue.sqs,
      dynamodb: dynamo.client,
      streams: dynamo.streams,
      eventBridge: bus.eventBridge,
      queueUrl: 'https://sqs.local/relay-dlq',
      busName: 'shop',
      source: 'shop.orders',
      poisonSink: async (deadLetter) => void deadLettered.push(deadLetter),
    });

    // Assess: the fourth record, past the range, is not the batch's.
    expect(outcomes).toEqual([
      { message: 'm-0', outcome: 'replayed', published: 2, deadLettered: 1 },
      { message: 'm-1', outcome: 'kept', reason: 'neither a poison record nor a failed batch' },
    ]);
    expect(queue.deleted).toEqual(['r-0']);
    expect(
      bus.published.map((entry) => (JSON.parse(entry.Detail ?? '{}') as { eventId: string }).eventId),
    ).toEqual([items[0]?.['eventId'], items[2]?.['eventId']]);
    expect(
      bus.published.every((entry) => entry.Source === 'shop.orders' && entry.EventBusName === 'shop'),
    ).toBe(true);
    expect(deadLettered).toEqual([
      expect.objectContaining({
        kind: 'outbox-poison-record',
        aggregateId: 'ord_b',
        eventSourceArn: batchInfo.DDBStreamBatchInfo.streamArn,
        reason: expect.stringContaining('correlationId'),
        newImage: marshall(items[1] ?? {}),
      }),
    ]);
  });

  test('a dry run reads the batch and publishes, dead-letters and deletes nothing', async () => {
    const { batchInfo } = await failedBatch();
    const queue = fakeQueue([batchInfo]);
    const bus = fakeBus();
    const outcomes = await replayDeadLetters({
      sqs: queue.sqs,
      dynamodb: dynamo.client,
      streams: dynamo.streams,
      eventBridge: bus.eventBridge,
      queueUrl: 'q',
      busName: 'shop',
      source: 'shop.orders',
      poisonSink: async () => {
        throw new Error('nothing is dead-lettered on a dry run');
      },
      dryRun: true,
    });
    expect(outcomes).toEqual([{ message: 'm-0', outcome: 'replayed', published: 2, deadLettered: 1 }]);
    expect(queue.deleted).toEqual([]);
    expect(bus.published).toEqual([]);
  });

  test('a range past the stream’s retention (or a stream gone) is kept, with the reason', async () => {
    const queue = fakeQueue([
      {
        DDBStreamBatchInfo: {
          shardId: 'shardId-1',
          startSequenceNumber: '1',
          endSequenceNumber: '2',
          streamArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/gone/stream/2026-01-01T00:00:00.000',
        },
      },
    ]);
    const outcomes = await replayDeadLetters({
      sqs: queue.sqs,
      dynamodb: dynamo.client,
      streams: dynamo.streams,
      eventBridge: fakeBus().eventBridge,
      queueUrl: 'q',
      busName: 'shop',
      source: 'shop.orders',
      poisonSink: async () => undefined,
    });
    expect(outcomes).toEqual([
      { message: 'm-0', outcome: 'kept', reason: expect.stringMatching(/cannot be read/) },
    ]);
    expect(queue.deleted).toEqual([]);
  });
});
