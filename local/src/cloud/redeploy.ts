/**
 * A change deployed into the running local cloud, as `cdk deploy` carries out a code change: the
 * functions whose code or configuration changed are updated, the new `AWS::Lambda::Version`s are
 * published, the alarms that changed are put again, and each alias that now names another version
 * moves — through a CodeDeploy deployment when the alias has the `CodeDeployLambdaAliasUpdate` update
 * policy (the deployment group's config, hooks, alarms and rollback decide), at once otherwise.
 *
 * Anything else that changed (a table, a queue, a rule, a route…) is reported, not applied: a restart
 * of the local cloud applies it.
 */
import type { CloudAssembly } from '../assembly/cloud-assembly';
import type { CodeDeployEngine } from '../codedeploy/codedeploy-engine';
import type { CloudWatchEngine } from '../cloudwatch/cloudwatch-engine';
import type { AliasRouting } from '../lambda/function-aliases';
import type { LambdaService } from '../lambda/lambda-service';
import {
  aliasOf,
  functionDefinitionOf,
  loadCloudWatch,
  publishVersionOf,
  type LoadedResource,
  type PublishedVersions,
} from './loaders';

export interface RedeployReport {
  /** Functions whose `$LATEST` now runs the new code or configuration. */
  readonly functionsUpdated: readonly string[];
  readonly versionsPublished: readonly { readonly functionName: string; readonly version: string }[];
  readonly alarmsUpdated: readonly string[];
  /** Aliases that name another version now: moved at once, or by the CodeDeploy deployment named. */
  readonly aliases: readonly AliasChange[];
  /** Changes a restart applies, by resource. */
  readonly notApplied: readonly string[];
}

export interface AliasChange {
  readonly functionName: string;
  readonly aliasName: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  readonly deploymentId?: string;
}

export interface RedeployDependencies {
  readonly lambda: LambdaService;
  readonly codeDeploy: CodeDeployEngine;
  readonly cloudWatch: CloudWatchEngine;
  /** The assembly's resources, the versions given resolved to what they published. */
  readonly resolve: (assembly: CloudAssembly, versions: PublishedVersions) => LoadedResource[];
  /** The local rewriting of a function's environment (API URLs), as at the start. */
  readonly rewriteEnvironment: (env: Record<string, string>) => Record<string, string>;
}

/** Resource types this module applies; the others are compared and reported. */
const APPLIED_TYPES = new Set([
  'AWS::Lambda::Function',
  'AWS::Lambda::Version',
  'AWS::Lambda::Alias',
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::CompositeAlarm',
  'AWS::CDK::Metadata',
]);

const keyOf = (resource: LoadedResource): string => `${resource.stackName}/${resource.logicalId}`;

export class Redeployer {
  private current: readonly LoadedResource[];

  constructor(
    private readonly deps: RedeployDependencies,
    initial: readonly LoadedResource[],
    private readonly versions: PublishedVersions,
  ) {
    this.current = initial;
  }

  /** Applies `assembly` over what runs; one deployment at a time (the caller serializes). */
  apply(assembly: CloudAssembly): RedeployReport {
    const { lambda } = this.deps;
    const notApplied: string[] = [];
    const before = new Map(this.current.map((resource) => [keyOf(resource), resource]));

    // First pass: the functions as the new templates define them, the versions known so far.
    const firstPass = this.deps.resolve(assembly, this.versions);
    const functionsUpdated: string[] = [];
    for (const fn of firstPass.filter((resource) => resource.type === 'AWS::Lambda::Function')) {
      if (!before.has(keyOf(fn))) {
        notApplied.push(`${keyOf(fn)}: a new function (restart to run it)`);
        continue;
      }
      const definition = functionDefinitionOf(fn, assembly, this.deps.rewriteEnvironment, notApplied);
      if (definition === undefined || !lambda.differsFromLatest(definition)) continue;
      lambda.register(definition);
      functionsUpdated.push(fn.physicalId);
    }
    const versionsPublished: { functionName: string; version: string }[] = [];
    for (const version of firstPass.filter((resource) => resource.type === 'AWS::Lambda::Version')) {
      if (this.versions.has(keyOf(version))) continue;
      const published = publishVersionOf(version, lambda, notApplied);
      this.versions.set(keyOf(version), published);
      versionsPublished.push({
        functionName: String(version.properties.FunctionName),
        version: published.version,
      });
    }

    // Second pass: references to the new versions (aliases, alarms on `ExecutedVersion`) resolved.
    const resolved = this.deps.resolve(assembly, this.versions);
    const changed = resolved.filter((resource) => {
      const previous = before.get(keyOf(resource));
      return (
        previous === undefined || JSON.stringify(previous.properties) !== JSON.stringify(resource.properties)
      );
    });
    const alarms = changed.filter(
      (resource) =>
        resource.type === 'AWS::CloudWatch::Alarm' || resource.type === 'AWS::CloudWatch::CompositeAlarm',
    );
    notApplied.push(...loadCloudWatch(alarms, this.deps.cloudWatch).unsupported);
    const aliases = resolved
      .filter((resource) => resource.type === 'AWS::Lambda::Alias' && before.has(keyOf(resource)))
      .flatMap((alias) => this.moveAlias(alias));

    for (const resource of changed) {
      if (APPLIED_TYPES.has(resource.type)) continue;
      notApplied.push(
        `${keyOf(resource)} (${resource.type}): ${before.has(keyOf(resource)) ? 'changed' : 'new'}`,
      );
    }
    const now = new Set(resolved.map(keyOf));
    for (const [key, resource] of before) {
      if (!now.has(key) && resource.type !== 'AWS::Lambda::Version')
        notApplied.push(`${key} (${resource.type}): removed`);
    }
    this.current = resolved;
    return {
      functionsUpdated,
      versionsPublished,
      alarmsUpdated: alarms.map((alarm) => alarm.physicalId),
      aliases,
      notApplied,
    };
  }

  /** Moves an alias the new template points elsewhere, as CloudFormation would update it. */
  private moveAlias(alias: LoadedResource): AliasChange[] {
    const { functionName, aliasName, routing } = aliasOf(alias);
    const current = this.deps.lambda.getAlias(functionName, aliasName);
    if (sameRouting(current, routing)) return [];
    const change = {
      functionName,
      aliasName,
      fromVersion: current.functionVersion,
      toVersion: routing.functionVersion,
    };
    const policy = asRecord(alias.updatePolicy?.['CodeDeployLambdaAliasUpdate']);
    const applicationName = policy['ApplicationName'];
    const deploymentGroupName = policy['DeploymentGroupName'];
    if (typeof applicationName !== 'string' || typeof deploymentGroupName !== 'string') {
      this.deps.lambda.updateAlias(functionName, aliasName, {
        functionVersion: routing.functionVersion,
        additionalVersionWeights: routing.additionalVersionWeights,
      });
      return [change];
    }
    const hooks = (['BeforeAllowTrafficHook', 'AfterAllowTrafficHook'] as const).flatMap((hook) => {
      const name = policy[hook];
      return typeof name === 'string' ? [{ [hook.replace(/Hook$/, '')]: name }] : [];
    });
    const appSpec = {
      version: 0.0,
      Resources: [
        {
          [alias.logicalId]: {
            Type: 'AWS::Lambda::Function',
            Properties: {
              Name: functionName,
              Alias: aliasName,
              CurrentVersion: current.functionVersion,
              TargetVersion: routing.functionVersion,
            },
          },
        },
      ],
      Hooks: hooks,
    };
    const deploymentId = this.deps.codeDeploy.createDeployment({
      applicationName,
      deploymentGroupName,
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content: JSON.stringify(appSpec) } },
    });
    return [{ ...change, deploymentId }];
  }
}

function sameRouting(current: AliasRouting, wanted: AliasRouting): boolean {
  return (
    current.functionVersion === wanted.functionVersion &&
    JSON.stringify(current.additionalVersionWeights) === JSON.stringify(wanted.additionalVersionWeights)
  );
}

function asRecord(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
