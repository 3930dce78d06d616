import { DescribeAlarmsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { AlarmState } from '../domain/rollout';
import type { AlarmStates } from '../ports/alarm-states';

/** `DescribeAlarms` takes at most 100 names a call. */
const NAMES_PER_CALL = 100;

/** CloudWatch's alarms, metric and composite alike (a context's guard is composite). */
export class CloudWatchAlarmStates implements AlarmStates {
  constructor(private readonly props: { readonly client: CloudWatchClient }) {}

  async statesOf(names: readonly string[]): Promise<Readonly<Record<string, AlarmState>>> {
    const states: Record<string, AlarmState> = Object.fromEntries(names.map((name) => [name, 'MISSING']));
    for (let start = 0; start < names.length; start += NAMES_PER_CALL) {
      let nextToken: string | undefined;
      do {
        const page = await this.props.client.send(
          new DescribeAlarmsCommand({
            AlarmNames: names.slice(start, start + NAMES_PER_CALL),
            AlarmTypes: ['CompositeAlarm', 'MetricAlarm'],
            NextToken: nextToken,
          }),
        );
        for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
          if (alarm.AlarmName !== undefined && alarm.StateValue !== undefined) {
            states[alarm.AlarmName] = alarm.StateValue;
          }
        }
        nextToken = page.NextToken;
      } while (nextToken !== undefined);
    }
    return states;
  }
}
