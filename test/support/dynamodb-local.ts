/**
 * DynamoDB Local for a `.dynamodb` suite: AWS's own engine (the local cloud's package runs it, without
 * the rest of the cloud) — the test run's shared one when there is one, else one for the suite — with SDK
 * clients on it, tables made as the stacks make them (and deleted after the suite), and a table's stream
 * read back in the shape a stream-triggered function receives.
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
import { deleteTable, localClientConfig, sharedDynamoDbEndpoint, startDynamoDbLocal } from 'cdk-local-cloud';
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
  /** Keys-only global secondary indexes. @default - none */
  readonly indexes?: readonly {
    readonly name: string;
    readonly partitionKey: KeyAttribute;
    readonly sortKey?: KeyAttribute;
  }[];
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
  /** The suite's DynamoDB Streams client, destroyed with it. */
  readonly streams: DynamoDBStreamsClient;
  createTable(tableName: string, spec: TableSpec): Promise<CreatedTable>;
  /** `<prefix>-<n>`, a name no other table of the suite has: for a table of each test. */
  uniqueTableName(prefix: string): string;
  /** The stream's records so far, every shard from its start, in the shape the outbox relay reads. */
  streamRecords(streamArn: string): Promise<DynamoDBStreamRecord[]>;
}

interface Running {
  readonly endpoint: string;
  /** Stops the suite's own DynamoDB Local; nothing for the shared one. */
  readonly stop: () => Promise<void>;
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
  const createdTables = new Set<string>();

  beforeAll(async () => {
    const shared = sharedDynamoDbEndpoint();
    const own = shared === undefined ? await startDynamoDbLocal({ port: 0 }) : undefined;
    const endpoint = shared ?? own?.endpoint ?? '';
    const config = localClientConfig(endpoint);
    const client = new DynamoDBClient(config);
    running = {
      endpoint,
      stop: async () => own?.stop(),
      client,
      documents: DynamoDBDocumentClient.from(client),
      streams: new DynamoDBStreamsClient(config),
    };
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    if (running === undefined) return;
    const { client, streams, stop } = running;
    running = undefined;
    // The next suite on a shared DynamoDB Local may name its tables as this one did.
    await Promise.all([...createdTables].map((TableName) => deleteTable(client, TableName)));
    streams.destroy();
    client.destroy();
    await stop();
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
    newClient: () => new DynamoDBClient(localClientConfig(current().endpoint)),
    get streams() {
      return current().streams;
    },
    createTable: async (tableName, spec) => {
      const created = await createTable(current().client, tableName, spec);
      createdTables.add(tableName);
      return created;
    },
    uniqueTableName: (prefix) => {
      tableCount += 1;
      const tableName = `${prefix}-${tableCount}`;
      // The suite may create it with its own CreateTable: it goes with the suite's tables all the same.
      createdTables.add(tableName);
      return tableName;
    },
    streamRecords: (streamArn) => streamRecords(current().streams, streamArn),
  };
}

async function createTable(
  client: DynamoDBClient,
  tableName: string,
  spec: TableSpec,
): Promise<CreatedTable> {
  const keysOf = (partitionKey: KeyAttribute, sortKey: KeyAttribute | undefined) =>
    [
      { attribute: partitionKey, KeyType: 'HASH' as const },
      ...(sortKey === undefined ? [] : [{ attribute: sortKey, KeyType: 'RANGE' as const }]),
    ].map(({ attribute, KeyType }) =>
      typeof attribute === 'string'
        ? { name: attribute, type: 'S' as const, KeyType }
        : { ...attribute, KeyType },
    );
  const keys = keysOf(spec.partitionKey, spec.sortKey);
  const indexes = (spec.indexes ?? []).map((index) => ({
    name: index.name,
    keys: keysOf(index.partitionKey, index.sortKey),
  }));
  const attributes = new Map(
    [...keys, ...indexes.flatMap((index) => index.keys)].map(({ name, type }) => [name, type]),
  );
  const { TableDescription } = await client.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: keys.map(({ name, KeyType }): KeySchemaElement => ({ AttributeName: name, KeyType })),
      AttributeDefinitions: [...attributes].map(([name, type]): AttributeDefinition => ({
        AttributeName: name,
        AttributeType: type,
      })),
      ...(indexes.length === 0
        ? {}
        : {
            GlobalSecondaryIndexes: indexes.map((index) => ({
              IndexName: index.name,
              KeySchema: index.keys.map(({ name, KeyType }): KeySchemaElement => ({
                AttributeName: name,
                KeyType,
              })),
              Projection: { ProjectionType: 'KEYS_ONLY' as const },
            })),
          }),
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
