/**
 * Alarms in the engine on an injected clock: the scaled windows, M out of N over several evaluations,
 * metric math alarms, and the composite alarm's notification.
 */
import { CloudWatchEngine, type AlarmNotification } from '../../../src/cloudwatch/cloudwatch-engine';

const start = Date.parse('2026-12-07T12:00:00Z');
let now: number;
let notifications: AlarmNotification[];
let engine: CloudWatchEngine;

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

const put = (metricName: string, value: number) =>
  engine.store.put({ namespace: 'Shop', metricName, dimensions: [], timestampMs: now, values: [value] });

async function stateOf(name: string): Promise<unknown> {
  const described = await engine.handle('DescribeAlarms', {
    AlarmNames: [name],
    AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
  });
  const [alarm] = [
    ...(described.MetricAlarms as { StateValue: string }[]),
    ...(described.CompositeAlarms as { StateValue: string }[]),
  ];
  return alarm?.StateValue;
}

/** One evaluation per scaled period (1 s for 60 s at the default scale), the datapoints put before it. */
async function period(...values: number[]): Promise<void> {
  now += 500;
  for (const value of values) put('Failures', value);
  now += 500;
  await engine.evaluateAlarms();
}

describe('metric alarms over time', () => {
  it('goes to ALARM once 2 of the last 3 periods breach, and back to OK when fewer do', async () => {
    // Prepare
    await engine.handle('PutMetricAlarm', {
      AlarmName: 'failures',
      Namespace: 'Shop',
      MetricName: 'Failures',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: ['arn:aws:sns:us-east-1:000000000000:alarms'],
    });

    // Act & Assess: each period is one second of real time at the default scale
    await period(6);
    expect(await stateOf('failures')).toBe('OK');
    await period(1);
    expect(await stateOf('failures')).toBe('OK');
    await period(3, 4); // a Sum of 7
    expect(await stateOf('failures')).toBe('ALARM');
    await period(0);
    expect(await stateOf('failures')).toBe('OK');
    expect(notifications.map((notification) => JSON.parse(notification.message).NewStateValue)).toEqual([
      'ALARM',
    ]);
  });

  it('evaluates a metric math alarm on its returned expression', async () => {
    // Prepare
    await engine.handle('PutMetricAlarm', {
      AlarmName: 'failure-rate',
      EvaluationPeriods: 1,
      Threshold: 50,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Metrics: [
        { Id: 'rate', Expression: 'failures / calls * 100', ReturnData: true },
        {
          Id: 'failures',
          MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'Failures' }, Period: 60, Stat: 'Sum' },
          ReturnData: false,
        },
        {
          Id: 'calls',
          MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'Calls' }, Period: 60, Stat: 'Sum' },
          ReturnData: false,
        },
      ],
      AlarmActions: ['arn:aws:sns:us-east-1:000000000000:alarms'],
    });
    now += 500;
    put('Failures', 1);
    put('Calls', 2);
    now += 500;

    // Act
    await engine.evaluateAlarms();

    // Assess
    expect(await stateOf('failure-rate')).toBe('ALARM');
    expect(JSON.parse(notifications[0]?.message ?? '{}').Trigger).toMatchObject({
      Period: 60,
      Threshold: 50,
      Metrics: [
        { Id: 'rate', Expression: 'failures / calls * 100', ReturnData: true },
        {
          Id: 'failures',
          MetricStat: { Metric: { MetricName: 'Failures', Namespace: 'Shop' }, Period: 60, Stat: 'Sum' },
          ReturnData: false,
        },
        expect.objectContaining({ Id: 'calls' }),
      ],
    });
  });

  it('refuses metric math where no query or more than one returns data', async () => {
    // Act & Assess
    await expect(
      engine.handle('PutMetricAlarm', {
        AlarmName: 'bad',
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        Metrics: [
          {
            Id: 'm1',
            MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'X' }, Period: 60, Stat: 'Sum' },
            ReturnData: false,
          },
        ],
      }),
    ).rejects.toThrow('Exactly one element of the metrics list should return data');
  });
});

describe('composite alarms', () => {
  it('notifies with its rule and the states of its children when a child change makes the rule hold', async () => {
    // Prepare
    for (const name of ['a', 'b']) {
      await engine.handle('PutMetricAlarm', {
        AlarmName: name,
        Namespace: 'Shop',
        MetricName: name,
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
    await engine.handle('PutCompositeAlarm', {
      AlarmName: 'both',
      AlarmRule: 'ALARM(a) AND ALARM(b)',
      AlarmActions: ['arn:aws:sns:us-east-1:000000000000:alarms'],
      OKActions: ['arn:aws:sns:us-east-1:000000000000:alarms'],
    });

    // Act
    await engine.handle('SetAlarmState', { AlarmName: 'a', StateValue: 'ALARM', StateReason: 'test' });
    const afterOne = await stateOf('both');
    await engine.handle('SetAlarmState', { AlarmName: 'b', StateValue: 'ALARM', StateReason: 'test' });

    // Assess
    expect(afterOne).toBe('OK');
    expect(await stateOf('both')).toBe('ALARM');
    const messages = notifications.map((notification) => JSON.parse(notification.message));
    expect(
      messages.map((message) => [message.AlarmName, message.OldStateValue, message.NewStateValue]),
    ).toEqual([
      ['both', 'INSUFFICIENT_DATA', 'OK'],
      ['both', 'OK', 'ALARM'],
    ]);
    expect(messages[1]).toMatchObject({
      AlarmRule: 'ALARM(a) AND ALARM(b)',
      TriggeringChildren: [
        { arn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:a', state: { value: 'ALARM' } },
        { arn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:b', state: { value: 'ALARM' } },
      ],
    });
    const history = await engine.handle('DescribeAlarmHistory', {
      AlarmName: 'both',
      AlarmTypes: ['CompositeAlarm'],
      HistoryItemType: 'Action',
    });
    expect(history.AlarmHistoryItems).toHaveLength(2);
  });

  it('refuses to delete a child its composite alarm still names', async () => {
    // Prepare
    await engine.handle('PutMetricAlarm', {
      AlarmName: 'a',
      Namespace: 'Shop',
      MetricName: 'a',
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    await engine.handle('PutCompositeAlarm', { AlarmName: 'parent', AlarmRule: 'ALARM(a)' });

    // Act & Assess
    await expect(engine.handle('DeleteAlarms', { AlarmNames: ['a'] })).rejects.toThrow(
      'in the rule of parent',
    );
    await engine.handle('DeleteAlarms', { AlarmNames: ['a', 'parent'] });
    expect(engine.alarmStates()).toEqual([]);
  });
});
