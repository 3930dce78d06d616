import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DynamoDbEventStore,
  UNIQUE_KEY_ITEM_KIND,
  UniqueKeyTakenError,
} from '../../../shared/event-sourcing';
import { stockEvent, type StockEvent, type StockState } from './stock-decider';

// The adapter's behaviour on DynamoDB itself is tested on DynamoDB Local
// (test/integration/event-store.dynamodb.test.ts); here only what DynamoDB Local cannot be made to do.

const ID = 'prd_01JD0000000000000000000001';
const HOLDER = 'prd_01JD0000000000000000000002';

function storeOnMock() {
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const mock = mockClient(documents);
  const store = new DynamoDbEventStore<StockEvent, StockState>({ client: documents, tableName: 'events' });
  return { mock, store };
}

describe('DynamoDbEventStore', () => {
  it('reads the holder of a taken key when the cancellation does not return the claim', async () => {
    // Prepare: an engine that ignores ReturnValuesOnConditionCheckFailure
    const { mock, store } = storeOnMock();
    mock.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );
    mock.on(GetCommand).resolves({
      Item: { pk: 'unique#request-1', sk: 0, kind: UNIQUE_KEY_ITEM_KIND, aggregateId: HOLDER },
    });
    const event = stockEvent(ID, 1, { type: 'StockReceived', data: { quantity: 1 } });

    // Act
    const append = store.append(ID, 0, [event], { uniqueKey: 'request-1' });

    // Assess
    await expect(append).rejects.toBeInstanceOf(UniqueKeyTakenError);
    await expect(append).rejects.toMatchObject({ key: 'request-1', claimedBy: HOLDER });
    expect(mock.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: 'events',
      Key: { pk: 'unique#request-1', sk: 0 },
      ConsistentRead: true,
    });
  });
});
