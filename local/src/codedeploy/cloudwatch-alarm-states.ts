/** The local CloudWatch's alarms as the local CodeDeploy polls them (its `AlarmStates` port). */
import type { CloudWatchEngine } from '../cloudwatch/cloudwatch-engine';
import type { AlarmStates } from './codedeploy-engine';

export function cloudWatchAlarmStates(cloudWatch: Pick<CloudWatchEngine, 'alarmStates'>): AlarmStates {
  return {
    stateOf: (alarmName) => cloudWatch.alarmStates().find((alarm) => alarm.name === alarmName)?.state,
  };
}
