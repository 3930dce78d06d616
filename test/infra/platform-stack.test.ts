import { Match, Template } from 'aws-cdk-lib/assertions';
import { PlatformStack } from '../../infra/stacks/platform-stack';
import { unbundledApp } from './construct-test-helpers';

describe('PlatformStack', () => {
  const app = unbundledApp();
  const stack = new PlatformStack(app, 'TestPlatform');
  const template = Template.fromStack(stack);

  test('has the shop event bus, exported for the other stacks', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'shop' });
    template.hasOutput('EventBusName', { Export: { Name: 'shop-event-bus-name' } });
  });

  test('serves a REST (v1) API with no deployment or stage of its own: the API stage stack owns them', () => {
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.resourceCountIs('AWS::ApiGateway::Deployment', 0);
    template.resourceCountIs('AWS::ApiGateway::Stage', 0);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 0);
    // Execution logs need the account's API Gateway role: this stack sets it.
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
  });

  test('knows the stage URL before the stage exists', () => {
    expect(stack.resolve(stack.apiUrl)).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          { Ref: expect.stringMatching(/^ShopApi/) },
          '.execute-api.',
          { Ref: 'AWS::Region' },
          '.',
          { Ref: 'AWS::URLSuffix' },
          '/prod/',
        ],
      ],
    });
  });

  test('routes GET /health to a Lambda proxy integration', () => {
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'health' });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      Integration: Match.objectLike({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' }),
    });
  });
});
