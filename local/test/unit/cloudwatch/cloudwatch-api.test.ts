/**
 * The local CloudWatch through the AWS SDK's own client, over HTTP: what `CloudWatchClient` sends and
 * parses is the contract (AWS JSON 1.0, query-compatible errors), and the AWS CLI's Query form answers
 * the same engine in XML.
 */
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DeleteDashboardsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  DisableAlarmActionsCommand,
  GetDashboardCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListDashboardsCommand,
  ListMetricsCommand,
  PutCompositeAlarmCommand,
  PutDashboardCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { listen, sendJson, type RunningServer } from '../../../src/cloud/http-server';
import { CloudWatchEngine, type AlarmNotification } from '../../../src/cloudwatch/cloudwatch-engine';
import { cloudWatchJsonService, cloudWatchQueryService } from '../../../src/cloudwatch/cloudwatch-protocols';
import { serveJsonProtocol } from '../../../src/http/json-protocol';
import { serveQueryProtocol } from '../../../src/http/query-protocol';
import { localClientConfig } from '../../../src/testing/client-config';
import { refusal } from '../../support/refusal';

const start = Date.parse('2026-12-07T12:00:00Z');
let now = start;
let engine: CloudWatchEngine;
let notifications: AlarmNotification[];
let server: RunningServer;
let cloudWatch: CloudWatchClient;

beforeAll(async () => {
  server = await listen(0, async (req, res) => {
    if (await serveJsonProtocol([cloudWatchJsonService(engine)], req, res)) return;
    if (await serveQueryProtocol([cloudWatchQueryService(engine)], req, res)) return;
    sendJson(res, 404, { message: 'not served' });
  });
  cloudWatch = new CloudWatchClient({ ...localClientConfig(server.url), maxAttempts: 1 });
});

beforeEach(() => {
  now = start;
  notifications = [];
  engine = new CloudWatchEngine({
    clock: () => now,
    evaluateOnTimer: false,
    runAction: (notification) => {
      notifications.push(notification);
    },
  });
});

afterAll(async () => {
  cloudWatch.destroy();
  await server.close();
});

const seconds = (epochMs: number) => new Date(epochMs);

describe('metrics', () => {
  it('answers GetMetricStatistics and GetMetricData with the statistics of what PutMetricData recorded', async () => {
    // Prepare: three values in the first minute, one in the second
    await cloudWatch.send(
      new PutMetricDataCommand({
        Namespace: 'Shop',
        MetricData: [
          {
            MetricName: 'Latency',
            Dimensions: [{ Name: 'service', Value: 'orders' }],
            Values: [10, 20, 30],
            Timestamp: seconds(start + 1_000),
            Unit: 'Milliseconds',
          },
          {
            MetricName: 'Latency',
            Dimensions: [{ Name: 'service', Value: 'orders' }],
            Value: 100,
            Timestamp: seconds(start + 61_000),
            Unit: 'Milliseconds',
          },
        ],
      }),
    );
    now = start + 120_000;

    // Act
    const statistics = await cloudWatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'Shop',
        MetricName: 'Latency',
        Dimensions: [{ Name: 'service', Value: 'orders' }],
        StartTime: seconds(start),
        EndTime: seconds(start + 120_000),
        Period: 60,
        Statistics: ['Sum', 'Average', 'SampleCount', 'Maximum'],
        ExtendedStatistics: ['p50'],
      }),
    );
    const data = await cloudWatch.send(
      new GetMetricDataCommand({
        StartTime: seconds(start),
        EndTime: seconds(start + 120_000),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [
          {
            Id: 'latency',
            MetricStat: {
              Metric: {
                Namespace: 'Shop',
                MetricName: 'Latency',
                Dimensions: [{ Name: 'service', Value: 'orders' }],
              },
              Period: 60,
              Stat: 'p90',
            },
          },
          { Id: 'doubled', Expression: 'latency * 2', Label: 'twice' },
        ],
      }),
    );

    // Assess
    const points = [...(statistics.Datapoints ?? [])].sort(
      (a, b) => (a.Timestamp?.getTime() ?? 0) - (b.Timestamp?.getTime() ?? 0),
    );
    expect(points).toEqual([
      {
        Timestamp: seconds(start),
        Sum: 60,
        Average: 20,
        SampleCount: 3,
        Maximum: 30,
        ExtendedStatistics: { p50: 20 },
        Unit: 'Milliseconds',
      },
      {
        Timestamp: seconds(start + 60_000),
        Sum: 100,
        Average: 100,
        SampleCount: 1,
        Maximum: 100,
        ExtendedStatistics: { p50: 100 },
        Unit: 'Milliseconds',
      },
    ]);
    expect(
      data.MetricDataResults?.map(({ Id, Label, Values, Timestamps, StatusCode }) => ({
        Id,
        Label,
        Values,
        Timestamps,
        StatusCode,
      })),
    ).toEqual([
      {
        Id: 'latency',
        Label: 'Latency',
        Values: [30, 100],
        Timestamps: [seconds(start), seconds(start + 60_000)],
        StatusCode: 'Complete',
      },
      {
        Id: 'doubled',
        Label: 'twice',
        Values: [60, 200],
        Timestamps: [seconds(start), seconds(start + 60_000)],
        StatusCode: 'Complete',
      },
    ]);
  });

  it('lists the metrics recorded, filtered by namespace and dimension', async () => {
    // Prepare
    await cloudWatch.send(
      new PutMetricDataCommand({
        Namespace: 'Shop',
        MetricData: [{ MetricName: 'Orders', Value: 1, Dimensions: [{ Name: 'service', Value: 'orders' }] }],
      }),
    );
    await cloudWatch.send(
      new PutMetricDataCommand({
        Namespace: 'Shop',
        MetricData: [
          { MetricName: 'Payments', Value: 1, Dimensions: [{ Name: 'service', Value: 'payments' }] },
        ],
      }),
    );
    await cloudWatch.send(
      new PutMetricDataCommand({ Namespace: 'Other', MetricData: [{ MetricName: 'Orders', Value: 1 }] }),
    );

    // Act
    const listed = await cloudWatch.send(
      new ListMetricsCommand({ Namespace: 'Shop', Dimensions: [{ Name: 'service', Value: 'orders' }] }),
    );

    // Assess
    expect(listed.Metrics).toEqual([
      { Namespace: 'Shop', MetricName: 'Orders', Dimensions: [{ Name: 'service', Value: 'orders' }] },
    ]);
  });

  it('refuses a reserved namespace with InvalidParameterValue, as CloudWatch does', async () => {
    // Act
    const error = await refusal(
      cloudWatch.send(
        new PutMetricDataCommand({
          Namespace: 'AWS/Lambda',
          MetricData: [{ MetricName: 'Errors', Value: 1 }],
        }),
      ),
    );

    // Assess
    expect(error).toMatchObject({ name: 'InvalidParameterValueException', status: 400 });
    expect(error.message).toContain('Namespace');
  });
});

describe('alarms', () => {
  const errorsAlarm = {
    AlarmName: 'orders-errors',
    Namespace: 'Shop',
    MetricName: 'Errors',
    Statistic: 'Sum' as const,
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold' as const,
    TreatMissingData: 'notBreaching',
    AlarmActions: ['arn:aws:sns:us-east-1:000000000000:alarms'],
    OKActions: ['arn:aws:sns:us-east-1:000000000000:alarms'],
  };

  it('goes to ALARM when its metric breaches, records the transition and notifies its actions', async () => {
    // Prepare
    await cloudWatch.send(new PutMetricAlarmCommand(errorsAlarm));
    await cloudWatch.send(
      new PutMetricDataCommand({ Namespace: 'Shop', MetricData: [{ MetricName: 'Errors', Value: 2 }] }),
    );
    now += 500;

    // Act
    await engine.evaluateAlarms();

    // Assess
    const described = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['orders-errors'] }));
    expect(described.MetricAlarms?.[0]).toMatchObject({
      AlarmName: 'orders-errors',
      StateValue: 'ALARM',
      Period: 60,
      Statistic: 'Sum',
    });
    expect(described.MetricAlarms?.[0]?.StateReason).toContain(
      'Threshold Crossed: 1 out of the last 1 datapoint',
    );
    const history = await cloudWatch.send(
      new DescribeAlarmHistoryCommand({ AlarmName: 'orders-errors', HistoryItemType: 'StateUpdate' }),
    );
    expect(history.AlarmHistoryItems?.map((item) => item.HistorySummary)).toEqual([
      'Alarm updated from INSUFFICIENT_DATA to ALARM',
    ]);
    expect(notifications).toHaveLength(1);
    expect(notifications[0]?.subject).toBe('ALARM: "orders-errors" in US East (N. Virginia)');
    expect(JSON.parse(notifications[0]?.message ?? '{}')).toMatchObject({
      AlarmName: 'orders-errors',
      NewStateValue: 'ALARM',
      OldStateValue: 'INSUFFICIENT_DATA',
      AWSAccountId: '000000000000',
      Trigger: { MetricName: 'Errors', Namespace: 'Shop', Statistic: 'SUM', Period: 60, Threshold: 1 },
    });
  });

  it('runs no action while actions are disabled', async () => {
    // Prepare
    await cloudWatch.send(new PutMetricAlarmCommand(errorsAlarm));
    await cloudWatch.send(new DisableAlarmActionsCommand({ AlarmNames: ['orders-errors'] }));

    // Act
    await cloudWatch.send(
      new SetAlarmStateCommand({ AlarmName: 'orders-errors', StateValue: 'ALARM', StateReason: 'testing' }),
    );

    // Assess
    const described = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['orders-errors'] }));
    expect(described.MetricAlarms?.[0]).toMatchObject({
      StateValue: 'ALARM',
      StateReason: 'testing',
      ActionsEnabled: false,
    });
    expect(notifications).toEqual([]);
  });

  it('describes composite alarms only when asked, and follows their children', async () => {
    // Prepare
    await cloudWatch.send(new PutMetricAlarmCommand(errorsAlarm));
    await cloudWatch.send(
      new PutMetricAlarmCommand({
        ...errorsAlarm,
        AlarmName: 'payments-errors',
        AlarmActions: [],
        OKActions: [],
      }),
    );
    await cloudWatch.send(
      new PutCompositeAlarmCommand({
        AlarmName: 'shop-down',
        AlarmRule: 'ALARM(orders-errors) AND ALARM("payments-errors")',
      }),
    );

    // Act
    await cloudWatch.send(
      new SetAlarmStateCommand({ AlarmName: 'orders-errors', StateValue: 'ALARM', StateReason: 'test' }),
    );
    await cloudWatch.send(
      new SetAlarmStateCommand({ AlarmName: 'payments-errors', StateValue: 'ALARM', StateReason: 'test' }),
    );

    // Assess
    const metricOnly = await cloudWatch.send(new DescribeAlarmsCommand({}));
    expect(metricOnly.CompositeAlarms).toEqual([]);
    const composite = await cloudWatch.send(
      new DescribeAlarmsCommand({ AlarmTypes: ['CompositeAlarm'], StateValue: 'ALARM' }),
    );
    expect(composite.CompositeAlarms?.map((alarm) => alarm.AlarmName)).toEqual(['shop-down']);
  });

  it('refuses an anomaly detection operator as not supported locally', async () => {
    // Act
    const error = await refusal(
      cloudWatch.send(
        new PutMetricAlarmCommand({
          ...errorsAlarm,
          ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold',
        }),
      ),
    );

    // Assess
    expect(error.name).toBe('InvalidParameterValueException');
    expect(error.message).toContain('anomaly detection');
  });

  it('answers ResourceNotFound for an alarm that does not exist', async () => {
    // Act
    const error = await refusal(cloudWatch.send(new DeleteAlarmsCommand({ AlarmNames: ['nothing'] })));

    // Assess
    expect(error).toMatchObject({ name: 'ResourceNotFound', status: 400 });
  });
});

describe('dashboards', () => {
  it('stores, lists, returns and deletes a dashboard', async () => {
    // Prepare
    const body = JSON.stringify({ widgets: [{ type: 'text', properties: { markdown: 'Shop' } }] });

    // Act
    await cloudWatch.send(new PutDashboardCommand({ DashboardName: 'shop', DashboardBody: body }));
    const got = await cloudWatch.send(new GetDashboardCommand({ DashboardName: 'shop' }));
    const listed = await cloudWatch.send(new ListDashboardsCommand({}));
    await cloudWatch.send(new DeleteDashboardsCommand({ DashboardNames: ['shop'] }));
    const gone = await refusal(cloudWatch.send(new GetDashboardCommand({ DashboardName: 'shop' })));

    // Assess
    expect(got).toMatchObject({ DashboardName: 'shop', DashboardBody: body });
    expect(listed.DashboardEntries?.map((entry) => entry.DashboardName)).toEqual(['shop']);
    // The SDK names it by its Query code, which DashboardNotFoundError shares with ResourceNotFound.
    expect(gone).toMatchObject({ name: 'ResourceNotFound', status: 404 });
  });

  it('refuses a body that is not JSON', async () => {
    // Act
    const error = await refusal(
      cloudWatch.send(new PutDashboardCommand({ DashboardName: 'shop', DashboardBody: 'widgets' })),
    );

    // Assess
    expect(error.name).toBe('DashboardInvalidInputError');
  });
});

describe('the Query protocol (AWS CLI)', () => {
  it('answers DescribeAlarms in XML, and errors with their Query code', async () => {
    // Prepare
    await engine.handle('PutMetricAlarm', { ...errorsAlarmForm(), AlarmName: 'cli-alarm' });
    const post = (form: string) =>
      fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      });

    // Act
    const described = await post('Action=DescribeAlarms&Version=2010-08-01&AlarmNames.member.1=cli-alarm');
    const refused = await post(
      'Action=PutMetricData&Version=2010-08-01&Namespace=AWS%2FX&MetricData.member.1.MetricName=m&MetricData.member.1.Value=1',
    );

    // Assess
    const xml = await described.text();
    expect(xml).toContain('<DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">');
    expect(xml).toContain('<AlarmName>cli-alarm</AlarmName>');
    expect(xml).toContain('<Period>60</Period>');
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('<Code>InvalidParameterValue</Code>');
  });
});

/** An alarm as the Query protocol carries it: every value a string. */
function errorsAlarmForm(): Record<string, unknown> {
  return {
    Namespace: 'Shop',
    MetricName: 'Errors',
    Statistic: 'Sum',
    Period: '60',
    EvaluationPeriods: '1',
    Threshold: '1',
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  };
}
