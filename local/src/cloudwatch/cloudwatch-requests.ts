/**
 * The CloudWatch requests the local engine reads, in either of the forms the clients send: the JSON of
 * `@aws-sdk/client-cloudwatch` (numbers, booleans, timestamps in epoch seconds) and the Query form of the
 * AWS CLI (every value a string, timestamps in ISO 8601, an empty list as ''). A request that fails is
 * CloudWatch's `InvalidParameterValue` or `MissingParameter`, naming the member.
 */
import * as z from 'zod';
import { AwsServiceError } from '../aws-protocol';
import { valueAt } from '../http/value-at';

/** CloudWatch's errors: the JSON protocol names the modeled shape, the Query protocol its code. */
const SHAPE_OF_CODE: Readonly<Record<string, string>> = {
  InvalidParameterValue: 'InvalidParameterValueException',
  MissingParameter: 'MissingRequiredParameterException',
  InvalidParameterCombination: 'InvalidParameterCombinationException',
  ResourceNotFound: 'ResourceNotFound',
  InvalidNextToken: 'InvalidNextToken',
  LimitExceeded: 'LimitExceededFault',
  InvalidParameterInput: 'DashboardInvalidInputError',
  InvalidFormat: 'InvalidFormatFault',
};

export function cloudWatchError(code: keyof typeof SHAPE_OF_CODE | string, message: string): AwsServiceError {
  return new AwsServiceError(SHAPE_OF_CODE[code] ?? code, message, 400, code);
}

const numberOf = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;
const booleanOf = (value: unknown): unknown => (value === 'true' ? true : value === 'false' ? false : value);
const listOf = (value: unknown): unknown => (value === '' ? [] : value);
/** Epoch milliseconds from epoch seconds (JSON), a numeric string, or an ISO 8601 date (Query). */
const timestampOf = (value: unknown): unknown => {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value * 1000;
  if (typeof value === 'string' && value.trim() !== '') {
    if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? value : parsed;
  }
  return value;
};

const num = z.preprocess(numberOf, z.number().refine(Number.isFinite, 'must be a finite number'));
const int = z.preprocess(numberOf, z.number().int());
const bool = z.preprocess(booleanOf, z.boolean());
const timestamp = z.preprocess(timestampOf, z.number());
const list = <T extends z.ZodType>(item: T, bounds: { readonly min?: number; readonly max?: number } = {}) =>
  z.preprocess(
    listOf,
    z
      .array(item)
      .min(bounds.min ?? 0)
      .max(bounds.max ?? Number.MAX_SAFE_INTEGER),
  );

const name255 = z.string().min(1).max(255);
export const dimension = z.object({ Name: name255, Value: z.string().min(1).max(1024) });
export const dimensionFilter = z.object({ Name: name255, Value: z.string().max(1024).optional() });
export const metric = z.object({
  Namespace: name255.optional(),
  MetricName: name255.optional(),
  Dimensions: list(dimension).optional(),
});
export type MetricRequest = z.infer<typeof metric>;

export const metricStat = z.object({
  Metric: metric,
  Period: int.refine((period) => period > 0, 'must be positive'),
  Stat: z.string().min(1),
  Unit: z.string().optional(),
});
export type MetricStatRequest = z.infer<typeof metricStat>;

export const metricDataQuery = z.object({
  Id: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[a-z][a-zA-Z0-9_]*$/, 'must start with a lowercase letter and hold letters, digits and _'),
  MetricStat: metricStat.optional(),
  Expression: z.string().min(1).max(2048).optional(),
  Label: z.string().optional(),
  ReturnData: bool.optional(),
  Period: int.optional(),
  AccountId: z.string().optional(),
});
export type MetricDataQuery = z.infer<typeof metricDataQuery>;

const statisticSet = z.object({ SampleCount: num, Sum: num, Minimum: num, Maximum: num });

export const putMetricDataRequest = z.object({
  Namespace: name255.refine(
    (namespace) => !namespace.startsWith('AWS/'),
    'must not start with AWS/ (reserved)',
  ),
  MetricData: list(
    z.object({
      MetricName: name255,
      Dimensions: list(dimension, { max: 30 }).optional(),
      Timestamp: timestamp.optional(),
      Value: num.optional(),
      Values: list(num, { max: 150 }).optional(),
      Counts: list(num, { max: 150 }).optional(),
      StatisticValues: statisticSet.optional(),
      Unit: z.string().optional(),
      StorageResolution: int.refine((r) => r === 1 || r === 60, 'must be 1 or 60').optional(),
    }),
    { min: 1, max: 1000 },
  ),
});

export const getMetricDataRequest = z.object({
  MetricDataQueries: list(metricDataQuery, { min: 1, max: 500 }),
  StartTime: timestamp,
  EndTime: timestamp,
  NextToken: z.string().optional(),
  ScanBy: z.enum(['TimestampDescending', 'TimestampAscending']).optional(),
  MaxDatapoints: int.optional(),
  LabelOptions: z.object({ Timezone: z.string().optional() }).optional(),
});

export const getMetricStatisticsRequest = z.object({
  Namespace: name255,
  MetricName: name255,
  Dimensions: list(dimension, { max: 30 }).optional(),
  StartTime: timestamp,
  EndTime: timestamp,
  Period: int.refine((period) => period > 0, 'must be positive'),
  Statistics: list(z.enum(['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum']), { max: 5 }).optional(),
  ExtendedStatistics: list(z.string(), { max: 10 }).optional(),
  Unit: z.string().optional(),
});

export const listMetricsRequest = z.object({
  Namespace: name255.optional(),
  MetricName: name255.optional(),
  Dimensions: list(dimensionFilter, { max: 10 }).optional(),
  NextToken: z.string().optional(),
  RecentlyActive: z.literal('PT3H').optional(),
});

const actions = list(z.string().min(1).max(1024), { max: 5 }).optional();

export const putMetricAlarmRequest = z.object({
  AlarmName: name255,
  AlarmDescription: z.string().max(1024).optional(),
  ActionsEnabled: bool.optional(),
  OKActions: actions,
  AlarmActions: actions,
  InsufficientDataActions: actions,
  MetricName: name255.optional(),
  Namespace: name255.optional(),
  Statistic: z.enum(['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum']).optional(),
  ExtendedStatistic: z.string().optional(),
  Dimensions: list(dimension, { max: 30 }).optional(),
  Period: int.optional(),
  Unit: z.string().optional(),
  EvaluationPeriods: int.refine((n) => n >= 1, 'must be at least 1'),
  DatapointsToAlarm: int.refine((n) => n >= 1, 'must be at least 1').optional(),
  Threshold: num.optional(),
  ComparisonOperator: z.string(),
  TreatMissingData: z.string().optional(),
  EvaluateLowSampleCountPercentile: z.string().optional(),
  Metrics: list(metricDataQuery, { max: 20 }).optional(),
  ThresholdMetricId: z.string().optional(),
  Tags: list(z.object({ Key: z.string(), Value: z.string() })).optional(),
});
export type PutMetricAlarmRequest = z.infer<typeof putMetricAlarmRequest>;

export const putCompositeAlarmRequest = z.object({
  AlarmName: name255,
  AlarmRule: z.string().min(1).max(10240),
  AlarmDescription: z.string().max(1024).optional(),
  ActionsEnabled: bool.optional(),
  OKActions: actions,
  AlarmActions: actions,
  InsufficientDataActions: actions,
  ActionsSuppressor: z.string().optional(),
  ActionsSuppressorWaitPeriod: int.optional(),
  ActionsSuppressorExtensionPeriod: int.optional(),
  Tags: list(z.object({ Key: z.string(), Value: z.string() })).optional(),
});
export type PutCompositeAlarmRequest = z.infer<typeof putCompositeAlarmRequest>;

const stateValue = z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']);
const alarmType = z.enum(['MetricAlarm', 'CompositeAlarm']);

export const describeAlarmsRequest = z.object({
  AlarmNames: list(name255, { max: 100 }).optional(),
  AlarmNamePrefix: name255.optional(),
  AlarmTypes: list(alarmType).optional(),
  ChildrenOfAlarmName: name255.optional(),
  ParentsOfAlarmName: name255.optional(),
  StateValue: stateValue.optional(),
  ActionPrefix: z.string().min(1).max(1024).optional(),
  MaxRecords: int.refine((n) => n >= 1 && n <= 100, 'must be between 1 and 100').optional(),
  NextToken: z.string().optional(),
});

export const describeAlarmHistoryRequest = z.object({
  AlarmName: name255.optional(),
  AlarmTypes: list(alarmType).optional(),
  HistoryItemType: z
    .enum([
      'ConfigurationUpdate',
      'StateUpdate',
      'Action',
      'AlarmContributorStateUpdate',
      'AlarmContributorAction',
    ])
    .optional(),
  StartDate: timestamp.optional(),
  EndDate: timestamp.optional(),
  MaxRecords: int.refine((n) => n >= 1 && n <= 100, 'must be between 1 and 100').optional(),
  NextToken: z.string().optional(),
  ScanBy: z.enum(['TimestampDescending', 'TimestampAscending']).optional(),
});

export const setAlarmStateRequest = z.object({
  AlarmName: name255,
  StateValue: stateValue,
  StateReason: z.string().max(1023),
  StateReasonData: z.string().max(4000).optional(),
});

export const alarmNamesRequest = z.object({ AlarmNames: list(name255, { max: 100 }) });

export const putDashboardRequest = z.object({ DashboardName: name255, DashboardBody: z.string().min(1) });
export const getDashboardRequest = z.object({ DashboardName: name255 });
export const listDashboardsRequest = z.object({
  DashboardNamePrefix: z.string().optional(),
  NextToken: z.string().optional(),
});
export const deleteDashboardsRequest = z.object({ DashboardNames: list(name255, { min: 1 }) });

/** The request read by `schema`, or CloudWatch's error naming the first member that fails. */
export function readCloudWatchRequest<Schema extends z.ZodType>(
  schema: Schema,
  input: Readonly<Record<string, unknown>>,
): z.infer<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const member = issue?.path.map(String).join('.') ?? '';
  const missing = issue?.code === 'invalid_type' && valueAt(input, issue.path) === undefined;
  if (missing) {
    return (() => {
      throw cloudWatchError('MissingParameter', `The parameter ${member} is required.`);
    })();
  }
  throw cloudWatchError(
    'InvalidParameterValue',
    `The value ${JSON.stringify(valueAt(input, issue?.path ?? []) ?? null)} for parameter ${member} is invalid: ` +
      `${issue?.message ?? 'invalid'}.`,
  );
}
