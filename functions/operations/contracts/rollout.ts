/**
 * The operations context's canary rollout: what the `CanaryRollout` state machine
 * (`infra/constructs/canary-rollout.ts`) is started with, what each call of the `rollout-step` function
 * takes and answers, the error names the state machine matches (`errorType` = the thrown error's
 * `name`), and the events it puts on the bus.
 */
import * as z from 'zod';

/** EventBridge `source` of the rollout's events. */
export const OPERATIONS_EVENT_SOURCE = 'shop.operations';

/** EventBridge `detail-type`s of the rollout's events. */
export const ROLLOUT_EVENTS = {
  stepCompleted: 'DeploymentStepCompleted',
  rolledBack: 'DeploymentRolledBack',
  succeeded: 'DeploymentSucceeded',
  drifted: 'DeploymentDrifted',
} as const;

/** How a rollout ended: the execution's output `outcome` and the events' `outcome`. */
export type RolloutOutcome = 'SUCCEEDED' | 'ROLLED_BACK' | 'DRIFTED';

/** Error names the state machine matches. */
export const ROLLOUT_ERRORS = {
  /** `Start` refused the request (`InvalidRolloutError`): nothing was written. */
  invalidRollout: 'InvalidRollout',
  /** A write found the alias changed under the controller, and not to what it meant to write. */
  aliasDrifted: 'AliasDrifted',
  /** Staff aborted the rollout at its approval (`SendTaskFailure`). */
  aborted: 'RolloutAborted',
} as const;

const name = z.string().min(1).max(140);
const version = z.string().min(1).max(32);
const percent = z.number().min(0).max(100);

/** The state machine's input: `StartExecution`'s, the execution's name becoming the rollout's id. */
export const RolloutRequestSchema = z.object({
  functionName: name,
  aliasName: z.string().min(1).max(128),
  targetVersion: version,
  alarmNames: z.array(z.string().min(1).max(255)),
  bakeSeconds: z.number().int().optional(),
  steps: z.array(z.number()).optional(),
  approvalAfterPercent: z.number().int().optional(),
});
export type RolloutRequestInput = z.infer<typeof RolloutRequestSchema>;

export const AliasRoutingSchema = z.object({
  functionVersion: version,
  weights: z.record(version, percent),
});

export const RolloutStateSchema = z.object({
  rolloutId: z.string().min(1).max(80),
  functionName: name,
  aliasName: z.string().min(1).max(128),
  originalVersion: version,
  targetVersion: version,
  alarmNames: z.array(z.string().min(1)),
  steps: z.array(z.number()),
  approvalAfterPercent: z.number(),
  bakeSeconds: z.number().int().nonnegative(),
  step: z.number().int().nonnegative(),
  weight: percent,
  approved: z.boolean(),
  expected: AliasRoutingSchema,
});

const ShiftDecisionSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('shift'),
    step: z.number().int().positive(),
    weight: percent,
    routing: AliasRoutingSchema,
  }),
  z.object({
    action: z.literal('promote'),
    step: z.number().int().positive(),
    weight: z.literal(100),
    routing: AliasRoutingSchema,
  }),
]);

export const RollbackReasonSchema = z.object({
  code: z.enum(['ALARM', 'ALARM_MISSING', 'APPROVAL_ABORTED', 'APPROVAL_TIMED_OUT', 'STEP_FAILED']),
  detail: z.string().max(32_768),
  alarms: z.array(z.string()).optional(),
});

/** Every call of the `rollout-step` function, by `step`. */
export const RolloutStepInputSchema = z.discriminatedUnion('step', [
  /** `{ step: start }` → `RolloutState`: reads the alias, checks the request, records the rollout. */
  z.object({
    step: z.literal('start'),
    rolloutId: z.string().min(1).max(80),
    request: RolloutRequestSchema,
    defaults: z.object({ bakeSeconds: z.number().int().nonnegative() }),
  }),
  /** `{ step: evaluate }` → `{ decision, revisionId }`: reads the alias and the alarms, decides. */
  z.object({ step: z.literal('evaluate'), rollout: RolloutStateSchema }),
  /** `{ step: shift }` → `RolloutState`: writes the decided routing, if the alias is still at `revisionId`. */
  z.object({
    step: z.literal('shift'),
    rollout: RolloutStateSchema,
    decision: ShiftDecisionSchema,
    revisionId: z.string().min(1),
  }),
  /** `{ step: request-approval }` (`.waitForTaskToken`) → `{}`: keeps the token for the approval route. */
  z.object({
    step: z.literal('request-approval'),
    rollout: RolloutStateSchema,
    // Step Functions task tokens are at most 2048 characters long.
    taskToken: z.string().min(1).max(2048),
  }),
  /** `{ step: roll-back }` → `RollbackResult`: the original version alone, unless the alias drifted. */
  z.object({ step: z.literal('roll-back'), rollout: RolloutStateSchema, reason: RollbackReasonSchema }),
]);
export type RolloutStepInput = z.infer<typeof RolloutStepInputSchema>;

/** What `roll-back` answers. */
export interface RollbackResult {
  readonly outcome: Extract<RolloutOutcome, 'ROLLED_BACK' | 'DRIFTED'>;
  /** What the alias said when the roll-back read it (or wrote, once rolled back). */
  readonly observed: z.infer<typeof AliasRoutingSchema>;
  /** What a person reads: what was done, or why the alias was left as it is. */
  readonly detail: string;
}

/** `POST /deployments/{rolloutId}/approval`'s body. */
export const RolloutApprovalBodySchema = z.strictObject({
  decision: z.enum(['approve', 'abort']),
  comment: z.string().trim().min(1).max(500).optional(),
});
