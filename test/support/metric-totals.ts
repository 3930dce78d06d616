import {
  GetMetricDataCommand,
  ListMetricsCommand,
  type CloudWatchClient,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';

/** The app's metrics namespace (`POWERTOOLS_METRICS_NAMESPACE`, set by `ServiceFunction`). */
export const SHOP_NAMESPACE = 'Shop';

/**
 * What CloudWatch holds of `metricName`, summed over each of its dimension sets (a count by `reason`
 * is one metric per reason), from `since` on: read back through the CloudWatch API, as a dashboard would.
 * The first period starts at `since` rounded down to `periodSeconds`: a window that must leave out what
 * came just before it asks for 1-second periods (the local cloud keeps every datapoint as sent).
 */
export async function metricTotal(
  cloudWatch: CloudWatchClient,
  metricName: string,
  since: Date,
  periodSeconds = 60,
  namespace = SHOP_NAMESPACE,
): Promise<number> {
  const { Metrics: metrics = [] } = await cloudWatch.send(
    new ListMetricsCommand({ Namespace: namespace, MetricName: metricName }),
  );
  if (metrics.length === 0) return 0;
  const queries: MetricDataQuery[] = metrics.map((metric, index) => ({
    Id: `m${index}`,
    MetricStat: { Metric: metric, Period: periodSeconds, Stat: 'Sum' },
  }));
  const { MetricDataResults: results = [] } = await cloudWatch.send(
    new GetMetricDataCommand({
      MetricDataQueries: queries,
      StartTime: since,
      EndTime: new Date(Date.now() + 60_000),
    }),
  );
  return results.flatMap((result) => result.Values ?? []).reduce((sum, value) => sum + value, 0);
}

/** The outcomes the app counts as it goes (Powertools EMF → CloudWatch), which the saga tests check. */
export const COUNTED_OUTCOMES = [
  'OrdersPlaced',
  'OrdersPaid',
  'OrdersCancelled',
  'PaymentsCaptured',
] as const;
export type CountedOutcomes = Record<(typeof COUNTED_OUTCOMES)[number], number>;
/** What a run of orders must have counted of them exactly (the captures only have bounds). */
export type ExpectedOrderCounts = Pick<CountedOutcomes, 'OrdersPlaced' | 'OrdersPaid' | 'OrdersCancelled'>;

/** What the app has counted of each outcome since `since` (see `metricTotal`). */
export async function countedOutcomes(
  cloudWatch: CloudWatchClient,
  since: Date,
  periodSeconds = 60,
): Promise<CountedOutcomes> {
  const totals = await Promise.all(
    COUNTED_OUTCOMES.map((name) => metricTotal(cloudWatch, name, since, periodSeconds)),
  );
  return Object.fromEntries(
    COUNTED_OUTCOMES.map((name, index) => [name, totals[index] ?? 0]),
  ) as CountedOutcomes;
}

/**
 * What was counted since `since`, once the orders' counts are `expected` or after 15 s: the metric lines
 * of the functions that wrote the final states may still be on their way from the function logs.
 */
export async function countedSince(
  cloudWatch: CloudWatchClient,
  since: Date,
  expected: ExpectedOrderCounts,
  periodSeconds = 60,
): Promise<CountedOutcomes> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const counted = await countedOutcomes(cloudWatch, since, periodSeconds);
    if (outcomeCountProblems(counted, expected).length === 0 || Date.now() > deadline) return counted;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Each order counted once as placed and once as paid or cancelled, whatever was redelivered; each
 * payment captured once, so between the orders paid and the orders with a capture at the processor
 * (an order cancelled after its capture counts too) when `capturedOrders` is given.
 */
export function outcomeCountProblems(
  counted: CountedOutcomes,
  expected: ExpectedOrderCounts,
  { capturedOrders }: { readonly capturedOrders?: number } = {},
): string[] {
  const problems = Object.entries(expected).flatMap(([name, value]) => {
    const seen = counted[name as keyof ExpectedOrderCounts];
    return seen === value ? [] : [`the metric ${name} counted ${seen}, the run ${value}`];
  });
  const captured = counted.PaymentsCaptured;
  if (capturedOrders !== undefined && (captured < expected.OrdersPaid || captured > capturedOrders)) {
    problems.push(
      `the metric PaymentsCaptured counted ${captured}, not between the ${expected.OrdersPaid} orders ` +
        `paid and the ${capturedOrders} with a capture at the processor`,
    );
  }
  return problems;
}
