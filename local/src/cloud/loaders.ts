/**
 * Turns resolved template resources into running local resources: queues, functions, rules, user pools
 * and event source mappings. Each loader returns what it loaded and what it could not honour.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { CloudAssembly } from '../assembly/cloud-assembly';
import type { CloudMapEngine } from '../cloudmap/cloud-map-engine';
import type { CodeDeployEngine, TrafficRouting } from '../codedeploy/codedeploy-engine';
import { AUTO_ROLLBACK_EVENTS, type AutoRollbackEvent } from '../codedeploy/codedeploy-requests';
import type { CloudWatchEngine } from '../cloudwatch/cloudwatch-engine';
import {
  putCompositeAlarmRequest,
  putMetricAlarmRequest,
  readCloudWatchRequest,
} from '../cloudwatch/cloudwatch-requests';
import { SUPPORTED_PROTOCOLS, type SnsEngine } from '../sns/sns-engine';
import { readRequest, registerInstanceRequest } from '../cloudmap/cloud-map-requests';
import type { CognitoEngine } from '../cognito/cognito-engine';
import type { SchedulerEngine } from '../scheduler/scheduler-engine';
import { readParameterWrite, type ParameterStore } from '../ssm/parameter-store';
import { readUserPool, readUserPoolClient, readUserPoolGroup } from '../cognito/user-pool-settings';
import { DynamoDbStreamSource } from '../event-source/dynamodb-stream-source';
import type { EventBridgeEngine, Target } from '../eventbridge/event-bus';
import type { FunctionError } from '../lambda/invoker';
import type { AliasRouting } from '../lambda/function-aliases';
import type { FunctionDefinition, LambdaService } from '../lambda/lambda-service';
import { SqsEventSource } from '../sqs/sqs-event-source';
import type { SqsEngine } from '../sqs/sqs-engine';
import type { StepFunctionsEngine } from '../stepfunctions/step-functions-engine';
import type { ResolvedResource } from '../template/resolve-stack';
import { busNameOf, functionNameOf, functionReferenceOf, parseArn, ruleNameOf } from './arns';
import { LocalTargetDispatcher } from './target-dispatcher';

export interface LoadedResource extends ResolvedResource {
  readonly stackName: string;
  readonly logicalId: string;
}

type Props = Readonly<Record<string, unknown>>;

const asRecord = (value: unknown): Props =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Props) : {};
const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const asNumber = (value: unknown): number | undefined =>
  typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : undefined;
const asArray = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);
const ofType = (resources: readonly LoadedResource[], type: string) =>
  resources.filter((r) => r.type === type);
const where = (resource: LoadedResource) => `${resource.stackName}/${resource.logicalId}`;

// ---- SQS ------------------------------------------------------------------------------------------

const QUEUE_ATTRIBUTES = [
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
];

/** Creates every queue; redrive policies are set once all queues exist, as their DLQs may come later. */
export async function loadQueues(resources: readonly LoadedResource[], sqs: SqsEngine): Promise<string[]> {
  const queues = ofType(resources, 'AWS::SQS::Queue');
  const names: string[] = [];
  for (const queue of queues) {
    const attributes: Record<string, string> = {};
    for (const name of QUEUE_ATTRIBUTES) {
      const value = queue.properties[name];
      if (value !== undefined) attributes[name] = String(value);
    }
    // CloudFormation takes `FifoQueue: false` on a standard queue; the SQS API refuses the attribute there.
    if (String(queue.properties.FifoQueue).toLowerCase() === 'true') attributes.FifoQueue = 'true';
    const name = queue.attributes.QueueName ?? path.basename(queue.physicalId);
    sqs.createQueue(name, attributes);
    names.push(name);
  }
  for (const queue of queues) {
    const redrive = asRecord(queue.properties.RedrivePolicy);
    if (redrive.deadLetterTargetArn === undefined) continue;
    await sqs.handle('SetQueueAttributes', {
      QueueUrl: queue.physicalId,
      Attributes: { RedrivePolicy: JSON.stringify(redrive) },
    });
  }
  return names;
}

// ---- Lambda -----------------------------------------------------------------------------------------

export interface LoadedFunctions {
  readonly names: string[];
  readonly unsupported: string[];
  /** The version each `AWS::Lambda::Version` published, by `<stack>/<logical id>`. */
  readonly versions: PublishedVersions;
}

/** A published version: its number and its qualified ARN (what its `Ref` is). */
export interface PublishedVersion {
  readonly version: string;
  readonly arn: string;
}

/** The versions the template's `AWS::Lambda::Version` resources published, by `<stack>/<logical id>`. */
export type PublishedVersions = Map<string, PublishedVersion>;

/** Registers every function with the code and configuration the template gives it (`functionDefinitionOf`). */
export function loadFunctions(
  resources: readonly LoadedResource[],
  assembly: CloudAssembly,
  lambda: LambdaService,
  sqs: SqsEngine,
  rewriteEnvironment: (env: Record<string, string>) => Record<string, string>,
): LoadedFunctions {
  const names: string[] = [];
  const unsupported: string[] = [];
  for (const fn of ofType(resources, 'AWS::Lambda::Function')) {
    const definition = functionDefinitionOf(fn, assembly, rewriteEnvironment, unsupported);
    if (definition === undefined) continue;
    lambda.register(definition);
    const props = fn.properties;
    const deadLetterArn = asString(asRecord(props.DeadLetterConfig).TargetArn);
    if (deadLetterArn) {
      lambda.setEventInvokeConfig(fn.physicalId, {
        onFailure: (_name, event) => {
          sqs.sendMessage(deadLetterArn, JSON.stringify(event));
        },
      });
    }
    names.push(fn.physicalId);
  }
  for (const config of ofType(resources, 'AWS::Lambda::EventInvokeConfig')) {
    const props = config.properties;
    const onFailureArn = asString(asRecord(asRecord(props.DestinationConfig).OnFailure).Destination);
    lambda.setEventInvokeConfig(functionNameOf(asString(props.FunctionName) ?? ''), {
      maximumRetryAttempts: asNumber(props.MaximumRetryAttempts),
      maximumEventAgeInSeconds: asNumber(props.MaximumEventAgeInSeconds),
      onFailure: onFailureArn
        ? (_name, event, failure) => {
            sqs.sendMessage(onFailureArn, JSON.stringify({ requestContext: failure, requestPayload: event }));
          }
        : undefined,
    });
  }
  const versions = loadVersionsAndAliases(resources, lambda, unsupported);
  return { names, unsupported, versions };
}

/**
 * What a function resource runs: its file asset (`Code.S3Key`, the esbuild bundle `cdk deploy` uploads)
 * or its inline `ZipFile`, and its configuration; `undefined`, with the reason in `unsupported`, when it
 * cannot run locally.
 */
export function functionDefinitionOf(
  fn: LoadedResource,
  assembly: CloudAssembly,
  rewriteEnvironment: (env: Record<string, string>) => Record<string, string>,
  unsupported: string[],
): FunctionDefinition | undefined {
  const props = fn.properties;
  const runtime = asString(props.Runtime) ?? '';
  if (!runtime.startsWith('nodejs')) {
    unsupported.push(
      `${where(fn)}: runtime ${runtime || '(container image)'} is not supported (Node.js only)`,
    );
    return undefined;
  }
  const codeDir = codeDirectory(asRecord(props.Code), assembly, fn);
  if (!codeDir) {
    unsupported.push(`${where(fn)}: code location not found in the cloud assembly`);
    return undefined;
  }
  for (const property of ['Layers', 'VpcConfig', 'FileSystemConfigs', 'SnapStart']) {
    if (props[property] !== undefined) unsupported.push(`${where(fn)}: ${property} has no local effect`);
  }
  const env = Object.fromEntries(
    Object.entries(asRecord(asRecord(props.Environment).Variables)).map(([key, value]) => [
      key,
      String(value),
    ]),
  );
  const code = asRecord(props.Code);
  const codeHash =
    asString(code.S3Key) ??
    createHash('sha256')
      .update(asString(code.ZipFile) ?? '')
      .digest('hex');
  return {
    name: fn.physicalId,
    ...(fn.attributes.Arn === undefined ? {} : { arn: fn.attributes.Arn }),
    codeDir,
    codeHash,
    handler: asString(props.Handler) ?? 'index.handler',
    env: rewriteEnvironment(env),
    timeoutSeconds: asNumber(props.Timeout),
    memorySize: asNumber(props.MemorySize),
    reservedConcurrency: asNumber(props.ReservedConcurrentExecutions),
    runtime,
    tracingMode: asString(asRecord(props.TracingConfig).Mode) === 'Active' ? 'Active' : 'PassThrough',
  };
}

/**
 * Publishes each `AWS::Lambda::Version` from the function as just registered, then creates the
 * aliases with their routing. The number a version resolved to in the template must be the one
 * publishing gives it, or references to it would name another version.
 */
function loadVersionsAndAliases(
  resources: readonly LoadedResource[],
  lambda: LambdaService,
  unsupported: string[],
): PublishedVersions {
  const versions: PublishedVersions = new Map();
  for (const version of ofType(resources, 'AWS::Lambda::Version')) {
    const published = publishVersionOf(version, lambda, unsupported);
    if (published.version !== version.attributes.Version) {
      throw new Error(
        `${where(version)}: published as version ${published.version}, but the template resolved it to ${version.attributes.Version}`,
      );
    }
    versions.set(where(version), published);
  }
  for (const alias of ofType(resources, 'AWS::Lambda::Alias')) {
    const props = alias.properties;
    const { functionName, aliasName, routing } = aliasOf(alias);
    lambda.createAlias(functionName, aliasName, routing, asString(props.Description));
    if (props.ProvisionedConcurrencyConfig !== undefined) {
      unsupported.push(`${where(alias)}: ProvisionedConcurrencyConfig has no local effect`);
    }
  }
  return versions;
}

/** The function, name and routing an `AWS::Lambda::Alias` declares. */
export function aliasOf(alias: LoadedResource): {
  functionName: string;
  aliasName: string;
  routing: AliasRouting;
} {
  const props = alias.properties;
  const additionalVersionWeights = Object.fromEntries(
    asArray(asRecord(props.RoutingConfig).AdditionalVersionWeights).map((entry) => [
      String(asRecord(entry).FunctionVersion),
      asNumber(asRecord(entry).FunctionWeight) ?? 0,
    ]),
  );
  return {
    functionName: functionNameOf(asString(props.FunctionName) ?? ''),
    aliasName: asString(props.Name) ?? '',
    routing: { functionVersion: String(props.FunctionVersion), additionalVersionWeights },
  };
}

/** Publishes what the function of an `AWS::Lambda::Version` runs now, as CloudFormation creates it. */
export function publishVersionOf(
  version: LoadedResource,
  lambda: LambdaService,
  unsupported: string[],
): PublishedVersion {
  const props = version.properties;
  const published = lambda.publishVersion(
    functionNameOf(asString(props.FunctionName) ?? ''),
    asString(props.Description),
  );
  if (props.ProvisionedConcurrencyConfig !== undefined) {
    unsupported.push(`${where(version)}: ProvisionedConcurrencyConfig has no local effect`);
  }
  return { version: published.version, arn: `${published.arn}:${published.version}` };
}

function codeDirectory(code: Props, assembly: CloudAssembly, fn: LoadedResource): string | undefined {
  const key = asString(code.S3Key);
  if (key) return assembly.fileAssets.get(key);
  const inline = asString(code.ZipFile);
  if (inline === undefined) return undefined;
  const dir = path.join(os.tmpdir(), 'local-cloud-inline', fn.stackName, fn.logicalId);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.js'), inline);
  return dir;
}

// ---- EventBridge ------------------------------------------------------------------------------------

export interface LoadedRules {
  readonly names: string[];
  readonly unsupported: string[];
}

export function loadEventBridge(
  resources: readonly LoadedResource[],
  eventBridge: EventBridgeEngine,
): LoadedRules {
  const names: string[] = [];
  const unsupported: string[] = [];
  for (const bus of ofType(resources, 'AWS::Events::EventBus')) {
    eventBridge.createBus(
      asString(bus.properties.Name) ?? bus.physicalId,
      asString(bus.properties.Description),
    );
  }
  for (const rule of ofType(resources, 'AWS::Events::Rule')) {
    const props = rule.properties;
    const busName = busNameOf(asString(props.EventBusName));
    const ruleName = asString(props.Name) ?? ruleNameOf(rule.physicalId);
    const pattern = props.EventPattern;
    eventBridge.putRule({
      name: ruleName,
      busName,
      eventPattern:
        typeof pattern === 'string' ? pattern : pattern === undefined ? undefined : asRecord(pattern),
      scheduleExpression: asString(props.ScheduleExpression),
      state: (asString(props.State) ?? 'ENABLED') as 'ENABLED',
      description: asString(props.Description),
    });
    const targets: Target[] = [];
    for (const raw of asArray(props.Targets)) {
      const target = asRecord(raw);
      const arn = asString(target.Arn) ?? '';
      if (!LocalTargetDispatcher.isSupported(arn)) {
        unsupported.push(
          `${where(rule)}: target ${arn} (${parseArn(arn)?.service ?? 'unknown'}) is not supported`,
        );
        continue;
      }
      const transformer = asRecord(target.InputTransformer);
      const retry = asRecord(target.RetryPolicy);
      targets.push({
        id: asString(target.Id) ?? arn,
        arn,
        input: asString(target.Input),
        inputPath: asString(target.InputPath),
        inputTransformer:
          target.InputTransformer === undefined
            ? undefined
            : {
                inputPathsMap: asRecord(transformer.InputPathsMap) as Record<string, string>,
                inputTemplate: asString(transformer.InputTemplate) ?? '',
              },
        retryPolicy:
          target.RetryPolicy === undefined
            ? undefined
            : {
                maximumRetryAttempts: asNumber(retry.MaximumRetryAttempts),
                maximumEventAgeInSeconds: asNumber(retry.MaximumEventAgeInSeconds),
              },
        deadLetterArn: asString(asRecord(target.DeadLetterConfig).Arn),
      });
    }
    if (targets.length) eventBridge.putTargets(ruleName, busName, targets);
    names.push(
      `${busName}/${ruleName} → ${targets.map((t) => t.arn.split(':').at(-1)).join(', ') || 'no targets'}`,
    );
  }
  return { names, unsupported };
}

// ---- Cognito ----------------------------------------------------------------------------------------

export interface LoadedUserPools {
  readonly names: string[];
  readonly unsupported: string[];
}

/** Creates every user pool, then their app clients and groups (which name their pool by its id). */
export function loadUserPools(resources: readonly LoadedResource[], cognito: CognitoEngine): LoadedUserPools {
  const names: string[] = [];
  const unsupported: string[] = [];
  const pools = new Set<string>();
  for (const pool of ofType(resources, 'AWS::Cognito::UserPool')) {
    const { settings, unsupported: notHonoured } = readUserPool(pool.properties, pool.physicalId);
    cognito.createUserPool({ id: pool.physicalId, arn: pool.attributes.Arn ?? pool.physicalId, settings });
    pools.add(pool.physicalId);
    unsupported.push(...notHonoured.map((line) => `${where(pool)}: ${line}`));
    names.push(`${settings.name} (${pool.physicalId})`);
  }
  const inKnownPool = (resource: LoadedResource): string | undefined => {
    const poolId = asString(resource.properties.UserPoolId);
    if (poolId !== undefined && pools.has(poolId)) return poolId;
    unsupported.push(`${where(resource)}: user pool ${poolId ?? '(none)'} is not one of the template's`);
    return undefined;
  };
  for (const client of ofType(resources, 'AWS::Cognito::UserPoolClient')) {
    const poolId = inKnownPool(client);
    if (poolId === undefined) continue;
    const { settings, unsupported: notHonoured } = readUserPoolClient(client.properties, client.logicalId);
    cognito.createUserPoolClient(poolId, { id: client.physicalId, settings });
    unsupported.push(...notHonoured.map((line) => `${where(client)}: ${line}`));
  }
  for (const group of ofType(resources, 'AWS::Cognito::UserPoolGroup')) {
    const poolId = inKnownPool(group);
    if (poolId !== undefined)
      cognito.createGroup(poolId, readUserPoolGroup(group.properties, group.physicalId));
  }
  return { names, unsupported };
}

// ---- Parameter Store ------------------------------------------------------------------------------

/**
 * Writes each `AWS::SSM::Parameter` as the first version of its parameter, validated as `PutParameter`
 * validates it (a parameter AWS would refuse fails the start, as it fails the deployment); returns their
 * names.
 */
export function loadParameters(resources: readonly LoadedResource[], store: ParameterStore): string[] {
  return ofType(resources, 'AWS::SSM::Parameter').map((parameter) => {
    const { Type, Value, Description, AllowedPattern, Tier, DataType } = parameter.properties;
    if (Type === 'SecureString') {
      throw new Error(`${where(parameter)}: CloudFormation cannot create a SecureString parameter`);
    }
    store.putParameter(
      readParameterWrite({
        Name: parameter.physicalId,
        Type,
        Value,
        Description,
        AllowedPattern,
        Tier,
        DataType,
      }),
    );
    return parameter.physicalId;
  });
}

// ---- EventBridge Scheduler ------------------------------------------------------------------------

/**
 * Creates each `AWS::Scheduler::ScheduleGroup`, then each `AWS::Scheduler::Schedule` through the API's
 * own validation (the template's properties are the API's); returns the schedules.
 */
export function loadSchedules(resources: readonly LoadedResource[], scheduler: SchedulerEngine): string[] {
  for (const group of ofType(resources, 'AWS::Scheduler::ScheduleGroup')) {
    scheduler.createScheduleGroup(asString(group.properties.Name) ?? group.physicalId);
  }
  for (const schedule of ofType(resources, 'AWS::Scheduler::Schedule')) {
    try {
      scheduler.createSchedule(
        asString(schedule.properties.Name) ?? schedule.physicalId,
        schedule.properties,
      );
    } catch (error) {
      throw new Error(`${where(schedule)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return scheduler.describe();
}

// ---- Cloud Map ------------------------------------------------------------------------------------

export interface LoadedCloudMap {
  /** `<namespace>/<service> (n instances…)`, one per service. */
  readonly names: string[];
  readonly unsupported: string[];
}

/** Service properties that only DNS namespaces and Route 53 health checks give a meaning. */
const DNS_ONLY_SERVICE_PROPERTIES = ['DnsConfig', 'HealthCheckConfig'];

/**
 * Creates each `AWS::ServiceDiscovery::HttpNamespace`, then the services of those namespaces, then
 * registers each `AWS::ServiceDiscovery::Instance` through the API's own validation, its attributes as
 * `rewriteAttributes` makes them run here (an API's stage URL becomes the local API's). A service of
 * another namespace (a DNS one, not emulated) and its instances are listed as not supported.
 */
export function loadCloudMap(
  resources: readonly LoadedResource[],
  cloudMap: CloudMapEngine,
  rewriteAttributes: (attributes: Record<string, string>) => Record<string, string>,
): LoadedCloudMap {
  const unsupported: string[] = [];
  for (const namespace of ofType(resources, 'AWS::ServiceDiscovery::HttpNamespace')) {
    cloudMap.createHttpNamespace({
      id: namespace.physicalId,
      arn: namespace.attributes.Arn ?? namespace.physicalId,
      name: asString(namespace.properties.Name) ?? namespace.physicalId,
      description: asString(namespace.properties.Description),
    });
  }
  const namespaceIds = new Set(
    ofType(resources, 'AWS::ServiceDiscovery::HttpNamespace').map((namespace) => namespace.physicalId),
  );
  const serviceIds = new Set<string>();
  for (const service of ofType(resources, 'AWS::ServiceDiscovery::Service')) {
    const props = service.properties;
    const namespaceId = asString(props.NamespaceId);
    if (namespaceId === undefined || !namespaceIds.has(namespaceId)) {
      unsupported.push(
        `${where(service)}: namespace ${namespaceId ?? '(none)'} is not one of the template's HTTP namespaces ` +
          '(DNS namespaces are not emulated)',
      );
      continue;
    }
    for (const property of DNS_ONLY_SERVICE_PROPERTIES) {
      if (props[property] !== undefined)
        unsupported.push(`${where(service)}: ${property} has no local effect`);
    }
    cloudMap.createService({
      id: service.physicalId,
      arn: service.attributes.Arn ?? service.physicalId,
      name: service.attributes.Name ?? service.physicalId,
      namespaceId,
      description: asString(props.Description),
      customHealthCheck: props.HealthCheckCustomConfig !== undefined,
    });
    serviceIds.add(service.physicalId);
  }
  for (const instance of ofType(resources, 'AWS::ServiceDiscovery::Instance')) {
    const serviceId = asString(instance.properties.ServiceId);
    if (serviceId === undefined || !serviceIds.has(serviceId)) {
      unsupported.push(`${where(instance)}: service ${serviceId ?? '(none)'} is not emulated`);
      continue;
    }
    const attributes = Object.fromEntries(
      Object.entries(asRecord(instance.properties.InstanceAttributes)).map(([key, value]) => [
        key,
        String(value),
      ]),
    );
    try {
      cloudMap.registerInstance(
        readRequest(registerInstanceRequest, {
          ServiceId: serviceId,
          InstanceId: instance.physicalId,
          Attributes: rewriteAttributes(attributes),
        }),
      );
    } catch (error) {
      throw new Error(`${where(instance)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { names: cloudMap.describe(), unsupported };
}

// ---- CodeDeploy -----------------------------------------------------------------------------------

export interface LoadedCodeDeploy {
  /** `<application>/<group> (<config>)`, one per deployment group. */
  readonly names: string[];
  readonly unsupported: string[];
}

/** Deployment group properties that only the EC2/on-premises and ECS platforms give a meaning. */
const SERVER_AND_ECS_GROUP_PROPERTIES = [
  'AutoScalingGroups',
  'BlueGreenDeploymentConfiguration',
  'Deployment',
  'Ec2TagFilters',
  'Ec2TagSet',
  'ECSServices',
  'LoadBalancerInfo',
  'OnPremisesInstanceTagFilters',
  'OnPremisesTagSet',
  'OutdatedInstancesStrategy',
  'TerminationHookEnabled',
];

/**
 * Creates each `AWS::CodeDeploy::Application` of the Lambda compute platform, then each Lambda
 * `AWS::CodeDeploy::DeploymentConfig`, then the deployment groups of those applications. Another compute
 * platform (EC2/on-premises, ECS), and what belongs to it, is listed as not supported; what CodeDeploy
 * would refuse to create fails the start, as it fails the deployment.
 */
export function loadCodeDeploy(
  resources: readonly LoadedResource[],
  codeDeploy: CodeDeployEngine,
): LoadedCodeDeploy {
  const unsupported: string[] = [];
  const failed = (resource: LoadedResource, error: unknown): Error =>
    new Error(`${where(resource)}: ${error instanceof Error ? error.message : String(error)}`);
  const applications = new Set<string>();
  for (const application of ofType(resources, 'AWS::CodeDeploy::Application')) {
    const platform = asString(application.properties.ComputePlatform) ?? 'Server';
    if (platform !== 'Lambda') {
      unsupported.push(`${where(application)}: compute platform ${platform} is not emulated (Lambda is)`);
      continue;
    }
    try {
      codeDeploy.createApplication(application.physicalId);
    } catch (error) {
      throw failed(application, error);
    }
    applications.add(application.physicalId);
  }
  for (const config of ofType(resources, 'AWS::CodeDeploy::DeploymentConfig')) {
    const props = config.properties;
    const platform = asString(props.ComputePlatform) ?? 'Server';
    if (platform !== 'Lambda') {
      unsupported.push(`${where(config)}: compute platform ${platform} is not emulated (Lambda is)`);
      continue;
    }
    const routing = asRecord(props.TrafficRoutingConfig);
    const type = asString(routing.Type);
    const canary = asRecord(routing.TimeBasedCanary);
    const linear = asRecord(routing.TimeBasedLinear);
    const trafficRouting: TrafficRouting | undefined =
      type === 'AllAtOnce'
        ? { type }
        : type === 'TimeBasedCanary'
          ? {
              type,
              percentage: asNumber(canary.CanaryPercentage) ?? Number.NaN,
              intervalMinutes: asNumber(canary.CanaryInterval) ?? Number.NaN,
            }
          : type === 'TimeBasedLinear'
            ? {
                type,
                percentage: asNumber(linear.LinearPercentage) ?? Number.NaN,
                intervalMinutes: asNumber(linear.LinearInterval) ?? Number.NaN,
              }
            : undefined;
    if (trafficRouting === undefined) {
      throw failed(
        config,
        `a Lambda deployment config needs a TrafficRoutingConfig, not type ${type ?? '(none)'}`,
      );
    }
    try {
      codeDeploy.createDeploymentConfig({ name: config.physicalId, trafficRouting });
    } catch (error) {
      throw failed(config, error);
    }
  }
  for (const group of ofType(resources, 'AWS::CodeDeploy::DeploymentGroup')) {
    const props = group.properties;
    const applicationName = asString(props.ApplicationName) ?? '';
    if (!applications.has(applicationName)) {
      unsupported.push(
        `${where(group)}: application ${applicationName || '(none)'} is not one of the template's Lambda applications`,
      );
      continue;
    }
    for (const property of SERVER_AND_ECS_GROUP_PROPERTIES) {
      if (props[property] !== undefined) unsupported.push(`${where(group)}: ${property} has no local effect`);
    }
    if (props.TriggerConfigurations !== undefined) {
      unsupported.push(
        `${where(group)}: TriggerConfigurations has no local effect (no notifications are sent)`,
      );
    }
    const alarms = asRecord(props.AlarmConfiguration);
    const rollback = asRecord(props.AutoRollbackConfiguration);
    const events = asArray(rollback.Events).filter((event): event is AutoRollbackEvent =>
      (AUTO_ROLLBACK_EVENTS as readonly unknown[]).includes(event),
    );
    try {
      codeDeploy.createDeploymentGroup({
        applicationName,
        name: group.physicalId,
        deploymentConfigName: asString(props.DeploymentConfigName),
        serviceRoleArn: asString(props.ServiceRoleArn),
        alarmConfiguration: {
          enabled: isTrue(alarms.Enabled),
          ignorePollAlarmFailure: isTrue(alarms.IgnorePollAlarmFailure),
          alarms: asArray(alarms.Alarms).flatMap((alarm) => asString(asRecord(alarm).Name) ?? []),
        },
        autoRollbackConfiguration: { enabled: isTrue(rollback.Enabled), events },
      });
    } catch (error) {
      throw failed(group, error);
    }
  }
  return { names: codeDeploy.describe(), unsupported };
}

const isTrue = (value: unknown): boolean => value === true || value === 'true';

// ---- SNS --------------------------------------------------------------------------------------------

export interface LoadedTopics {
  /** `<topic> → <protocol>:<endpoint>, …`, one per topic. */
  readonly names: string[];
  readonly unsupported: string[];
}

/** Topic properties SNS honours that change nothing locally. */
const TOPICS_WITHOUT_LOCAL_EFFECT = [
  'KmsMasterKeyId',
  'DataProtectionPolicy',
  'ArchivePolicy',
  'DeliveryStatusLogging',
];

/**
 * Creates each `AWS::SNS::Topic` (with its inline `Subscription`s), then each `AWS::SNS::Subscription`.
 * A subscription of a protocol the local SNS does not deliver to (http/s, email, sms, …) is listed as not
 * supported; one SNS would refuse fails the start, as it fails the deployment.
 */
export function loadSns(resources: readonly LoadedResource[], sns: SnsEngine): LoadedTopics {
  const unsupported: string[] = [];
  const supported = (protocol: string): boolean =>
    (SUPPORTED_PROTOCOLS as readonly string[]).includes(protocol);
  for (const topic of ofType(resources, 'AWS::SNS::Topic')) {
    const props = topic.properties;
    const attributes: Record<string, string> = {};
    for (const name of [
      'DisplayName',
      'FifoTopic',
      'ContentBasedDeduplication',
      'SignatureVersion',
      'TracingConfig',
    ]) {
      if (props[name] !== undefined) attributes[name] = String(props[name]);
    }
    if (attributes.FifoTopic === 'false') delete attributes.FifoTopic;
    for (const property of TOPICS_WITHOUT_LOCAL_EFFECT) {
      if (props[property] !== undefined) unsupported.push(`${where(topic)}: ${property} has no local effect`);
    }
    const topicArn = topic.attributes.TopicArn ?? topic.physicalId;
    try {
      sns.createTopic(
        topic.attributes.TopicName ?? topicArn.split(':').at(-1) ?? topic.logicalId,
        attributes,
      );
      for (const raw of asArray(props.Subscription)) {
        const inline = asRecord(raw);
        const protocol = asString(inline.Protocol) ?? '';
        if (!supported(protocol)) {
          unsupported.push(
            `${where(topic)}: ${protocol} subscriptions are not emulated (lambda and sqs are)`,
          );
          continue;
        }
        sns.subscribe(topicArn, protocol, asString(inline.Endpoint) ?? '');
      }
    } catch (error) {
      throw new Error(`${where(topic)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  for (const subscription of ofType(resources, 'AWS::SNS::Subscription')) {
    const props = subscription.properties;
    const protocol = asString(props.Protocol) ?? '';
    if (!supported(protocol)) {
      unsupported.push(
        `${where(subscription)}: ${protocol} subscriptions are not emulated (lambda and sqs are)`,
      );
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const name of ['RawMessageDelivery', 'FilterPolicyScope']) {
      if (props[name] !== undefined) attributes[name] = String(props[name]);
    }
    for (const name of ['FilterPolicy', 'RedrivePolicy', 'DeliveryPolicy']) {
      const value = props[name];
      if (value !== undefined) attributes[name] = typeof value === 'string' ? value : JSON.stringify(value);
    }
    if (props.RedrivePolicy !== undefined) {
      unsupported.push(
        `${where(subscription)}: RedrivePolicy has no local effect (failed deliveries are not retried)`,
      );
    }
    try {
      sns.subscribe(
        asString(props.TopicArn) ?? '',
        protocol,
        asString(props.Endpoint) ?? '',
        attributes,
        subscription.physicalId,
      );
    } catch (error) {
      throw new Error(`${where(subscription)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { names: sns.describe(), unsupported };
}

// ---- CloudWatch -------------------------------------------------------------------------------------

export interface LoadedCloudWatch {
  /** Alarm names (composite ones marked) and dashboards. */
  readonly alarms: string[];
  readonly dashboards: string[];
  readonly unsupported: string[];
}

/**
 * Creates each `AWS::CloudWatch::Alarm` through `PutMetricAlarm`'s own validation, then each
 * `AWS::CloudWatch::CompositeAlarm` (one naming another composite alarm after it), then stores each
 * `AWS::CloudWatch::Dashboard`. An alarm the local CloudWatch cannot evaluate (an anomaly detection band, a
 * statistic or function it lacks) is listed as not supported rather than failing the start: the system runs
 * the same without it.
 */
export function loadCloudWatch(
  resources: readonly LoadedResource[],
  cloudWatch: CloudWatchEngine,
): LoadedCloudWatch {
  const unsupported: string[] = [];
  const refused = (resource: LoadedResource, error: unknown): void => {
    unsupported.push(`${where(resource)}: ${error instanceof Error ? error.message : String(error)}`);
  };
  for (const alarm of ofType(resources, 'AWS::CloudWatch::Alarm')) {
    try {
      cloudWatch.putMetricAlarm(
        readCloudWatchRequest(putMetricAlarmRequest, { ...alarm.properties, AlarmName: alarm.physicalId }),
      );
    } catch (error) {
      refused(alarm, error);
    }
  }
  // A composite alarm may name another: each round creates those whose children all exist.
  let pending = ofType(resources, 'AWS::CloudWatch::CompositeAlarm');
  while (pending.length > 0) {
    const failures = new Map<LoadedResource, unknown>();
    for (const alarm of pending) {
      try {
        cloudWatch.putCompositeAlarm(
          readCloudWatchRequest(putCompositeAlarmRequest, {
            ...alarm.properties,
            AlarmName: alarm.physicalId,
          }),
        );
      } catch (error) {
        failures.set(alarm, error);
      }
    }
    if (failures.size === pending.length) {
      for (const [alarm, error] of failures) refused(alarm, error);
      break;
    }
    pending = [...failures.keys()];
  }
  for (const dashboard of ofType(resources, 'AWS::CloudWatch::Dashboard')) {
    try {
      cloudWatch.putDashboard({
        DashboardName: dashboard.physicalId,
        DashboardBody: asString(dashboard.properties.DashboardBody) ?? '',
      });
    } catch (error) {
      refused(dashboard, error);
    }
  }
  return { alarms: cloudWatch.alarmNames(), dashboards: cloudWatch.dashboardNames(), unsupported };
}

// ---- Step Functions ---------------------------------------------------------------------------------

export interface LoadedStateMachines {
  readonly names: string[];
  readonly unsupported: string[];
}

/**
 * Registers every state machine with its resolved definition and substitutions. One the local cloud
 * cannot run faithfully (JSONata, variables, Distributed Map, an integration it lacks) is refused and
 * listed with the feature; it is not started.
 */
export function loadStateMachines(
  resources: readonly LoadedResource[],
  stepFunctions: StepFunctionsEngine,
): LoadedStateMachines {
  const names: string[] = [];
  const unsupported: string[] = [];
  for (const machine of ofType(resources, 'AWS::StepFunctions::StateMachine')) {
    const props = machine.properties;
    const name = machine.attributes.Name ?? machine.physicalId.split(':').at(-1) ?? machine.logicalId;
    const definition =
      asString(props.DefinitionString) ??
      (props.Definition === undefined ? undefined : JSON.stringify(props.Definition));
    if (definition === undefined) {
      unsupported.push(
        `${where(machine)}: no DefinitionString or Definition (DefinitionS3Location is not read)`,
      );
      continue;
    }
    const type = asString(props.StateMachineType) === 'EXPRESS' ? 'EXPRESS' : 'STANDARD';
    const tracing = asRecord(props.TracingConfiguration).Enabled;
    try {
      stepFunctions.createStateMachine({
        name,
        arn: machine.attributes.Arn ?? machine.physicalId,
        definition,
        substitutions: asRecord(props.DefinitionSubstitutions),
        type,
        roleArn: asString(props.RoleArn),
        tracingEnabled: tracing === true || tracing === 'true',
      });
      names.push(`${name} (${type})`);
    } catch (error) {
      unsupported.push(`${where(machine)}: ${(error as Error).message}`);
    }
  }
  return { names, unsupported };
}

// ---- Event source mappings -------------------------------------------------------------------------

/** A mapping by its function and its source's name (the table or the queue), as faults select it. */
export interface EventSourceIdentity {
  readonly kind: 'dynamodb-stream' | 'sqs';
  readonly functionName: string;
  readonly sourceName: string;
}

export interface EventSourceHandle {
  readonly description: string;
  readonly identity?: EventSourceIdentity;
  start(): Promise<void>;
  stop(): Promise<void>;
  stats(): unknown;
}

export interface EventSourceDependencies {
  readonly lambda: LambdaService;
  readonly sqs: SqsEngine;
  readonly streamsClient: DynamoDBStreamsClient;
  /** Pause between reads of an idle stream shard. @default the stream source's own (AWS's 250 ms) */
  readonly streamPollIntervalMs?: number;
  readonly onError: (line: string) => void;
  /** Fault injection, asked before each delivery; an error fails it as a function error would. */
  readonly deliveryFault?: (mapping: EventSourceIdentity) => FunctionError | undefined;
}

export interface LoadedEventSources {
  readonly handles: EventSourceHandle[];
  readonly unsupported: string[];
}

export function loadEventSources(
  resources: readonly LoadedResource[],
  deps: EventSourceDependencies,
): LoadedEventSources {
  const handles: EventSourceHandle[] = [];
  const unsupported: string[] = [];
  for (const mapping of ofType(resources, 'AWS::Lambda::EventSourceMapping')) {
    const props = mapping.properties;
    const sourceArn = asString(props.EventSourceArn) ?? '';
    // The alias or version the mapping names is what it invokes.
    const functionName = functionReferenceOf(asString(props.FunctionName) ?? '');
    const service = parseArn(sourceArn)?.service;
    const reportBatchItemFailures = asArray(props.FunctionResponseTypes).includes('ReportBatchItemFailures');
    const onFailureArn = asString(asRecord(asRecord(props.DestinationConfig).OnFailure).Destination);
    if (props.Enabled === false || props.Enabled === 'false') continue;
    // `…:table/<name>/stream/<label>` or `…:<queue name>`
    const sourceName = sourceArn.includes(':table/')
      ? (sourceArn.split('/')[1] ?? sourceArn)
      : sourceArn.split(':').at(-1);
    const label = `${sourceName} → ${functionName}`;

    const faultHook = (kind: EventSourceIdentity['kind']) => {
      const identity = { kind, functionName, sourceName: sourceName ?? sourceArn };
      const deliveryFault = deps.deliveryFault;
      return { identity, beforeInvoke: deliveryFault && (() => deliveryFault(identity)) };
    };

    if (service === 'dynamodb' && sourceArn.includes('/stream/')) {
      const hook = faultHook('dynamodb-stream');
      const source = new DynamoDbStreamSource({
        streamsClient: deps.streamsClient,
        streamArn: sourceArn,
        functionName,
        pollIntervalMs: deps.streamPollIntervalMs,
        eventSourceMappingUuid: mapping.physicalId,
        invoker: deps.lambda,
        config: {
          startingPosition: (asString(props.StartingPosition) ?? 'LATEST') as 'LATEST',
          batchSize: asNumber(props.BatchSize),
          maximumBatchingWindowInSeconds: asNumber(props.MaximumBatchingWindowInSeconds),
          maximumRetryAttempts: asNumber(props.MaximumRetryAttempts),
          maximumRecordAgeInSeconds: asNumber(props.MaximumRecordAgeInSeconds),
          bisectBatchOnFunctionError: props.BisectBatchOnFunctionError === true,
          reportBatchItemFailures,
          parallelizationFactor: asNumber(props.ParallelizationFactor),
          filterCriteria: asRecord(props.FilterCriteria) as { Filters?: { Pattern?: string }[] },
        },
        onFailure: onFailureArn
          ? async (failure) => {
              deps.sqs.sendMessage(onFailureArn, JSON.stringify(failure));
            }
          : undefined,
        onError: (error, context) =>
          deps.onError(`[event-source ${label}] ${context.operation}: ${error.message}`),
        beforeInvoke: hook.beforeInvoke,
      });
      handles.push({
        description: `DynamoDB stream ${label}`,
        identity: hook.identity,
        start: () => source.start(),
        stop: () => source.stop(),
        stats: () => ({ kind: 'dynamodb-stream', label, ...source.stats() }),
      });
    } else if (service === 'sqs') {
      const queueName = sourceArn.split(':').at(-1) ?? sourceArn;
      const hook = faultHook('sqs');
      const source = new SqsEventSource({
        engine: deps.sqs,
        queueName,
        functionName,
        invoker: deps.lambda,
        batchSize: asNumber(props.BatchSize),
        maximumBatchingWindowInSeconds: asNumber(props.MaximumBatchingWindowInSeconds),
        reportBatchItemFailures,
        onError: (error) => deps.onError(`[event-source ${label}] ${String(error)}`),
        beforeInvoke: hook.beforeInvoke,
        maximumConcurrency: asNumber(asRecord(props.ScalingConfig)['MaximumConcurrency']),
      });
      handles.push({
        description: `SQS ${label}`,
        identity: hook.identity,
        start: async () => source.start(),
        stop: () => source.stop(),
        stats: () => ({
          kind: 'sqs',
          label,
          queue: deps.sqs.approximateCounts(queueName),
          waiters: deps.sqs.waiters(queueName),
          ...source.stats(),
        }),
      });
    } else {
      unsupported.push(
        `${where(mapping)}: event source ${sourceArn} is not supported (DynamoDB Streams and SQS are)`,
      );
    }
  }
  return { handles, unsupported };
}
