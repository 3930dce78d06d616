import type {
  CircuitBreakerMetrics,
  CircuitBreakerStore,
  CircuitRecord,
  CircuitTransitionWrite,
  CallOutcome,
  OutcomeWindow,
  WindowedCircuitRecord,
} from '../../../shared/resilience';
import type { AppLogger } from '../../../shared/observability/app-logger';
import { silentLogger } from '../../../shared/observability/app-logger';

export interface LogLine {
  readonly level: 'info' | 'warn';
  readonly message: string;
  readonly extra: unknown[];
}

export interface MetricPoint {
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A logger and a metrics sink that record what the breaker reports. */
export function recordingObservability(): {
  logger: AppLogger;
  metrics: CircuitBreakerMetrics;
  logs: LogLine[];
  points: MetricPoint[];
} {
  const logs: LogLine[] = [];
  const points: MetricPoint[] = [];
  const at =
    (level: LogLine['level']) =>
    (message: unknown, ...extra: unknown[]) =>
      logs.push({ level, message: String(message), extra });
  const metrics: CircuitBreakerMetrics = {
    singleMetric: () => {
      let dimensions: Record<string, string> = {};
      return {
        addDimensions: (added) => {
          dimensions = { ...dimensions, ...added };
        },
        addMetric: (name, _unit, value) => {
          points.push({ name, dimensions, value });
        },
      };
    },
  };
  return { logger: { ...silentLogger, info: at('info'), warn: at('warn') }, metrics, logs, points };
}

/** Passes every operation to `inner` and notes the writes, to show which outcomes cost a write. */
export class CountingStore implements CircuitBreakerStore {
  readonly writes: string[] = [];

  constructor(private readonly inner: CircuitBreakerStore) {}

  load(name: string): Promise<CircuitRecord> {
    return this.inner.load(name);
  }

  recordFailure(name: string): Promise<CircuitRecord | undefined> {
    this.writes.push('recordFailure');
    return this.inner.recordFailure(name);
  }

  resetFailures(name: string): Promise<void> {
    this.writes.push('resetFailures');
    return this.inner.resetFailures(name);
  }

  recordOutcome(
    name: string,
    outcome: CallOutcome,
    window: OutcomeWindow,
  ): Promise<WindowedCircuitRecord | undefined> {
    this.writes.push(`recordOutcome:${outcome}`);
    return this.inner.recordOutcome(name, outcome, window);
  }

  transition(name: string, expectedVersion: number, next: CircuitTransitionWrite): Promise<boolean> {
    this.writes.push(`transition:${next.state}`);
    return this.inner.transition(name, expectedVersion, next);
  }
}

/** A store whose reads or writes fail, as DynamoDB does when throttled or unreachable. */
export class BrokenStore implements CircuitBreakerStore {
  constructor(private readonly broken: 'reads' | 'writes') {}

  async load(): Promise<CircuitRecord> {
    if (this.broken === 'reads') throw new Error('ProvisionedThroughputExceededException');
    return { state: 'CLOSED', failures: 1, version: 0 };
  }

  async recordFailure(): Promise<CircuitRecord | undefined> {
    throw new Error('ProvisionedThroughputExceededException');
  }

  async resetFailures(): Promise<void> {
    throw new Error('ProvisionedThroughputExceededException');
  }

  async recordOutcome(): Promise<WindowedCircuitRecord | undefined> {
    throw new Error('ProvisionedThroughputExceededException');
  }

  async transition(): Promise<boolean> {
    throw new Error('ProvisionedThroughputExceededException');
  }
}

/** A promise and the functions that settle it. */
export function latch<T = void>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}
