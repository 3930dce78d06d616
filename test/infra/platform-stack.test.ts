import { Match, Template } from 'aws-cdk-lib/assertions';
import { PlatformStack } from '../../infra/stacks/platform-stack';
import { unbundledApp } from './construct-test-helpers';

describe('PlatformStack', () => {
  const app = unbundledApp();
  const template = Template.fromStack(new PlatformStack(app, 'TestPlatform'));

  test('has the shop event bus, exported for the other stacks', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'shop' });
    template.hasOutput('EventBusName', { Export: { Name: 'shop-event-bus-name' } });
  });

  test('serves a REST (v1) API on the prod stage with tracing on', () => {
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'prod', TracingEnabled: true });
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 0);
  });

  test('throttles every method of the stage, each below the account pool, by default and as given', () => {
    const throttleOf = (t: Template) =>
      Object.values(t.findResources('AWS::ApiGateway::Stage')).map(
        (stage) => (stage as { Properties: { MethodSettings?: unknown } }).Properties.MethodSettings,
      );
    expect(throttleOf(template)).toEqual([
      [
        expect.objectContaining({
          ResourcePath: '/*',
          HttpMethod: '*',
          ThrottlingRateLimit: 500,
          ThrottlingBurstLimit: 1_000,
        }),
      ],
    ]);
    const custom = Template.fromStack(
      new PlatformStack(unbundledApp(), 'Throttled', { apiRateLimit: 5, apiBurstLimit: 10 }),
    );
    expect(throttleOf(custom)).toEqual([
      [
        expect.objectContaining({
          ResourcePath: '/*',
          HttpMethod: '*',
          ThrottlingRateLimit: 5,
          ThrottlingBurstLimit: 10,
        }),
      ],
    ]);
  });

  test('logs every request as a JSON access log line, and API Gateway errors without bodies', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ShopApiLoggingAccessLogs'), 'Arn'] },
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
    // Execution logs need the account's API Gateway role: this stack sets it.
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
    // No web ACL unless asked (the prod stage asks).
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
  });

  test('with webAcl, puts the stage behind AWS managed rules (common, known bad inputs)', () => {
    const protectedTemplate = Template.fromStack(
      new PlatformStack(unbundledApp(), 'Protected', { webAcl: true }),
    );
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

  test('routes GET /health to a Lambda proxy integration', () => {
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'health' });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      Integration: Match.objectLike({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' }),
    });
  });
});
