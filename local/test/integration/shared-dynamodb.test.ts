/**
 * The local cloud on a DynamoDB Local it did not start: `LocalCloudOptions.dynamoDbEndpoint` (its tables
 * go there, its functions write there, stopping it leaves that database running), `disposableTables`
 * (clouds one after another on one database, each on empty tables), and `startTestCloud` on the test
 * run's shared DynamoDB Local.
 */
import {
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../src/dynamodb/dynamodb-local';
import type { LocalCloud } from '../../src/local-cloud';
import { startFixtureCloud } from '../support/fixture-cloud';
import { localClientConfig } from '../../src/testing/client-config';
import { SHARED_DYNAMODB_LOCAL_VARIABLE } from '../../src/testing/shared-dynamodb-local';

let dynamo: DynamoDbLocal;
let dynamodb: DynamoDBClient;
let cloud: LocalCloud | undefined;
const sharedBefore = process.env[SHARED_DYNAMODB_LOCAL_VARIABLE];

beforeAll(async () => {
  dynamo = await startDynamoDbLocal();
  dynamodb = new DynamoDBClient(localClientConfig(dynamo.endpoint));
}, 120_000);

afterEach(async () => {
  await cloud?.stop();
  cloud = undefined;
  if (sharedBefore === undefined) delete process.env[SHARED_DYNAMODB_LOCAL_VARIABLE];
  else process.env[SHARED_DYNAMODB_LOCAL_VARIABLE] = sharedBefore;
});

afterAll(async () => {
  dynamodb?.destroy();
  await dynamo?.stop();
});

async function tableNames(): Promise<string[]> {
  return (await dynamodb.send(new ListTablesCommand({}))).TableNames ?? [];
}

async function postItem(started: LocalCloud, id: string): Promise<number> {
  const answer = await fetch(`${started.apiUrl}/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id }),
  });
  return answer.status;
}

test('the local cloud uses the DynamoDB Local it is given and leaves it running, tables and all, when it stops', async () => {
  // Prepare
  ({ cloud } = await startFixtureCloud({ dynamoDbEndpoint: dynamo.endpoint }));

  // Act
  const reported = { endpoint: cloud.dynamoDbEndpoint, pid: cloud.dynamoDbPid };
  const created = await postItem(cloud, 'shared-dynamodb');
  await cloud.stop();
  cloud = undefined;

  // Assess
  expect(reported).toEqual({ endpoint: dynamo.endpoint, pid: undefined });
  expect(created).toBe(201);
  const { Item } = await dynamodb.send(
    new GetItemCommand({ TableName: 'fixture-items', Key: { pk: { S: 'shared-dynamodb' } } }),
  );
  expect(Item?.payload?.S).toBe('benchmark');
  expect(await tableNames()).toEqual(expect.arrayContaining(['fixture-items', 'fixture-received']));
});

test('with disposableTables, a table left on the database is replaced by an empty one, and the tables go at stop', async () => {
  // Prepare: a table of the fixture app's, with an item an earlier run left in it
  ({ cloud } = await startFixtureCloud({ dynamoDbEndpoint: dynamo.endpoint }));
  await cloud.stop();
  await dynamodb.send(
    new PutItemCommand({ TableName: 'fixture-items', Item: { pk: { S: 'left-by-an-earlier-run' } } }),
  );

  // Act
  ({ cloud } = await startFixtureCloud({ dynamoDbEndpoint: dynamo.endpoint, disposableTables: true }));
  const { Items: atStart } = await dynamodb.send(new ScanCommand({ TableName: 'fixture-items' }));
  const created = await postItem(cloud, 'disposable');
  const whileRunning = await tableNames();
  await cloud.stop();
  cloud = undefined;

  // Assess
  expect(atStart).toEqual([]);
  expect(created).toBe(201);
  expect(whileRunning).toEqual(expect.arrayContaining(['fixture-items', 'fixture-received']));
  const afterStop = await tableNames();
  expect(afterStop).not.toContain('fixture-items');
  expect(afterStop).not.toContain('fixture-received');
});

test('startTestCloud starts on the test run’s shared DynamoDB Local, with disposable tables', async () => {
  // Prepare
  process.env[SHARED_DYNAMODB_LOCAL_VARIABLE] = dynamo.endpoint;

  // Act
  ({ cloud } = await startFixtureCloud());
  const endpoint = cloud.dynamoDbEndpoint;
  const created = await postItem(cloud, 'on-the-shared-database');
  const whileRunning = await tableNames();
  await cloud.stop();
  cloud = undefined;

  // Assess
  expect(endpoint).toBe(dynamo.endpoint);
  expect(created).toBe(201);
  expect(whileRunning).toContain('fixture-items');
  expect(await tableNames()).not.toContain('fixture-items');
});
