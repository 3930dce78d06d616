import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbKnownUsers } from '../../../functions/orders/adapters/dynamodb-known-users';
import { USER_ID } from './fakes';

const registeredAt = '2026-11-26T11:59:00.000Z';

/** The adapter on a client whose document calls `mockClient` answers (it mocks every instance). */
function knownUsersTable(): DynamoDbKnownUsers {
  return new DynamoDbKnownUsers({
    client: new DynamoDBClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
    tableName: 'order-views',
  });
}

describe('DynamoDbKnownUsers', () => {
  it('puts the id and the registration instant only, where no record of the user exists', async () => {
    // Prepare
    const documents = mockClient(DynamoDBDocumentClient);
    try {
      documents.on(PutCommand).resolves({});
      const knownUsers = knownUsersTable();

      // Act
      const outcome = await knownUsers.record({ userId: USER_ID, registeredAt });

      // Assess
      expect(outcome).toBe('recorded');
      expect(documents.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
        TableName: 'order-views',
        Item: { pk: USER_ID, sk: 'known-user', userId: USER_ID, registeredAt },
        ConditionExpression: 'attribute_not_exists(pk)',
      });
    } finally {
      documents.restore();
    }
  });

  it('answers already-known when the condition fails, and passes any other error on', async () => {
    // Prepare
    const documents = mockClient(DynamoDBDocumentClient);
    try {
      const knownUsers = knownUsersTable();
      documents
        .on(PutCommand)
        .rejectsOnce(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }))
        .rejectsOnce(new Error('throttled'));

      // Act
      const duplicate = await knownUsers.record({ userId: USER_ID, registeredAt });
      const failing = knownUsers.record({ userId: USER_ID, registeredAt });

      // Assess
      expect(duplicate).toBe('already-known');
      await expect(failing).rejects.toThrow('throttled');
    } finally {
      documents.restore();
    }
  });

  it('finds a known user by id, and nobody it has no record of', async () => {
    // Prepare
    const documents = mockClient(DynamoDBDocumentClient);
    try {
      const knownUsers = knownUsersTable();
      documents
        .on(GetCommand, { Key: { pk: USER_ID, sk: 'known-user' } })
        .resolves({ Item: { pk: USER_ID, sk: 'known-user', userId: USER_ID, registeredAt } })
        .on(GetCommand, { Key: { pk: 'usr_01JD00000000000000000000ZZ', sk: 'known-user' } })
        .resolves({});

      // Act
      const [known, unknown] = await Promise.all([
        knownUsers.find(USER_ID),
        knownUsers.find('usr_01JD00000000000000000000ZZ'),
      ]);

      // Assess
      expect(known).toEqual({ userId: USER_ID, registeredAt });
      expect(unknown).toBeUndefined();
    } finally {
      documents.restore();
    }
  });
});
