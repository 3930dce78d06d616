import type { CheckInstanceHealth, HealthCheckReport } from '../application/check-instance-health';

export interface CheckHealthHandlerDependencies {
  readonly checkInstanceHealth: CheckInstanceHealth;
}

/** One health-check round, run by its schedule (an EventBridge rule); the scheduled event carries nothing it needs. */
export function makeHandler(deps: CheckHealthHandlerDependencies): () => Promise<HealthCheckReport> {
  return async () => deps.checkInstanceHealth();
}
