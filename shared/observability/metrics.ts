import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * One metrics instance per container, flushed as EMF; the namespace and service come from
 * `POWERTOOLS_METRICS_NAMESPACE` and `POWERTOOLS_SERVICE_NAME`, which `ServiceFunction` sets.
 */
export const metrics = new Metrics();

/** What `publishingMetrics` needs of a `Metrics`. */
export interface StoredMetrics {
  hasStoredMetrics(): boolean;
  publishStoredMetrics(): unknown;
}

/**
 * `handler`, publishing the metrics it stored (one EMF line) once it answers or throws: Powertools'
 * `logMetrics` without middy. Nothing is written for an invocation that counted nothing.
 */
export function publishingMetrics<A extends unknown[], R>(
  handler: (...args: A) => Promise<R>,
  store: StoredMetrics = metrics,
): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await handler(...args);
    } finally {
      if (store.hasStoredMetrics()) store.publishStoredMetrics();
    }
  };
}
