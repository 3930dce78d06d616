/**
 * The local CodeDeploy's Lambda deployments on fake ports and a manual clock: the alias's routing at each
 * step, hooks, alarms, stops, rollbacks and the records the API answers. Time scale 0.01: a minute is 600 ms.
 */
import { AwsServiceError } from '../../../src/aws-protocol';
import {
  CodeDeployEngine,
  trafficSteps,
  type DeploymentGroupSpec,
  type TrafficRouting,
} from '../../../src/codedeploy/codedeploy-engine';
import { waitUntil } from '../../../src/testing/eventually';
import { appSpec, call, FakeAlarms, FakeLambda, ManualTimers } from './codedeploy-fakes';

const START_MS = Date.parse('2026-12-01T00:00:00Z');
const MINUTE_MS = 600;

let timers: ManualTimers;
let lambda: FakeLambda;
let alarms: FakeAlarms;
let engine: CodeDeployEngine;

function setUp(group: Partial<DeploymentGroupSpec> = {}, routing?: TrafficRouting): void {
  timers = new ManualTimers(START_MS);
  lambda = new FakeLambda();
  alarms = new FakeAlarms();
  engine = new CodeDeployEngine({ lambda, alarms, timeScale: 0.01, timers });
  engine.createApplication('shop');
  if (routing !== undefined) engine.createDeploymentConfig({ name: 'custom', trafficRouting: routing });
  engine.createDeploymentGroup({
    applicationName: 'shop',
    name: 'orders-live',
    deploymentConfigName: routing === undefined ? 'CodeDeployDefault.LambdaAllAtOnce' : 'custom',
    ...group,
  });
}

async function deploy(hooks: { before?: string; after?: string } = {}): Promise<string> {
  const { deploymentId } = await call(engine, 'CreateDeployment', {
    applicationName: 'shop',
    deploymentGroupName: 'orders-live',
    revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec(hooks) } },
  });
  return deploymentId as string;
}

async function deploymentInfo(deploymentId: string): Promise<Record<string, unknown>> {
  return (await call(engine, 'GetDeployment', { deploymentId })).deploymentInfo as Record<string, unknown>;
}

async function lifecycleEvents(deploymentId: string): Promise<unknown[]> {
  const { deploymentTarget } = await call(engine, 'GetDeploymentTarget', {
    deploymentId,
    targetId: 'orders:live',
  });
  return (deploymentTarget as { lambdaTarget: { lifecycleEvents: unknown[] } }).lambdaTarget.lifecycleEvents;
}

async function refusalOf(call: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof AwsServiceError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('the call succeeded');
}

const canary = (percent: number) => ({
  functionVersion: '1',
  additionalVersionWeights: { '2': percent / 100 },
});
const allOnTarget = { functionVersion: '2' };
const allOnCurrent = { functionVersion: '1' };

describe('traffic shifting', () => {
  test('a canary gives the target its percentage for the interval, then all of it', async () => {
    // Arrange
    setUp({}, { type: 'TimeBasedCanary', percentage: 20, intervalMinutes: 5 });

    // Act
    const id = await deploy();
    const duringCanary = [...lambda.updates];
    timers.advance(5 * MINUTE_MS - 1);
    const justBeforeInterval = [...lambda.updates];
    timers.advance(1);

    // Assess
    expect(duringCanary).toEqual([canary(20)]);
    expect(justBeforeInterval).toEqual([canary(20)]);
    expect(lambda.updates).toEqual([canary(20), allOnTarget]);
    expect(await deploymentInfo(id)).toMatchObject({
      status: 'Succeeded',
      completeTime: (START_MS + 3000) / 1000,
    });
  });

  test('a linear config adds its percentage every interval until the target has all of it', async () => {
    // Arrange
    setUp({}, { type: 'TimeBasedLinear', percentage: 30, intervalMinutes: 2 });

    // Act
    const id = await deploy();
    const weightsAt = [[...lambda.updates]];
    for (let step = 0; step < 3; step += 1) {
      timers.advance(2 * MINUTE_MS);
      weightsAt.push([...lambda.updates]);
    }

    // Assess
    expect(weightsAt.map((updates) => updates.at(-1))).toEqual([
      canary(30),
      canary(60),
      canary(90),
      allOnTarget,
    ]);
    expect((await deploymentInfo(id)).status).toBe('Succeeded');
  });

  test('the predefined Linear10PercentEvery1Minute takes nine intervals to shift ten steps', async () => {
    // Arrange
    setUp({ deploymentConfigName: 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute' });

    // Act
    const id = await deploy();
    timers.advance(9 * MINUTE_MS - 1);
    const beforeLast = (await deploymentInfo(id)).status;
    timers.advance(1);

    // Assess
    expect(beforeLast).toBe('InProgress');
    expect(lambda.updates).toEqual([...[10, 20, 30, 40, 50, 60, 70, 80, 90].map(canary), allOnTarget]);
    expect((await deploymentInfo(id)).status).toBe('Succeeded');
  });

  test('all at once moves the alias to the target version as the deployment starts', async () => {
    // Arrange
    setUp();

    // Act
    const id = await deploy();

    // Assess
    expect(lambda.updates).toEqual([allOnTarget]);
    expect(lambda.aliases.get('orders:live')).toEqual({ functionVersion: '2', additionalVersionWeights: {} });
    expect((await deploymentInfo(id)).status).toBe('Succeeded');
    expect(timers.pending).toBe(0);
  });

  test('the steps of each kind of routing', () => {
    expect(trafficSteps({ type: 'AllAtOnce' })).toEqual([100]);
    expect(trafficSteps({ type: 'TimeBasedCanary', percentage: 10, intervalMinutes: 5 })).toEqual([10, 100]);
    expect(trafficSteps({ type: 'TimeBasedLinear', percentage: 25, intervalMinutes: 1 })).toEqual([
      25, 50, 75, 100,
    ]);
  });
});

describe('hooks', () => {
  test('BeforeAllowTraffic runs first, with the deployment and execution ids; traffic moves once it reports Succeeded', async () => {
    // Arrange
    setUp();
    const id = await deploy({ before: 'pre-traffic', after: 'post-traffic' });
    const hook = lambda.lastHook('pre-traffic');
    const beforeReport = [...lambda.updates];

    // Act
    const answer = await call(engine, 'PutLifecycleEventHookExecutionStatus', {
      deploymentId: id,
      lifecycleEventHookExecutionId: hook.LifecycleEventHookExecutionId,
      status: 'Succeeded',
    });
    const afterTraffic = (await deploymentInfo(id)).status;
    await call(engine, 'PutLifecycleEventHookExecutionStatus', {
      deploymentId: id,
      lifecycleEventHookExecutionId: lambda.lastHook('post-traffic').LifecycleEventHookExecutionId,
      status: 'Succeeded',
    });

    // Assess
    expect(hook.DeploymentId).toBe(id);
    expect(answer).toEqual({ lifecycleEventHookExecutionId: hook.LifecycleEventHookExecutionId });
    expect(beforeReport).toEqual([]);
    expect(afterTraffic).toBe('InProgress');
    expect(lambda.updates).toEqual([allOnTarget]);
    expect(await deploymentInfo(id)).toMatchObject({ status: 'Succeeded' });
    expect(await lifecycleEvents(id)).toEqual([
      {
        lifecycleEventName: 'BeforeAllowTraffic',
        startTime: START_MS / 1000,
        endTime: START_MS / 1000,
        status: 'Succeeded',
      },
      {
        lifecycleEventName: 'AllowTraffic',
        startTime: START_MS / 1000,
        endTime: START_MS / 1000,
        status: 'Succeeded',
      },
      {
        lifecycleEventName: 'AfterAllowTraffic',
        startTime: START_MS / 1000,
        endTime: START_MS / 1000,
        status: 'Succeeded',
      },
    ]);
  });

  test('a BeforeAllowTraffic hook that reports Failed fails the deployment and never moves traffic', async () => {
    // Arrange
    setUp({ autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] } });
    const id = await deploy({ before: 'pre-traffic' });

    // Act
    await call(engine, 'PutLifecycleEventHookExecutionStatus', {
      deploymentId: id,
      lifecycleEventHookExecutionId: lambda.lastHook('pre-traffic').LifecycleEventHookExecutionId,
      status: 'Failed',
    });
    timers.advance(60 * MINUTE_MS);
    const info = await deploymentInfo(id);

    // Assess
    expect(lambda.updates).toEqual([]);
    expect(info).toMatchObject({
      status: 'Failed',
      errorInformation: { code: 'HOOK_EXECUTION_FAILURE' },
      deploymentOverview: { Pending: 0, InProgress: 0, Succeeded: 0, Failed: 1, Skipped: 0, Ready: 0 },
    });
    expect(await lifecycleEvents(id)).toEqual([
      expect.objectContaining({
        lifecycleEventName: 'BeforeAllowTraffic',
        status: 'Failed',
        diagnostics: {
          errorCode: 'UnknownError',
          message: 'The BeforeAllowTraffic hook function pre-traffic reported Failed.',
        },
      }),
      { lifecycleEventName: 'AllowTraffic', status: 'Skipped' },
      { lifecycleEventName: 'AfterAllowTraffic', status: 'Skipped' },
    ]);
  });

  test('a failing AfterAllowTraffic hook rolls the alias back when DEPLOYMENT_FAILURE is on', async () => {
    // Arrange
    setUp({ autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] } });
    const id = await deploy({ after: 'post-traffic' });

    // Act
    await call(engine, 'PutLifecycleEventHookExecutionStatus', {
      deploymentId: id,
      lifecycleEventHookExecutionId: lambda.lastHook('post-traffic').LifecycleEventHookExecutionId,
      status: 'Failed',
    });
    const info = await deploymentInfo(id);
    const rollbackId = (info.rollbackInfo as { rollbackDeploymentId: string }).rollbackDeploymentId;

    // Assess
    expect(lambda.updates).toEqual([allOnTarget, allOnCurrent]);
    expect(info).toMatchObject({
      status: 'Failed',
      rollbackInfo: { rollbackDeploymentId: expect.stringMatching(/^d-[A-Z0-9]{9}$/) },
    });
    expect(await deploymentInfo(rollbackId)).toMatchObject({
      status: 'Succeeded',
      creator: 'codeDeployRollback',
      rollbackInfo: { rollbackTriggeringDeploymentId: id },
    });
  });

  test('a hook that does not report within the (scaled) hour fails the deployment', async () => {
    // Arrange
    setUp();
    const id = await deploy({ before: 'pre-traffic' });

    // Act
    timers.advance(60 * MINUTE_MS - 1);
    const beforeTimeout = (await deploymentInfo(id)).status;
    timers.advance(1);

    // Assess
    expect(beforeTimeout).toBe('InProgress');
    expect(await deploymentInfo(id)).toMatchObject({
      status: 'Failed',
      errorInformation: { code: 'HOOK_EXECUTION_FAILURE' },
    });
    expect((await lifecycleEvents(id))[0]).toMatchObject({
      status: 'Failed',
      diagnostics: {
        message:
          'The BeforeAllowTraffic hook function pre-traffic did not report a status within 60 minutes.',
      },
    });
    expect(lambda.updates).toEqual([]);
  });

  test('a hook Lambda refuses to invoke fails the deployment', async () => {
    // Arrange
    setUp();
    lambda.refuseHooks = true;

    // Act
    const id = await deploy({ before: 'missing-hook' });

    // Assess
    await waitUntil(
      () =>
        expect(
          (engine as unknown as { deployments: Map<string, { status: string }> }).deployments.get(id)?.status,
        ).toBe('Failed'),
      {
        intervalMs: 0,
      },
    );
    expect((await deploymentInfo(id)).errorInformation).toEqual({
      code: 'HOOK_EXECUTION_FAILURE',
      message:
        'Lifecycle event BeforeAllowTraffic failed: The BeforeAllowTraffic hook function missing-hook could not be invoked: Function not found: missing-hook.',
    });
  });

  test('a second report, and a report of an unknown execution, are refused as CodeDeploy refuses them', async () => {
    // Arrange
    setUp();
    const id = await deploy({ before: 'pre-traffic' });
    const executionId = lambda.lastHook('pre-traffic').LifecycleEventHookExecutionId;
    const report = (lifecycleEventHookExecutionId: string, status = 'Succeeded') =>
      call(engine, 'PutLifecycleEventHookExecutionStatus', {
        deploymentId: id,
        lifecycleEventHookExecutionId,
        status,
      });
    await report(executionId);

    // Act
    const again = await refusalOf(report(executionId));
    const unknown = await refusalOf(report('not-an-execution'));
    const badStatus = await refusalOf(report(executionId, 'InProgress'));

    // Assess
    expect(again.code).toBe('LifecycleEventAlreadyCompletedException');
    expect(unknown.code).toBe('InvalidLifecycleEventHookExecutionIdException');
    expect(badStatus.code).toBe('InvalidLifecycleEventHookExecutionStatusException');
  });
});

describe('alarms', () => {
  const watched = { enabled: true, ignorePollAlarmFailure: false, alarms: ['orders-errors'] };

  test('an alarm in ALARM stops the deployment at the next poll and, with DEPLOYMENT_STOP_ON_ALARM, rolls back', async () => {
    // Arrange
    setUp(
      {
        alarmConfiguration: watched,
        autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_STOP_ON_ALARM'] },
      },
      { type: 'TimeBasedCanary', percentage: 10, intervalMinutes: 5 },
    );
    alarms.states.set('orders-errors', 'OK');
    const id = await deploy();

    // Act
    alarms.states.set('orders-errors', 'ALARM');
    timers.advance(MINUTE_MS);
    const info = await deploymentInfo(id);
    timers.advance(10 * MINUTE_MS);

    // Assess
    expect(lambda.updates).toEqual([canary(10), allOnCurrent]);
    expect(info).toMatchObject({
      status: 'Stopped',
      errorInformation: {
        code: 'ALARM_ACTIVE',
        message:
          'One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, and ' +
          'the affected deployments have been stopped. Activated alarms: <orders-errors>',
      },
      rollbackInfo: { rollbackDeploymentId: expect.any(String) },
    });
    expect(timers.pending).toBe(0);
  });

  test('without auto-rollback, a stopped deployment leaves the alias where it was', async () => {
    // Arrange
    setUp({ alarmConfiguration: watched }, { type: 'TimeBasedCanary', percentage: 10, intervalMinutes: 5 });
    alarms.states.set('orders-errors', 'OK');
    const id = await deploy();

    // Act
    alarms.states.set('orders-errors', 'ALARM');
    timers.advance(MINUTE_MS);

    // Assess
    expect(lambda.updates).toEqual([canary(10)]);
    expect(lambda.aliases.get('orders:live')).toEqual({
      functionVersion: '1',
      additionalVersionWeights: { '2': 0.1 },
    });
    const info = await deploymentInfo(id);
    expect(info.status).toBe('Stopped');
    expect(info.rollbackInfo).toBeUndefined();
  });

  test('DEPLOYMENT_FAILURE alone does not roll back a deployment an alarm stopped', async () => {
    // Arrange
    setUp(
      {
        alarmConfiguration: watched,
        autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] },
      },
      { type: 'TimeBasedCanary', percentage: 10, intervalMinutes: 5 },
    );
    alarms.states.set('orders-errors', 'OK');
    await deploy();

    // Act
    alarms.states.set('orders-errors', 'ALARM');
    timers.advance(MINUTE_MS);

    // Assess
    expect(lambda.updates).toEqual([canary(10)]);
  });

  test('an alarm already in ALARM stops the deployment before any traffic moves', async () => {
    // Arrange
    setUp({ alarmConfiguration: watched });
    alarms.states.set('orders-errors', 'ALARM');

    // Act
    const id = await deploy();

    // Assess
    expect(lambda.updates).toEqual([]);
    expect((await deploymentInfo(id)).status).toBe('Stopped');
  });

  test('an alarm CloudWatch does not know stops the deployment unless poll failures are ignored', async () => {
    // Arrange
    setUp({ alarmConfiguration: { ...watched, alarms: ['no-such-alarm'] } });
    const stopped = await deploy();
    setUp({ alarmConfiguration: { ...watched, alarms: ['no-such-alarm'], ignorePollAlarmFailure: true } });

    // Act
    const carriedOn = await deploy();

    // Assess
    expect(lambda.updates).toEqual([allOnTarget]);
    expect((await deploymentInfo(carriedOn)).status).toBe('Succeeded');
    expect(stopped).toMatch(/^d-/);
  });

  test('disabled alarms are not read', async () => {
    // Arrange
    setUp({ alarmConfiguration: { ...watched, enabled: false } });
    alarms.states.set('orders-errors', 'ALARM');

    // Act
    const id = await deploy();

    // Assess
    expect((await deploymentInfo(id)).status).toBe('Succeeded');
  });
});

describe('StopDeployment and one deployment at a time', () => {
  test('a stop with autoRollbackEnabled stops the deployment and moves the alias back', async () => {
    // Arrange
    setUp({}, { type: 'TimeBasedCanary', percentage: 10, intervalMinutes: 5 });
    const id = await deploy();

    // Act
    const answer = await call(engine, 'StopDeployment', { deploymentId: id, autoRollbackEnabled: true });
    timers.advance(10 * MINUTE_MS);
    const again = await refusalOf(call(engine, 'StopDeployment', { deploymentId: id }));

    // Assess
    expect(answer).toEqual({ status: 'Succeeded', statusMessage: `The deployment ${id} has been stopped.` });
    expect(lambda.updates).toEqual([canary(10), allOnCurrent]);
    expect(await deploymentInfo(id)).toMatchObject({
      status: 'Stopped',
      errorInformation: { code: 'MANUAL_STOP', message: 'The deployment was stopped by a user.' },
    });
    expect(again.code).toBe('DeploymentAlreadyCompletedException');
  });

  test('a stop without rollback leaves the canary weights in place', async () => {
    // Arrange
    setUp({}, { type: 'TimeBasedCanary', percentage: 10, intervalMinutes: 5 });
    const id = await deploy();

    // Act
    await call(engine, 'StopDeployment', { deploymentId: id, autoRollbackEnabled: false });
    timers.advance(10 * MINUTE_MS);

    // Assess
    expect(lambda.updates).toEqual([canary(10)]);
  });

  test('a group runs one deployment at a time', async () => {
    // Arrange
    setUp({}, { type: 'TimeBasedCanary', percentage: 10, intervalMinutes: 5 });
    const first = await deploy();

    // Act
    const refused = await refusalOf(deploy());
    timers.advance(5 * MINUTE_MS);
    const second = await deploy();

    // Assess
    expect(refused).toEqual({
      code: 'DeploymentLimitExceededException',
      message: `The Deployment Group 'orders-live' already has an active Deployment '${first}'`,
    });
    expect(second).not.toBe(first);
  });

  test('a deployment fails when the alias does not point at the AppSpec current version', async () => {
    // Arrange
    setUp();
    lambda.aliases.set('orders:live', { functionVersion: '7', additionalVersionWeights: {} });

    // Act
    const id = await deploy();

    // Assess
    expect(lambda.updates).toEqual([]);
    expect((await deploymentInfo(id)).errorInformation).toEqual({
      code: 'INVALID_LAMBDA_CONFIGURATION',
      message:
        "The alias live of function orders points to version 7, not to the AppSpec's CurrentVersion 1.",
    });
  });
});

describe('records', () => {
  test('GetDeployment answers the deployment as CodeDeploy describes a Lambda deployment', async () => {
    // Arrange
    setUp(
      { autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] } },
      {
        type: 'TimeBasedCanary',
        percentage: 10,
        intervalMinutes: 5,
      },
    );
    const content = appSpec();

    // Act
    const { deploymentId } = await call(engine, 'CreateDeployment', {
      applicationName: 'shop',
      deploymentGroupName: 'orders-live',
      description: 'orders v2',
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content } },
    });
    const info = await deploymentInfo(deploymentId as string);
    const { deploymentTarget } = await call(engine, 'GetDeploymentTarget', {
      deploymentId,
      targetId: 'orders:live',
    });

    // Assess
    expect(info).toEqual({
      applicationName: 'shop',
      deploymentGroupName: 'orders-live',
      deploymentConfigName: 'custom',
      deploymentId,
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content } },
      status: 'InProgress',
      createTime: START_MS / 1000,
      startTime: START_MS / 1000,
      deploymentOverview: { Pending: 0, InProgress: 1, Succeeded: 0, Failed: 0, Skipped: 0, Ready: 0 },
      description: 'orders v2',
      creator: 'user',
      ignoreApplicationStopFailures: false,
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] },
      updateOutdatedInstancesOnly: false,
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      instanceTerminationWaitTimeStarted: false,
      deploymentStatusMessages: [],
      computePlatform: 'Lambda',
    });
    expect(deploymentTarget).toEqual({
      deploymentTargetType: 'LambdaTarget',
      lambdaTarget: {
        deploymentId,
        targetId: 'orders:live',
        targetArn: 'arn:aws:lambda:us-east-1:000000000000:function:orders:live',
        status: 'InProgress',
        lastUpdatedAt: START_MS / 1000,
        lifecycleEvents: [
          {
            lifecycleEventName: 'BeforeAllowTraffic',
            startTime: START_MS / 1000,
            endTime: START_MS / 1000,
            status: 'Skipped',
          },
          { lifecycleEventName: 'AllowTraffic', startTime: START_MS / 1000, status: 'InProgress' },
          { lifecycleEventName: 'AfterAllowTraffic', status: 'Pending' },
        ],
        lambdaFunctionInfo: {
          functionName: 'orders',
          functionAlias: 'live',
          currentVersion: '1',
          targetVersion: '2',
          targetVersionWeight: 0.1,
        },
      },
    });
  });

  test('ListDeployments filters by group, status and creation time, newest first', async () => {
    // Arrange
    setUp();
    const first = await deploy();
    timers.advance(60_000);
    // The alias is on version 2 now: a second deployment from version 1 fails.
    const second = await deploy();
    const list = (input: Record<string, unknown>) =>
      call(engine, 'ListDeployments', {
        applicationName: 'shop',
        deploymentGroupName: 'orders-live',
        ...input,
      });

    // Act
    const all = await list({});
    const succeeded = await list({ includeOnlyStatuses: ['Succeeded'] });
    const failed = await list({ includeOnlyStatuses: ['Failed'] });
    const later = await list({ createTimeRange: { start: (START_MS + 1000) / 1000 } });
    const groupWithoutApplication = await refusalOf(
      call(engine, 'ListDeployments', { deploymentGroupName: 'orders-live' }),
    );
    const unknownGroup = await refusalOf(list({ deploymentGroupName: 'nope' }));

    // Assess
    expect(all).toEqual({ deployments: [second, first] });
    expect(succeeded).toEqual({ deployments: [first] });
    expect(failed).toEqual({ deployments: [second] });
    expect(later).toEqual({ deployments: [second] });
    expect(groupWithoutApplication.code).toBe('ApplicationNameRequiredException');
    expect(unknownGroup).toEqual({
      code: 'DeploymentGroupDoesNotExistException',
      message: 'No Deployment Group found for name: nope',
    });
  });

  test('the predefined Lambda configs exist without being declared', async () => {
    // Arrange
    setUp();

    // Act
    const { deploymentConfigsList } = await call(engine, 'ListDeploymentConfigs', {});
    const { deploymentConfigInfo } = await call(engine, 'GetDeploymentConfig', {
      deploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent15Minutes',
    });

    // Assess
    expect(deploymentConfigsList).toEqual([
      'CodeDeployDefault.LambdaAllAtOnce',
      'CodeDeployDefault.LambdaCanary10Percent10Minutes',
      'CodeDeployDefault.LambdaCanary10Percent15Minutes',
      'CodeDeployDefault.LambdaCanary10Percent30Minutes',
      'CodeDeployDefault.LambdaCanary10Percent5Minutes',
      'CodeDeployDefault.LambdaLinear10PercentEvery10Minutes',
      'CodeDeployDefault.LambdaLinear10PercentEvery1Minute',
      'CodeDeployDefault.LambdaLinear10PercentEvery2Minutes',
      'CodeDeployDefault.LambdaLinear10PercentEvery3Minutes',
    ]);
    expect(deploymentConfigInfo).toMatchObject({
      deploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent15Minutes',
      computePlatform: 'Lambda',
      trafficRoutingConfig: {
        type: 'TimeBasedCanary',
        timeBasedCanary: { canaryPercentage: 10, canaryInterval: 15 },
      },
    });
  });

  test('a config CodeDeploy would refuse is refused', () => {
    // Arrange
    setUp();

    // Act
    const create = () =>
      engine.createDeploymentConfig({
        name: 'too-much',
        trafficRouting: { type: 'TimeBasedLinear', percentage: 100, intervalMinutes: 1 },
      });

    // Assess
    expect(create).toThrow(expect.objectContaining({ code: 'InvalidTrafficRoutingConfigurationException' }));
  });
});
