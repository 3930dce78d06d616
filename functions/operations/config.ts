/**
 * The only place the operations functions read `process.env`: each parses what it needs once per
 * container into a frozen object, and fails at start-up naming any missing variable.
 */
import * as z from 'zod';
import { parseEnv, requiredVariable, type Env } from '../../shared/config/env';
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

const TrafficHookEnv = z.object({
  [TRAFFIC_HOOK_STAGE_ENV]: z.enum(['before', 'after']),
  [TRAFFIC_HOOK_SMOKE_REQUESTS_ENV]: SmokeRequestsJson,
});

export interface TrafficHookConfig {
  readonly stage: 'before' | 'after';
  /** The smoke request of each function the hook may be asked about, by function name. */
  readonly smokeRequests: Readonly<Record<string, SmokeRequest>>;
}

/** For a CodeDeploy traffic hook. */
export function loadTrafficHookConfig(env: Env = process.env): TrafficHookConfig {
  const parsed = parseEnv('Traffic hook', TrafficHookEnv, env);
  return Object.freeze({
    stage: parsed[TRAFFIC_HOOK_STAGE_ENV],
    smokeRequests: Object.freeze(Object.fromEntries(parsed[TRAFFIC_HOOK_SMOKE_REQUESTS_ENV])),
  });
}

/** For the rollout's step function and the approval route. */
export function loadOperationsConfig(env: Env = process.env): OperationsConfig {
  const parsed = parseEnv('Operations', OperationsEnv, env);
  return Object.freeze({ tableName: parsed[OPERATIONS_TABLE_ENV] });
}
