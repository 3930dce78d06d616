import {
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
  type CancellationReason,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { claimItem, accountItem } from '../../../functions/accounts/adapters/account-items';
import { DynamoDbAccountRepository } from '../../../functions/accounts/adapters/dynamodb-account-repository';
import { decideTransfer } from '../../../functions/accounts/domain/transfer';
import {
  RequestKeyTakenError,
  StaleAccountsError,
  type RequestClaim,
  type TransferWrite,
} from '../../../functions/accounts/ports/account-repository';
import { accountId, ALICE, alice, anAccount, BOB, FIXED_NOW, transferId } from './fixtures';

function repositoryOnMock() {
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const mock = mockClient(documents);
  return { mock, repository: new DynamoDbAccountRepository({ client: documents, tableName: 'accounts' }) };
}

const from = anAccount({ accountId: accountId(1), ownerId: ALICE, balanceCents: 500, version: 4 });
const to = anAccount({ accountId: accountId(2), ownerId: BOB, balanceCents: 0, version: 1 });
const request = { fromAccountId: from.accountId, toAccountId: to.accountId, amountCents: 200 };
const decision = decideTransfer(from, to, {
  ...request,
  transferId: transferId(1),
  requester: alice,
  at: FIXED_NOW,
});
const claim: Extract<RequestClaim, { kind: 'transfer' }> = {
  kind: 'transfer',
  key: `POST /transfers#${ALICE}#k1`,
  request,
  answer: decision.transfer,
};
const write: TransferWrite = { decision, expectedVersions: { from: 4, to: 1 }, claim };

/** A cancelled transaction with one reason per item: claim, source, destination, transfer, two entries. */
function cancelled(reasons: Partial<Record<number, CancellationReason>>): TransactionCanceledException {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: [0, 1, 2, 3, 4, 5].map((index) => reasons[index] ?? { Code: 'None' }),
  });
}

describe('DynamoDbAccountRepository.saveTransfer', () => {
  test('writes one transaction: the claim, both accounts on their versions (the source on its balance), the transfer, two entries', async () => {
    // Prepare
    const { mock, repository } = repositoryOnMock();
    mock.on(TransactWriteCommand).resolves({});
    // Act
    await repository.saveTransfer(write);
    // Assess
    const items = mock.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items).toHaveLength(6);
    expect(items[0]?.Put).toMatchObject({
      Item: { pk: `request#${claim.key}`, sk: 'request', kind: 'request-claim', claimKind: 'transfer' },
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(items[1]?.Update).toMatchObject({
      Key: { pk: from.accountId, sk: 'account' },
      ConditionExpression: '#version = :expected AND #balance >= :debit',
      ExpressionAttributeValues: { ':balance': 300, ':version': 5, ':expected': 4, ':debit': 200 },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(items[2]?.Update).toMatchObject({
      Key: { pk: to.accountId, sk: 'account' },
      ConditionExpression: '#version = :expected',
      ExpressionAttributeValues: { ':balance': 200, ':version': 2, ':expected': 1 },
    });
    expect(items[3]?.Put?.Item).toMatchObject({ pk: transferId(1), sk: 'transfer', status: 'COMPLETED' });
    expect(items.slice(4).map((item) => [item.Put?.Item?.['pk'], item.Put?.Item?.['sk']])).toEqual([
      [from.accountId, 'ledger#0000000005'],
      [to.accountId, 'ledger#0000000002'],
    ]);
  });

  test('a taken key is RequestKeyTakenError with the holder the condition returned, whatever else failed', async () => {
    // Prepare
    const { mock, repository } = repositoryOnMock();
    const holder = { ...claim, request: { ...request, amountCents: 7 } };
    mock.on(TransactWriteCommand).rejects(
      cancelled({
        0: { Code: 'ConditionalCheckFailed', Item: marshall(claimItem(holder, FIXED_NOW)) },
        1: { Code: 'ConditionalCheckFailed' },
      }),
    );
    // Act
    const outcome = repository.saveTransfer(write);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(RequestKeyTakenError);
    await expect(outcome).rejects.toMatchObject({ claim: holder });
    expect(mock.commandCalls(GetCommand)).toHaveLength(0);
  });

  test('a taken key whose holder did not come back is read, consistently', async () => {
    // Prepare
    const { mock, repository } = repositoryOnMock();
    mock.on(TransactWriteCommand).rejects(cancelled({ 0: { Code: 'ConditionalCheckFailed' } }));
    mock.on(GetCommand).resolves({ Item: claimItem(claim, FIXED_NOW) });
    // Act
    const outcome = repository.saveTransfer(write);
    // Assess
    await expect(outcome).rejects.toMatchObject({ claim });
    expect(mock.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: 'accounts',
      Key: { pk: `request#${claim.key}`, sk: 'request' },
      ConsistentRead: true,
    });
  });

  test('a moved account is StaleAccountsError carrying it as the condition found it', async () => {
    // Prepare
    const { mock, repository } = repositoryOnMock();
    const moved = { ...from, balanceCents: 40, version: 6 };
    mock.on(TransactWriteCommand).rejects(
      cancelled({
        1: { Code: 'ConditionalCheckFailed', Item: marshall(accountItem(moved)) },
        4: { Code: 'ConditionalCheckFailed' },
      }),
    );
    // Act
    const outcome = repository.saveTransfer(write);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(StaleAccountsError);
    await expect(outcome).rejects.toMatchObject({ current: [moved], code: 'CONCURRENT_MODIFICATION' });
  });

  test('a TransactionConflict is a lost race with nothing returned: the next attempt reads again', async () => {
    // Prepare
    const { mock, repository } = repositoryOnMock();
    mock.on(TransactWriteCommand).rejects(cancelled({ 2: { Code: 'TransactionConflict' } }));
    // Act
    const outcome = repository.saveTransfer(write);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'StaleAccountsError', current: [] });
  });

  test('a cancellation that is no lost race (an entry already there) is rethrown as it is', async () => {
    // Prepare
    const { mock, repository } = repositoryOnMock();
    const corrupt = cancelled({ 4: { Code: 'ConditionalCheckFailed' } });
    mock.on(TransactWriteCommand).rejects(corrupt);
    // Act
    const outcome = repository.saveTransfer(write);
    // Assess
    await expect(outcome).rejects.toBe(corrupt);
  });

  test('any other failure is rethrown as it is', async () => {
    // Prepare
    const { mock, repository } = repositoryOnMock();
    const throttled = new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
    mock.on(TransactWriteCommand).rejects(throttled);
    // Act, Assess
    await expect(repository.saveTransfer(write)).rejects.toBe(throttled);
  });
});

describe('DynamoDbAccountRepository.listEntries', () => {
  test('queries the ledger newest first, below the cursor’s version, never reaching the account item', async () => {
    // Prepare
    const { mock, repository } = repositoryOnMock();
    mock.on(QueryCommand).resolves({ Items: [] });
    // Act
    await repository.listEntries(accountId(1), { limit: 10 });
    await repository.listEntries(accountId(1), { limit: 10, beforeVersion: 11 });
    // Assess
    const [first, second] = mock.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(first).toMatchObject({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': accountId(1), ':prefix': 'ledger#' },
      ScanIndexForward: false,
      Limit: 10,
      ConsistentRead: true,
    });
    expect(second).toMatchObject({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :prefix AND :below',
      ExpressionAttributeValues: { ':below': 'ledger#0000000010' },
    });
  });

  test('a stored item that is not an entry is a data error, never a client’s', async () => {
    const { mock, repository } = repositoryOnMock();
    mock.on(QueryCommand).resolves({ Items: [{ pk: accountId(1), sk: 'ledger#0000000001', type: 'GIFT' }] });
    await expect(repository.listEntries(accountId(1), { limit: 1 })).rejects.toThrow(/malformed/);
  });
});
