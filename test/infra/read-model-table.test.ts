import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ReadModelTable, type ReadModelIndex } from '../../infra/constructs/read-model-table';
import { actionsGrantedTo, unbundledStack } from './construct-test-helpers';

const byCustomer: ReadModelIndex = {
  indexName: 'byCustomer',
  partitionKey: { name: 'customerId', type: dynamodb.AttributeType.STRING },
  sortKey: { name: 'createdAt', type: dynamodb.AttributeType.STRING },
};

describe('ReadModelTable', () => {
  test('is an on-demand pk/sk string table without a stream, with PITR, destroyed with the stack, with its GSIs', () => {
    // Prepare
    const stack = unbundledStack();
    // Act
    new ReadModelTable(stack, 'Orders', {
      globalSecondaryIndexes: [byCustomer],
      timeToLiveAttribute: 'expiresAt',
    });
    // Assess
    const template = Template.fromStack(stack);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ]),
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byCustomer',
            KeySchema: [
              { AttributeName: 'customerId', KeyType: 'HASH' },
              { AttributeName: 'createdAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        StreamSpecification: Match.absent(),
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    });
  });

  test('query functions may read (table and indexes) and nothing else; projectors may write', () => {
    // Prepare
    const stack = unbundledStack();
    const table = new ReadModelTable(stack, 'Orders', { globalSecondaryIndexes: [byCustomer] });
    const role = (id: string) =>
      new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    // Act
    table.grantReadData(role('QueryRole'));
    table.grantWriteData(role('ProjectorRole'));
    // Assess
    const template = Template.fromStack(stack);
    expect(actionsGrantedTo(template, 'QueryRole')).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
    ]);
    expect(actionsGrantedTo(template, 'ProjectorRole')).toEqual([
      'dynamodb:BatchWriteItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^QueryRole') }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Resource: Match.arrayWith([
              {
                'Fn::Join': [
                  '',
                  [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersTable'), 'Arn'] }, '/index/*'],
                ],
              },
            ]),
          }),
        ],
      },
    });
    expect(table.globalSecondaryIndexNames).toEqual(['byCustomer']);
  });

  test.each([
    [{ globalSecondaryIndexes: [byCustomer, byCustomer] }, /two indexes are named 'byCustomer'/],
    [{ globalSecondaryIndexes: [{ ...byCustomer, indexName: 'x' }] }, /index name 'x'/],
    [
      { globalSecondaryIndexes: [{ ...byCustomer, nonKeyAttributes: ['total'] }] },
      /set projectionType: ProjectionType.INCLUDE/,
    ],
    [
      {
        globalSecondaryIndexes: Array.from({ length: 21 }, (_, i) => ({
          ...byCustomer,
          indexName: `index${i}`,
        })),
      },
      /DynamoDB allows 20/,
    ],
    [
      {
        globalSecondaryIndexes: [
          {
            indexName: 'same',
            partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
            sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
          },
        ],
      },
      /repeats the table's own key/,
    ],
  ])('refuses invalid indexes (%#), saying how to fix them', (props, message) => {
    expect(() => new ReadModelTable(unbundledStack(), 'Orders', props)).toThrow(message);
  });
});
