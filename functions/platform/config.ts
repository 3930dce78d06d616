/**
 * The only place the platform's functions read `process.env`, parsed once per container into a frozen
 * object; a missing variable fails the start naming itself.
 */
import * as z from 'zod';
import { parseEnv, positiveInteger, requiredVariable, type Env } from '../../shared/config/env';

const HealthCheckEnv = z.object({ NAMESPACE_ID: requiredVariable, PROBE_TIMEOUT_MS: positiveInteger(2_000) });

export interface HealthCheckConfig {
  /** The Cloud Map namespace whose instances are checked. */
  readonly namespaceId: string;
  /** Per probe of an instance's health URL. */
  readonly probeTimeoutMs: number;
}

export function loadHealthCheckConfig(env: Env = process.env): HealthCheckConfig {
  const parsed = parseEnv('Platform', HealthCheckEnv, env);
  return Object.freeze({ namespaceId: parsed.NAMESPACE_ID, probeTimeoutMs: parsed.PROBE_TIMEOUT_MS });
}
