/** The deadlines of a choreographed order: its approval's, and the watchdog's for the whole saga. */
export type OrderDeadlineKind = 'approval' | 'watchdog';

/** What a deadline delivers when it passes (as the `detail` of an `OrderDeadlineReached` event). */
export interface OrderDeadline {
  readonly orderId: string;
  readonly kind: OrderDeadlineKind;
  /** ISO-8601 instant the deadline was set for. */
  readonly dueAt: string;
  readonly correlationId: string;
  readonly traceHeader?: string;
}

/**
 * One-time schedules that put `OrderDeadlineReached` on the bus when they pass. Adapter:
 * `SchedulerOrderDeadlines` (EventBridge Scheduler, `at(...)`, deleted after it fires).
 */
export interface OrderDeadlines {
  /** Sets the deadline; setting one that exists already (a redelivered event) changes nothing. */
  set(deadline: OrderDeadline): Promise<'set' | 'exists'>;
}
