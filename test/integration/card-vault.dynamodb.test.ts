import { StreamViewType } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbCardVault } from '../../functions/payments/adapters/dynamodb-card-vault';
import { toOutboxEntry } from '../../shared/outbox/outbox-entry';
import { useDynamoDbLocal } from '../support/dynamodb-local';

const dynamo = useDynamoDbLocal();
const NOW = Date.parse('2026-12-07T12:00:00.000Z');
let tableName = '';
let streamArn = '';

beforeAll(async () => {
  // The payments table as its stack makes it: `orderId` (S) and a stream of new images (the outbox).
  ({ tableName, streamArn } = await dynamo.createTable('payments', {
    partitionKey: 'orderId',
    stream: StreamViewType.NEW_IMAGE,
  }));
});

const vault = (now = NOW) =>
  new DynamoDbCardVault({
    client: dynamo.client,
    tableName,
    retentionSeconds: 3_600,
    now: () => new Date(now),
  });

describe('the card vault in the payments table', () => {
  test('keeps a token per order under card-token#<orderId> with its expiry, gives it back, and forgets it', async () => {
    // Act
    await vault().keep('ord_1', 'tok_visa');
    // Assess
    const { Item: item } = await dynamo.documents.send(
      new GetCommand({ TableName: tableName, Key: { orderId: 'card-token#ord_1' } }),
    );
    expect(item).toEqual({
      orderId: 'card-token#ord_1',
      kind: 'card-token',
      token: 'tok_visa',
      expiresAt: NOW / 1000 + 3_600,
    });
    expect(await vault().tokenOf('ord_1')).toBe('tok_visa');
    expect(await vault().tokenOf('ord_2')).toBeUndefined();

    // Act
    await vault().forget('ord_1');
    await vault().forget('ord_1');
    // Assess
    expect(await vault().tokenOf('ord_1')).toBeUndefined();
  });

  test('a token past its expiry is gone, though DynamoDB has not deleted the item yet', async () => {
    await vault().keep('ord_3', 'tok_visa');
    expect(await vault(NOW + 3_599_000).tokenOf('ord_3')).toBe('tok_visa');
    expect(await vault(NOW + 3_600_000).tokenOf('ord_3')).toBeUndefined();
  });

  test('the outbox relay, reading the same stream, never publishes a vault item', async () => {
    await vault().keep('ord_4', 'tok_visa');
    const records = await dynamo.streamRecords(streamArn);
    const vaultRecords = records.filter((record) =>
      record.dynamodb?.Keys?.['orderId']?.S?.startsWith('card-token#'),
    );
    expect(vaultRecords.length).toBeGreaterThan(0);
    for (const record of vaultRecords) {
      expect(toOutboxEntry(record, { busName: 'shop', source: 'shop.payments' })).toEqual({
        kind: 'ignored',
      });
    }
  });
});
