import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BatchWriteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  type DynamoDBServiceException,
} from '@aws-sdk/client-dynamodb';
import { startDynamoDbFront, type DynamoDbFront } from '../../../src/dynamodb/dynamodb-front';
import { DYNAMODB_MAX_REQUEST_BYTES } from '../../../src/edge/edge-server';
import { FaultRegistry } from '../../../src/faults/fault-registry';
import { localClientConfig } from '../../../src/testing/client-config';
import { sendRaw } from '../../support/raw-http';

interface Forwarded {
  readonly operation: string;
  readonly body: Record<string, unknown>;
}

/** Stands in for DynamoDB Local: notes every request it read in full and answers as DynamoDB would. */
let dynamoDbLocal: Server;
let forwarded: Forwarded[];
let front: DynamoDbFront;
let faults: FaultRegistry;
let client: DynamoDBClient;

const REPLICA_A = 'kv-ReplicaA1B2-XYZ';
const REPLICA_B = 'kv-ReplicaC3D4-XYZ';
const REPLICA_A_ARN = `arn:aws:dynamodb:us-east-1:000000000000:table/${REPLICA_A}`;

const answerOf = (operation: string): Record<string, unknown> => {
  if (operation === 'GetItem') return { Item: { pk: { S: 'k' }, value: { S: 'stored' } } };
  if (operation === 'BatchWriteItem') return { UnprocessedItems: {} };
  if (operation === 'Query') return { Items: [], Count: 0, ScannedCount: 0 };
  return {};
};

beforeAll(async () => {
  dynamoDbLocal = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target']).split('.')[1] ?? '';
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      forwarded.push({ operation, body });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(answerOf(operation)));
    });
  });
  await new Promise<void>((resolve) => dynamoDbLocal.listen(0, '127.0.0.1', resolve));
  faults = new FaultRegistry({
    catalogue: {
      functions: [],
      eventSources: [],
      ruleTargets: [],
      buses: ['default'],
      tables: [
        { name: REPLICA_A, logicalId: 'ReplicaA1B2' },
        { name: REPLICA_B, logicalId: 'ReplicaC3D4' },
      ],
      restApis: [],
    },
  });
  front = await startDynamoDbFront({
    dynamoDbEndpoint: `http://127.0.0.1:${(dynamoDbLocal.address() as AddressInfo).port}`,
    faults,
  });
  // One attempt: what the front answers, not what the SDK's retries make of it.
  client = new DynamoDBClient({ ...localClientConfig(front.url), maxAttempts: 1 });
});

beforeEach(() => {
  forwarded = [];
});

afterEach(() => faults.clear());

afterAll(async () => {
  client?.destroy();
  await front?.close();
  dynamoDbLocal?.closeAllConnections();
  await new Promise((resolve) => dynamoDbLocal?.close(resolve));
});

const put = (table: string, pk = 'k') =>
  new PutItemCommand({ TableName: table, Item: { pk: { S: pk }, value: { S: 'v' } } });
const get = (table: string) => new GetItemCommand({ TableName: table, Key: { pk: { S: 'k' } } });
const putRequest = (pk: string) => ({ PutRequest: { Item: { pk: { S: pk } } } });

/** The error the SDK raised, to look at its class, name and HTTP status. */
const rejection = async (promise: Promise<unknown>): Promise<DynamoDBServiceException> => {
  try {
    await promise;
  } catch (error) {
    return error as DynamoDBServiceException;
  }
  throw new Error('expected the call to fail');
};

describe('the DynamoDB front', () => {
  it('passes requests on unchanged when no table fault is set, answers included', async () => {
    // Act
    await client.send(put(REPLICA_A));
    const { Item } = await client.send(get(REPLICA_B));

    // Assess
    expect(forwarded).toEqual([
      { operation: 'PutItem', body: { TableName: REPLICA_A, Item: { pk: { S: 'k' }, value: { S: 'v' } } } },
      { operation: 'GetItem', body: { TableName: REPLICA_B, Key: { pk: { S: 'k' } } } },
    ]);
    expect(Item).toEqual({ pk: { S: 'k' }, value: { S: 'stored' } });
  });

  it('refuses the writes to a failing table with the SDK’s own exception, and serves the rest', async () => {
    // Prepare
    faults.add({
      kind: 'table-write-failure',
      target: { logicalIdPrefix: 'ReplicaA' },
      probability: 1,
      errorCode: 'ProvisionedThroughputExceededException',
    });

    // Act
    const refused = await rejection(client.send(put(REPLICA_A)));
    const byArn = await rejection(client.send(put(REPLICA_A_ARN)));
    await client.send(put(REPLICA_B));
    await client.send(get(REPLICA_A));

    // Assess
    expect(refused).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(refused).toMatchObject({
      name: 'ProvisionedThroughputExceededException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: expect.stringContaining('provisioned throughput'),
    });
    expect(byArn).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(forwarded.map(({ operation, body }) => [operation, body.TableName])).toEqual([
      ['PutItem', REPLICA_B],
      ['GetItem', REPLICA_A],
    ]);
  });

  it('answers server errors with their 5xx status: InternalServerError and ServiceUnavailable', async () => {
    // Prepare
    faults.add({ kind: 'table-read-failure', target: { tableName: REPLICA_A }, probability: 1 });
    faults.add({
      kind: 'table-write-failure',
      target: { tableName: REPLICA_A },
      probability: 1,
      errorCode: 'ServiceUnavailable',
    });

    // Act
    const readFailure = await rejection(
      client.send(
        new QueryCommand({
          TableName: REPLICA_A,
          KeyConditionExpression: 'pk = :k',
          ExpressionAttributeValues: { ':k': { S: 'k' } },
        }),
      ),
    );
    const writeFailure = await rejection(
      client.send(new BatchWriteItemCommand({ RequestItems: { [REPLICA_A]: [putRequest('a')] } })),
    );

    // Assess
    expect(readFailure).toBeInstanceOf(InternalServerError);
    expect(readFailure).toMatchObject({ $fault: 'server', $metadata: { httpStatusCode: 500 } });
    expect(writeFailure).toMatchObject({ name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
    expect(forwarded).toEqual([]);
  });

  it('acknowledges a dropped write as DynamoDB would and passes on only the writes to other tables', async () => {
    // Prepare
    faults.add({ kind: 'table-write-drop', target: { tableNameContains: 'ReplicaA' }, probability: 1 });

    // Act
    const single = await client.send(put(REPLICA_A));
    const onlyDropped = await client.send(
      new BatchWriteItemCommand({ RequestItems: { [REPLICA_A]: [putRequest('a')] } }),
    );
    const mixed = await client.send(
      new BatchWriteItemCommand({
        RequestItems: { [REPLICA_A_ARN]: [putRequest('a')], [REPLICA_B]: [putRequest('b')] },
      }),
    );
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: REPLICA_A, Item: { pk: { S: 'a' } } } },
          {
            ConditionCheck: {
              TableName: REPLICA_B,
              Key: { pk: { S: 'b' } },
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
        ],
      }),
    );
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: REPLICA_A, Item: { pk: { S: 'a' } } } },
          { Delete: { TableName: REPLICA_B, Key: { pk: { S: 'b' } } } },
        ],
      }),
    );

    // Assess
    expect(single.Attributes).toBeUndefined();
    expect(single.$metadata.httpStatusCode).toBe(200);
    expect(onlyDropped.UnprocessedItems).toEqual({});
    expect(mixed.UnprocessedItems).toEqual({});
    expect(forwarded).toEqual([
      { operation: 'BatchWriteItem', body: { RequestItems: { [REPLICA_B]: [putRequest('b')] } } },
      {
        operation: 'TransactWriteItems',
        body: expect.objectContaining({
          TransactItems: [{ Delete: { TableName: REPLICA_B, Key: { pk: { S: 'b' } } } }],
        }),
      },
    ]);
  });

  it('delays the reads of a slow table before passing them on, and not its writes', async () => {
    // Prepare
    faults.add({
      kind: 'table-read-delay',
      target: { tableName: REPLICA_B },
      probability: 1,
      latencyMs: 300,
    });

    // Act
    const readStarted = performance.now();
    await client.send(get(REPLICA_B));
    const readMs = performance.now() - readStarted;
    const writeStarted = performance.now();
    await client.send(put(REPLICA_B));
    const writeMs = performance.now() - writeStarted;

    // Assess
    expect(readMs).toBeGreaterThanOrEqual(295);
    expect(writeMs).toBeLessThan(250);
    expect(forwarded.map((request) => request.operation)).toEqual(['GetItem', 'PutItem']);
  });

  it.each([
    ['no fault is set', false],
    ['a fault makes it read the body', true],
  ])('answers 413 to a body over 16 MiB when %s, without passing it on', async (_when, withFault) => {
    // Prepare
    if (withFault) faults.add({ kind: 'table-write-drop', target: { tableName: REPLICA_A }, probability: 1 });

    // Act
    const reply = await sendRaw({
      port: Number(new URL(front.url).port),
      method: 'POST',
      headers: { 'x-amz-target': 'DynamoDB_20120810.BatchWriteItem' },
      announcedBytes: DYNAMODB_MAX_REQUEST_BYTES + 1,
    });

    // Assess
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.text)).toEqual({
      __type: 'com.amazonaws.dynamodb.v20120810#RequestEntityTooLargeException',
      message: `The request body is larger than ${DYNAMODB_MAX_REQUEST_BYTES} bytes.`,
    });
    expect(forwarded).toEqual([]);
  });
});
