import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type NativeAttributeValue,
} from '@aws-sdk/lib-dynamodb';
import type {
  ListOptions,
  OrderView,
  OrderViewPage,
  OrderViewReader,
  OrderViewWriter,
  SaveOutcome,
} from '../ports/order-views';
import { decodeCursor, encodeCursor } from './list-cursor';

/**
 * Table layout of the orders read model (a `ReadModelTable`: `pk` / `sk`, both strings): one item per
 * order, `pk` = the order id, `sk` = `order`, the view's fields as attributes; GSI `byUser` with
 * partition key `userId` and sort key `orderId`. Order ids are prefixed ULIDs, so sorting by id is
 * sorting by creation time: newest first is a descending query.
 */
export const ORDER_VIEW_SORT_KEY = 'order';
export const BY_USER_INDEX = 'byUser';
export const BY_USER_PARTITION_KEY = 'userId';
export const BY_USER_SORT_KEY = 'orderId';

type Item = Record<string, NativeAttributeValue>;

export interface DynamoDbOrderViewsProps {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

export class DynamoDbOrderViews implements OrderViewReader, OrderViewWriter {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(props: DynamoDbOrderViewsProps) {
    this.documents = DynamoDBDocumentClient.from(props.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tableName = props.tableName;
  }

  async get(orderId: string): Promise<OrderView | undefined> {
    const { Item: item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: orderId, sk: ORDER_VIEW_SORT_KEY },
        // The projector decides on the version it reads: it must be the latest written.
        ConsistentRead: true,
      }),
    );
    return item === undefined ? undefined : toView(item);
  }

  async listByUser(userId: string, options: ListOptions): Promise<OrderViewPage> {
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    const page = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: BY_USER_INDEX,
        KeyConditionExpression: '#user = :user',
        ExpressionAttributeNames: { '#user': BY_USER_PARTITION_KEY },
        ExpressionAttributeValues: { ':user': userId },
        ScanIndexForward: false,
        Limit: options.limit,
        ...(after === undefined
          ? {}
          : {
              // A GSI page starts after the table key and the index key of the last item.
              ExclusiveStartKey: {
                pk: after,
                sk: ORDER_VIEW_SORT_KEY,
                [BY_USER_PARTITION_KEY]: userId,
                [BY_USER_SORT_KEY]: after,
              },
            }),
      }),
    );
    const orders = (page.Items ?? []).map(toView);
    const last = orders.at(-1);
    // DynamoDB says there may be more whenever a page is full; the next page may then be empty.
    return page.LastEvaluatedKey === undefined || last === undefined
      ? { orders }
      : { orders, nextCursor: encodeCursor(last.orderId) };
  }

  async save(view: OrderView, expectedVersion: number): Promise<SaveOutcome> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(view),
          ...(expectedVersion === 0
            ? {
                ConditionExpression: 'attribute_not_exists(pk)',
              }
            : {
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': expectedVersion },
              }),
        }),
      );
      return 'saved';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'version-conflict';
      throw error;
    }
  }
}

function toItem(view: OrderView): Item {
  return {
    pk: view.orderId,
    sk: ORDER_VIEW_SORT_KEY,
    orderId: view.orderId,
    userId: view.userId,
    items: view.items.map(({ productId, quantity, unitPriceCents }) => ({
      productId,
      quantity,
      unitPriceCents,
    })),
    totalCents: view.totalCents,
    currency: view.currency,
    status: view.status,
    cancellationReason: view.cancellationReason,
    sagaStyle: view.sagaStyle,
    approval: view.approval,
    payment: view.payment,
    version: view.version,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
  };
}

/** Only the projector writes the table, from `OrderView`s: the item is read back field by field. */
function toView(item: Item): OrderView {
  const items = (item['items'] as OrderView['items'] | undefined) ?? [];
  const view: OrderView = {
    orderId: String(item['orderId']),
    userId: String(item['userId']),
    items: items.map(({ productId, quantity, unitPriceCents }) => ({
      productId: String(productId),
      quantity: Number(quantity),
      unitPriceCents: Number(unitPriceCents),
    })),
    totalCents: Number(item['totalCents']),
    currency: String(item['currency']),
    status: item['status'] as OrderView['status'],
    ...(typeof item['cancellationReason'] === 'string'
      ? { cancellationReason: item['cancellationReason'] }
      : {}),
    ...(item['sagaStyle'] === 'orchestrated' || item['sagaStyle'] === 'choreographed'
      ? { sagaStyle: item['sagaStyle'] }
      : {}),
    ...(isRecord(item['approval']) ? { approval: toApproval(item['approval']) } : {}),
    ...(isRecord(item['payment']) ? { payment: toPayment(item['payment']) } : {}),
    version: Number(item['version']),
    createdAt: String(item['createdAt']),
    updatedAt: String(item['updatedAt']),
  };
  return view;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toApproval(item: Record<string, unknown>): NonNullable<OrderView['approval']> {
  const { decidedAt, comment } = item;
  return {
    status: item['status'] as NonNullable<OrderView['approval']>['status'],
    requestedAt: String(item['requestedAt']),
    ...(typeof decidedAt === 'string' ? { decidedAt } : {}),
    ...(typeof comment === 'string' ? { comment } : {}),
  };
}

function toPayment(item: Record<string, unknown>): NonNullable<OrderView['payment']> {
  return {
    chargeId: String(item['chargeId']),
    amountCents: Number(item['amountCents']),
    paidAt: String(item['paidAt']),
  };
}
