/**
 * How a metric alarm decides its state from the values of its last `EvaluationPeriods` periods, oldest
 * first: "M out of N" (`DatapointsToAlarm` of `EvaluationPeriods`) and the treatment of missing data, as
 * CloudWatch documents them ("Configuring how CloudWatch alarms treat missing data"):
 * - With at least M datapoints present, only the present ones count: ALARM when M of them breach.
 * - With fewer present (but some), missing ones are filled as `TreatMissingData` says: `breaching` and
 *   `notBreaching` fill them, `missing` and `ignore` leave them out, and the alarm goes to ALARM only if
 *   every present datapoint breaches.
 * - With none present: `missing` → INSUFFICIENT_DATA, `ignore` → the state is kept, `breaching` → ALARM,
 *   `notBreaching` → OK.
 */

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
export type TreatMissingData = 'missing' | 'notBreaching' | 'breaching' | 'ignore';

export const COMPARISON_OPERATORS = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

/** The anomaly-detection operators: they compare with a band the local CloudWatch does not model. */
export const ANOMALY_BAND_OPERATORS = [
  'LessThanLowerOrGreaterThanUpperThreshold',
  'LessThanLowerThreshold',
  'GreaterThanUpperThreshold',
] as const;

export const TREAT_MISSING_DATA = ['missing', 'notBreaching', 'breaching', 'ignore'] as const;

export interface EvaluationInput {
  /** One value per period, oldest first; `undefined` where the period had no datapoint. */
  readonly values: readonly (number | undefined)[];
  /** The start of each period (epoch milliseconds), for the reason's text. */
  readonly periodStarts: readonly number[];
  readonly threshold: number;
  readonly comparisonOperator: ComparisonOperator;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: TreatMissingData;
  readonly currentState: AlarmState;
}

export interface EvaluationResult {
  readonly state: AlarmState;
  readonly reason: string;
  /** The datapoints that decided, newest first, as CloudWatch's `StateReasonData.recentDatapoints`. */
  readonly recentDatapoints: readonly number[];
}

const OPERATOR_TEXT: Readonly<Record<ComparisonOperator, string>> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

export function breaches(value: number, operator: ComparisonOperator, threshold: number): boolean {
  switch (operator) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
}

export function evaluateAlarm(input: EvaluationInput): EvaluationResult {
  const { values, threshold, comparisonOperator, treatMissingData } = input;
  const evaluationPeriods = values.length;
  const required = input.datapointsToAlarm;
  const present = values.filter((value): value is number => value !== undefined);
  const recentDatapoints = [...present].reverse();
  const breaching = present.filter((value) => breaches(value, comparisonOperator, threshold)).length;
  const described = describeDatapoints(values, input.periodStarts);

  if (present.length === 0) {
    switch (treatMissingData) {
      case 'missing':
        return {
          state: 'INSUFFICIENT_DATA',
          reason: `Insufficient Data: ${evaluationPeriods} datapoint${plural(evaluationPeriods)} ${evaluationPeriods === 1 ? 'was' : 'were'} unknown.`,
          recentDatapoints,
        };
      case 'ignore':
        return {
          state: input.currentState,
          reason: 'No datapoints: the state is kept (TreatMissingData ignore).',
          recentDatapoints,
        };
      case 'breaching':
        return {
          state: 'ALARM',
          reason: `Threshold Crossed: no datapoints were received for ${evaluationPeriods} period${plural(evaluationPeriods)} and ${evaluationPeriods} missing datapoint${plural(evaluationPeriods)} ${evaluationPeriods === 1 ? 'was' : 'were'} treated as [Breaching].`,
          recentDatapoints,
        };
      case 'notBreaching':
        return {
          state: 'OK',
          reason: `Threshold Crossed: no datapoints were received for ${evaluationPeriods} period${plural(evaluationPeriods)} and ${evaluationPeriods} missing datapoint${plural(evaluationPeriods)} ${evaluationPeriods === 1 ? 'was' : 'were'} treated as [NonBreaching].`,
          recentDatapoints,
        };
    }
  }

  let alarming: boolean;
  let counted = present.length;
  let breachingCounted = breaching;
  if (present.length >= required) {
    alarming = breaching >= required;
  } else if (treatMissingData === 'breaching' || treatMissingData === 'notBreaching') {
    const missing = evaluationPeriods - present.length;
    counted = evaluationPeriods;
    if (treatMissingData === 'breaching') breachingCounted += missing;
    alarming = breachingCounted >= required;
  } else {
    alarming = breaching === present.length;
  }
  const verb = breachingCounted === 1 ? 'was' : 'were';
  const comparison = OPERATOR_TEXT[comparisonOperator];
  const transition = alarming ? 'OK -> ALARM' : 'ALARM -> OK';
  const minimum = alarming ? Math.min(required, counted) : Math.max(1, counted - required + 1);
  const subject = alarming ? breachingCounted : counted - breachingCounted;
  return {
    state: alarming ? 'ALARM' : 'OK',
    reason:
      `Threshold Crossed: ${subject} out of the last ${counted} datapoint${plural(counted)} ${described} ` +
      `${alarming ? verb : subject === 1 ? 'was' : 'were'} ${alarming ? '' : 'not '}${comparison} the threshold ` +
      `(${formatNumber(threshold)}) (minimum ${minimum} datapoint${plural(minimum)} for ${transition} transition).`,
    recentDatapoints,
  };
}

function describeDatapoints(values: readonly (number | undefined)[], starts: readonly number[]): string {
  const entries = values
    .map((value, index) => ({ value, start: starts[index] ?? 0 }))
    .filter((entry): entry is { value: number; start: number } => entry.value !== undefined)
    .reverse()
    .map((entry) => `${formatNumber(entry.value)} (${formatReasonDate(entry.start)})`);
  return `[${entries.join(', ')}]`;
}

/** `5.0`, `0.25`: CloudWatch writes numbers with at least one decimal. */
export function formatNumber(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

/** `07/12/26 12:00:00`: the date format of CloudWatch's state reasons (dd/MM/yy HH:mm:ss, UTC). */
function formatReasonDate(epochMs: number): string {
  const date = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${two(date.getUTCDate())}/${two(date.getUTCMonth() + 1)}/${two(date.getUTCFullYear() % 100)} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`
  );
}

function plural(count: number): string {
  return count === 1 ? '' : 's';
}
