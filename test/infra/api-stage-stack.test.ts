import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ContextRoutes, type ContextRoute } from '../../infra/constructs/context-routes';
import { ApiStageStack, type ApiStageStackProps } from '../../infra/stacks/api-stage-stack';
import { PlatformStack } from '../../infra/stacks/platform-stack';
import { unbundledApp } from './construct-test-helpers';

/** A platform, one context stack with `paths` as GET routes, and the API stage stack after them. */
function apiStageApp(
  paths: readonly string[] = ['/things', '/things/{thingId}'],
  props: Partial<ApiStageStackProps> = {},
) {
  const app = unbundledApp();
  const platform = new PlatformStack(app, 'Platform');
  const context = new Stack(app, 'Context');
  const handler = new lambda.Function(context, 'Fn', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "" })'),
  });
  const routes = new ContextRoutes(context, 'Routes', {
    api: platform.api,
    routes: paths.map((path): ContextRoute => ({ path, method: 'GET', handler })),
  });
  const stage = new ApiStageStack(app, 'ApiStage', { api: platform.api, routes: [routes], ...props });
  return { platform, context, stage, template: Template.fromStack(stage) };
}

const deploymentIdOf = (template: Template): string => {
  const ids = Object.keys(template.findResources('AWS::ApiGateway::Deployment'));
  expect(ids).toHaveLength(1);
  return ids[0] ?? '';
};

describe('ApiStageStack', () => {
  const { stage, context, platform, template } = apiStageApp();

  test('owns the API’s one deployment and its prod stage, with tracing on, and outputs its URL', () => {
    template.resourceCountIs('AWS::ApiGateway::Deployment', 1);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      TracingEnabled: true,
      DeploymentId: { Ref: deploymentIdOf(template) },
    });
    template.hasOutput('ApiUrl', {
      Value: {
        'Fn::Join': ['', Match.arrayWith(['https://', { Ref: Match.stringLikeRegexp('^Stage') }])],
      },
    });
  });

  test('deploys after every method: the platform’s own and every context’s', () => {
    const deployment = template.findResources('AWS::ApiGateway::Deployment')[deploymentIdOf(template)];
    // Methods of other stacks are waited for as stacks: this one deploys after both.
    expect(deployment?.['DependsOn']).toBeUndefined();
    expect(stage.dependencies).toEqual(expect.arrayContaining([platform, context]));
  });

  test('deploys the API anew when a route is added, and only then', () => {
    const again = deploymentIdOf(apiStageApp().template);
    const withMore = deploymentIdOf(apiStageApp(['/things', '/things/{thingId}', '/others']).template);
    expect(again).toBe(deploymentIdOf(template));
    expect(withMore).not.toBe(deploymentIdOf(template));
  });

  test('throttles every method of the stage, each below the account pool, by default and as given', () => {
    const throttleOf = (t: Template) =>
      Object.values(t.findResources('AWS::ApiGateway::Stage')).map(
        (resource) => (resource as { Properties: { MethodSettings?: unknown } }).Properties.MethodSettings,
      );
    const throttled = (rate: number, burst: number) => [
      [
        expect.objectContaining({
          ResourcePath: '/*',
          HttpMethod: '*',
          ThrottlingRateLimit: rate,
          ThrottlingBurstLimit: burst,
        }),
      ],
    ];
    expect(throttleOf(template)).toEqual(throttled(500, 1_000));
    const custom = apiStageApp(undefined, { rateLimit: 5, burstLimit: 10 }).template;
    expect(throttleOf(custom)).toEqual(throttled(5, 10));
  });

  test('gives the methods named their own, tighter bucket, and refuses a limit for a route the API lacks', () => {
    const limited = apiStageApp(undefined, {
      methodLimits: { 'GET /things/{thingId}': { rateLimit: 2, burstLimit: 4 } },
    }).template;
    limited.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          ResourcePath: '/~1things~1{thingId}',
          HttpMethod: 'GET',
          ThrottlingRateLimit: 2,
          ThrottlingBurstLimit: 4,
        }),
      ]),
    });
    expect(() =>
      apiStageApp(undefined, { methodLimits: { 'POST /things': { rateLimit: 1, burstLimit: 1 } } }),
    ).toThrow('ApiStageStack: a limit is set for POST /things, which is no route of the API.');
  });

  test('logs every request as a JSON access log line, and API Gateway errors without bodies', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LoggingAccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp(
          '"requestId":"\\$context.requestId".*"caller":"\\$context.authorizer.claims.sub"',
        ),
      },
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
        }),
      ]),
    });
    const format = JSON.parse(
      String(
        (
          Object.values(template.findResources('AWS::ApiGateway::Stage'))[0] as {
            Properties: { AccessLogSetting: { Format: string } };
          }
        ).Properties.AccessLogSetting.Format,
      ),
    ) as Record<string, string>;
    expect(Object.keys(format)).toEqual(
      expect.arrayContaining(['requestId', 'xrayTraceId', 'status', 'caller']),
    );
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    // No web ACL unless asked (the prod stage asks).
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
  });

  test('with webAcl, puts the stage behind AWS managed rules (common, known bad inputs)', () => {
    const protectedTemplate = apiStageApp(undefined, { webAcl: true }).template;
    protectedTemplate.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      Rules: [
        Match.objectLike({
          Statement: {
            ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' },
          },
        }),
        Match.objectLike({
          Statement: {
            ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesKnownBadInputsRuleSet' },
          },
        }),
      ],
    });
    protectedTemplate.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });
});
