import { RemovalPolicy, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { STREAMS_INDEX, STREAM_TYPE_ATTRIBUTE } from '../../shared/event-sourcing/dynamodb-event-store';

/** The key layout `DynamoDbEventStore` (shared/event-sourcing) reads and writes. */
export const EVENT_STORE_PARTITION_KEY = 'pk';
export const EVENT_STORE_SORT_KEY = 'sk';

export interface EventStoreTableProps {
  /** @default - a name CloudFormation generates */
  readonly tableName?: string;
  /**
   * What happens to the table when it leaves the stack. The event store is the system of record.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /** @default false */
  readonly deletionProtection?: boolean;
  /**
   * How far back point-in-time recovery can restore, 1 to 35 days (it is always on).
   * @default 35
   */
  readonly recoveryPeriodInDays?: number;
}

/**
 * The DynamoDB table of an event-sourced context, laid out for `DynamoDbEventStore`: `pk` (S) the
 * aggregate id, `sk` (N) the version, one item per event, snapshots under `snapshot#<id>`. Its stream
 * (`NEW_IMAGE`) is the transactional outbox: hand `table` to an `OutboxRelay`.
 *
 * Point-in-time recovery is always on and the table is on-demand: events are rare, bursty and
 * precious. A sparse, keys-only index (`streams`) lists the streams of each aggregate type, from their
 * first events: what a projection is rebuilt from (`npm run projections:rebuild`).
 */
export class EventStoreTable extends Construct {
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: EventStoreTableProps = {}) {
    super(scope, id);
    validateTableName(id, props.tableName);
    const recoveryPeriodInDays = props.recoveryPeriodInDays ?? 35;
    if (!Number.isInteger(recoveryPeriodInDays) || recoveryPeriodInDays < 1 || recoveryPeriodInDays > 35) {
      throw new Error(
        `EventStoreTable ${id}: recoveryPeriodInDays must be an integer from 1 to 35, not ${recoveryPeriodInDays}.`,
      );
    }
    this.table = new dynamodb.Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: { name: EVENT_STORE_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: EVENT_STORE_SORT_KEY, type: dynamodb.AttributeType.NUMBER },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      stream: dynamodb.StreamViewType.NEW_IMAGE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays },
      deletionProtection: props.deletionProtection ?? false,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    // The streams of each aggregate type, for a projection's rebuild: only first events carry the key.
    this.table.addGlobalSecondaryIndex({
      indexName: STREAMS_INDEX,
      partitionKey: { name: STREAM_TYPE_ATTRIBUTE, type: dynamodb.AttributeType.STRING },
      sortKey: { name: EVENT_STORE_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
  }

  public get tableName(): string {
    return this.table.tableName;
  }

  public get tableArn(): string {
    return this.table.tableArn;
  }

  /** The stream the outbox relay reads. */
  public get tableStreamArn(): string {
    // Always defined: the constructor creates the table with a stream.
    return this.table.tableStreamArn ?? '';
  }

  /**
   * What a command handler needs to load an aggregate and append to it: `Query` and `GetItem` to load
   * events and snapshots, `PutItem` for events and snapshots, and `ConditionCheckItem` for transactions
   * that check another item. No `UpdateItem`, `DeleteItem` or `BatchWriteItem`: nothing may change or
   * remove an event once written. (IAM cannot demand a `ConditionExpression`; `DynamoDbEventStore`
   * puts `attribute_not_exists(pk)` on every event it writes.)
   */
  public grantAppend(grantee: iam.IGrantable): iam.Grant {
    return this.table.grant(
      grantee,
      'dynamodb:Query',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:ConditionCheckItem',
    );
  }

  /** Loading aggregates only (`Query`, `GetItem`, `BatchGetItem`), e.g. for a query function that folds events. */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.table.grant(grantee, 'dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:BatchGetItem');
  }

  /** Any metric of the table (namespace `AWS/DynamoDB`, dimension `TableName`). */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.table.metric(metricName, props);
  }

  /**
   * Requests rejected because concurrent transactions touched the same item: appends racing on one
   * aggregate. A steady rise means hot aggregates; the command runner retries them.
   * @default sum over 5 minutes
   */
  public metricTransactionConflicts(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.table.metric('TransactionConflict', { statistic: cloudwatch.Stats.SUM, ...props });
  }
}

/** DynamoDB's own rule, checked at synth rather than half-way through a deployment. */
export function validateTableName(constructId: string, tableName: string | undefined): void {
  if (tableName === undefined || Token.isUnresolved(tableName)) return;
  if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(tableName)) {
    throw new Error(
      `${constructId}: tableName '${tableName}' must be 3 to 255 characters of letters, digits, '_', '-' and '.'.`,
    );
  }
}
