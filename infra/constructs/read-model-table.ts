import { RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { validateTableName } from './event-store-table';

export const READ_MODEL_PARTITION_KEY = 'pk';
export const READ_MODEL_SORT_KEY = 'sk';

/** A global secondary index of a read model: another access pattern of the same projection. */
export interface ReadModelIndex {
  readonly indexName: string;
  readonly partitionKey: dynamodb.Attribute;
  /** @default - no sort key */
  readonly sortKey?: dynamodb.Attribute;
  /** @default dynamodb.ProjectionType.ALL */
  readonly projectionType?: dynamodb.ProjectionType;
  /** Only with `ProjectionType.INCLUDE`. @default - none */
  readonly nonKeyAttributes?: string[];
}

export interface ReadModelTableProps {
  /** @default - a name CloudFormation generates */
  readonly tableName?: string;
  /** @default - none */
  readonly globalSecondaryIndexes?: readonly ReadModelIndex[];
  /** Attribute holding an epoch-seconds expiry, for projections that age out. @default - no TTL */
  readonly timeToLiveAttribute?: string;
  /**
   * A read model is rebuilt from the events, so by default it goes with the stack.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The table of a CQRS projection: `pk` (S) / `sk` (S), on demand, optional GSIs. Projectors (the only
 * writers) get `grantWriteData`; query functions get `grantReadData` and nothing else. No stream and no
 * point-in-time recovery: the events are the backup.
 */
export class ReadModelTable extends Construct {
  public readonly table: dynamodb.Table;
  private readonly indexNames: readonly string[];

  constructor(scope: Construct, id: string, props: ReadModelTableProps = {}) {
    super(scope, id);
    validateTableName(`ReadModelTable ${id}`, props.tableName);
    const indexes = props.globalSecondaryIndexes ?? [];
    validateIndexes(id, indexes);
    this.indexNames = indexes.map((index) => index.indexName);

    this.table = new dynamodb.Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: { name: READ_MODEL_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: READ_MODEL_SORT_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: props.timeToLiveAttribute,
      // Every table can be restored to any second of the last 35 days, whatever it holds.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    for (const index of indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: index.partitionKey,
        sortKey: index.sortKey,
        projectionType: index.projectionType ?? dynamodb.ProjectionType.ALL,
        nonKeyAttributes: index.nonKeyAttributes,
      });
    }
  }

  public get tableName(): string {
    return this.table.tableName;
  }

  public get tableArn(): string {
    return this.table.tableArn;
  }

  /** The names of the global secondary indexes, as given. */
  public get globalSecondaryIndexNames(): readonly string[] {
    return this.indexNames;
  }

  /**
   * For query functions: `GetItem`, `BatchGetItem` and `Query` on the table and its indexes. No `Scan`:
   * an access pattern that needs one is missing an index.
   */
  public grantReadData(grantee: iam.IGrantable): iam.Grant {
    return this.table.grant(grantee, 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query');
  }

  /**
   * For projectors only: `PutItem`, `UpdateItem`, `DeleteItem`, `BatchWriteItem`, and
   * `ConditionCheckItem` for transactions that record a processed event with the change.
   */
  public grantWriteData(grantee: iam.IGrantable): iam.Grant {
    return this.table.grant(
      grantee,
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:ConditionCheckItem',
    );
  }

  /** Any metric of the table (namespace `AWS/DynamoDB`, dimension `TableName`). */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.table.metric(metricName, props);
  }

  /**
   * Latency of successful `Query` calls: what the query functions wait for.
   * @default average over 5 minutes
   */
  public metricQueryLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.table.metricSuccessfulRequestLatency({
      ...props,
      dimensionsMap: { TableName: this.table.tableName, Operation: 'Query' },
    });
  }
}

/** DynamoDB allows 20 GSIs per table; names are 3–255 of `[a-zA-Z0-9_.-]` and unique. */
function validateIndexes(id: string, indexes: readonly ReadModelIndex[]): void {
  if (indexes.length > 20) {
    throw new Error(`ReadModelTable ${id}: ${indexes.length} global secondary indexes; DynamoDB allows 20.`);
  }
  const seen = new Set<string>();
  for (const index of indexes) {
    if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(index.indexName)) {
      throw new Error(
        `ReadModelTable ${id}: index name '${index.indexName}' must be 3 to 255 characters of letters, digits, '_', '-' and '.'.`,
      );
    }
    if (seen.has(index.indexName)) {
      throw new Error(
        `ReadModelTable ${id}: two indexes are named '${index.indexName}'; give each its own name.`,
      );
    }
    seen.add(index.indexName);
    const keyNames = [index.partitionKey.name, index.sortKey?.name];
    if (keyNames.includes(READ_MODEL_PARTITION_KEY) && keyNames.includes(READ_MODEL_SORT_KEY)) {
      throw new Error(
        `ReadModelTable ${id}: index '${index.indexName}' repeats the table's own key (pk, sk); query the table instead.`,
      );
    }
    if (
      (index.nonKeyAttributes?.length ?? 0) > 0 &&
      index.projectionType !== dynamodb.ProjectionType.INCLUDE
    ) {
      throw new Error(
        `ReadModelTable ${id}: index '${index.indexName}' lists nonKeyAttributes; set projectionType: ProjectionType.INCLUDE.`,
      );
    }
  }
}
