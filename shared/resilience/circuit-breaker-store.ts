export type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

export const CIRCUIT_STATES: readonly CircuitState[] = ['CLOSED', 'OPEN', 'HALF_OPEN'];

/** A circuit's shared state, as every instance of every function guarded by it sees it. */
export interface CircuitRecord {
  readonly state: CircuitState;
  /** Consecutive failures counted while CLOSED (in OPEN: the count that opened it). */
  readonly failures: number;
  /** Epoch ms the circuit last opened; set in OPEN and HALF_OPEN. */
  readonly openedAt?: number;
  /** HALF_OPEN: epoch ms until which the elected probe holds its lease. */
  readonly probeLeaseUntil?: number;
  /**
   * Bumped by every state transition (not by counting failures): a transition is written only if the
   * version is still the one its decision was based on, so concurrent instances never lose one.
   */
  readonly version: number;
}

/** A call's outcome as the breaker counts it. */
export type CallOutcome = 'success' | 'failure';

/**
 * The sliding window of the failure-rate rule: `buckets` buckets of `bucketMs` each, the newest the one
 * `now` falls in. A transition (opening, a probe, closing) empties the window.
 */
export interface OutcomeWindow {
  readonly bucketMs: number;
  readonly buckets: number;
  readonly now: number;
}

/** The number of the bucket `window.now` falls in: the window's newest. */
export function newestBucket(window: OutcomeWindow): number {
  return Math.floor(window.now / window.bucketMs);
}

/** Whether `bucket` is one of the window's: the newest, or one of the `buckets - 1` before it. */
export function isInWindow(bucket: number, window: OutcomeWindow): boolean {
  const newest = newestBucket(window);
  return bucket > newest - window.buckets && bucket <= newest;
}

/** A CLOSED circuit after an outcome was recorded, and the calls of its window. */
export interface WindowedCircuitRecord {
  readonly record: CircuitRecord;
  readonly calls: number;
  readonly failures: number;
}

/** What a circuit never written reads as. */
export const INITIAL_CIRCUIT: CircuitRecord = Object.freeze({ state: 'CLOSED', failures: 0, version: 0 });

/** The state a transition writes; the store sets `version` to `expectedVersion + 1`. */
export type CircuitTransitionWrite = Omit<CircuitRecord, 'version'>;

/**
 * Where a circuit's state lives. Every write is atomic and conditional, so that instances racing on
 * the same circuit agree on one outcome:
 * - `recordFailure`, `resetFailures` and `recordOutcome` only touch a CLOSED circuit and leave the
 *   version alone;
 * - `transition` is a compare-and-set on the version.
 *
 * Adapters: `DynamoDbCircuitBreakerStore` (shared by every Lambda instance) and
 * `InMemoryCircuitBreakerStore` (one process, for tests).
 */
export interface CircuitBreakerStore {
  /** The current state, read strongly consistently; `INITIAL_CIRCUIT` for a circuit never written. */
  load(name: string): Promise<CircuitRecord>;
  /**
   * Adds one consecutive failure if the circuit is CLOSED (creating it if need be) and returns the
   * record after the increment; `undefined` when the circuit is not CLOSED (another instance opened it).
   */
  recordFailure(name: string): Promise<CircuitRecord | undefined>;
  /** Sets the failure count back to 0 if the circuit is CLOSED with failures; otherwise writes nothing. */
  resetFailures(name: string): Promise<void>;
  /**
   * Counts one call's outcome in the window's newest bucket if the circuit is CLOSED (creating it if
   * need be), atomically and without a compare-and-set (concurrent callers never conflict), and
   * returns the calls and failures of the whole window after it; `undefined` when the circuit is not
   * CLOSED. Buckets that slid out of the window are dropped.
   */
  recordOutcome(
    name: string,
    outcome: CallOutcome,
    window: OutcomeWindow,
  ): Promise<WindowedCircuitRecord | undefined>;
  /**
   * Writes `next` with version `expectedVersion + 1` if the stored version is still `expectedVersion`
   * (0: never transitioned, the item may be absent). `false` when another instance moved first.
   */
  transition(name: string, expectedVersion: number, next: CircuitTransitionWrite): Promise<boolean>;
}
