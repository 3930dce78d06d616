import type { AppLogger } from '../../../shared/observability/app-logger';

/** An instance the health checker probes: one with a `healthUrl` attribute, in a service with a custom health check. */
export interface ProbedInstance {
  readonly serviceId: string;
  readonly serviceName: string;
  readonly instanceId: string;
  readonly healthUrl: string;
}

export type HealthStatus = 'HEALTHY' | 'UNHEALTHY';

/** The registry's side of health checking (AWS Cloud Map). */
export interface HealthRegistry {
  /** Every instance of the namespace that is health-checked by a custom checker and names a `healthUrl`. */
  probedInstances(): Promise<readonly ProbedInstance[]>;
  setHealth(instance: ProbedInstance, status: HealthStatus): Promise<void>;
}

/** `true` when the instance answered its health URL with a 2xx in time. */
export type Probe = (healthUrl: string) => Promise<boolean>;

export interface HealthCheckReport {
  readonly healthy: readonly string[];
  readonly unhealthy: readonly string[];
  /** Instances whose status could not be set (the next round tries again). */
  readonly failed: readonly string[];
}

export type CheckInstanceHealth = () => Promise<HealthCheckReport>;

/**
 * One round of the health checker: probes every instance at once and sets its custom health status in
 * the registry, so that discovery (`DiscoverInstances` with `HEALTHY`) stops handing out an instance
 * that does not answer, and hands it out again once it does.
 */
export function makeCheckInstanceHealth(deps: {
  readonly registry: HealthRegistry;
  readonly probe: Probe;
  readonly logger: AppLogger;
}): CheckInstanceHealth {
  return async () => {
    const instances = await deps.registry.probedInstances();
    const results = await Promise.all(
      instances.map(async (instance) => {
        const name = `${instance.serviceName}/${instance.instanceId}`;
        const status: HealthStatus = (await deps.probe(instance.healthUrl)) ? 'HEALTHY' : 'UNHEALTHY';
        try {
          await deps.registry.setHealth(instance, status);
          return { name, status };
        } catch (error) {
          deps.logger.warn('An instance health status could not be set', { instance: name, status, error });
          return { name, status: 'failed' as const };
        }
      }),
    );
    const report = {
      healthy: results.filter((result) => result.status === 'HEALTHY').map(({ name }) => name),
      unhealthy: results.filter((result) => result.status === 'UNHEALTHY').map(({ name }) => name),
      failed: results.filter((result) => result.status === 'failed').map(({ name }) => name),
    };
    if (report.unhealthy.length > 0) deps.logger.warn('Unhealthy instances', { ...report });
    else deps.logger.info('Every instance is healthy', { ...report });
    return report;
  };
}
