/**
 * Redrives an outbox relay's dead-letter queue (`npm run outbox:replay`). Two kinds of message wait there:
 *
 * - **A poison record** the relay dead-lettered itself (`PoisonDeadLetter`): an event item that can never
 *   be published as it stands. Fix the item in its table; the replay reads it again by its keys and
 *   publishes it when it is now a valid event (still poison: the message stays, with the reason).
 * - **A failed batch** the event source mapping sent after its retries (`DDBStreamBatchInfo`: the shard
 *   and the range of sequence numbers, not the records): the replay reads that range from the table's
 *   stream (within its 24 hours) and publishes its events in order; a poison record among them becomes a
 *   poison message of its own.
 *
 * A message is deleted only once everything it stands for was published (or dead-lettered again).
 */
import { GetItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import type { DynamoDBStreamRecord } from './dynamodb-stream-event';
import { toOutboxEntry } from './outbox-entry';
import { POISON_DEAD_LETTER_KIND, poisonDeadLetter, type PoisonSink } from './poison-dead-letter';

export interface ReplayOptions {
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly dynamodb: Pick<DynamoDBClient, 'send'>;
  readonly streams: Pick<DynamoDBStreamsClient, 'send'>;
  readonly eventBridge: Pick<EventBridgeClient, 'send'>;
  /** The relay's dead-letter queue. */
  readonly queueUrl: string;
  /** The bus and `source` the relay publishes with (`EVENT_BUS_NAME`, e.g. `shop.orders`). */
  readonly busName: string;
  readonly source: string;
  /** Where poison records found in a failed batch are dead-lettered (the same queue). */
  readonly poisonSink: PoisonSink;
  /** Read and report what would be done; publish, dead-letter and delete nothing. */
  readonly dryRun?: boolean;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export type ReplayOutcome =
  | {
      readonly message: string;
      readonly outcome: 'replayed';
      readonly published: number;
      readonly deadLettered: number;
    }
  | { readonly message: string; readonly outcome: 'kept'; readonly reason: string };

const BatchInfo = z.object({
  DDBStreamBatchInfo: z.object({
    shardId: z.string().min(1),
    startSequenceNumber: z.string().min(1),
    endSequenceNumber: z.string().min(1),
    streamArn: z.string().min(1),
  }),
});
const attributeValue = z.custom<AttributeValue>((value) => typeof value === 'object' && value !== null);
const Poison = z.object({
  kind: z.literal(POISON_DEAD_LETTER_KIND),
  eventSourceArn: z.string().min(1),
  sequenceNumber: z.string(),
  keys: z.record(z.string(), attributeValue),
});

/** Every message on the queue now, each replayed or kept with the reason; in the order received. */
export async function replayDeadLetters(options: ReplayOptions): Promise<ReplayOutcome[]> {
  const outcomes: ReplayOutcome[] = [];
  const seen = new Set<string>();
  for (;;) {
    const { Messages: messages = [] } = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: 10,
        // Long enough to replay a batch; a message kept reappears after it, for the next replay.
        VisibilityTimeout: 120,
        WaitTimeSeconds: 0,
      }),
    );
    const fresh = messages.filter((message) => !seen.has(message.MessageId ?? ''));
    if (fresh.length === 0) return outcomes;
    for (const message of fresh) {
      const id = message.MessageId ?? '';
      seen.add(id);
      const outcome = await replayOne(options, id, message.Body ?? '');
      outcomes.push(outcome);
      if (outcome.outcome === 'replayed' && options.dryRun !== true) {
        await options.sqs.send(
          new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      }
    }
  }
}

async function replayOne(options: ReplayOptions, id: string, body: string): Promise<ReplayOutcome> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { message: id, outcome: 'kept', reason: 'the message is not JSON' };
  }
  const poison = Poison.safeParse(json);
  if (poison.success) return replayPoison(options, id, poison.data);
  const batch = BatchInfo.safeParse(json);
  if (batch.success) return replayBatch(options, id, batch.data.DDBStreamBatchInfo);
  return { message: id, outcome: 'kept', reason: 'neither a poison record nor a failed batch' };
}

/** The table's name from its stream's ARN, `arn:…:table/<name>/stream/<label>`. */
function tableOf(streamArn: string): string | undefined {
  return /:table\/([^/]+)\/stream\//.exec(streamArn)?.[1];
}

async function replayPoison(
  options: ReplayOptions,
  id: string,
  deadLetter: z.output<typeof Poison>,
): Promise<ReplayOutcome> {
  const tableName = tableOf(deadLetter.eventSourceArn);
  if (tableName === undefined) return { message: id, outcome: 'kept', reason: 'no table in eventSourceArn' };
  const { Item: item } = await options.dynamodb.send(
    new GetItemCommand({ TableName: tableName, Key: deadLetter.keys, ConsistentRead: true }),
  );
  if (item === undefined)
    return { message: id, outcome: 'kept', reason: `the item is no longer in ${tableName}` };
  // The item as it is now, as the stream would carry it had it been written so.
  const record: DynamoDBStreamRecord = {
    eventName: 'INSERT',
    eventSourceARN: deadLetter.eventSourceArn,
    dynamodb: { SequenceNumber: deadLetter.sequenceNumber, Keys: deadLetter.keys, NewImage: item },
  };
  const entry = toOutboxEntry(record, { busName: options.busName, source: options.source });
  if (entry.kind === 'ignored')
    return { message: id, outcome: 'kept', reason: 'the item is not an event item' };
  if (entry.kind === 'poison')
    return { message: id, outcome: 'kept', reason: `still poison: ${entry.reason}` };
  if (options.dryRun !== true) await publish(options, [entry.entry]);
  return { message: id, outcome: 'replayed', published: 1, deadLettered: 0 };
}

async function replayBatch(
  options: ReplayOptions,
  id: string,
  batch: z.output<typeof BatchInfo>['DDBStreamBatchInfo'],
): Promise<ReplayOutcome> {
  let records: StreamRecord[];
  try {
    records = await streamRange(options.streams, batch);
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    return {
      message: id,
      outcome: 'kept',
      reason: `the stream range cannot be read (${name}): past its 24 hours?`,
    };
  }
  const target = { busName: options.busName, source: options.source };
  let published = 0;
  let deadLettered = 0;
  const now = options.now ?? (() => new Date());
  for (const streamRecord of records) {
    // The Streams API's record is the Lambda event's record (the same fields, its own SDK types) but for
    // the stream's ARN, which a poison record's dead letter needs to name its table.
    const record = { ...streamRecord, eventSourceARN: batch.streamArn } as DynamoDBStreamRecord;
    const entry = toOutboxEntry(record, target);
    if (entry.kind === 'ignored') continue;
    if (entry.kind === 'poison') {
      if (options.dryRun !== true) {
        await options.poisonSink(
          poisonDeadLetter(record, {
            reason: entry.reason,
            source: options.source,
            aggregateId: entry.aggregateId,
            at: now(),
          }),
        );
      }
      deadLettered++;
    } else {
      // One at a time: the records are in stream order, so each aggregate's events stay in order.
      if (options.dryRun !== true) await publish(options, [entry.entry]);
      published++;
    }
  }
  return { message: id, outcome: 'replayed', published, deadLettered };
}

/** The shard's records from `startSequenceNumber` to `endSequenceNumber`, both included. */
async function streamRange(
  streams: Pick<DynamoDBStreamsClient, 'send'>,
  batch: z.output<typeof BatchInfo>['DDBStreamBatchInfo'],
): Promise<StreamRecord[]> {
  const end = BigInt(batch.endSequenceNumber);
  let { ShardIterator: iterator } = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: batch.streamArn,
      ShardId: batch.shardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      SequenceNumber: batch.startSequenceNumber,
    }),
  );
  const records: StreamRecord[] = [];
  for (let reads = 0; iterator !== undefined && reads < 1_000; reads++) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1_000 }));
    for (const record of page.Records ?? []) {
      if (BigInt(record.dynamodb?.SequenceNumber ?? '0') > end) return records;
      records.push(record);
    }
    // An open shard answers empty pages at its tip: the range is complete then.
    if ((page.Records ?? []).length === 0) return records;
    iterator = page.NextShardIterator;
  }
  return records;
}

async function publish(
  options: ReplayOptions,
  entries: NonNullable<PutEventsCommand['input']['Entries']>,
): Promise<void> {
  const result = await options.eventBridge.send(new PutEventsCommand({ Entries: entries }));
  if ((result.FailedEntryCount ?? 0) > 0) {
    const failed = (result.Entries ?? []).find((entry) => entry.ErrorCode !== undefined);
    throw new Error(
      `EventBridge refused the entry: ${failed?.ErrorCode ?? 'unknown'} ${failed?.ErrorMessage ?? ''}`,
    );
  }
}
