/**
 * The clock schedules run by: the machine's time plus an offset that only moves forward. A test that
 * needs a rule of `rate(1 hour)` to fire, or a deadline a day away to pass, moves it on
 * (`POST /_local/clock`) instead of waiting. It moves the schedules only: functions, tokens and
 * timeouts keep the machine's time.
 */
export class ScheduleClock {
  private offsetMs = 0;
  private readonly listeners = new Set<() => void>();

  now(): number {
    return Date.now() + this.offsetMs;
  }

  get offset(): number {
    return this.offsetMs;
  }

  /** Moves the clock `ms` forward; whatever fell due meanwhile runs at once. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('The schedule clock only moves forward.');
    this.offsetMs += ms;
    for (const listener of this.listeners) listener();
  }

  onAdvance(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
