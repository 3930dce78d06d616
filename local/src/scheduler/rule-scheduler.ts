/**
 * Fires EventBridge's scheduled rules (`ScheduleExpression`, rate or cron, on the default bus): each
 * occurrence, on the schedule clock, sends one `Scheduled Event` to the rule's targets. A rate counts
 * from when the rule was created or its expression last changed; a disabled rule lets its occurrences
 * pass without firing, as on AWS.
 */
import type { EventBridgeEngine } from '../eventbridge/event-bus';
import type { ScheduleClock } from './schedule-clock';
import { nextOccurrence, parseScheduleExpression, type ParsedSchedule } from './schedule-expression';

/** Occurrences one tick fires at most for a rule: a clock moved a year on a `rate(1 minute)` rule. */
export const MAX_OCCURRENCES_PER_TICK = 100;
const TICK_MS = 1_000;

interface RuleClock {
  readonly expression: string;
  readonly schedule: ParsedSchedule;
  readonly anchorMs: number;
  nextMs: number | undefined;
}

export class RuleScheduler {
  private readonly rules = new Map<string, RuleClock>();
  private readonly timer: NodeJS.Timeout;
  private readonly stopListening: () => void;

  constructor(
    private readonly eventBridge: Pick<EventBridgeEngine, 'scheduledRules' | 'fireScheduledRule'>,
    private readonly clock: ScheduleClock,
  ) {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    this.stopListening = clock.onAdvance(() => this.tick());
  }

  /** Fires what is due; called every second and whenever the clock moves. */
  tick(): void {
    const now = this.clock.now();
    const present = new Set<string>();
    for (const rule of this.eventBridge.scheduledRules()) {
      present.add(rule.name);
      let ruleClock = this.rules.get(rule.name);
      if (ruleClock === undefined || ruleClock.expression !== rule.scheduleExpression) {
        const schedule = parseScheduleExpression(rule.scheduleExpression);
        ruleClock = {
          expression: rule.scheduleExpression,
          schedule,
          anchorMs: now,
          nextMs: nextOccurrence(schedule, now, now),
        };
        this.rules.set(rule.name, ruleClock);
      }
      const due = (): boolean => ruleClock.nextMs !== undefined && ruleClock.nextMs <= now;
      if (!rule.enabled) {
        if (due()) ruleClock.nextMs = nextOccurrence(ruleClock.schedule, now, ruleClock.anchorMs);
        continue;
      }
      for (let fired = 0; due(); fired += 1) {
        if (fired === MAX_OCCURRENCES_PER_TICK) {
          ruleClock.nextMs = nextOccurrence(ruleClock.schedule, now, ruleClock.anchorMs);
          break;
        }
        const at = ruleClock.nextMs ?? now;
        this.eventBridge.fireScheduledRule(rule.name, new Date(at));
        ruleClock.nextMs = nextOccurrence(ruleClock.schedule, at, ruleClock.anchorMs);
      }
    }
    for (const name of this.rules.keys()) if (!present.has(name)) this.rules.delete(name);
  }

  close(): void {
    clearInterval(this.timer);
    this.stopListening();
  }
}
