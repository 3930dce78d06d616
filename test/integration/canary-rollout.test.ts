import { DescribeAlarmsCommand, type DescribeAlarmsCommandInput } from '@aws-sdk/client-cloudwatch';
import {
  GetAliasCommand,
  InvokeCommand,
  ListVersionsByFunctionCommand,
  paginateListFunctions,
  UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import { GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { eventually, localClientConfig, type LocalCloud, type RedeployReport } from 'cdk-local-cloud';
import {
  followRollout,
  startRollout,
  versionInvocations,
  type CanaryDeployment,
  type CanaryTarget,
} from '../../infra/ops/canary-rollouts';
import { deployHoldingCanaries } from '../../infra/ops/deploy-local';
import { shopClients, type ShopClients } from '../../infra/ops/shop-clients';
import { shopUserPool, signUpAndSignIn, type SignedInUser } from '../../infra/ops/shop-users';
import {
  SYNTHETIC_CHECK_PARAMETER_NAME,
  SyntheticCheckSettingsSchema,
} from '../../functions/operations/contracts/synthetic-check';
import { signedInStaffAndCustomers, startShopCloud } from '../support/shop-cloud';

/**
 * The canary delivery of POST /orders on the local cloud, end to end: a deployment publishes the new
 * create-order version and holds `live`; the controller moves it 1 → 5 → 10 → 50 → 100 %, waits for
 * staff at 50 %, and rolls back on the new version's own errors.
 */
let cloud: LocalCloud;
let clients: ShopClients;
let staff: SignedInUser;
let customer: SignedInUser;
let deployment: CanaryDeployment;
let createOrder: CanaryTarget;
/** What the first deployment moved at once or through CodeDeploy. */
let firstDeployment: RedeployReport;
/** How each of its CodeDeploy deployments ended, by id. */
let firstBlueGreen: Record<string, string>;

interface BrokenVersion {
  readonly functionName: string;
  readonly version: string;
  readonly faultId: string;
  /** How many invocations the fault failed. */
  readonly injected: () => Promise<number>;
}

/**
 * A fault that fails every invocation of the version the next deployment will publish of the one
 * function whose name contains `name`, whichever way that version is invoked.
 */
async function armBrokenNextVersion(name: string): Promise<BrokenVersion> {
  const named: string[] = [];
  for await (const page of paginateListFunctions({ client: clients.lambda }, {})) {
    for (const fn of page.Functions ?? []) if (fn.FunctionName?.includes(name)) named.push(fn.FunctionName);
  }
  const [functionName] = named;
  if (functionName === undefined || named.length > 1)
    throw new Error(`not one function ${name}: ${named.join(', ')}`);
  const { Versions = [] } = await clients.lambda.send(
    new ListVersionsByFunctionCommand({ FunctionName: functionName }),
  );
  const last = Math.max(...Versions.map((v) => Number(v.Version)).filter(Number.isFinite));
  const version = String(last + 1);
  const response = await fetch(`${cloud.apiUrl}/_local/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      kind: 'function-error',
      target: { name: functionName, version },
      probability: 1,
      errorType: 'Runtime.ImportModuleError',
      errorMessage: 'Cannot find module ./broken',
    }),
  });
  const { fault } = (await response.json()) as { fault: { id: string } };
  const faultId = fault.id;
  const injected = async () => {
    const shown = (await (await fetch(`${cloud.apiUrl}/_local/faults/${faultId}`)).json()) as {
      fault?: { injected?: number };
    };
    return shown.fault?.injected ?? 0;
  };
  return { functionName, version, faultId, injected };
}

const BAKE_SECONDS = 1;
/** A test that deploys: synthesis, 49 blue/green deployments with their hooks and synthetic orders. */
const DEPLOYING_TEST_TIMEOUT_MS = 300_000;

beforeAll(async () => {
  ({ cloud } = await startShopCloud());
  clients = shopClients(localClientConfig(cloud.edgeUrl));
  ({
    staff,
    customers: [customer = staff],
  } = await signedInStaffAndCustomers(cloud, { tag: 'canary', customers: 1 }));
}, 180_000);

afterAll(async () => {
  clients?.destroy();
  await cloud?.stop();
});

/** Staff's decision on the rollout waiting at 50 %: true once the API took it. */
const decide =
  (decision: 'approve' | 'abort') =>
  async (rolloutId: string): Promise<boolean> => {
    const response = await fetch(`${cloud.apiUrl}/deployments/${rolloutId}/approval`, {
      method: 'POST',
      headers: { Authorization: staff.idToken, 'content-type': 'application/json' },
      body: JSON.stringify({ decision }),
    });
    return response.status === 200;
  };

/** Waits until CloudWatch has the alarms `input` and `select` pick, none of them in ALARM. */
async function untilOutOfAlarm(
  what: string,
  input: DescribeAlarmsCommandInput,
  select: (alarmName: string) => boolean = () => true,
): Promise<void> {
  await eventually(
    async () => {
      const { MetricAlarms = [], CompositeAlarms = [] } = await clients.cloudWatch.send(
        new DescribeAlarmsCommand(input),
      );
      const alarms = [...MetricAlarms, ...CompositeAlarms].filter((alarm) => select(alarm.AlarmName ?? ''));
      return alarms.length > 0 && alarms.every((alarm) => alarm.StateValue !== 'ALARM') ? true : undefined;
    },
    { timeoutMs: 120_000, what: `${what} out of ALARM` },
  );
}

/** A request the create-order function answers 400 to (no body): cheap traffic through `live`. */
async function invalidOrder(): Promise<number> {
  const response = await fetch(`${cloud.apiUrl}/orders`, {
    method: 'POST',
    headers: { Authorization: customer.idToken, 'content-type': 'application/json' },
    body: '{}',
  });
  await response.arrayBuffer();
  return response.status;
}

async function liveAlias(): Promise<{ version: string; weights: Record<string, number> }> {
  const alias = await clients.lambda.send(
    new GetAliasCommand({ FunctionName: createOrder.functionName, Name: createOrder.aliasName }),
  );
  return {
    version: alias.FunctionVersion ?? '',
    weights: alias.RoutingConfig?.AdditionalVersionWeights ?? {},
  };
}

describe('the canary rollout of POST /orders', () => {
  test(
    'a good version goes through every step and the approval at 50 %, to 100 %',
    async () => {
      // Act
      const deployed = await deployHoldingCanaries(cloud.apiUrl, clients, { 'shop:release': 'canary-good' });
      deployment = deployed.deployment;
      firstDeployment = deployed.report;
      firstBlueGreen = deployed.blueGreen;
      const [rollout] = deployed.rollouts;
      if (rollout === undefined)
        throw new Error(`no canary got a new version: ${JSON.stringify(deployed.report)}`);
      createOrder = rollout.canary;
      const heldOn = await liveAlias();
      const started = await startRollout(
        clients.stepFunctions,
        deployment,
        createOrder,
        rollout.targetVersion,
        {
          bakeSeconds: BAKE_SECONDS,
        },
      );
      const result = await followRollout(
        clients,
        createOrder,
        { ...started, targetVersion: rollout.targetVersion },
        { approve: decide('approve'), pollMs: 100, timeoutMs: 120_000 },
      );

      // Assess: the deployment held live on version 1 and moved the functions delivered all at once.
      expect(deployment.canaries.map((canary) => canary.constructPath)).toEqual([
        'ShopOrders/CreateOrderFunction',
      ]);
      expect(heldOn).toEqual({ version: '1', weights: {} });
      expect(rollout.targetVersion).toBe('2');
      expect(deployed.report.aliases.length).toBeGreaterThan(20);
      expect(deployed.report.aliases.map((alias) => alias.functionName)).not.toContain(
        createOrder.functionName,
      );
      expect(result.output).toMatchObject({ outcome: 'SUCCEEDED', targetVersion: '2', originalVersion: '1' });
      expect(result.steps.map((step) => step.weight)).toEqual([0, 1, 5, 10, 50, 100]);
      expect(await liveAlias()).toEqual({ version: '2', weights: {} });
    },
    DEPLOYING_TEST_TIMEOUT_MS,
  );

  test('the same deployment took every serving function live blue/green: every CodeDeploy deployment succeeded, its hooks passing', async () => {
    // Prepare
    const blueGreen = firstDeployment.aliases.filter((alias) => alias.deploymentId !== undefined);

    // Act: how each deployment ended (deployHoldingCanaries waits for them, as cdk deploy does), and
    // why, for one that did not succeed.
    const notLive = (
      await Promise.all(
        blueGreen.map(async ({ functionName, aliasName, toVersion, deploymentId = '' }) => {
          const live = await clients.lambda.send(
            new GetAliasCommand({ FunctionName: functionName, Name: aliasName }),
          );
          const status = firstBlueGreen[deploymentId];
          if (status === 'Succeeded' && live.FunctionVersion === toVersion) return [];
          const { deploymentInfo } = await clients.codeDeploy.send(
            new GetDeploymentCommand({ deploymentId }),
          );
          return [
            { functionName, status, live: live.FunctionVersion, error: deploymentInfo?.errorInformation },
          ];
        }),
      )
    ).flat();

    // Assess: every serving function of 9 stacks, each smoke-tested by what reaches it (an API request,
    // an empty batch, the start-up probe); only the hooks moved at once.
    expect(blueGreen.length).toBeGreaterThanOrEqual(49);
    expect(notLive).toEqual([]);
    expect(
      firstDeployment.aliases
        .filter((alias) => alias.deploymentId === undefined)
        .map((alias) => /TrafficHook/.test(alias.functionName)),
    ).toEqual(Array.from({ length: 18 }, () => true));
  });

  test('each deployment on the order path had its after-traffic hook place a synthetic order that reached the read model, then was declined and cancelled', async () => {
    // Prepare: the synthetic customer, as the hooks read it.
    const { Parameter } = await clients.ssm.send(
      new GetParameterCommand({ Name: SYNTHETIC_CHECK_PARAMETER_NAME, WithDecryption: true }),
    );
    const settings = SyntheticCheckSettingsSchema.parse(JSON.parse(Parameter?.Value ?? 'null'));
    const synthetic = await signUpAndSignIn(clients.config, shopUserPool(cloud.outputs), {
      email: settings.email,
      password: settings.password,
      existing: true,
    });
    const orderPathDeployments = firstDeployment.aliases.filter(
      (alias) =>
        alias.deploymentId !== undefined &&
        // The local stage: the orders context alone (infra/app.ts).
        /^ShopOrders-/.test(alias.functionName),
    );

    // Act: its orders, once the saga has ended each one.
    const orders = await eventually(
      async () => {
        const response = await fetch(`${cloud.apiUrl}/users/me/orders?limit=100`, {
          headers: { Authorization: synthetic.idToken },
        });
        const { orders: listed = [] } = (await response.json()) as {
          orders?: { status: string; cancellationReason?: string }[];
        };
        return listed.length >= orderPathDeployments.length && listed.every((o) => o.status === 'CANCELLED')
          ? listed
          : undefined;
      },
      { timeoutMs: 60_000, what: "the synthetic customer's orders, cancelled" },
    );

    // Assess: one order per deployment of the orders context, none charged.
    expect(orderPathDeployments.length).toBeGreaterThanOrEqual(14);
    expect(orders).toHaveLength(orderPathDeployments.length);
    expect(new Set(orders.map((order) => order.cancellationReason))).toEqual(new Set(['PAYMENT_DECLINED']));
  });

  test(
    'a bad version rolls back at the first check after its own errors fire its alarm, its blast radius measured',
    async () => {
      // Prepare
      const since = new Date();
      const deployed = await deployHoldingCanaries(cloud.apiUrl, clients, {
        'shop:release': 'canary-bad',
        'shop:injectedFailureRate': '1',
      });
      const targetVersion = deployed.rollouts[0]?.targetVersion ?? '';
      let rolling = true;
      const statuses: number[] = [];
      // Traffic all along, as a real API has: 1 % of it reaches the new version.
      const traffic = (async () => {
        while (rolling) statuses.push(...(await Promise.all(Array.from({ length: 4 }, invalidOrder))));
      })();

      // Act
      const started = await startRollout(clients.stepFunctions, deployment, createOrder, targetVersion, {
        bakeSeconds: 3,
      });
      const result = await followRollout(
        clients,
        createOrder,
        { ...started, targetVersion },
        {
          pollMs: 100,
          timeoutMs: 120_000,
        },
      );
      rolling = false;
      await traffic;
      const served = await versionInvocations(clients.cloudWatch, createOrder, targetVersion, since);

      // Assess: one summary, so that a failure shows the whole run.
      const alarmAtMs = result.alarmAtMs ?? Infinity;
      const errorsSeenByClients = statuses.filter((status) => status >= 500).length;
      const run = {
        targetVersion,
        output: result.output,
        steps: result.steps.map((step) => step.weight),
        // It rolled back at the first check after its alarm fired: at most the step already decided when
        // the alarm changed state came after it, then 0 %.
        afterAlarm: result.steps.filter((step) => step.atMs > alarmAtMs).map((step) => step.weight),
        served,
        errorsSeenByClients,
        // The others: the function's 400, or the stage's throttling (429) of this much traffic.
        otherStatuses: [...new Set(statuses.filter((status) => status < 500))].sort(),
        alias: await liveAlias(),
      };
      expect(run).toMatchObject({
        targetVersion: '3',
        output: { outcome: 'ROLLED_BACK', reason: expect.objectContaining({ code: 'ALARM' }) },
        alias: { version: '2', weights: {} },
      });
      // Every request the bad version served failed, and no other did.
      expect({
        rolledBackAfterAlarm: run.afterAlarm.at(-1) === 0 && run.afterAlarm.length <= 2,
        belowTheApproval: Math.max(...run.steps) < 50,
        servedSome: run.served.invocations > 0,
        allServedFailed: run.served.errors === run.served.invocations,
        clientsSawThem: run.errorsSeenByClients === run.served.invocations,
        otherwise400Or429:
          run.otherStatuses.includes(400) &&
          run.otherStatuses.every((status) => status === 400 || status === 429),
        run,
      }).toEqual({
        rolledBackAfterAlarm: true,
        belowTheApproval: true,
        servedSome: true,
        allServedFailed: true,
        clientsSawThem: true,
        otherwise400Or429: true,
        run,
      });
    },
    DEPLOYING_TEST_TIMEOUT_MS,
  );

  test(
    'a rollout staff abort at its approval rolls back',
    async () => {
      // Prepare: the new version's alarm back to OK once its errors are behind it.
      await untilOutOfAlarm('the new-version alarm', { AlarmNames: [...createOrder.alarmNames] });

      // Act: version 3 again, with no traffic to fail on, up to the approval.
      const started = await startRollout(clients.stepFunctions, deployment, createOrder, '3', {
        bakeSeconds: BAKE_SECONDS,
      });
      const result = await followRollout(
        clients,
        createOrder,
        { ...started, targetVersion: '3' },
        {
          approve: decide('abort'),
          pollMs: 100,
          timeoutMs: 120_000,
        },
      );

      // Assess
      expect(result.output).toMatchObject({
        outcome: 'ROLLED_BACK',
        reason: expect.objectContaining({ code: 'APPROVAL_ABORTED' }),
      });
      expect(Math.max(...result.steps.map((step) => step.weight))).toBe(50);
      expect(await liveAlias()).toEqual({ version: '2', weights: {} });
    },
    DEPLOYING_TEST_TIMEOUT_MS,
  );

  test('at a 10 % step, 2,000 invocations of live split within three standard deviations of the weight', async () => {
    // Prepare: live as the controller's third step writes it, 10 % on version 3.
    const route = (weights: Record<string, number>) =>
      clients.lambda.send(
        new UpdateAliasCommand({
          FunctionName: createOrder.functionName,
          Name: createOrder.aliasName,
          FunctionVersion: '2',
          RoutingConfig: { AdditionalVersionWeights: weights },
        }),
      );
    await route({ '3': 0.1 });
    const invocations = 2_000;

    // Act: what ran, as each answer's X-Amz-Executed-Version says.
    const executed: string[] = [];
    try {
      while (executed.length < invocations) {
        const answers = await Promise.all(
          Array.from({ length: 10 }, () =>
            clients.lambda.send(
              new InvokeCommand({
                FunctionName: createOrder.functionName,
                Qualifier: createOrder.aliasName,
                Payload: Buffer.from('{}'),
              }),
            ),
          ),
        );
        executed.push(...answers.map((answer) => answer.ExecutedVersion ?? ''));
      }
    } finally {
      await route({});
    }

    // Assess
    const onNewVersion = executed.filter((version) => version === '3').length;
    const sigma = Math.sqrt(invocations * 0.1 * 0.9);
    expect({ onNewVersion, others: executed.filter((v) => v !== '2' && v !== '3') }).toEqual({
      onNewVersion: expect.any(Number),
      others: [],
    });
    expect(Math.abs(onNewVersion - invocations * 0.1)).toBeLessThanOrEqual(3 * sigma);
  });

  test(
    'blue/green: a version that fails its before-traffic hook never takes traffic, and live stays where it was',
    async () => {
      // Prepare: the orders guard out of ALARM (the bad canary's errors above put it there), or CodeDeploy
      // would stop the deployment on it before its hook ran.
      await untilOutOfAlarm('the orders guard', { AlarmTypes: ['CompositeAlarm'] }, (name) =>
        name.endsWith('-orders-guard'),
      );
      // The next version of GET /orders/{orderId} cannot start (a local-cloud fault on that version
      // alone). Last in this file: its failed smoke request counts among the function's errors, which
      // puts the orders guard in ALARM for a while, as it would on AWS.
      const since = new Date();
      const broken = await armBrokenNextVersion('GetOrderFunction');

      // Act
      const { report } = await deployHoldingCanaries(cloud.apiUrl, clients, {
        'shop:release': 'blue-green-broken',
      });
      const change = report.aliases.find((alias) => alias.functionName === broken.functionName);
      if (change?.deploymentId === undefined) throw new Error(`no deployment of ${broken.functionName}`);
      const { deploymentInfo = {} } = await clients.codeDeploy.send(
        new GetDeploymentCommand({ deploymentId: change.deploymentId }),
      );
      const faultInjections = await broken.injected();
      await fetch(`${cloud.apiUrl}/_local/faults/${broken.faultId}`, { method: 'DELETE' });
      const live = await clients.lambda.send(
        new GetAliasCommand({ FunctionName: broken.functionName, Name: 'live' }),
      );
      const throughLive = await versionInvocations(
        clients.cloudWatch,
        { functionName: broken.functionName, aliasName: 'live' },
        broken.version,
        since,
      );

      // Assess: the hook invoked the new version (and it failed), CodeDeploy failed the deployment and
      // rolled back before any traffic moved.
      expect({
        version: change.toVersion,
        status: deploymentInfo.status,
        errorCode: deploymentInfo.errorInformation?.code,
        live: live.FunctionVersion,
        throughLive,
      }).toEqual({
        version: broken.version,
        status: 'Failed',
        errorCode: expect.stringMatching(/HOOK|LIFECYCLE/),
        live: change.fromVersion,
        throughLive: { invocations: 0, errors: 0 },
      });
      expect(faultInjections).toBeGreaterThanOrEqual(1);
    },
    DEPLOYING_TEST_TIMEOUT_MS,
  );
});
