import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbLedger } from '../../../functions/payment-provider/adapters/dynamodb-ledger';
import { chargeItem } from '../../../functions/payment-provider/adapters/ledger-items';
import {
  KeyLeaseLostError,
  RefundExceedsChargeError,
} from '../../../functions/payment-provider/domain/errors';
import type { KeyCompletion } from '../../../functions/payment-provider/ports/ledger';
import { aCharge, refundId } from './fixtures';

const completion: KeyCompletion = {
  key: 'k',
  owner: 'req-1',
  answer: { status: 201, body: { id: 'x' }, hang: true },
};
const claim = { key: 'k', fingerprint: 'fp', owner: 'req-1', nowMs: 1_000, leaseMs: 500 };
const aRefund = () => ({
  refundId: refundId(1),
  chargeId: aCharge().chargeId,
  amountCents: 700,
  status: 'succeeded' as const,
  createdAt: aCharge().createdAt,
});

function cancelled(...codes: string[]) {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

function ledgerOnMock() {
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const mock = mockClient(documents);
  const ledger = new DynamoDbLedger({
    client: documents,
    tableName: 'ledger',
    orderIndexName: 'byOrderId',
    conflictPause: () => Promise.resolve(),
  });
  return { mock, ledger };
}

describe('DynamoDbLedger', () => {
  test('claims a key with one conditional update that counts the attempt', async () => {
    // Prepare
    const { mock, ledger } = ledgerOnMock();
    mock.on(GetCommand).resolves({});
    mock.on(UpdateCommand).resolves({
      Attributes: {
        idempotencyKey: 'k',
        fingerprint: 'fp',
        state: 'in-progress',
        owner: 'req-1',
        attempts: 3,
      },
    });
    // Act
    const result = await ledger.claimKey(claim);
    // Assess
    expect(result).toEqual({ claimed: true, attempt: 3 });
    const input = mock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      Key: { pk: 'key#k', sk: 'key' },
      ConditionExpression: expect.stringContaining('attribute_not_exists(pk)'),
      UpdateExpression: expect.stringContaining('ADD #attempts :one'),
      ReturnValues: 'ALL_NEW',
    });
    expect(input?.ExpressionAttributeValues).toMatchObject({
      ':lease': 1_500,
      ':now': 1_000,
      ':expiresAt': 86_401,
    });
  });

  test.each([
    ['refused by its condition', new ConditionalCheckFailedException({ message: 'no', $metadata: {} })],
    [
      'colliding with the completing transaction',
      new TransactionConflictException({ message: 'busy', $metadata: {} }),
    ],
  ])('a claim %s reads the record back, consistently', async (_, error) => {
    // Prepare
    const { mock, ledger } = ledgerOnMock();
    mock.on(UpdateCommand).rejects(error);
    mock
      .on(GetCommand)
      .resolvesOnce({})
      .resolves({
        Item: {
          idempotencyKey: 'k',
          fingerprint: 'fp',
          state: 'completed',
          owner: 'req-0',
          attempts: 1,
          answerStatus: 201,
          answerBody: '{"id":"ch_1"}',
          answerHang: false,
        },
      });
    // Act
    const result = await ledger.claimKey(claim);
    // Assess
    expect(result).toEqual({
      claimed: false,
      record: {
        key: 'k',
        fingerprint: 'fp',
        state: 'completed',
        owner: 'req-0',
        attempts: 1,
        answer: { status: 201, body: { id: 'ch_1' }, hang: false },
      },
    });
    expect(mock.commandCalls(GetCommand)[1]?.args[0].input).toMatchObject({ ConsistentRead: true });
  });

  test('a key already answered or in progress is settled by one read, without a write', async () => {
    // Prepare
    const { mock, ledger } = ledgerOnMock();
    mock.on(GetCommand).resolves({
      Item: {
        idempotencyKey: 'k',
        fingerprint: 'fp',
        state: 'in-progress',
        owner: 'req-0',
        leaseExpiresAt: 2_000,
        attempts: 1,
      },
    });
    // Act
    const result = await ledger.claimKey(claim);
    // Assess
    expect(result).toMatchObject({ claimed: false, record: { state: 'in-progress', owner: 'req-0' } });
    expect(mock.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
      Key: { pk: 'key#k', sk: 'key' },
      ConsistentRead: true,
    });
    expect(mock.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  test('a released key of the same request is claimed again', async () => {
    const { mock, ledger } = ledgerOnMock();
    mock.on(GetCommand).resolves({
      Item: { idempotencyKey: 'k', fingerprint: 'fp', state: 'released', owner: 'req-0', attempts: 1 },
    });
    mock.on(UpdateCommand).resolves({
      Attributes: {
        idempotencyKey: 'k',
        fingerprint: 'fp',
        state: 'in-progress',
        owner: 'req-1',
        attempts: 2,
      },
    });
    expect(await ledger.claimKey(claim)).toEqual({ claimed: true, attempt: 2 });
  });

  test('records a charge and completes its key in one transaction', async () => {
    // Prepare
    const { mock, ledger } = ledgerOnMock();
    mock.on(TransactWriteCommand).resolves({});
    // Act
    await ledger.recordCharge(aCharge(), completion);
    // Assess
    const items = mock.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Put?.Item).toEqual(chargeItem(aCharge(), 'k'));
    expect(items[0]?.Put?.Item).toMatchObject({
      pk: `charge#${aCharge().chargeId}`,
      sk: 'charge',
      orderId: aCharge().orderId,
    });
    expect(items[1]?.Update).toMatchObject({
      Key: { pk: 'key#k', sk: 'key' },
      ConditionExpression: '#state = :inProgress AND #owner = :owner',
      ExpressionAttributeValues: expect.objectContaining({
        ':answerStatus': 201,
        ':answerBody': '{"id":"x"}',
        ':answerHang': true,
      }),
    });
  });

  test('a charge whose claim was lost is KeyLeaseLostError', async () => {
    const { mock, ledger } = ledgerOnMock();
    mock.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed'));
    await expect(ledger.recordCharge(aCharge(), completion)).rejects.toBeInstanceOf(KeyLeaseLostError);
  });

  test('a transaction cancelled only by a concurrent write is run again', async () => {
    // Prepare
    const { mock, ledger } = ledgerOnMock();
    mock
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('None', 'TransactionConflict'))
      .rejectsOnce(cancelled('TransactionConflict', 'None'))
      .resolves({});
    // Act
    await ledger.recordCharge(aCharge(), completion);
    // Assess
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });

  test('a refund is conditional on what is refunded leaving room for it', async () => {
    // Prepare
    const { mock, ledger } = ledgerOnMock();
    mock.on(TransactWriteCommand).resolves({});
    // Act
    await ledger.recordRefund(aRefund(), 3_000, completion);
    // Assess
    const items = mock.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Update).toMatchObject({
      UpdateExpression: 'SET #refunded = #refunded + :amount',
      ConditionExpression: 'attribute_exists(pk) AND #refunded <= :limit',
      ExpressionAttributeValues: { ':amount': 700, ':limit': 2_300 },
    });
    expect(items[1]?.Put?.Item).toMatchObject({
      pk: `charge#${aCharge().chargeId}`,
      sk: `refund#${refundId(1)}`,
    });
    expect(items[1]?.Put?.Item).not.toHaveProperty('orderId');
  });

  test('a refund that no longer fits is RefundExceedsChargeError; a lost claim wins over it', async () => {
    const { mock, ledger } = ledgerOnMock();
    mock
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('ConditionalCheckFailed', 'None', 'None'))
      .rejectsOnce(cancelled('ConditionalCheckFailed', 'None', 'ConditionalCheckFailed'));
    await expect(ledger.recordRefund(aRefund(), 3_000, completion)).rejects.toBeInstanceOf(
      RefundExceedsChargeError,
    );
    await expect(ledger.recordRefund(aRefund(), 3_000, completion)).rejects.toBeInstanceOf(KeyLeaseLostError);
  });

  test('completing a key it no longer holds is KeyLeaseLostError; releasing one is a no-op', async () => {
    const { mock, ledger } = ledgerOnMock();
    mock.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    await expect(ledger.completeKey(completion)).rejects.toBeInstanceOf(KeyLeaseLostError);
    await expect(ledger.releaseKey('k', 'req-1')).resolves.toBeUndefined();
  });

  test('refuses a malformed stored charge as a data error', async () => {
    const { mock, ledger } = ledgerOnMock();
    mock.on(GetCommand).resolves({ Item: { pk: 'charge#x', kind: 'charge', chargeId: 'x' } });
    await expect(ledger.findCharge('x')).rejects.toThrow(/the charge item pk=charge#x is malformed/);
  });
});
