/**
 * The local physical identity of a template resource: what `Ref` returns and what `Fn::GetAtt` returns,
 * per resource type, shaped as AWS shapes them. Generated names and ids derive from a hash of the stack
 * name and logical id, so they are stable across runs of the local cloud.
 */
import { createHash } from 'node:crypto';
import { LOCAL_ACCOUNT, LOCAL_REGION, localArn } from '../aws-protocol';

export interface PhysicalResource {
  /** What `Ref` returns. */
  readonly ref: string;
  /** What `Fn::GetAtt` returns, by attribute name. */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface NamingInput {
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
  /**
   * A property's resolved value (`undefined` when absent). A getter rather than a record so only the
   * properties a name depends on get resolved.
   */
  readonly property: (name: string) => unknown;
  /** Base URL of the local SQS endpoint, for queue URLs. */
  readonly sqsEndpoint: string;
}

/**
 * DynamoDB labels a stream with its creation time, which is unknown before the local table exists;
 * callers override `StreamArn` once it does. This placeholder keeps a first resolution pass possible.
 */
export const PLACEHOLDER_STREAM_LABEL = '1970-01-01T00:00:00.000';

export function physicalResource(input: NamingInput): PhysicalResource {
  const namer = NAMERS[input.type] ?? genericResource;
  return namer(input);
}

/** The AWS-style generated name `<stackName>-<logicalId>-<SUFFIX>`, trimmed to fit `maxLength`. */
export function generatedName(stackName: string, logicalId: string, maxLength = 255): string {
  const suffix = hashOf(stackName, logicalId).slice(0, 12).toUpperCase();
  const budget = maxLength - suffix.length - 2;
  let stackPart = stackName;
  let idPart = logicalId;
  if (stackPart.length + idPart.length > budget) {
    // Each part keeps at least half the budget unless the other part needs less.
    const stackLength = Math.min(stackPart.length, Math.max(Math.floor(budget / 2), budget - idPart.length));
    stackPart = stackPart.slice(0, stackLength);
    idPart = idPart.slice(0, budget - stackLength);
  }
  return `${stackPart}-${idPart}-${suffix}`;
}

/** A stack's id, as `AWS::StackId` resolves and CloudFormation's `DescribeStacks` reports it. */
export function stackIdOf(stackName: string): string {
  return localArn('cloudformation', `stack/${stackName}/${deterministicUuid(stackName)}`);
}

/** A deterministic UUID-shaped id (as event source mappings and stack ids use). */
export function deterministicUuid(...parts: readonly string[]): string {
  const hex = hashOf(...parts);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A deterministic id from `alphabet`, e.g. the 10-character lowercase alphanumeric API Gateway ids. */
export function deterministicId(length: number, alphabet: string, ...parts: readonly string[]): string {
  const digest = createHash('sha256').update(parts.join('\0')).digest();
  let id = '';
  for (let i = 0; i < length; i += 1) id += alphabet[(digest[i % digest.length] ?? 0) % alphabet.length];
  return id;
}

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const MIXED_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function hashOf(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

type Namer = (input: NamingInput) => PhysicalResource;

const NAMERS: Readonly<Record<string, Namer>> = {
  'AWS::DynamoDB::Table': dynamoDbTable,
  'AWS::DynamoDB::GlobalTable': dynamoDbTable,
  'AWS::Lambda::Function': lambdaFunction,
  'AWS::Lambda::EventSourceMapping': lambdaEventSourceMapping,
  'AWS::Lambda::Permission': (input) => ({
    ref: generatedName(input.stackName, input.logicalId, 100),
    attributes: {},
  }),
  'AWS::Lambda::Version': lambdaVersion,
  'AWS::Lambda::Alias': lambdaAlias,
  'AWS::SQS::Queue': sqsQueue,
  'AWS::SNS::Topic': snsTopic,
  'AWS::Events::EventBus': eventBus,
  'AWS::Events::Rule': eventRule,
  'AWS::StepFunctions::StateMachine': stateMachine,
  'AWS::ApiGateway::RestApi': restApi,
  'AWS::ApiGateway::Resource': (input) => idResource(input, 10, 'ResourceId'),
  'AWS::ApiGateway::Deployment': (input) => idResource(input, 6, 'DeploymentId'),
  'AWS::ApiGateway::Stage': apiStage,
  'AWS::ApiGateway::Authorizer': (input) => idResource(input, 6, 'AuthorizerId'),
  'AWS::Cognito::UserPool': userPool,
  'AWS::Cognito::UserPoolClient': userPoolClient,
  'AWS::Cognito::UserPoolGroup': (input) => ({
    ref: stringProperty(input, 'GroupName') ?? generatedName(input.stackName, input.logicalId, 128),
    attributes: {},
  }),
  'AWS::IAM::Role': iamRole,
  'AWS::IAM::Policy': (input) => ({
    ref: generatedName(input.stackName, input.logicalId, 128),
    attributes: {},
  }),
  'AWS::IAM::ManagedPolicy': iamManagedPolicy,
  'AWS::Logs::LogGroup': logGroup,
  'AWS::SSM::Parameter': ssmParameter,
  'AWS::CloudWatch::Alarm': cloudWatchAlarm,
  'AWS::CloudWatch::CompositeAlarm': cloudWatchAlarm,
  'AWS::CloudWatch::Dashboard': (input) => ({
    ref: stringProperty(input, 'DashboardName') ?? generatedName(input.stackName, input.logicalId, 255),
    attributes: {},
  }),
  'AWS::SNS::Subscription': (input) => {
    // `<topic ARN>:<id>`, as SNS names a subscription.
    const topicArn = stringProperty(input, 'TopicArn') ?? localArn('sns', 'unknown');
    const id = deterministicId(36, LOWER_ALNUM, input.stackName, input.logicalId);
    const uuid = `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`;
    return { ref: `${topicArn}:${uuid}`, attributes: {} };
  },
  'AWS::S3::Bucket': s3Bucket,
  'AWS::Scheduler::Schedule': (input) => {
    const name = stringProperty(input, 'Name') ?? generatedName(input.stackName, input.logicalId, 64);
    const group = stringProperty(input, 'GroupName') ?? 'default';
    return { ref: name, attributes: { Arn: localArn('scheduler', `schedule/${group}/${name}`) } };
  },
  'AWS::ServiceDiscovery::HttpNamespace': (input) => {
    const id = `ns-${deterministicId(16, LOWER_ALNUM, input.stackName, input.logicalId)}`;
    return { ref: id, attributes: { Id: id, Arn: localArn('servicediscovery', `namespace/${id}`) } };
  },
  'AWS::ServiceDiscovery::Service': (input) => {
    const id = `srv-${deterministicId(16, LOWER_ALNUM, input.stackName, input.logicalId)}`;
    // CloudFormation names a service the template leaves unnamed.
    const name = stringProperty(input, 'Name') ?? generatedName(input.stackName, input.logicalId, 127);
    return {
      ref: id,
      attributes: { Id: id, Arn: localArn('servicediscovery', `service/${id}`), Name: name },
    };
  },
  'AWS::ServiceDiscovery::Instance': (input) => ({
    ref: stringProperty(input, 'InstanceId') ?? generatedName(input.stackName, input.logicalId, 64),
    attributes: {},
  }),
  // CodeDeploy's applications, deployment groups and configs are known by name: `Ref` gives it, no `Fn::GetAtt`.
  'AWS::CodeDeploy::Application': (input) => ({
    ref: stringProperty(input, 'ApplicationName') ?? generatedName(input.stackName, input.logicalId, 100),
    attributes: {},
  }),
  'AWS::CodeDeploy::DeploymentGroup': (input) => ({
    ref: stringProperty(input, 'DeploymentGroupName') ?? generatedName(input.stackName, input.logicalId, 100),
    attributes: {},
  }),
  'AWS::CodeDeploy::DeploymentConfig': (input) => ({
    ref:
      stringProperty(input, 'DeploymentConfigName') ?? generatedName(input.stackName, input.logicalId, 100),
    attributes: {},
  }),
  'AWS::Scheduler::ScheduleGroup': (input) => {
    const name = stringProperty(input, 'Name') ?? generatedName(input.stackName, input.logicalId, 64);
    return { ref: name, attributes: { Arn: localArn('scheduler', `schedule-group/${name}`) } };
  },
};

function dynamoDbTable(input: NamingInput): PhysicalResource {
  const name = stringProperty(input, 'TableName') ?? generatedName(input.stackName, input.logicalId, 255);
  const arn = localArn('dynamodb', `table/${name}`);
  const hasStream =
    input.type === 'AWS::DynamoDB::GlobalTable' || input.property('StreamSpecification') !== undefined;
  return {
    ref: name,
    attributes: hasStream
      ? { Arn: arn, StreamArn: `${arn}/stream/${PLACEHOLDER_STREAM_LABEL}` }
      : { Arn: arn },
  };
}

function lambdaFunction(input: NamingInput): PhysicalResource {
  const name = stringProperty(input, 'FunctionName') ?? generatedName(input.stackName, input.logicalId, 64);
  return { ref: name, attributes: { Arn: functionArn(name) } };
}

function lambdaEventSourceMapping(input: NamingInput): PhysicalResource {
  const id = deterministicUuid(input.stackName, input.logicalId);
  return {
    ref: id,
    attributes: { Id: id, EventSourceMappingArn: localArn('lambda', `event-source-mapping:${id}`) },
  };
}

function lambdaVersion(input: NamingInput): PhysicalResource {
  const fnArn = functionArn(stringProperty(input, 'FunctionName') ?? '');
  // Every local deployment is the first, so each published version is version 1.
  return { ref: `${fnArn}:1`, attributes: { FunctionArn: fnArn, Version: '1' } };
}

function lambdaAlias(input: NamingInput): PhysicalResource {
  const aliasArn = `${functionArn(stringProperty(input, 'FunctionName') ?? '')}:${stringProperty(input, 'Name') ?? ''}`;
  return { ref: aliasArn, attributes: { AliasArn: aliasArn } };
}

function sqsQueue(input: NamingInput): PhysicalResource {
  const name =
    stringProperty(input, 'QueueName') ?? fifoAwareName(input, 80, isTrue(input.property('FifoQueue')));
  const url = `${input.sqsEndpoint.replace(/\/+$/, '')}/${LOCAL_ACCOUNT}/${name}`;
  return { ref: url, attributes: { Arn: localArn('sqs', name), QueueName: name, QueueUrl: url } };
}

function snsTopic(input: NamingInput): PhysicalResource {
  const name =
    stringProperty(input, 'TopicName') ?? fifoAwareName(input, 256, isTrue(input.property('FifoTopic')));
  const arn = localArn('sns', name);
  return { ref: arn, attributes: { TopicArn: arn, TopicName: name } };
}

function eventBus(input: NamingInput): PhysicalResource {
  const name = stringProperty(input, 'Name') ?? generatedName(input.stackName, input.logicalId, 256);
  return { ref: name, attributes: { Arn: localArn('events', `event-bus/${name}`), Name: name } };
}

function eventRule(input: NamingInput): PhysicalResource {
  const name = stringProperty(input, 'Name') ?? generatedName(input.stackName, input.logicalId, 64);
  const busProperty = stringProperty(input, 'EventBusName');
  // EventBusName takes a bus name or a bus ARN.
  const bus = busProperty?.startsWith('arn:')
    ? busProperty.slice(busProperty.indexOf('event-bus/') + 10)
    : busProperty;
  if (bus === undefined || bus === 'default') {
    return { ref: name, attributes: { Arn: localArn('events', `rule/${name}`) } };
  }
  return { ref: `${bus}|${name}`, attributes: { Arn: localArn('events', `rule/${bus}/${name}`) } };
}

function stateMachine(input: NamingInput): PhysicalResource {
  const name =
    stringProperty(input, 'StateMachineName') ?? generatedName(input.stackName, input.logicalId, 80);
  const arn = localArn('states', `stateMachine:${name}`);
  return { ref: arn, attributes: { Arn: arn, Name: name } };
}

function restApi(input: NamingInput): PhysicalResource {
  const id = deterministicId(10, LOWER_ALNUM, input.stackName, input.logicalId);
  const rootId = deterministicId(10, LOWER_ALNUM, input.stackName, input.logicalId, 'root');
  return { ref: id, attributes: { RestApiId: id, RootResourceId: rootId } };
}

function idResource(input: NamingInput, length: number, attribute: string): PhysicalResource {
  const id = deterministicId(length, LOWER_ALNUM, input.stackName, input.logicalId);
  return { ref: id, attributes: { [attribute]: id } };
}

function apiStage(input: NamingInput): PhysicalResource {
  const name =
    stringProperty(input, 'StageName') ?? deterministicId(10, LOWER_ALNUM, input.stackName, input.logicalId);
  return { ref: name, attributes: {} };
}

function userPool(input: NamingInput): PhysicalResource {
  const id = `${LOCAL_REGION}_${deterministicId(9, MIXED_ALNUM, input.stackName, input.logicalId)}`;
  return {
    ref: id,
    attributes: {
      Arn: localArn('cognito-idp', `userpool/${id}`),
      ProviderName: `cognito-idp.${LOCAL_REGION}.amazonaws.com/${id}`,
      // The issuer of the pool's tokens, which locally is the edge endpoint (it serves the pool's JWKS).
      ProviderURL: `${input.sqsEndpoint.replace(/\/+$/, '')}/${id}`,
      UserPoolId: id,
    },
  };
}

function userPoolClient(input: NamingInput): PhysicalResource {
  const id = deterministicId(26, LOWER_ALNUM, input.stackName, input.logicalId);
  const name = stringProperty(input, 'ClientName');
  return { ref: id, attributes: { ClientId: id, ...(name === undefined ? {} : { Name: name }) } };
}

function iamRole(input: NamingInput): PhysicalResource {
  const name = stringProperty(input, 'RoleName') ?? generatedName(input.stackName, input.logicalId, 64);
  const path = stringProperty(input, 'Path') ?? '/';
  return {
    ref: name,
    attributes: {
      Arn: localArn('iam', `role${path}${name}`, ''),
      RoleId: `AROA${deterministicId(17, UPPER_ALNUM, input.stackName, input.logicalId)}`,
    },
  };
}

function iamManagedPolicy(input: NamingInput): PhysicalResource {
  const name =
    stringProperty(input, 'ManagedPolicyName') ?? generatedName(input.stackName, input.logicalId, 128);
  const arn = localArn('iam', `policy${stringProperty(input, 'Path') ?? '/'}${name}`, '');
  return { ref: arn, attributes: { PolicyArn: arn } };
}

function logGroup(input: NamingInput): PhysicalResource {
  const name = stringProperty(input, 'LogGroupName') ?? generatedName(input.stackName, input.logicalId, 512);
  return { ref: name, attributes: { Arn: localArn('logs', `log-group:${name}:*`) } };
}

function ssmParameter(input: NamingInput): PhysicalResource {
  const suffix = hashOf(input.stackName, input.logicalId).slice(0, 12).toUpperCase();
  const name = stringProperty(input, 'Name') ?? `CFN-${input.logicalId}-${suffix}`;
  const attributes: Record<string, string> = {};
  const type = stringProperty(input, 'Type');
  const value = stringProperty(input, 'Value');
  if (type !== undefined) attributes.Type = type;
  if (value !== undefined) attributes.Value = value;
  return { ref: name, attributes };
}

function cloudWatchAlarm(input: NamingInput): PhysicalResource {
  const name = stringProperty(input, 'AlarmName') ?? generatedName(input.stackName, input.logicalId, 255);
  return { ref: name, attributes: { Arn: localArn('cloudwatch', `alarm:${name}`) } };
}

function s3Bucket(input: NamingInput): PhysicalResource {
  const name =
    stringProperty(input, 'BucketName') ?? generatedName(input.stackName, input.logicalId, 63).toLowerCase();
  return {
    ref: name,
    attributes: {
      Arn: `arn:aws:s3:::${name}`,
      DomainName: `${name}.s3.amazonaws.com`,
      RegionalDomainName: `${name}.s3.${LOCAL_REGION}.amazonaws.com`,
    },
  };
}

function genericResource(input: NamingInput): PhysicalResource {
  const name = generatedName(input.stackName, input.logicalId);
  return { ref: name, attributes: { Arn: localArn(serviceOf(input.type), name) } };
}

/** ARN service names that differ from the CloudFormation type's service segment. */
const ARN_SERVICES: Readonly<Record<string, string>> = {
  StepFunctions: 'states',
  CertificateManager: 'acm',
  ElasticLoadBalancingV2: 'elasticloadbalancing',
  Cognito: 'cognito-idp',
};

function serviceOf(type: string): string {
  const [vendor, service] = type.split('::');
  if (vendor !== 'AWS' || service === undefined) return 'cloudformation';
  return ARN_SERVICES[service] ?? service.toLowerCase();
}

function fifoAwareName(input: NamingInput, maxLength: number, fifo: boolean): string {
  // AWS keeps the mandatory `.fifo` suffix on generated FIFO names, within the length limit.
  return fifo
    ? `${generatedName(input.stackName, input.logicalId, maxLength - 5)}.fifo`
    : generatedName(input.stackName, input.logicalId, maxLength);
}

function functionArn(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? nameOrArn : localArn('lambda', `function:${nameOrArn}`);
}

function stringProperty(input: NamingInput, name: string): string | undefined {
  const value = input.property(name);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}
