/**
 * `LocalCloudOptions.dynamoDbEndpoint`: the local cloud on a DynamoDB Local it did not start — its
 * tables go there, its functions write there, and stopping the cloud leaves that database running.
 */
import { DynamoDBClient, GetItemCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../src/dynamodb/dynamodb-local';
import type { LocalCloud } from '../../src/local-cloud';
import { startFixtureCloud } from '../support/fixture-cloud';
import { localClientConfig } from '../../src/testing/client-config';

let dynamo: DynamoDbLocal;
let dynamodb: DynamoDBClient;
let cloud: LocalCloud | undefined;

beforeAll(async () => {
  dynamo = await startDynamoDbLocal();
  dynamodb = new DynamoDBClient(localClientConfig(dynamo.endpoint));
  ({ cloud } = await startFixtureCloud({ dynamoDbEndpoint: dynamo.endpoint }));
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
  dynamodb?.destroy();
  await dynamo?.stop();
});

test('the local cloud uses the DynamoDB Local it is given and leaves it running when it stops', async () => {
  // Prepare
  if (!cloud) throw new Error('the local cloud did not start');

  // Act
  const reported = { endpoint: cloud.dynamoDbEndpoint, pid: cloud.dynamoDbPid };
  const created = await fetch(`${cloud.apiUrl}/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'shared-dynamodb' }),
  });
  await cloud.stop();
  cloud = undefined;

  // Assess
  expect(reported).toEqual({ endpoint: dynamo.endpoint, pid: undefined });
  expect(created.status).toBe(201);
  const { Item } = await dynamodb.send(
    new GetItemCommand({ TableName: 'fixture-items', Key: { pk: { S: 'shared-dynamodb' } } }),
  );
  expect(Item?.payload?.S).toBe('benchmark');
  const { TableNames } = await dynamodb.send(new ListTablesCommand({}));
  expect(TableNames).toEqual(expect.arrayContaining(['fixture-items', 'fixture-received']));
});
