import {
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamsApiRecord,
  type DescribeStreamInput,
  type GetRecordsInput,
  type GetShardIteratorInput,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsServiceError } from '../../src/aws-protocol';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../src/dynamodb/dynamodb-local';
import {
  DynamoDbStreamSource,
  type DynamoDbStreamEvent,
  type DynamoDbStreamEventRecord,
  type DynamoDbStreamSourceConfig,
  type DynamoDbStreamSourceOptions,
  type StreamOnFailureRecord,
} from '../../src/event-source/dynamodb-stream-source';
import type { InvokeResult, LambdaInvoker } from '../../src/lambda/invoker';
import { waitUntil } from '../../src/testing/eventually';
import { localClientConfig } from '../../src/testing/client-config';

type Handler = (event: DynamoDbStreamEvent) => InvokeResult | Promise<InvokeResult>;

/** Stands in for the Lambda runtime: records every batch and answers as the test scripts it. */
class FakeInvoker implements LambdaInvoker {
  readonly batches: DynamoDbStreamEvent[] = [];

  constructor(private readonly handler: Handler = () => ({ payload: null })) {}

  async invoke(_functionName: string, event: unknown): Promise<InvokeResult> {
    const batch = event as DynamoDbStreamEvent;
    this.batches.push(batch);
    return this.handler(batch);
  }

  async invokeAsync(): Promise<void> {
    throw new Error('stream sources invoke synchronously');
  }

  /** The `id` attribute of each record, batch by batch. */
  ids(): string[][] {
    return this.batches.map((batch) => batch.Records.map(idOf));
  }
}

const FUNCTION_ERROR: InvokeResult = {
  payload: { errorType: 'Error', errorMessage: 'boom' },
  functionError: { errorType: 'Error', errorMessage: 'boom' },
};

function idOf(record: DynamoDbStreamEventRecord): string {
  const value = (record.dynamodb.NewImage ?? record.dynamodb.Keys)['id'];
  return value !== undefined && 'S' in value ? value.S : '?';
}

const waitFor = (description: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> =>
  waitUntil(condition, { what: description, timeoutMs, intervalMs: 20 });

let dynamoDbLocal: DynamoDbLocal;
let dynamodb: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let tableCount = 0;
const running: DynamoDbStreamSource[] = [];

beforeAll(async () => {
  dynamoDbLocal = await startDynamoDbLocal({ port: 0 });
  dynamodb = new DynamoDBClient(localClientConfig(dynamoDbLocal.endpoint));
  streams = new DynamoDBStreamsClient(localClientConfig(dynamoDbLocal.endpoint));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((source) => source.stop()));
});

afterAll(async () => {
  dynamodb?.destroy();
  streams?.destroy();
  await dynamoDbLocal?.stop();
});

async function createStreamTable(): Promise<{ tableName: string; streamArn: string }> {
  tableCount += 1;
  const tableName = `stream-source-${tableCount}`;
  const output = await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  const streamArn = output.TableDescription?.LatestStreamArn;
  if (streamArn === undefined) throw new Error('the table has no stream');
  return { tableName, streamArn };
}

/** Writes one item per id, its own partition key unless given, in this order. */
async function put(
  tableName: string,
  ids: readonly string[],
  extra: Record<string, AttributeValue> = {},
): Promise<void> {
  for (const id of ids) {
    await dynamodb.send(
      new PutItemCommand({ TableName: tableName, Item: { pk: { S: id }, id: { S: id }, ...extra } }),
    );
  }
}

async function startSource(
  streamArn: string,
  invoker: LambdaInvoker,
  config: Partial<DynamoDbStreamSourceConfig>,
  extra: Partial<DynamoDbStreamSourceOptions> = {},
): Promise<DynamoDbStreamSource> {
  const source = new DynamoDbStreamSource({
    streamsClient: streams,
    streamArn,
    functionName: 'orders-projector',
    eventSourceMappingUuid: `mapping-${tableCount}`,
    invoker,
    config: { startingPosition: 'TRIM_HORIZON', ...config },
    pollIntervalMs: 50,
    shardDiscoveryIntervalMs: 200,
    ...extra,
  });
  running.push(source);
  await source.start();
  return source;
}

function checkpointOf(source: DynamoDbStreamSource): string | undefined {
  return source.stats().shards[0]?.checkpointSequenceNumber;
}

describe('DynamoDbStreamSource on DynamoDB Local', () => {
  it('delivers every change in order per partition key, in batches of at most batchSize, shaped as AWS does', async () => {
    // Prepare
    const { tableName, streamArn } = await createStreamTable();
    const before = Math.floor(Date.now() / 1000);
    for (let n = 0; n < 30; n += 1) {
      const pk = `customer-${n % 3}`;
      await dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            pk: { S: pk },
            id: { S: pk },
            n: { N: String(n) },
            blob: { B: Uint8Array.from([1, 2, 3]) },
          },
        }),
      );
    }
    const after = Math.ceil(Date.now() / 1000);
    const invoker = new FakeInvoker();

    // Act
    const source = await startSource(streamArn, invoker, { batchSize: 7 });
    await waitFor(
      'all 30 changes are delivered',
      () => invoker.batches.flatMap((b) => b.Records).length >= 30,
    );

    // Assess
    const delivered = invoker.batches.flatMap((batch) => batch.Records);
    expect(delivered).toHaveLength(30);
    expect(Math.max(...invoker.batches.map((batch) => batch.Records.length))).toBeLessThanOrEqual(7);
    for (let key = 0; key < 3; key += 1) {
      const numbers = delivered
        .filter((record) => idOf(record) === `customer-${key}`)
        .map((record) => {
          const n = record.dynamodb.NewImage?.['n'];
          return n !== undefined && 'N' in n ? Number(n.N) : -1;
        });
      expect(numbers).toEqual(Array.from({ length: 10 }, (_, index) => index * 3 + key));
    }
    const [first, second] = delivered;
    expect(first).toEqual({
      eventID: expect.any(String),
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        ApproximateCreationDateTime: expect.any(Number),
        Keys: { pk: { S: 'customer-0' } },
        NewImage: { pk: { S: 'customer-0' }, id: { S: 'customer-0' }, n: { N: '0' }, blob: { B: 'AQID' } },
        SequenceNumber: expect.any(String),
        SizeBytes: expect.any(Number),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: streamArn,
    });
    // Epoch seconds; DynamoDB Local rounds them down to the minute.
    expect(Number.isInteger(first?.dynamodb.ApproximateCreationDateTime)).toBe(true);
    expect(first?.dynamodb.ApproximateCreationDateTime).toBeGreaterThanOrEqual(before - 60);
    expect(first?.dynamodb.ApproximateCreationDateTime).toBeLessThanOrEqual(after);
    const modify = delivered[3];
    expect(modify?.eventName).toBe('MODIFY');
    expect(modify?.dynamodb.OldImage?.['n']).toEqual({ N: '0' });
    expect(second?.dynamodb.SequenceNumber).not.toBe(first?.dynamodb.SequenceNumber);
    await waitFor('the checkpoint reaches the last change', () => {
      return checkpointOf(source) === delivered[29]?.dynamodb.SequenceNumber;
    });
  });

  it('retries a failing batch until maximumRetryAttempts, then hands it to onFailure and moves on', async () => {
    // Prepare
    const { tableName, streamArn } = await createStreamTable();
    await put(tableName, ['bad-1', 'bad-2', 'good-3', 'good-4']);
    const invoker = new FakeInvoker((event) =>
      event.Records.some((record) => idOf(record).startsWith('bad')) ? FUNCTION_ERROR : { payload: null },
    );
    const failures: StreamOnFailureRecord[] = [];

    // Act
    await startSource(
      streamArn,
      invoker,
      { batchSize: 2, maximumRetryAttempts: 2 },
      { onFailure: async (failure) => void failures.push(failure) },
    );
    await waitFor('the records after the failed batch are delivered', () => invoker.batches.length >= 4);

    // Assess
    expect(invoker.ids()).toEqual([
      ['bad-1', 'bad-2'],
      ['bad-1', 'bad-2'],
      ['bad-1', 'bad-2'],
      ['good-3', 'good-4'],
    ]);
    const failedRecords = invoker.batches[0]?.Records ?? [];
    expect(failures).toEqual([
      {
        requestContext: {
          requestId: expect.any(String),
          functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:orders-projector',
          condition: 'RetryAttemptsExhausted',
          approximateInvokeCount: 3,
        },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        version: '1.0',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        DDBStreamBatchInfo: {
          shardId: expect.stringMatching(/^shardId-/),
          startSequenceNumber: failedRecords[0]?.dynamodb.SequenceNumber,
          endSequenceNumber: failedRecords[1]?.dynamodb.SequenceNumber,
          approximateArrivalOfFirstRecord: new Date(
            (failedRecords[0]?.dynamodb.ApproximateCreationDateTime ?? 0) * 1000,
          ).toISOString(),
          approximateArrivalOfLastRecord: new Date(
            (failedRecords[1]?.dynamodb.ApproximateCreationDateTime ?? 0) * 1000,
          ).toISOString(),
          batchSize: 2,
          streamArn,
        },
      },
    ]);
  });

  it('with ReportBatchItemFailures, re-delivers only from the lowest failed item', async () => {
    // Prepare
    const { tableName, streamArn } = await createStreamTable();
    await put(tableName, ['r1', 'r2', 'r3', 'r4', 'r5']);
    const invoker = new FakeInvoker((event) => {
      if (invoker.batches.length > 1) return { payload: { batchItemFailures: [] } };
      const failed = event.Records.filter((record) => ['r4', 'r2'].includes(idOf(record))).reverse();
      return {
        payload: { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.dynamodb.SequenceNumber })) },
      };
    });

    // Act
    const source = await startSource(streamArn, invoker, { batchSize: 5, reportBatchItemFailures: true });
    await waitFor('the retry is delivered', () => invoker.batches.length >= 2);

    // Assess
    expect(invoker.ids()).toEqual([
      ['r1', 'r2', 'r3', 'r4', 'r5'],
      ['r2', 'r3', 'r4', 'r5'],
    ]);
    const last = invoker.batches[1]?.Records[3]?.dynamodb.SequenceNumber;
    await waitFor('the checkpoint passes the retried records', () => checkpointOf(source) === last);
    expect(source.stats().shards[0]).toMatchObject({ batches: 2, failures: 1, discarded: 0 });
  });

  it('with BisectBatchOnFunctionError, narrows a failing batch down to the poison record', async () => {
    // Prepare
    const { tableName, streamArn } = await createStreamTable();
    const ids = ['r1', 'r2', 'r3', 'r4', 'r5', 'poison', 'r7', 'r8'];
    await put(tableName, ids);
    const invoker = new FakeInvoker((event) =>
      event.Records.some((record) => idOf(record) === 'poison') ? FUNCTION_ERROR : { payload: null },
    );
    const failures: StreamOnFailureRecord[] = [];

    // Act
    await startSource(
      streamArn,
      invoker,
      { batchSize: 8, bisectBatchOnFunctionError: true, maximumRetryAttempts: 0 },
      { onFailure: async (failure) => void failures.push(failure) },
    );
    await waitFor('the records after the poison one are delivered', () =>
      invoker.ids().some((batch) => batch.includes('r8') && !batch.includes('poison')),
    );

    // Assess
    expect(invoker.ids()).toEqual([
      ids,
      ['r1', 'r2', 'r3', 'r4'],
      ['r5', 'poison', 'r7', 'r8'],
      ['r5', 'poison'],
      ['r5'],
      ['poison'],
      ['r7', 'r8'],
    ]);
    expect(failures).toHaveLength(1);
    const poison = invoker.batches[5]?.Records[0]?.dynamodb.SequenceNumber;
    expect(failures[0]?.DDBStreamBatchInfo).toMatchObject({
      startSequenceNumber: poison,
      endSequenceNumber: poison,
      batchSize: 1,
    });
    expect(failures[0]?.requestContext.approximateInvokeCount).toBe(4);
  });

  it('drops the records that match no filter, and checkpoints past them', async () => {
    // Prepare
    const { tableName, streamArn } = await createStreamTable();
    await put(tableName, ['e1'], { kind: { S: 'event' } });
    await put(tableName, ['n1'], { kind: { S: 'noise' } });
    await put(tableName, ['e2'], { kind: { S: 'event' } });
    await put(tableName, ['n2'], { kind: { S: 'noise' } });
    const invoker = new FakeInvoker();
    const pattern = '{"dynamodb": {"NewImage": {"kind": {"S": ["event"]}}}}';

    // Act
    const source = await startSource(streamArn, invoker, {
      batchSize: 10,
      filterCriteria: { Filters: [{ Pattern: pattern }] },
    });
    await waitFor('every record is read', () => source.stats().shards[0]?.filteredOut === 2);
    await waitFor('nothing is left to deliver', () => source.stats().shards[0]?.pending === 0);

    // Assess
    expect(invoker.ids().flat()).toEqual(['e1', 'e2']);
    expect(checkpointOf(source)).toBe(source.stats().shards[0]?.lastReadSequenceNumber);
  });

  it('starts at the oldest record with TRIM_HORIZON and at the next new one with LATEST', async () => {
    // Prepare
    const { tableName, streamArn } = await createStreamTable();
    await put(tableName, ['before']);
    const fromOldest = new FakeInvoker();
    const fromLatest = new FakeInvoker();
    await startSource(streamArn, fromOldest, { startingPosition: 'TRIM_HORIZON' });
    await startSource(streamArn, fromLatest, { startingPosition: 'LATEST' });

    // Act
    await put(tableName, ['after']);
    await waitFor('both mappings see the new record', () =>
      [fromOldest, fromLatest].every((invoker) => invoker.ids().flat().includes('after')),
    );

    // Assess
    expect(fromOldest.ids().flat()).toEqual(['before', 'after']);
    expect(fromLatest.ids().flat()).toEqual(['after']);
  });

  it('retries a throttled batch without spending its retry attempts', async () => {
    // Prepare
    const { tableName, streamArn } = await createStreamTable();
    await put(tableName, ['r1']);
    let throttles = 2;
    const invoker = new FakeInvoker(() => {
      if (throttles > 0) {
        throttles -= 1;
        throw new AwsServiceError('TooManyRequestsException', 'Rate Exceeded.', 429);
      }
      return { payload: null };
    });
    const failures: StreamOnFailureRecord[] = [];

    // Act
    const source = await startSource(
      streamArn,
      invoker,
      { maximumRetryAttempts: 0 },
      { onFailure: async (failure) => void failures.push(failure) },
    );
    await waitFor('the batch gets through', () => source.stats().shards[0]?.batches === 1);

    // Assess
    expect(invoker.ids()).toEqual([['r1'], ['r1'], ['r1']]);
    expect(source.stats().shards[0]).toMatchObject({ throttles: 2, failures: 0, discarded: 0 });
    expect(failures).toEqual([]);
  });

  it('sends records older than maximumRecordAgeInSeconds to onFailure without invoking', async () => {
    // Prepare
    const { tableName, streamArn } = await createStreamTable();
    await put(tableName, ['stale-1', 'stale-2']);
    const twoHoursLater = { now: () => Date.now() + 2 * 3_600_000 };
    const invoker = new FakeInvoker();
    const failures: StreamOnFailureRecord[] = [];

    // Act
    const source = await startSource(
      streamArn,
      invoker,
      { maximumRecordAgeInSeconds: 3_600 },
      { clock: twoHoursLater, onFailure: async (failure) => void failures.push(failure) },
    );
    await waitFor('the stale records are discarded', () => failures.length > 0);

    // Assess
    expect(invoker.batches).toEqual([]);
    expect(failures[0]?.requestContext).toMatchObject({
      condition: 'RecordAgeExceeded',
      approximateInvokeCount: 0,
    });
    expect(failures[0]?.responseContext).toBeUndefined();
    expect(failures[0]?.DDBStreamBatchInfo.batchSize).toBe(2);
    await waitFor('the checkpoint passes them', () => source.stats().shards[0]?.pending === 0);
    expect(checkpointOf(source)).toBe(failures[0]?.DDBStreamBatchInfo.endSequenceNumber);
  });

  it('stop() waits for the invocation under way; start() again resumes after the checkpoint', async () => {
    // Prepare
    const { tableName, streamArn } = await createStreamTable();
    await put(tableName, ['r1']);
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const invoker = new FakeInvoker(async (event) => {
      if (idOf(event.Records[0] as DynamoDbStreamEventRecord) === 'r1') await released;
      return { payload: null };
    });
    const source = await startSource(streamArn, invoker, {});
    await waitFor('the invocation is under way', () => invoker.batches.length === 1);

    // Act
    const stopping = source.stop();
    const stillWaiting = await Promise.race([
      stopping.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 200)),
    ]);
    release();
    await stopping;
    const stateWhenStopped = source.stats().state;
    await put(tableName, ['r2']);
    await source.start();
    await waitFor('the new record is delivered', () => invoker.batches.length >= 2);

    // Assess
    expect(stillWaiting).toBe(true);
    expect(stateWhenStopped).toBe('Disabled');
    expect(invoker.ids()).toEqual([['r1'], ['r2']]);
  });
});

/** A stream whose shards the test lays out, served through a mocked Streams client. */
class ScriptedStream {
  readonly client = new DynamoDBStreamsClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  readonly iteratorRequests: GetShardIteratorInput[] = [];
  /** Shard id → records; a shard is closed once listed in `closed`. */
  readonly records = new Map<string, StreamsApiRecord[]>();
  readonly closed = new Set<string>();
  readonly shards: Shard[] = [];
  /** GetRecords calls to fail with an expired iterator, by shard id. */
  readonly expireNextRead = new Set<string>();
  private sequence = 0;

  constructor(private readonly pageSize = 1) {
    const mock = mockClient(this.client);
    mock.on(DescribeStreamCommand).callsFake((input: DescribeStreamInput) => this.describe(input));
    mock.on(GetShardIteratorCommand).callsFake((input: GetShardIteratorInput) => this.iterator(input));
    mock.on(GetRecordsCommand).callsFake((input: GetRecordsInput) => this.read(input));
  }

  addShard(shardId: string, parentShardId?: string): void {
    this.shards.push({ ShardId: shardId, ParentShardId: parentShardId, SequenceNumberRange: {} });
    this.records.set(shardId, []);
  }

  write(shardId: string, id: string): void {
    this.sequence += 1;
    this.records.get(shardId)?.push({
      eventID: `event-${this.sequence}`,
      eventName: 'INSERT',
      dynamodb: {
        ApproximateCreationDateTime: new Date(),
        Keys: { pk: { S: id } },
        NewImage: { pk: { S: id }, id: { S: id } },
        SequenceNumber: String(this.sequence).padStart(21, '0'),
        SizeBytes: 10,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
  }

  close(shardId: string): void {
    this.closed.add(shardId);
    const shard = this.shards.find((candidate) => candidate.ShardId === shardId);
    const last = this.records.get(shardId)?.at(-1)?.dynamodb?.SequenceNumber;
    if (shard !== undefined) shard.SequenceNumberRange = { EndingSequenceNumber: last ?? '0' };
  }

  private describe(input: DescribeStreamInput): unknown {
    const start = input.ExclusiveStartShardId;
    const from = start === undefined ? 0 : this.shards.findIndex((shard) => shard.ShardId === start) + 1;
    const page = this.shards.slice(from, from + this.pageSize);
    const more = from + this.pageSize < this.shards.length;
    return {
      StreamDescription: {
        Shards: page,
        ...(more && { LastEvaluatedShardId: page.at(-1)?.ShardId }),
      },
    };
  }

  private iterator(input: GetShardIteratorInput): unknown {
    this.iteratorRequests.push(input);
    const shardId = input.ShardId ?? '';
    const records = this.records.get(shardId) ?? [];
    const indexOf = (sequence: string | undefined): number =>
      records.findIndex((record) => record.dynamodb?.SequenceNumber === sequence);
    const position =
      input.ShardIteratorType === 'TRIM_HORIZON'
        ? 0
        : input.ShardIteratorType === 'LATEST'
          ? records.length
          : input.ShardIteratorType === 'AT_SEQUENCE_NUMBER'
            ? indexOf(input.SequenceNumber)
            : indexOf(input.SequenceNumber) + 1;
    return { ShardIterator: `${shardId}|${position}` };
  }

  private read(input: GetRecordsInput): unknown {
    const [shardId = '', position = '0'] = (input.ShardIterator ?? '').split('|');
    if (this.expireNextRead.delete(shardId)) {
      throw new ExpiredIteratorException({ message: 'Iterator expired', $metadata: {} });
    }
    const records = this.records.get(shardId) ?? [];
    const from = Number(position);
    const batch = records.slice(from, from + (input.Limit ?? 1000));
    const next = from + batch.length;
    const exhausted = this.closed.has(shardId) && next >= records.length;
    return { Records: batch, ...(!exhausted && { NextShardIterator: `${shardId}|${next}` }) };
  }
}

describe('DynamoDbStreamSource shard handling (scripted Streams API)', () => {
  const sources: DynamoDbStreamSource[] = [];

  afterEach(async () => {
    await Promise.all(sources.splice(0).map((source) => source.stop()));
  });

  async function start(
    stream: ScriptedStream,
    invoker: LambdaInvoker,
    startingPosition: DynamoDbStreamSourceConfig['startingPosition'],
    extra: Partial<DynamoDbStreamSourceOptions> = {},
  ): Promise<DynamoDbStreamSource> {
    const source = new DynamoDbStreamSource({
      streamsClient: stream.client,
      streamArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/label',
      functionName: 'orders-projector',
      eventSourceMappingUuid: 'scripted',
      invoker,
      config: { startingPosition, batchSize: 10 },
      pollIntervalMs: 10,
      shardDiscoveryIntervalMs: 20,
      ...extra,
    });
    sources.push(source);
    await source.start();
    return source;
  }

  it('lists shards across pages and reads a parent to its end before its child', async () => {
    // Prepare
    const stream = new ScriptedStream(1);
    stream.addShard('shardId-child', 'shardId-parent');
    stream.addShard('shardId-parent');
    stream.write('shardId-parent', 'p1');
    stream.write('shardId-child', 'c1');
    stream.write('shardId-parent', 'p2');
    stream.close('shardId-parent');
    const invoker = new FakeInvoker();

    // Act
    const source = await start(stream, invoker, 'TRIM_HORIZON');
    await waitFor('the child shard is delivered', () => invoker.ids().flat().includes('c1'));

    // Assess
    expect(invoker.ids().flat()).toEqual(['p1', 'p2', 'c1']);
    const statuses = Object.fromEntries(source.stats().shards.map((shard) => [shard.shardId, shard.status]));
    expect(statuses).toEqual({ 'shardId-parent': 'finished', 'shardId-child': 'polling' });
  });

  it('reads shards that appear later from their start, even when the mapping started at LATEST', async () => {
    // Prepare
    const stream = new ScriptedStream(10);
    stream.addShard('shardId-first');
    stream.write('shardId-first', 'old');
    const invoker = new FakeInvoker();
    await start(stream, invoker, 'LATEST');

    // Act
    stream.write('shardId-first', 'new');
    stream.close('shardId-first');
    stream.addShard('shardId-second', 'shardId-first');
    stream.write('shardId-second', 'next');
    await waitFor('the new shard is delivered', () => invoker.ids().flat().includes('next'));

    // Assess
    expect(invoker.ids().flat()).toEqual(['new', 'next']);
    expect(stream.iteratorRequests.map((request) => [request.ShardId, request.ShardIteratorType])).toEqual([
      ['shardId-first', 'LATEST'],
      ['shardId-second', 'TRIM_HORIZON'],
    ]);
  });

  it('takes a new iterator after the last record read when one expires', async () => {
    // Prepare
    const stream = new ScriptedStream(10);
    stream.addShard('shardId-only');
    stream.write('shardId-only', 'r1');
    const invoker = new FakeInvoker();
    await start(stream, invoker, 'TRIM_HORIZON');
    await waitFor('the first record is delivered', () => invoker.batches.length === 1);

    // Act
    stream.expireNextRead.add('shardId-only');
    stream.write('shardId-only', 'r2');
    await waitFor('the next record is delivered', () => invoker.batches.length === 2);

    // Assess
    expect(invoker.ids()).toEqual([['r1'], ['r2']]);
    expect(stream.iteratorRequests.map((request) => request.ShardIteratorType)).toEqual([
      'TRIM_HORIZON',
      'AFTER_SEQUENCE_NUMBER',
    ]);
    expect(stream.iteratorRequests[1]?.SequenceNumber).toBe(
      invoker.batches[0]?.Records[0]?.dynamodb.SequenceNumber,
    );
  });

  it('gathers records for the batching window before invoking', async () => {
    // Prepare
    const stream = new ScriptedStream(10);
    stream.addShard('shardId-only');
    stream.write('shardId-only', 'r1');
    stream.write('shardId-only', 'r2');
    let now = Date.now();
    const invoker = new FakeInvoker();
    const config = {
      startingPosition: 'TRIM_HORIZON' as const,
      batchSize: 10,
      maximumBatchingWindowInSeconds: 5,
    };
    const source = await start(stream, invoker, 'TRIM_HORIZON', { config, clock: { now: () => now } });
    await waitFor('the first records are read', () => source.stats().shards[0]?.pending === 2);

    // Act
    stream.write('shardId-only', 'r3');
    await waitFor('the next record is read', () => source.stats().shards[0]?.pending === 3);
    now += 5_000;
    await waitFor('the window closes', () => invoker.batches.length > 0);

    // Assess
    expect(invoker.ids()).toEqual([['r1', 'r2', 'r3']]);
  });

  it('invokes a full batch at once, without waiting for the window', async () => {
    // Prepare
    const stream = new ScriptedStream(10);
    stream.addShard('shardId-only');
    ['r1', 'r2', 'r3'].forEach((id) => stream.write('shardId-only', id));
    let now = Date.now();
    const invoker = new FakeInvoker();
    const config = {
      startingPosition: 'TRIM_HORIZON' as const,
      batchSize: 2,
      maximumBatchingWindowInSeconds: 300,
    };

    // Act
    await start(stream, invoker, 'TRIM_HORIZON', { config, clock: { now: () => now } });
    await waitFor('the full batch is delivered', () => invoker.batches.length === 1);
    now += 300_000;
    await waitFor('the rest is delivered when the window closes', () => invoker.batches.length === 2);

    // Assess
    expect(invoker.ids()).toEqual([['r1', 'r2'], ['r3']]);
  });
});
