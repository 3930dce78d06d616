import { App, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import {
  guardsOfAssembly,
  rolloutVerdict,
  type GuardState,
  type StackGuard,
} from '../../../infra/ops/rollout-guards';

/** An alarm on a metric of its own: what a context stack's resources have. */
function alarmIn(stack: Stack, id: string): cloudwatch.Alarm {
  return new cloudwatch.Alarm(stack, id, {
    metric: new cloudwatch.Metric({ namespace: 'Test', metricName: id }),
    threshold: 1,
    evaluationPeriods: 1,
  });
}

describe('the rollout gate', () => {
  test('reads each stack of the assembly with its guard, or none, and whether it has alarms', () => {
    // Prepare: a guarded stack, one whose alarms have no guard, one with nothing to watch.
    const app = new App();
    const guarded = new Stack(app, 'Guarded');
    new cloudwatch.CompositeAlarm(guarded, 'Guard', {
      compositeAlarmName: 'app-guarded-guard',
      alarmRule: cloudwatch.AlarmRule.anyOf(alarmIn(guarded, 'Errors')),
    });
    alarmIn(new Stack(app, 'Unguarded'), 'Errors');
    new Stack(app, 'Quiet');

    // Act
    const stacks = guardsOfAssembly(app.synth().directory);

    // Assess
    expect(stacks).toEqual([
      { stack: 'Guarded', guard: 'app-guarded-guard', hasAlarms: true },
      { stack: 'Unguarded', hasAlarms: true },
      { stack: 'Quiet', hasAlarms: false },
    ]);
  });

  const stacks: StackGuard[] = [
    { stack: 'Orders', guard: 'shop-orders-guard', hasAlarms: true },
    { stack: 'Users', guard: 'shop-users-guard', hasAlarms: true },
    { stack: 'ApiStage', hasAlarms: false },
  ];
  const states = (orders: GuardState, users: GuardState) =>
    new Map<string, GuardState>([
      ['shop-orders-guard', orders],
      ['shop-users-guard', users],
    ]);

  test.each<[string, boolean, GuardState, GuardState]>([
    ['every guard OK', true, 'OK', 'OK'],
    ['a guard not evaluated yet (INSUFFICIENT_DATA)', true, 'OK', 'INSUFFICIENT_DATA'],
    ['a guard in ALARM', false, 'ALARM', 'OK'],
    ['a guard not in the account', false, 'OK', 'MISSING'],
  ])('with %s, the rollout is allowed: %s', (_, allowed, orders, users) => {
    const verdict = rolloutVerdict(stacks, states(orders, users));
    expect(verdict.allowed).toBe(allowed);
    expect(verdict.lines).toHaveLength(3);
    expect(verdict.lines[2]).toBe('ApiStage: no alarms, no guard needed');
  });

  test('names what stops it; a first deployment may lack the guards it brings, never one in ALARM', () => {
    expect(rolloutVerdict(stacks, states('ALARM', 'MISSING')).lines.slice(0, 2)).toEqual([
      'Orders: REFUSED — shop-orders-guard is in ALARM',
      'Users: REFUSED — shop-users-guard is not in the account',
    ]);
    expect(rolloutVerdict(stacks, states('OK', 'MISSING'), { firstDeploy: true }).allowed).toBe(true);
    expect(rolloutVerdict(stacks, states('ALARM', 'MISSING'), { firstDeploy: true }).allowed).toBe(false);
  });

  test('refuses a stack whose alarms have no guard', () => {
    const verdict = rolloutVerdict([{ stack: 'Payments', hasAlarms: true }], new Map());
    expect(verdict).toEqual({
      allowed: false,
      lines: ['Payments: REFUSED — its alarms have no guard (a composite alarm named *-guard)'],
    });
  });
});
