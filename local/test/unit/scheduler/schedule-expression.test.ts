import {
  nextOccurrence,
  parseScheduleExpression,
  ScheduleExpressionError,
} from '../../../src/scheduler/schedule-expression';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();

/** The next `count` occurrences after `fromIso`. */
function occurrences(expression: string, fromIso: string, count: number, timezone?: string): string[] {
  const schedule = parseScheduleExpression(expression, timezone);
  const found: string[] = [];
  let after = at(fromIso);
  for (let n = 0; n < count; n += 1) {
    const next = nextOccurrence(schedule, after, at(fromIso));
    if (next === undefined) break;
    found.push(iso(next) ?? '');
    after = next;
  }
  return found;
}

describe('rate expressions', () => {
  test('fire one period after the start, then every period', () => {
    expect(occurrences('rate(5 minutes)', '2026-12-06T10:00:00Z', 3)).toEqual([
      '2026-12-06T10:05:00.000Z',
      '2026-12-06T10:10:00.000Z',
      '2026-12-06T10:15:00.000Z',
    ]);
    expect(occurrences('rate(1 day)', '2026-12-06T10:00:00Z', 1)).toEqual(['2026-12-07T10:00:00.000Z']);
  });

  test('count whole periods from the start, whatever time it is asked from', () => {
    const schedule = parseScheduleExpression('rate(1 hour)');
    expect(iso(nextOccurrence(schedule, at('2026-12-06T12:30:00Z'), at('2026-12-06T10:15:00Z')))).toBe(
      '2026-12-06T13:15:00.000Z',
    );
  });

  test.each([
    'rate(1 minutes)',
    'rate(5 minute)',
    'rate(0 minutes)',
    'rate(5 seconds)',
    'rate(-1 hours)',
    'rate(1.5 hours)',
  ])('%s is refused', (expression) => {
    expect(() => parseScheduleExpression(expression)).toThrow(ScheduleExpressionError);
  });
});

describe('at expressions', () => {
  test('fire once, at the wall-clock time of their time zone', () => {
    expect(occurrences('at(2026-12-24T18:00:00)', '2026-12-06T00:00:00Z', 3)).toEqual([
      '2026-12-24T18:00:00.000Z',
    ]);
    expect(occurrences('at(2026-12-24T18:00:00)', '2026-12-06T00:00:00Z', 1, 'Europe/Paris')).toEqual([
      '2026-12-24T17:00:00.000Z',
    ]);
    expect(occurrences('at(2026-07-01T09:00:00)', '2026-06-01T00:00:00Z', 1, 'America/New_York')).toEqual([
      '2026-07-01T13:00:00.000Z',
    ]);
  });

  test('a time already past never fires', () => {
    expect(occurrences('at(2026-01-01T00:00:00)', '2026-12-06T00:00:00Z', 1)).toEqual([]);
  });

  test.each([
    'at(2026-02-30T10:00:00)',
    'at(2026-12-06T24:00:00)',
    'at(2026-12-06 10:00:00)',
    'at(2026-12-06)',
  ])('%s is refused', (expression) => {
    expect(() => parseScheduleExpression(expression)).toThrow(ScheduleExpressionError);
  });
});

describe('cron expressions (minutes hours day-of-month month day-of-week year)', () => {
  test('every 15 minutes', () => {
    expect(occurrences('cron(0/15 * * * ? *)', '2026-12-06T10:07:00Z', 3)).toEqual([
      '2026-12-06T10:15:00.000Z',
      '2026-12-06T10:30:00.000Z',
      '2026-12-06T10:45:00.000Z',
    ]);
  });

  test('days of the week are numbered 1–7 from Sunday, as AWS numbers them', () => {
    // 2026-12-06 is a Sunday; 2 is Monday, 6 is Friday.
    expect(occurrences('cron(0 9 ? * 2-6 *)', '2026-12-06T00:00:00Z', 2)).toEqual([
      '2026-12-07T09:00:00.000Z',
      '2026-12-08T09:00:00.000Z',
    ]);
    expect(occurrences('cron(0 9 ? * 1 *)', '2026-12-06T10:00:00Z', 1)).toEqual(['2026-12-13T09:00:00.000Z']);
    expect(occurrences('cron(0 9 ? * MON-FRI *)', '2026-12-05T00:00:00Z', 1)).toEqual([
      '2026-12-07T09:00:00.000Z',
    ]);
  });

  test('the nth and the last day of a kind in the month, and the last day of the month', () => {
    // The second Monday of December 2026, the last Friday, the last day.
    expect(occurrences('cron(15 10 ? * 2#2 *)', '2026-12-01T00:00:00Z', 1)).toEqual([
      '2026-12-14T10:15:00.000Z',
    ]);
    expect(occurrences('cron(0 12 ? * 6L *)', '2026-12-01T00:00:00Z', 1)).toEqual([
      '2026-12-25T12:00:00.000Z',
    ]);
    expect(occurrences('cron(0 12 L * ? *)', '2026-12-01T00:00:00Z', 1)).toEqual([
      '2026-12-31T12:00:00.000Z',
    ]);
  });

  test('in a time zone, across its daylight-saving change', () => {
    expect(occurrences('cron(0 8 * * ? *)', '2026-03-28T00:00:00Z', 2, 'Europe/Paris')).toEqual([
      '2026-03-28T07:00:00.000Z',
      '2026-03-29T06:00:00.000Z',
    ]);
  });

  test('only in the years of its year field', () => {
    expect(occurrences('cron(0 0 1 1 ? 2028,2030)', '2026-12-06T00:00:00Z', 3)).toEqual([
      '2028-01-01T00:00:00.000Z',
      '2030-01-01T00:00:00.000Z',
    ]);
    expect(occurrences('cron(0 0 1 1 ? 2020-2025)', '2026-12-06T00:00:00Z', 1)).toEqual([]);
  });

  test.each([
    ['five fields', 'cron(0 12 * * ?)'],
    ['neither day field ?', 'cron(0 12 * * * *)'],
    ['both day fields ?', 'cron(0 12 ? * ? *)'],
    ['a day of the week of 0', 'cron(0 12 ? * 0 *)'],
    ['minute 60', 'cron(60 12 * * ? *)'],
    ['a year before 1970', 'cron(0 12 * * ? 1969)'],
    ['W, which is not emulated', 'cron(0 12 15W * ? *)'],
    ['an unknown form', 'every(5 minutes)'],
  ])('%s is refused', (_case, expression) => {
    expect(() => parseScheduleExpression(expression)).toThrow(ScheduleExpressionError);
  });

  test('an unknown time zone is refused', () => {
    expect(() => parseScheduleExpression('rate(1 hour)', 'Mars/Olympus_Mons')).toThrow(/time zone/);
  });
});
