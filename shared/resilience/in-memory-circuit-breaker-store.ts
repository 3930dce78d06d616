import {
  INITIAL_CIRCUIT,
  isInWindow,
  newestBucket,
  type CallOutcome,
  type CircuitBreakerStore,
  type CircuitRecord,
  type CircuitTransitionWrite,
  type OutcomeWindow,
  type WindowedCircuitRecord,
} from './circuit-breaker-store';

/**
 * Circuits in a `Map`, with the DynamoDB adapter's semantics: each operation is atomic and applies
 * the same conditions. Every call yields to the event loop first, so concurrent callers interleave
 * between their read and their write as separate Lambda instances would.
 */
export class InMemoryCircuitBreakerStore implements CircuitBreakerStore {
  private readonly circuits = new Map<string, CircuitRecord>();
  /** Per circuit: bucket number → calls and failures counted in it. */
  private readonly windows = new Map<string, Map<number, { calls: number; failures: number }>>();

  async load(name: string): Promise<CircuitRecord> {
    await tick();
    return this.circuits.get(name) ?? INITIAL_CIRCUIT;
  }

  async recordFailure(name: string): Promise<CircuitRecord | undefined> {
    await tick();
    const current = this.circuits.get(name) ?? INITIAL_CIRCUIT;
    if (current.state !== 'CLOSED') return undefined;
    return this.put(name, { ...current, failures: current.failures + 1 });
  }

  async resetFailures(name: string): Promise<void> {
    await tick();
    const current = this.circuits.get(name);
    if (current?.state === 'CLOSED' && current.failures > 0) this.put(name, { ...current, failures: 0 });
  }

  async recordOutcome(
    name: string,
    outcome: CallOutcome,
    window: OutcomeWindow,
  ): Promise<WindowedCircuitRecord | undefined> {
    await tick();
    const current = this.circuits.get(name) ?? INITIAL_CIRCUIT;
    if (current.state !== 'CLOSED') return undefined;
    const record = this.circuits.has(name) ? current : this.put(name, current);
    const buckets = this.windows.get(name) ?? new Map<number, { calls: number; failures: number }>();
    this.windows.set(name, buckets);
    const newest = newestBucket(window);
    const bucket = buckets.get(newest) ?? { calls: 0, failures: 0 };
    buckets.set(newest, {
      calls: bucket.calls + 1,
      failures: bucket.failures + (outcome === 'failure' ? 1 : 0),
    });
    let calls = 0;
    let failures = 0;
    for (const [number, counted] of buckets) {
      if (isInWindow(number, window)) {
        calls += counted.calls;
        failures += counted.failures;
      } else if (number < newest) {
        buckets.delete(number);
      }
    }
    return { record, calls, failures };
  }

  async transition(name: string, expectedVersion: number, next: CircuitTransitionWrite): Promise<boolean> {
    await tick();
    const current = this.circuits.get(name) ?? INITIAL_CIRCUIT;
    if (current.version !== expectedVersion) return false;
    this.put(name, { ...next, version: expectedVersion + 1 });
    this.windows.delete(name);
    return true;
  }

  private put(name: string, record: CircuitRecord): CircuitRecord {
    const frozen = Object.freeze({ ...record });
    this.circuits.set(name, frozen);
    return frozen;
  }
}

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
