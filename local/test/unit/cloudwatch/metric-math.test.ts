import { evaluateExpression, type MathContext, type Series } from '../../../src/cloudwatch/metric-math';

const context = (series: Readonly<Record<string, Series>>): MathContext => ({
  length: Object.values(series)[0]?.length ?? 0,
  series: (id) => series[id],
  metricQueries: Object.keys(series).map((id) => ({ id })),
});

describe('metric math', () => {
  const errors = [1, 0, 5, undefined];
  const invocations = [10, 0, 10, 4];
  const math = context({ errors, invocations });

  it('computes an error rate, leaving out periods without a value and divisions by zero', () => {
    // Act
    const rate = evaluateExpression('errors / invocations * 100', math);

    // Assess
    expect(rate).toEqual({ kind: 'series', values: [10, undefined, 50, undefined] });
  });

  it('sums every metric per period with SUM(METRICS())', () => {
    // Act & Assess
    expect(evaluateExpression('SUM(METRICS())', math)).toEqual({ kind: 'series', values: [11, 0, 15, 4] });
  });

  it('selects metrics by id with METRICS(text)', () => {
    // Act & Assess
    expect(evaluateExpression("MAX(METRICS('err'))", math)).toEqual({
      kind: 'series',
      values: [1, 0, 5, undefined],
    });
  });

  it('reduces one series to a scalar', () => {
    // Act & Assess
    expect(evaluateExpression('AVG(invocations)', math)).toEqual({ kind: 'scalar', value: 6 });
  });

  it('fills missing values with a number or the previous value', () => {
    // Act & Assess
    expect(evaluateExpression('FILL(errors, 0)', math)).toEqual({ kind: 'series', values: [1, 0, 5, 0] });
    expect(evaluateExpression('FILL(errors, REPEAT)', math)).toEqual({
      kind: 'series',
      values: [1, 0, 5, 5],
    });
  });

  it('chooses per period with IF and comparisons', () => {
    // Act & Assess
    expect(evaluateExpression('IF(invocations > 5 AND errors >= 1, 1, 0)', math)).toEqual({
      kind: 'series',
      values: [1, 0, 1, undefined],
    });
  });

  it('honours precedence, parentheses and unary minus', () => {
    // Act & Assess
    expect(evaluateExpression('-(1 + 2) * 3 ^ 2', math)).toEqual({ kind: 'scalar', value: -27 });
  });

  it.each([
    ['an unknown id', 'missing + 1', /no query has the id 'missing'/],
    ['an unknown function', 'ANOMALY_DETECTION_BAND(errors)', /not supported locally/],
    ['a syntax error', 'errors +', /ends too early/],
    ['a stray character', 'errors $ 2', /unexpected character/],
  ])('refuses %s with a ValidationError', (_what, expression, message) => {
    // Act & Assess
    expect(() => evaluateExpression(expression, math)).toThrow(message);
  });
});
