/**
 * The Cloud Map requests the local engine reads, validated as Cloud Map validates them (lengths, patterns,
 * enums and ranges of the API reference); a request that fails is Cloud Map's `InvalidInput`.
 */
import * as z from 'zod';
import { AwsServiceError } from '../aws-protocol';
import { valueAt } from '../http/value-at';

export const HEALTH_FILTERS = ['HEALTHY', 'UNHEALTHY', 'ALL', 'HEALTHY_OR_ELSE_ALL'] as const;
export const CUSTOM_HEALTH_STATUSES = ['HEALTHY', 'UNHEALTHY'] as const;

/** A service or namespace id, or its ARN (Cloud Map takes both). */
const resourceId = z.string().min(1).max(255);
const instanceId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[0-9a-zA-Z_/:.@-]+$/);
const serviceName = z
  .string()
  .regex(
    /((?=^.{1,127}$)^([a-zA-Z0-9_][a-zA-Z0-9-_]{0,61}[a-zA-Z0-9_]|[a-zA-Z0-9])(\.([a-zA-Z0-9_][a-zA-Z0-9-_]{0,61}[a-zA-Z0-9_]|[a-zA-Z0-9]))*$)|(^\.$)/,
  );
const attributeKey = z
  .string()
  .max(255)
  .regex(/^[a-zA-Z0-9!-~]+$/);
const attributeValue = z.string().max(1024);
/** `DiscoverInstances`' filters: a value of printable characters, inner spaces and tabs allowed. */
const filterValue = z
  .string()
  .max(1024)
  .regex(/^([a-zA-Z0-9!-~][ \ta-zA-Z0-9!-~]*){0,1}[a-zA-Z0-9!-~]{0,1}$/);
const nextToken = z.string().max(4096).optional();
const pageSize = z.number().int().min(1).max(100).optional();

export const discoverInstancesRequest = z.object({
  NamespaceName: z.string().min(1).max(1024),
  ServiceName: serviceName,
  MaxResults: z.number().int().min(1).max(1000).optional(),
  QueryParameters: z.record(attributeKey, filterValue).optional(),
  OptionalParameters: z.record(attributeKey, filterValue).optional(),
  HealthStatus: z.enum(HEALTH_FILTERS).optional(),
  OwnerAccount: z.string().optional(),
});
export type DiscoverInstancesRequest = z.infer<typeof discoverInstancesRequest>;

export const discoverInstancesRevisionRequest = discoverInstancesRequest.pick({
  NamespaceName: true,
  ServiceName: true,
  OwnerAccount: true,
});

export const registerInstanceRequest = z.object({
  ServiceId: resourceId,
  InstanceId: instanceId,
  CreatorRequestId: z.string().max(64).optional(),
  // At most 30 attributes (Cloud Map's quota per instance).
  Attributes: z
    .record(attributeKey, attributeValue)
    .refine((attributes) => Object.keys(attributes).length <= 30, 'Member must have at most 30 entries'),
});
export type RegisterInstanceRequest = z.infer<typeof registerInstanceRequest>;

export const instanceRequest = z.object({ ServiceId: resourceId, InstanceId: instanceId });

export const listInstancesRequest = z.object({
  ServiceId: resourceId,
  MaxResults: pageSize,
  NextToken: nextToken,
});

export const getInstancesHealthStatusRequest = z.object({
  ServiceId: resourceId,
  Instances: z.array(instanceId).min(1).optional(),
  MaxResults: pageSize,
  NextToken: nextToken,
});

export const updateInstanceCustomHealthStatusRequest = z.object({
  ServiceId: resourceId,
  InstanceId: instanceId,
  Status: z.enum(CUSTOM_HEALTH_STATUSES),
});

export const idRequest = z.object({ Id: resourceId });
export const operationRequest = z.object({ OperationId: z.string().min(1).max(255) });

const filterCondition = z.enum(['EQ', 'IN', 'BETWEEN', 'BEGINS_WITH']).optional();
export const listNamespacesRequest = z.object({
  MaxResults: pageSize,
  NextToken: nextToken,
  Filters: z
    .array(
      z.object({
        Name: z.enum(['TYPE', 'NAME', 'HTTP_NAME', 'RESOURCE_OWNER']),
        Values: z.array(z.string()).min(1),
        Condition: filterCondition,
      }),
    )
    .optional(),
});
export type NamespaceFilter = NonNullable<z.infer<typeof listNamespacesRequest>['Filters']>[number];

export const listServicesRequest = z.object({
  MaxResults: pageSize,
  NextToken: nextToken,
  Filters: z
    .array(
      z.object({
        Name: z.enum(['NAMESPACE_ID', 'RESOURCE_OWNER']),
        Values: z.array(z.string()).min(1),
        Condition: filterCondition,
      }),
    )
    .optional(),
});
export type ServiceFilter = NonNullable<z.infer<typeof listServicesRequest>['Filters']>[number];

/** The request read by `schema`, or Cloud Map's `InvalidInput` naming the first member that fails. */
export function readRequest<Schema extends z.ZodType>(
  schema: Schema,
  input: Record<string, unknown>,
): z.infer<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const member = issue?.path.map(String).join('.') ?? '';
  const value = member === '' ? undefined : valueAt(input, issue?.path ?? []);
  throw new AwsServiceError(
    'InvalidInput',
    `1 validation error detected: Value ${value === undefined ? 'null' : `'${JSON.stringify(value)}'`} ` +
      `at '${member}' failed to satisfy constraint: ${issue?.message ?? 'invalid'}`,
  );
}
