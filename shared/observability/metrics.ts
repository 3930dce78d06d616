import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * One metrics instance per container, flushed as EMF; the namespace and service come from
 * `POWERTOOLS_METRICS_NAMESPACE` and `POWERTOOLS_SERVICE_NAME`, which `ServiceFunction` sets.
 */
export const metrics = new Metrics();
