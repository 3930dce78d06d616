import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as events from 'aws-cdk-lib/aws-events';
import { OperationsStack } from '../../infra/stacks/operations-stack';
import { actionsGrantedTo, testAuthorizer, unbundledApp } from './construct-test-helpers';

function build(): { stack: OperationsStack; template: Template } {
  const app = unbundledApp();
  const platform = new Stack(app, 'Platform');
  const api = new apigateway.RestApi(platform, 'Api', { deploy: false });
  api.root.addMethod('GET');
  const bus = new events.EventBus(platform, 'Bus');
  const stack = new OperationsStack(app, 'ShopOperations', {
    api,
    bus,
    authorizer: testAuthorizer(platform),
    functionNamePattern: 'Shop*',
  });
  return { stack, template: Template.fromStack(stack) };
}

describe('OperationsStack', () => {
  const { template } = build();
  const definitionOf = (): string => {
    const machines = template.findResources('AWS::StepFunctions::StateMachine');
    return JSON.stringify(Object.values(machines)[0]?.['Properties']?.['DefinitionString']);
  };

  test('one STANDARD state machine: start, evaluate, shift, bake, approval with a deadline, roll-back', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
    });
    const definition = definitionOf();
    for (const state of ['Start', 'Evaluate', 'NextAction', 'Shift', 'Bake', 'WaitForApproval', 'RollBack']) {
      expect(definition).toContain(`\\"${state}\\":{`);
    }
    expect(definition).toContain('waitForTaskToken');
    expect(definition).toContain('\\"TimeoutSeconds\\":86400');
    expect(definition).toContain('\\"SecondsPath\\":\\"$.rollout.bakeSeconds\\"');
    // Transient errors retried as the saga's tasks are, with full jitter.
    expect(definition).toContain('Lambda.TooManyRequestsException');
    expect(definition).toContain('\\"JitterStrategy\\":\\"FULL\\"');
    // The events, on the platform's bus, from shop.operations.
    for (const detailType of [
      'DeploymentStepCompleted',
      'DeploymentRolledBack',
      'DeploymentSucceeded',
      'DeploymentDrifted',
    ]) {
      expect(definition).toContain(`\\"DetailType\\":\\"${detailType}\\"`);
    }
    expect(definition).toContain('\\"Source\\":\\"shop.operations\\"');
  });

  test('the approval route is behind the Cognito authorizer, and its function admits staff only', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'COGNITO_USER_POOLS',
      AuthorizerId: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'approval' });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{rolloutId}' });
    // staffOnly is the handler's (test/unit/operations): the route's function may only answer the task.
    expect(actionsGrantedTo(template, 'DecideApprovalFunction')).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'states:SendTaskFailure',
      'states:SendTaskHeartbeat',
      'states:SendTaskSuccess',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  test("IAM: the step function moves only the app's live aliases and reads only the app's alarms", () => {
    expect(actionsGrantedTo(template, 'RolloutStepFunction')).toEqual([
      'cloudwatch:DescribeAlarms',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'lambda:GetAlias',
      'lambda:UpdateAlias',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    const arn = (service: string, resource: string) =>
      Match.objectLike({
        'Fn::Join': ['', Match.arrayWith([`:${service}:`, Match.stringLikeRegexp(resource)])],
      });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['lambda:GetAlias', 'lambda:UpdateAlias'],
            Resource: arn('lambda', ':function:Shop\\*:live$'),
          }),
          Match.objectLike({
            Action: 'cloudwatch:DescribeAlarms',
            Resource: [arn('cloudwatch', ':alarm:shop-\\*$'), arn('cloudwatch', ':alarm:Shop\\*$')],
          }),
        ]),
      },
    });
    const statements = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(statements).not.toMatch(/"lambda:UpdateAlias"[^\]]*"Resource":"\*"/);
  });

  test('monitored: both functions, the state machine and the route have alarms, folded in one guard', () => {
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', { AlarmName: 'shop-operations-guard' });
    for (const name of [
      'shop-operations-RolloutStepFunction-errors',
      'shop-operations-DecideApprovalFunction-errors',
      'shop-operations-CanaryRolloutStateMachine-failed',
    ]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: name });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: Match.stringLikeRegexp('^shop-operations-api-POST-deployments-rolloutId-approval-5xx$'),
    });
  });

  test('refuses a function name pattern that would name every function of the account', () => {
    const app = unbundledApp();
    const platform = new Stack(app, 'Platform');
    const api = new apigateway.RestApi(platform, 'Api', { deploy: false });
    api.root.addMethod('GET');
    expect(
      () =>
        new OperationsStack(app, 'Ops', {
          api,
          bus: new events.EventBus(platform, 'Bus'),
          authorizer: testAuthorizer(platform),
          functionNamePattern: '*',
        }),
    ).toThrow(/functionNamePattern must be a function name prefix/);
  });
});
