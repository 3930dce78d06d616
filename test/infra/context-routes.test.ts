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
  test('adds nested routes with proxy integrations in the context stack, and no deployment of its own', () => {
    // Prepare
    const { api, context, fn } = setUp();
    // Act
    const routes = new ContextRoutes(context, 'Routes', {
      api,
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
    // The API's one deployment (ApiStageStack) waits for these methods and takes these fingerprints.
    template.resourceCountIs('AWS::ApiGateway::Deployment', 0);
    template.resourceCountIs('AWS::ApiGateway::Stage', 0);
    expect(routes.methods).toHaveLength(2);
    expect(
      routes.fingerprints.map(({ httpMethod, path }) => `${String(httpMethod)} ${String(path)}`),
    ).toEqual(['POST /things', 'POST /things/{thingId}/archive']);
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

  test('leaves the routes open without an authorizer, and changes their fingerprints when one is added', () => {
    // Prepare
    const fingerprints = (authorized: boolean): string => {
      const { api, context, fn } = setUp();
      const authorizer = authorized
        ? new apigateway.CognitoUserPoolsAuthorizer(context, 'Authorizer', {
            cognitoUserPools: [new cognito.UserPool(context, 'Pool')],
          })
        : undefined;
      const routes = new ContextRoutes(context, 'Routes', {
        api,
        authorizer,
        routes: [{ path: '/things', method: 'GET', handler: fn }],
      });
      const template = Template.fromStack(context);
      if (!authorized)
        template.hasResourceProperties('AWS::ApiGateway::Method', { AuthorizationType: 'NONE' });
      return JSON.stringify(context.resolve(routes.fingerprints));
    };
    // Act
    const open = fingerprints(false);
    const protectedRoutes = fingerprints(true);
    // Assess
    expect(open).toContain('/things');
    expect(protectedRoutes).not.toBe(open);
  });

  test('imports a path another context created rather than creating it again; the other context’s stack deploys first', () => {
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
      routes: [{ path: '/users/me', method: 'GET', handler: fn }],
    });
    new ContextRoutes(other, 'Routes', {
      api,
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
          routes: routes.map((route) => ({ ...route, handler: fn })),
        }),
    ).toThrow(message);
  });
});
