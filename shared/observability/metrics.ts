import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

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

/** What a context's use cases are given to count one of its outcomes (its metric names), by reason or not. */
export type CountOutcome<Metric extends string> = (metric: Metric, reason?: string) => void;

/**
 * Counts one `metric` (a business outcome) with the invocation's metrics. With a `reason`, it is its own
 * EMF line with the dimension `reason`, so the invocation's other metrics keep only the service's.
 */
export function countOutcome(metric: string, reason?: string, store: Metrics = metrics): void {
  if (reason === undefined) {
    store.addMetric(metric, MetricUnit.Count, 1);
    return;
  }
  const single = store.singleMetric();
  single.addDimension('reason', reason);
  single.addMetric(metric, MetricUnit.Count, 1);
}
