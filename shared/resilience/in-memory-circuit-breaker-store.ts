import {
  INITIAL_CIRCUIT,
  type CircuitBreakerStore,
  type CircuitRecord,
  type CircuitTransitionWrite,
} from './circuit-breaker-store';

/**
 * Circuits in a `Map`, with the DynamoDB adapter's semantics: each operation is atomic and applies
 * the same conditions. Every call yields to the event loop first, so concurrent callers interleave
 * between their read and their write as separate Lambda instances would.
 */
export class InMemoryCircuitBreakerStore implements CircuitBreakerStore {
  private readonly circuits = new Map<string, CircuitRecord>();

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

  async transition(name: string, expectedVersion: number, next: CircuitTransitionWrite): Promise<boolean> {
    await tick();
    const current = this.circuits.get(name) ?? INITIAL_CIRCUIT;
    if (current.version !== expectedVersion) return false;
    this.put(name, { ...next, version: expectedVersion + 1 });
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
