import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger as sharedLogger } from '../observability/logger';
import { metrics as sharedMetrics } from '../observability/metrics';
import type {
  CallOutcome,
  CircuitBreakerStore,
  CircuitRecord,
  CircuitState,
  OutcomeWindow,
} from './circuit-breaker-store';
import { CircuitOpenError } from './errors';
import type { AppLogger } from '../observability/app-logger';

/** The seed's breaker trips on consecutive failures; see `failureThreshold` for the exact boundary. */
export const DEFAULT_FAILURE_THRESHOLD = 5;
export const DEFAULT_RESET_TIMEOUT_MS = 30_000;
export const DEFAULT_PROBE_LEASE_MS = 10_000;

/** The name of the metric counting transitions; dimensions `circuit` and `to` (the target state). */
export const CIRCUIT_TRANSITION_METRIC = 'CircuitTransition';
/** Counts state reads or writes that failed (the call's outcome stands; see `execute`). */
export const CIRCUIT_STORE_ERROR_METRIC = 'CircuitStoreError';

export interface CircuitTransition {
  readonly name: string;
  readonly from: CircuitState;
  readonly to: CircuitState;
}

/** The Powertools `Metrics` fit: each data point goes out at once as its own EMF line. */
export interface CircuitBreakerMetrics {
  singleMetric(): {
    addDimensions(dimensions: Record<string, string>): unknown;
    addMetric(name: string, unit: typeof MetricUnit.Count, value: number): unknown;
  };
}

/**
 * Opens the breaker on a failure *rate*: at least `threshold` of the calls of the last `windowMs`
 * failed, and there were at least `minimumCalls` of them. A few failing calls among healthy ones (a
 * card that misbehaves, a request that times out) never open it; a dependency that is down does.
 */
export interface FailureRateRule {
  /** The share of failed calls that opens the breaker, above 0 and at most 1. @default 0.5 */
  readonly threshold?: number;
  /** Fewer calls than this in the window never open the breaker. @default 10 */
  readonly minimumCalls?: number;
  /** How far back the window reaches. @default 60_000 */
  readonly windowMs?: number;
  /** The window slides in steps of `windowMs / buckets`. @default 10 */
  readonly buckets?: number;
}

export const DEFAULT_FAILURE_RATE_RULE: Required<FailureRateRule> = Object.freeze({
  threshold: 0.5,
  minimumCalls: 10,
  windowMs: 60_000,
  buckets: 10,
});

export interface CircuitBreakerOptions {
  /** Names the guarded dependency, e.g. `payment-provider`; the state item's key is `circuit#<name>`. */
  readonly name: string;
  readonly store: CircuitBreakerStore;
  /**
   * The number of consecutive failures that opens the breaker: the `failureThreshold`-th failure in a
   * row opens it. The seed's `ConsecutiveFailures > 5` opens on the sixth; `failureThreshold: 6`
   * reproduces it exactly.
   * @default 5
   */
  readonly failureThreshold?: number;
  /**
   * Open on a failure rate instead of consecutive failures (give one rule or the other, not both).
   * Every call then costs one atomic write of its outcome.
   */
  readonly failureRate?: FailureRateRule;
  /** How long the breaker stays OPEN before one probe call is let through. @default 30_000 */
  readonly resetTimeoutMs?: number;
  /**
   * How long the elected probe holds HALF_OPEN: a probe that has not reported by then (its Lambda
   * crashed or timed out) loses its lease, and the next caller is elected. Keep it above the guarded
   * call's own timeout. @default 10_000
   */
  readonly probeLeaseMs?: number;
  /** Epoch ms, shared by every instance (it is compared with times other instances wrote). @default Date.now */
  readonly now?: () => number;
  /** Told of every transition this instance wrote (after it was logged and counted). */
  readonly onTransition?: (transition: CircuitTransition) => void;
  /** @default the shared Powertools logger */
  readonly logger?: AppLogger;
  /** @default the shared Powertools metrics */
  readonly metrics?: CircuitBreakerMetrics;
}

/** How a call got through: counted while CLOSED, as the elected probe, or unguarded (state unreadable). */
type Admission =
  | { readonly kind: 'closed'; readonly failures: number }
  | { readonly kind: 'probe'; readonly version: number }
  | { readonly kind: 'unguarded' };

const everyErrorIsAFailure = (): boolean => true;

/**
 * A circuit breaker whose state lives in a `CircuitBreakerStore`, so that every Lambda instance calling
 * a dependency shares one view of its health:
 *
 * - CLOSED: calls go through; the `failureThreshold`-th consecutive failure opens the breaker, and a
 *   success resets the count (without a write when the count was already 0). With `failureRate`
 *   instead, every outcome is counted in a sliding window, and a failure that brings the window's
 *   failure rate to the rule's threshold, with enough calls in it, opens the breaker.
 * - OPEN: calls fail fast with `CircuitOpenError`, without being made, for `resetTimeoutMs`.
 * - HALF_OPEN: the first caller after that wins a conditional write and is the single probe; everyone
 *   else fails fast. The probe's success closes the breaker, its failure opens it again (a new open
 *   period). A probe that does not report within `probeLeaseMs` loses its lease to the next caller.
 *
 * Every transition is a compare-and-set on the stored version, logged, counted (`CircuitTransition`)
 * and reported to `onTransition` by the one instance that wrote it.
 */
export class CircuitBreaker {
  private readonly name: string;
  private readonly store: CircuitBreakerStore;
  private readonly failureThreshold: number;
  private readonly failureRate: Required<FailureRateRule> | undefined;
  private readonly resetTimeoutMs: number;
  private readonly probeLeaseMs: number;
  private readonly now: () => number;
  private readonly onTransition?: (transition: CircuitTransition) => void;
  private readonly logger: AppLogger;
  private readonly metrics: CircuitBreakerMetrics;

  constructor(options: CircuitBreakerOptions) {
    if (options.name.length === 0) {
      throw new RangeError('CircuitBreaker needs a name, e.g. payment-provider.');
    }
    this.name = options.name;
    this.store = options.store;
    if (options.failureRate !== undefined && options.failureThreshold !== undefined) {
      throw new RangeError(
        `circuit ${this.name}: give failureThreshold (consecutive failures) or failureRate, not both.`,
      );
    }
    this.failureThreshold = options.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD;
    this.failureRate =
      options.failureRate === undefined
        ? undefined
        : checkedFailureRate(this.name, { ...DEFAULT_FAILURE_RATE_RULE, ...options.failureRate });
    this.resetTimeoutMs = options.resetTimeoutMs ?? DEFAULT_RESET_TIMEOUT_MS;
    this.probeLeaseMs = options.probeLeaseMs ?? DEFAULT_PROBE_LEASE_MS;
    if (!Number.isInteger(this.failureThreshold) || this.failureThreshold < 1) {
      throw new RangeError(
        `circuit ${this.name}: failureThreshold must be an integer of at least 1, not ${this.failureThreshold}.`,
      );
    }
    if (!(this.resetTimeoutMs > 0) || !Number.isFinite(this.resetTimeoutMs)) {
      throw new RangeError(
        `circuit ${this.name}: resetTimeoutMs must be a positive number, not ${this.resetTimeoutMs}.`,
      );
    }
    if (!(this.probeLeaseMs > 0) || !Number.isFinite(this.probeLeaseMs)) {
      throw new RangeError(
        `circuit ${this.name}: probeLeaseMs must be a positive number, not ${this.probeLeaseMs}.`,
      );
    }
    this.now = options.now ?? Date.now;
    this.onTransition = options.onTransition;
    this.logger = options.logger ?? sharedLogger;
    this.metrics = options.metrics ?? sharedMetrics;
  }

  /**
   * Runs `call` unless the breaker is open, and records its outcome. `isFailure(error)` decides whether
   * a thrown error is a failure of the dependency (default: every error); an error it rejects (e.g. a
   * declined card: the dependency answered) counts as a success. The call's result or error is passed
   * on unchanged; a failure to read or write the shared state never replaces it: an unreadable state
   * lets the call through unguarded, an unwritable outcome is logged and dropped.
   * @throws CircuitOpenError when the breaker is OPEN, or HALF_OPEN with the probe taken: `call` was not made.
   */
  async execute<T>(
    call: () => Promise<T>,
    isFailure: (error: unknown) => boolean = everyErrorIsAFailure,
  ): Promise<T> {
    const admission = await this.admit();
    let result: T;
    try {
      result = await call();
    } catch (error) {
      await this.settle(admission, isFailure(error) ? 'failure' : 'success');
      throw error;
    }
    await this.settle(admission, 'success');
    return result;
  }

  /** The state as stored: an OPEN breaker past its reset timeout stays OPEN until a call elects a probe. */
  async state(): Promise<CircuitState> {
    return (await this.store.load(this.name)).state;
  }

  private async admit(): Promise<Admission> {
    let record: CircuitRecord;
    try {
      record = await this.store.load(this.name);
    } catch (error) {
      this.storeFailed('Circuit state unreadable; the call goes through unguarded', error);
      return { kind: 'unguarded' };
    }
    const now = this.now();
    switch (record.state) {
      case 'CLOSED':
        return { kind: 'closed', failures: record.failures };
      case 'OPEN': {
        const probeAt = (record.openedAt ?? 0) + this.resetTimeoutMs;
        if (now < probeAt) {
          throw new CircuitOpenError(`The circuit ${this.name} is open; the call was not made.`, {
            circuit: this.name,
            retryAfterMs: probeAt - now,
          });
        }
        return this.electProbe(record, now);
      }
      case 'HALF_OPEN':
        if (now < (record.probeLeaseUntil ?? 0)) {
          throw new CircuitOpenError(
            `The circuit ${this.name} is half-open and its probe call is in flight; the call was not made.`,
            { circuit: this.name },
          );
        }
        return this.electProbe(record, now);
    }
  }

  /** The caller whose conditional write lands first is the probe; the others fail fast. */
  private async electProbe(record: CircuitRecord, now: number): Promise<Admission> {
    const probeLeaseUntil = now + this.probeLeaseMs;
    let elected: boolean;
    try {
      elected = await this.store.transition(this.name, record.version, {
        state: 'HALF_OPEN',
        failures: record.failures,
        openedAt: record.openedAt,
        probeLeaseUntil,
      });
    } catch (error) {
      this.storeFailed('Circuit probe not elected; the call goes through unguarded', error);
      return { kind: 'unguarded' };
    }
    if (!elected) {
      throw new CircuitOpenError(
        `The circuit ${this.name} is half-open and another call is its probe; the call was not made.`,
        { circuit: this.name },
      );
    }
    if (record.state === 'OPEN') {
      this.transitioned('OPEN', 'HALF_OPEN', { openedAt: record.openedAt, probeLeaseUntil });
    } else {
      this.logger.warn('Circuit probe lease expired without a report; this call is the new probe', {
        circuit: this.name,
        expiredLeaseUntil: record.probeLeaseUntil,
        probeLeaseUntil,
      });
    }
    return { kind: 'probe', version: record.version + 1 };
  }

  private async settle(admission: Admission, outcome: CallOutcome): Promise<void> {
    try {
      if (admission.kind === 'probe') {
        await this.settleProbe(admission.version, outcome);
      } else if (admission.kind === 'closed' && this.failureRate !== undefined) {
        await this.countOutcome(this.failureRate, outcome);
      } else if (admission.kind === 'closed') {
        if (outcome === 'failure') await this.countFailure();
        // A success writes only when there is a count to reset: the healthy path costs no write.
        else if (admission.failures > 0) await this.store.resetFailures(this.name);
      }
    } catch (error) {
      this.storeFailed(`Circuit ${outcome} not recorded; the call's outcome stands`, error);
    }
  }

  private async countFailure(): Promise<void> {
    const counted = await this.store.recordFailure(this.name);
    // Not CLOSED any more (another instance opened it), or still below the threshold.
    if (counted === undefined || counted.failures < this.failureThreshold) return;
    const openedAt = this.now();
    const opened = await this.store.transition(this.name, counted.version, {
      state: 'OPEN',
      failures: counted.failures,
      openedAt,
    });
    if (opened) this.transitioned('CLOSED', 'OPEN', { failures: counted.failures, openedAt });
  }

  private async countOutcome(rule: Required<FailureRateRule>, outcome: CallOutcome): Promise<void> {
    const window: OutcomeWindow = {
      bucketMs: rule.windowMs / rule.buckets,
      buckets: rule.buckets,
      now: this.now(),
    };
    const counted = await this.store.recordOutcome(this.name, outcome, window);
    // Not CLOSED any more, a success (it never opens), or a rate below the rule's.
    if (counted === undefined || outcome === 'success') return;
    if (counted.calls < rule.minimumCalls || counted.failures < rule.threshold * counted.calls) return;
    const openedAt = this.now();
    const opened = await this.store.transition(this.name, counted.record.version, {
      state: 'OPEN',
      failures: counted.failures,
      openedAt,
    });
    if (opened) {
      this.transitioned('CLOSED', 'OPEN', { failures: counted.failures, calls: counted.calls, openedAt });
    }
  }

  private async settleProbe(version: number, outcome: CallOutcome): Promise<void> {
    const to: CircuitState = outcome === 'success' ? 'CLOSED' : 'OPEN';
    const openedAt = to === 'OPEN' ? this.now() : undefined;
    const written = await this.store.transition(this.name, version, { state: to, failures: 0, openedAt });
    if (written) {
      this.transitioned('HALF_OPEN', to, openedAt === undefined ? {} : { openedAt });
    } else {
      this.logger.warn('Circuit probe reported after losing its lease; its outcome is ignored', {
        circuit: this.name,
        outcome,
      });
    }
  }

  private transitioned(from: CircuitState, to: CircuitState, details: Record<string, unknown>): void {
    const entry = { circuit: this.name, from, to, ...details };
    if (to === 'OPEN') {
      this.logger.warn(
        from === 'CLOSED'
          ? 'Circuit opened: calls fail fast until the reset timeout'
          : 'Circuit opened again: the probe call failed',
        entry,
      );
    } else if (to === 'HALF_OPEN') {
      this.logger.info('Circuit half-open: one probe call is let through', entry);
    } else {
      this.logger.info('Circuit closed: the probe call succeeded', entry);
    }
    this.count(CIRCUIT_TRANSITION_METRIC, { to });
    try {
      this.onTransition?.({ name: this.name, from, to });
    } catch (error) {
      this.logger.warn('Circuit onTransition listener failed', { circuit: this.name, error });
    }
  }

  private storeFailed(message: string, error: unknown): void {
    this.logger.warn(message, { circuit: this.name, error });
    this.count(CIRCUIT_STORE_ERROR_METRIC, {});
  }

  private count(metricName: string, dimensions: Record<string, string>): void {
    const metric = this.metrics.singleMetric();
    metric.addDimensions({ circuit: this.name, ...dimensions });
    metric.addMetric(metricName, MetricUnit.Count, 1);
  }
}

function checkedFailureRate(name: string, rule: Required<FailureRateRule>): Required<FailureRateRule> {
  const problems = [
    rule.threshold > 0 && rule.threshold <= 1
      ? undefined
      : `threshold must be above 0 and at most 1, not ${rule.threshold}`,
    Number.isInteger(rule.minimumCalls) && rule.minimumCalls >= 1
      ? undefined
      : `minimumCalls must be an integer of at least 1, not ${rule.minimumCalls}`,
    Number.isInteger(rule.buckets) && rule.buckets >= 1
      ? undefined
      : `buckets must be an integer of at least 1, not ${rule.buckets}`,
    rule.windowMs >= rule.buckets && Number.isFinite(rule.windowMs)
      ? undefined
      : `windowMs must be a finite number of at least one ms per bucket, not ${rule.windowMs}`,
  ].filter((problem) => problem !== undefined);
  if (problems.length > 0) throw new RangeError(`circuit ${name}: failureRate ${problems.join('; ')}.`);
  return Object.freeze(rule);
}
