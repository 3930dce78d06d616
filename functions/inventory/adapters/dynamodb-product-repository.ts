import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ConcurrencyError } from '../../../shared/errors/app-error';
import type { InventoryEvent, ProductCreated } from '../contracts/inventory-events';
import { ProductAlreadyExistsError } from '../domain/errors';
import type { Product } from '../domain/product';
import type { ProductRepository } from '../ports/product-repository';
import { eventItem, PRODUCT_SORT_KEY, productFromItem, productItem } from './product-items';

/** Cancellation reasons that mean another writer got there first. */
const LOST_RACE_REASONS = new Set(['ConditionalCheckFailed', 'TransactionConflict']);

export interface DynamoDbProductRepositoryProps {
  /** A document client is used as it is; a plain client is wrapped in one. */
  readonly client: DynamoDBClient | DynamoDBDocumentClient;
  readonly tableName: string;
}

/**
 * Products in DynamoDB, see `product-items.ts` for the layout. Every write is one `TransactWriteItems`
 * of the state item and the event item: the state change and its outbox entry commit together.
 */
export class DynamoDbProductRepository implements ProductRepository {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(props: DynamoDbProductRepositoryProps) {
    if (props.tableName.length === 0) throw new Error('DynamoDbProductRepository needs a tableName');
    this.documents =
      props.client instanceof DynamoDBDocumentClient
        ? props.client
        : DynamoDBDocumentClient.from(props.client, { marshallOptions: { removeUndefinedValues: true } });
    this.tableName = props.tableName;
  }

  async find(productId: string): Promise<Product | undefined> {
    const { Item: item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: productId, sk: PRODUCT_SORT_KEY },
        // A stale read would doom the next conditional write to a conflict.
        ConsistentRead: true,
      }),
    );
    return item === undefined ? undefined : productFromItem(item);
  }

  async create(product: Product, event: ProductCreated): Promise<void> {
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: productItem(product),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            this.putEvent(event),
          ],
        }),
      );
    } catch (error) {
      if (lostRace(error)) throw new ProductAlreadyExistsError(product.productId);
      throw error;
    }
  }

  async update(product: Product, expectedVersion: number, event: InventoryEvent): Promise<void> {
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: { pk: product.productId, sk: PRODUCT_SORT_KEY },
                UpdateExpression:
                  'SET #available = :available, #reserved = :reserved, #sold = :sold, #version = :version',
                // The optimistic lock: the item must still be the version the change was computed from.
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: {
                  '#available': 'available',
                  '#reserved': 'reserved',
                  '#sold': 'sold',
                  '#version': 'version',
                },
                ExpressionAttributeValues: {
                  ':available': product.available,
                  ':reserved': product.reserved,
                  ':sold': product.sold,
                  ':version': product.version,
                  ':expected': expectedVersion,
                },
              },
            },
            this.putEvent(event),
          ],
        }),
      );
    } catch (error) {
      if (lostRace(error)) {
        throw new ConcurrencyError(
          `Product ${product.productId} was changed by another request after version ${expectedVersion} was read`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  private putEvent(event: InventoryEvent) {
    return {
      Put: {
        TableName: this.tableName,
        Item: eventItem(event),
        // Versions are unique per product; the state item's condition already guarantees it.
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }
}

/** By name and shape rather than `instanceof`: a bundle may hold more than one copy of the SDK. */
function lostRace(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return false;
  const reasons: unknown = 'CancellationReasons' in error ? error.CancellationReasons : undefined;
  if (!Array.isArray(reasons)) return false;
  return reasons.some(
    (reason: unknown) =>
      typeof reason === 'object' &&
      reason !== null &&
      'Code' in reason &&
      typeof reason.Code === 'string' &&
      LOST_RACE_REASONS.has(reason.Code),
  );
}
