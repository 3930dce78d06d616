/**
 * The rollout gate: "no deploy without monitoring", checked where it is deployed. Before a rollout, every
 * stack of the cloud assembly about to be deployed that has alarms must have its context's guard (the
 * composite alarm `ContextMonitoring` makes, `<name>-<context>-guard`), and each guard must be in the
 * account and not in ALARM. `npm run rollout:gate` runs it (`infra/ops/rollout-gate.ts`); a rollout
 * calls `checkRollout` before it shifts traffic.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DescribeAlarmsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';

/** A stack of the assembly, and the guard it declares (if any). */
export interface StackGuard {
  readonly stack: string;
  /** The guard's alarm name; undefined when the stack declares none. */
  readonly guard?: string;
  /** Whether the stack has alarms at all: a stack with none (nothing to watch) needs no guard. */
  readonly hasAlarms: boolean;
}

/** What CloudWatch says of a guard: its state, or that it does not exist. */
export type GuardState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' | 'MISSING';

export interface RolloutVerdict {
  readonly allowed: boolean;
  /** One line per stack: its guard and state, or why it stops the rollout. */
  readonly lines: readonly string[];
}

const GUARD_SUFFIX = '-guard';

interface TemplateResource {
  readonly Type?: string;
  readonly Properties?: { readonly AlarmName?: unknown };
}

/** Each CloudFormation stack of the cloud assembly in `assemblyDir` (`cdk.out`), with its guard. */
export function guardsOfAssembly(assemblyDir: string): StackGuard[] {
  const manifest = JSON.parse(readFileSync(path.join(assemblyDir, 'manifest.json'), 'utf8')) as {
    readonly artifacts?: Record<
      string,
      { readonly type?: string; readonly properties?: { readonly templateFile?: string } }
    >;
  };
  return Object.entries(manifest.artifacts ?? {}).flatMap(([stack, artifact]) => {
    const templateFile = artifact.properties?.templateFile;
    if (artifact.type !== 'aws:cloudformation:stack' || templateFile === undefined) return [];
    const template = JSON.parse(readFileSync(path.join(assemblyDir, templateFile), 'utf8')) as {
      readonly Resources?: Record<string, TemplateResource>;
    };
    const resources = Object.values(template.Resources ?? {});
    const guard = resources
      .filter((resource) => resource.Type === 'AWS::CloudWatch::CompositeAlarm')
      .map((resource) => resource.Properties?.AlarmName)
      .find((name): name is string => typeof name === 'string' && name.endsWith(GUARD_SUFFIX));
    const hasAlarms = resources.some((resource) => resource.Type === 'AWS::CloudWatch::Alarm');
    return [{ stack, hasAlarms, ...(guard === undefined ? {} : { guard }) }];
  });
}

/** The state of each named composite alarm in CloudWatch, `MISSING` for one it does not have. */
export async function guardStates(
  cloudWatch: CloudWatchClient,
  names: readonly string[],
): Promise<Map<string, GuardState>> {
  const states = new Map<string, GuardState>(names.map((name) => [name, 'MISSING']));
  // DescribeAlarms takes at most 100 names a call.
  for (let start = 0; start < names.length; start += 100) {
    let nextToken: string | undefined;
    do {
      const page = await cloudWatch.send(
        new DescribeAlarmsCommand({
          AlarmNames: names.slice(start, start + 100),
          AlarmTypes: ['CompositeAlarm'],
          NextToken: nextToken,
        }),
      );
      for (const alarm of page.CompositeAlarms ?? []) {
        if (alarm.AlarmName !== undefined && alarm.StateValue !== undefined) {
          states.set(alarm.AlarmName, alarm.StateValue);
        }
      }
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
  }
  return states;
}

/**
 * The gate's decision: refused when a stack with alarms declares no guard, when a guard is in ALARM, or
 * when one is not in the account (unless `firstDeploy`: the guards come with the stacks). A guard with
 * INSUFFICIENT_DATA (new, not evaluated yet) lets the rollout through, as CodeDeploy's alarms do.
 */
export function rolloutVerdict(
  stacks: readonly StackGuard[],
  states: ReadonlyMap<string, GuardState>,
  { firstDeploy = false }: { readonly firstDeploy?: boolean } = {},
): RolloutVerdict {
  let allowed = true;
  const lines = stacks.map(({ stack, guard, hasAlarms }) => {
    if (guard === undefined) {
      if (!hasAlarms) return `${stack}: no alarms, no guard needed`;
      allowed = false;
      return `${stack}: REFUSED — its alarms have no guard (a composite alarm named *${GUARD_SUFFIX})`;
    }
    const state = states.get(guard) ?? 'MISSING';
    if (state === 'ALARM') {
      allowed = false;
      return `${stack}: REFUSED — ${guard} is in ALARM`;
    }
    if (state === 'MISSING') {
      if (firstDeploy) return `${stack}: ${guard} not deployed yet (first deployment)`;
      allowed = false;
      return `${stack}: REFUSED — ${guard} is not in the account`;
    }
    return `${stack}: ${guard} ${state}`;
  });
  return { allowed, lines };
}

/** Reads the assembly's guards and CloudWatch's states of them, and decides. */
export async function checkRollout(
  cloudWatch: CloudWatchClient,
  assemblyDir: string,
  options: { readonly firstDeploy?: boolean } = {},
): Promise<RolloutVerdict> {
  const stacks = guardsOfAssembly(assemblyDir);
  const names = stacks.flatMap((stack) => (stack.guard === undefined ? [] : [stack.guard]));
  return rolloutVerdict(stacks, await guardStates(cloudWatch, names), options);
}
