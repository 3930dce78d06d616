/**
 * The only place the operations functions read `process.env`: each parses what it needs once per
 * container into a frozen object, and fails at start-up naming any missing variable.
 */
import * as z from 'zod';
import { parseEnv, positiveInteger, requiredVariable, type Env } from '../../shared/config/env';
import { SMOKE_REQUESTS, TRAFFIC_HOOK_SMOKE_REQUESTS_ENV, type SmokeRequest } from './contracts/traffic-hook';

/** The operations table: one item per rollout, with its approval's task token. */
export const OPERATIONS_TABLE_ENV = 'OPERATIONS_TABLE';

const OperationsEnv = z.object({ [OPERATIONS_TABLE_ENV]: requiredVariable });

export interface OperationsConfig {
  readonly tableName: string;
}

/** Which traffic hook a hook function is: `before` or `after` the alias moves. */
export const TRAFFIC_HOOK_STAGE_ENV = 'TRAFFIC_HOOK_STAGE';

const SmokeRequestsJson = z
  .string({ error: 'is not set' })
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not JSON' });
      return z.NEVER;
    }
  })
  .pipe(
    z.array(z.tuple([z.string().min(1), z.enum(SMOKE_REQUESTS)]), {
      error: 'must be [functionName, smoke request] pairs',
    }),
  );

/** An after-traffic hook on the order path: the synthetic customer's parameter (contracts/synthetic-check). */
export const SYNTHETIC_CHECK_PARAMETER_ENV = 'SYNTHETIC_CHECK_PARAMETER';
/** How long the synthetic order may take to reach the read model. */
export const SYNTHETIC_CHECK_TIMEOUT_MS_ENV = 'SYNTHETIC_CHECK_TIMEOUT_MS';

const TrafficHookEnv = z.object({
  [TRAFFIC_HOOK_STAGE_ENV]: z.enum(['before', 'after']),
  [TRAFFIC_HOOK_SMOKE_REQUESTS_ENV]: SmokeRequestsJson,
  [SYNTHETIC_CHECK_PARAMETER_ENV]: requiredVariable.optional(),
  [SYNTHETIC_CHECK_TIMEOUT_MS_ENV]: positiveInteger(30_000),
});

export interface TrafficHookConfig {
  readonly stage: 'before' | 'after';
  /** The smoke request of each function the hook may be asked about, by function name. */
  readonly smokeRequests: Readonly<Record<string, SmokeRequest>>;
  /** Set on an after-traffic hook of the order path. */
  readonly syntheticOrder?: { readonly parameterName: string; readonly timeoutMs: number };
}

/** For a CodeDeploy traffic hook. */
export function loadTrafficHookConfig(env: Env = process.env): TrafficHookConfig {
  const parsed = parseEnv('Traffic hook', TrafficHookEnv, env);
  const parameterName = parsed[SYNTHETIC_CHECK_PARAMETER_ENV];
  return Object.freeze({
    stage: parsed[TRAFFIC_HOOK_STAGE_ENV],
    smokeRequests: Object.freeze(Object.fromEntries(parsed[TRAFFIC_HOOK_SMOKE_REQUESTS_ENV])),
    ...(parameterName === undefined
      ? {}
      : { syntheticOrder: { parameterName, timeoutMs: parsed[SYNTHETIC_CHECK_TIMEOUT_MS_ENV] } }),
  });
}

/** For the rollout's step function and the approval route. */
export function loadOperationsConfig(env: Env = process.env): OperationsConfig {
  const parsed = parseEnv('Operations', OperationsEnv, env);
  return Object.freeze({ tableName: parsed[OPERATIONS_TABLE_ENV] });
}
