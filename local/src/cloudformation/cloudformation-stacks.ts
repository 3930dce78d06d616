/**
 * CloudFormation's read API over the stacks the local cloud deployed, in the protocol
 * `@aws-sdk/client-cloudformation` and `aws cloudformation` speak (AWS Query, answered in XML): a test
 * or a tool finds a stack's outputs, its exports and the physical id of each of its resources with
 * `DescribeStacks`, `DescribeStackResources` and the rest, exactly as it would on AWS.
 *
 * The stacks are those of the synthesized assembly, all `CREATE_COMPLETE`, created when the cloud started;
 * a stack's id is the one its template's `AWS::StackId` resolves to. Its resources are those that exist
 * (no `Condition`, or a true one), with the physical ids the local engines use (what `Ref` resolves to).
 *
 * Not emulated: everything that changes a stack (create, update, delete, change sets, stack sets, drift
 * detection), events, templates and policies. Such a request is refused with `InvalidAction`, which names
 * what is implemented. Stacks carry no tags, notification ARNs or capabilities; a parameter's value is its
 * default (the local cloud deploys with defaults), and an SSM-typed parameter has no `ResolvedValue`.
 */
import {
  AwsServiceError,
  type QueryInput,
  type QueryProtocolService,
  type QueryValue,
  type XmlResult,
} from '../aws-protocol';
import { offsetPage } from '../http/offset-pages';
import type { ResolvedStack } from '../template/resolve-stack';
import { stackIdOf } from '../template/physical-names';
import type { CfnTemplate } from '../template/template-types';

/** A stack as the local cloud loaded it: its template, and the template resolved to local names. */
export interface LoadedStack {
  readonly stackName: string;
  readonly template: CfnTemplate;
  readonly resolved: ResolvedStack;
}

export interface CloudFormationStacksOptions {
  /** When the stacks were created: the cloud's start. @default now */
  readonly createdAt?: Date;
}

export const CLOUDFORMATION_XML_NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

/** Items per page of the listing operations (AWS documents no figure; 100 is its page for ListStackResources). */
export const CLOUDFORMATION_PAGE_SIZE = 100;
/** `DescribeStackResources` returns the first 100 resources only, as AWS documents. */
export const MAX_DESCRIBED_STACK_RESOURCES = 100;
/** Far larger than any read request; CloudFormation documents no body limit. */
const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

const IMPLEMENTED_ACTIONS = [
  'DescribeStacks',
  'ListStacks',
  'ListExports',
  'DescribeStackResources',
  'DescribeStackResource',
  'ListStackResources',
] as const;

const STACK_STATUSES = [
  'CREATE_IN_PROGRESS',
  'CREATE_FAILED',
  'CREATE_COMPLETE',
  'ROLLBACK_IN_PROGRESS',
  'ROLLBACK_FAILED',
  'ROLLBACK_COMPLETE',
  'DELETE_IN_PROGRESS',
  'DELETE_FAILED',
  'DELETE_COMPLETE',
  'UPDATE_IN_PROGRESS',
  'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
  'UPDATE_COMPLETE',
  'UPDATE_FAILED',
  'UPDATE_ROLLBACK_IN_PROGRESS',
  'UPDATE_ROLLBACK_FAILED',
  'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
  'UPDATE_ROLLBACK_COMPLETE',
  'REVIEW_IN_PROGRESS',
  'IMPORT_IN_PROGRESS',
  'IMPORT_COMPLETE',
  'IMPORT_ROLLBACK_IN_PROGRESS',
  'IMPORT_ROLLBACK_FAILED',
  'IMPORT_ROLLBACK_COMPLETE',
];

/** Every stack and resource is in this state: the local cloud deploys all or nothing. */
const CREATED = 'CREATE_COMPLETE';
const NOT_CHECKED = 'NOT_CHECKED';

interface StackRecord {
  readonly name: string;
  readonly id: string;
  readonly description?: string;
  readonly parameters: readonly { readonly key: string; readonly value: string }[];
  readonly outputs: readonly OutputRecord[];
  readonly resources: readonly ResourceRecord[];
}

interface OutputRecord {
  readonly key: string;
  readonly value: string;
  readonly description?: string;
  readonly exportName?: string;
}

interface ResourceRecord {
  readonly logicalId: string;
  readonly physicalId: string;
  readonly type: string;
  /** The template's `Metadata` of the resource, as JSON. */
  readonly metadata: string;
}

export class CloudFormationStacks implements QueryProtocolService {
  readonly signingName = 'cloudformation';
  readonly version = '2010-05-15';
  readonly xmlNamespace = CLOUDFORMATION_XML_NAMESPACE;
  readonly maxRequestBodyBytes = MAX_REQUEST_BODY_BYTES;

  private readonly stacks: readonly StackRecord[];
  private readonly createdAt: Date;

  constructor(stacks: readonly LoadedStack[], options: CloudFormationStacksOptions = {}) {
    this.stacks = stacks.map(recordOf);
    this.createdAt = options.createdAt ?? new Date();
  }

  async handle(action: string, input: QueryInput): Promise<XmlResult> {
    switch (action) {
      case 'DescribeStacks':
        return this.describeStacks(input);
      case 'ListStacks':
        return this.listStacks(input);
      case 'ListExports':
        return this.listExports(input);
      case 'DescribeStackResources':
        return this.describeStackResources(input);
      case 'DescribeStackResource':
        return this.describeStackResource(input);
      case 'ListStackResources':
        return this.listStackResources(input);
      default:
        throw new AwsServiceError(
          'InvalidAction',
          `The local cloud's CloudFormation is read-only: it describes the stacks deployed at its start and ` +
            `does not implement ${action}. It implements ${IMPLEMENTED_ACTIONS.join(', ')}.`,
        );
    }
  }

  private describeStacks(input: QueryInput): XmlResult {
    const name = optionalString(input, 'StackName');
    if (name !== undefined) {
      const stack = this.stackNamed(name);
      if (stack === undefined) throw validationError(`Stack with id ${name} does not exist`);
      return { Stacks: [this.stackDescription(stack)] };
    }
    const page = pageOf(this.stacks, input);
    return { Stacks: page.items.map((stack) => this.stackDescription(stack)), NextToken: page.nextToken };
  }

  private listStacks(input: QueryInput): XmlResult {
    const statuses = stringList(input, 'StackStatusFilter');
    const unknown = statuses.filter((status) => !STACK_STATUSES.includes(status));
    if (unknown.length > 0) {
      throw validationError(
        `1 validation error detected: Value '[${statuses.join(', ')}]' at 'stackStatusFilter' failed to ` +
          `satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: ` +
          `[${STACK_STATUSES.join(', ')}]]`,
      );
    }
    const listed = statuses.length === 0 || statuses.includes(CREATED) ? this.stacks : [];
    const page = pageOf(listed, input);
    return {
      StackSummaries: page.items.map((stack) => ({
        StackId: stack.id,
        StackName: stack.name,
        TemplateDescription: stack.description,
        CreationTime: this.createdAt,
        LastUpdatedTime: this.createdAt,
        StackStatus: CREATED,
        DriftInformation: { StackDriftStatus: NOT_CHECKED },
      })),
      NextToken: page.nextToken,
    };
  }

  private listExports(input: QueryInput): XmlResult {
    const exports = this.stacks.flatMap((stack) =>
      stack.outputs.flatMap((output) =>
        output.exportName === undefined
          ? []
          : [{ ExportingStackId: stack.id, Name: output.exportName, Value: output.value }],
      ),
    );
    const page = pageOf(exports, input);
    return { Exports: page.items, NextToken: page.nextToken };
  }

  private describeStackResources(input: QueryInput): XmlResult {
    const stackName = optionalString(input, 'StackName');
    const physicalId = optionalString(input, 'PhysicalResourceId');
    const logicalId = optionalString(input, 'LogicalResourceId');
    let stack: StackRecord | undefined;
    if (stackName !== undefined && physicalId !== undefined) {
      throw validationError('Cannot specify both StackName and PhysicalResourceId');
    } else if (stackName !== undefined) {
      stack = this.stackNamed(stackName);
      if (stack === undefined) throw validationError(`Stack with id ${stackName} does not exist`);
    } else if (physicalId !== undefined) {
      stack = this.stacks.find((candidate) => candidate.resources.some((r) => r.physicalId === physicalId));
      if (stack === undefined) throw validationError(`Stack for ${physicalId} does not exist`);
    } else {
      throw validationError('Either StackName or PhysicalResourceId must be specified.');
    }
    const owner = stack;
    return {
      StackResources: owner.resources
        .filter((resource) => logicalId === undefined || resource.logicalId === logicalId)
        .slice(0, MAX_DESCRIBED_STACK_RESOURCES)
        .map((resource) => ({
          StackName: owner.name,
          StackId: owner.id,
          LogicalResourceId: resource.logicalId,
          PhysicalResourceId: resource.physicalId,
          ResourceType: resource.type,
          Timestamp: this.createdAt,
          ResourceStatus: CREATED,
          DriftInformation: { StackResourceDriftStatus: NOT_CHECKED },
        })),
    };
  }

  private describeStackResource(input: QueryInput): XmlResult {
    const stackName = requiredString(input, 'StackName');
    const logicalId = requiredString(input, 'LogicalResourceId');
    const stack = this.stackNamed(stackName);
    if (stack === undefined) throw validationError(`Stack '${stackName}' does not exist`);
    const resource = stack.resources.find((candidate) => candidate.logicalId === logicalId);
    if (resource === undefined) {
      throw validationError(`Resource ${logicalId} does not exist for stack ${stackName}`);
    }
    return {
      StackResourceDetail: {
        StackName: stack.name,
        StackId: stack.id,
        LogicalResourceId: resource.logicalId,
        PhysicalResourceId: resource.physicalId,
        ResourceType: resource.type,
        LastUpdatedTimestamp: this.createdAt,
        ResourceStatus: CREATED,
        Metadata: resource.metadata,
        DriftInformation: { StackResourceDriftStatus: NOT_CHECKED },
      },
    };
  }

  private listStackResources(input: QueryInput): XmlResult {
    const stackName = requiredString(input, 'StackName');
    const stack = this.stackNamed(stackName);
    if (stack === undefined) throw validationError(`Stack with id ${stackName} does not exist`);
    const page = pageOf(stack.resources, input);
    return {
      StackResourceSummaries: page.items.map((resource) => ({
        LogicalResourceId: resource.logicalId,
        PhysicalResourceId: resource.physicalId,
        ResourceType: resource.type,
        LastUpdatedTimestamp: this.createdAt,
        ResourceStatus: CREATED,
        DriftInformation: { StackResourceDriftStatus: NOT_CHECKED },
      })),
      NextToken: page.nextToken,
    };
  }

  private stackDescription(stack: StackRecord): XmlResult {
    return {
      StackId: stack.id,
      StackName: stack.name,
      Description: stack.description,
      Parameters:
        stack.parameters.length === 0
          ? undefined
          : stack.parameters.map(({ key, value }) => ({ ParameterKey: key, ParameterValue: value })),
      CreationTime: this.createdAt,
      LastUpdatedTime: this.createdAt,
      RollbackConfiguration: {},
      StackStatus: CREATED,
      DisableRollback: false,
      NotificationARNs: [],
      Outputs:
        stack.outputs.length === 0
          ? undefined
          : stack.outputs.map((output) => ({
              OutputKey: output.key,
              OutputValue: output.value,
              Description: output.description,
              ExportName: output.exportName,
            })),
      Tags: [],
      EnableTerminationProtection: false,
      DriftInformation: { StackDriftStatus: NOT_CHECKED },
    };
  }

  /** A stack by its name or its id (the ARN), as CloudFormation accepts either for a running stack. */
  private stackNamed(nameOrId: string): StackRecord | undefined {
    return this.stacks.find((stack) => stack.name === nameOrId || stack.id === nameOrId);
  }
}

function recordOf({ stackName, template, resolved }: LoadedStack): StackRecord {
  return {
    name: stackName,
    id: stackIdOf(stackName),
    ...(typeof template.Description === 'string' ? { description: template.Description } : {}),
    parameters: Object.entries(template.Parameters ?? {}).flatMap(([key, parameter]) => {
      if (parameter.Default === undefined) return [];
      const hidden = parameter.NoEcho === true || parameter.NoEcho === 'true';
      const value = Array.isArray(parameter.Default)
        ? parameter.Default.join(',')
        : String(parameter.Default);
      return [{ key, value: hidden ? '****' : value }];
    }),
    outputs: Object.entries(resolved.outputs).map(([key, value]) => {
      const description = template.Outputs?.[key]?.Description;
      const exportName = resolved.exportNames[key];
      return {
        key,
        value,
        ...(typeof description === 'string' ? { description } : {}),
        ...(exportName === undefined ? {} : { exportName }),
      };
    }),
    resources: Object.entries(resolved.resources).map(([logicalId, resource]) => ({
      logicalId,
      physicalId: resource.physicalId,
      type: resource.type,
      metadata: JSON.stringify(template.Resources[logicalId]?.Metadata ?? {}),
    })),
  };
}

function pageOf<T>(items: readonly T[], input: QueryInput): { items: T[]; nextToken?: string } {
  const token = optionalString(input, 'NextToken');
  return offsetPage(items, token, CLOUDFORMATION_PAGE_SIZE, () =>
    validationError(`Invalid NextToken: ${token ?? ''}`),
  );
}

function validationError(message: string): AwsServiceError {
  return new AwsServiceError('ValidationError', message);
}

function optionalString(input: QueryInput, key: string): string | undefined {
  const value: QueryValue | undefined = input[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw validationError(`The parameter ${key} must be a string.`);
  return value;
}

function requiredString(input: QueryInput, key: string): string {
  const value = optionalString(input, key);
  if (value === undefined) {
    throw validationError(
      `1 validation error detected: Value null at '${key.charAt(0).toLowerCase()}${key.slice(1)}' failed to ` +
        'satisfy constraint: Member must not be null',
    );
  }
  return value;
}

/** A list of strings: `Foo.member.N=…`, or `Foo=` for an empty one (as the SDK sends it). */
function stringList(input: QueryInput, key: string): string[] {
  const value: QueryValue | undefined = input[key];
  if (value === undefined || value === '') return [];
  if (Array.isArray(value) && value.every((item): item is string => typeof item === 'string')) return value;
  throw validationError(`The parameter ${key} must be a list of strings (${key}.member.N).`);
}
