import { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger } from '../observability/logger';
import { metrics } from '../observability/metrics';
import { tracedClient } from '../observability/tracer';
import { CloudMapDirectory } from './cloud-map-directory';
import { DiscoveredService } from './discovered-service';
import type { ServiceName } from './instance-directory';

/**
 * Counts every registry call of a function: `DiscoveryCalls`, or `DiscoveryFailures`, by the
 * `discoveredService` dimension (one EMF line each: they are rare, one per cache period).
 */
export const DISCOVERY_METRICS = { found: 'DiscoveryCalls', failed: 'DiscoveryFailures' } as const;

let client: ServiceDiscoveryClient | undefined;

/**
 * A registry call that cannot answer within this costs the caller at most two of them (one retry),
 * then the last instances found are used: discovery never holds a call up for long.
 */
const REGISTRY_CALL = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
} as const;

/**
 * What every function that calls another service runs with in Lambda: the service discovered in Cloud
 * Map through one traced client per container, its answers kept `cacheTtlMs`, its registry calls
 * counted (`DISCOVERY_METRICS`) and logged with the shared logger.
 */
export function cloudMapService(name: ServiceName, cacheTtlMs: number): DiscoveredService {
  client ??= tracedClient(new ServiceDiscoveryClient(REGISTRY_CALL));
  return new DiscoveredService({
    name,
    directory: new CloudMapDirectory({ client, logger }),
    cacheTtlMs,
    logger,
    onDiscovery: (outcome) => {
      const metric = metrics.singleMetric();
      metric.addDimension('discoveredService', name.service);
      metric.addMetric(DISCOVERY_METRICS[outcome], MetricUnit.Count, 1);
    },
  });
}
