/**
 * The body of `POST /_local/faults`: one fault, validated strictly (unknown keys are refused, so a typo
 * never silently sets a fault that does nothing).
 */
import * as z from 'zod';
import { DYNAMODB_FAULT_ERROR_CODES } from '../dynamodb/dynamodb-errors';
import { MAX_SEED } from './seeded-random';

const name = z.string().min(1).max(512);

/** A selector with at least one field set: an empty one would match everything by accident. */
function selector<Shape extends z.ZodRawShape>(shape: Shape) {
  return z
    .strictObject(shape)
    .refine((value: Readonly<Record<string, unknown>>) => Object.values(value).some((v) => v !== undefined), {
      message: `set at least one of ${Object.keys(shape).join(', ')}`,
    });
}

/**
 * A function by its name, a part of its (generated) name, or the start of its logical id; `version`
 * narrows it to the invocations that version runs (`$LATEST` or a published number), whether called
 * by that number or through an alias routed to it — a bad release, not the whole function.
 */
export const functionSelectorSchema = selector({
  name: name.optional(),
  nameContains: name.optional(),
  logicalIdPrefix: name.optional(),
  version: z
    .string()
    .regex(/^(\$LATEST|[1-9][0-9]*)$/, { error: 'must be $LATEST or a version number' })
    .optional(),
});

/** An event source mapping by its function and its source (table or queue), exactly or in part. */
export const eventSourceSelectorSchema = selector({
  functionName: name.optional(),
  functionNameContains: name.optional(),
  sourceName: name.optional(),
  sourceNameContains: name.optional(),
});

/** A rule target by its rule (name, part of it, bus) and the target (id, part of its ARN). */
export const ruleTargetSelectorSchema = selector({
  ruleName: name.optional(),
  ruleNameContains: name.optional(),
  busName: name.optional(),
  targetId: name.optional(),
  targetArnContains: name.optional(),
});

/** Which `PutEvents` entries may fail; every entry when absent. */
export const putEventsSelectorSchema = z.strictObject({
  busName: name.optional(),
  source: name.optional(),
  detailType: name.optional(),
});

/** A DynamoDB table by its name, a part of its (generated) name, or the start of its logical id. */
export const tableSelectorSchema = selector({
  tableName: name.optional(),
  tableNameContains: name.optional(),
  logicalIdPrefix: name.optional(),
});

/** A REST API by its name, a part of it or its id; one of its stages, or all of them. */
export const restApiSelectorSchema = z
  .strictObject({
    apiName: name.optional(),
    apiNameContains: name.optional(),
    apiId: name.optional(),
    stageName: name.optional(),
  })
  .refine(
    (value) =>
      value.apiName !== undefined || value.apiNameContains !== undefined || value.apiId !== undefined,
    { message: 'set at least one of apiName, apiNameContains, apiId' },
  );

const common = {
  /** 0 never injects, 1 always; each matching call draws once. */
  probability: z.number().min(0).max(1),
  /** Same seed and same calls, same decisions; a random seed is chosen (and reported) when absent. */
  seed: z.int().min(0).max(MAX_SEED).optional(),
  /** The fault stops injecting after this many injections. */
  maxCount: z.int().min(1).optional(),
  /** The fault stops injecting this long after it was set (a time window); at most a day. */
  durationMs: z.int().min(1).max(86_400_000).optional(),
};

const errorType = z.string().min(1).max(256);
const errorMessage = z.string().min(1).max(4096);
/** What DynamoDB answers a refused call with; see `dynamodb-errors.ts` for each one's status. */
const dynamoDbErrorCode = z.enum(DYNAMODB_FAULT_ERROR_CODES);
const delayMs = z.int().min(0).max(900_000);

export const faultSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('put-events-failure'),
    target: putEventsSelectorSchema.optional(),
    ...common,
    /** Both are retryable per-entry errors AWS documents for `PutEvents`. */
    errorCode: z.enum(['InternalFailure', 'ThrottlingException']).optional(),
    errorMessage: errorMessage.optional(),
  }),
  z.strictObject({
    kind: z.literal('function-error'),
    target: functionSelectorSchema,
    ...common,
    errorType: errorType.optional(),
    errorMessage: errorMessage.optional(),
  }),
  z.strictObject({
    kind: z.literal('function-timeout'),
    target: functionSelectorSchema,
    ...common,
  }),
  z.strictObject({
    kind: z.literal('function-latency'),
    target: functionSelectorSchema,
    ...common,
    /** Added before the handler runs; the function's own timeout starts after it. */
    latencyMs: z.int().min(1).max(900_000),
  }),
  z.strictObject({
    kind: z.literal('event-source-failure'),
    target: eventSourceSelectorSchema,
    ...common,
    errorType: errorType.optional(),
    errorMessage: errorMessage.optional(),
  }),
  z.strictObject({
    kind: z.literal('target-failure'),
    target: ruleTargetSelectorSchema,
    ...common,
    /** The dead-letter `ERROR_CODE`; AWS's codes include SDK_CLIENT_ERROR, THROTTLING, NO_PERMISSIONS. */
    errorCode: z
      .string()
      .regex(/^[A-Z][A-Z_]*$/, 'an upper-case code such as SDK_CLIENT_ERROR')
      .optional(),
    errorMessage: errorMessage.optional(),
    /** false: dead-lettered at once, as AWS does with a missing target or permission. */
    retryable: z.boolean().optional(),
  }),
  // Delivery chaos: what an at-least-once, unordered bus does to a consumer, on purpose.
  z.strictObject({
    kind: z.literal('delivery-duplicate'),
    target: ruleTargetSelectorSchema,
    ...common,
    /** Extra copies of a struck delivery, each a delivery of its own. */
    copies: z.int().min(1).max(5).optional(),
  }),
  z
    .strictObject({
      kind: z.literal('delivery-delay'),
      target: ruleTargetSelectorSchema,
      ...common,
      /** A struck delivery waits a seeded draw between the two. */
      minDelayMs: z.int().min(0).max(900_000),
      maxDelayMs: z.int().min(0).max(900_000),
    })
    .refine((spec) => spec.minDelayMs <= spec.maxDelayMs, {
      message: 'minDelayMs must not be above maxDelayMs',
      path: ['maxDelayMs'],
    }),
  z.strictObject({
    kind: z.literal('delivery-reorder'),
    target: ruleTargetSelectorSchema,
    ...common,
    /** A struck delivery is held until this many later deliveries to its target went through… */
    afterDeliveries: z.int().min(1).max(100).optional(),
    /** …or this long has passed, so a quiet target still gets it. */
    maxHoldMs: z.int().min(1).max(900_000).optional(),
  }),
  // DynamoDB tables, at the front the functions reach DynamoDB through.
  z.strictObject({
    kind: z.literal('table-write-failure'),
    target: tableSelectorSchema,
    ...common,
    errorCode: dynamoDbErrorCode.optional(),
    errorMessage: errorMessage.optional(),
  }),
  z.strictObject({
    kind: z.literal('table-write-drop'),
    target: tableSelectorSchema,
    ...common,
  }),
  z.strictObject({
    kind: z.literal('table-read-failure'),
    target: tableSelectorSchema,
    ...common,
    errorCode: dynamoDbErrorCode.optional(),
    errorMessage: errorMessage.optional(),
  }),
  z
    .strictObject({
      kind: z.literal('table-read-delay'),
      target: tableSelectorSchema,
      ...common,
      /** A fixed wait before the read is forwarded… */
      latencyMs: z.int().min(1).max(900_000).optional(),
      /** …or a seeded draw between these two. */
      minDelayMs: delayMs.optional(),
      maxDelayMs: delayMs.optional(),
    })
    .refine(
      (spec) =>
        spec.latencyMs === undefined
          ? spec.minDelayMs !== undefined && spec.maxDelayMs !== undefined
          : spec.minDelayMs === undefined && spec.maxDelayMs === undefined,
      { message: 'set either latencyMs, or both minDelayMs and maxDelayMs', path: ['latencyMs'] },
    )
    .refine((spec) => (spec.minDelayMs ?? 0) <= (spec.maxDelayMs ?? Number.MAX_SAFE_INTEGER), {
      message: 'minDelayMs must not be above maxDelayMs',
      path: ['maxDelayMs'],
    }),
  z.strictObject({
    kind: z.literal('api-unavailable'),
    target: restApiSelectorSchema,
    ...common,
  }),
]);

export type FaultSpec = z.infer<typeof faultSpecSchema>;
export type FaultKind = FaultSpec['kind'];
export type FunctionSelector = z.infer<typeof functionSelectorSchema>;
export type EventSourceSelector = z.infer<typeof eventSourceSelectorSchema>;
export type RuleTargetSelector = z.infer<typeof ruleTargetSelectorSchema>;
export type PutEventsSelector = z.infer<typeof putEventsSelectorSchema>;
export type TableSelector = z.infer<typeof tableSelectorSchema>;
export type RestApiSelector = z.infer<typeof restApiSelectorSchema>;

export interface ValidationDetail {
  /** Dotted path of the offending field (`target.name`); empty for the body itself. */
  readonly path: string;
  readonly message: string;
}

export type FaultSpecParse =
  | { readonly ok: true; readonly spec: FaultSpec }
  | { readonly ok: false; readonly details: readonly ValidationDetail[] };

export function parseFaultSpec(body: unknown): FaultSpecParse {
  const result = faultSpecSchema.safeParse(body);
  if (result.success) return { ok: true, spec: result.data };
  return {
    ok: false,
    details: result.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    })),
  };
}
