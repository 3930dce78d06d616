import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactGetCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import { ConcurrencyError } from '../../../shared/errors/app-error';
import type { InventoryEvent, ProductCreated } from '../contracts/inventory-events';
import { ProductAlreadyExistsError } from '../domain/errors';
import type { Product } from '../domain/product';
import { StaleProductError, type ProductRepository } from '../ports/product-repository';
import type {
  ProductStock,
  ReservationWrite,
  StockReservationRepository,
} from '../ports/stock-reservation-repository';
import {
  eventItem,
  PRODUCT_SORT_KEY,
  productFromItem,
  productItem,
  reservationFromItem,
  reservationItem,
  reservationSortKey,
} from './product-items';

/** Cancellation reasons that mean another writer got there first. */
const LOST_RACE_REASONS = new Set(['ConditionalCheckFailed', 'TransactionConflict']);

export interface DynamoDbProductRepositoryProps {
  /** A document client is used as it is; a plain client is wrapped in one. */
  readonly client: DynamoDBClient | DynamoDBDocumentClient;
  readonly tableName: string;
}

/**
 * Products and their reservations in DynamoDB, see `product-items.ts` for the layout. Every change of a
 * product is one `TransactWriteItems` of the state item (conditional on its version), the reservation
 * item when it is one's move (conditional on the status read), and the event item: the state change and
 * its outbox entry commit together.
 */
export class DynamoDbProductRepository implements ProductRepository, StockReservationRepository {
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
    const item = await this.get(productId, PRODUCT_SORT_KEY);
    return item === undefined ? undefined : productFromItem(item);
  }

  async load(productId: string, orderId: string): Promise<ProductStock> {
    // One snapshot of both (`TransactGetItems`, serialized with the transactions that write them): two
    // separate reads could see a reservation a concurrent transaction just wrote beside the product as
    // it was before it, and decide on counts that never existed.
    let product: Record<string, unknown> | undefined;
    let reservation: Record<string, unknown> | undefined;
    try {
      const { Responses = [] } = await this.documents.send(
        new TransactGetCommand({
          TransactItems: [
            { Get: { TableName: this.tableName, Key: { pk: productId, sk: PRODUCT_SORT_KEY } } },
            { Get: { TableName: this.tableName, Key: { pk: productId, sk: reservationSortKey(orderId) } } },
          ],
        }),
      );
      product = Responses[0]?.Item;
      reservation = Responses[1]?.Item;
    } catch (error) {
      // A transaction writing the items at that moment: read again, as after a lost race.
      if (lostRace(error)) {
        throw new ConcurrencyError(`Product ${productId} was being written; read again.`, { cause: error });
      }
      throw error;
    }
    return {
      product: product === undefined ? undefined : productFromItem(product),
      reservation: reservation === undefined ? undefined : reservationFromItem(reservation),
    };
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
      const stateUpdate = this.updateProduct(product, expectedVersion);
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            // The item as the condition found it comes back with the cancellation: no re-read.
            { Update: { ...stateUpdate.Update, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
            this.putEvent(event),
          ],
        }),
      );
    } catch (error) {
      if (lostRace(error)) throw staleVersion(product, expectedVersion, error);
      throw error;
    }
  }

  async save(write: ReservationWrite): Promise<void> {
    const { reservation } = write;
    if (write.kind === 'tombstone') {
      try {
        await this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: reservationItem(reservation, write.releasedAt),
            // A reservation made meanwhile is released on the next attempt, not overwritten.
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (error instanceof Error && error.name === 'ConditionalCheckFailedException') {
          throw new ConcurrencyError(
            `A reservation of order ${reservation.orderId} for product ${reservation.productId} was written while its release was decided`,
            { cause: error },
          );
        }
        throw error;
      }
      return;
    }
    const { product, expectedVersion, expectedStatus, event } = write;
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            this.updateProduct(product, expectedVersion),
            {
              Put: {
                TableName: this.tableName,
                Item: reservationItem(reservation, event.occurredAt),
                ...(expectedStatus === undefined
                  ? { ConditionExpression: 'attribute_not_exists(pk)' }
                  : {
                      ConditionExpression: '#status = :expectedStatus',
                      ExpressionAttributeNames: { '#status': 'status' },
                      ExpressionAttributeValues: { ':expectedStatus': expectedStatus },
                    }),
              },
            },
            this.putEvent(event),
          ],
        }),
      );
    } catch (error) {
      if (lostRace(error)) {
        throw new ConcurrencyError(
          `Product ${product.productId} or order ${reservation.orderId}'s reservation of it was changed by ` +
            `another request after version ${expectedVersion} (reservation ${expectedStatus ?? 'absent'}) was read`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  private async get(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const { Item: item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk, sk },
        // A stale read would doom the next conditional write to a conflict.
        ConsistentRead: true,
      }),
    );
    return item;
  }

  /** The optimistic lock: the item must still be the version the change was computed from. */
  private updateProduct(product: Product, expectedVersion: number) {
    return {
      Update: {
        TableName: this.tableName,
        Key: { pk: product.productId, sk: PRODUCT_SORT_KEY },
        UpdateExpression:
          'SET #available = :available, #reserved = :reserved, #sold = :sold, #version = :version',
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
    };
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

function staleVersion(product: Product, expectedVersion: number, cause: unknown): StaleProductError {
  const found = cancellationItem(cause, STATE_UPDATE_INDEX);
  return new StaleProductError(
    `Product ${product.productId} was changed by another request after version ${expectedVersion} was read`,
    found === undefined ? undefined : productFromItem(found),
    { cause },
  );
}

/** Where `update` puts the product's state in its transaction. */
const STATE_UPDATE_INDEX = 0;

/**
 * The item a cancelled transaction returned for its `index`-th action (`ReturnValuesOnConditionCheckFailure`),
 * unmarshalled: cancellation reasons carry raw attribute values, even through the document client.
 */
function cancellationItem(error: unknown, index: number): Record<string, unknown> | undefined {
  const reasons: unknown =
    error instanceof Error && 'CancellationReasons' in error ? error.CancellationReasons : undefined;
  if (!Array.isArray(reasons)) return undefined;
  const reason: unknown = reasons[index];
  if (typeof reason !== 'object' || reason === null || !('Item' in reason)) return undefined;
  const item: unknown = reason.Item;
  if (typeof item !== 'object' || item === null) return undefined;
  return unmarshall(item as Record<string, NativeAttributeValue>);
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
