/**
 * The machine under the local cloud. On AWS every execution environment has a machine of its own; here
 * they all share a few cores and one process's memory. Starting as many environments as the functions'
 * concurrency allows (hundreds under a burst) makes them starve one another — cold starts of seconds,
 * timeouts that AWS would never give — and runs the process out of memory.
 *
 * So the scheduler holds two budgets, both local and invisible to the functions:
 * - **running invocations**: beyond `maxRunning`, an invocation waits for a slot before its
 *   environment is chosen or started. Lambda's semantics stay with the pools: the waiting invocation
 *   already counts toward its function's concurrency, and its timeout starts when it runs. The waiting
 *   invocations are served in three lanes, each a fair queue (one queue per function, served round
 *   robin, see FairQueue):
 *   1. urgent: work a running invocation waits for (it called an API or another function of the local
 *      cloud, and gave its slot up meanwhile); callers holding every slot would otherwise wait forever
 *      for callees queued behind them;
 *   2. interactive: what a client outside waits for (an API request, the Invoke API), with a timeout;
 *   3. background: asynchronous events, stream and queue batches, Step Functions tasks — work nobody
 *      outside is waiting on. One admission in `BACKGROUND_SHARE` goes to it even while interactive
 *      work waits, so a steady stream of requests never starves it.
 * - **memory of live environments**: each environment reports its heap after every invocation; when
 *   the sum passes `memoryBudgetMb`, idle environments are shut down, least recently used first.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as os from 'node:os';
import { FairQueue } from './fair-queue';

export interface ExecutionSchedulerOptions {
  /** Invocations that may run at once, machine-wide. @default derived from the cores and memory */
  readonly maxRunning?: number;
  /** Memory live environments may hold before idle ones are reclaimed, in MiB. @default derived from memory */
  readonly memoryBudgetMb?: number;
}

/** One invocation's right to run. */
export interface RunSlot {
  /** While the invocation waits on a synchronous call into the local cloud, or sleeps, others may run. */
  suspend(): () => void;
  release(): void;
}

/** A request a running invocation sent into the local cloud, while it is being answered. */
export interface CallerRequest {
  /**
   * The caller waits for work this request started: its slot is given up until the request is
   * answered. Idempotent; nothing once the request is answered.
   */
  suspendCaller(): void;
}

/** An execution environment as the memory budget sees it. */
export interface ReclaimableEnvironment {
  /** Its heap and fixed cost, as last measured, in bytes. */
  readonly footprintBytes: number;
  /** Shuts an idle environment down. */
  reclaim(): void;
}

export interface SchedulerStats {
  readonly maxRunning: number;
  readonly running: number;
  /**
   * The most running at once. A caller whose call into the local cloud is answered carries on at once,
   * so this can pass `maxRunning` by the number of callers resuming together.
   */
  readonly peakRunning: number;
  /** Invocations waiting for a slot now, and the most at once. */
  readonly queued: number;
  readonly peakQueued: number;
  /** Invocations that waited for a slot, and the longest wait. */
  readonly waited: number;
  readonly longestWaitMs: number;
  /** Invocations whose caller gave up while they waited (they never ran). */
  readonly abandoned: number;
  /** Callers waiting on a call into the local cloud, their slot given up. */
  readonly suspended: number;
  readonly memoryBudgetMb: number;
  readonly environments: number;
  readonly idleEnvironments: number;
  readonly environmentsMb: number;
  /** Idle environments shut down to stay within the memory budget. */
  readonly reclaimed: number;
}

/** Which lane an invocation waits in (see the module's comment). */
export type Lane = 'urgent' | 'interactive' | 'background';

/** Under contention, one admission in this many goes to background work. */
export const BACKGROUND_SHARE = 4;

export class InvocationAbandonedError extends Error {
  constructor() {
    super('The caller gave up before the invocation could start');
    this.name = 'InvocationAbandonedError';
  }
}

/** Fixed cost of a worker thread beyond its heap (thread, isolate, code space), measured at about 8 MiB. */
export const ENVIRONMENT_OVERHEAD_BYTES = 8 * 2 ** 20;
const MiB = 2 ** 20;

/**
 * A quarter of the machine's memory, at most 3 GiB. An app of a few dozen functions keeps about 55 MiB
 * per environment; with 2 GiB the shop's saga invariant test started 709 environments again and took
 * 222 s on 2 cores, with 3 GiB 236 and 186 s (see the package README).
 */
export function defaultMemoryBudgetMb(totalMemoryBytes = os.totalmem()): number {
  return Math.max(256, Math.min(3072, Math.floor(totalMemoryBytes / 4 / MiB)));
}

/**
 * Four running invocations per core: most of an invocation's time is spent waiting on DynamoDB Local
 * or another engine, so a core keeps several busy. More only adds contention: on 2 cores, with 16 or
 * 32, the 300-order open loop of the saga's invariant test fell behind (a read model minutes late)
 * where 8 kept up.
 */
export function defaultMaxRunning(cores = os.availableParallelism()): number {
  return Math.max(2, cores * 4);
}

interface Waiter {
  readonly grant: (slot: RunSlot) => void;
  readonly queuedAt: number;
}

export class ExecutionScheduler {
  readonly maxRunning: number;
  readonly memoryBudgetMb: number;
  private running = 0;
  private suspendedCallers = 0;
  private readonly lanes: Record<Lane, FairQueue<Waiter>> = {
    urgent: new FairQueue(),
    interactive: new FairQueue(),
    background: new FairQueue(),
  };
  /** Admissions since background work last went first. */
  private admittedSinceBackground = 0;
  private readonly environments = new Set<ReclaimableEnvironment>();
  /** Idle environments, least recently used first (a Map keeps insertion order). */
  private readonly idle = new Map<ReclaimableEnvironment, true>();
  private readonly callers = new Map<string, RunSlot>();
  private readonly callerContext = new AsyncLocalStorage<CallerRequest>();
  private counters = {
    peakRunning: 0,
    peakQueued: 0,
    waited: 0,
    longestWaitMs: 0,
    abandoned: 0,
    reclaimed: 0,
  };

  constructor(options: ExecutionSchedulerOptions = {}) {
    this.maxRunning = options.maxRunning ?? defaultMaxRunning();
    this.memoryBudgetMb = options.memoryBudgetMb ?? defaultMemoryBudgetMb();
    if (!Number.isInteger(this.maxRunning) || this.maxRunning < 1) {
      throw new RangeError(`maxRunning must be a positive integer, not ${this.maxRunning}`);
    }
  }

  /**
   * Resolves with a slot once the invocation may run, waiting in its `lane` (background by default)
   * in the queue of its `key` (its function). Rejects with InvocationAbandonedError when `signal`
   * aborts first.
   */
  acquire(
    options: { readonly lane?: Lane; readonly key?: string; readonly signal?: AbortSignal } = {},
  ): Promise<RunSlot> {
    const { signal } = options;
    if (signal?.aborted) {
      this.counters.abandoned++;
      return Promise.reject(new InvocationAbandonedError());
    }
    if (this.running < this.maxRunning && this.waiting() === 0) {
      this.started();
      return Promise.resolve(this.newSlot());
    }
    return new Promise((resolve, reject) => {
      const lane = this.lanes[options.lane ?? 'background'];
      const key = options.key ?? '';
      const onAbort = (): void => {
        if (!lane.remove(key, waiter)) return;
        this.counters.abandoned++;
        reject(new InvocationAbandonedError());
      };
      const waiter: Waiter = {
        queuedAt: performance.now(),
        grant: (slot) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(slot);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      lane.push(key, waiter);
      this.counters.peakQueued = Math.max(this.counters.peakQueued, this.waiting());
    });
  }

  /**
   * Answers a request that the invocation running in environment `callerToken` sent into the local
   * cloud: invocations started for it are urgent, and the caller's slot is given up from the first of
   * them until the request is answered.
   */
  async runForCaller<T>(callerToken: string | undefined, work: () => Promise<T>): Promise<T> {
    const slot = callerToken === undefined ? undefined : this.callers.get(callerToken);
    if (slot === undefined) return work();
    let open = true;
    let resume: (() => void) | undefined;
    const request: CallerRequest = {
      suspendCaller: () => {
        if (open && resume === undefined) resume = slot.suspend();
      },
    };
    try {
      return await this.callerContext.run(request, work);
    } finally {
      open = false;
      resume?.();
    }
  }

  /** The open request of a waiting invocation the current work is done for, if any. */
  waitingCaller(): CallerRequest | undefined {
    return this.callerContext.getStore();
  }

  /** Runs `work` for no caller: work that outlives the request that started it (async invocations). */
  detached<T>(work: () => T): T {
    return this.callerContext.exit(work);
  }

  /** While `slot`'s invocation runs in the environment known as `token`, its requests carry the token. */
  bindCaller(token: string, slot: RunSlot): () => void {
    this.callers.set(token, slot);
    return () => {
      if (this.callers.get(token) === slot) this.callers.delete(token);
    };
  }

  addEnvironment(environment: ReclaimableEnvironment): void {
    this.environments.add(environment);
  }

  removeEnvironment(environment: ReclaimableEnvironment): void {
    this.environments.delete(environment);
    this.idle.delete(environment);
  }

  /** The environment finished an invocation: it is the most recently used, and may be reclaimed. */
  markIdle(environment: ReclaimableEnvironment): void {
    this.idle.delete(environment);
    this.idle.set(environment, true);
    this.reclaimOverBudget();
  }

  markBusy(environment: ReclaimableEnvironment): void {
    this.idle.delete(environment);
  }

  stats(): SchedulerStats {
    let bytes = 0;
    for (const environment of this.environments) bytes += environment.footprintBytes;
    return {
      maxRunning: this.maxRunning,
      running: this.running,
      queued: this.waiting(),
      suspended: this.suspendedCallers,
      memoryBudgetMb: this.memoryBudgetMb,
      environments: this.environments.size,
      idleEnvironments: this.idle.size,
      environmentsMb: Math.round(bytes / MiB),
      ...this.counters,
      longestWaitMs: Math.round(this.counters.longestWaitMs),
    };
  }

  private waiting(): number {
    return this.lanes.urgent.size + this.lanes.interactive.size + this.lanes.background.size;
  }

  /** The next waiter to admit: urgent first, then interactive, with background's share kept. */
  private next(): Waiter | undefined {
    const { urgent, interactive, background } = this.lanes;
    if (urgent.size > 0) return urgent.shift();
    const backgroundsTurn = this.admittedSinceBackground >= BACKGROUND_SHARE - 1;
    if (interactive.size > 0 && !(backgroundsTurn && background.size > 0)) {
      this.admittedSinceBackground++;
      return interactive.shift();
    }
    this.admittedSinceBackground = 0;
    return background.shift();
  }

  private newSlot(): RunSlot {
    let released = false;
    let suspensions = 0;
    const slot: RunSlot = {
      suspend: () => {
        if (released) return () => undefined;
        if (suspensions++ === 0) {
          this.suspendedCallers++;
          this.running--;
          this.admit();
        }
        let resumed = false;
        return () => {
          if (resumed || released) return;
          resumed = true;
          if (--suspensions === 0) {
            this.suspendedCallers--;
            // The caller carries on at once: it may briefly put the count above the budget.
            this.started();
          }
        };
      },
      release: () => {
        if (released) return;
        released = true;
        if (suspensions > 0) this.suspendedCallers--;
        else this.running--;
        suspensions = 0;
        this.admit();
      },
    };
    return slot;
  }

  private admit(): void {
    while (this.running < this.maxRunning) {
      const next = this.next();
      if (next === undefined) return;
      this.started();
      const waitedMs = performance.now() - next.queuedAt;
      this.counters.waited++;
      this.counters.longestWaitMs = Math.max(this.counters.longestWaitMs, waitedMs);
      next.grant(this.newSlot());
    }
  }

  private started(): void {
    this.running++;
    this.counters.peakRunning = Math.max(this.counters.peakRunning, this.running);
  }

  private reclaimOverBudget(): void {
    let bytes = 0;
    for (const environment of this.environments) bytes += environment.footprintBytes;
    const budget = this.memoryBudgetMb * MiB;
    for (const environment of this.idle.keys()) {
      if (bytes <= budget) return;
      this.idle.delete(environment);
      this.environments.delete(environment);
      bytes -= environment.footprintBytes;
      this.counters.reclaimed++;
      environment.reclaim();
    }
  }
}
