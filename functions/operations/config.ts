/**
 * The only place the operations functions read `process.env`: each parses what it needs once per
 * container into a frozen object, and fails at start-up naming any missing variable.
 */
import * as z from 'zod';
import { parseEnv, requiredVariable, type Env } from '../../shared/config/env';

/** The operations table: one item per rollout, with its approval's task token. */
export const OPERATIONS_TABLE_ENV = 'OPERATIONS_TABLE';

const OperationsEnv = z.object({ [OPERATIONS_TABLE_ENV]: requiredVariable });

export interface OperationsConfig {
  readonly tableName: string;
}

/** Which traffic hook a hook function is: `before` or `after` the alias moves. */
export const TRAFFIC_HOOK_STAGE_ENV = 'TRAFFIC_HOOK_STAGE';

const TrafficHookEnv = z.object({ [TRAFFIC_HOOK_STAGE_ENV]: z.enum(['before', 'after']) });

/** For a CodeDeploy traffic hook. */
export function loadTrafficHookConfig(env: Env = process.env): { readonly stage: 'before' | 'after' } {
  const parsed = parseEnv('Traffic hook', TrafficHookEnv, env);
  return Object.freeze({ stage: parsed[TRAFFIC_HOOK_STAGE_ENV] });
}

/** For the rollout's step function and the approval route. */
export function loadOperationsConfig(env: Env = process.env): OperationsConfig {
  const parsed = parseEnv('Operations', OperationsEnv, env);
  return Object.freeze({ tableName: parsed[OPERATIONS_TABLE_ENV] });
}
