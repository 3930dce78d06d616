import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { ContextTable } from '../../infra/constructs/context-table';
import { unbundledApp, unbundledStack } from './construct-test-helpers';

describe('ContextTable', () => {
  test('is pk/sk, on demand, with point-in-time recovery, retained with the stack; no stream or TTL unless asked', () => {
    // Prepare
    const stack = unbundledStack();
    // Act
    new ContextTable(stack, 'AccountsTable');
    // Assess
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    });
    const properties = Object.values(template.findResources('AWS::DynamoDB::Table'))[0]?.['Properties'];
    expect(properties).not.toHaveProperty('StreamSpecification');
    expect(properties).not.toHaveProperty('TimeToLiveSpecification');
  });

  test("is the table the contexts made inline under the same id, with the outbox's stream and TTL: same template", () => {
    // Prepare: the shape the users and inventory stacks built inline.
    const app = unbundledApp();
    const inline = new Stack(app, 'Inline');
    new dynamodb.Table(inline, 'ProductsTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      stream: dynamodb.StreamViewType.NEW_IMAGE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const construct = new Stack(app, 'Construct');
    // Act
    new ContextTable(construct, 'ProductsTable', {
      stream: dynamodb.StreamViewType.NEW_IMAGE,
      timeToLiveAttribute: 'expiresAt',
    });
    // Assess
    expect(Template.fromStack(construct).toJSON()['Resources']).toEqual(
      Template.fromStack(inline).toJSON()['Resources'],
    );
  });
});
