/**
 * Fires EventBridge's scheduled rules (`ScheduleExpression`, rate or cron, on the default bus): each
 * occurrence, on the schedule clock, sends one `Scheduled Event` to the rule's targets. A rate counts
 * from when the rule was created or its expression last changed; a disabled rule lets its occurrences
 * pass without firing, as on AWS.
 */
import type { EventBridgeEngine } from '../eventbridge/event-bus';
import { fireDueOccurrences, ScheduleTicker } from './due-occurrences';
import type { ScheduleClock } from './schedule-clock';
import { nextOccurrence, parseScheduleExpression, type ParsedSchedule } from './schedule-expression';

interface RuleClock {
  readonly expression: string;
  readonly schedule: ParsedSchedule;
  readonly anchorMs: number;
  nextMs: number | undefined;
}

export class RuleScheduler {
  private readonly rules = new Map<string, RuleClock>();
  private readonly ticker: ScheduleTicker;

  constructor(
    private readonly eventBridge: Pick<EventBridgeEngine, 'scheduledRules' | 'fireScheduledRule'>,
    private readonly clock: ScheduleClock,
  ) {
    this.ticker = new ScheduleTicker(clock, () => this.tick());
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
      const { schedule, anchorMs } = ruleClock;
      ruleClock.nextMs = fireDueOccurrences(ruleClock.nextMs, now, {
        enabled: rule.enabled,
        nextAfter: (afterMs) => nextOccurrence(schedule, afterMs, anchorMs),
        fire: (atMs) => this.eventBridge.fireScheduledRule(rule.name, new Date(atMs)),
      });
    }
    for (const name of this.rules.keys()) if (!present.has(name)) this.rules.delete(name);
  }

  close(): void {
    this.ticker.close();
  }
}
