/**
 * Monitoring first, end to end on the real app booted on the local cloud: a context's alarms watch its
 * functions, its guard (a composite alarm) follows them, and every state change reaches the platform's
 * alarm topic — through the CloudWatch and SNS APIs as an operator's tools use them (AWS SDK clients on
 * the edge endpoint), with failures caused the way production sees them (a failing function).
 */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  type CompositeAlarm,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type LocalCloud, eventually, localClientConfig } from 'cdk-local-cloud';
import { checkRollout } from '../../infra/ops/rollout-guards';
import { apiAs, signedInUser, startShopCloud, type ApiCall } from '../support/shop-cloud';

/** The inventory context's guard, and the error alarm of the function behind `GET /products/{id}`. */
const GUARD = 'shop-inventory-guard';
// The guard clears once every alarm of its context has: on a busy machine a cold start's latency may
// hold the p99 alarm a little longer than the errors take to clear.
const SETTLE = { timeoutMs: 120_000, intervalMs: 250 };
/** A well-formed id of no product: the function answers it 404, a success to its metrics. */
const MISSING_PRODUCT = 'prd_01M9868PKTSK0KS84300Q2K760';

let cloud: LocalCloud;
let asCustomer: ApiCall;
let cloudWatch: CloudWatchClient;
let sqs: SQSClient;
let inboxUrl: string;

/** What the alarm topic delivered to the test's queue: CloudWatch's JSON message, one per state change. */
const notifications: { readonly AlarmName: string; readonly NewStateValue: string }[] = [];

beforeAll(async () => {
  ({ cloud } = await startShopCloud());
  const config = localClientConfig(cloud.edgeUrl);
  cloudWatch = new CloudWatchClient(config);
  sqs = new SQSClient(config);
  const sns = new SNSClient(config);
  const topicArn = cloud.outputs['ShopPlatform']?.['AlarmTopicArn'];
  if (topicArn === undefined) throw new Error('the platform stack has no AlarmTopicArn output');
  // An operator's subscription to the alarm topic: a queue, read raw.
  inboxUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'alarm-inbox' }))).QueueUrl ?? '';
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: inboxUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: Attributes?.QueueArn,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  sns.destroy();
  asCustomer = apiAs(cloud, await signedInUser(cloud, { email: 'ada.monitoring@example.com' }));
}, 180_000);

afterAll(async () => {
  cloudWatch?.destroy();
  sqs?.destroy();
  await cloud?.stop();
});

async function alarms(prefix: string): Promise<{ metric: MetricAlarm[]; composite: CompositeAlarm[] }> {
  const metric: MetricAlarm[] = [];
  const composite: CompositeAlarm[] = [];
  let nextToken: string | undefined;
  do {
    const answer = await cloudWatch.send(
      new DescribeAlarmsCommand({
        AlarmNamePrefix: prefix,
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        NextToken: nextToken,
      }),
    );
    metric.push(...(answer.MetricAlarms ?? []));
    composite.push(...(answer.CompositeAlarms ?? []));
    nextToken = answer.NextToken;
  } while (nextToken !== undefined);
  return { metric, composite };
}

async function stateOf(name: string): Promise<string | undefined> {
  const { metric, composite } = await alarms(name);
  return [...metric, ...composite].find((alarm) => alarm.AlarmName === name)?.StateValue;
}

/** Reads what the topic delivered so far into `notifications`. */
async function drainInbox(): Promise<void> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: inboxUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  for (const message of Messages) {
    notifications.push(JSON.parse(message.Body ?? '{}') as { AlarmName: string; NewStateValue: string });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: inboxUrl, ReceiptHandle: message.ReceiptHandle }));
  }
}

async function notifiedOf(alarmName: string, state: string): Promise<void> {
  await eventually(
    async () => {
      await drainInbox();
      return notifications.some((n) => n.AlarmName === alarmName && n.NewStateValue === state) || undefined;
    },
    { ...SETTLE, what: `a notification of ${alarmName} going ${state}` },
  );
}

describe('monitoring first, on the local cloud', () => {
  test('every context has a guard watching its alarms, and the guard notifies the alarm topic', async () => {
    // Act
    const { composite } = await alarms('shop-');

    // Assess
    expect(composite.map((guard) => guard.AlarmName).sort()).toEqual([
      'shop-accounts-guard',
      'shop-inventory-guard',
      'shop-operations-guard',
      'shop-orders-guard',
      'shop-payment-provider-guard',
      'shop-payments-guard',
      'shop-platform-guard',
      'shop-settings-guard',
      'shop-users-guard',
    ]);
    // The rollout gate finds each of them, from the assembly's stacks, in the local CloudWatch.
    const gate = await checkRollout(cloudWatch, cloud.startup.assembly.dir);
    for (const guard of composite) expect(gate.lines.join('\n')).toContain(`${guard.AlarmName} `);
    expect(gate.lines).toContain('ShopApiStage: no alarms, no guard needed');
    for (const guard of composite) {
      expect(guard.AlarmActions).toEqual([cloud.outputs['ShopPlatform']?.['AlarmTopicArn']]);
      expect(guard.AlarmRule).toMatch(/ALARM\(/);
    }
  });

  test('a failing function trips its error alarm and its context’s guard, both notified; both clear once it recovers', async () => {
    // Prepare: the function behind GET /products/{id}, and its error-rate alarm.
    const { metric } = await alarms('shop-inventory-');
    const errorAlarm = metric.find((alarm) => /GetProduct.*-errors$/.test(alarm.AlarmName ?? ''))?.AlarmName;
    if (errorAlarm === undefined) throw new Error('no error alarm on the inventory GetProduct function');
    expect(await stateOf(GUARD)).not.toBe('ALARM');
    const fault = await asCustomer('POST', '/_local/faults', {
      body: { kind: 'function-error', target: { logicalIdPrefix: 'GetProductFunction' }, probability: 1 },
    });
    expect(fault.status).toBe(201);

    const beforeOutage = await checkRollout(cloudWatch, cloud.startup.assembly.dir);

    // Act: failures, then recovery.
    const failed = await Promise.all([1, 2, 3].map(() => asCustomer('GET', `/products/${MISSING_PRODUCT}`)));
    await notifiedOf(errorAlarm, 'ALARM');
    await notifiedOf(GUARD, 'ALARM');
    const duringOutage = await stateOf(GUARD);
    // The rollout gate, on the assembly the cloud runs: no rollout while a guard is in ALARM.
    const gateDuringOutage = await checkRollout(cloudWatch, cloud.startup.assembly.dir);
    await asCustomer('DELETE', '/_local/faults');
    const recovered = await eventually(
      async () => {
        // Healthy traffic (an unknown product is a 404 the function answers) until the alarms clear.
        await asCustomer('GET', `/products/${MISSING_PRODUCT}`);
        return (await stateOf(GUARD)) === 'OK'
          ? await asCustomer('GET', `/products/${MISSING_PRODUCT}`)
          : undefined;
      },
      { ...SETTLE, what: `${GUARD} to be OK again` },
    );
    await notifiedOf(GUARD, 'OK');

    // Assess
    expect(failed.map((answer) => answer.status)).toEqual([502, 502, 502]);
    expect(duringOutage).toBe('ALARM');
    expect(recovered.status).toBe(404);
    expect(await stateOf(errorAlarm)).toBe('OK');
    expect(beforeOutage.allowed).toBe(true);
    expect(gateDuringOutage.allowed).toBe(false);
    expect(gateDuringOutage.lines).toContain(`ShopInventory: REFUSED — ${GUARD} is in ALARM`);
    expect(gateDuringOutage.lines.filter((line) => line.includes('REFUSED'))).toHaveLength(1);
    const afterRecovery = await checkRollout(cloudWatch, cloud.startup.assembly.dir);
    expect(afterRecovery).toMatchObject({ allowed: true });
  }, 300_000);
});
