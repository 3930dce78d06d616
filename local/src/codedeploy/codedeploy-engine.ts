/**
 * AWS CodeDeploy for Lambda (compute platform `Lambda`), in the protocol `@aws-sdk/client-codedeploy` and
 * `aws deploy` speak (JSON 1.1, `X-Amz-Target: CodeDeploy_20141006.<Operation>`): applications, deployment
 * groups and deployment configs from the template (and the predefined `CodeDeployDefault.Lambda*` configs),
 * and deployments that move a function's alias from one version to another as CodeDeploy does:
 * BeforeAllowTraffic hook → AllowTraffic (canary, linear or all at once, through the alias's
 * `AdditionalVersionWeights`) → AfterAllowTraffic hook → Succeeded, stopped by the group's alarms, failed by
 * a hook, stopped on request, and rolled back by a rollback deployment of its own when the deployment's
 * auto-rollback events say so. Held in memory.
 *
 * It reaches the rest of the local cloud through two ports: `LambdaAliases` (the alias it moves and the
 * hook functions it invokes) and `AlarmStates` (the alarms it watches).
 *
 * Time scale: every duration CodeDeploy waits — a canary's or linear step's interval, the hour a hook has
 * to report, the pause between two polls of the alarms (one minute here) — is multiplied by `timeScale`
 * (default 1/60: a 5-minute canary interval lasts 5 s, a hook times out after 60 s). What the API reports
 * (the configs' intervals in minutes) is unscaled.
 *
 * Differences, all documented in the package README: only the Lambda compute platform; applications, groups
 * and configs come from the template (no Create/Update/Delete operations); the AppSpec is read from the
 * request (`AppSpecContent` or `String`) as JSON, not YAML and not from S3; a deployment is `InProgress` when
 * `CreateDeployment` answers (AWS shows `Created` first); a stop is done when `StopDeployment` answers
 * (`Succeeded` rather than `Pending`); the alias must point at the AppSpec's `CurrentVersion` when the
 * deployment starts; a lifecycle event without a hook is `Skipped`; a hook's failure, whether reported,
 * timed out or an invocation Lambda refused, fails the deployment with `HOOK_EXECUTION_FAILURE`; the
 * rollback deployment moves the alias back at once and runs no hooks.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { AwsServiceError, type JsonProtocolService, localArn } from '../aws-protocol';
import { offsetPage } from '../http/offset-pages';
import {
  createDeploymentRequest,
  deploymentConfigRequest,
  deploymentGroupRequest,
  deploymentIdRequest,
  deploymentTargetRequest,
  applicationRequest,
  listDeploymentGroupsRequest,
  listDeploymentTargetsRequest,
  listDeploymentsRequest,
  listRequest,
  putLifecycleEventHookExecutionStatusRequest,
  readCodeDeployRequest,
  readLambdaAppSpec,
  stopDeploymentRequest,
  type AutoRollbackEvent,
  type CreateDeploymentRequest,
  type DeploymentStatus,
  type LambdaAppSpec,
  type ListDeploymentsRequest,
  type RevisionLocation,
} from './codedeploy-requests';

export const CODEDEPLOY_TARGET_PREFIX = 'CodeDeploy_20141006';

/** One minute of CodeDeploy time is one second locally. */
export const DEFAULT_TIME_SCALE = 1 / 60;
/** A hook function has an hour to report its status. */
export const HOOK_TIMEOUT_MS = 60 * 60 * 1000;
/** How often the deployment group's alarms are read while a deployment runs (AWS documents no interval). */
export const ALARM_POLL_INTERVAL_MS = 60 * 1000;

// ---- Ports ------------------------------------------------------------------------------------------

/** A function's alias as Lambda's routing configuration holds it; weights are fractions (0–1). */
export interface AliasRouting {
  readonly functionVersion: string;
  readonly additionalVersionWeights?: Readonly<Record<string, number>>;
}

/** The local Lambda service, as CodeDeploy uses it. */
export interface LambdaAliases {
  /** The alias's routing; throws when the function or the alias does not exist. */
  getAlias(
    functionName: string,
    aliasName: string,
  ): { functionVersion: string; additionalVersionWeights: Readonly<Record<string, number>> };
  /** Points the alias at `functionVersion`, with `additionalVersionWeights` (none when absent). */
  updateAlias(functionName: string, aliasName: string, routing: AliasRouting): void;
  /** Invokes a hook function asynchronously (`Event`); rejects when Lambda refuses the invocation. */
  invokeHook(functionName: string, event: unknown): Promise<void>;
}

/** CloudWatch's alarms, as CodeDeploy polls them. */
export interface AlarmStates {
  /** The alarm's state, or `undefined` when there is no such alarm. */
  stateOf(alarmName: string): 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' | undefined;
}

/** Time as the engine waits on it: real timers, or a test's manual clock. */
export interface DeploymentTimers {
  /** Epoch milliseconds. */
  now(): number;
  /** Runs `fire` after `delayMs`; the handle cancels it. */
  after(delayMs: number, fire: () => void): { cancel(): void };
}

export const REAL_TIMERS: DeploymentTimers = {
  now: Date.now,
  after(delayMs, fire) {
    const timer = setTimeout(fire, delayMs);
    // A deployment in progress never keeps the process alive on its own.
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};

// ---- Template resources -----------------------------------------------------------------------------

export type TrafficRouting =
  | { readonly type: 'AllAtOnce' }
  | {
      readonly type: 'TimeBasedCanary' | 'TimeBasedLinear';
      readonly percentage: number;
      readonly intervalMinutes: number;
    };

export interface DeploymentConfigSpec {
  readonly name: string;
  readonly trafficRouting: TrafficRouting;
}

export interface AlarmConfigurationSpec {
  readonly enabled: boolean;
  readonly ignorePollAlarmFailure: boolean;
  readonly alarms: readonly string[];
}

export interface AutoRollbackSpec {
  readonly enabled: boolean;
  readonly events: readonly AutoRollbackEvent[];
}

export interface DeploymentGroupSpec {
  readonly applicationName: string;
  readonly name: string;
  /** @default CodeDeployDefault.LambdaAllAtOnce */
  readonly deploymentConfigName?: string;
  readonly serviceRoleArn?: string;
  readonly alarmConfiguration?: AlarmConfigurationSpec;
  readonly autoRollbackConfiguration?: AutoRollbackSpec;
}

/** The configs every account has, by name. */
export const PREDEFINED_LAMBDA_CONFIGS: readonly DeploymentConfigSpec[] = [
  { name: 'CodeDeployDefault.LambdaAllAtOnce', trafficRouting: { type: 'AllAtOnce' } },
  ...[5, 10, 15, 30].map((minutes): DeploymentConfigSpec => ({
    name: `CodeDeployDefault.LambdaCanary10Percent${minutes}Minutes`,
    trafficRouting: { type: 'TimeBasedCanary', percentage: 10, intervalMinutes: minutes },
  })),
  ...[1, 2, 3, 10].map((minutes): DeploymentConfigSpec => ({
    name: `CodeDeployDefault.LambdaLinear10PercentEvery${minutes}Minute${minutes === 1 ? '' : 's'}`,
    trafficRouting: { type: 'TimeBasedLinear', percentage: 10, intervalMinutes: minutes },
  })),
];

const DEFAULT_LAMBDA_CONFIG = 'CodeDeployDefault.LambdaAllAtOnce';

export interface CodeDeployEngineOptions {
  readonly lambda: LambdaAliases;
  readonly alarms: AlarmStates;
  /** Real time per unit of CodeDeploy time. @default DEFAULT_TIME_SCALE */
  readonly timeScale?: number;
  /** @default REAL_TIMERS */
  readonly timers?: DeploymentTimers;
}

// ---- State ------------------------------------------------------------------------------------------

type LifecycleEventName = 'BeforeAllowTraffic' | 'AllowTraffic' | 'AfterAllowTraffic';
type LifecycleStatus = 'Pending' | 'InProgress' | 'Succeeded' | 'Failed' | 'Skipped';
type TargetStatus = 'Pending' | 'InProgress' | 'Succeeded' | 'Failed';
type Creator = 'user' | 'codeDeployRollback';

interface LifecycleEvent {
  readonly name: LifecycleEventName;
  status: LifecycleStatus;
  startMs?: number;
  endMs?: number;
  diagnostics?: { errorCode: 'UnknownError'; message: string };
}

interface Application {
  readonly id: string;
  readonly name: string;
  readonly createdMs: number;
}

interface DeploymentConfig extends DeploymentConfigSpec {
  readonly id: string;
  readonly createdMs: number;
}

interface DeploymentGroup {
  readonly id: string;
  readonly spec: DeploymentGroupSpec;
  lastAttempted?: string;
  lastSucceeded?: string;
}

interface RunningHook {
  readonly executionId: string;
  readonly event: LifecycleEvent;
  readonly functionName: string;
  readonly next: () => void;
  readonly timeout: { cancel(): void };
}

interface Deployment {
  readonly id: string;
  readonly applicationName: string;
  readonly groupName: string;
  readonly config: DeploymentConfig;
  readonly revision: RevisionLocation;
  readonly appSpec: LambdaAppSpec;
  readonly description?: string;
  readonly creator: Creator;
  readonly autoRollback: AutoRollbackSpec;
  readonly alarms: AlarmConfigurationSpec;
  readonly overrideAlarmConfiguration?: AlarmConfigurationSpec;
  readonly createdMs: number;
  status: DeploymentStatus;
  startedMs?: number;
  completedMs?: number;
  error?: { code: string; message: string };
  rollbackInfo?: {
    rollbackDeploymentId?: string;
    rollbackTriggeringDeploymentId?: string;
    rollbackMessage?: string;
  };
  readonly events: LifecycleEvent[];
  targetStatus: TargetStatus;
  targetUpdatedMs: number;
  /** The target version's share of the alias's traffic, 0–1. */
  targetWeight: number;
  /** The deployment has moved the alias: a rollback moves it back. */
  trafficShifted: boolean;
  hook?: RunningHook;
  /** The hooks that have ended, to tell a late report from an unknown execution id. */
  readonly completedHookExecutions: Set<string>;
  /** The next traffic step and the next alarm poll. */
  readonly timers: Set<{ cancel(): void }>;
}

const DEFAULT_PAGE_SIZE = 100;
/** Completed deployments kept for the read API; the oldest make room past this many. */
const MAX_DEPLOYMENTS = 1000;
/** Far above any valid request (an AppSpec is a few hundred bytes); CodeDeploy documents no limit. */
const MAX_REQUEST_BODY_BYTES = 1024 * 1024;
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export class CodeDeployEngine implements JsonProtocolService {
  readonly targetPrefix = CODEDEPLOY_TARGET_PREFIX;
  readonly jsonVersion = '1.1' as const;
  readonly maxRequestBodyBytes = MAX_REQUEST_BODY_BYTES;

  private readonly applications = new Map<string, Application>();
  private readonly configs = new Map<string, DeploymentConfig>();
  /** By `<application>/<group>`. */
  private readonly groups = new Map<string, DeploymentGroup>();
  /** In creation order. */
  private readonly deployments = new Map<string, Deployment>();
  private readonly lambda: LambdaAliases;
  private readonly alarmStates: AlarmStates;
  private readonly timeScale: number;
  private readonly timers: DeploymentTimers;

  constructor(options: CodeDeployEngineOptions) {
    this.lambda = options.lambda;
    this.alarmStates = options.alarms;
    this.timeScale = options.timeScale ?? DEFAULT_TIME_SCALE;
    if (!(this.timeScale > 0 && this.timeScale <= 1)) {
      throw new RangeError(`The CodeDeploy time scale must be in (0, 1], not ${this.timeScale}`);
    }
    this.timers = options.timers ?? REAL_TIMERS;
    for (const config of PREDEFINED_LAMBDA_CONFIGS) this.addConfig(config, 0);
  }

  async handle(operation: string, input: Record<string, unknown>): Promise<unknown> {
    switch (operation) {
      case 'CreateDeployment':
        return { deploymentId: this.createDeployment(readCodeDeployRequest(createDeploymentRequest, input)) };
      case 'GetDeployment':
        return {
          deploymentInfo: this.deploymentInfo(
            this.deployment(readCodeDeployRequest(deploymentIdRequest, input).deploymentId),
          ),
        };
      case 'BatchGetDeployments': {
        const ids = Array.isArray(input.deploymentIds) ? input.deploymentIds : [];
        return {
          deploymentsInfo: ids.flatMap((id) => {
            const deployment = typeof id === 'string' ? this.deployments.get(id) : undefined;
            return deployment === undefined ? [] : [this.deploymentInfo(deployment)];
          }),
        };
      }
      case 'ListDeployments':
        return this.listDeployments(readCodeDeployRequest(listDeploymentsRequest, input));
      case 'StopDeployment': {
        const request = readCodeDeployRequest(stopDeploymentRequest, input);
        return this.stopDeployment(request.deploymentId, request.autoRollbackEnabled);
      }
      case 'PutLifecycleEventHookExecutionStatus': {
        const request = readCodeDeployRequest(putLifecycleEventHookExecutionStatusRequest, input);
        this.putLifecycleEventHookExecutionStatus(
          request.deploymentId,
          request.lifecycleEventHookExecutionId,
          request.status,
        );
        return { lifecycleEventHookExecutionId: request.lifecycleEventHookExecutionId };
      }
      case 'GetDeploymentTarget': {
        const request = readCodeDeployRequest(deploymentTargetRequest, input);
        const deployment = this.deployment(request.deploymentId);
        if (request.targetId !== targetIdOf(deployment)) {
          throw new AwsServiceError(
            'DeploymentTargetDoesNotExistException',
            `The target ${request.targetId} is not part of deployment ${deployment.id}.`,
          );
        }
        return { deploymentTarget: this.deploymentTarget(deployment) };
      }
      case 'ListDeploymentTargets': {
        const request = readCodeDeployRequest(listDeploymentTargetsRequest, input);
        const deployment = this.deployment(request.deploymentId);
        const statuses = request.targetFilters?.TargetStatus;
        const ids =
          statuses === undefined || statuses.includes(deployment.targetStatus)
            ? [targetIdOf(deployment)]
            : [];
        const page = paged(ids, request.nextToken);
        return {
          targetIds: page.items,
          ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
        };
      }
      case 'GetApplication':
        return {
          application: this.applicationInfo(
            this.application(readCodeDeployRequest(applicationRequest, input).applicationName),
          ),
        };
      case 'BatchGetApplications': {
        const names = Array.isArray(input.applicationNames) ? input.applicationNames.map(String) : [];
        return { applicationsInfo: names.map((name) => this.applicationInfo(this.application(name))) };
      }
      case 'ListApplications': {
        const page = paged(
          [...this.applications.keys()].sort(),
          readCodeDeployRequest(listRequest, input).nextToken,
        );
        return {
          applications: page.items,
          ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
        };
      }
      case 'GetDeploymentGroup': {
        const request = readCodeDeployRequest(deploymentGroupRequest, input);
        return {
          deploymentGroupInfo: this.deploymentGroupInfo(
            this.group(request.applicationName, request.deploymentGroupName),
          ),
        };
      }
      case 'ListDeploymentGroups': {
        const request = readCodeDeployRequest(listDeploymentGroupsRequest, input);
        this.application(request.applicationName);
        const names = [...this.groups.values()]
          .filter((group) => group.spec.applicationName === request.applicationName)
          .map((group) => group.spec.name)
          .sort();
        const page = paged(names, request.nextToken);
        return {
          applicationName: request.applicationName,
          deploymentGroups: page.items,
          ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
        };
      }
      case 'GetDeploymentConfig':
        return {
          deploymentConfigInfo: this.deploymentConfigInfo(
            this.config(readCodeDeployRequest(deploymentConfigRequest, input).deploymentConfigName),
          ),
        };
      case 'ListDeploymentConfigs': {
        const page = paged(
          [...this.configs.keys()].sort(),
          readCodeDeployRequest(listRequest, input).nextToken,
        );
        return {
          deploymentConfigsList: page.items,
          ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
        };
      }
      default:
        throw new AwsServiceError(
          'UnknownOperationException',
          `The local CodeDeploy does not implement ${operation}: it emulates Lambda deployments (CreateDeployment, ` +
            'Get/List/BatchGetDeployments, StopDeployment, PutLifecycleEventHookExecutionStatus, ' +
            'GetDeploymentTarget, ListDeploymentTargets) and reads applications, deployment groups and ' +
            'deployment configs (Get/List), which come from the template.',
        );
    }
  }

  // ---- Template resources ---------------------------------------------------------------------------

  /** Adds an application of the Lambda compute platform (a template's `AWS::CodeDeploy::Application`). */
  createApplication(name: string): void {
    if (this.applications.has(name)) {
      throw new AwsServiceError('ApplicationAlreadyExistsException', `Application ${name} already exists.`);
    }
    this.applications.set(name, { id: randomUUID(), name, createdMs: this.timers.now() });
  }

  /** Adds a Lambda deployment config (a template's `AWS::CodeDeploy::DeploymentConfig`). */
  createDeploymentConfig(spec: DeploymentConfigSpec): void {
    if (this.configs.has(spec.name)) {
      throw new AwsServiceError(
        'DeploymentConfigAlreadyExistsException',
        `Deployment configuration ${spec.name} already exists.`,
      );
    }
    const routing = spec.trafficRouting;
    if (routing.type !== 'AllAtOnce') {
      // CodeDeploy's bounds: a percentage of 1–99, an interval of whole minutes, at least one.
      const valid =
        Number.isInteger(routing.percentage) &&
        routing.percentage >= 1 &&
        routing.percentage <= 99 &&
        Number.isInteger(routing.intervalMinutes) &&
        routing.intervalMinutes >= 1;
      if (!valid) {
        throw new AwsServiceError(
          'InvalidTrafficRoutingConfigurationException',
          `${spec.name}: ${routing.type} needs a whole percentage of 1–99 and an interval of at least one minute.`,
        );
      }
    }
    this.addConfig(spec, this.timers.now());
  }

  /** Adds a deployment group of one of the applications (a template's `AWS::CodeDeploy::DeploymentGroup`). */
  createDeploymentGroup(spec: DeploymentGroupSpec): void {
    this.application(spec.applicationName);
    this.config(spec.deploymentConfigName ?? DEFAULT_LAMBDA_CONFIG);
    const key = groupKey(spec.applicationName, spec.name);
    if (this.groups.has(key)) {
      throw new AwsServiceError(
        'DeploymentGroupAlreadyExistsException',
        `Deployment group ${spec.name} already exists for application ${spec.applicationName}.`,
      );
    }
    if ((spec.alarmConfiguration?.alarms.length ?? 0) > 10) {
      throw new AwsServiceError(
        'AlarmsLimitExceededException',
        'A deployment group takes at most 10 alarms.',
      );
    }
    this.groups.set(key, { id: randomUUID(), spec });
  }

  /** `<application>/<group> (<config>)`, one line per deployment group, for the banner. */
  describe(): string[] {
    return [...this.groups.values()].map(
      (group) =>
        `${group.spec.applicationName}/${group.spec.name} (${group.spec.deploymentConfigName ?? DEFAULT_LAMBDA_CONFIG})`,
    );
  }

  /** Stops waiting on every timer; deployments in progress stay as they are. */
  close(): void {
    for (const deployment of this.deployments.values()) this.cancelTimers(deployment);
  }

  // ---- Deployments ----------------------------------------------------------------------------------

  /** Starts a Lambda deployment; returns its id. */
  createDeployment(request: CreateDeploymentRequest): string {
    this.application(request.applicationName);
    const group = this.group(request.applicationName, request.deploymentGroupName);
    const config = this.config(
      request.deploymentConfigName ?? group.spec.deploymentConfigName ?? DEFAULT_LAMBDA_CONFIG,
    );
    const active = [...this.deployments.values()].find(
      (deployment) =>
        deployment.applicationName === request.applicationName &&
        deployment.groupName === request.deploymentGroupName &&
        !isComplete(deployment.status),
    );
    if (active !== undefined) {
      // CodeDeploy runs one deployment at a time per deployment group.
      throw new AwsServiceError(
        'DeploymentLimitExceededException',
        `The Deployment Group '${request.deploymentGroupName}' already has an active Deployment '${active.id}'`,
      );
    }
    const appSpec = readLambdaAppSpec(request.revision);
    const override = request.overrideAlarmConfiguration;
    const overrideAlarms: AlarmConfigurationSpec | undefined =
      override === undefined
        ? undefined
        : {
            enabled: override.enabled ?? false,
            ignorePollAlarmFailure: override.ignorePollAlarmFailure ?? false,
            alarms: (override.alarms ?? []).map((alarm) => alarm.name),
          };
    const deployment = this.recordDeployment({
      applicationName: request.applicationName,
      groupName: request.deploymentGroupName,
      config,
      revision: request.revision,
      appSpec,
      creator: 'user',
      autoRollback:
        request.autoRollbackConfiguration === undefined
          ? (group.spec.autoRollbackConfiguration ?? { enabled: false, events: [] })
          : {
              enabled: request.autoRollbackConfiguration.enabled ?? false,
              events: request.autoRollbackConfiguration.events ?? [],
            },
      alarms: overrideAlarms ??
        group.spec.alarmConfiguration ?? { enabled: false, ignorePollAlarmFailure: false, alarms: [] },
      ...(overrideAlarms === undefined ? {} : { overrideAlarmConfiguration: overrideAlarms }),
      ...(request.description === undefined ? {} : { description: request.description }),
    });
    group.lastAttempted = deployment.id;
    this.start(deployment);
    return deployment.id;
  }

  private start(deployment: Deployment): void {
    const now = this.timers.now();
    deployment.status = 'InProgress';
    deployment.startedMs = now;
    this.setTargetStatus(deployment, 'InProgress');
    const { functionName, alias, currentVersion } = deployment.appSpec;
    let routing: { functionVersion: string };
    try {
      routing = this.lambda.getAlias(functionName, alias);
    } catch (error) {
      this.finish(deployment, 'Failed', {
        code: 'INVALID_LAMBDA_FUNCTION',
        message: `The alias ${alias} of function ${functionName} could not be read: ${messageOf(error)}`,
      });
      return;
    }
    if (routing.functionVersion !== currentVersion) {
      this.finish(deployment, 'Failed', {
        code: 'INVALID_LAMBDA_CONFIGURATION',
        message:
          `The alias ${alias} of function ${functionName} points to version ${routing.functionVersion}, ` +
          `not to the AppSpec's CurrentVersion ${currentVersion}.`,
      });
      return;
    }
    if (this.stoppedByAlarms(deployment)) return;
    this.pollAlarmsLater(deployment);
    this.runHook(deployment, 'BeforeAllowTraffic', () => this.allowTraffic(deployment));
  }

  /** Runs the event's hook function, then `next` once it reports `Succeeded`; skips an event without one. */
  private runHook(
    deployment: Deployment,
    name: 'BeforeAllowTraffic' | 'AfterAllowTraffic',
    next: () => void,
  ): void {
    if (isComplete(deployment.status)) return;
    const event = eventOf(deployment, name);
    const now = this.timers.now();
    event.startMs = now;
    const functionName =
      name === 'BeforeAllowTraffic'
        ? deployment.appSpec.beforeAllowTraffic
        : deployment.appSpec.afterAllowTraffic;
    if (functionName === undefined) {
      event.status = 'Skipped';
      event.endMs = now;
      next();
      return;
    }
    event.status = 'InProgress';
    const executionId = randomBytes(48).toString('base64url');
    deployment.hook = {
      executionId,
      event,
      functionName,
      next,
      timeout: this.timers.after(this.scaled(HOOK_TIMEOUT_MS), () =>
        this.hookFailed(
          deployment,
          executionId,
          `did not report a status within ${HOOK_TIMEOUT_MS / 60_000} minutes`,
        ),
      ),
    };
    // The hook runs asynchronously (an `Event` invocation): it answers through PutLifecycleEventHookExecutionStatus.
    let invocation: Promise<void>;
    try {
      invocation = this.lambda.invokeHook(functionName, {
        DeploymentId: deployment.id,
        LifecycleEventHookExecutionId: executionId,
      });
    } catch (error) {
      invocation = Promise.reject(error);
    }
    invocation.catch((error: unknown) =>
      this.hookFailed(deployment, executionId, `could not be invoked: ${messageOf(error)}`),
    );
  }

  private putLifecycleEventHookExecutionStatus(
    deploymentId: string,
    executionId: string,
    status: 'Succeeded' | 'Failed',
  ): void {
    const deployment = this.deployment(deploymentId);
    const hook = deployment.hook;
    if (hook === undefined || hook.executionId !== executionId) {
      // An execution id of this deployment's past hooks was answered already; any other is unknown.
      throw deployment.completedHookExecutions.has(executionId)
        ? new AwsServiceError(
            'LifecycleEventAlreadyCompletedException',
            `The lifecycle event of hook execution ${executionId} has already completed.`,
          )
        : new AwsServiceError(
            'InvalidLifecycleEventHookExecutionIdException',
            `The lifecycle event hook execution id ${executionId} is not valid for deployment ${deploymentId}.`,
          );
    }
    if (status === 'Failed') {
      this.hookFailed(deployment, executionId, 'reported Failed');
      return;
    }
    hook.timeout.cancel();
    deployment.hook = undefined;
    deployment.completedHookExecutions.add(executionId);
    hook.event.status = 'Succeeded';
    hook.event.endMs = this.timers.now();
    hook.next();
  }

  private hookFailed(deployment: Deployment, executionId: string, reason: string): void {
    const hook = deployment.hook;
    if (hook === undefined || hook.executionId !== executionId || isComplete(deployment.status)) return;
    hook.timeout.cancel();
    deployment.hook = undefined;
    deployment.completedHookExecutions.add(executionId);
    const message = `The ${hook.event.name} hook function ${hook.functionName} ${reason}.`;
    hook.event.status = 'Failed';
    hook.event.endMs = this.timers.now();
    hook.event.diagnostics = { errorCode: 'UnknownError', message };
    this.finish(
      deployment,
      'Failed',
      { code: 'HOOK_EXECUTION_FAILURE', message: `Lifecycle event ${hook.event.name} failed: ${message}` },
      rollsBackOn(deployment, 'DEPLOYMENT_FAILURE'),
    );
  }

  private allowTraffic(deployment: Deployment): void {
    if (isComplete(deployment.status)) return;
    const event = eventOf(deployment, 'AllowTraffic');
    event.status = 'InProgress';
    event.startMs = this.timers.now();
    const steps = trafficSteps(deployment.config.trafficRouting);
    const intervalMs =
      deployment.config.trafficRouting.type === 'AllAtOnce'
        ? 0
        : this.scaled(deployment.config.trafficRouting.intervalMinutes * 60_000);
    const shift = (index: number): void => {
      if (isComplete(deployment.status)) return;
      const percent = steps[index] ?? 100;
      if (!this.routeTraffic(deployment, percent)) return;
      if (percent < 100) {
        this.later(deployment, intervalMs, () => shift(index + 1));
        return;
      }
      event.status = 'Succeeded';
      event.endMs = this.timers.now();
      this.runHook(deployment, 'AfterAllowTraffic', () => this.finish(deployment, 'Succeeded'));
    };
    shift(0);
  }

  /** Gives the target version `percent` of the alias's traffic; false (and the deployment failed) when Lambda refuses. */
  private routeTraffic(deployment: Deployment, percent: number): boolean {
    const { functionName, alias, currentVersion, targetVersion } = deployment.appSpec;
    try {
      this.lambda.updateAlias(
        functionName,
        alias,
        percent >= 100
          ? { functionVersion: targetVersion }
          : { functionVersion: currentVersion, additionalVersionWeights: { [targetVersion]: percent / 100 } },
      );
    } catch (error) {
      this.finish(
        deployment,
        'Failed',
        {
          code: 'INVALID_LAMBDA_CONFIGURATION',
          message: `The alias ${alias} of function ${functionName} could not be updated: ${messageOf(error)}`,
        },
        rollsBackOn(deployment, 'DEPLOYMENT_FAILURE'),
      );
      return false;
    }
    deployment.trafficShifted = true;
    deployment.targetWeight = percent / 100;
    deployment.targetUpdatedMs = this.timers.now();
    return true;
  }

  private pollAlarmsLater(deployment: Deployment): void {
    if (!deployment.alarms.enabled || deployment.alarms.alarms.length === 0) return;
    this.later(deployment, this.scaled(ALARM_POLL_INTERVAL_MS), () => {
      if (isComplete(deployment.status) || this.stoppedByAlarms(deployment)) return;
      this.pollAlarmsLater(deployment);
    });
  }

  /** Reads the deployment's alarms; stops it (true) when one is in ALARM or, unless told to ignore it, unreadable. */
  private stoppedByAlarms(deployment: Deployment): boolean {
    const configuration = deployment.alarms;
    if (!configuration.enabled) return false;
    const activated: string[] = [];
    const unreadable: string[] = [];
    for (const alarm of configuration.alarms) {
      let state: ReturnType<AlarmStates['stateOf']>;
      try {
        state = this.alarmStates.stateOf(alarm);
      } catch {
        state = undefined;
      }
      if (state === 'ALARM') activated.push(alarm);
      else if (state === undefined && !configuration.ignorePollAlarmFailure) unreadable.push(alarm);
    }
    if (activated.length === 0 && unreadable.length === 0) return false;
    this.finish(
      deployment,
      'Stopped',
      {
        code: 'ALARM_ACTIVE',
        message:
          activated.length > 0
            ? 'One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, ' +
              `and the affected deployments have been stopped. Activated alarms: <${activated.join(', ')}>`
            : `The state of the alarms <${unreadable.join(', ')}> could not be retrieved from Amazon CloudWatch, ` +
              'and the deployment group does not ignore alarm poll failures.',
      },
      rollsBackOn(deployment, 'DEPLOYMENT_STOP_ON_ALARM'),
    );
    return true;
  }

  private stopDeployment(
    deploymentId: string,
    autoRollbackEnabled: boolean | undefined,
  ): Record<string, unknown> {
    const deployment = this.deployment(deploymentId);
    if (isComplete(deployment.status)) {
      throw new AwsServiceError(
        'DeploymentAlreadyCompletedException',
        `The deployment ${deploymentId} has already completed.`,
      );
    }
    this.finish(
      deployment,
      'Stopped',
      { code: 'MANUAL_STOP', message: 'The deployment was stopped by a user.' },
      autoRollbackEnabled ?? rollsBackOn(deployment, 'DEPLOYMENT_STOP_ON_REQUEST'),
    );
    return { status: 'Succeeded', statusMessage: `The deployment ${deploymentId} has been stopped.` };
  }

  /** Ends the deployment: what was running fails, what was to come is skipped; then the rollback, if asked. */
  private finish(
    deployment: Deployment,
    status: 'Succeeded' | 'Failed' | 'Stopped',
    error?: { code: string; message: string },
    rollBack = false,
  ): void {
    if (isComplete(deployment.status)) return;
    const now = this.timers.now();
    this.cancelTimers(deployment);
    if (deployment.hook !== undefined) {
      deployment.completedHookExecutions.add(deployment.hook.executionId);
      deployment.hook = undefined;
    }
    for (const event of deployment.events) {
      if (event.status === 'InProgress') {
        event.status = 'Failed';
        event.endMs = now;
      } else if (event.status === 'Pending') {
        event.status = 'Skipped';
      }
    }
    deployment.status = status;
    deployment.completedMs = now;
    if (error !== undefined) deployment.error = error;
    this.setTargetStatus(deployment, status === 'Succeeded' ? 'Succeeded' : 'Failed');
    const group = this.groups.get(groupKey(deployment.applicationName, deployment.groupName));
    if (status === 'Succeeded' && group !== undefined) group.lastSucceeded = deployment.id;
    if (rollBack) this.rollBack(deployment);
    this.evictOldDeployments();
  }

  /**
   * A rollback deployment of its own, as CodeDeploy makes one: it puts the whole of the alias's traffic back
   * on the current version (when the deployment had moved it).
   */
  private rollBack(failed: Deployment): void {
    const { appSpec } = failed;
    const reversed: LambdaAppSpec = {
      resourceName: appSpec.resourceName,
      functionName: appSpec.functionName,
      alias: appSpec.alias,
      currentVersion: appSpec.targetVersion,
      targetVersion: appSpec.currentVersion,
    };
    const rollback = this.recordDeployment({
      applicationName: failed.applicationName,
      groupName: failed.groupName,
      config: failed.config,
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpecJson(reversed) } },
      appSpec: reversed,
      creator: 'codeDeployRollback',
      autoRollback: { enabled: false, events: [] },
      alarms: { enabled: false, ignorePollAlarmFailure: false, alarms: [] },
    });
    rollback.rollbackInfo = { rollbackTriggeringDeploymentId: failed.id };
    failed.rollbackInfo = {
      rollbackDeploymentId: rollback.id,
      rollbackMessage: `Deployment ${failed.id} was rolled back by deployment ${rollback.id}.`,
    };
    const now = this.timers.now();
    rollback.status = 'InProgress';
    rollback.startedMs = now;
    eventOf(rollback, 'BeforeAllowTraffic').status = 'Skipped';
    const allowTraffic = eventOf(rollback, 'AllowTraffic');
    allowTraffic.startMs = now;
    allowTraffic.status = 'InProgress';
    if (failed.trafficShifted) {
      try {
        this.lambda.updateAlias(appSpec.functionName, appSpec.alias, {
          functionVersion: appSpec.currentVersion,
        });
      } catch (error) {
        this.finish(rollback, 'Failed', {
          code: 'INVALID_LAMBDA_CONFIGURATION',
          message: `The alias ${appSpec.alias} of function ${appSpec.functionName} could not be rolled back: ${messageOf(error)}`,
        });
        return;
      }
      failed.targetWeight = 0;
    }
    rollback.targetWeight = 1;
    allowTraffic.status = 'Succeeded';
    allowTraffic.endMs = now;
    this.finish(rollback, 'Succeeded');
  }

  private recordDeployment(
    spec: Pick<
      Deployment,
      | 'applicationName'
      | 'groupName'
      | 'config'
      | 'revision'
      | 'appSpec'
      | 'creator'
      | 'autoRollback'
      | 'alarms'
      | 'description'
      | 'overrideAlarmConfiguration'
    >,
  ): Deployment {
    const now = this.timers.now();
    let id = newDeploymentId();
    while (this.deployments.has(id)) id = newDeploymentId();
    const deployment: Deployment = {
      ...spec,
      id,
      createdMs: now,
      status: 'Created',
      events: (['BeforeAllowTraffic', 'AllowTraffic', 'AfterAllowTraffic'] as const).map((name) => ({
        name,
        status: 'Pending',
      })),
      targetStatus: 'Pending',
      targetUpdatedMs: now,
      targetWeight: 0,
      trafficShifted: false,
      completedHookExecutions: new Set(),
      timers: new Set(),
    };
    this.deployments.set(id, deployment);
    return deployment;
  }

  private later(deployment: Deployment, delayMs: number, fire: () => void): void {
    const handle = this.timers.after(delayMs, () => {
      deployment.timers.delete(handle);
      fire();
    });
    deployment.timers.add(handle);
  }

  private cancelTimers(deployment: Deployment): void {
    for (const timer of deployment.timers) timer.cancel();
    deployment.timers.clear();
    deployment.hook?.timeout.cancel();
  }

  private setTargetStatus(deployment: Deployment, status: TargetStatus): void {
    deployment.targetStatus = status;
    deployment.targetUpdatedMs = this.timers.now();
  }

  private scaled(ms: number): number {
    return ms * this.timeScale;
  }

  private evictOldDeployments(): void {
    for (const [id, deployment] of this.deployments) {
      if (this.deployments.size <= MAX_DEPLOYMENTS) return;
      if (isComplete(deployment.status)) this.deployments.delete(id);
    }
  }

  private addConfig(spec: DeploymentConfigSpec, createdMs: number): void {
    this.configs.set(spec.name, { ...spec, id: randomUUID(), createdMs });
  }

  // ---- Reads ----------------------------------------------------------------------------------------

  private listDeployments(request: ListDeploymentsRequest): Record<string, unknown> {
    if (request.applicationName !== undefined && request.deploymentGroupName === undefined) {
      throw new AwsServiceError(
        'DeploymentGroupNameRequiredException',
        'A deployment group name is required with an application name.',
      );
    }
    if (request.applicationName === undefined && request.deploymentGroupName !== undefined) {
      throw new AwsServiceError(
        'ApplicationNameRequiredException',
        'An application name is required with a deployment group name.',
      );
    }
    if (request.applicationName !== undefined && request.deploymentGroupName !== undefined) {
      this.application(request.applicationName);
      this.group(request.applicationName, request.deploymentGroupName);
    }
    const range = request.createTimeRange;
    const matching = [...this.deployments.values()]
      .filter(
        (deployment) =>
          (request.applicationName === undefined || deployment.applicationName === request.applicationName) &&
          (request.deploymentGroupName === undefined ||
            deployment.groupName === request.deploymentGroupName) &&
          (request.includeOnlyStatuses === undefined ||
            request.includeOnlyStatuses.includes(deployment.status)) &&
          (range?.start === undefined || deployment.createdMs >= range.start * 1000) &&
          (range?.end === undefined || deployment.createdMs <= range.end * 1000),
      )
      // Newest first.
      .reverse()
      .map((deployment) => deployment.id);
    const page = paged(matching, request.nextToken);
    return {
      deployments: page.items,
      ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
    };
  }

  private deploymentInfo(deployment: Deployment): Record<string, unknown> {
    const overview = { Pending: 0, InProgress: 0, Succeeded: 0, Failed: 0, Skipped: 0, Ready: 0 };
    overview[deployment.targetStatus] += 1;
    return {
      applicationName: deployment.applicationName,
      deploymentGroupName: deployment.groupName,
      deploymentConfigName: deployment.config.name,
      deploymentId: deployment.id,
      revision: deployment.revision,
      status: deployment.status,
      ...(deployment.error === undefined ? {} : { errorInformation: deployment.error }),
      createTime: seconds(deployment.createdMs),
      ...(deployment.startedMs === undefined ? {} : { startTime: seconds(deployment.startedMs) }),
      ...(deployment.completedMs === undefined ? {} : { completeTime: seconds(deployment.completedMs) }),
      deploymentOverview: overview,
      ...(deployment.description === undefined ? {} : { description: deployment.description }),
      creator: deployment.creator,
      ignoreApplicationStopFailures: false,
      autoRollbackConfiguration: {
        enabled: deployment.autoRollback.enabled,
        events: deployment.autoRollback.events,
      },
      updateOutdatedInstancesOnly: false,
      ...(deployment.rollbackInfo === undefined ? {} : { rollbackInfo: deployment.rollbackInfo }),
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      instanceTerminationWaitTimeStarted: false,
      deploymentStatusMessages: [],
      computePlatform: 'Lambda',
      ...(deployment.overrideAlarmConfiguration === undefined
        ? {}
        : { overrideAlarmConfiguration: alarmConfigurationOf(deployment.overrideAlarmConfiguration) }),
    };
  }

  private deploymentTarget(deployment: Deployment): Record<string, unknown> {
    const { functionName, alias, currentVersion, targetVersion } = deployment.appSpec;
    return {
      deploymentTargetType: 'LambdaTarget',
      lambdaTarget: {
        deploymentId: deployment.id,
        targetId: targetIdOf(deployment),
        targetArn: localArn('lambda', `function:${functionName}:${alias}`),
        status: deployment.targetStatus,
        lastUpdatedAt: seconds(deployment.targetUpdatedMs),
        lifecycleEvents: deployment.events.map((event) => ({
          lifecycleEventName: event.name,
          ...(event.diagnostics === undefined ? {} : { diagnostics: event.diagnostics }),
          ...(event.startMs === undefined ? {} : { startTime: seconds(event.startMs) }),
          ...(event.endMs === undefined ? {} : { endTime: seconds(event.endMs) }),
          status: event.status,
        })),
        lambdaFunctionInfo: {
          functionName,
          functionAlias: alias,
          currentVersion,
          targetVersion,
          targetVersionWeight: deployment.targetWeight,
        },
      },
    };
  }

  private applicationInfo(application: Application): Record<string, unknown> {
    return {
      applicationId: application.id,
      applicationName: application.name,
      createTime: seconds(application.createdMs),
      linkedToGitHub: false,
      computePlatform: 'Lambda',
    };
  }

  private deploymentGroupInfo(group: DeploymentGroup): Record<string, unknown> {
    const { spec } = group;
    const last = (id: string | undefined): Record<string, unknown> | undefined => {
      const deployment = id === undefined ? undefined : this.deployments.get(id);
      if (deployment === undefined) return undefined;
      return {
        deploymentId: deployment.id,
        status: deployment.status,
        createTime: seconds(deployment.createdMs),
        ...(deployment.completedMs === undefined ? {} : { endTime: seconds(deployment.completedMs) }),
      };
    };
    const lastAttempted = last(group.lastAttempted);
    const lastSucceeded = last(group.lastSucceeded);
    return {
      applicationName: spec.applicationName,
      deploymentGroupId: group.id,
      deploymentGroupName: spec.name,
      deploymentConfigName: spec.deploymentConfigName ?? DEFAULT_LAMBDA_CONFIG,
      ...(spec.serviceRoleArn === undefined ? {} : { serviceRoleArn: spec.serviceRoleArn }),
      alarmConfiguration: alarmConfigurationOf(
        spec.alarmConfiguration ?? { enabled: false, ignorePollAlarmFailure: false, alarms: [] },
      ),
      autoRollbackConfiguration: spec.autoRollbackConfiguration ?? { enabled: false, events: [] },
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      triggerConfigurations: [],
      ...(lastAttempted === undefined ? {} : { lastAttemptedDeployment: lastAttempted }),
      ...(lastSucceeded === undefined ? {} : { lastSuccessfulDeployment: lastSucceeded }),
      computePlatform: 'Lambda',
    };
  }

  private deploymentConfigInfo(config: DeploymentConfig): Record<string, unknown> {
    const routing = config.trafficRouting;
    return {
      deploymentConfigId: config.id,
      deploymentConfigName: config.name,
      createTime: seconds(config.createdMs),
      computePlatform: 'Lambda',
      trafficRoutingConfig:
        routing.type === 'AllAtOnce'
          ? { type: 'AllAtOnce' }
          : routing.type === 'TimeBasedCanary'
            ? {
                type: routing.type,
                timeBasedCanary: {
                  canaryPercentage: routing.percentage,
                  canaryInterval: routing.intervalMinutes,
                },
              }
            : {
                type: routing.type,
                timeBasedLinear: {
                  linearPercentage: routing.percentage,
                  linearInterval: routing.intervalMinutes,
                },
              },
    };
  }

  private application(name: string): Application {
    const application = this.applications.get(name);
    if (application === undefined) {
      throw new AwsServiceError('ApplicationDoesNotExistException', `No application found for name: ${name}`);
    }
    return application;
  }

  private group(applicationName: string, name: string): DeploymentGroup {
    this.application(applicationName);
    const group = this.groups.get(groupKey(applicationName, name));
    if (group === undefined) {
      throw new AwsServiceError(
        'DeploymentGroupDoesNotExistException',
        `No Deployment Group found for name: ${name}`,
      );
    }
    return group;
  }

  private config(name: string): DeploymentConfig {
    const config = this.configs.get(name);
    if (config === undefined) {
      throw new AwsServiceError(
        'DeploymentConfigDoesNotExistException',
        `No deployment configuration found for name: ${name}`,
      );
    }
    return config;
  }

  private deployment(id: string): Deployment {
    const deployment = this.deployments.get(id);
    if (deployment === undefined) {
      throw new AwsServiceError(
        'DeploymentDoesNotExistException',
        `The deployment ${id} could not be found.`,
      );
    }
    return deployment;
  }
}

/**
 * The target version's share of traffic at each step, one interval apart: a canary's percentage then all
 * of it; a linear config's percentage more at each step until all of it; all at once at once.
 */
export function trafficSteps(routing: TrafficRouting): number[] {
  switch (routing.type) {
    case 'AllAtOnce':
      return [100];
    case 'TimeBasedCanary':
      return [routing.percentage, 100];
    case 'TimeBasedLinear': {
      const steps: number[] = [];
      for (let percent = routing.percentage; percent < 100; percent += routing.percentage)
        steps.push(percent);
      return [...steps, 100];
    }
  }
}

function isComplete(status: DeploymentStatus): boolean {
  return status === 'Succeeded' || status === 'Failed' || status === 'Stopped';
}

function rollsBackOn(deployment: Deployment, event: AutoRollbackEvent): boolean {
  return deployment.autoRollback.enabled && deployment.autoRollback.events.includes(event);
}

function eventOf(deployment: Deployment, name: LifecycleEventName): LifecycleEvent {
  const event = deployment.events.find((candidate) => candidate.name === name);
  if (event === undefined) throw new Error(`deployment ${deployment.id} has no ${name} event`);
  return event;
}

/** A Lambda target is its function's alias: `<function>:<alias>`. */
function targetIdOf(deployment: Deployment): string {
  return `${deployment.appSpec.functionName}:${deployment.appSpec.alias}`;
}

function alarmConfigurationOf(configuration: AlarmConfigurationSpec): Record<string, unknown> {
  return {
    enabled: configuration.enabled,
    ignorePollAlarmFailure: configuration.ignorePollAlarmFailure,
    alarms: configuration.alarms.map((name) => ({ name })),
  };
}

function appSpecJson(appSpec: LambdaAppSpec): string {
  return JSON.stringify({
    version: 0.0,
    Resources: [
      {
        [appSpec.resourceName]: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Name: appSpec.functionName,
            Alias: appSpec.alias,
            CurrentVersion: appSpec.currentVersion,
            TargetVersion: appSpec.targetVersion,
          },
        },
      },
    ],
  });
}

function newDeploymentId(): string {
  const bytes = randomBytes(9);
  return `d-${[...bytes].map((byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join('')}`;
}

function groupKey(applicationName: string, groupName: string): string {
  return `${applicationName}/${groupName}`;
}

/** JSON 1.1 timestamps: epoch seconds. */
function seconds(ms: number): number {
  return ms / 1000;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function paged<T>(items: readonly T[], token: string | undefined): { items: T[]; nextToken?: string } {
  return offsetPage(
    items,
    token,
    DEFAULT_PAGE_SIZE,
    () =>
      new AwsServiceError('InvalidNextTokenException', 'The next token was specified in an invalid format.'),
  );
}
