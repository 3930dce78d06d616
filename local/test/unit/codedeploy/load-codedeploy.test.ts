/** The template's CodeDeploy resources, as CDK's LambdaDeploymentGroup synthesizes them, reach the engine. */
import { loadCodeDeploy, type LoadedResource } from '../../../src/cloud/loaders';
import { CodeDeployEngine } from '../../../src/codedeploy/codedeploy-engine';
import { cloudWatchAlarmStates } from '../../../src/codedeploy/cloudwatch-alarm-states';
import { call, FakeLambda, ManualTimers } from './codedeploy-fakes';

const resource = (
  logicalId: string,
  type: string,
  physicalId: string,
  properties: Record<string, unknown>,
): LoadedResource => ({
  stackName: 'Shop',
  logicalId,
  type,
  physicalId,
  properties,
  attributes: {},
});

test('Lambda applications, configs and groups are created; another platform is listed as not supported', async () => {
  // Arrange
  const engine = new CodeDeployEngine({
    lambda: new FakeLambda(),
    alarms: cloudWatchAlarmStates({
      alarmStates: () => [
        { name: 'orders-errors', type: 'MetricAlarm', state: 'ALARM', reason: '', updated: '' },
      ],
    }),
    timers: new ManualTimers(0),
  });

  // Act
  const loaded = loadCodeDeploy(
    [
      resource('App', 'AWS::CodeDeploy::Application', 'Shop-App-1', { ComputePlatform: 'Lambda' }),
      resource('ServerApp', 'AWS::CodeDeploy::Application', 'Shop-ServerApp-1', {
        ComputePlatform: 'Server',
      }),
      resource('Cfg', 'AWS::CodeDeploy::DeploymentConfig', 'Shop-Cfg-1', {
        ComputePlatform: 'Lambda',
        TrafficRoutingConfig: {
          Type: 'TimeBasedCanary',
          TimeBasedCanary: { CanaryInterval: 5, CanaryPercentage: 20 },
        },
      }),
      resource('Group', 'AWS::CodeDeploy::DeploymentGroup', 'Shop-Group-1', {
        ApplicationName: 'Shop-App-1',
        DeploymentConfigName: 'Shop-Cfg-1',
        AlarmConfiguration: { Alarms: [{ Name: 'orders-errors' }], Enabled: true },
        AutoRollbackConfiguration: {
          Enabled: true,
          Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'],
        },
        DeploymentStyle: { DeploymentOption: 'WITH_TRAFFIC_CONTROL', DeploymentType: 'BLUE_GREEN' },
      }),
      resource('ServerGroup', 'AWS::CodeDeploy::DeploymentGroup', 'Shop-ServerGroup-1', {
        ApplicationName: 'Shop-ServerApp-1',
      }),
    ],
    engine,
  );
  const { deploymentGroupInfo } = await call(engine, 'GetDeploymentGroup', {
    applicationName: 'Shop-App-1',
    deploymentGroupName: 'Shop-Group-1',
  });

  // Assess
  expect(loaded).toEqual({
    names: ['Shop-App-1/Shop-Group-1 (Shop-Cfg-1)'],
    unsupported: [
      'Shop/ServerApp: compute platform Server is not emulated (Lambda is)',
      "Shop/ServerGroup: application Shop-ServerApp-1 is not one of the template's Lambda applications",
    ],
  });
  expect(deploymentGroupInfo).toMatchObject({
    deploymentConfigName: 'Shop-Cfg-1',
    alarmConfiguration: { enabled: true, ignorePollAlarmFailure: false, alarms: [{ name: 'orders-errors' }] },
    autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] },
  });
});

test('the CloudWatch adapter answers an alarm by name, and nothing for an alarm CloudWatch lacks', () => {
  const states = cloudWatchAlarmStates({
    alarmStates: () => [
      { name: 'orders-errors', type: 'MetricAlarm', state: 'ALARM', reason: '', updated: '' },
    ],
  });
  expect(states.stateOf('orders-errors')).toBe('ALARM');
  expect(states.stateOf('other')).toBeUndefined();
});
