/**
 * The CodeDeploy requests the local engine reads, validated as CodeDeploy validates them (the lengths,
 * enums and formats of the API reference). CodeDeploy names the member at fault in the exception itself
 * (`ApplicationNameRequiredException`, `InvalidDeploymentIdException`, …) rather than answering a generic
 * validation error, so a request that fails is answered with the exception of its first failing member.
 */
import * as z from 'zod';
import { AwsServiceError } from '../aws-protocol';

export const DEPLOYMENT_STATUSES = [
  'Created',
  'Queued',
  'InProgress',
  'Baking',
  'Succeeded',
  'Failed',
  'Stopped',
  'Ready',
] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

export const AUTO_ROLLBACK_EVENTS = [
  'DEPLOYMENT_FAILURE',
  'DEPLOYMENT_STOP_ON_ALARM',
  'DEPLOYMENT_STOP_ON_REQUEST',
] as const;
export type AutoRollbackEvent = (typeof AUTO_ROLLBACK_EVENTS)[number];

export const TARGET_STATUSES = [
  'Pending',
  'InProgress',
  'Succeeded',
  'Failed',
  'Skipped',
  'Unknown',
  'Ready',
] as const;

/** `d-` and nine upper-case letters or digits, as CodeDeploy makes deployment ids. */
export const DEPLOYMENT_ID_PATTERN = /^d-[A-Z0-9]{9}$/;

const name = z.string().min(1).max(100);
const deploymentId = z
  .string()
  .min(1)
  .regex(DEPLOYMENT_ID_PATTERN, 'Specified DeploymentId is not in the valid format');
const nextToken = z.string().optional();

export const autoRollbackConfiguration = z.object({
  enabled: z.boolean().optional(),
  events: z.array(z.enum(AUTO_ROLLBACK_EVENTS)).optional(),
});

export const alarmConfiguration = z.object({
  enabled: z.boolean().optional(),
  ignorePollAlarmFailure: z.boolean().optional(),
  // At most 10 alarms per group or deployment, each named once.
  alarms: z
    .array(z.object({ name: z.string().min(1).max(255) }))
    .max(10)
    .refine((alarms) => new Set(alarms.map((alarm) => alarm.name)).size === alarms.length, {
      message: 'Each alarm name can be used only once in a list of alarms',
    })
    .optional(),
});

const rawString = z.object({ content: z.string().optional(), sha256: z.string().optional() });
export const revisionLocation = z.object({
  revisionType: z.enum(['S3', 'GitHub', 'String', 'AppSpecContent']),
  string: rawString.optional(),
  appSpecContent: rawString.optional(),
  s3Location: z.record(z.string(), z.unknown()).optional(),
  gitHubLocation: z.record(z.string(), z.unknown()).optional(),
});
export type RevisionLocation = z.infer<typeof revisionLocation>;

export const createDeploymentRequest = z.object({
  applicationName: name,
  deploymentGroupName: name,
  revision: revisionLocation,
  deploymentConfigName: name.optional(),
  description: z.string().max(5000).optional(),
  ignoreApplicationStopFailures: z.boolean().optional(),
  autoRollbackConfiguration: autoRollbackConfiguration.optional(),
  updateOutdatedInstancesOnly: z.boolean().optional(),
  overrideAlarmConfiguration: alarmConfiguration.optional(),
  targetInstances: z.unknown().optional(),
  fileExistsBehavior: z.enum(['DISALLOW', 'OVERWRITE', 'RETAIN']).optional(),
});
export type CreateDeploymentRequest = z.infer<typeof createDeploymentRequest>;

export const deploymentIdRequest = z.object({ deploymentId });

export const stopDeploymentRequest = z.object({
  deploymentId,
  autoRollbackEnabled: z.boolean().optional(),
});

export const putLifecycleEventHookExecutionStatusRequest = z.object({
  deploymentId,
  lifecycleEventHookExecutionId: z.string().min(1),
  // The API's enum is every lifecycle status, but a hook may only report these two.
  status: z.enum(['Succeeded', 'Failed'], {
    message: 'Only Succeeded and Failed can be set as a lifecycle event hook execution status',
  }),
});

const epochSeconds = z.number();
export const listDeploymentsRequest = z.object({
  applicationName: name.optional(),
  deploymentGroupName: name.optional(),
  externalId: z.string().optional(),
  includeOnlyStatuses: z.array(z.enum(DEPLOYMENT_STATUSES)).optional(),
  createTimeRange: z
    .object({ start: epochSeconds.optional(), end: epochSeconds.optional() })
    .refine(
      (range) => range.start === undefined || range.end === undefined || range.start <= range.end,
      'The start time must come before the end time',
    )
    .optional(),
  nextToken,
});
export type ListDeploymentsRequest = z.infer<typeof listDeploymentsRequest>;

export const applicationRequest = z.object({ applicationName: name });
export const listRequest = z.object({ nextToken });
export const listDeploymentGroupsRequest = z.object({ applicationName: name, nextToken });
export const deploymentGroupRequest = z.object({ applicationName: name, deploymentGroupName: name });
export const deploymentConfigRequest = z.object({ deploymentConfigName: name });

export const deploymentTargetRequest = z.object({ deploymentId, targetId: z.string().min(1) });
export const listDeploymentTargetsRequest = z.object({
  deploymentId,
  nextToken,
  targetFilters: z
    .partialRecord(z.enum(['TargetStatus', 'ServerInstanceLabel']), z.array(z.string()))
    .optional(),
});

/** The exceptions CodeDeploy answers for a member that is missing, and for one that is not valid. */
const MEMBER_EXCEPTIONS: Readonly<Record<string, { readonly missing: string; readonly invalid: string }>> = {
  applicationName: {
    missing: 'ApplicationNameRequiredException',
    invalid: 'InvalidApplicationNameException',
  },
  deploymentGroupName: {
    missing: 'DeploymentGroupNameRequiredException',
    invalid: 'InvalidDeploymentGroupNameException',
  },
  deploymentConfigName: {
    missing: 'DeploymentConfigNameRequiredException',
    invalid: 'InvalidDeploymentConfigNameException',
  },
  deploymentId: { missing: 'DeploymentIdRequiredException', invalid: 'InvalidDeploymentIdException' },
  targetId: { missing: 'DeploymentTargetIdRequiredException', invalid: 'InvalidDeploymentTargetIdException' },
  revision: { missing: 'RevisionRequiredException', invalid: 'InvalidRevisionException' },
  description: { missing: 'InvalidInputException', invalid: 'DescriptionTooLongException' },
  lifecycleEventHookExecutionId: {
    missing: 'InvalidLifecycleEventHookExecutionIdException',
    invalid: 'InvalidLifecycleEventHookExecutionIdException',
  },
  status: {
    missing: 'InvalidLifecycleEventHookExecutionStatusException',
    invalid: 'InvalidLifecycleEventHookExecutionStatusException',
  },
  includeOnlyStatuses: { missing: 'InvalidInputException', invalid: 'InvalidDeploymentStatusException' },
  createTimeRange: { missing: 'InvalidInputException', invalid: 'InvalidTimeRangeException' },
  nextToken: { missing: 'InvalidInputException', invalid: 'InvalidNextTokenException' },
  autoRollbackConfiguration: {
    missing: 'InvalidInputException',
    invalid: 'InvalidAutoRollbackConfigException',
  },
  overrideAlarmConfiguration: { missing: 'InvalidInputException', invalid: 'InvalidAlarmConfigException' },
  targetFilters: { missing: 'InvalidInputException', invalid: 'InvalidTargetFilterNameException' },
  fileExistsBehavior: { missing: 'InvalidInputException', invalid: 'InvalidFileExistsBehaviorException' },
};

/**
 * The request read by `schema`, or the CodeDeploy exception of its first failing member: its
 * `…RequiredException` when it is absent, its `Invalid…Exception` otherwise.
 */
export function readCodeDeployRequest<Schema extends z.ZodType>(
  schema: Schema,
  input: Record<string, unknown>,
): z.infer<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const member = String(issue?.path[0] ?? '');
  const exceptions = MEMBER_EXCEPTIONS[member];
  const absent = input[member] === undefined || input[member] === null;
  if (exceptions === undefined) {
    throw new AwsServiceError(
      'InvalidInputException',
      `${member || 'The request'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  if (absent) throw new AwsServiceError(exceptions.missing, `The ${member} is required.`);
  const value = input[member];
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  const message =
    member === 'deploymentId' && issue?.message === 'Specified DeploymentId is not in the valid format'
      ? `${issue.message}: ${shown}`
      : `The ${issue?.path.map(String).join('.') ?? member} is not valid (${issue?.message ?? 'invalid'}): ${shown}`;
  throw new AwsServiceError(exceptions.invalid, message);
}

/** What a Lambda AppSpec says: the alias to move between two versions, and the hook functions. */
export interface LambdaAppSpec {
  readonly resourceName: string;
  readonly functionName: string;
  readonly alias: string;
  readonly currentVersion: string;
  readonly targetVersion: string;
  readonly beforeAllowTraffic?: string;
  readonly afterAllowTraffic?: string;
}

const versionNumber = z.union([z.string().min(1), z.number()]).transform(String);
const lambdaAppSpec = z.object({
  version: z.union([z.number(), z.string()]),
  Resources: z
    .array(
      z
        .record(
          z.string(),
          z.object({
            Type: z.literal('AWS::Lambda::Function'),
            Properties: z.object({
              Name: z.string().min(1),
              Alias: z.string().min(1),
              CurrentVersion: versionNumber,
              TargetVersion: versionNumber,
            }),
          }),
        )
        .refine((resource) => Object.keys(resource).length === 1, 'Each resource has one name'),
    )
    // A Lambda deployment moves one alias of one function.
    .length(1, 'A Lambda AppSpec names exactly one AWS::Lambda::Function resource'),
  Hooks: z
    .array(
      z
        .partialRecord(z.enum(['BeforeAllowTraffic', 'AfterAllowTraffic']), z.string().min(1))
        .refine((hook) => Object.keys(hook).length === 1, 'Each hook names one lifecycle event'),
    )
    .optional(),
});

/**
 * The AppSpec of a Lambda revision (`AppSpecContent` or `String`), or `InvalidRevisionException`. JSON
 * only: YAML content is refused by name rather than misread.
 */
export function readLambdaAppSpec(revision: RevisionLocation): LambdaAppSpec {
  const content =
    revision.revisionType === 'AppSpecContent'
      ? revision.appSpecContent?.content
      : revision.revisionType === 'String'
        ? revision.string?.content
        : undefined;
  if (revision.revisionType === 'S3' || revision.revisionType === 'GitHub') {
    throw new AwsServiceError(
      'InvalidRevisionException',
      `The local CodeDeploy reads a Lambda AppSpec from the request (AppSpecContent or String), not from ${revision.revisionType}.`,
    );
  }
  if (content === undefined || content.trim() === '') {
    throw new AwsServiceError('InvalidRevisionException', 'The revision has no AppSpec content.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    throw new AwsServiceError(
      'InvalidRevisionException',
      'The AppSpec content is not JSON: the local CodeDeploy does not parse YAML AppSpec files; send the same AppSpec as JSON.',
    );
  }
  const result = lambdaAppSpec.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new AwsServiceError(
      'InvalidRevisionException',
      `The AppSpec is not a valid Lambda AppSpec at '${issue?.path.map(String).join('.') ?? ''}': ${issue?.message ?? 'invalid'}`,
    );
  }
  const [resourceName, resource] = Object.entries(result.data.Resources[0] ?? {})[0] ?? [];
  if (resourceName === undefined || resource === undefined) {
    throw new AwsServiceError('InvalidRevisionException', 'The AppSpec has no resource.');
  }
  const { Properties } = resource;
  if (Properties.CurrentVersion === Properties.TargetVersion) {
    throw new AwsServiceError(
      'InvalidRevisionException',
      `The AppSpec's CurrentVersion and TargetVersion are both ${Properties.CurrentVersion}.`,
    );
  }
  const hooks = Object.assign({}, ...(result.data.Hooks ?? [])) as Partial<
    Record<'BeforeAllowTraffic' | 'AfterAllowTraffic', string>
  >;
  return {
    resourceName,
    functionName: Properties.Name,
    alias: Properties.Alias,
    currentVersion: Properties.CurrentVersion,
    targetVersion: Properties.TargetVersion,
    ...(hooks.BeforeAllowTraffic === undefined ? {} : { beforeAllowTraffic: hooks.BeforeAllowTraffic }),
    ...(hooks.AfterAllowTraffic === undefined ? {} : { afterAllowTraffic: hooks.AfterAllowTraffic }),
  };
}
