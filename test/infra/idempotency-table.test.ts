import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IdempotencyTable } from '../../infra/constructs/idempotency-table';
import { actionsGrantedTo, unbundledApp, unbundledStack } from './construct-test-helpers';

describe('IdempotencyTable', () => {
  test("is laid out as Powertools' persistence layer expects: partition key id, TTL on expiration, on demand, destroyed with the stack", () => {
    // Prepare
    const stack = unbundledStack();
    // Act
    new IdempotencyTable(stack, 'IdempotencyTable');
    // Assess
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Properties: {
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      },
    });
  });

  test('is the table the other stacks made inline under the same id: same logical id, same template', () => {
    // Prepare: the shape the inventory and orders stacks build inline.
    const app = unbundledApp();
    const inline = new Stack(app, 'Inline');
    new dynamodb.Table(inline, 'IdempotencyTable', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiration',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const construct = new Stack(app, 'Construct');
    // Act
    new IdempotencyTable(construct, 'IdempotencyTable');
    // Assess
    expect(Template.fromStack(construct).toJSON()['Resources']).toEqual(
      Template.fromStack(inline).toJSON()['Resources'],
    );
  });

  test('grants a command function what Powertools does with its records', () => {
    // Prepare
    const stack = unbundledStack();
    const table = new IdempotencyTable(stack, 'IdempotencyTable');
    const role = new iam.Role(stack, 'CommandRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    // Act
    table.grantReadWriteData(role);
    // Assess
    expect(actionsGrantedTo(Template.fromStack(stack), 'CommandRole')).toEqual(
      expect.arrayContaining([
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ]),
    );
  });
});
