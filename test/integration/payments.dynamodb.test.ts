import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbPaymentRepository } from '../../functions/payments/adapters/dynamodb-payment-repository';
import { countEnteredOutcome } from '../../functions/payments/application/payment-outcomes';
import { PaymentStatusConflictError } from '../../functions/payments/domain/errors';
import type { PaymentMetric } from '../../functions/payments/ports/payment-metrics';
import type { PaymentChange } from '../../functions/payments/ports/payment-repository';
import { useDynamoDbLocal } from '../support/dynamodb-local';

const dynamo = useDynamoDbLocal();
let repository: DynamoDbPaymentRepository;
let tableName = '';

beforeAll(async () => {
  ({ tableName } = await dynamo.createTable('payments', { partitionKey: 'orderId' }));
  repository = new DynamoDbPaymentRepository({ client: dynamo.client, tableName });
});

const change = (orderId: string, fields: Partial<PaymentChange> & Pick<PaymentChange, 'status'>) => ({
  orderId,
  userId: 'usr_1',
  method: 'card' as const,
  amountCents: 2_500,
  currency: 'EUR',
  attemptsMade: 1,
  at: '2026-12-07T12:00:00.000Z',
  ...fields,
});

describe('payments in DynamoDB: each write keeps the status it was written over', () => {
  test('a first write has none; a retried failure, a capture, its replay and the refund each name theirs', async () => {
    const counted: PaymentMetric[] = [];
    const record = async (fields: Parameters<typeof change>[1]) => {
      const stored = await repository.record(change('ord_moves', fields));
      countEnteredOutcome(stored, (metric) => counted.push(metric));
      return stored;
    };

    expect((await record({ status: 'FAILED' })).previousStatus).toBeUndefined();
    expect((await record({ status: 'FAILED' })).previousStatus).toBe('FAILED');
    expect(await record({ status: 'CAPTURED', providerChargeId: 'ch_1' })).toMatchObject({
      status: 'CAPTURED',
      previousStatus: 'FAILED',
      attempts: 3,
    });
    expect((await record({ status: 'CAPTURED' })).previousStatus).toBe('CAPTURED');
    expect((await record({ status: 'REFUNDED', refundedCents: 2_500 })).previousStatus).toBe('CAPTURED');
    expect((await record({ status: 'REFUNDED', refundedCents: 2_500 })).previousStatus).toBe('REFUNDED');

    // One capture and one refund, however often each was written.
    expect(counted).toEqual(['PaymentsCaptured', 'PaymentsRefunded']);
    expect(await repository.find('ord_moves')).toMatchObject({
      status: 'REFUNDED',
      previousStatus: 'REFUNDED',
    });
  });

  test('a decline first written is counted with its code; a refused write keeps what was stored', async () => {
    const counted: { metric: PaymentMetric; reason?: string }[] = [];
    const stored = await repository.record(
      change('ord_declined', { status: 'DECLINED', declineCode: 'card_declined' }),
    );
    countEnteredOutcome(stored, (metric, reason) => counted.push({ metric, ...(reason ? { reason } : {}) }));
    expect(counted).toEqual([{ metric: 'PaymentsDeclined', reason: 'card_declined' }]);

    await expect(repository.record(change('ord_declined', { status: 'CAPTURED' }))).rejects.toBeInstanceOf(
      PaymentStatusConflictError,
    );
    const { Item: item } = await dynamo.documents.send(
      new GetCommand({ TableName: tableName, Key: { orderId: 'ord_declined' } }),
    );
    // The first write's previous status is stored as NONE: DynamoDB cannot leave it out in the same SET.
    expect(item).toMatchObject({ status: 'DECLINED', previousStatus: 'NONE', declineCode: 'card_declined' });
  });
});
