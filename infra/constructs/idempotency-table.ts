import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/** The partition key Powertools' DynamoDB persistence layer writes its records under. */
export const IDEMPOTENCY_PARTITION_KEY = 'id';
/** The attribute holding a record's expiry (epoch seconds), which Powertools sets. */
export const IDEMPOTENCY_EXPIRY_ATTRIBUTE = 'expiration';

/**
 * The `Idempotency-Key` records of a context's command functions (`shared/idempotency`), laid out as
 * Powertools' DynamoDB persistence layer expects: partition key `id` (S), TTL on `expiration`, on demand.
 * A function that keeps records gets `grantRecords`: the four item actions Powertools uses, no scans.
 *
 * It is a `Table` itself, not a wrapper, so a stack that already made this table inline under the same
 * id keeps its logical id (and its records) when it switches to this construct. The records only save
 * clients a repeat of an answer they lost; they go with the stack.
 */
export class IdempotencyTable extends dynamodb.Table {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      partitionKey: { name: IDEMPOTENCY_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: IDEMPOTENCY_EXPIRY_ATTRIBUTE,
      // Every table can be restored to any second of the last 35 days, whatever it holds.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /**
   * What Powertools' persistence layer does with a record, and nothing more: read it, claim it (a
   * conditional put), complete it, and delete it when the request failed. No `Scan` or `Query`: another
   * caller's records are never listed.
   */
  public grantRecords(grantee: iam.IGrantable): iam.Grant {
    return this.grant(
      grantee,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    );
  }
}
