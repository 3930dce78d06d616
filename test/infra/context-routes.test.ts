import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Match, Template } from 'aws-cdk-lib/assertions';
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
