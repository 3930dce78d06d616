/**
 * What scheduled rules and Scheduler's schedules share: a tick every second and whenever the schedule
 * clock moves, and, on each tick, the occurrences that fell due fired in order.
 */
import type { ScheduleClock } from './schedule-clock';

/** Occurrences one tick fires at most for one schedule: a clock moved a year on a `rate(1 minute)`. */
export const MAX_OCCURRENCES_PER_TICK = 100;
const TICK_MS = 1_000;

/**
 * Fires each occurrence from `nextMs` up to `now`, in order and at most `MAX_OCCURRENCES_PER_TICK`, and
 * returns the one after them (`undefined`: the schedule never fires again). A disabled schedule lets
 * its due occurrences pass without firing. `nextAfter(ms)` is the schedule's first occurrence after `ms`.
 */
export function fireDueOccurrences(
  nextMs: number | undefined,
  now: number,
  options: {
    readonly enabled: boolean;
    readonly nextAfter: (afterMs: number) => number | undefined;
    readonly fire: (atMs: number) => void;
  },
): number | undefined {
  if (nextMs === undefined || nextMs > now) return nextMs;
  if (!options.enabled) return options.nextAfter(now);
  let next: number | undefined = nextMs;
  for (let fired = 0; next !== undefined && next <= now; fired += 1) {
    if (fired === MAX_OCCURRENCES_PER_TICK) return options.nextAfter(now);
    options.fire(next);
    next = options.nextAfter(next);
  }
  return next;
}

/** Calls `tick` every second and whenever `clock` moves, until closed. */
export class ScheduleTicker {
  private readonly timer: NodeJS.Timeout;
  private readonly stopListening: () => void;

  constructor(clock: ScheduleClock, tick: () => void) {
    this.timer = setInterval(tick, TICK_MS);
    this.timer.unref();
    this.stopListening = clock.onAdvance(tick);
  }

  close(): void {
    clearInterval(this.timer);
    this.stopListening();
  }
}
