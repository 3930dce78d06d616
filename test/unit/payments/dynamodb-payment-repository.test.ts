import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbPaymentRepository } from '../../../functions/payments/adapters/dynamodb-payment-repository';
import { PaymentStatusConflictError } from '../../../functions/payments/domain/errors';
import { FIXED_NOW, ORDER_ID, USER_ID } from './fakes';

function repositoryOnMock() {
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const mock = mockClient(documents);
  return { mock, repository: new DynamoDbPaymentRepository({ client: documents, tableName: 'payments' }) };
}

const stored = {
  orderId: ORDER_ID,
  userId: USER_ID,
  status: 'CAPTURED',
  amountCents: 3_000,
  currency: 'USD',
  attempts: 2,
  providerChargeId: 'ch_1',
  updatedAt: FIXED_NOW,
  createdAt: FIXED_NOW,
};

describe('DynamoDbPaymentRepository', () => {
  test('reads a payment by order id, strongly consistently, without the attributes it does not know', async () => {
    // Prepare
    const { mock, repository } = repositoryOnMock();
    mock.on(GetCommand).resolves({ Item: stored });
    // Act
    const payment = await repository.find(ORDER_ID);
    // Assess
    const { createdAt: _createdAt, ...expected } = stored;
    // An item written before orders could be paid from an account has no method: a card's.
    expect(payment).toEqual({ ...expected, method: 'card' });
    expect(mock.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: 'payments',
      Key: { orderId: ORDER_ID },
      ConsistentRead: true,
    });
  });

  test('records an outcome in one update conditional on the allowed previous statuses, adding attempts', async () => {
    // Prepare
    const { mock, repository } = repositoryOnMock();
    mock.on(UpdateCommand).resolves({ Attributes: stored });
    // Act
    const payment = await repository.record({
      orderId: ORDER_ID,
      userId: USER_ID,
      method: 'card',
      status: 'CAPTURED',
      amountCents: 3_000,
      currency: 'USD',
      providerChargeId: 'ch_1',
      attemptsMade: 1,
      at: FIXED_NOW,
    });
    // Assess
    expect(payment.status).toBe('CAPTURED');
    const input = mock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      TableName: 'payments',
      Key: { orderId: ORDER_ID },
      ConditionExpression: 'attribute_not_exists(#key) OR #status IN (:previous0, :previous1)',
      ReturnValues: 'ALL_NEW',
    });
    expect(input?.UpdateExpression).toMatch(/ ADD #attempts :made$/);
    expect(input?.UpdateExpression).toContain('#createdAt = if_not_exists(#createdAt, :updatedAt)');
    expect(input?.ExpressionAttributeValues).toMatchObject({
      ':status': 'CAPTURED',
      ':made': 1,
      ':providerChargeId': 'ch_1',
      ':previous0': 'FAILED',
      ':previous1': 'CAPTURED',
    });
    // What is not given is not written: a stored decline code or refund stays as it is.
    expect(input?.ExpressionAttributeNames).not.toHaveProperty('#declineCode');
    expect(input?.ExpressionAttributeNames).not.toHaveProperty('#refundedCents');
  });

  test('turns a failed condition into PaymentStatusConflictError', async () => {
    const { mock, repository } = repositoryOnMock();
    mock
      .on(UpdateCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );
    const change = {
      orderId: ORDER_ID,
      userId: USER_ID,
      method: 'card' as const,
      status: 'FAILED' as const,
      amountCents: 1,
      currency: 'USD',
    };
    await expect(repository.record({ ...change, attemptsMade: 1, at: FIXED_NOW })).rejects.toBeInstanceOf(
      PaymentStatusConflictError,
    );
  });

  test('refuses a stored item that is not a payment, naming it', async () => {
    const { mock, repository } = repositoryOnMock();
    mock.on(GetCommand).resolves({ Item: { ...stored, status: 'PENDING' } });
    await expect(repository.find(ORDER_ID)).rejects.toThrow(
      `the payment item orderId=${ORDER_ID} is malformed`,
    );
  });
});
