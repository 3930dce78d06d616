import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { buildApp } from '../../infra/app';
import { IdempotencyTable } from '../../infra/constructs/idempotency-table';

type Json = Record<string, unknown>;
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
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
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

  test('grants a command function what Powertools does with its records, and no Scan or Query', () => {
    // Prepare
    const stack = unbundledStack();
    const table = new IdempotencyTable(stack, 'IdempotencyTable');
    const role = new iam.Role(stack, 'CommandRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    // Act
    table.grantRecords(role);
    // Assess
    expect(actionsGrantedTo(Template.fromStack(stack), 'CommandRole')).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
  });

  test("no function of the app may do more with any context's records than Powertools does", () => {
    // Prepare
    const app = buildApp(unbundledApp());
    const granted = new Set<string>();
    // Act
    for (const stack of app.node.children.filter((child): child is Stack => child instanceof Stack)) {
      const template = Template.fromStack(stack).toJSON() as {
        Resources: Record<string, { Type: string; Properties: { PolicyDocument?: { Statement: Json[] } } }>;
      };
      for (const resource of Object.values(template.Resources)) {
        if (resource.Type !== 'AWS::IAM::Policy') continue;
        for (const statement of resource.Properties.PolicyDocument?.Statement ?? []) {
          if (!JSON.stringify(statement['Resource']).includes('IdempotencyTable')) continue;
          for (const action of [statement['Action']].flat()) granted.add(String(action));
        }
      }
    }
    // Assess: inventory, orders and accounts keep records.
    expect([...granted].sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
  });
});
