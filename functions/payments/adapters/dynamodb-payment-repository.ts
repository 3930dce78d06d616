import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { PaymentStatusConflictError } from '../domain/errors';
import { ALLOWED_PREVIOUS, type Payment } from '../domain/payment';
import type { PaymentChange, PaymentRepository } from '../ports/payment-repository';
import { NO_PREVIOUS_STATUS, PAYMENT_KEY, paymentFromItem } from './payment-items';

export interface DynamoDbPaymentRepositoryProps {
  /** A document client is used as it is; a plain client is wrapped in one. */
  readonly client: DynamoDBClient | DynamoDBDocumentClient;
  readonly tableName: string;
}

/**
 * Payments in DynamoDB, see `payment-items.ts` for the layout. Every outcome is one `UpdateItem`,
 * conditional on the stored status being an allowed predecessor (`ALLOWED_PREVIOUS`), which adds the
 * invocation's provider calls to `attempts` and keeps the status it was written over, atomically.
 */
export class DynamoDbPaymentRepository implements PaymentRepository {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(props: DynamoDbPaymentRepositoryProps) {
    if (props.tableName.length === 0) throw new Error('DynamoDbPaymentRepository needs a tableName');
    this.documents =
      props.client instanceof DynamoDBDocumentClient
        ? props.client
        : DynamoDBDocumentClient.from(props.client, { marshallOptions: { removeUndefinedValues: true } });
    this.tableName = props.tableName;
  }

  async find(orderId: string): Promise<Payment | undefined> {
    const { Item: item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { [PAYMENT_KEY]: orderId }, ConsistentRead: true }),
    );
    return item === undefined ? undefined : paymentFromItem(item);
  }

  async record(change: PaymentChange): Promise<Payment> {
    const names: Record<string, string> = {
      '#key': PAYMENT_KEY,
      '#status': 'status',
      '#previousStatus': 'previousStatus',
    };
    const values: Record<string, unknown> = {
      ':status': change.status,
      ':made': change.attemptsMade,
      ':noStatus': NO_PREVIOUS_STATUS,
    };
    // Operands read the item as it was before the update: the status this write is written over.
    const sets = ['#previousStatus = if_not_exists(#status, :noStatus)', '#status = :status'];
    const set = (attribute: string, value: unknown): void => {
      if (value === undefined) return;
      names[`#${attribute}`] = attribute;
      values[`:${attribute}`] = value;
      sets.push(`#${attribute} = :${attribute}`);
    };
    set('userId', change.userId);
    set('method', change.method);
    set('amountCents', change.amountCents);
    set('currency', change.currency);
    set('providerChargeId', change.providerChargeId);
    set('declineCode', change.declineCode);
    set('refundedCents', change.refundedCents);
    set('updatedAt', change.at);
    names['#createdAt'] = 'createdAt';
    sets.push('#createdAt = if_not_exists(#createdAt, :updatedAt)');
    names['#attempts'] = 'attempts';

    const previous = ALLOWED_PREVIOUS[change.status];
    previous.forEach((status, index) => (values[`:previous${index}`] = status));
    const allowed = previous.map((_, index) => `:previous${index}`).join(', ');
    try {
      const { Attributes: stored } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PAYMENT_KEY]: change.orderId },
          UpdateExpression: `SET ${sets.join(', ')} ADD #attempts :made`,
          // The record only moves forward: a late or concurrent writer cannot undo a capture or a refund.
          ConditionExpression: `attribute_not_exists(#key) OR #status IN (${allowed})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (stored === undefined) throw new Error(`UpdateItem returned no attributes for ${change.orderId}`);
      return paymentFromItem(stored);
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') {
        throw new PaymentStatusConflictError(change.orderId, change.status, { cause: error });
      }
      throw error;
    }
  }
}
