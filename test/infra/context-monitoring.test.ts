import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AlarmTopic } from '../../infra/constructs/alarm-topic';
import { ContextMonitoring, SAGA_STEP_ERRORS } from '../../infra/constructs/context-monitoring';
import { unbundledStack } from './construct-test-helpers';

function functionIn(stack: Stack, id = 'Fn'): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({});'),
  });
}

describe('ContextMonitoring', () => {
  test('a function: an error-rate and a throttles alarm, both notifying the topic and in the guard', () => {
    // Prepare
    const stack = unbundledStack();
    const topic = new sns.Topic(stack, 'Topic');
    const monitoring = new ContextMonitoring(stack, 'Monitoring', { service: 'orders', alarmTopic: topic });
    // Act
    monitoring.monitorFunction(functionIn(stack));
    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop-orders-Fn-errors',
      Threshold: 5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Topic') }],
      Metrics: Match.arrayWith([
        Match.objectLike({
          Expression: 'IF(FILL(invocations, 0) >= 1, 100 * FILL(errors, 0) / FILL(invocations, 1), 0)',
        }),
      ]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop-orders-Fn-throttles',
      MetricName: 'Throttles',
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmName: 'shop-orders-guard',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Topic') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^Topic') }],
    });
    expect(monitoring.alarms).toHaveLength(2);
    const [guard] = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm')) as {
      Properties: { AlarmRule: unknown };
    }[];
    const rule = JSON.stringify(guard?.Properties.AlarmRule);
    for (const alarm of monitoring.alarms) {
      expect(rule).toContain(stack.getLogicalId(alarm.node.defaultChild as cloudwatch.CfnAlarm));
    }
  });

  test('a saga step tolerates its business outcomes: half of at least ten invocations', () => {
    const stack = unbundledStack();
    const monitoring = new ContextMonitoring(stack, 'Monitoring', { service: 'payments' });
    monitoring.monitorFunction(functionIn(stack, 'Charge'), SAGA_STEP_ERRORS);
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop-payments-Charge-errors',
      Threshold: 50,
      AlarmDescription: Match.stringLikeRegexp('Some errors are expected'),
      Metrics: Match.arrayWith([Match.objectLike({ Expression: Match.stringLikeRegexp('>= 10,') })]),
    });
  });

  test('folds in an alarm made elsewhere once: the topic as its action, a place in the guard', () => {
    // Prepare
    const stack = unbundledStack();
    const queue = new sqs.Queue(stack, 'DeadLetters');
    const existing = new cloudwatch.Alarm(stack, 'Existing', {
      metric: queue.metricApproximateNumberOfMessagesVisible(),
      threshold: 1,
      evaluationPeriods: 1,
    });
    const monitoring = new ContextMonitoring(stack, 'Monitoring', { service: 'inventory' });
    // Act
    monitoring.monitorDeadLetterQueue(queue, 'Events not consumed', existing);
    monitoring.addAlarm(existing);
    // Assess: no second alarm on the queue, one action.
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^MonitoringAlarmTopic') }],
    });
    expect(monitoring.alarms).toEqual([existing]);
  });

  test('a work queue: an alarm on the age of its oldest message', () => {
    const stack = unbundledStack();
    const monitoring = new ContextMonitoring(stack, 'Monitoring', {
      service: 'settings',
      thresholds: { queueMessageAge: Duration.minutes(10) },
    });
    monitoring.monitorWorkQueue(new sqs.Queue(stack, 'Work'), 'Repairs');
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop-settings-Work-oldest-message',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 600,
    });
  });

  test('the dashboard shows the guard and the context’s alarms, and its sections', () => {
    const stack = unbundledStack();
    const monitoring = new ContextMonitoring(stack, 'Monitoring', { service: 'payments' });
    monitoring.monitorFunction(functionIn(stack));
    monitoring.monitorCircuit('payment-provider', 'charges fail fast.');
    const body = JSON.stringify(
      stack.resolve((monitoring.dashboard.node.defaultChild as cloudwatch.CfnDashboard).dashboardBody),
    );
    expect(body).toContain('"type\\":\\"alarm\\"');
    expect(body).toContain('## Functions');
    expect(body).toContain('## Business');
    expect(body).toContain('CircuitTransition');
    expect(body).toContain('Duration');
  });

  test.each([0, 101])('refuses an error rate of %p %', (rate) => {
    const stack = unbundledStack();
    expect(
      () =>
        new ContextMonitoring(stack, 'Monitoring', {
          service: 'orders',
          thresholds: { functionErrorRatePercent: rate },
        }),
    ).toThrow(/functionErrorRatePercent must be a percentage/);
  });

  test('a guard with no alarm fails the synthesis', () => {
    const stack = unbundledStack();
    new ContextMonitoring(stack, 'Monitoring', { service: 'orders' });
    expect(() => Template.fromStack(stack)).toThrow(/the guard has no alarm to combine/);
  });
});

describe('AlarmTopic', () => {
  test('takes publications over TLS and from this account’s alarms only', () => {
    const stack = unbundledStack();
    new AlarmTopic(stack, 'Topic');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: Match.anyValue(),
            },
          }),
        ]),
      },
    });
  });

  test('refuses an email that is no address', () => {
    expect(() => new AlarmTopic(unbundledStack(), 'Topic', { email: 'ops' })).toThrow(
      /email must be an address/,
    );
  });
});
