import type { AlarmState } from '../domain/rollout';

/** The states of CloudWatch alarms, metric and composite, by name; `MISSING` for a name it lacks. */
export interface AlarmStates {
  statesOf(names: readonly string[]): Promise<Readonly<Record<string, AlarmState>>>;
}
