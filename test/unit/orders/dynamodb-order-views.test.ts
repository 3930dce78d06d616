import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbOrderViews } from '../../../functions/orders/adapters/dynamodb-order-views';
import type { OrderView } from '../../../functions/orders/ports/order-views';
import { KEYBOARD, USER_ID } from './fakes';

const ORDER_ID = 'ord_01JD0000000000000000000071';

const paidAfterApproval: OrderView = {
  orderId: ORDER_ID,
  userId: USER_ID,
  items: [{ productId: KEYBOARD, quantity: 30, unitPriceCents: 4_999 }],
  totalCents: 149_970,
  currency: 'USD',
  status: 'PAID',
  sagaStyle: 'orchestrated',
  approval: {
    status: 'APPROVED',
    requestedAt: '2026-11-26T12:00:01.000Z',
    decidedAt: '2026-11-26T12:10:00.000Z',
    comment: 'known customer',
  },
  payment: { chargeId: 'ch_1', amountCents: 149_970, paidAt: '2026-11-26T12:10:02.000Z' },
  version: 4,
  createdAt: '2026-11-26T12:00:00.000Z',
  updatedAt: '2026-11-26T12:10:02.000Z',
};

describe('DynamoDbOrderViews', () => {
  it('writes and reads back the saga’s parts of a view: mode, approval and payment', async () => {
    // Prepare
    const documents = mockClient(DynamoDBDocumentClient);
    try {
      documents.on(PutCommand).resolves({});
      const views = new DynamoDbOrderViews({
        client: new DynamoDBClient({
          region: 'us-east-1',
          credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        }),
        tableName: 'order-views',
      });
      await views.save(paidAfterApproval, 3);
      const item = documents.commandCalls(PutCommand)[0]?.args[0].input.Item;
      documents.on(GetCommand).resolves({ Item: item });

      // Act
      const read = await views.get(ORDER_ID);

      // Assess
      expect(read).toEqual(paidAfterApproval);
    } finally {
      documents.restore();
    }
  });

  it('reads a view written before the saga’s parts existed without them', async () => {
    // Prepare
    const documents = mockClient(DynamoDBDocumentClient);
    try {
      const {
        sagaStyle: _mode,
        approval: _approval,
        payment: _payment,
        ...old
      } = { ...paidAfterApproval, status: 'PENDING' as const };
      documents.on(GetCommand).resolves({ Item: { pk: ORDER_ID, sk: 'order', ...old } });
      const views = new DynamoDbOrderViews({
        client: new DynamoDBClient({
          region: 'us-east-1',
          credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        }),
        tableName: 'order-views',
      });

      // Act
      const read = await views.get(ORDER_ID);

      // Assess
      expect(read).toEqual(old);
    } finally {
      documents.restore();
    }
  });
});
