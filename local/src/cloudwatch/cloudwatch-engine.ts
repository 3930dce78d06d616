/**
 * The local CloudWatch: metrics (the `MetricStore`), metric and composite alarms evaluated on a timer,
 * their history and actions, and dashboards. One engine answers both protocols the clients speak (see
 * `cloudwatch-protocols.ts`); what it returns holds `Date`s, which each protocol writes its own way.
 *
 * Time scale: an alarm is evaluated every `Period × periodScale` seconds of real time, over its last
 * `EvaluationPeriods` windows of that length, so an alarm on 60-second periods fires within seconds
 * locally. Everything the API reports (the alarm's `Period`, `GetMetricData`'s periods) is unscaled.
 */
import {
  AwsServiceError,
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  localArn,
  XmlMap,
  type XmlValue,
} from '../aws-protocol';
import { BoundedLog } from '../cloud/bounded-log';
import { offsetPage } from '../http/offset-pages';
import {
  ANOMALY_BAND_OPERATORS,
  COMPARISON_OPERATORS,
  evaluateAlarm,
  TREAT_MISSING_DATA,
  type AlarmState,
  type ComparisonOperator,
  type TreatMissingData,
} from './alarm-evaluation';
import { alarmsOfRule, evaluateRule, parseAlarmRule, type RuleNode } from './composite-rule';
import {
  alarmNamesRequest,
  cloudWatchError,
  deleteDashboardsRequest,
  describeAlarmHistoryRequest,
  describeAlarmsRequest,
  getDashboardRequest,
  getMetricDataRequest,
  getMetricStatisticsRequest,
  listDashboardsRequest,
  listMetricsRequest,
  putCompositeAlarmRequest,
  putDashboardRequest,
  putMetricAlarmRequest,
  putMetricDataRequest,
  readCloudWatchRequest,
  setAlarmStateRequest,
  type MetricDataQuery,
  type MetricRequest,
  type PutCompositeAlarmRequest,
  type PutMetricAlarmRequest,
} from './cloudwatch-requests';
import { evaluateExpression, parseExpression, referencedIds, type Series } from './metric-math';
import { MetricStore, type Datapoint, type Dimension, type MetricIdentity } from './metric-store';
import { checkStatistic, isBasicStatistic, statisticOf } from './statistics';

/** One minute of CloudWatch time is one second locally. */
export const DEFAULT_PERIOD_SCALE = 1 / 60;
/** No alarm is evaluated more often than this, whatever its scaled period. */
const MIN_EVALUATION_INTERVAL_MS = 100;
/** How late a datapoint may be recorded and still count in its window. */
const MAX_LATENESS_MS = 250;
const HISTORY_SIZE = 5_000;
const LIST_METRICS_PAGE = 500;
const DESCRIBE_ALARMS_PAGE = 50;
const DESCRIBE_HISTORY_PAGE = 100;
const LIST_DASHBOARDS_PAGE = 1000;
/** `GetMetricData`'s limit on the datapoints of one call. */
const MAX_DATAPOINTS = 100_800;
const REGION_NAME = 'US East (N. Virginia)';

export interface AlarmNotification {
  /** The action's ARN (an SNS topic's, for the actions the local cloud runs). */
  readonly actionArn: string;
  readonly subject: string;
  /** The JSON message CloudWatch sends. */
  readonly message: string;
}

export interface CloudWatchEngineOptions {
  readonly store?: MetricStore;
  /** @default Date.now */
  readonly clock?: () => number;
  /** Real time per unit of CloudWatch time for alarm evaluation. @default DEFAULT_PERIOD_SCALE */
  readonly periodScale?: number;
  /** Evaluate each alarm on a timer; unit tests drive `evaluateAlarms()` instead. @default true */
  readonly evaluateOnTimer?: boolean;
  /** Runs an alarm action; throws when it cannot (the history records the failure). */
  readonly runAction?: (notification: AlarmNotification) => Promise<void> | void;
}

interface AlarmStatus {
  value: AlarmState;
  reason: string;
  reasonData?: string;
  updatedMs: number;
  transitionedMs: number;
}

interface AlarmActions {
  actionsEnabled: boolean;
  readonly okActions: readonly string[];
  readonly alarmActions: readonly string[];
  readonly insufficientDataActions: readonly string[];
}

/** What metric and composite alarms have alike: name, actions, state. */
interface AlarmBase extends AlarmActions {
  readonly name: string;
  readonly arn: string;
  readonly configurationUpdatedMs: number;
  status: AlarmStatus;
}

interface MetricAlarm extends AlarmBase {
  readonly kind: 'MetricAlarm';
  readonly request: PutMetricAlarmRequest;
  readonly period: number;
  readonly datapointsToAlarm: number;
  readonly comparisonOperator: ComparisonOperator;
  readonly treatMissingData: TreatMissingData;
  readonly threshold: number;
  timer?: NodeJS.Timeout;
}

interface CompositeAlarm extends AlarmBase {
  readonly kind: 'CompositeAlarm';
  readonly request: PutCompositeAlarmRequest;
  readonly rule: RuleNode;
}

type Alarm = MetricAlarm | CompositeAlarm;

interface HistoryItem {
  readonly AlarmName: string;
  readonly AlarmType: Alarm['kind'];
  readonly Timestamp: Date;
  readonly HistoryItemType: 'ConfigurationUpdate' | 'StateUpdate' | 'Action';
  readonly HistorySummary: string;
  readonly HistoryData: string;
}

interface Dashboard {
  readonly name: string;
  readonly body: string;
  readonly lastModifiedMs: number;
}

/** A result of `GetMetricData`. */
type MetricDataResult = {
  readonly Id: string;
  readonly Label: string;
  readonly Timestamps: Date[];
  readonly Values: number[];
  readonly StatusCode: 'Complete';
};

export class CloudWatchEngine {
  readonly store: MetricStore;
  private readonly alarms = new Map<string, Alarm>();
  private readonly dashboards = new Map<string, Dashboard>();
  private readonly history = new BoundedLog<HistoryItem>(HISTORY_SIZE);
  private readonly clock: () => number;
  private readonly periodScale: number;
  private readonly evaluateOnTimer: boolean;
  private readonly runAction: (notification: AlarmNotification) => Promise<void> | void;
  private closed = false;

  constructor(options: CloudWatchEngineOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.store = options.store ?? new MetricStore({ clock: this.clock });
    this.periodScale = options.periodScale ?? DEFAULT_PERIOD_SCALE;
    if (!(this.periodScale > 0 && this.periodScale <= 1)) {
      throw new RangeError(`The CloudWatch period scale must be in (0, 1], not ${this.periodScale}`);
    }
    this.evaluateOnTimer = options.evaluateOnTimer ?? true;
    this.runAction =
      options.runAction ??
      ((notification) => {
        throw new Error(`no local target runs ${notification.actionArn}`);
      });
  }

  async handle(
    operation: string,
    input: Readonly<Record<string, unknown>>,
  ): Promise<Record<string, XmlValue>> {
    switch (operation) {
      case 'PutMetricData':
        this.putMetricData(readCloudWatchRequest(putMetricDataRequest, input));
        return {};
      case 'GetMetricData':
        return this.getMetricData(readCloudWatchRequest(getMetricDataRequest, input));
      case 'GetMetricStatistics':
        return this.getMetricStatistics(readCloudWatchRequest(getMetricStatisticsRequest, input));
      case 'ListMetrics':
        return this.listMetrics(readCloudWatchRequest(listMetricsRequest, input));
      case 'PutMetricAlarm':
        this.putMetricAlarm(readCloudWatchRequest(putMetricAlarmRequest, input));
        return {};
      case 'PutCompositeAlarm':
        this.putCompositeAlarm(readCloudWatchRequest(putCompositeAlarmRequest, input));
        return {};
      case 'DescribeAlarms':
        return this.describeAlarms(readCloudWatchRequest(describeAlarmsRequest, input));
      case 'DescribeAlarmHistory':
        return this.describeAlarmHistory(readCloudWatchRequest(describeAlarmHistoryRequest, input));
      case 'SetAlarmState': {
        const request = readCloudWatchRequest(setAlarmStateRequest, input);
        const alarm = this.alarms.get(request.AlarmName);
        if (alarm === undefined) throw alarmNotFound(request.AlarmName);
        if (request.StateReasonData !== undefined) {
          try {
            JSON.parse(request.StateReasonData);
          } catch {
            throw cloudWatchError('InvalidFormat', 'StateReasonData is not valid JSON.');
          }
        }
        await this.transition(alarm, request.StateValue, request.StateReason, request.StateReasonData);
        return {};
      }
      case 'DeleteAlarms':
        this.deleteAlarms(readCloudWatchRequest(alarmNamesRequest, input).AlarmNames);
        return {};
      case 'EnableAlarmActions':
      case 'DisableAlarmActions':
        for (const name of readCloudWatchRequest(alarmNamesRequest, input).AlarmNames) {
          const alarm = this.alarms.get(name);
          if (alarm !== undefined) alarm.actionsEnabled = operation === 'EnableAlarmActions';
        }
        return {};
      case 'PutDashboard':
        return this.putDashboard(readCloudWatchRequest(putDashboardRequest, input));
      case 'GetDashboard': {
        const name = readCloudWatchRequest(getDashboardRequest, input).DashboardName;
        const dashboard = this.dashboards.get(name);
        if (dashboard === undefined) throw dashboardNotFound(name);
        return { DashboardArn: dashboardArn(name), DashboardBody: dashboard.body, DashboardName: name };
      }
      case 'ListDashboards':
        return this.listDashboards(readCloudWatchRequest(listDashboardsRequest, input));
      case 'DeleteDashboards': {
        const names = readCloudWatchRequest(deleteDashboardsRequest, input).DashboardNames;
        const missing = names.find((name) => !this.dashboards.has(name));
        if (missing !== undefined) throw dashboardNotFound(missing);
        for (const name of names) this.dashboards.delete(name);
        return {};
      }
      default:
        throw new AwsServiceError(
          'InvalidAction',
          `The local CloudWatch does not implement ${operation}: it emulates PutMetricData, GetMetricData, ` +
            'GetMetricStatistics, ListMetrics, PutMetricAlarm, PutCompositeAlarm, DescribeAlarms, ' +
            'DescribeAlarmHistory, SetAlarmState, DeleteAlarms, Enable/DisableAlarmActions and the dashboards.',
          400,
          'InvalidAction',
        );
    }
  }

  // ---- Metrics ------------------------------------------------------------------------------------

  private putMetricData(request: ReturnType<typeof putMetricDataRequest.parse>): void {
    const now = this.clock();
    for (const datum of request.MetricData) {
      const values = datum.Values ?? (datum.Value === undefined ? [] : [datum.Value]);
      if (datum.Counts !== undefined && datum.Counts.length !== values.length) {
        throw cloudWatchError(
          'InvalidParameterCombination',
          'The Values and Counts arrays must be of the same size.',
        );
      }
      if (datum.Value !== undefined && datum.Values !== undefined) {
        throw cloudWatchError('InvalidParameterCombination', 'Value and Values are mutually exclusive.');
      }
      if (values.length === 0 && datum.StatisticValues === undefined) {
        throw cloudWatchError(
          'MissingParameter',
          `MetricData ${datum.MetricName} has no Value, Values or StatisticValues.`,
        );
      }
      this.store.put({
        namespace: request.Namespace,
        metricName: datum.MetricName,
        dimensions: datum.Dimensions ?? [],
        timestampMs: datum.Timestamp ?? now,
        values,
        ...(datum.Counts === undefined ? {} : { counts: datum.Counts }),
        ...(datum.StatisticValues === undefined
          ? {}
          : {
              statisticSet: {
                sampleCount: datum.StatisticValues.SampleCount,
                sum: datum.StatisticValues.Sum,
                minimum: datum.StatisticValues.Minimum,
                maximum: datum.StatisticValues.Maximum,
              },
            }),
        ...(datum.Unit === undefined ? {} : { unit: datum.Unit }),
        ...(datum.StorageResolution === undefined ? {} : { storageResolution: datum.StorageResolution }),
      });
    }
  }

  private getMetricStatistics(
    request: ReturnType<typeof getMetricStatisticsRequest.parse>,
  ): Record<string, XmlValue> {
    const statistics = request.Statistics ?? [];
    const extended = request.ExtendedStatistics ?? [];
    if (statistics.length === 0 && extended.length === 0) {
      throw cloudWatchError('MissingParameter', 'Either Statistics or ExtendedStatistics must be given.');
    }
    for (const stat of extended) checkStatistic(stat, 'ExtendedStatistics');
    if (request.EndTime <= request.StartTime) {
      throw cloudWatchError('InvalidParameterValue', 'The parameter StartTime must be before EndTime.');
    }
    const metric = {
      namespace: request.Namespace,
      metricName: request.MetricName,
      dimensions: request.Dimensions ?? [],
    };
    const periodMs = request.Period * 1000;
    const buckets = this.bucketed(metric, request.StartTime, request.EndTime, periodMs, request.Unit);
    const datapoints = [...buckets].map(([start, points]) => {
      const entry: Record<string, XmlValue> = { Timestamp: new Date(start) };
      for (const stat of statistics) entry[stat] = statisticOf(stat, points);
      if (extended.length > 0) {
        entry.ExtendedStatistics = new XmlMap(
          Object.fromEntries(extended.map((stat) => [stat, statisticOf(stat, points)])),
        );
      }
      entry.Unit = request.Unit ?? points[0]?.unit ?? 'None';
      return entry;
    });
    return { Label: request.MetricName, Datapoints: datapoints };
  }

  /** The metric's datapoints in `[start, end)`, grouped by period (keyed by the period's start, in order). */
  private bucketed(
    metric: MetricIdentity,
    startMs: number,
    endMs: number,
    periodMs: number,
    unit?: string,
  ): Map<number, Datapoint[]> {
    const buckets = new Map<number, Datapoint[]>();
    const points = this.store
      .datapoints(metric, startMs, endMs)
      .filter((point) => unit === undefined || point.unit === unit)
      .sort((a, b) => a.timestampMs - b.timestampMs);
    for (const point of points) {
      const start = Math.floor(point.timestampMs / periodMs) * periodMs;
      const bucket = buckets.get(start);
      if (bucket === undefined) buckets.set(start, [point]);
      else bucket.push(point);
    }
    return buckets;
  }

  private getMetricData(request: ReturnType<typeof getMetricDataRequest.parse>): Record<string, XmlValue> {
    if (request.EndTime <= request.StartTime) {
      throw cloudWatchError('InvalidParameterValue', 'The parameter StartTime must be before EndTime.');
    }
    const period = gridPeriodOf(request.MetricDataQueries);
    const periodMs = period * 1000;
    const gridStart = Math.floor(request.StartTime / periodMs) * periodMs;
    const length = Math.ceil((request.EndTime - gridStart) / periodMs);
    if (length * request.MetricDataQueries.length > MAX_DATAPOINTS) {
      throw cloudWatchError(
        'InvalidParameterCombination',
        `The request asks for ${length} periods of ${request.MetricDataQueries.length} queries: more than ${MAX_DATAPOINTS} datapoints.`,
      );
    }
    const starts = Array.from({ length }, (_, index) => gridStart + index * periodMs);
    const results = this.evaluateQueries(request.MetricDataQueries, starts, periodMs);
    const descending = (request.ScanBy ?? 'TimestampDescending') === 'TimestampDescending';
    const output: MetricDataResult[] = [];
    for (const query of request.MetricDataQueries) {
      if (query.ReturnData === false) continue;
      for (const series of results.get(query.Id) ?? []) {
        const points = series
          .map((value, index) => ({ value, start: starts[index] ?? 0 }))
          .filter((point): point is { value: number; start: number } => point.value !== undefined);
        if (descending) points.reverse();
        output.push({
          Id: query.Id,
          Label: query.Label ?? query.MetricStat?.Metric.MetricName ?? query.Id,
          Timestamps: points.map((point) => new Date(point.start)),
          Values: points.map((point) => point.value),
          StatusCode: 'Complete',
        });
      }
    }
    return { MetricDataResults: output, Messages: [] };
  }

  /**
   * Every query's result over the periods starting at `starts`: a metric query's statistic per period, an
   * expression's value (one series, or several for an array). Expressions may read each other, in any order.
   */
  private evaluateQueries(
    queries: readonly MetricDataQuery[],
    starts: readonly number[],
    periodMs: number,
  ): Map<string, Series[]> {
    checkQueries(queries);
    const results = new Map<string, Series[]>();
    for (const query of queries) {
      if (query.MetricStat === undefined) continue;
      const { Metric, Stat, Unit } = query.MetricStat;
      checkStatistic(Stat, `MetricDataQueries.${query.Id}.MetricStat.Stat`);
      const metric = metricIdentityOf(Metric, query.Id);
      const first = starts[0] ?? 0;
      const buckets = this.bucketedFrom(
        metric,
        first,
        (starts.at(-1) ?? first) + periodMs,
        periodMs,
        first,
        Unit,
      );
      results.set(query.Id, [starts.map((_, index) => statisticOf(Stat, buckets.get(index) ?? []))]);
    }
    const expressions = queries.filter((query) => query.Expression !== undefined);
    const metricQueries = queries
      .filter((query) => query.MetricStat !== undefined)
      .map((query) => ({ id: query.Id, ...(query.Label === undefined ? {} : { label: query.Label }) }));
    const evaluating = new Set<string>();
    const evaluate = (query: MetricDataQuery): Series[] => {
      const known = results.get(query.Id);
      if (known !== undefined) return known;
      if (evaluating.has(query.Id)) {
        throw cloudWatchError(
          'ValidationError',
          `The expression of ${query.Id} refers to itself through other queries.`,
        );
      }
      evaluating.add(query.Id);
      const value = evaluateExpression(query.Expression ?? '', {
        length: starts.length,
        metricQueries,
        series: (id) => {
          const other = queries.find((candidate) => candidate.Id === id);
          if (other === undefined) return undefined;
          const [series] = evaluate(other);
          return series ?? starts.map(() => undefined);
        },
      });
      const series: Series[] =
        value.kind === 'scalar'
          ? [starts.map((_, index) => (index === starts.length - 1 ? value.value : undefined))]
          : value.kind === 'series'
            ? [value.values]
            : [...value.series];
      results.set(query.Id, series);
      return series;
    };
    for (const query of expressions) evaluate(query);
    return results;
  }

  /** Datapoints grouped by the index of their period on a grid starting at `gridStart`. */
  private bucketedFrom(
    metric: MetricIdentity,
    startMs: number,
    endMs: number,
    periodMs: number,
    gridStart: number,
    unit?: string,
  ): Map<number, Datapoint[]> {
    const buckets = new Map<number, Datapoint[]>();
    for (const point of this.store.datapoints(metric, startMs, endMs)) {
      if (unit !== undefined && point.unit !== unit) continue;
      const index = Math.floor((point.timestampMs - gridStart) / periodMs);
      const bucket = buckets.get(index);
      if (bucket === undefined) buckets.set(index, [point]);
      else bucket.push(point);
    }
    return buckets;
  }

  private listMetrics(request: ReturnType<typeof listMetricsRequest.parse>): Record<string, XmlValue> {
    const recentAfter = this.clock() - 3 * 60 * 60 * 1000;
    const metrics = this.store
      .list()
      .filter((metric) => request.Namespace === undefined || metric.namespace === request.Namespace)
      .filter((metric) => request.MetricName === undefined || metric.metricName === request.MetricName)
      .filter((metric) =>
        (request.Dimensions ?? []).every((filter) =>
          metric.dimensions.some(
            (dimension) =>
              dimension.Name === filter.Name &&
              (filter.Value === undefined || dimension.Value === filter.Value),
          ),
        ),
      )
      .filter(
        (metric) =>
          request.RecentlyActive === undefined || (this.store.latestTimestamp(metric) ?? 0) >= recentAfter,
      )
      .sort((a, b) =>
        `${a.namespace}\u0000${a.metricName}`.localeCompare(`${b.namespace}\u0000${b.metricName}`),
      );
    const page = offsetPage(metrics, request.NextToken, LIST_METRICS_PAGE, invalidNextToken);
    return {
      Metrics: page.items.map((metric) => ({
        Namespace: metric.namespace,
        MetricName: metric.metricName,
        Dimensions: metric.dimensions.map((dimension) => ({ Name: dimension.Name, Value: dimension.Value })),
      })),
      NextToken: page.nextToken,
    };
  }

  // ---- Alarms -------------------------------------------------------------------------------------

  /** Creates or replaces a metric alarm, as `PutMetricAlarm` (and the template's alarms) do. */
  putMetricAlarm(request: PutMetricAlarmRequest): void {
    const operator = request.ComparisonOperator;
    if ((ANOMALY_BAND_OPERATORS as readonly string[]).includes(operator)) {
      throw cloudWatchError(
        'InvalidParameterValue',
        `ComparisonOperator ${operator} compares with an anomaly detection band, which the local CloudWatch does not model.`,
      );
    }
    if (!(COMPARISON_OPERATORS as readonly string[]).includes(operator)) {
      throw cloudWatchError(
        'InvalidParameterValue',
        `ComparisonOperator ${operator} is not one of ${COMPARISON_OPERATORS.join(', ')}.`,
      );
    }
    const treatMissingData = request.TreatMissingData ?? 'missing';
    if (!(TREAT_MISSING_DATA as readonly string[]).includes(treatMissingData)) {
      throw cloudWatchError(
        'InvalidParameterValue',
        `TreatMissingData ${treatMissingData} is not one of ${TREAT_MISSING_DATA.join(', ')}.`,
      );
    }
    if (request.Threshold === undefined) {
      throw cloudWatchError(
        'MissingParameter',
        request.ThresholdMetricId !== undefined
          ? 'ThresholdMetricId compares with an anomaly detection band, which the local CloudWatch does not model.'
          : 'The parameter Threshold is required.',
      );
    }
    const period = this.checkAlarmMetric(request);
    const datapointsToAlarm = request.DatapointsToAlarm ?? request.EvaluationPeriods;
    if (datapointsToAlarm > request.EvaluationPeriods) {
      throw cloudWatchError(
        'InvalidParameterCombination',
        'DatapointsToAlarm must be at most EvaluationPeriods.',
      );
    }
    if (period * request.EvaluationPeriods > 7 * 24 * 60 * 60) {
      throw cloudWatchError(
        'InvalidParameterCombination',
        'Period × EvaluationPeriods must be at most one week.',
      );
    }
    const previous = this.alarms.get(request.AlarmName);
    if (previous?.kind === 'CompositeAlarm') {
      throw cloudWatchError('InvalidParameterCombination', `${request.AlarmName} is a composite alarm.`);
    }
    if (previous?.kind === 'MetricAlarm' && previous.timer) clearInterval(previous.timer);
    const alarm: MetricAlarm = {
      kind: 'MetricAlarm',
      ...this.alarmBase(request, previous),
      request,
      period,
      datapointsToAlarm,
      comparisonOperator: operator as ComparisonOperator,
      treatMissingData: treatMissingData as TreatMissingData,
      threshold: request.Threshold,
    };
    this.keepAlarm(alarm, previous);
    if (this.evaluateOnTimer && !this.closed) {
      const interval = Math.max(MIN_EVALUATION_INTERVAL_MS, period * 1000 * this.periodScale);
      alarm.timer = setInterval(() => void this.evaluateMetricAlarm(alarm).catch(() => undefined), interval);
      alarm.timer.unref();
    }
  }

  /** The alarm's period; throws for a metric (or metric math) AWS would refuse. */
  private checkAlarmMetric(request: PutMetricAlarmRequest): number {
    if (request.Metrics !== undefined && request.Metrics.length > 0) {
      if (request.MetricName !== undefined || request.Namespace !== undefined) {
        throw cloudWatchError(
          'InvalidParameterCombination',
          'Metrics and MetricName/Namespace are mutually exclusive.',
        );
      }
      const returned = request.Metrics.filter((query) => query.ReturnData !== false);
      if (returned.length !== 1) {
        throw cloudWatchError(
          'ValidationError',
          'Exactly one element of the metrics list should return data (ReturnData true).',
        );
      }
      checkQueries(request.Metrics);
      for (const query of request.Metrics) {
        if (query.MetricStat) checkStatistic(query.MetricStat.Stat, `Metrics.${query.Id}.MetricStat.Stat`);
      }
      return gridPeriodOf(request.Metrics);
    }
    if (request.MetricName === undefined || request.Namespace === undefined) {
      throw cloudWatchError('MissingParameter', 'A metric alarm needs MetricName and Namespace, or Metrics.');
    }
    if ((request.Statistic === undefined) === (request.ExtendedStatistic === undefined)) {
      throw cloudWatchError(
        'InvalidParameterCombination',
        'Exactly one of Statistic and ExtendedStatistic must be given.',
      );
    }
    if (request.ExtendedStatistic !== undefined) {
      checkStatistic(request.ExtendedStatistic, 'ExtendedStatistic');
      if (isBasicStatistic(request.ExtendedStatistic)) {
        throw cloudWatchError(
          'InvalidParameterValue',
          `ExtendedStatistic ${request.ExtendedStatistic} is a Statistic.`,
        );
      }
    }
    if (request.Period === undefined || request.Period < 1) {
      throw cloudWatchError('MissingParameter', 'The parameter Period is required.');
    }
    if (request.Period < 60 && ![10, 20, 30].includes(request.Period)) {
      throw cloudWatchError('InvalidParameterValue', 'Period must be 10, 20, 30 or a multiple of 60.');
    }
    if (request.Period >= 60 && request.Period % 60 !== 0) {
      throw cloudWatchError('InvalidParameterValue', 'Period must be 10, 20, 30 or a multiple of 60.');
    }
    return request.Period;
  }

  putCompositeAlarm(request: PutCompositeAlarmRequest): void {
    const rule = parseAlarmRule(request.AlarmRule);
    const previous = this.alarms.get(request.AlarmName);
    if (previous?.kind === 'MetricAlarm') {
      throw cloudWatchError('InvalidParameterCombination', `${request.AlarmName} is a metric alarm.`);
    }
    for (const child of alarmsOfRule(rule)) {
      if (child === request.AlarmName) {
        throw cloudWatchError(
          'InvalidParameterValue',
          `The rule of ${request.AlarmName} names the alarm itself.`,
        );
      }
      if (!this.alarms.has(child)) {
        throw cloudWatchError(
          'InvalidParameterValue',
          `The alarm rule names ${child}, which does not exist.`,
        );
      }
    }
    const alarm: CompositeAlarm = {
      kind: 'CompositeAlarm',
      ...this.alarmBase(request, previous),
      request,
      rule,
    };
    this.keepAlarm(alarm, previous);
    void this.evaluateComposite(alarm).catch(() => undefined);
  }

  /** Name, actions and state of an alarm being put: a new one starts INSUFFICIENT_DATA, an update keeps its state. */
  private alarmBase(
    request: PutMetricAlarmRequest | PutCompositeAlarmRequest,
    previous: Alarm | undefined,
  ): AlarmBase {
    const now = this.clock();
    return {
      name: request.AlarmName,
      arn: alarmArn(request.AlarmName),
      configurationUpdatedMs: now,
      actionsEnabled: request.ActionsEnabled ?? true,
      okActions: request.OKActions ?? [],
      alarmActions: request.AlarmActions ?? [],
      insufficientDataActions: request.InsufficientDataActions ?? [],
      status: previous?.status ?? {
        value: 'INSUFFICIENT_DATA',
        reason: 'Unchecked: Initial alarm creation',
        updatedMs: now,
        transitionedMs: now,
      },
    };
  }

  /** Keeps the alarm put, with its configuration change in the history. */
  private keepAlarm(alarm: Alarm, previous: Alarm | undefined): void {
    this.alarms.set(alarm.name, alarm);
    this.record(alarm, 'ConfigurationUpdate', `Alarm "${alarm.name}" ${previous ? 'updated' : 'created'}`, {
      version: '1.0',
      type: previous ? 'Update' : 'Create',
    });
  }

  /** Evaluates every metric alarm now (what the timers do, each on its own period). */
  async evaluateAlarms(): Promise<void> {
    for (const alarm of [...this.alarms.values()]) {
      if (alarm.kind === 'MetricAlarm') await this.evaluateMetricAlarm(alarm);
    }
  }

  /** The state of every alarm, for `/_local/alarms`. */
  alarmStates(): { name: string; type: Alarm['kind']; state: AlarmState; reason: string; updated: string }[] {
    return [...this.alarms.values()].map((alarm) => ({
      name: alarm.name,
      type: alarm.kind,
      state: alarm.status.value,
      reason: alarm.status.reason,
      updated: new Date(alarm.status.updatedMs).toISOString(),
    }));
  }

  private async evaluateMetricAlarm(alarm: MetricAlarm): Promise<void> {
    if (this.closed || this.alarms.get(alarm.name) !== alarm) return;
    const windowMs = alarm.period * 1000 * this.periodScale;
    const now = this.clock();
    const count = alarm.request.EvaluationPeriods;
    // The windows end a little before now, as CloudWatch waits for late datapoints: a datapoint stamped
    // just before an evaluation and recorded just after it still falls in a window evaluated later.
    const end = now - Math.min(windowMs / 4, MAX_LATENESS_MS);
    const starts = Array.from({ length: count }, (_, index) => end - (count - index) * windowMs);
    const values = this.windowValues(alarm, starts, windowMs);
    const result = evaluateAlarm({
      values,
      periodStarts: starts,
      threshold: alarm.threshold,
      comparisonOperator: alarm.comparisonOperator,
      datapointsToAlarm: alarm.datapointsToAlarm,
      treatMissingData: alarm.treatMissingData,
      currentState: alarm.status.value,
    });
    alarm.status.updatedMs = now;
    if (result.state === alarm.status.value) return;
    const reasonData = JSON.stringify({
      version: '1.0',
      queryDate: isoWithOffset(now),
      startDate: isoWithOffset(starts[0] ?? now),
      ...(alarm.request.Statistic === undefined ? {} : { statistic: alarm.request.Statistic }),
      period: alarm.period,
      recentDatapoints: result.recentDatapoints,
      threshold: alarm.threshold,
      evaluatedDatapoints: values
        .map((value, index) => ({
          timestamp: isoWithOffset(starts[index] ?? now),
          ...(value === undefined ? {} : { value }),
        }))
        .reverse(),
    });
    await this.transition(alarm, result.state, result.reason, reasonData);
  }

  /** The alarm's value in each window: its metric's statistic, or its metric math's returned series. */
  private windowValues(
    alarm: MetricAlarm,
    starts: readonly number[],
    windowMs: number,
  ): (number | undefined)[] {
    const request = alarm.request;
    if (request.Metrics !== undefined && request.Metrics.length > 0) {
      const results = this.evaluateQueries(request.Metrics, starts, windowMs);
      const returned = request.Metrics.find((query) => query.ReturnData !== false);
      const [series] = results.get(returned?.Id ?? '') ?? [];
      return starts.map((_, index) => series?.[index]);
    }
    const metric = {
      namespace: request.Namespace ?? '',
      metricName: request.MetricName ?? '',
      dimensions: request.Dimensions ?? [],
    };
    const stat = request.Statistic ?? request.ExtendedStatistic ?? 'Average';
    const first = starts[0] ?? 0;
    const buckets = this.bucketedFrom(
      metric,
      first,
      (starts.at(-1) ?? first) + windowMs,
      windowMs,
      first,
      request.Unit,
    );
    return starts.map((_, index) => statisticOf(stat, buckets.get(index) ?? []));
  }

  private async evaluateComposite(alarm: CompositeAlarm): Promise<void> {
    if (this.alarms.get(alarm.name) !== alarm) return;
    const holds = evaluateRule(alarm.rule, (name) => this.alarms.get(name)?.status.value);
    const state: AlarmState = holds ? 'ALARM' : 'OK';
    if (state === alarm.status.value) return;
    const children = alarmsOfRule(alarm.rule).flatMap((name) => {
      const child = this.alarms.get(name);
      return child === undefined ? [] : [{ arn: child.arn, state: { value: child.status.value } }];
    });
    const reason = holds
      ? `arn:aws:cloudwatch:${LOCAL_REGION}:${LOCAL_ACCOUNT}:alarm rule ${alarm.request.AlarmRule} evaluated to TRUE`
      : `alarm rule ${alarm.request.AlarmRule} evaluated to FALSE`;
    await this.transition(alarm, state, reason, JSON.stringify({ triggeringAlarms: children }));
  }

  /** Records a state change, runs its actions, and re-evaluates the composite alarms over this one. */
  private async transition(
    alarm: Alarm,
    state: AlarmState,
    reason: string,
    reasonData?: string,
  ): Promise<void> {
    const now = this.clock();
    const old = { ...alarm.status };
    alarm.status = {
      value: state,
      reason,
      ...(reasonData === undefined ? {} : { reasonData }),
      updatedMs: now,
      transitionedMs: state === old.value ? old.transitionedMs : now,
    };
    this.record(alarm, 'StateUpdate', `Alarm updated from ${old.value} to ${state}`, {
      version: '1.0',
      oldState: { stateValue: old.value, stateReason: old.reason },
      newState: {
        stateValue: state,
        stateReason: reason,
        ...(reasonData === undefined ? {} : { stateReasonData: JSON.parse(reasonData) as unknown }),
      },
    });
    if (alarm.actionsEnabled) {
      const actions =
        state === 'ALARM'
          ? alarm.alarmActions
          : state === 'OK'
            ? alarm.okActions
            : alarm.insufficientDataActions;
      const message = this.notificationOf(alarm, old.value, now);
      for (const actionArn of actions) {
        try {
          await this.runAction({ actionArn, subject: subjectOf(state, alarm.name), message });
          this.record(alarm, 'Action', `Successfully executed action ${actionArn}`, {
            actionState: 'Succeeded',
            notificationResource: actionArn,
            stateUpdateTimestamp: now,
          });
        } catch (error) {
          this.record(alarm, 'Action', `Failed to execute action ${actionArn}`, {
            actionState: 'Failed',
            notificationResource: actionArn,
            stateUpdateTimestamp: now,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
    }
    for (const parent of this.parentsOf(alarm.name)) await this.evaluateComposite(parent);
  }

  private parentsOf(name: string): CompositeAlarm[] {
    return [...this.alarms.values()].filter(
      (candidate): candidate is CompositeAlarm =>
        candidate.kind === 'CompositeAlarm' && alarmsOfRule(candidate.rule).includes(name),
    );
  }

  /** The JSON CloudWatch publishes to an alarm's SNS topics. */
  private notificationOf(alarm: Alarm, oldState: AlarmState, now: number): string {
    const common = {
      AlarmName: alarm.name,
      AlarmDescription: alarm.request.AlarmDescription ?? null,
      AWSAccountId: LOCAL_ACCOUNT,
      AlarmConfigurationUpdatedTimestamp: isoWithOffset(alarm.configurationUpdatedMs),
      NewStateValue: alarm.status.value,
      NewStateReason: alarm.status.reason,
      StateChangeTime: isoWithOffset(now),
      Region: REGION_NAME,
      AlarmArn: alarm.arn,
      OldStateValue: oldState,
      OKActions: alarm.okActions,
      AlarmActions: alarm.alarmActions,
      InsufficientDataActions: alarm.insufficientDataActions,
    };
    if (alarm.kind === 'CompositeAlarm') {
      const children = alarmsOfRule(alarm.rule).flatMap((name) => {
        const child = this.alarms.get(name);
        return child === undefined
          ? []
          : [
              {
                arn: child.arn,
                state: { value: child.status.value, timestamp: isoWithOffset(child.status.updatedMs) },
              },
            ];
      });
      return JSON.stringify({ ...common, AlarmRule: alarm.request.AlarmRule, TriggeringChildren: children });
    }
    const request = alarm.request;
    const trigger =
      request.Metrics !== undefined && request.Metrics.length > 0
        ? {
            Period: alarm.period,
            EvaluationPeriods: request.EvaluationPeriods,
            DatapointsToAlarm: alarm.datapointsToAlarm,
            ComparisonOperator: alarm.comparisonOperator,
            Threshold: alarm.threshold,
            TreatMissingData: alarm.treatMissingData,
            EvaluateLowSampleCountPercentile: request.EvaluateLowSampleCountPercentile ?? '',
            Metrics: request.Metrics.map((query) => ({
              Id: query.Id,
              ...(query.Expression === undefined ? {} : { Expression: query.Expression }),
              ...(query.Label === undefined ? {} : { Label: query.Label }),
              ...(query.MetricStat === undefined
                ? {}
                : {
                    MetricStat: {
                      Metric: {
                        Dimensions: (query.MetricStat.Metric.Dimensions ?? []).map(lowerCaseDimension),
                        MetricName: query.MetricStat.Metric.MetricName,
                        Namespace: query.MetricStat.Metric.Namespace,
                      },
                      Period: query.MetricStat.Period,
                      Stat: query.MetricStat.Stat,
                      ...(query.MetricStat.Unit === undefined ? {} : { Unit: query.MetricStat.Unit }),
                    },
                  }),
              ReturnData: query.ReturnData !== false,
            })),
          }
        : {
            MetricName: request.MetricName,
            Namespace: request.Namespace,
            StatisticType: request.Statistic === undefined ? 'ExtendedStatistic' : 'Statistic',
            Statistic: (request.Statistic ?? request.ExtendedStatistic ?? '').toUpperCase(),
            Unit: request.Unit ?? null,
            Dimensions: (request.Dimensions ?? []).map(lowerCaseDimension),
            Period: alarm.period,
            EvaluationPeriods: request.EvaluationPeriods,
            DatapointsToAlarm: alarm.datapointsToAlarm,
            ComparisonOperator: alarm.comparisonOperator,
            Threshold: alarm.threshold,
            TreatMissingData: alarm.treatMissingData,
            EvaluateLowSampleCountPercentile: request.EvaluateLowSampleCountPercentile ?? '',
          };
    return JSON.stringify({ ...common, Trigger: trigger });
  }

  private describeAlarms(request: ReturnType<typeof describeAlarmsRequest.parse>): Record<string, XmlValue> {
    // As on AWS, only metric alarms are described unless AlarmTypes asks for composite ones.
    const types = request.AlarmTypes ?? ['MetricAlarm'];
    let alarms = [...this.alarms.values()].filter((alarm) => types.includes(alarm.kind));
    if (request.AlarmNames !== undefined && request.AlarmNames.length > 0) {
      if (request.AlarmNamePrefix !== undefined) {
        throw cloudWatchError(
          'InvalidParameterCombination',
          'AlarmNames and AlarmNamePrefix are mutually exclusive.',
        );
      }
      alarms = alarms.filter((alarm) => request.AlarmNames?.includes(alarm.name));
    }
    if (request.AlarmNamePrefix !== undefined) {
      alarms = alarms.filter((alarm) => alarm.name.startsWith(request.AlarmNamePrefix ?? ''));
    }
    if (request.StateValue !== undefined)
      alarms = alarms.filter((alarm) => alarm.status.value === request.StateValue);
    if (request.ActionPrefix !== undefined) {
      const prefix = request.ActionPrefix;
      alarms = alarms.filter((alarm) =>
        [...alarm.alarmActions, ...alarm.okActions, ...alarm.insufficientDataActions].some((arn) =>
          arn.startsWith(prefix),
        ),
      );
    }
    if (request.ChildrenOfAlarmName !== undefined) {
      const parent = this.alarms.get(request.ChildrenOfAlarmName);
      const children = parent?.kind === 'CompositeAlarm' ? alarmsOfRule(parent.rule) : [];
      alarms = alarms.filter((alarm) => children.includes(alarm.name));
    }
    if (request.ParentsOfAlarmName !== undefined) {
      const parents = this.parentsOf(request.ParentsOfAlarmName).map((parent) => parent.name);
      alarms = alarms.filter((alarm) => parents.includes(alarm.name));
    }
    alarms.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const page = offsetPage(
      alarms,
      request.NextToken,
      request.MaxRecords ?? DESCRIBE_ALARMS_PAGE,
      invalidNextToken,
    );
    return {
      MetricAlarms: page.items.flatMap((alarm) =>
        alarm.kind === 'MetricAlarm' ? [describeMetricAlarm(alarm)] : [],
      ),
      CompositeAlarms: page.items.flatMap((alarm) =>
        alarm.kind === 'CompositeAlarm' ? [describeCompositeAlarm(alarm)] : [],
      ),
      NextToken: page.nextToken,
    };
  }

  private describeAlarmHistory(
    request: ReturnType<typeof describeAlarmHistoryRequest.parse>,
  ): Record<string, XmlValue> {
    const types = request.AlarmTypes ?? ['MetricAlarm'];
    const items = this.history
      .items()
      .filter((item) => request.AlarmName === undefined || item.AlarmName === request.AlarmName)
      .filter((item) => types.includes(item.AlarmType))
      .filter(
        (item) => request.HistoryItemType === undefined || item.HistoryItemType === request.HistoryItemType,
      )
      .filter((item) => request.StartDate === undefined || item.Timestamp.getTime() >= request.StartDate)
      .filter((item) => request.EndDate === undefined || item.Timestamp.getTime() <= request.EndDate);
    if ((request.ScanBy ?? 'TimestampDescending') === 'TimestampDescending') items.reverse();
    const page = offsetPage(
      items,
      request.NextToken,
      request.MaxRecords ?? DESCRIBE_HISTORY_PAGE,
      invalidNextToken,
    );
    return { AlarmHistoryItems: page.items.map((item) => ({ ...item })), NextToken: page.nextToken };
  }

  private deleteAlarms(names: readonly string[]): void {
    const missing = names.find((name) => !this.alarms.has(name));
    if (missing !== undefined) throw alarmNotFound(missing);
    for (const name of names) {
      const parents = this.parentsOf(name).filter((parent) => !names.includes(parent.name));
      if (parents.length > 0) {
        throw cloudWatchError(
          'InvalidParameterValue',
          `The alarm ${name} is in the rule of ${parents.map((parent) => parent.name).join(', ')}: delete or change those first.`,
        );
      }
    }
    for (const name of names) {
      const alarm = this.alarms.get(name);
      if (alarm?.kind === 'MetricAlarm' && alarm.timer) clearInterval(alarm.timer);
      this.alarms.delete(name);
    }
  }

  private record(
    alarm: Alarm,
    type: HistoryItem['HistoryItemType'],
    summary: string,
    data: Readonly<Record<string, unknown>>,
  ): void {
    this.history.push({
      AlarmName: alarm.name,
      AlarmType: alarm.kind,
      Timestamp: new Date(this.clock()),
      HistoryItemType: type,
      HistorySummary: summary,
      HistoryData: JSON.stringify(data),
    });
  }

  // ---- Dashboards ---------------------------------------------------------------------------------

  /** Stores a dashboard (the template's, or `PutDashboard`'s); its body must be JSON with `widgets`. */
  putDashboard(request: {
    readonly DashboardName: string;
    readonly DashboardBody: string;
  }): Record<string, XmlValue> {
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(request.DashboardName)) {
      throw cloudWatchError(
        'InvalidParameterInput',
        'The dashboard name may hold letters, digits, - and _ only.',
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(request.DashboardBody);
    } catch {
      throw cloudWatchError('InvalidParameterInput', 'The field DashboardBody must be a valid JSON object');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw cloudWatchError('InvalidParameterInput', 'The field DashboardBody must be a valid JSON object');
    }
    const widgets = (body as Record<string, unknown>).widgets;
    if (widgets !== undefined && !Array.isArray(widgets)) {
      throw cloudWatchError('InvalidParameterInput', 'The field DashboardBody.widgets must be an array');
    }
    this.dashboards.set(request.DashboardName, {
      name: request.DashboardName,
      body: request.DashboardBody,
      lastModifiedMs: this.clock(),
    });
    return { DashboardValidationMessages: [] };
  }

  private listDashboards(request: ReturnType<typeof listDashboardsRequest.parse>): Record<string, XmlValue> {
    const dashboards = [...this.dashboards.values()]
      .filter((dashboard) => dashboard.name.startsWith(request.DashboardNamePrefix ?? ''))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const page = offsetPage(dashboards, request.NextToken, LIST_DASHBOARDS_PAGE, invalidNextToken);
    return {
      DashboardEntries: page.items.map((dashboard) => ({
        DashboardName: dashboard.name,
        DashboardArn: dashboardArn(dashboard.name),
        LastModified: new Date(dashboard.lastModifiedMs),
        Size: Buffer.byteLength(dashboard.body),
      })),
      NextToken: page.nextToken,
    };
  }

  /** Dashboard names, for the start-up summary. */
  dashboardNames(): string[] {
    return [...this.dashboards.keys()].sort();
  }

  /** Alarm names with their type, for the start-up summary. */
  alarmNames(): string[] {
    return [...this.alarms.values()].map((alarm) =>
      alarm.kind === 'CompositeAlarm' ? `${alarm.name} (composite)` : alarm.name,
    );
  }

  close(): void {
    this.closed = true;
    for (const alarm of this.alarms.values()) {
      if (alarm.kind === 'MetricAlarm' && alarm.timer) clearInterval(alarm.timer);
    }
  }
}

function describeMetricAlarm(alarm: MetricAlarm): Record<string, XmlValue> {
  const request = alarm.request;
  return {
    AlarmName: alarm.name,
    AlarmArn: alarm.arn,
    AlarmDescription: request.AlarmDescription,
    AlarmConfigurationUpdatedTimestamp: new Date(alarm.configurationUpdatedMs),
    ActionsEnabled: alarm.actionsEnabled,
    OKActions: [...alarm.okActions],
    AlarmActions: [...alarm.alarmActions],
    InsufficientDataActions: [...alarm.insufficientDataActions],
    ...statusOf(alarm.status),
    MetricName: request.MetricName,
    Namespace: request.Namespace,
    Statistic: request.Statistic,
    ExtendedStatistic: request.ExtendedStatistic,
    Dimensions: (request.Dimensions ?? []).map((dimension) => ({
      Name: dimension.Name,
      Value: dimension.Value,
    })),
    // As configured: the local time scale changes when the alarm is evaluated, not what it reports.
    Period: request.Metrics === undefined || request.Metrics.length === 0 ? alarm.period : undefined,
    Unit: request.Unit,
    EvaluationPeriods: request.EvaluationPeriods,
    DatapointsToAlarm: alarm.datapointsToAlarm,
    Threshold: alarm.threshold,
    ComparisonOperator: alarm.comparisonOperator,
    TreatMissingData: alarm.treatMissingData,
    EvaluateLowSampleCountPercentile: request.EvaluateLowSampleCountPercentile,
    Metrics:
      request.Metrics === undefined
        ? undefined
        : request.Metrics.map((query) => ({
            Id: query.Id,
            Expression: query.Expression,
            Label: query.Label,
            ReturnData: query.ReturnData ?? true,
            Period: query.Period,
            MetricStat:
              query.MetricStat === undefined
                ? undefined
                : {
                    Metric: {
                      Namespace: query.MetricStat.Metric.Namespace,
                      MetricName: query.MetricStat.Metric.MetricName,
                      Dimensions: (query.MetricStat.Metric.Dimensions ?? []).map((d) => ({
                        Name: d.Name,
                        Value: d.Value,
                      })),
                    },
                    Period: query.MetricStat.Period,
                    Stat: query.MetricStat.Stat,
                    Unit: query.MetricStat.Unit,
                  },
          })),
    StateTransitionedTimestamp: new Date(alarm.status.transitionedMs),
  };
}

function describeCompositeAlarm(alarm: CompositeAlarm): Record<string, XmlValue> {
  return {
    AlarmName: alarm.name,
    AlarmArn: alarm.arn,
    AlarmDescription: alarm.request.AlarmDescription,
    AlarmRule: alarm.request.AlarmRule,
    AlarmConfigurationUpdatedTimestamp: new Date(alarm.configurationUpdatedMs),
    ActionsEnabled: alarm.actionsEnabled,
    OKActions: [...alarm.okActions],
    AlarmActions: [...alarm.alarmActions],
    InsufficientDataActions: [...alarm.insufficientDataActions],
    ...statusOf(alarm.status),
    StateTransitionedTimestamp: new Date(alarm.status.transitionedMs),
  };
}

function statusOf(status: AlarmStatus): Record<string, XmlValue> {
  return {
    StateValue: status.value,
    StateReason: status.reason,
    StateReasonData: status.reasonData,
    StateUpdatedTimestamp: new Date(status.updatedMs),
  };
}

/** The period every query of a request works on: its metric queries' (which must agree) or an expression's. */
function gridPeriodOf(queries: readonly MetricDataQuery[]): number {
  const periods = new Set(queries.flatMap((query) => (query.MetricStat ? [query.MetricStat.Period] : [])));
  if (periods.size > 1) {
    throw cloudWatchError(
      'InvalidParameterCombination',
      `The metric queries have different periods (${[...periods].join(', ')}); locally they must share one.`,
    );
  }
  const [period] = periods;
  const expressionPeriod = queries.find((query) => query.Period !== undefined)?.Period;
  const chosen = period ?? expressionPeriod;
  if (chosen === undefined) {
    throw cloudWatchError('MissingParameter', 'No query has a MetricStat or a Period to set the periods by.');
  }
  return chosen;
}

/** Each query has exactly one of MetricStat and Expression, ids are unique and expressions parse. */
function checkQueries(queries: readonly MetricDataQuery[]): void {
  const ids = new Set<string>();
  for (const query of queries) {
    if (ids.has(query.Id))
      throw cloudWatchError('InvalidParameterValue', `The Id ${query.Id} is used twice.`);
    ids.add(query.Id);
    if ((query.MetricStat === undefined) === (query.Expression === undefined)) {
      throw cloudWatchError(
        'InvalidParameterCombination',
        `The query ${query.Id} must have exactly one of MetricStat and Expression.`,
      );
    }
  }
  for (const query of queries) {
    if (query.Expression === undefined) continue;
    for (const id of referencedIds(parseExpression(query.Expression))) {
      if (id !== 'REPEAT' && !ids.has(id)) {
        throw cloudWatchError(
          'ValidationError',
          `The expression of ${query.Id} names ${id}, which no query has as Id.`,
        );
      }
    }
  }
}

function metricIdentityOf(metric: MetricRequest, id: string): MetricIdentity {
  if (metric.Namespace === undefined || metric.MetricName === undefined) {
    throw cloudWatchError('MissingParameter', `The metric of query ${id} needs Namespace and MetricName.`);
  }
  return { namespace: metric.Namespace, metricName: metric.MetricName, dimensions: metric.Dimensions ?? [] };
}

function lowerCaseDimension(dimension: Dimension): { value: string; name: string } {
  return { value: dimension.Value, name: dimension.Name };
}

function subjectOf(state: AlarmState, name: string): string {
  const subject = `${state}: "${name}" in ${REGION_NAME}`;
  // SNS subjects are at most 100 characters.
  return subject.length > 100 ? `${subject.slice(0, 97)}...` : subject;
}

/** `2026-12-07T12:00:00.000+0000`, the timestamp format of CloudWatch's alarm messages. */
function isoWithOffset(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '+0000');
}

export function alarmArn(name: string): string {
  return localArn('cloudwatch', `alarm:${name}`);
}

function dashboardArn(name: string): string {
  return `arn:aws:cloudwatch::${LOCAL_ACCOUNT}:dashboard/${name}`;
}

function alarmNotFound(name: string): AwsServiceError {
  return cloudWatchError('ResourceNotFound', `Alarm ${name} does not exist.`);
}

function dashboardNotFound(name: string): AwsServiceError {
  return new AwsServiceError(
    'DashboardNotFoundError',
    `Dashboard ${name} does not exist`,
    404,
    'ResourceNotFound',
  );
}

function invalidNextToken(): AwsServiceError {
  return cloudWatchError('InvalidNextToken', 'The NextToken is not valid.');
}
