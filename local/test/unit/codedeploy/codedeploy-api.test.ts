/**
 * The local CodeDeploy through the AWS SDK's own client, over HTTP as the edge serves it: what
 * `CodeDeployClient` sends and parses (JSON 1.1, its exception classes, its dates) is the contract.
 */
import {
  CodeDeployClient,
  CreateDeploymentCommand,
  GetApplicationCommand,
  GetDeploymentCommand,
  GetDeploymentConfigCommand,
  GetDeploymentGroupCommand,
  GetDeploymentTargetCommand,
  ListApplicationsCommand,
  ListDeploymentGroupsCommand,
  ListDeploymentTargetsCommand,
  ListDeploymentsCommand,
  PutLifecycleEventHookExecutionStatusCommand,
  StopDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import { listen, sendJson, type RunningServer } from '../../../src/cloud/http-server';
import { CodeDeployEngine } from '../../../src/codedeploy/codedeploy-engine';
import { serveJsonProtocol } from '../../../src/http/json-protocol';
import { localClientConfig } from '../../../src/testing/client-config';
import { refusal } from '../../support/refusal';
import { appSpec, FakeAlarms, FakeLambda, ManualTimers } from './codedeploy-fakes';

const START_MS = Date.parse('2026-12-01T00:00:00Z');
let timers: ManualTimers;
let lambda: FakeLambda;
let alarms: FakeAlarms;
let engine: CodeDeployEngine;
let server: RunningServer;
let codeDeploy: CodeDeployClient;

beforeAll(async () => {
  server = await listen(0, async (req, res) => {
    if (await serveJsonProtocol([engine], req, res)) return;
    sendJson(res, 404, { message: 'not served' });
  });
  codeDeploy = new CodeDeployClient({ ...localClientConfig(server.url), maxAttempts: 1 });
});

beforeEach(() => {
  // As the template makes them: a Lambda application, a canary config, a group watching an alarm.
  timers = new ManualTimers(START_MS);
  lambda = new FakeLambda();
  alarms = new FakeAlarms();
  alarms.states.set('orders-errors', 'OK');
  engine = new CodeDeployEngine({ lambda, alarms, timeScale: 0.01, timers });
  engine.createApplication('shop');
  engine.createDeploymentConfig({
    name: 'shop-canary',
    trafficRouting: { type: 'TimeBasedCanary', percentage: 20, intervalMinutes: 5 },
  });
  engine.createDeploymentGroup({
    applicationName: 'shop',
    name: 'orders-live',
    deploymentConfigName: 'shop-canary',
    serviceRoleArn: 'arn:aws:iam::000000000000:role/deployer',
    alarmConfiguration: { enabled: true, ignorePollAlarmFailure: false, alarms: ['orders-errors'] },
    autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] },
  });
});

afterAll(async () => {
  codeDeploy?.destroy();
  await server?.close();
});

const createDeployment = (hooks: { before?: string; after?: string } = {}) =>
  codeDeploy.send(
    new CreateDeploymentCommand({
      applicationName: 'shop',
      deploymentGroupName: 'orders-live',
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec(hooks) } },
    }),
  );

test('a canary deployment with a BeforeAllowTraffic hook, from CreateDeployment to Succeeded', async () => {
  // Arrange
  const { deploymentId } = await createDeployment({ before: 'pre-traffic' });
  const hook = lambda.lastHook('pre-traffic');

  // Act
  const { lifecycleEventHookExecutionId } = await codeDeploy.send(
    new PutLifecycleEventHookExecutionStatusCommand({
      deploymentId,
      lifecycleEventHookExecutionId: hook.LifecycleEventHookExecutionId,
      status: 'Succeeded',
    }),
  );
  const during = await codeDeploy.send(
    new GetDeploymentTargetCommand({ deploymentId, targetId: 'orders:live' }),
  );
  timers.advance(3000);
  const { deploymentInfo } = await codeDeploy.send(new GetDeploymentCommand({ deploymentId }));

  // Assess
  expect(hook.DeploymentId).toBe(deploymentId);
  expect(lifecycleEventHookExecutionId).toBe(hook.LifecycleEventHookExecutionId);
  expect(during.deploymentTarget?.lambdaTarget?.lambdaFunctionInfo?.targetVersionWeight).toBe(0.2);
  expect(lambda.updates).toEqual([
    { functionVersion: '1', additionalVersionWeights: { '2': 0.2 } },
    { functionVersion: '2' },
  ]);
  expect(deploymentInfo).toMatchObject({
    deploymentId,
    status: 'Succeeded',
    createTime: new Date(START_MS),
    completeTime: new Date(START_MS + 3000),
    deploymentOverview: { Succeeded: 1, Failed: 0 },
    computePlatform: 'Lambda',
  });
});

test('an alarm stops the deployment and a rollback deployment moves the alias back', async () => {
  // Arrange
  const { deploymentId } = await createDeployment();

  // Act
  alarms.states.set('orders-errors', 'ALARM');
  timers.advance(600);
  const { deploymentInfo } = await codeDeploy.send(new GetDeploymentCommand({ deploymentId }));
  const { deployments } = await codeDeploy.send(
    new ListDeploymentsCommand({ applicationName: 'shop', deploymentGroupName: 'orders-live' }),
  );

  // Assess
  expect(deploymentInfo?.status).toBe('Stopped');
  expect(deploymentInfo?.errorInformation?.code).toBe('ALARM_ACTIVE');
  expect(deployments).toEqual([deploymentInfo?.rollbackInfo?.rollbackDeploymentId, deploymentId]);
  expect(lambda.aliases.get('orders:live')).toEqual({ functionVersion: '1', additionalVersionWeights: {} });
});

test('StopDeployment, then the errors of a finished deployment and of ids that are not', async () => {
  // Arrange
  const { deploymentId } = await createDeployment();

  // Act
  const stopped = await codeDeploy.send(
    new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }),
  );
  const again = await refusal(codeDeploy.send(new StopDeploymentCommand({ deploymentId })));
  const malformed = await refusal(
    codeDeploy.send(new GetDeploymentCommand({ deploymentId: 'deployment-1' })),
  );
  const unknown = await refusal(codeDeploy.send(new GetDeploymentCommand({ deploymentId: 'd-AAAAAAAAA' })));
  const busy = await createDeployment();
  const second = await refusal(createDeployment());

  // Assess
  expect(stopped.status).toBe('Succeeded');
  expect(again).toMatchObject({ name: 'DeploymentAlreadyCompletedException', status: 400 });
  expect(malformed).toEqual({
    name: 'InvalidDeploymentIdException',
    message: 'Specified DeploymentId is not in the valid format: deployment-1',
    status: 400,
  });
  expect(unknown.name).toBe('DeploymentDoesNotExistException');
  expect(second).toMatchObject({
    name: 'DeploymentLimitExceededException',
    message: `The Deployment Group 'orders-live' already has an active Deployment '${busy.deploymentId}'`,
  });
});

test('applications, groups, configs and targets read as the SDK expects them', async () => {
  // Arrange
  const { deploymentId } = await createDeployment();

  // Act
  const { application } = await codeDeploy.send(new GetApplicationCommand({ applicationName: 'shop' }));
  const { applications } = await codeDeploy.send(new ListApplicationsCommand({}));
  const { deploymentGroups } = await codeDeploy.send(
    new ListDeploymentGroupsCommand({ applicationName: 'shop' }),
  );
  const { deploymentGroupInfo } = await codeDeploy.send(
    new GetDeploymentGroupCommand({ applicationName: 'shop', deploymentGroupName: 'orders-live' }),
  );
  const { deploymentConfigInfo } = await codeDeploy.send(
    new GetDeploymentConfigCommand({ deploymentConfigName: 'shop-canary' }),
  );
  const { targetIds } = await codeDeploy.send(new ListDeploymentTargetsCommand({ deploymentId }));
  const missingApplication = await refusal(
    codeDeploy.send(new GetApplicationCommand({ applicationName: 'nope' })),
  );
  const missingGroup = await refusal(
    codeDeploy.send(new GetDeploymentGroupCommand({ applicationName: 'shop', deploymentGroupName: 'nope' })),
  );

  // Assess
  expect(application).toMatchObject({
    applicationName: 'shop',
    computePlatform: 'Lambda',
    linkedToGitHub: false,
  });
  expect(applications).toEqual(['shop']);
  expect(deploymentGroups).toEqual(['orders-live']);
  expect(deploymentGroupInfo).toMatchObject({
    deploymentGroupName: 'orders-live',
    deploymentConfigName: 'shop-canary',
    serviceRoleArn: 'arn:aws:iam::000000000000:role/deployer',
    alarmConfiguration: { enabled: true, ignorePollAlarmFailure: false, alarms: [{ name: 'orders-errors' }] },
    autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] },
    lastAttemptedDeployment: { deploymentId, status: 'InProgress', createTime: new Date(START_MS) },
    computePlatform: 'Lambda',
  });
  expect(deploymentConfigInfo?.trafficRoutingConfig).toEqual({
    type: 'TimeBasedCanary',
    timeBasedCanary: { canaryPercentage: 20, canaryInterval: 5 },
  });
  expect(targetIds).toEqual(['orders:live']);
  expect(missingApplication).toEqual({
    name: 'ApplicationDoesNotExistException',
    message: 'No application found for name: nope',
    status: 400,
  });
  expect(missingGroup.name).toBe('DeploymentGroupDoesNotExistException');
});
