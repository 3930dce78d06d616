import {
  evaluateAlarm,
  type AlarmState,
  type TreatMissingData,
} from '../../../src/cloudwatch/alarm-evaluation';

const B = 5; // breaching (threshold 1, >=)
const G = 0; // not breaching
const _ = undefined; // missing

function evaluate(
  values: readonly (number | undefined)[],
  datapointsToAlarm: number,
  treatMissingData: TreatMissingData,
  currentState: AlarmState = 'OK',
) {
  return evaluateAlarm({
    values,
    periodStarts: values.map((_value, index) => Date.UTC(2026, 11, 7, 12, index)),
    threshold: 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    datapointsToAlarm,
    treatMissingData,
    currentState,
  }).state;
}

describe('evaluateAlarm: M out of N', () => {
  it.each([
    [[G, B, B], 2, 'ALARM'],
    [[B, G, G], 2, 'OK'],
    [[B, G, B], 2, 'ALARM'],
    [[B, B, B], 3, 'ALARM'],
    [[B, B, G], 3, 'OK'],
  ] as const)('%j with %i to alarm is %s', (values, m, expected) => {
    // Act & Assess
    expect(evaluate(values, m, 'missing')).toBe(expected);
  });

  it('writes the reason as CloudWatch does', () => {
    // Act
    const result = evaluateAlarm({
      values: [G, B],
      periodStarts: [Date.UTC(2026, 11, 7, 12, 0), Date.UTC(2026, 11, 7, 12, 1)],
      threshold: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      datapointsToAlarm: 1,
      treatMissingData: 'missing',
      currentState: 'OK',
    });

    // Assess
    expect(result.reason).toBe(
      'Threshold Crossed: 1 out of the last 2 datapoints [5.0 (07/12/26 12:01:00), 0.0 (07/12/26 12:00:00)] was ' +
        'greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition).',
    );
    expect(result.recentDatapoints).toEqual([5, 0]);
  });
});

describe('evaluateAlarm: missing data', () => {
  it.each([
    // No datapoint at all
    [[_, _, _], 'missing', 'INSUFFICIENT_DATA'],
    [[_, _, _], 'notBreaching', 'OK'],
    [[_, _, _], 'breaching', 'ALARM'],
    // Fewer present than M: filled as the treatment says, or every present one must breach
    [[_, _, B], 'missing', 'ALARM'],
    [[_, _, B], 'ignore', 'ALARM'],
    [[_, _, B], 'notBreaching', 'OK'],
    [[_, _, B], 'breaching', 'ALARM'],
    [[_, G, B], 'missing', 'OK'],
    [[_, _, G], 'breaching', 'OK'],
    [[_, G, _], 'breaching', 'OK'],
    [[_, B, _], 'breaching', 'ALARM'],
  ] as const)('%j treated as %s (3 of 3) is %s', (values, treatment, expected) => {
    // Act & Assess
    expect(evaluate(values, 3, treatment)).toBe(expected);
  });

  it('keeps the current state with ignore when no datapoint is present', () => {
    // Act & Assess
    expect(evaluate([_, _], 1, 'ignore', 'ALARM')).toBe('ALARM');
    expect(evaluate([_, _], 1, 'ignore', 'OK')).toBe('OK');
  });

  it('evaluates the present datapoints only when at least M are present', () => {
    // Act & Assess
    expect(evaluate([_, B, B], 2, 'notBreaching')).toBe('ALARM');
    expect(evaluate([_, G, B], 2, 'breaching')).toBe('OK');
  });
});
