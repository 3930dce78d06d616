/**
 * Concurrent executions as Lambda counts them: a function with reserved concurrency has a pool of its
 * own; every other function draws from the account's unreserved pool (the account limit, 1,000 by
 * default, less what is reserved). An invocation counts from the moment it is accepted until it ends,
 * whether it runs or waits for the local machine (see ExecutionScheduler): on AWS it would be running.
 */
export type ThrottleReason =
  'ReservedFunctionConcurrentInvocationLimitExceeded' | 'ConcurrentInvocationLimitExceeded';

/** AWS's default concurrency limit of an account, per region. */
export const DEFAULT_ACCOUNT_CONCURRENCY = 1000;

export class ConcurrencyPool {
  private taken = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(
    private limitValue: number,
    /** What a throttled caller is told, per pool kind. */
    readonly throttleReason: ThrottleReason,
  ) {}

  get limit(): number {
    return this.limitValue;
  }

  get inFlight(): number {
    return this.taken;
  }

  /** The account's unreserved pool shrinks as functions reserve concurrency. */
  setLimit(limit: number): void {
    this.limitValue = Math.max(0, limit);
    this.wake();
  }

  /** Counts one invocation in, or returns false when the pool is exhausted (the caller is throttled). */
  tryTake(): boolean {
    if (this.taken >= this.limitValue) return false;
    this.taken++;
    return true;
  }

  give(): void {
    this.taken = Math.max(0, this.taken - 1);
    this.wake();
  }

  /** Resolves true once an invocation could be counted in, false after `timeoutMs` or on `cancel`. */
  waitForCapacity(timeoutMs: number): { readonly ready: Promise<boolean>; cancel(): void } {
    if (this.taken < this.limitValue) return { ready: Promise.resolve(true), cancel: () => undefined };
    let finish: (ready: boolean) => void = () => undefined;
    const ready = new Promise<boolean>((resolve) => {
      const waiter = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      finish = (value) => {
        clearTimeout(timer);
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        resolve(value);
      };
      const timer = setTimeout(() => finish(false), Math.max(0, timeoutMs));
      timer.unref();
      this.waiters.push(waiter);
    });
    return { ready, cancel: () => finish(false) };
  }

  private wake(): void {
    let free = this.limitValue - this.taken;
    while (free-- > 0 && this.waiters.length > 0) this.waiters.shift()?.();
  }
}
