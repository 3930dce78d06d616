import { MAX_OCCURRENCES_PER_TICK } from '../../../src/scheduler/due-occurrences';
import { RuleScheduler } from '../../../src/scheduler/rule-scheduler';
import { ScheduleClock } from '../../../src/scheduler/schedule-clock';

/** The engine's side of scheduled rules: the rules it holds, and the occurrences fired, by rule. */
class FakeRules {
  readonly rules = new Map<string, { scheduleExpression: string; enabled: boolean }>();
  readonly fired: { rule: string; at: string }[] = [];

  scheduledRules() {
    return [...this.rules].map(([name, rule]) => ({ name, ...rule }));
  }

  fireScheduledRule(rule: string, at: Date): void {
    this.fired.push({ rule, at: at.toISOString() });
  }
}

let clock: ScheduleClock;
let rules: FakeRules;
let scheduler: RuleScheduler;

beforeEach(() => {
  jest.useFakeTimers({ now: Date.parse('2026-12-06T10:00:00Z') });
  clock = new ScheduleClock();
  rules = new FakeRules();
  scheduler = new RuleScheduler(rules, clock);
});

afterEach(() => {
  scheduler.close();
  jest.useRealTimers();
});

test('a rate rule fires once a period from when it appeared, each occurrence with its own time', () => {
  // Prepare
  rules.rules.set('hourly', { scheduleExpression: 'rate(1 hour)', enabled: true });
  scheduler.tick();

  // Act
  clock.advance(59 * 60_000);
  const beforeTheHour = rules.fired.length;
  clock.advance(2 * 3_600_000);

  // Assess
  expect(beforeTheHour).toBe(0);
  expect(rules.fired).toEqual([
    { rule: 'hourly', at: '2026-12-06T11:00:00.000Z' },
    { rule: 'hourly', at: '2026-12-06T12:00:00.000Z' },
  ]);
});

test('a cron rule fires at its times, on real time passing as on the clock moving', () => {
  // Prepare
  rules.rules.set('quarter', { scheduleExpression: 'cron(0/15 * * * ? *)', enabled: true });
  scheduler.tick();

  // Act
  jest.advanceTimersByTime(16 * 60_000);

  // Assess
  expect(rules.fired).toEqual([{ rule: 'quarter', at: '2026-12-06T10:15:00.000Z' }]);
});

test('a disabled rule lets its occurrences pass; enabled again, it fires from the next one', () => {
  // Prepare
  rules.rules.set('hourly', { scheduleExpression: 'rate(1 hour)', enabled: false });
  scheduler.tick();

  // Act
  clock.advance(3 * 3_600_000);
  const whileDisabled = rules.fired.length;
  rules.rules.set('hourly', { scheduleExpression: 'rate(1 hour)', enabled: true });
  clock.advance(3_600_000);

  // Assess
  expect(whileDisabled).toBe(0);
  expect(rules.fired).toEqual([{ rule: 'hourly', at: '2026-12-06T14:00:00.000Z' }]);
});

test('a clock moved a year on fires at most a bounded number of occurrences at once', () => {
  // Prepare
  rules.rules.set('every-minute', { scheduleExpression: 'rate(1 minute)', enabled: true });
  scheduler.tick();

  // Act
  clock.advance(366 * 86_400_000);
  const afterTheJump = rules.fired.length;
  clock.advance(60_000);

  // Assess
  expect(afterTheJump).toBe(MAX_OCCURRENCES_PER_TICK);
  expect(rules.fired).toHaveLength(MAX_OCCURRENCES_PER_TICK + 1);
});

test('the clock only moves forward', () => {
  expect(() => clock.advance(-1)).toThrow(RangeError);
});
