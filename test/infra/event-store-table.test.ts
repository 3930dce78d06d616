import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { EventStoreTable } from '../../infra/constructs/event-store-table';
import { actionsGrantedTo, unbundledStack } from './construct-test-helpers';

const grantee = (stack: ReturnType<typeof unbundledStack>, id: string) =>
  new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

describe('EventStoreTable', () => {
  test("has DynamoDbEventStore's key layout, a NEW_IMAGE stream, PITR, on-demand billing, and is retained", () => {
    // Prepare
    const stack = unbundledStack();
    // Act
    new EventStoreTable(stack, 'Events');
    // Assess
    const template = Template.fromStack(stack);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'N' },
          { AttributeName: 'streamType', AttributeType: 'S' },
        ],
        // The sparse index of first events that a projection's rebuild lists streams from.
        GlobalSecondaryIndexes: [
          {
            IndexName: 'streams',
            KeySchema: [
              { AttributeName: 'streamType', KeyType: 'HASH' },
              { AttributeName: 'pk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 35 },
      },
    });
  });

  test('grantAppend allows loading and conditional puts, but never changing or deleting an event', () => {
    // Prepare
    const stack = unbundledStack();
    const store = new EventStoreTable(stack, 'Events');
    // Act
    store.grantAppend(grantee(stack, 'CommandRole'));
    // Assess
    expect(actionsGrantedTo(Template.fromStack(stack), 'CommandRole')).toEqual([
      'dynamodb:ConditionCheckItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
    ]);
  });

  test('grantRead allows loading only, on this table', () => {
    // Prepare
    const stack = unbundledStack();
    const store = new EventStoreTable(stack, 'Events');
    // Act
    store.grantRead(grantee(stack, 'QueryRole'));
    // Assess
    const template = Template.fromStack(stack);
    expect(actionsGrantedTo(template, 'QueryRole')).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
    ]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Resource: Match.arrayWith([{ 'Fn::GetAtt': [Match.stringLikeRegexp('^EventsTable'), 'Arn'] }]),
          }),
        ],
      },
    });
  });

  test('metricTransactionConflicts watches this table', () => {
    const stack = unbundledStack();
    const store = new EventStoreTable(stack, 'Events', { tableName: 'orders-events' });
    const metric = store.metricTransactionConflicts();
    expect(metric.metricName).toBe('TransactionConflict');
    expect(metric.namespace).toBe('AWS/DynamoDB');
    expect(stack.resolve(metric.dimensions)).toEqual({
      TableName: { Ref: expect.stringMatching(/^EventsTable/) },
    });
    expect(metric.statistic).toBe('Sum');
  });

  test('passes name, removal policy, deletion protection and recovery period through', () => {
    const stack = unbundledStack();
    new EventStoreTable(stack, 'Events', {
      tableName: 'orders-events',
      removalPolicy: RemovalPolicy.DESTROY,
      deletionProtection: true,
      recoveryPeriodInDays: 7,
    });
    Template.fromStack(stack).hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({
        TableName: 'orders-events',
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 7 },
      }),
    });
  });

  test.each([
    [{ recoveryPeriodInDays: 0 }, /recoveryPeriodInDays must be an integer from 1 to 35/],
    [{ recoveryPeriodInDays: 36 }, /recoveryPeriodInDays/],
    [{ tableName: 'ab' }, /tableName 'ab' must be 3 to 255 characters/],
    [{ tableName: 'orders events' }, /tableName/],
  ])('refuses %p, saying how to fix it', (props, message) => {
    expect(() => new EventStoreTable(unbundledStack(), 'Events', props)).toThrow(message);
  });
});
