/**
 * DynamoDB Local for a `.dynamodb` suite: AWS's own engine (started by the local cloud's package, without
 * the rest of the cloud), one per suite file, with SDK clients on it, tables made as the stacks make them,
 * and a table's stream read back in the shape a stream-triggered function receives.
 */
import {
  CreateTableCommand,
  DynamoDBClient,
  type AttributeDefinition,
  type KeySchemaElement,
  type ScalarAttributeType,
  type StreamViewType,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localClientConfig, startDynamoDbLocal, type DynamoDbLocal } from 'cdk-local-cloud';
import type { DynamoDBStreamRecord } from '../../shared/outbox/dynamodb-stream-event';

/** The JVM takes seconds to answer, more on a busy machine. */
const START_TIMEOUT_MS = 60_000;

/** A key attribute: its name (a string attribute), or its name and type. */
export type KeyAttribute = string | { readonly name: string; readonly type: ScalarAttributeType };

/** A table's keys and stream; it is always on-demand, as the stacks make theirs. */
export interface TableSpec {
  readonly partitionKey: KeyAttribute;
  /** @default - none */
  readonly sortKey?: KeyAttribute;
  /** @default - no stream */
  readonly stream?: StreamViewType;
}

export interface CreatedTable {
  readonly tableName: string;
  /** The stream's ARN; empty without a stream. */
  readonly streamArn: string;
}

export interface DynamoDbLocalSuite {
  /** The suite's client, destroyed with it. */
  readonly client: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  /** A client of its own (as another Lambda instance has one); whoever asks destroys it. */
  newClient(): DynamoDBClient;
  createTable(tableName: string, spec: TableSpec): Promise<CreatedTable>;
  /** `<prefix>-<n>`, a name no other table of the suite has: for a table of each test. */
  uniqueTableName(prefix: string): string;
  /** The stream's records so far, every shard from its start, in the shape the outbox relay reads. */
  streamRecords(streamArn: string): Promise<DynamoDBStreamRecord[]>;
}

interface Running {
  readonly dynamoDbLocal: DynamoDbLocal;
  readonly client: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  readonly streams: DynamoDBStreamsClient;
}

/**
 * DynamoDB Local for the suite that calls it, at its top level: started in a `beforeAll` registered
 * before the suite's own (which may create its tables), stopped in an `afterAll`. Its members are
 * read inside tests and hooks, once it has started.
 */
export function useDynamoDbLocal(): DynamoDbLocalSuite {
  let running: Running | undefined;
  let tableCount = 0;

  beforeAll(async () => {
    const dynamoDbLocal = await startDynamoDbLocal({ port: 0 });
    const config = localClientConfig(dynamoDbLocal.endpoint);
    const client = new DynamoDBClient(config);
    running = {
      dynamoDbLocal,
      client,
      documents: DynamoDBDocumentClient.from(client),
      streams: new DynamoDBStreamsClient(config),
    };
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    running?.streams.destroy();
    running?.client.destroy();
    await running?.dynamoDbLocal.stop();
    running = undefined;
  });

  const current = (): Running => {
    if (running === undefined) {
      throw new Error(
        'DynamoDB Local runs from the suite’s beforeAll to its afterAll: read it in a test or hook.',
      );
    }
    return running;
  };

  return {
    get client() {
      return current().client;
    },
    get documents() {
      return current().documents;
    },
    newClient: () => new DynamoDBClient(localClientConfig(current().dynamoDbLocal.endpoint)),
    createTable: (tableName, spec) => createTable(current().client, tableName, spec),
    uniqueTableName: (prefix) => {
      tableCount += 1;
      return `${prefix}-${tableCount}`;
    },
    streamRecords: (streamArn) => streamRecords(current().streams, streamArn),
  };
}

async function createTable(
  client: DynamoDBClient,
  tableName: string,
  spec: TableSpec,
): Promise<CreatedTable> {
  const keys = [
    { attribute: spec.partitionKey, KeyType: 'HASH' as const },
    ...(spec.sortKey === undefined ? [] : [{ attribute: spec.sortKey, KeyType: 'RANGE' as const }]),
  ].map(({ attribute, KeyType }) =>
    typeof attribute === 'string'
      ? { name: attribute, type: 'S' as const, KeyType }
      : { ...attribute, KeyType },
  );
  const { TableDescription } = await client.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: keys.map(({ name, KeyType }): KeySchemaElement => ({ AttributeName: name, KeyType })),
      AttributeDefinitions: keys.map(({ name, type }): AttributeDefinition => ({
        AttributeName: name,
        AttributeType: type,
      })),
      BillingMode: 'PAY_PER_REQUEST',
      ...(spec.stream === undefined
        ? {}
        : { StreamSpecification: { StreamEnabled: true, StreamViewType: spec.stream } }),
    }),
  );
  return { tableName, streamArn: TableDescription?.LatestStreamArn ?? '' };
}

async function streamRecords(
  streams: DynamoDBStreamsClient,
  streamArn: string,
): Promise<DynamoDBStreamRecord[]> {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const records: DynamoDBStreamRecord[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    let { ShardIterator: iterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    while (iterator !== undefined) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      const batch = page.Records ?? [];
      for (const record of batch) {
        records.push({
          eventID: record.eventID,
          eventName: record.eventName,
          dynamodb: {
            SequenceNumber: record.dynamodb?.SequenceNumber,
            Keys: record.dynamodb?.Keys as NonNullable<DynamoDBStreamRecord['dynamodb']>['Keys'],
            NewImage: record.dynamodb?.NewImage as NonNullable<DynamoDBStreamRecord['dynamodb']>['NewImage'],
          },
        });
      }
      // An open shard always hands out a next iterator; an empty page means it has been read up to now.
      iterator = batch.length === 0 ? undefined : page.NextShardIterator;
    }
  }
  return records;
}
