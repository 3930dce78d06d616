/**
 * The rollout tooling around the canary controller (`CanaryRollout`, the operations stack): which
 * functions are delivered by canary and what their rollouts watch (each stack's `<function>Canary`
 * output), the versions their `live` aliases are on (so a deployment holds them there), and a rollout
 * started and followed to its end. `npm run deploy:local`, `npm run demo:canary` and the tests use it;
 * on AWS the same calls follow `cdk deploy -c shop:liveVersions=…`.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
  type CloudWatchClient,
} from '@aws-sdk/client-cloudwatch';
import { GetAliasCommand, paginateListVersionsByFunction, type LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeExecutionCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import * as z from 'zod';

/** A function delivered by canary, as its stack's `<function>Canary` output describes it. */
export interface CanaryTarget {
  /** Its construct path: the key of `shop:liveVersions`. */
  readonly constructPath: string;
  readonly functionName: string;
  readonly aliasName: string;
  /** The context's guard and the function's new-version-errors alarm. */
  readonly alarmNames: readonly string[];
}

export interface CanaryDeployment {
  readonly canaries: readonly CanaryTarget[];
  /** The controller's state machine (the operations stack's `RolloutStateMachineArn`). */
  readonly controllerArn: string;
}

/** A stack's `<function>Canary` output: what a rollout of that function needs (`ContextMonitoring.monitorCanary`). */
export const CanaryOutputSchema = z.object({
  constructPath: z.string().min(1),
  functionName: z.string().min(1),
  aliasName: z.string().min(1),
  alarmNames: z.array(z.string().min(1)),
});

/** The canaries and the controller, from the deployed stacks' outputs. */
export async function canaryDeployment(cloudFormation: CloudFormationClient): Promise<CanaryDeployment> {
  const { Stacks = [] } = await cloudFormation.send(new DescribeStacksCommand({}));
  const outputs = Stacks.flatMap((stack) => stack.Outputs ?? []);
  const controllerArn = outputs.find((output) => output.OutputKey === 'RolloutStateMachineArn')?.OutputValue;
  if (controllerArn === undefined) {
    throw new Error('No stack has the output RolloutStateMachineArn: is the operations stack deployed?');
  }
  const canaries = outputs
    .filter((output) => output.OutputKey?.endsWith('Canary') === true)
    .map((output) => CanaryOutputSchema.parse(JSON.parse(output.OutputValue ?? '{}')));
  return { canaries, controllerArn };
}

/**
 * The version each canary's alias is on, by construct path: what `shop:liveVersions` must hold for a
 * deployment to leave the aliases where they are. Refuses while a rollout is under way (the alias
 * routes to two versions).
 */
export async function liveVersions(
  lambda: LambdaClient,
  canaries: readonly CanaryTarget[],
): Promise<Record<string, string>> {
  const versions: Record<string, string> = {};
  for (const canary of canaries) {
    const alias = await lambda.send(
      new GetAliasCommand({ FunctionName: canary.functionName, Name: canary.aliasName }),
    );
    if (Object.keys(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).length > 0) {
      throw new Error(
        `${canary.functionName}:${canary.aliasName} routes to two versions: a rollout is under way. ` +
          'Let it end (or abort it) before deploying again.',
      );
    }
    versions[canary.constructPath] = alias.FunctionVersion ?? '';
  }
  return versions;
}

/**
 * The canaries a deployment brought a new version: the last version published of each, where it is
 * newer than the version its `live` alias was held on (`held`, by construct path, as `liveVersions`).
 */
export async function newCanaryVersions(
  lambda: LambdaClient,
  canaries: readonly CanaryTarget[],
  held: Readonly<Record<string, string>>,
): Promise<{ readonly canary: CanaryTarget; readonly targetVersion: string }[]> {
  const rollouts: { canary: CanaryTarget; targetVersion: string }[] = [];
  for (const canary of canaries) {
    let last = 0;
    for await (const page of paginateListVersionsByFunction(
      { client: lambda },
      { FunctionName: canary.functionName },
    )) {
      for (const { Version } of page.Versions ?? []) {
        if (Version !== undefined && /^[0-9]+$/.test(Version)) last = Math.max(last, Number(Version));
      }
    }
    const live = Number(held[canary.constructPath] ?? 0);
    if (last > live) rollouts.push({ canary, targetVersion: String(last) });
  }
  return rollouts;
}

export interface RolloutOptions {
  /** Seconds each step bakes. @default the controller's (10 minutes on AWS) */
  readonly bakeSeconds?: number;
  /** @default 1, 5, 10, 50, 100 */
  readonly steps?: readonly number[];
}

/** Starts the controller on `targetVersion`; the execution's name is the rollout's id. */
export async function startRollout(
  stepFunctions: SFNClient,
  deployment: CanaryDeployment,
  canary: CanaryTarget,
  targetVersion: string,
  options: RolloutOptions = {},
): Promise<{ rolloutId: string; executionArn: string }> {
  const shortName = canary.constructPath.split('/').at(-1) ?? 'function';
  const rolloutId = `${shortName}-v${targetVersion}-${Date.now()}`.slice(0, 80);
  const { executionArn = '' } = await stepFunctions.send(
    new StartExecutionCommand({
      stateMachineArn: deployment.controllerArn,
      name: rolloutId,
      input: JSON.stringify({
        functionName: canary.functionName,
        aliasName: canary.aliasName,
        targetVersion,
        alarmNames: canary.alarmNames,
        ...(options.bakeSeconds === undefined ? {} : { bakeSeconds: options.bakeSeconds }),
        ...(options.steps === undefined ? {} : { steps: options.steps }),
      }),
    }),
  );
  return { rolloutId, executionArn };
}

/** One routing of the alias the rollout went through, and when it was first seen. */
export interface ObservedStep {
  readonly atMs: number;
  readonly functionVersion: string;
  /** The share of traffic (0–100 %) on the new version. */
  readonly weight: number;
}

export interface FollowedRollout {
  readonly status: string;
  /** The execution's output: `outcome` (`SUCCEEDED`, `ROLLED_BACK`, `DRIFTED`) and the rest. */
  readonly output: Readonly<Record<string, unknown>>;
  readonly steps: readonly ObservedStep[];
  /** When an alarm the rollout watches was first seen in ALARM. */
  readonly alarmAtMs?: number;
}

export interface FollowOptions {
  readonly pollMs?: number;
  readonly timeoutMs?: number;
  /** Told of each new routing, and of an alarm. */
  readonly onProgress?: (line: string) => void;
  /** Called each poll while the alias is at the approval weight, until it returns true. */
  readonly approve?: (rolloutId: string) => Promise<boolean>;
  /** The weight after which the controller waits for approval. @default 50 */
  readonly approvalAfterPercent?: number;
}

const FINAL_STATUSES = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

/** Polls the execution, the alias and the alarms until the rollout ends. */
export async function followRollout(
  clients: {
    readonly stepFunctions: SFNClient;
    readonly lambda: LambdaClient;
    readonly cloudWatch: CloudWatchClient;
  },
  canary: CanaryTarget,
  rollout: { readonly rolloutId: string; readonly executionArn: string; readonly targetVersion: string },
  options: FollowOptions = {},
): Promise<FollowedRollout> {
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  const steps: ObservedStep[] = [];
  let alarmAtMs: number | undefined;
  let approved = options.approve === undefined;
  for (;;) {
    const alias = await clients.lambda.send(
      new GetAliasCommand({ FunctionName: canary.functionName, Name: canary.aliasName }),
    );
    const weights = alias.RoutingConfig?.AdditionalVersionWeights ?? {};
    const weight =
      alias.FunctionVersion === rollout.targetVersion
        ? 100
        : Math.round((weights[rollout.targetVersion] ?? 0) * 1000) / 10;
    const last = steps.at(-1);
    if (last === undefined || last.weight !== weight || last.functionVersion !== alias.FunctionVersion) {
      steps.push({ atMs: Date.now(), functionVersion: alias.FunctionVersion ?? '', weight });
      options.onProgress?.(
        `${canary.functionName}:${canary.aliasName} → ${weight} % on version ${rollout.targetVersion}`,
      );
    }
    if (alarmAtMs === undefined) {
      const { MetricAlarms = [], CompositeAlarms = [] } = await clients.cloudWatch.send(
        new DescribeAlarmsCommand({
          AlarmNames: [...canary.alarmNames],
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        }),
      );
      const firing = [...MetricAlarms, ...CompositeAlarms].find((alarm) => alarm.StateValue === 'ALARM');
      if (firing !== undefined) {
        alarmAtMs = Date.now();
        options.onProgress?.(`alarm ${firing.AlarmName ?? ''} is in ALARM`);
      }
    }
    if (!approved && weight === (options.approvalAfterPercent ?? 50) && options.approve !== undefined) {
      approved = await options.approve(rollout.rolloutId);
      if (approved) options.onProgress?.(`approved at ${weight} %`);
    }
    const execution = await clients.stepFunctions.send(
      new DescribeExecutionCommand({ executionArn: rollout.executionArn }),
    );
    const status = execution.status ?? 'UNKNOWN';
    if (FINAL_STATUSES.has(status)) {
      const output = (execution.output === undefined ? {} : JSON.parse(execution.output)) as Record<
        string,
        unknown
      >;
      return { status, output, steps, ...(alarmAtMs === undefined ? {} : { alarmAtMs }) };
    }
    if (Date.now() > deadline)
      throw new Error(`The rollout ${rollout.rolloutId} did not end in time (${status}).`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 200));
  }
}

/**
 * Invocations of `version` through the canary's alias since `since`, and how many of them failed: the
 * `ExecutedVersion` metrics Lambda publishes (what a canary's blast radius is measured by).
 */
export async function versionInvocations(
  cloudWatch: CloudWatchClient,
  canary: Pick<CanaryTarget, 'functionName' | 'aliasName'>,
  version: string,
  since: Date,
): Promise<{ readonly invocations: number; readonly errors: number }> {
  const dimensions = [
    { Name: 'FunctionName', Value: canary.functionName },
    { Name: 'Resource', Value: `${canary.functionName}:${canary.aliasName}` },
    { Name: 'ExecutedVersion', Value: version },
  ];
  const sum = async (metricName: string): Promise<number> => {
    const { Datapoints = [] } = await cloudWatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/Lambda',
        MetricName: metricName,
        Dimensions: dimensions,
        StartTime: since,
        EndTime: new Date(Date.now() + 60_000),
        Period: 1,
        Statistics: ['Sum'],
      }),
    );
    return Datapoints.reduce((total, point) => total + (point.Sum ?? 0), 0);
  };
  return { invocations: await sum('Invocations'), errors: await sum('Errors') };
}

/**
 * Rolls each canary that got a new version out, one after the other, printing each step through `log`
 * and, at the approval, where staff answer it; true when every rollout succeeded.
 */
export async function rollOutCanaries(
  clients: {
    readonly stepFunctions: SFNClient;
    readonly lambda: LambdaClient;
    readonly cloudWatch: CloudWatchClient;
  },
  deployment: CanaryDeployment,
  rollouts: readonly { readonly canary: CanaryTarget; readonly targetVersion: string }[],
  options: {
    readonly bakeSeconds: number;
    /** The approval route of a rollout: `<api>/deployments/<rolloutId>/approval`. */
    readonly approvalUrl: (rolloutId: string) => string;
    readonly log: (line: string) => void;
  },
): Promise<boolean> {
  let succeeded = true;
  for (const { canary, targetVersion } of rollouts) {
    const started = await startRollout(clients.stepFunctions, deployment, canary, targetVersion, {
      bakeSeconds: options.bakeSeconds,
    });
    options.log(`canary    ${canary.functionName} version ${targetVersion}: rollout ${started.rolloutId}`);
    let told = false;
    const result = await followRollout(
      clients,
      canary,
      { ...started, targetVersion },
      {
        onProgress: (line) => {
          options.log(`          ${line}`);
          if (!told && line.includes('→ 50 %')) {
            told = true;
            options.log(
              `          waiting for approval: POST ${options.approvalUrl(started.rolloutId)} ` +
                `{"decision":"approve"|"abort"} as staff`,
            );
          }
        },
      },
    );
    options.log(`          ${String(result.output.outcome ?? result.status)}`);
    if (result.output.outcome !== 'SUCCEEDED') succeeded = false;
  }
  return succeeded;
}
