import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app';
import { SETTINGS_CONTEXT_KEYS } from '../../infra/app-settings';

type Json = Record<string, unknown>;
interface Resource {
  readonly Type: string;
  readonly Properties: Json;
}

/** The stacks of a bounded context (everything but the API's deployment), and what ApiStage holds. */
const CONTEXT_STACKS = [
  'ShopPlatform',
  'ShopUsers',
  'ShopInventory',
  'ShopAccounts',
  'ShopPayments',
  'ShopPaymentProvider',
  'ShopOrders',
  'ShopSettings',
  'ShopOperations',
];

function templatesOf(context: Json = {}): Map<string, Template> {
  const app = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } }));
  const stacks = app.node.children.filter((child): child is Stack => child instanceof Stack);
  return new Map(stacks.map((stack) => [stack.stackName, Template.fromStack(stack)]));
}

function resourcesOf(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

/** The logical ids an alarm rule's `Fn::GetAtt`s name. */
function alarmsInRule(rule: unknown): string[] {
  const json = JSON.stringify(rule);
  return [...json.matchAll(/\{"Fn::GetAtt":\["(\w+)","Arn"\]\}/g)].map((match) => match[1] ?? '');
}

/** The topic every alarm of a context stack notifies: the platform's, imported (or its own `Ref` there). */
function isTheAlarmTopic(action: unknown): boolean {
  const json = JSON.stringify(action);
  return /ShopPlatform:ExportsOutputRefAlarmTopic/.test(json) || /^\{"Ref":"AlarmTopic\w+"\}$/.test(json);
}

describe('monitoring of the app, per context', () => {
  const templates = templatesOf();

  test('the app has the stacks these tests expect', () => {
    expect([...templates.keys()].sort()).toEqual([...CONTEXT_STACKS, 'ShopApiStage'].sort());
  });

  test.each(CONTEXT_STACKS)('%s has a dashboard and a guard combining every alarm of its stack', (name) => {
    const template = templates.get(name) as Template;
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const guards = resourcesOf(template, 'AWS::CloudWatch::CompositeAlarm');
    expect(guards).toHaveLength(1);
    const [, guard] = guards[0] as [string, Resource];
    const context = name
      .replace(/^Shop/, '')
      .replace(/([a-z])([A-Z])/g, '$1-$2')
      .toLowerCase();
    expect(guard.Properties['AlarmName']).toBe(`shop-${context}-guard`);
    // A new version's own alarm rolls its deployment back, and a traffic hook's alarms fail deployments
    // already: they stay out of the guard (see below).
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm')
      .filter(([, alarm]) => !/-new-version-errors$|TrafficHook-/.test(String(alarm.Properties['AlarmName'])))
      .map(([id]) => id);
    expect(alarms.length).toBeGreaterThan(0);
    expect(alarmsInRule(guard.Properties['AlarmRule']).sort()).toEqual(alarms.sort());
  });

  test('the canary of POST /orders rolls back on the errors of the version it rolls out, and says so in an output', () => {
    // Prepare
    const template = templates.get('ShopOrders') as Template;
    const canaryAlarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').filter(
      ([, alarm]) => alarm.Properties['AlarmName'] === 'shop-orders-CreateOrderFunction-new-version-errors',
    );
    const outputs = template.findOutputs('*');
    const canaries = Object.entries(outputs).filter(([key]) => key.endsWith('Canary'));

    // Assess
    expect(canaryAlarms).toHaveLength(1);
    const [alarmId, alarm] = canaryAlarms[0] as [string, Resource];
    expect(alarm.Properties).toMatchObject({
      AlarmName: 'shop-orders-CreateOrderFunction-new-version-errors',
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Statistic: 'Sum',
      Threshold: 1,
      EvaluationPeriods: 10,
      DatapointsToAlarm: 1,
      AlarmActions: [expect.anything()],
    });
    const dimensions = JSON.stringify(alarm.Properties['Dimensions']);
    expect(dimensions).toMatch(
      /"Name":"ExecutedVersion","Value":\{"Fn::GetAtt":\["CreateOrderFunctionCurrentVersion\w+","Version"\]\}/,
    );
    expect(dimensions).toContain(':live');
    expect(canaries.map(([key]) => key)).toEqual(['CreateOrderFunctionCanary']);
    const value = JSON.stringify(canaries[0]?.[1]);
    expect(value).toContain('ShopOrders/CreateOrderFunction');
    expect(value).toMatch(/"Ref":"MonitoringGuard\w+"/);
    expect(value).toContain(alarmId);
  });

  test.each([
    ['ShopOrders', ['OrdersPlaced', 'OrdersPaid', 'OrdersShipped'], 'OrdersCancelled'],
    ['ShopPayments', ['PaymentsCaptured', 'PaymentsRefunded'], 'PaymentsDeclined'],
    ['ShopAccounts', ['TransfersMade', 'TransferLostRaces'], 'TransfersRefused'],
  ])('the %s dashboard charts %j, and %s by reason', (stack, metrics, byReason) => {
    const [[, dashboard]] = resourcesOf(templates.get(stack) as Template, 'AWS::CloudWatch::Dashboard') as [
      [string, Resource],
    ];
    const body = JSON.stringify(dashboard.Properties['DashboardBody']);
    for (const metric of metrics) {
      expect(body).toContain(`\\"${metric}\\"`);
    }
    const search = body.indexOf("SEARCH('{Shop,service,reason} MetricName=");
    expect(search).toBeGreaterThan(-1);
    expect(body.slice(search, search + 80)).toContain(byReason);
  });

  test.each(CONTEXT_STACKS)('%s: every alarm, and the guard, notify the platform’s alarm topic', (name) => {
    const template = templates.get(name) as Template;
    const alarms = [
      ...resourcesOf(template, 'AWS::CloudWatch::Alarm'),
      ...resourcesOf(template, 'AWS::CloudWatch::CompositeAlarm'),
    ];
    for (const [id, alarm] of alarms) {
      const actions = (alarm.Properties['AlarmActions'] ?? []) as unknown[];
      expect({ id, notifies: actions.some(isTheAlarmTopic) }).toEqual({ id, notifies: true });
    }
    template.resourceCountIs('AWS::SNS::Topic', name === 'ShopPlatform' ? 1 : 0);
  });

  test('alarm names are unique in the app', () => {
    const names = [...templates.values()].flatMap((template) =>
      [
        ...resourcesOf(template, 'AWS::CloudWatch::Alarm'),
        ...resourcesOf(template, 'AWS::CloudWatch::CompositeAlarm'),
      ]
        .map(([, alarm]) => alarm.Properties['AlarmName'])
        .filter((name): name is string => typeof name === 'string'),
    );
    expect(names.length).toBeGreaterThan(100);
    expect(new Set(names).size).toBe(names.length);
  });

  test('orders: the saga’s failed or timed-out executions and parked sagas are in the guard', () => {
    const template = templates.get('ShopOrders') as Template;
    const [, guard] = resourcesOf(template, 'AWS::CloudWatch::CompositeAlarm')[0] as [string, Resource];
    const inRule = alarmsInRule(guard.Properties['AlarmRule']);
    expect(inRule.some((id) => id.startsWith('PlaceOrderSagaFailedExecutionsAlarm'))).toBe(true);
    expect(inRule.some((id) => id.startsWith('PlaceOrderSagaParkedSagasAlarm'))).toBe(true);
    const body = JSON.stringify(resourcesOf(template, 'AWS::CloudWatch::Dashboard')[0]?.[1].Properties);
    for (const metric of [
      'ExecutionsSucceeded',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      'ExecutionsAborted',
    ]) {
      expect(body).toContain(metric);
    }
  });

  test('payments: an alarm on each circuit opening (EMF CircuitTransition, to = OPEN)', () => {
    const template = templates.get('ShopPayments') as Template;
    const circuits = resourcesOf(template, 'AWS::CloudWatch::Alarm')
      .map(([, alarm]) => alarm.Properties)
      .filter((properties) => properties['MetricName'] === 'CircuitTransition');
    expect(circuits.map((properties) => properties['Namespace'])).toEqual(['Shop', 'Shop', 'Shop', 'Shop']);
    for (const properties of circuits) {
      expect(properties['Dimensions']).toEqual(
        expect.arrayContaining([
          { Name: 'service', Value: 'payments' },
          { Name: 'to', Value: 'OPEN' },
        ]),
      );
    }
    expect(
      circuits.map(
        (properties) =>
          (properties['Dimensions'] as { Name: string; Value: string }[]).find(
            ({ Name }) => Name === 'circuit',
          )?.Value,
      ),
    ).toEqual(['payment-provider', 'payment-provider-refunds', 'accounts', 'accounts-refunds']);
  });

  test('a context with routes alarms on each route’s 5xx rate and p99 latency', () => {
    const template = templates.get('ShopAccounts') as Template;
    const names = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(
      ([, alarm]) => alarm.Properties['AlarmName'],
    );
    expect(names).toEqual(
      expect.arrayContaining([
        'shop-accounts-api-POST-transfers-5xx',
        'shop-accounts-api-POST-transfers-p99',
      ]),
    );
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop-accounts-api-POST-transfers-p99',
      MetricName: 'Latency',
      ExtendedStatistic: 'p99',
      Threshold: 3000,
    });
  });
});

describe('monitoring settings (CDK context)', () => {
  test('no subscription to the alarm topic by default; shop:alarmEmail subscribes an address', () => {
    expect(templatesOf().get('ShopPlatform')?.findResources('AWS::SNS::Subscription')).toEqual({});
    const platform = templatesOf({ [SETTINGS_CONTEXT_KEYS.alarmEmail]: 'ops@example.com' }).get(
      'ShopPlatform',
    ) as Template;
    platform.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
    });
  });

  test('thresholds from the context reach the alarms', () => {
    const templates = templatesOf({
      [SETTINGS_CONTEXT_KEYS.apiLatencyP99Ms]: '1500',
      [SETTINGS_CONTEXT_KEYS.functionErrorRatePercent]: '2',
    });
    const accounts = templates.get('ShopAccounts') as Template;
    accounts.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop-accounts-api-POST-transfers-p99',
      Threshold: 1500,
    });
    accounts.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop-accounts-TransferMoneyFunction-errors',
      Threshold: 2,
    });
  });
});
