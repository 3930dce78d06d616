/**
 * Alarms, composite alarms, dashboards, topics and subscriptions as the template declares them: what the
 * loaders create, and what they list as not supported instead of failing the start.
 */
import { loadCloudWatch, loadSns, type LoadedResource } from '../../../src/cloud/loaders';
import { CloudWatchEngine } from '../../../src/cloudwatch/cloudwatch-engine';
import { SnsEngine } from '../../../src/sns/sns-engine';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:alarms';
const alarmArn = (name: string) => `arn:aws:cloudwatch:us-east-1:000000000000:alarm:${name}`;

function resource(
  logicalId: string,
  type: string,
  physicalId: string,
  properties: Record<string, unknown>,
  attributes: Record<string, string> = {},
): LoadedResource {
  return { stackName: 'Shop', logicalId, type, physicalId, properties, attributes } as LoadedResource;
}

const errorsAlarm = (name: string, extra: Record<string, unknown> = {}) =>
  resource(name, 'AWS::CloudWatch::Alarm', name, {
    Namespace: 'AWS/Lambda',
    MetricName: 'Errors',
    Dimensions: [{ Name: 'FunctionName', Value: 'pay' }],
    Statistic: 'Sum',
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    AlarmActions: [TOPIC_ARN],
    ...extra,
  });

describe('loadCloudWatch', () => {
  it('creates metric alarms, then composite alarms in the order their rules need, then dashboards', async () => {
    // Prepare
    const cloudWatch = new CloudWatchEngine({ evaluateOnTimer: false });
    const resources = [
      // The outer composite comes first in the template: it names the inner one.
      resource('Outer', 'AWS::CloudWatch::CompositeAlarm', 'outer', {
        AlarmRule: 'ALARM(inner) OR ALARM(b)',
      }),
      resource('Inner', 'AWS::CloudWatch::CompositeAlarm', 'inner', {
        AlarmRule: `ALARM("${alarmArn('a')}") AND NOT OK(b)`,
      }),
      errorsAlarm('a'),
      errorsAlarm('b', {
        Period: '300',
        EvaluationPeriods: '2',
        DatapointsToAlarm: '1',
        TreatMissingData: 'breaching',
      }),
      resource('Board', 'AWS::CloudWatch::Dashboard', 'shop', { DashboardBody: '{"widgets":[]}' }),
    ];

    // Act
    const loaded = loadCloudWatch(resources, cloudWatch);

    // Assess
    expect(loaded).toEqual({
      alarms: ['a', 'b', 'inner (composite)', 'outer (composite)'],
      dashboards: ['shop'],
      unsupported: [],
    });
    const described = await cloudWatch.handle('DescribeAlarms', { AlarmNames: ['b'] });
    expect(described.MetricAlarms).toEqual([
      expect.objectContaining({
        Period: 300,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 1,
        TreatMissingData: 'breaching',
      }),
    ]);
  });

  it('lists an alarm it cannot evaluate as not supported, and goes on', () => {
    // Prepare
    const cloudWatch = new CloudWatchEngine({ evaluateOnTimer: false });
    const resources = [
      errorsAlarm('band', {
        ComparisonOperator: 'GreaterThanUpperThreshold',
        Threshold: undefined,
        ThresholdMetricId: 'ad1',
      }),
      errorsAlarm('trimmed', { Statistic: undefined, ExtendedStatistic: 'tm99' }),
      errorsAlarm('fine'),
      resource('Orphan', 'AWS::CloudWatch::CompositeAlarm', 'orphan', { AlarmRule: 'ALARM(nowhere)' }),
    ];

    // Act
    const loaded = loadCloudWatch(resources, cloudWatch);

    // Assess
    expect(loaded.alarms).toEqual(['fine']);
    expect(loaded.unsupported).toEqual([
      expect.stringMatching(/^Shop\/band: .*anomaly detection/),
      expect.stringMatching(/^Shop\/trimmed: .*tm99.*not supported locally/),
      expect.stringMatching(/^Shop\/Orphan: .*nowhere, which does not exist/),
    ]);
  });
});

describe('loadSns', () => {
  it('creates topics with their subscriptions, and lists the protocols it does not deliver to', async () => {
    // Prepare
    const sns = new SnsEngine({
      targets: { invokeFunction: async () => undefined, sendToQueue: () => undefined },
    });
    const resources = [
      resource(
        'Topic',
        'AWS::SNS::Topic',
        TOPIC_ARN,
        { TopicName: 'alarms', Subscription: [{ Protocol: 'email', Endpoint: 'ops@example.com' }] },
        { TopicArn: TOPIC_ARN, TopicName: 'alarms' },
      ),
      resource('ToQueue', 'AWS::SNS::Subscription', `${TOPIC_ARN}:0001`, {
        TopicArn: TOPIC_ARN,
        Protocol: 'sqs',
        Endpoint: 'arn:aws:sqs:us-east-1:000000000000:alarm-inbox',
        RawMessageDelivery: true,
        FilterPolicy: { severity: ['high'] },
      }),
      resource('ToPager', 'AWS::SNS::Subscription', `${TOPIC_ARN}:0002`, {
        TopicArn: TOPIC_ARN,
        Protocol: 'https',
        Endpoint: 'https://pager.example.com',
      }),
    ];

    // Act
    const loaded = loadSns(resources, sns);

    // Assess
    expect(loaded.names).toEqual(['alarms → sqs:alarm-inbox']);
    expect(loaded.unsupported).toEqual([
      'Shop/Topic: email subscriptions are not emulated (lambda and sqs are)',
      'Shop/ToPager: https subscriptions are not emulated (lambda and sqs are)',
    ]);
    const attributes = await sns.handle('GetSubscriptionAttributes', {
      SubscriptionArn: `${TOPIC_ARN}:0001`,
    });
    expect(attributes.Attributes).toMatchObject({
      entries: { RawMessageDelivery: 'true', FilterPolicy: '{"severity":["high"]}' },
    });
  });

  it('fails the start on a subscription SNS would refuse', () => {
    // Prepare
    const sns = new SnsEngine({
      targets: { invokeFunction: async () => undefined, sendToQueue: () => undefined },
    });
    const resources = [
      resource('ToQueue', 'AWS::SNS::Subscription', `${TOPIC_ARN}:0001`, {
        TopicArn: TOPIC_ARN,
        Protocol: 'sqs',
        Endpoint: 'arn:aws:sqs:us-east-1:000000000000:q',
      }),
    ];

    // Act & Assess
    expect(() => loadSns(resources, sns)).toThrow('Shop/ToQueue: Topic does not exist');
  });
});
