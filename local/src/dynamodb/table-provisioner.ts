import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';

/** The resolved `Properties` of an `AWS::DynamoDB::Table`, as far as a local table needs them. */
export interface TableProperties {
  readonly TableName?: string;
  readonly KeySchema?: CreateTableCommandInput['KeySchema'];
  readonly AttributeDefinitions?: CreateTableCommandInput['AttributeDefinitions'];
  readonly GlobalSecondaryIndexes?: CreateTableCommandInput['GlobalSecondaryIndexes'];
  readonly LocalSecondaryIndexes?: CreateTableCommandInput['LocalSecondaryIndexes'];
  readonly StreamSpecification?: { readonly StreamViewType?: string };
  readonly TimeToLiveSpecification?: { readonly AttributeName?: string; readonly Enabled?: boolean };
  readonly BillingMode?: string;
  readonly ProvisionedThroughput?: CreateTableCommandInput['ProvisionedThroughput'];
}

export interface ProvisionedTable {
  readonly tableName: string;
  readonly tableArn: string;
  /** The stream ARN DynamoDB Local assigned (its label differs on every creation), if streams are on. */
  readonly streamArn?: string;
}

/** Properties a local table cannot honour; reported at start-up rather than silently dropped. */
const UNEMULATED_PROPERTIES = [
  'PointInTimeRecoverySpecification',
  'SSESpecification',
  'ContributorInsightsSpecification',
  'DeletionProtectionEnabled',
  'KinesisStreamSpecification',
  'TableClass',
  'ResourcePolicy',
  'WarmThroughput',
  'OnDemandThroughput',
  'ImportSourceSpecification',
];

export function unemulatedTableProperties(properties: Record<string, unknown>): string[] {
  return UNEMULATED_PROPERTIES.filter((name) => properties[name] !== undefined);
}

const PROVISIONED_PLACEHOLDER = { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };

/**
 * Creates one table on DynamoDB Local with the template's keys, indexes, stream and TTL. An existing
 * table (a persisted database) is kept as it is, or replaced by an empty one when `replaceExisting`.
 */
export async function provisionTable(
  client: DynamoDBClient,
  tableName: string,
  properties: TableProperties,
  options: { readonly replaceExisting?: boolean } = {},
): Promise<ProvisionedTable> {
  if (options.replaceExisting) await deleteTable(client, tableName);
  const onDemand = properties.BillingMode === 'PAY_PER_REQUEST' || !properties.ProvisionedThroughput;
  const input: CreateTableCommandInput = {
    TableName: tableName,
    KeySchema: properties.KeySchema,
    AttributeDefinitions: properties.AttributeDefinitions,
    BillingMode: onDemand ? 'PAY_PER_REQUEST' : 'PROVISIONED',
    ProvisionedThroughput: onDemand ? undefined : properties.ProvisionedThroughput,
    GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes?.map((index) => ({
      ...index,
      ProvisionedThroughput: onDemand ? undefined : (index.ProvisionedThroughput ?? PROVISIONED_PLACEHOLDER),
    })),
    LocalSecondaryIndexes: properties.LocalSecondaryIndexes,
    StreamSpecification: properties.StreamSpecification?.StreamViewType
      ? {
          StreamEnabled: true,
          StreamViewType: properties.StreamSpecification.StreamViewType as 'NEW_IMAGE',
        }
      : undefined,
  };
  try {
    await client.send(new CreateTableCommand(input));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const ttl = properties.TimeToLiveSpecification;
  if (ttl?.Enabled && ttl.AttributeName) {
    await client
      .send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true },
        }),
      )
      .catch((error: unknown) => {
        // A persisted table already has TTL on, and enabling it twice is refused.
        if (!(error instanceof Error && /already enabled/i.test(error.message))) throw error;
      });
  }
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  return {
    tableName,
    tableArn: Table?.TableArn ?? `arn:aws:dynamodb:us-east-1:000000000000:table/${tableName}`,
    streamArn: Table?.LatestStreamArn,
  };
}

/** Deletes a table, if there is one of that name. */
export async function deleteTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
}
