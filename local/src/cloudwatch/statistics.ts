/**
 * CloudWatch's statistics over the datapoints of one period: `SampleCount`, `Sum`, `Average`, `Minimum`,
 * `Maximum` and the percentiles `pNN` / `pNN.NN`. Percentiles read the raw values only: as on AWS, values
 * sent as a statistic set (`StatisticValues`) carry no distribution.
 */
import { AwsServiceError } from '../aws-protocol';
import type { Datapoint } from './metric-store';

export const BASIC_STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;
export type BasicStatistic = (typeof BASIC_STATISTICS)[number];

const PERCENTILE = /^p(\d{1,2}(\.\d{1,10})?|100)$/;

export function isBasicStatistic(stat: string): stat is BasicStatistic {
  return (BASIC_STATISTICS as readonly string[]).includes(stat);
}

/** Throws `InvalidParameterValue` for a statistic the local CloudWatch cannot compute. */
export function checkStatistic(stat: string, member = 'Stat'): void {
  if (isBasicStatistic(stat) || PERCENTILE.test(stat)) return;
  throw new AwsServiceError(
    'InvalidParameterValue',
    `The value ${stat} for parameter ${member} is not supported locally: use SampleCount, Average, Sum, ` +
      'Minimum, Maximum or a percentile such as p99 or p99.9.',
  );
}

/** The statistic over the datapoints, or `undefined` when they hold no value (a missing datapoint). */
export function statisticOf(stat: string, datapoints: readonly Datapoint[]): number | undefined {
  checkStatistic(stat);
  let sampleCount = 0;
  let sum = 0;
  let minimum = Infinity;
  let maximum = -Infinity;
  for (const point of datapoints) {
    point.values.forEach((value, index) => {
      const count = point.counts[index] ?? 1;
      sampleCount += count;
      sum += value * count;
      if (value < minimum) minimum = value;
      if (value > maximum) maximum = value;
    });
    const set = point.statisticSet;
    if (set !== undefined) {
      sampleCount += set.sampleCount;
      sum += set.sum;
      minimum = Math.min(minimum, set.minimum);
      maximum = Math.max(maximum, set.maximum);
    }
  }
  if (sampleCount === 0) return undefined;
  switch (stat) {
    case 'SampleCount':
      return sampleCount;
    case 'Sum':
      return sum;
    case 'Average':
      return sum / sampleCount;
    case 'Minimum':
      return minimum;
    case 'Maximum':
      return maximum;
    default:
      return percentileOf(Number(stat.slice(1)), datapoints);
  }
}

/**
 * The nearest-rank percentile of the raw values, each weighted by its count: the smallest value with at
 * least `percent`% of the samples at or below it.
 */
export function percentileOf(percent: number, datapoints: readonly Datapoint[]): number | undefined {
  const weighted: { value: number; count: number }[] = [];
  for (const point of datapoints) {
    point.values.forEach((value, index) => weighted.push({ value, count: point.counts[index] ?? 1 }));
  }
  const total = weighted.reduce((sum, entry) => sum + entry.count, 0);
  if (total === 0) return undefined;
  weighted.sort((a, b) => a.value - b.value);
  const rank = Math.max(1, Math.ceil((percent / 100) * total));
  let seen = 0;
  for (const entry of weighted) {
    seen += entry.count;
    if (seen >= rank) return entry.value;
  }
  return weighted.at(-1)?.value;
}
