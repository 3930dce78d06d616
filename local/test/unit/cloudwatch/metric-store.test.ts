import { MetricStore } from '../../../src/cloudwatch/metric-store';
import { percentileOf, statisticOf } from '../../../src/cloudwatch/statistics';

const metric = {
  namespace: 'Shop',
  metricName: 'Latency',
  dimensions: [{ Name: 'service', Value: 'orders' }],
};

describe('MetricStore', () => {
  it('finds a metric whatever the order of its dimensions', () => {
    // Prepare
    const store = new MetricStore({ clock: () => 1_000 });
    const dimensions = [
      { Name: 'b', Value: '2' },
      { Name: 'a', Value: '1' },
    ];
    store.put({ namespace: 'Shop', metricName: 'X', dimensions, timestampMs: 500, values: [3] });

    // Act
    const points = store.datapoints(
      { namespace: 'Shop', metricName: 'X', dimensions: [...dimensions].reverse() },
      0,
      1_000,
    );

    // Assess
    expect(points.map((point) => point.values)).toEqual([[3]]);
  });

  it('keeps a metric of other dimensions apart', () => {
    // Prepare
    const store = new MetricStore({ clock: () => 1_000 });
    store.put({ ...metric, timestampMs: 500, values: [1] });

    // Act
    const points = store.datapoints({ ...metric, dimensions: [] }, 0, 1_000);

    // Assess
    expect(points).toEqual([]);
  });

  it('drops datapoints older than the retention', () => {
    // Prepare
    let now = 0;
    const store = new MetricStore({ clock: () => now, retentionMs: 1_000 });
    store.put({ ...metric, timestampMs: 0, values: [1] });
    store.put({ ...metric, timestampMs: 900, values: [2] });

    // Act
    now = 1_500;
    const points = store.datapoints(metric, 0, 2_000);

    // Assess
    expect(points.map((point) => point.values[0])).toEqual([2]);
    expect(store.size).toBe(1);
  });

  it('makes room by dropping the oldest datapoints past its bound, and counts them', () => {
    // Prepare
    const store = new MetricStore({ clock: () => 0, maxDatapoints: 10, retentionMs: Infinity });

    // Act
    for (let index = 0; index < 11; index++) store.put({ ...metric, timestampMs: index, values: [index] });

    // Assess
    expect(store.size).toBeLessThanOrEqual(10);
    expect(store.evicted).toBe(11 - store.size);
    expect(store.datapoints(metric, 0, 100).map((point) => point.values[0])).toContain(10);
    expect(store.datapoints(metric, 0, 100).map((point) => point.values[0])).not.toContain(0);
  });
});

describe('statistics', () => {
  const points = [
    { timestampMs: 0, values: [1, 2, 3], counts: [1, 1, 2], unit: 'Count', storageResolution: 60 },
    {
      timestampMs: 1,
      values: [],
      counts: [],
      statisticSet: { sampleCount: 2, sum: 10, minimum: 0, maximum: 8 },
      unit: 'Count',
      storageResolution: 60,
    },
  ];

  it.each([
    ['SampleCount', 6],
    ['Sum', 19],
    ['Average', 19 / 6],
    ['Minimum', 0],
    ['Maximum', 8],
  ])('computes %s over values with counts and statistic sets', (stat, expected) => {
    // Act
    const value = statisticOf(stat, points);

    // Assess
    expect(value).toBeCloseTo(expected);
  });

  it('computes nearest-rank percentiles over the raw values only, weighted by their counts', () => {
    // Prepare
    const hundred = [
      {
        timestampMs: 0,
        values: Array.from({ length: 100 }, (_, i) => i + 1),
        counts: Array.from({ length: 100 }, () => 1),
        unit: 'None',
        storageResolution: 60,
      },
    ];

    // Act & Assess
    expect(statisticOf('p50', hundred)).toBe(50);
    expect(statisticOf('p90', hundred)).toBe(90);
    expect(statisticOf('p99', hundred)).toBe(99);
    expect(statisticOf('p99.5', hundred)).toBe(100);
    // 1, 2, 3, 3: the second of four samples; the statistic set adds no samples to a percentile.
    expect(percentileOf(50, points)).toBe(2);
    expect(percentileOf(51, points)).toBe(3);
  });

  it('has no value for a period without datapoints', () => {
    // Act & Assess
    expect(statisticOf('Sum', [])).toBeUndefined();
  });

  it('refuses a statistic it cannot compute', () => {
    // Act & Assess
    expect(() => statisticOf('tm99', points)).toThrow(/not supported locally/);
  });
});
