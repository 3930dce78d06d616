import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app';
import type { UsersStack } from '../../infra/stacks/users-stack';
import { actionsGrantedTo, unbundledApp } from './construct-test-helpers';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }>;

describe('UsersStack (in the app, on the platform API and bus)', () => {
  const app = buildApp(unbundledApp());
  const stack = app.node.findChild('ShopUsers') as UsersStack;
  const template = Template.fromStack(stack);
  const resources = template.toJSON()['Resources'] as Resources;
  const logicalIdOf = (construct: { node: { defaultChild?: unknown } }): string =>
    stack.getLogicalId(construct.node.defaultChild as CfnElement);
  const importedApiId = {
    'Fn::ImportValue': Match.stringLikeRegexp('^ShopPlatform:ExportsOutputRefShopApi'),
  };

  test('keeps identities in a user pool users sign up to themselves, by email, with a password policy', () => {
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        UserPoolName: 'shop-users',
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
        UsernameAttributes: ['email'],
        UsernameConfiguration: { CaseSensitive: false },
        AutoVerifiedAttributes: ['email'],
        Schema: Match.arrayWith([Match.objectLike({ Name: 'email', Required: true })]),
        Policies: {
          PasswordPolicy: {
            MinimumLength: 12,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: false,
            TemporaryPasswordValidityDays: 3,
          },
        },
        AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
      }),
    });
  });

  test("runs the PostConfirmation and PreTokenGeneration functions as the pool's triggers, invocable by Cognito only for this pool", () => {
    const poolId = logicalIdOf(stack.userPool);
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: {
        PostConfirmation: { Ref: logicalIdOf(stack.postConfirmationFunction.live) },
        PreTokenGeneration: { Ref: logicalIdOf(stack.preTokenGenerationFunction.live) },
      },
    });
    for (const fn of [stack.postConfirmationFunction, stack.preTokenGenerationFunction]) {
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: { Ref: logicalIdOf(fn.live) },
        Principal: 'cognito-idp.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [poolId, 'Arn'] },
      });
      // Cognito waits 5 s for a trigger; the functions know the table, never the pool.
      expect(resources[logicalIdOf(fn)]?.Properties).toMatchObject({
        Timeout: 5,
        Environment: {
          Variables: {
            USERS_TABLE: { Ref: expect.stringMatching(/^UsersTable/) },
            POWERTOOLS_SERVICE_NAME: 'users',
          },
        },
      });
      expect(JSON.stringify(resources[logicalIdOf(fn)]?.Properties)).not.toContain(poolId);
    }
  });

  test('gives the front ends a public app client: password sign-in, refresh tokens, no secret, no OAuth', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      UserPoolId: { Ref: logicalIdOf(stack.userPool) },
      ClientName: 'shop-web',
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      GenerateSecret: false,
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      IdTokenValidity: 60,
      AccessTokenValidity: 60,
      RefreshTokenValidity: 43_200,
      TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes', RefreshToken: 'minutes' },
      AllowedOAuthFlows: Match.absent(),
      CallbackURLs: Match.absent(),
    });
  });

  test('has a staff group', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', {
      UserPoolId: { Ref: logicalIdOf(stack.userPool) },
      GroupName: 'staff',
      Precedence: 0,
    });
  });

  test('outputs the pool and client ids, the table and the outbox dead-letter queue', () => {
    template.hasOutput('UserPoolId', { Value: { Ref: logicalIdOf(stack.userPool) } });
    template.hasOutput('UserPoolClientId', { Value: { Ref: logicalIdOf(stack.userPoolClient) } });
    template.hasOutput('UsersTableName', { Value: { Ref: logicalIdOf(stack.usersTable) } });
    template.hasOutput('OutboxDeadLetterQueueUrl', { Value: Match.anyValue() });
  });

  test('keeps users in a table whose NEW_IMAGE stream is relayed to the shop bus, event items only', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
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
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^UsersTable'), 'StreamArn'] },
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
    });
    expect(resources[logicalIdOf(stack.relay.function)]?.Properties).toMatchObject({
      Environment: {
        Variables: expect.objectContaining({
          EVENT_BUS_NAME: {
            'Fn::ImportValue': expect.stringMatching(/^ShopPlatform:ExportsOutputRefShopBus/),
          },
          POWERTOOLS_SERVICE_NAME: 'users',
        }),
      },
    });
  });

  test('serves GET /users/me on the shared API behind a COGNITO_USER_POOLS authorizer on this pool', () => {
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      RestApiId: importedApiId,
      IdentitySource: 'method.request.header.Authorization',
      ProviderARNs: [{ 'Fn::GetAtt': [logicalIdOf(stack.userPool), 'Arn'] }],
    });
    template.resourceCountIs('AWS::ApiGateway::Method', 1);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      RestApiId: importedApiId,
      AuthorizationType: 'COGNITO_USER_POOLS',
      AuthorizerId: { Ref: stack.getLogicalId(stack.authorizer.node.defaultChild as CfnElement) },
      Integration: Match.objectLike({
        Type: 'AWS_PROXY',
        Uri: Match.objectLike({
          'Fn::Join': Match.arrayWith([Match.arrayWith([{ Ref: logicalIdOf(stack.getMeFunction.live) }])]),
        }),
      }),
    });
    for (const pathPart of ['users', 'me']) {
      template.hasResourceProperties('AWS::ApiGateway::Resource', {
        PathPart: pathPart,
        RestApiId: importedApiId,
      });
    }
    template.resourceCountIs('AWS::ApiGateway::Deployment', 0);
  });

  test('owns /users on the API: the orders stack adds /users/{userId}/orders under it, deployed after', () => {
    // Prepare
    const orders = app.node.findChild('ShopOrders') as Stack;
    const ordersResources = Template.fromStack(orders).findResources('AWS::ApiGateway::Resource');
    const pathParts = Object.values(ordersResources).map((resource) => resource['Properties']['PathPart']);
    const userIdResource = Object.values(ordersResources).find(
      (resource) => resource['Properties']['PathPart'] === '{userId}',
    );
    // Assess: one `users` resource in the whole app, the users stack's.
    expect(pathParts).not.toContain('users');
    expect(userIdResource?.['Properties']['ParentId']).toEqual({
      'Fn::ImportValue': expect.stringMatching(/^ShopUsers:ExportsOutputRefRoutesSharedApiusers/),
    });
    expect(orders.dependencies).toContain(stack);
    const inventory = app.node.findChild('ShopInventory') as Stack;
    expect(inventory.dependencies).toContain(stack);
  });

  test('gives each function only what it does on the users table, and none anything on the pool', () => {
    const actionsOf = (rolePrefix: string) => actionsGrantedTo(template, rolePrefix);
    const dynamoActions = (rolePrefix: string) =>
      actionsOf(rolePrefix).filter((action) => action.startsWith('dynamodb:'));
    expect(dynamoActions('PostConfirmationFunctionServiceRole')).toEqual(['dynamodb:PutItem']);
    expect(dynamoActions('PreTokenGenerationFunctionServiceRole')).toEqual(['dynamodb:GetItem']);
    expect(dynamoActions('GetMeFunctionServiceRole')).toEqual(['dynamodb:GetItem']);
    expect(dynamoActions('OutboxRelayFunctionServiceRole')).not.toContain('dynamodb:PutItem');
    for (const role of [
      'PostConfirmationFunctionServiceRole',
      'PreTokenGenerationFunctionServiceRole',
      'GetMeFunctionServiceRole',
      'OutboxRelayFunctionServiceRole',
    ]) {
      expect(actionsOf(role).filter((action) => action.startsWith('cognito-idp:'))).toEqual([]);
    }
    // The grants name the users table (or its stream), nothing wider; but the stream poller's
    // ListStreams, which has no resource to name.
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const tableStatements = policies
      .flatMap((policy) => policy['Properties']['PolicyDocument']['Statement'] as Record<string, unknown>[])
      .filter((statement) => String(statement['Action']).startsWith('dynamodb:'))
      .filter((statement) => statement['Action'] !== 'dynamodb:ListStreams');
    for (const statement of tableStatements) {
      expect(JSON.stringify(statement['Resource'])).toMatch(/UsersTable/);
    }
  });

  test("protects every method of the app's API but GET /health with this pool's authorizer", () => {
    const authorizerId = logicalIdOf(stack.authorizer);
    const methods = app.node
      .findAll()
      .filter((construct): construct is Stack => construct instanceof Stack)
      .flatMap((each) =>
        Object.values(Template.fromStack(each).findResources('AWS::ApiGateway::Method') as Resources).map(
          (method) => ({ stack: each.stackName, properties: method.Properties }),
        ),
      );
    const open = methods.filter((method) => method.properties['AuthorizationType'] !== 'COGNITO_USER_POOLS');
    // The health check (platform) and the simulated card processor's own API (its four endpoints and
    // its health check), which is not the shop's.
    expect(open.map((method) => method.stack).sort()).toEqual([
      'ShopPaymentProvider',
      'ShopPaymentProvider',
      'ShopPaymentProvider',
      'ShopPaymentProvider',
      'ShopPaymentProvider',
      'ShopPlatform',
    ]);
    const shop = methods.filter((method) => method.properties['AuthorizationType'] === 'COGNITO_USER_POOLS');
    expect(shop.length).toBeGreaterThanOrEqual(18);
    for (const method of shop) {
      expect(method.properties['AuthorizerId']).toEqual(
        method.stack === 'ShopUsers'
          ? { Ref: authorizerId }
          : {
              'Fn::ImportValue': expect.stringMatching(
                `^ShopUsers:ExportsOutputRef${authorizerId}`,
              ) as unknown,
            },
      );
    }
  });
});
