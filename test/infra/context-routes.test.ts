import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ContextRoutes } from '../../infra/constructs/context-routes';

function setUp() {
  const app = new App();
  const platform = new Stack(app, 'Platform');
  const api = new apigateway.RestApi(platform, 'Api', { cloudWatchRole: false });
  api.root.addMethod('GET', new apigateway.MockIntegration());
  const context = new Stack(app, 'Context');
  const fn = new lambda.Function(context, 'Fn', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "" })'),
  });
  return { api, context, fn };
}

describe('ContextRoutes', () => {
  test('adds nested routes with proxy integrations in the context stack and deploys them to the stage', () => {
    // Prepare
    const { api, context, fn } = setUp();
    // Act
    new ContextRoutes(context, 'Routes', {
      api,
      description: 'Things routes',
      routes: [
        { path: '/things', method: 'POST', handler: fn },
        { path: '/things/{thingId}/archive', method: 'POST', handler: fn },
      ],
    });
    // Assess
    const template = Template.fromStack(context);
    template.resourceCountIs('AWS::ApiGateway::Method', 2);
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{thingId}' });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      Integration: Match.objectLike({ Type: 'AWS_PROXY' }),
    });
    template.hasResourceProperties('AWS::ApiGateway::Deployment', {
      StageName: 'prod',
      Description: 'Things routes',
    });
  });

  test('protects every route with the authorizer given, a Cognito one as COGNITO_USER_POOLS', () => {
    // Prepare
    const { api, context, fn } = setUp();
    const pool = new cognito.UserPool(context, 'Pool');
    const authorizer = new apigateway.CognitoUserPoolsAuthorizer(context, 'Authorizer', {
      cognitoUserPools: [pool],
    });
    // Act
    new ContextRoutes(context, 'Routes', {
      api,
      description: 'Things routes',
      authorizer,
      routes: [
        { path: '/things', method: 'POST', handler: fn },
        { path: '/things/{thingId}', method: 'GET', handler: fn },
      ],
    });
    // Assess
    const template = Template.fromStack(context);
    template.resourceCountIs('AWS::ApiGateway::Method', 2);
    template.allResourcesProperties('AWS::ApiGateway::Method', {
      AuthorizationType: 'COGNITO_USER_POOLS',
      AuthorizerId: { Ref: Match.stringLikeRegexp('^Authorizer') },
    });
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      RestApiId: { 'Fn::ImportValue': Match.stringLikeRegexp('^Platform:') },
      ProviderARNs: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Pool'), 'Arn'] }],
    });
  });

  test('leaves the routes open without an authorizer, and deploys anew when one is added', () => {
    // Prepare
    const deploymentId = (authorized: boolean): string => {
      const { api, context, fn } = setUp();
      const authorizer = authorized
        ? new apigateway.CognitoUserPoolsAuthorizer(context, 'Authorizer', {
            cognitoUserPools: [new cognito.UserPool(context, 'Pool')],
          })
        : undefined;
      new ContextRoutes(context, 'Routes', {
        api,
        description: 'Things routes',
        authorizer,
        routes: [{ path: '/things', method: 'GET', handler: fn }],
      });
      const template = Template.fromStack(context);
      if (!authorized)
        template.hasResourceProperties('AWS::ApiGateway::Method', { AuthorizationType: 'NONE' });
      return Object.keys(template.findResources('AWS::ApiGateway::Deployment'))[0] ?? '';
    };
    // Act
    const open = deploymentId(false);
    const protectedRoutes = deploymentId(true);
    // Assess
    expect(open).toMatch(/^RoutesDeployment/);
    expect(protectedRoutes).toMatch(/^RoutesDeployment/);
    expect(protectedRoutes).not.toBe(open);
  });

  test('imports a path another context created rather than creating it again; that context deploys first', () => {
    // Prepare
    const { api, context: owner, fn } = setUp();
    const app = owner.node.root as App;
    const other = new Stack(app, 'Other');
    const otherFn = new lambda.Function(other, 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "" })'),
    });
    // Act
    new ContextRoutes(owner, 'Routes', {
      api,
      description: 'Users routes',
      routes: [{ path: '/users/me', method: 'GET', handler: fn }],
    });
    new ContextRoutes(other, 'Routes', {
      api,
      description: 'Orders routes',
      routes: [
        { path: '/users/{userId}/orders', method: 'GET', handler: otherFn },
        { path: '/users/{userId}', method: 'GET', handler: otherFn },
      ],
    });
    // Assess
    const pathParts = (stack: Stack): unknown[] =>
      Object.values(Template.fromStack(stack).findResources('AWS::ApiGateway::Resource')).map(
        (resource) => resource['Properties']['PathPart'],
      );
    expect(pathParts(owner).sort()).toEqual(['me', 'users']);
    expect(pathParts(other).sort()).toEqual(['orders', '{userId}']);
    Template.fromStack(other).hasResourceProperties('AWS::ApiGateway::Resource', {
      PathPart: '{userId}',
      ParentId: {
        'Fn::ImportValue': Match.stringLikeRegexp('^Context:ExportsOutputRefRoutesSharedApiusers'),
      },
    });
    expect(other.dependencies).toContain(owner);
  });

  test.each([
    [[], /at least one route/],
    [[{ path: 'things', method: 'GET' as const }], /must start with '\/'/],
  ])('refuses invalid routes %p', (routes, message) => {
    const { api, context, fn } = setUp();
    expect(
      () =>
        new ContextRoutes(context, 'Routes', {
          api,
          description: 'x',
          routes: routes.map((route) => ({ ...route, handler: fn })),
        }),
    ).toThrow(message);
  });
});
