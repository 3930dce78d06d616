/** Builds the platform functions' dependencies once per container, from their configuration. */
import { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { logger } from '../../shared/observability/logger';
import { tracedClient } from '../../shared/observability/tracer';
import { fetchWithTimeout } from '../../shared/resilience';
import { CloudMapHealthRegistry } from './adapters/cloud-map-health-registry';
import { makeCheckInstanceHealth, type Probe } from './application/check-instance-health';
import { loadHealthCheckConfig } from './config';
import type { CheckHealthHandlerDependencies } from './handlers/check-health';

/** A GET of the health URL that answers 2xx within the timeout. */
function httpProbe(timeoutMs: number): Probe {
  return async (healthUrl) => {
    try {
      const response = await fetchWithTimeout(healthUrl, { method: 'GET' }, timeoutMs);
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  };
}

export function checkHealthDependencies(): CheckHealthHandlerDependencies {
  const config = loadHealthCheckConfig();
  return {
    checkInstanceHealth: makeCheckInstanceHealth({
      registry: new CloudMapHealthRegistry({
        client: tracedClient(new ServiceDiscoveryClient({})),
        namespaceId: config.namespaceId,
      }),
      probe: httpProbe(config.probeTimeoutMs),
      logger,
    }),
  };
}
