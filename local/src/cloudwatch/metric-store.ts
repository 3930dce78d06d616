/**
 * The local CloudWatch's datapoints, in memory: what `PutMetricData`, the functions' embedded-metric-format
 * lines and the emulator's own service metrics record, and what queries and alarms read. Bounded twice, as a
 * long run must not grow the emulator without end: datapoints older than the retention are dropped, and past
 * `maxDatapoints` the oldest make room (how many did is counted).
 */

export interface Dimension {
  readonly Name: string;
  readonly Value: string;
}

/** A metric's identity: its namespace, name and dimensions (order does not matter, as on AWS). */
export interface MetricIdentity {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: readonly Dimension[];
}

/** Pre-aggregated values (`StatisticValues`): they count for every statistic but the percentiles. */
export interface StatisticSet {
  readonly sampleCount: number;
  readonly sum: number;
  readonly minimum: number;
  readonly maximum: number;
}

/** One recorded datapoint: values each seen `counts[i]` times, or a statistic set. */
export interface Datapoint {
  readonly timestampMs: number;
  readonly values: readonly number[];
  readonly counts: readonly number[];
  readonly statisticSet?: StatisticSet;
  readonly unit: string;
  /** 1 (high resolution) or 60. */
  readonly storageResolution: number;
}

export interface MetricDatumInput extends MetricIdentity {
  readonly timestampMs: number;
  readonly values?: readonly number[];
  readonly counts?: readonly number[];
  readonly statisticSet?: StatisticSet;
  readonly unit?: string;
  readonly storageResolution?: number;
}

export interface MetricStoreOptions {
  /** Datapoints kept across every metric; the oldest make room beyond it. @default 200_000 */
  readonly maxDatapoints?: number;
  /** How long a datapoint is kept, in milliseconds. @default 3 hours */
  readonly retentionMs?: number;
  /** @default Date.now */
  readonly clock?: () => number;
}

interface StoredMetric extends MetricIdentity {
  /** In insertion order; almost always time order, as datapoints arrive as they happen. */
  readonly datapoints: Datapoint[];
}

const DEFAULT_MAX_DATAPOINTS = 200_000;
const DEFAULT_RETENTION_MS = 3 * 60 * 60 * 1000;
const EXPIRY_SCAN_INTERVAL_MS = 10_000;

/** The key of a metric: its dimensions sorted by name, as CloudWatch treats them as a set. */
export function metricKey(metric: MetricIdentity): string {
  const dimensions = [...metric.dimensions]
    .sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0))
    .map((dimension) => [dimension.Name, dimension.Value]);
  return JSON.stringify([metric.namespace, metric.metricName, dimensions]);
}

export class MetricStore {
  private readonly metrics = new Map<string, StoredMetric>();
  private readonly maxDatapoints: number;
  private readonly retentionMs: number;
  private readonly clock: () => number;
  private datapointCount = 0;
  /** When `expire()` last scanned the store: alarms query every second, a scan each time would not do. */
  private lastExpiredAt = Number.NEGATIVE_INFINITY;
  private evictedCount = 0;

  constructor(options: MetricStoreOptions = {}) {
    this.maxDatapoints = options.maxDatapoints ?? DEFAULT_MAX_DATAPOINTS;
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.clock = options.clock ?? Date.now;
  }

  put(datum: MetricDatumInput): void {
    const key = metricKey(datum);
    let metric = this.metrics.get(key);
    if (metric === undefined) {
      metric = {
        namespace: datum.namespace,
        metricName: datum.metricName,
        dimensions: [...datum.dimensions],
        datapoints: [],
      };
      this.metrics.set(key, metric);
    }
    const values = datum.values ?? [];
    metric.datapoints.push({
      timestampMs: datum.timestampMs,
      values,
      counts: datum.counts ?? values.map(() => 1),
      ...(datum.statisticSet === undefined ? {} : { statisticSet: datum.statisticSet }),
      unit: datum.unit ?? 'None',
      storageResolution: datum.storageResolution ?? 60,
    });
    this.datapointCount++;
    if (this.datapointCount > this.maxDatapoints) this.evictOldest();
  }

  /** The metric's datapoints with `startMs <= timestamp < endMs`. */
  datapoints(metric: MetricIdentity, startMs: number, endMs: number): Datapoint[] {
    this.expire();
    const stored = this.metrics.get(metricKey(metric));
    if (stored === undefined) return [];
    return stored.datapoints.filter((point) => point.timestampMs >= startMs && point.timestampMs < endMs);
  }

  /** Every metric with a datapoint kept. */
  list(): MetricIdentity[] {
    this.expire();
    return [...this.metrics.values()].map(({ namespace, metricName, dimensions }) => ({
      namespace,
      metricName,
      dimensions,
    }));
  }

  /** The most recent datapoint time of the metric, if any. */
  latestTimestamp(metric: MetricIdentity): number | undefined {
    const stored = this.metrics.get(metricKey(metric));
    return stored?.datapoints.reduce<number | undefined>(
      (latest, point) => (latest === undefined || point.timestampMs > latest ? point.timestampMs : latest),
      undefined,
    );
  }

  get size(): number {
    return this.datapointCount;
  }

  /** Datapoints dropped to stay within `maxDatapoints` (expired ones are not counted). */
  get evicted(): number {
    return this.evictedCount;
  }

  private expire(): void {
    const now = this.clock();
    // Retention is hours: a datapoint kept up to a few seconds too long changes nothing a query sees,
    // as queries ask for recent windows, and eviction (`evictOldest`) still bounds the count.
    if (now - this.lastExpiredAt < EXPIRY_SCAN_INTERVAL_MS) return;
    this.lastExpiredAt = now;
    const oldestKept = now - this.retentionMs;
    for (const [key, metric] of this.metrics) {
      const kept = metric.datapoints.filter((point) => point.timestampMs >= oldestKept);
      if (kept.length === metric.datapoints.length) continue;
      this.datapointCount -= metric.datapoints.length - kept.length;
      if (kept.length === 0) this.metrics.delete(key);
      else metric.datapoints.splice(0, metric.datapoints.length, ...kept);
    }
  }

  /** Drops the oldest tenth of what is allowed, so eviction runs rarely rather than on every put. */
  private evictOldest(): void {
    this.expire();
    const excess = this.datapointCount - Math.floor(this.maxDatapoints * 0.9);
    if (excess <= 0) return;
    const all = [...this.metrics.values()].flatMap((metric) =>
      metric.datapoints.map((point) => point.timestampMs),
    );
    all.sort((a, b) => a - b);
    const cutoff = all[excess - 1] ?? -Infinity;
    let toDrop = excess;
    for (const [key, metric] of this.metrics) {
      const kept = metric.datapoints.filter((point) => {
        if (toDrop > 0 && point.timestampMs <= cutoff) {
          toDrop--;
          return false;
        }
        return true;
      });
      this.datapointCount -= metric.datapoints.length - kept.length;
      this.evictedCount += metric.datapoints.length - kept.length;
      if (kept.length === 0) this.metrics.delete(key);
      else metric.datapoints.splice(0, metric.datapoints.length, ...kept);
    }
  }
}
