/**
 * EventBridge's schedule expressions — `at(yyyy-mm-ddThh:mm:ss)`, `rate(value unit)` and the six-field
 * `cron(minutes hours day-of-month month day-of-week year)` — parsed as AWS validates them and evaluated
 * in a time zone (Scheduler's `ScheduleExpressionTimezone`; scheduled rules are UTC). Cron fields other
 * than the year, and the time zone arithmetic, are `cron-parser`'s.
 */
import { CronExpressionParser } from 'cron-parser';

export type ParsedSchedule =
  | { readonly kind: 'at'; readonly atMs: number }
  | { readonly kind: 'rate'; readonly periodMs: number }
  | {
      readonly kind: 'cron';
      /** The expression as cron-parser reads it: seconds first, days of the week 0–6 from Sunday. */
      readonly expression: string;
      readonly years: YearField;
      readonly timezone: string;
    };

export class ScheduleExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleExpressionError';
  }
}

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const AT = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;
const CRON = /^cron\((.*)\)$/;
const UNIT_MS: Readonly<Record<string, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const LAST_YEAR = 2199;
const FIRST_YEAR = 1970;

export function parseScheduleExpression(text: string, timezone = 'UTC'): ParsedSchedule {
  assertTimezone(timezone);
  const rate = RATE.exec(text);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2] ?? '';
    // AWS takes `rate(1 hour)` and `rate(2 hours)`, not `rate(1 hours)` or `rate(2 hour)`.
    if (value < 1 || (value === 1) !== !unit.endsWith('s')) {
      throw new ScheduleExpressionError(
        `Invalid rate expression ${text}: the value is a positive integer, the unit singular for 1 and plural above.`,
      );
    }
    return { kind: 'rate', periodMs: value * (UNIT_MS[unit.replace(/s$/, '')] ?? 0) };
  }
  const at = AT.exec(text);
  if (at) {
    const [year, month, day, hour, minute, second] = at.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const wallClock = Date.UTC(year, month - 1, day, hour, minute, second);
    const check = new Date(wallClock);
    if (
      check.getUTCMonth() !== month - 1 ||
      check.getUTCDate() !== day ||
      hour > 23 ||
      minute > 59 ||
      second > 59
    ) {
      throw new ScheduleExpressionError(`Invalid at expression ${text}: no such date and time.`);
    }
    return { kind: 'at', atMs: zonedToUtc(wallClock, timezone) };
  }
  const cron = CRON.exec(text);
  if (cron) return parseCron(cron[1] ?? '', text, timezone);
  throw new ScheduleExpressionError(
    `Invalid schedule expression ${text}: expected at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(fields).`,
  );
}

/**
 * The first time after `afterMs` the schedule fires, or `undefined` when it never does again. A rate
 * counts whole periods from `anchorMs` (its start: the start date, or when it was created).
 */
export function nextOccurrence(
  schedule: ParsedSchedule,
  afterMs: number,
  anchorMs: number,
): number | undefined {
  switch (schedule.kind) {
    case 'at':
      return schedule.atMs > afterMs ? schedule.atMs : undefined;
    case 'rate': {
      const periods = Math.max(1, Math.floor((afterMs - anchorMs) / schedule.periodMs) + 1);
      return anchorMs + periods * schedule.periodMs;
    }
    case 'cron':
      return nextCronOccurrence(schedule, afterMs);
  }
}

function nextCronOccurrence(
  schedule: Extract<ParsedSchedule, { kind: 'cron' }>,
  afterMs: number,
): number | undefined {
  let from = afterMs;
  // Every year the expression allows is tried in turn; a year it skips is jumped over whole.
  for (let guard = 0; guard < LAST_YEAR - FIRST_YEAR + 2; guard += 1) {
    const interval = CronExpressionParser.parse(schedule.expression, {
      currentDate: new Date(from),
      tz: schedule.timezone,
    });
    if (!interval.hasNext()) return undefined;
    const next = interval.next().getTime();
    const year = yearIn(next, schedule.timezone);
    if (year > LAST_YEAR) return undefined;
    if (schedule.years.matches(year)) return next;
    const nextYear = schedule.years.nextAfter(year);
    if (nextYear === undefined) return undefined;
    // Just before midnight of 1 January in the zone: the first occurrence of that year comes next.
    from = zonedToUtc(Date.UTC(nextYear, 0, 1), schedule.timezone) - 1;
  }
  return undefined;
}

function parseCron(fields: string, text: string, timezone: string): ParsedSchedule {
  const parts = fields.trim().split(/\s+/);
  if (parts.length !== 6) {
    throw new ScheduleExpressionError(
      `Invalid cron expression ${text}: six fields are expected (minutes hours day-of-month month day-of-week year).`,
    );
  }
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    throw new ScheduleExpressionError(
      `Invalid cron expression ${text}: one of day-of-month and day-of-week must be ?, and only one.`,
    );
  }
  if (/W/i.test(dayOfMonth)) {
    throw new ScheduleExpressionError(
      `Invalid cron expression ${text}: W (nearest weekday) is not emulated locally.`,
    );
  }
  const expression = `0 ${minutes} ${hours} ${dayOfMonth} ${month} ${awsDaysOfWeekToCron(dayOfWeek, text)}`;
  try {
    CronExpressionParser.parse(expression, { tz: timezone });
  } catch (error) {
    throw new ScheduleExpressionError(
      `Invalid cron expression ${text}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return { kind: 'cron', expression, years: YearField.parse(year, text), timezone };
}

/** AWS numbers the days of the week 1–7 from Sunday; cron-parser 0–6. Names are the same in both. */
function awsDaysOfWeekToCron(field: string, text: string): string {
  if (field === '?' || field === '*') return field;
  return field
    .split(',')
    .map((part) => {
      const match = /^(\d+|[A-Za-z]{3})(?:-(\d+|[A-Za-z]{3}))?(?:\/(\d+))?(?:#(\d))?(L)?$/.exec(part);
      if (!match) throw new ScheduleExpressionError(`Invalid cron expression ${text}: day-of-week ${part}.`);
      const [, from = '', to, step, nth, last] = match;
      const day = (value: string): string => {
        if (!/^\d+$/.test(value)) return value;
        const number = Number(value);
        if (number < 1 || number > 7) {
          throw new ScheduleExpressionError(
            `Invalid cron expression ${text}: day-of-week ${value} is not 1–7.`,
          );
        }
        return String(number - 1);
      };
      return (
        day(from) +
        (to === undefined ? '' : `-${day(to)}`) +
        (step === undefined ? '' : `/${step}`) +
        (nth === undefined ? '' : `#${nth}`) +
        (last ?? '')
      );
    })
    .join(',');
}

/** The year field, which cron-parser does not have: `*`, values, ranges and steps, 1970–2199. */
export class YearField {
  private constructor(private readonly allowed: ReadonlySet<number> | 'any') {}

  static parse(field: string, text: string): YearField {
    if (field === '*') return new YearField('any');
    const years = new Set<number>();
    for (const part of field.split(',')) {
      const match = /^(\*|\d{4})(?:-(\d{4}))?(?:\/(\d+))?$/.exec(part);
      if (!match) throw new ScheduleExpressionError(`Invalid cron expression ${text}: year ${part}.`);
      const [, start = '*', end, step] = match;
      const from = start === '*' ? FIRST_YEAR : Number(start);
      const to = end !== undefined ? Number(end) : start === '*' || step !== undefined ? LAST_YEAR : from;
      const by = step === undefined ? 1 : Number(step);
      if (from < FIRST_YEAR || to > LAST_YEAR || from > to || by < 1) {
        throw new ScheduleExpressionError(`Invalid cron expression ${text}: year ${part} (1970–2199).`);
      }
      for (let year = from; year <= to; year += by) years.add(year);
    }
    return new YearField(years);
  }

  matches(year: number): boolean {
    return this.allowed === 'any' || this.allowed.has(year);
  }

  nextAfter(year: number): number | undefined {
    if (this.allowed === 'any') return year + 1;
    let next: number | undefined;
    for (const candidate of this.allowed)
      if (candidate > year && (next === undefined || candidate < next)) next = candidate;
    return next;
  }
}

function assertTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new ScheduleExpressionError(`Invalid time zone ${timezone}.`);
  }
}

/** The UTC instant at which clocks in `timezone` show `wallClockMs` (read as if it were UTC). */
function zonedToUtc(wallClockMs: number, timezone: string): number {
  const first = wallClockMs - offsetOf(wallClockMs, timezone);
  // Once more, for an instant on the other side of a daylight-saving change.
  return wallClockMs - offsetOf(first, timezone);
}

/** How far clocks in `timezone` are ahead of UTC at `instantMs`. */
function offsetOf(instantMs: number, timezone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
      .formatToParts(new Date(instantMs))
      .map((part) => [part.type, Number(part.value)]),
  ) as Record<string, number>;
  const shown = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return shown - Math.floor(instantMs / 1000) * 1000;
}

function yearIn(instantMs: number, timezone: string): number {
  return Number(
    new Intl.DateTimeFormat('en-US', { timeZone: timezone, year: 'numeric' }).format(new Date(instantMs)),
  );
}
