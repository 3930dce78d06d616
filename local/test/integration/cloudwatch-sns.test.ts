/**
 * CloudWatch and SNS in the local cloud, end to end on `test/fixtures/monitoring-fixture-app.ts`: the
 * function's failures reach `AWS/Lambda` `Errors` and its EMF line `FixtureShop/CheckoutFailed`; the alarms on
 * them (60-second periods, evaluated every second at the default time scale) go to ALARM, the composite
 * alarm over both follows, their notifications arrive in the queue subscribed to the alarm topic, and the
 * alarm goes back to OK. The SDK clients are used unchanged against the edge.
 */
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  GetMetricDataCommand,
  ListMetricsCommand,
} from '@aws-sdk/client-cloudwatch';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ListSubscriptionsByTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LocalCloud } from '../../src/local-cloud';
import { localClientConfig } from '../../src/testing/client-config';
import { eventually } from '../../src/testing/eventually';
import {
  COMPOSITE_ALARM,
  DASHBOARD,
  ERROR_RATE_ALARM,
  ERRORS_ALARM,
  FAILED_ALARM,
} from '../fixtures/monitoring-fixture-app';
import { startFixtureCloud } from '../support/fixture-cloud';

interface Notification {
  readonly Type: string;
  readonly TopicArn: string;
  readonly Subject?: string;
  readonly Message: string;
}

interface AlarmMessage {
  readonly AlarmName: string;
  readonly NewStateValue: string;
  readonly OldStateValue: string;
  readonly AlarmArn: string;
  readonly Trigger?: { readonly MetricName?: string; readonly Namespace?: string; readonly Period?: number };
}

let cloud: LocalCloud;
let cloudWatch: CloudWatchClient;
let sns: SNSClient;
let sqs: SQSClient;
let lambda: LambdaClient;
let outputs: { readonly TopicArn: string; readonly QueueUrl: string };
/** Every notification the queue received, in order: a test looks for what it expects among them. */
const received: Notification[] = [];

beforeAll(async () => {
  ({ cloud } = await startFixtureCloud({
    appCommand: 'npx tsx test/fixtures/monitoring-fixture-app.ts',
    defaultApiName: undefined,
  }));
  const config = { ...localClientConfig(cloud.edgeUrl), maxAttempts: 1 };
  cloudWatch = new CloudWatchClient(config);
  sns = new SNSClient(config);
  sqs = new SQSClient(config);
  lambda = new LambdaClient(config);
  outputs = cloud.outputs.MonitoringFixture as typeof outputs;
}, 180_000);

afterAll(async () => {
  for (const client of [cloudWatch, sns, sqs, lambda]) client?.destroy();
  await cloud?.stop();
});

/** Reads the queue until `find` picks a notification from what arrived so far. */
async function notification<T>(
  find: (notifications: readonly Notification[]) => T | undefined,
  what: string,
): Promise<T> {
  return eventually(
    async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: outputs.QueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
        }),
      );
      for (const message of Messages) {
        received.push(JSON.parse(message.Body ?? '{}') as Notification);
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: outputs.QueueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      }
      return find(received);
    },
    { timeoutMs: 20_000, what },
  );
}

const alarmMessage =
  (name: string, state: string, oldState?: string) => (notifications: readonly Notification[]) =>
    notifications
      .map((item) => ({ item, alarm: JSON.parse(item.Message) as AlarmMessage }))
      .find(
        ({ alarm }) =>
          alarm.AlarmName === name &&
          alarm.NewStateValue === state &&
          (oldState === undefined || alarm.OldStateValue === oldState),
      );

const checkout = (fail: boolean) =>
  lambda.send(
    new InvokeCommand({
      FunctionName: 'fixture-checkout',
      Payload: JSON.stringify({ fail, amounts: [20, 40] }),
    }),
  );

test('the template’s alarms, composite alarm and dashboard are described as configured', async () => {
  // Act
  const metricAlarms = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'fixture-' }));
  const composite = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmTypes: ['CompositeAlarm'] }));
  const dashboard = await cloudWatch.send(new GetDashboardCommand({ DashboardName: DASHBOARD }));

  // Assess
  expect(metricAlarms.MetricAlarms?.map((alarm) => alarm.AlarmName).sort()).toEqual(
    [ERROR_RATE_ALARM, ERRORS_ALARM, FAILED_ALARM].sort(),
  );
  // The period is reported as configured, whatever the local time scale.
  expect(metricAlarms.MetricAlarms?.find((alarm) => alarm.AlarmName === ERRORS_ALARM)).toMatchObject({
    Namespace: 'AWS/Lambda',
    MetricName: 'Errors',
    Period: 60,
    AlarmActions: [outputs.TopicArn],
    Dimensions: [{ Name: 'FunctionName', Value: 'fixture-checkout' }],
  });
  expect(composite.CompositeAlarms?.map((alarm) => alarm.AlarmName)).toEqual([COMPOSITE_ALARM]);
  expect(JSON.parse(dashboard.DashboardBody ?? '{}')).toMatchObject({ widgets: [{ type: 'metric' }] });
});

test('failures put the alarms in ALARM, the composite alarm follows, and the notifications reach the queue; then OK', async () => {
  // Prepare: the alarm's first evaluation, without data, has put it in OK (missing data is not breaching).
  await eventually(
    async () => {
      const { MetricAlarms } = await cloudWatch.send(
        new DescribeAlarmsCommand({ AlarmNames: [ERRORS_ALARM, FAILED_ALARM] }),
      );
      return MetricAlarms?.length === 2 && MetricAlarms.every((alarm) => alarm.StateValue === 'OK')
        ? true
        : undefined;
    },
    { what: 'both alarms OK' },
  );

  // Act
  const failed = await checkout(true);

  // Assess
  expect(failed.FunctionError).toBe('Unhandled');
  const errorsAlarm = await notification(
    alarmMessage(ERRORS_ALARM, 'ALARM'),
    'the Errors alarm notification',
  );
  expect(errorsAlarm.item).toMatchObject({
    Type: 'Notification',
    TopicArn: outputs.TopicArn,
    Subject: `ALARM: "${ERRORS_ALARM}" in US East (N. Virginia)`,
  });
  expect(errorsAlarm.alarm).toMatchObject({
    OldStateValue: 'OK',
    AlarmArn: `arn:aws:cloudwatch:us-east-1:000000000000:alarm:${ERRORS_ALARM}`,
    Trigger: { MetricName: 'Errors', Namespace: 'AWS/Lambda', Period: 60 },
  });
  const compositeAlarm = await notification(
    alarmMessage(COMPOSITE_ALARM, 'ALARM'),
    'the composite alarm notification',
  );
  expect(compositeAlarm.alarm.AlarmArn).toContain(COMPOSITE_ALARM);
  // No failure since: the next period has no error datapoint (notBreaching), and the alarm is OK again.
  const backToOk = await notification(
    alarmMessage(ERRORS_ALARM, 'OK', 'ALARM'),
    'the Errors alarm back to OK',
  );
  expect(backToOk.alarm.OldStateValue).toBe('ALARM');
  const history = await cloudWatch.send(
    new DescribeAlarmHistoryCommand({
      AlarmName: FAILED_ALARM,
      HistoryItemType: 'StateUpdate',
      ScanBy: 'TimestampAscending',
    }),
  );
  expect(history.AlarmHistoryItems?.map((item) => item.HistorySummary)).toEqual(
    expect.arrayContaining(['Alarm updated from OK to ALARM', 'Alarm updated from ALARM to OK']),
  );
  const rateHistory = await cloudWatch.send(
    new DescribeAlarmHistoryCommand({ AlarmName: ERROR_RATE_ALARM, HistoryItemType: 'StateUpdate' }),
  );
  expect(rateHistory.AlarmHistoryItems?.map((item) => item.HistorySummary)).toContain(
    'Alarm updated from INSUFFICIENT_DATA to ALARM',
  );
});

test('the function’s EMF values and the service metrics are queried like CloudWatch’s', async () => {
  // Prepare
  const since = new Date(Date.now() - 60_000);
  await checkout(false);

  // Act
  const data = await eventually(
    async () => {
      const result = await cloudWatch.send(
        new GetMetricDataCommand({
          StartTime: since,
          EndTime: new Date(Date.now() + 60_000),
          MetricDataQueries: [
            {
              Id: 'amount',
              MetricStat: {
                Metric: {
                  Namespace: 'FixtureShop',
                  MetricName: 'CheckoutAmount',
                  Dimensions: [{ Name: 'service', Value: 'checkout' }],
                },
                Period: 3600,
                Stat: 'Maximum',
              },
            },
            {
              Id: 'invocations',
              MetricStat: {
                Metric: {
                  Namespace: 'AWS/Lambda',
                  MetricName: 'Invocations',
                  Dimensions: [{ Name: 'FunctionName', Value: 'fixture-checkout' }],
                },
                Period: 3600,
                Stat: 'Sum',
              },
            },
          ],
        }),
      );
      const invocations = result.MetricDataResults?.find((item) => item.Id === 'invocations')?.Values ?? [];
      return invocations.reduce((sum, value) => sum + value, 0) >= 2 ? result : undefined;
    },
    { what: 'both invocations counted' },
  );
  const listed = await cloudWatch.send(
    new ListMetricsCommand({ Namespace: 'AWS/Lambda', MetricName: 'Errors' }),
  );

  // Assess
  expect(data.MetricDataResults?.find((item) => item.Id === 'amount')?.Values).toEqual([40]);
  expect(listed.Metrics).toContainEqual({
    Namespace: 'AWS/Lambda',
    MetricName: 'Errors',
    Dimensions: [{ Name: 'FunctionName', Value: 'fixture-checkout' }],
  });
});

test('a message published to the topic with the SDK reaches the subscribed queue and function', async () => {
  // Prepare
  const { Subscriptions } = await sns.send(
    new ListSubscriptionsByTopicCommand({ TopicArn: outputs.TopicArn }),
  );

  // Act
  const { MessageId } = await sns.send(
    new PublishCommand({ TopicArn: outputs.TopicArn, Subject: 'drill', Message: 'a drill, not an alarm' }),
  );

  // Assess
  expect(Subscriptions?.map((subscription) => subscription.Protocol).sort()).toEqual(['lambda', 'sqs']);
  const drill = await notification(
    (notifications) =>
      notifications.find((item) => (item as Notification & { MessageId: string }).MessageId === MessageId),
    'the published message',
  );
  expect(drill).toMatchObject({ Subject: 'drill', Message: 'a drill, not an alarm' });
});

test('the /_local endpoints show the alarms, the metrics and the deliveries', async () => {
  // Prepare
  const local = async <T>(path: string): Promise<T> =>
    (await (await fetch(`${cloud.apiUrl}${path}`)).json()) as T;

  // Act
  const { alarms } = await local<{ alarms: { name: string; type: string }[] }>('/_local/alarms');
  const { metrics } = await local<{ metrics: { namespace: string; metricName: string }[] }>(
    '/_local/metrics',
  );
  const { deliveries } = await eventually(
    async () => {
      const listed = await local<{ deliveries: { protocol: string; outcome: string }[] }>(
        '/_local/notifications',
      );
      return listed.deliveries.some((delivery) => delivery.protocol === 'lambda') ? listed : undefined;
    },
    { what: 'a delivery to the function' },
  );
  const invocations = await eventually(
    async () => {
      const listed = await local<{
        invocations: { functionName: string; trigger: string; outcome: string }[];
      }>('/_local/invocations');
      return listed.invocations.some((invocation) => invocation.functionName === 'fixture-pager')
        ? listed.invocations
        : undefined;
    },
    { what: 'the function invoked by SNS' },
  );

  // Assess
  expect(alarms).toContainEqual(expect.objectContaining({ name: COMPOSITE_ALARM, type: 'CompositeAlarm' }));
  expect(metrics).toContainEqual(
    expect.objectContaining({ namespace: 'FixtureShop', metricName: 'CheckoutFailed' }),
  );
  expect(deliveries.filter((delivery) => delivery.outcome !== 'delivered')).toEqual([]);
  expect(invocations).toContainEqual(
    expect.objectContaining({ functionName: 'fixture-pager', trigger: 'sns', outcome: 'success' }),
  );
});
