import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app';
import type { InventoryStack } from '../../infra/stacks/inventory-stack';
import { actionsGrantedTo, expectNoDeploymentOfItsOwn, unbundledApp } from './construct-test-helpers';

describe('InventoryStack (in the app, on the platform API and bus)', () => {
  const app = buildApp(unbundledApp());
  const stack = app.node.findChild('ShopInventory') as InventoryStack;
  const template = Template.fromStack(stack);
  const platform = Template.fromStack(app.node.findChild('ShopPlatform') as InventoryStack);
  const importedApiId = {
    'Fn::ImportValue': Match.stringLikeRegexp('^ShopPlatform:ExportsOutputRefShopApi'),
  };

  test('adds /products routes to the shared API from this stack, as Lambda proxy integrations', () => {
    for (const pathPart of ['products', '{productId}', 'restock']) {
      template.hasResourceProperties('AWS::ApiGateway::Resource', {
        PathPart: pathPart,
        RestApiId: importedApiId,
      });
    }
    const methods = template.findResources('AWS::ApiGateway::Method');
    expect(
      Object.values(methods)
        .map((method) => method['Properties']['HttpMethod'])
        .sort(),
    ).toEqual(['GET', 'POST', 'POST']);
    template.allResourcesProperties('AWS::ApiGateway::Method', {
      RestApiId: importedApiId,
      Integration: Match.objectLike({ Type: 'AWS_PROXY' }),
    });
    platform.resourceCountIs('AWS::ApiGateway::Method', 1);
    platform.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'shop-api' });
  });

  test('leaves the deployment of its routes to the API stage stack', () => {
    expectNoDeploymentOfItsOwn(template);
  });

  test('keeps products in a table whose NEW_IMAGE stream is relayed to the shop bus, event items only', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ProductsTable'), 'StreamArn'] },
      // Inserted event items only: state items and reservation items (`kind = 'reservation'`) never
      // reach the relay.
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { NewImage: { kind: { S: ['event'] } } },
            }),
          },
        ],
      },
      DestinationConfig: Match.objectLike({}),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          EVENT_BUS_NAME: {
            'Fn::ImportValue': Match.stringLikeRegexp('^ShopPlatform:ExportsOutputRefShopBus'),
          },
        }),
      },
    });
  });

  test('keeps Idempotency-Key records in a table with the layout and TTL Powertools expects', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          PRODUCTS_TABLE: { Ref: Match.stringLikeRegexp('^ProductsTable') },
          IDEMPOTENCY_TABLE: { Ref: Match.stringLikeRegexp('^IdempotencyTable') },
        }),
      },
    });
  });

  test("gives the restock room for its retries on a hot product inside API Gateway's 29 s, and Idempotency-Key records", () => {
    const restock = stack.getLogicalId(stack.restockProductFunction.node.defaultChild as CfnElement);
    const resources = template.toJSON()['Resources'] as Record<
      string,
      { Properties: Record<string, unknown> }
    >;
    expect(resources[restock]?.Properties).toMatchObject({
      Timeout: 25,
      Environment: {
        Variables: expect.objectContaining({
          IDEMPOTENCY_TABLE: { Ref: expect.stringMatching(/^IdempotencyTable/) },
        }),
      },
    });
  });

  test('gives each function only the table actions it needs', () => {
    const dynamoActions = (rolePrefix: string) =>
      actionsGrantedTo(template, rolePrefix).filter((action) => action.startsWith('dynamodb:'));
    expect(dynamoActions('GetProductFunctionServiceRole')).toEqual(['dynamodb:GetItem']);
    expect(dynamoActions('RestockProductFunctionServiceRole')).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']),
    );
    expect(dynamoActions('CreateProductFunctionServiceRole')).toEqual(
      expect.arrayContaining([
        'dynamodb:PutItem',
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
      ]),
    );
    expect(dynamoActions('OutboxRelayFunctionServiceRole')).not.toContain('dynamodb:PutItem');
    for (const step of ['ReserveStock', 'ReleaseStock', 'CommitStock']) {
      expect(dynamoActions(`${step}FunctionServiceRole`)).toEqual([
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ]);
    }
  });

  test('exposes the saga stock steps as functions on the products table, not as routes', () => {
    // Prepare
    const steps = {
      ReserveStockFunction: stack.reserveStockFunction,
      ReleaseStockFunction: stack.releaseStockFunction,
      CommitStockFunction: stack.commitStockFunction,
    };
    const resources = template.toJSON()['Resources'] as Record<
      string,
      { Properties: Record<string, unknown> }
    >;
    // Assess
    for (const [id, fn] of Object.entries(steps)) {
      const logicalId = stack.getLogicalId(fn.node.defaultChild as CfnElement);
      expect(logicalId).toMatch(new RegExp(`^${id}`));
      expect(resources[logicalId]?.Properties).toMatchObject({
        // Room for the optimistic retries of hot products, line after line.
        Timeout: 15,
        Environment: {
          Variables: {
            PRODUCTS_TABLE: { Ref: expect.stringMatching(/^ProductsTable/) },
            POWERTOOLS_SERVICE_NAME: 'inventory',
          },
        },
      });
    }
    // Only the three product routes: the steps are invoked by the state machine, never through the API.
    template.resourceCountIs('AWS::ApiGateway::Method', 3);
    template.resourceCountIs('AWS::Lambda::Permission', 3 * 2);
  });
});
