/**
 * The execution environments of one function: each is a `worker_threads` Worker running
 * worker-runtime.ts, serving one invocation at a time. Idle environments are reused most-recent first
 * (as Lambda tends to), new ones are cold starts, and a function's concurrency is capped as reserved
 * concurrency (or the local cap) says.
 */
import { buildSync } from 'esbuild';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { AwsServiceError } from '../aws-protocol';
import type { InvocationTracer, TracingMode } from '../xray/lambda-invocation-tracer';
import { ConcurrencyPool, DEFAULT_ACCOUNT_CONCURRENCY, type ThrottleReason } from './concurrency-pool';
import {
  ENVIRONMENT_OVERHEAD_BYTES,
  ExecutionScheduler,
  type ReclaimableEnvironment,
  type RunSlot,
} from './execution-scheduler';
import type { FunctionError } from './invoker';
import type { InvokeMessage, WorkerMessage, WorkerStartData } from './worker-runtime';

export interface InvocationRecord {
  readonly requestId: string;
  readonly functionName: string;
  readonly trigger: string;
  /** ISO-8601 time the invocation was accepted. */
  readonly startedAt: string;
  /** Handler time, init excluded (Lambda's `Duration`). */
  readonly durationMs: number;
  /** How long it waited for the local machine before it could run (no such wait on AWS). */
  readonly queuedMs?: number;
  readonly cold: boolean;
  /** Set on cold starts (Lambda's `Init Duration`): worker start plus module load. */
  readonly initDurationMs?: number;
  /** `abandoned`: its caller gave up while it waited for the local machine; it never ran. */
  readonly outcome: 'success' | 'error' | 'timeout' | 'throttled' | 'abandoned';
  readonly errorType?: string;
  /** The version or alias the caller named, if any. */
  readonly qualifier?: string;
  /** The version that ran: `$LATEST` or a published version's number (`ExecutedVersion`). */
  readonly executedVersion: string;
}

export interface FunctionWorkerPoolOptions {
  readonly name: string;
  readonly arn: string;
  readonly codeDir: string;
  readonly handler: string;
  /** The complete environment of the function's workers (AWS_LAMBDA_LOG_STREAM_NAME is added per worker). */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutSeconds?: number;
  readonly memorySize?: number;
  readonly reservedConcurrency?: number;
  /**
   * The function's concurrency, shared by its versions (reserved concurrency is the function's, not a
   * version's). Takes precedence over `reservedConcurrency`.
   */
  readonly concurrency?: ConcurrencyPool;
  /** The version these environments run: `$LATEST` or a published version's number. @default '$LATEST' */
  readonly version?: string;
  /**
   * The account's unreserved pool, shared by the functions that reserve no concurrency.
   * @default a pool of its own with AWS's account default (1,000)
   */
  readonly unreservedConcurrency?: ConcurrencyPool;
  /** The machine's budgets of running invocations and environment memory. @default one of its own */
  readonly scheduler?: ExecutionScheduler;
  /**
   * `host:port` of the local cloud's own endpoints: requests the function sends there carry its
   * environment's token in `callerHeader`, so the scheduler knows the invocation waits on them.
   */
  readonly localEndpoints?: readonly string[];
  /** How long an idle environment is kept warm. */
  readonly idleTimeoutMs?: number;
  readonly onLog?: (line: string) => void;
  readonly onInvocationRecord?: (record: InvocationRecord) => void;
  /** Records the Lambda service's X-Ray segments and sets each invocation's `_X_AMZN_TRACE_ID`. */
  readonly tracer?: InvocationTracer;
  /** The function's `TracingConfig.Mode`. @default 'PassThrough' */
  readonly tracingMode?: TracingMode;
}

export interface ExecutionRequest {
  readonly requestId: string;
  readonly trigger: string;
  /** The ARN the caller used (with its qualifier), for `context.invokedFunctionArn`. */
  readonly invokedFunctionArn?: string;
  readonly traceId?: string;
  readonly clientContextJson?: string;
  /** The caller gives up: an invocation still waiting for the machine is dropped (it never runs). */
  readonly signal?: AbortSignal;
  /** A client outside the local cloud waits for the answer: it goes before background work. */
  readonly interactive?: boolean;
}

export interface ExecutionResult {
  readonly requestId: string;
  /** The response document: the handler's JSON, or the error document when `functionError` is set. */
  readonly payloadJson: string;
  readonly functionError?: FunctionError;
  readonly cold: boolean;
  readonly durationMs: number;
  readonly initDurationMs?: number;
  /** The invocation's log, START to REPORT, as `X-Amz-Log-Type: Tail` returns it. */
  readonly logs: readonly string[];
}

export interface PoolStats {
  readonly coldStarts: number;
  readonly invocations: number;
  readonly errors: number;
  readonly throttles: number;
  /** Invocations whose caller gave up while they waited for the machine. */
  readonly abandoned: number;
  readonly concurrentExecutions: number;
  readonly idleEnvironments: number;
}

/** Sync invocation beyond the function's concurrency (the SDK's `TooManyRequestsException`). */
export class FunctionThrottledError extends AwsServiceError {
  constructor(readonly reason: ThrottleReason) {
    super('TooManyRequestsException', 'Rate Exceeded.', 429);
    // The name stays the AWS error code, as for every AwsServiceError.
    this.name = 'TooManyRequestsException';
  }
}

export class WorkerPoolClosedError extends Error {
  constructor(functionName: string) {
    super(`The execution environments of ${functionName} were shut down`);
    this.name = 'WorkerPoolClosedError';
  }
}

const DEFAULT_TIMEOUT_SECONDS = 3;
const DEFAULT_MEMORY_SIZE = 128;
/** The header that tells the local cloud which environment a request comes from. */
export const CALLER_HEADER = 'x-local-cloud-caller';
const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;
/** Lambda's init phase limit; a slower init is retried inside the invoke, under the function timeout. */
const INIT_LIMIT_MS = 10_000;
/** Enough for the 4 KB tail without keeping every line of a chatty invocation. */
const MAX_KEPT_LOG_CHARS = 16 * 1024;
const SHUT_DOWN_ERROR: FunctionError = {
  errorType: 'Runtime.ExitError',
  errorMessage: 'The local Lambda service shut down',
};

let runtimeScript: string | undefined;

/**
 * The worker runtime compiled to CommonJS, built once per process. Workers cannot load the `.ts` source
 * (jest and tsx transform the main thread only), so it is bundled with esbuild into the temp directory
 * under a content hash, written atomically so concurrent test processes can share it.
 */
export function workerRuntimePath(): string {
  if (runtimeScript !== undefined) return runtimeScript;
  const source = path.join(__dirname, 'worker-runtime.ts');
  if (!existsSync(source)) {
    runtimeScript = path.join(__dirname, 'worker-runtime.js');
    return runtimeScript;
  }
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 16);
  const outfile = path.join(os.tmpdir(), `local-cloud-worker-runtime-${hash}.js`);
  if (!existsSync(outfile)) {
    const result = buildSync({
      entryPoints: [source],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile,
      write: false,
      logLevel: 'silent',
    });
    const output = result.outputFiles[0];
    if (output === undefined) throw new Error('esbuild produced no worker runtime');
    const temporary = `${outfile}.${process.pid}.${randomUUID()}.tmp`;
    writeFileSync(temporary, output.contents);
    renameSync(temporary, outfile);
  }
  runtimeScript = outfile;
  return outfile;
}

type Outcome =
  | { readonly kind: 'success'; readonly payloadJson: string }
  | { readonly kind: 'error'; readonly error: FunctionError }
  /** The environment is gone (timeout, crash, failed init); the error is what Lambda returns. */
  | { readonly kind: 'lost'; readonly error: FunctionError; readonly timedOut: boolean }
  | { readonly kind: 'closed' };

interface Settled {
  readonly outcome: Outcome;
  /** The function's log lines during the invocation. */
  readonly logs: string[];
}

interface PendingInvocation {
  readonly id: number;
  readonly requestId: string;
  readonly resolve: (settled: Settled) => void;
  readonly timer: NodeJS.Timeout;
  readonly logs: string[];
  logChars: number;
}

/** One worker: one Lambda execution environment. */
class ExecutionEnvironment implements ReclaimableEnvironment {
  readonly worker: Worker;
  /** Resolves once the handler module is loaded: undefined, or the init error. */
  readonly initialized: Promise<FunctionError | undefined>;
  /** What its requests into the local cloud carry (`CALLER_HEADER`). */
  readonly token: string;
  initDurationMs = 0;
  alive = true;
  idleTimer: NodeJS.Timeout | undefined;
  /** Until the first invocation reports its heap: a fresh worker with a bundle loaded. */
  footprintBytes = ENVIRONMENT_OVERHEAD_BYTES * 2;
  private pending: PendingInvocation | undefined;
  /** The running invocation's slot on the machine, and how to take it back while the function sleeps. */
  private slot: RunSlot | undefined;
  private wakeUp: (() => void) | undefined;
  private nextId = 1;
  private resolveInit: ((error: FunctionError | undefined) => void) | undefined;
  private lastWorkerError: unknown;
  private exited: Promise<unknown> | undefined;
  private readonly initLogs: string[] = [];

  constructor(
    private readonly pool: PoolInternals,
    data: WorkerStartData,
    env: Record<string, string>,
  ) {
    this.token = data.callerToken;
    const startedAt = performance.now();
    const initTimer = setTimeout(() => {
      const seconds = (pool.timeoutMs / 1000).toFixed(2);
      this.lose({ errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${seconds} seconds` });
    }, INIT_LIMIT_MS + pool.timeoutMs);
    this.initialized = new Promise((resolve) => {
      this.resolveInit = (error) => {
        this.initDurationMs = performance.now() - startedAt;
        this.resolveInit = undefined;
        clearTimeout(initTimer);
        resolve(error);
      };
    });
    this.worker = new Worker(workerRuntimePath(), {
      workerData: data,
      env,
      // Never inherit the parent's loaders (tsx, jest) or flags.
      execArgv: [],
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: data.memorySize },
    });
    this.worker.on('message', (message: WorkerMessage) => this.onMessage(message));
    this.worker.on('error', (error) => {
      this.lastWorkerError = error;
    });
    this.worker.on('exit', (code) => this.onExit(code));
    // Output that bypasses the patched streams still reaches the log.
    const forward = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') this.log(line);
    };
    this.worker.stdout.on('data', forward);
    this.worker.stderr.on('data', forward);
  }

  /** Lines logged during init, which Lambda shows in the first invocation's log. */
  takeInitLogs(): string[] {
    return this.initLogs.splice(0);
  }

  /** Runs one invocation holding `slot`, which it gives up while the function sleeps on a timer. */
  run(
    eventJson: string,
    request: ExecutionRequest,
    invokedFunctionArn: string,
    slot?: RunSlot,
  ): Promise<Settled> {
    this.slot = slot;
    return new Promise((resolve) => {
      const id = this.nextId++;
      const timer = setTimeout(() => this.timeOut(), this.pool.timeoutMs);
      this.pending = { id, requestId: request.requestId, resolve, timer, logs: [], logChars: 0 };
      const message: InvokeMessage = {
        id,
        eventJson,
        deadlineMs: Date.now() + this.pool.timeoutMs,
        requestId: request.requestId,
        invokedFunctionArn,
        traceId: request.traceId ?? newTraceId(),
        clientContextJson: request.clientContextJson,
      };
      this.worker.postMessage(message);
    });
  }

  /** The scheduler shuts an idle environment down to stay within the memory budget. */
  reclaim(): void {
    void this.terminate();
  }

  /** Stops the worker; resolves once it has exited. */
  terminate(): Promise<unknown> {
    this.alive = false;
    clearTimeout(this.idleTimer);
    this.pool.forget(this);
    this.exited ??= this.worker.terminate().catch(() => undefined);
    return this.exited;
  }

  /** Shuts the environment down for good; a running invocation settles as `closed`. */
  close(): Promise<unknown> {
    const exited = this.terminate();
    this.resolveInit?.({
      errorType: 'Runtime.ExitError',
      errorMessage: 'The local Lambda service shut down',
    });
    this.settle({ kind: 'closed' });
    return exited;
  }

  /** Ends the environment and fails whatever it was doing (init or invocation). */
  private lose(error: FunctionError, timedOut = false): void {
    if (!this.alive) return;
    void this.terminate();
    this.fail(error, timedOut);
  }

  private fail(error: FunctionError, timedOut: boolean): void {
    if (this.resolveInit) this.resolveInit(error);
    else this.settle({ kind: 'lost', error, timedOut });
  }

  private settle(outcome: Outcome): void {
    const pending = this.pending;
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending = undefined;
    // The slot is released with the invocation, suspended or not.
    this.slot = undefined;
    this.wakeUp = undefined;
    pending.resolve({ outcome, logs: pending.logs });
  }

  private timeOut(): void {
    const pending = this.pending;
    if (!pending) return;
    const seconds = (this.pool.timeoutMs / 1000).toFixed(2);
    this.log(`${new Date().toISOString()} ${pending.requestId} Task timed out after ${seconds} seconds`);
    this.lose(
      {
        errorType: 'Sandbox.Timedout',
        errorMessage: `RequestId: ${pending.requestId} Error: Task timed out after ${seconds} seconds`,
      },
      true,
    );
  }

  private log(line: string): void {
    const pending = this.pending;
    if (pending) {
      pending.logs.push(line);
      pending.logChars += line.length;
      while (pending.logChars > MAX_KEPT_LOG_CHARS && pending.logs.length > 1) {
        pending.logChars -= pending.logs.shift()?.length ?? 0;
      }
    } else if (this.resolveInit) {
      this.initLogs.push(line);
    }
    this.pool.onLog(line);
  }

  private onMessage(message: WorkerMessage): void {
    switch (message.type) {
      case 'log':
        this.log(message.line);
        return;
      case 'result':
        this.footprintBytes = message.heapBytes + ENVIRONMENT_OVERHEAD_BYTES;
        if (message.id !== this.pending?.id) return;
        this.settle(
          message.ok
            ? { kind: 'success', payloadJson: message.payloadJson }
            : { kind: 'error', error: message.error },
        );
        return;
      case 'ready':
        this.resolveInit?.(undefined);
        return;
      case 'sleeping':
        if (message.id === this.pending?.id && this.wakeUp === undefined) this.wakeUp = this.slot?.suspend();
        return;
      case 'awake':
        if (message.id !== this.pending?.id) return;
        this.wakeUp?.();
        this.wakeUp = undefined;
        return;
      case 'init-error':
      case 'crash':
        this.lose(message.error);
        return;
    }
  }

  /** The worker ended on its own (process.exit, out of memory). */
  private onExit(code: number): void {
    if (!this.alive) return;
    this.alive = false;
    clearTimeout(this.idleTimer);
    this.pool.forget(this);
    const outOfMemory =
      (this.lastWorkerError as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
    const reason = outOfMemory
      ? 'Runtime exited with error: signal: killed'
      : code === 0
        ? 'Runtime exited without providing a reason'
        : `Runtime exited with error: exit status ${code}`;
    const errorType = outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError';
    const requestId = this.pending?.requestId;
    const errorMessage = requestId === undefined ? reason : `RequestId: ${requestId} Error: ${reason}`;
    this.log(`${errorMessage}\n${errorType}`);
    this.fail({ errorType, errorMessage }, false);
  }
}

/** What an environment needs from its pool. */
interface PoolInternals {
  readonly timeoutMs: number;
  onLog(line: string): void;
  forget(environment: ExecutionEnvironment): void;
}

function newTraceId(): string {
  const hex = randomBytes(20).toString('hex');
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${epoch}-${hex.slice(0, 24)};Parent=${hex.slice(24)};Sampled=0`;
}

export class FunctionWorkerPool {
  readonly name: string;
  readonly arn: string;
  readonly timeoutMs: number;
  readonly memorySize: number;
  readonly version: string;
  /** Reserved concurrency's own pool, or the account's unreserved pool. */
  readonly concurrency: ConcurrencyPool;
  private readonly scheduler: ExecutionScheduler;
  private readonly idleTimeoutMs: number;
  private readonly environments = new Set<ExecutionEnvironment>();
  /** Warm environments, most recently used last. */
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly startData: Omit<WorkerStartData, 'logStreamName' | 'callerToken'>;
  private readonly baseEnv: Record<string, string>;
  private busy = 0;
  private closed = false;
  private counters = { coldStarts: 0, invocations: 0, errors: 0, throttles: 0, abandoned: 0 };

  constructor(private readonly options: FunctionWorkerPoolOptions) {
    this.name = options.name;
    this.arn = options.arn;
    this.timeoutMs = (options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
    this.memorySize = options.memorySize ?? DEFAULT_MEMORY_SIZE;
    this.version = options.version ?? '$LATEST';
    this.concurrency =
      options.concurrency ??
      (options.reservedConcurrency === undefined
        ? (options.unreservedConcurrency ??
          new ConcurrencyPool(DEFAULT_ACCOUNT_CONCURRENCY, 'ConcurrentInvocationLimitExceeded'))
        : new ConcurrencyPool(
            options.reservedConcurrency,
            'ReservedFunctionConcurrentInvocationLimitExceeded',
          ));
    this.scheduler = options.scheduler ?? new ExecutionScheduler();
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    const { NODE_OPTIONS: nodeOptions, ...env } = options.env;
    this.baseEnv = env;
    this.startData = {
      codeDir: options.codeDir,
      handler: options.handler,
      functionName: options.name,
      functionVersion: this.version,
      memorySize: this.memorySize,
      logGroupName: `/aws/lambda/${options.name}`,
      enableSourceMaps: nodeOptions?.includes('--enable-source-maps') ?? false,
      callerHeader: CALLER_HEADER,
      localEndpoints: options.localEndpoints ?? [],
    };
  }

  /**
   * Runs one invocation. Resolves with handler errors, timeouts and crashes as function errors;
   * rejects with FunctionThrottledError when the function's concurrency is exhausted, and with
   * InvocationAbandonedError when `request.signal` aborts while it waits for the machine.
   */
  async invoke(eventJson: string, untracedRequest: ExecutionRequest): Promise<ExecutionResult> {
    if (this.closed) throw new WorkerPoolClosedError(this.name);
    const startedAt = new Date().toISOString();
    const traceStart = {
      functionName: this.name,
      functionArn: this.arn,
      requestId: untracedRequest.requestId,
      tracingMode: this.options.tracingMode ?? 'PassThrough',
      ...(untracedRequest.traceId === undefined ? {} : { traceHeader: untracedRequest.traceId }),
    } as const;
    if (!this.concurrency.tryTake()) {
      this.counters.throttles++;
      this.record(untracedRequest, startedAt, 0, false, undefined, 'throttled', 'TooManyRequestsException');
      this.options.tracer?.recordThrottle(traceStart);
      throw new FunctionThrottledError(this.concurrency.throttleReason);
    }
    this.busy++;
    // An invocation some function waits for (through an API or the Invoke API) goes first, and that
    // function's slot is free meanwhile.
    const caller = this.scheduler.waitingCaller();
    caller?.suspendCaller();
    let slot: RunSlot | undefined;
    let trace: ReturnType<NonNullable<InvocationTracer['begin']>> | undefined;
    try {
      const queuedAt = performance.now();
      try {
        slot = await this.scheduler.acquire({
          lane: caller !== undefined ? 'urgent' : untracedRequest.interactive ? 'interactive' : 'background',
          key: this.name,
          ...(untracedRequest.signal === undefined ? {} : { signal: untracedRequest.signal }),
        });
      } catch (error) {
        this.counters.abandoned++;
        const queuedMs = performance.now() - queuedAt;
        this.record(untracedRequest, startedAt, 0, false, undefined, 'abandoned', undefined, queuedMs);
        throw error;
      }
      const queuedMs = performance.now() - queuedAt;
      if (this.closed) throw new WorkerPoolClosedError(this.name);
      trace = this.options.tracer?.begin(traceStart);
      const request = trace ? { ...untracedRequest, traceId: trace.functionTraceHeader } : untracedRequest;
      let environment = this.idle.pop();
      const cold = environment === undefined;
      let settled: Settled | undefined;
      if (environment === undefined) {
        this.counters.coldStarts++;
        environment = this.spawn();
      } else {
        // The idle timer keeps running: it is re-armed on release and ignores busy environments.
        environment.worker.ref();
      }
      this.scheduler.markBusy(environment);
      const unbindCaller = this.scheduler.bindCaller(environment.token, slot);
      try {
        if (cold) {
          const initError = await environment.initialized;
          if (this.closed) throw new WorkerPoolClosedError(this.name);
          if (initError) settled = { outcome: { kind: 'lost', error: initError, timedOut: false }, logs: [] };
        }
        const logs = cold ? environment.takeInitLogs() : [];
        const began = performance.now();
        settled ??= await environment.run(eventJson, request, request.invokedFunctionArn ?? this.arn, slot);
        const durationMs = performance.now() - began;
        const { outcome } = settled;
        if (outcome.kind === 'closed') throw new WorkerPoolClosedError(this.name);
        unbindCaller();
        if (outcome.kind === 'success' || outcome.kind === 'error') this.release(environment);
        logs.push(...settled.logs);

        this.counters.invocations++;
        const initDurationMs = cold ? environment.initDurationMs : undefined;
        const functionError = outcome.kind === 'success' ? undefined : outcome.error;
        if (functionError) this.counters.errors++;
        const timedOut = outcome.kind === 'lost' && outcome.timedOut;
        trace?.end({
          cold,
          durationMs,
          ...(initDurationMs === undefined ? {} : { initDurationMs }),
          ...(functionError === undefined ? {} : { error: functionError }),
          environmentLost: outcome.kind === 'lost',
        });
        this.record(
          request,
          startedAt,
          durationMs,
          cold,
          initDurationMs,
          functionError === undefined ? 'success' : timedOut ? 'timeout' : 'error',
          functionError?.errorType,
          queuedMs,
        );
        return {
          requestId: request.requestId,
          payloadJson: outcome.kind === 'success' ? outcome.payloadJson : JSON.stringify(functionError),
          functionError,
          cold,
          durationMs,
          initDurationMs,
          logs: this.frameLogs(request.requestId, logs, durationMs, initDurationMs),
        };
      } finally {
        unbindCaller();
      }
    } finally {
      // Ends the trace of an invocation cut short by a shutdown; one already ended is left alone.
      trace?.end({ environmentLost: true, error: SHUT_DOWN_ERROR });
      slot?.release();
      this.busy--;
      this.concurrency.give();
    }
  }

  /** Resolves true once an invocation could be counted in, false after `timeoutMs` or on close. */
  async waitForCapacity(timeoutMs: number): Promise<boolean> {
    if (this.closed) return false;
    const waiting = this.concurrency.waitForCapacity(timeoutMs);
    this.capacityWaits.add(waiting.cancel);
    try {
      return (await waiting.ready) && !this.closed;
    } finally {
      this.capacityWaits.delete(waiting.cancel);
    }
  }

  stats(): PoolStats {
    return { ...this.counters, concurrentExecutions: this.busy, idleEnvironments: this.idle.length };
  }

  /** Terminates every environment; running invocations reject with WorkerPoolClosedError. */
  async close(): Promise<void> {
    this.closed = true;
    this.capacityWaits.forEach((cancel) => cancel());
    const environments = [...this.environments];
    this.environments.clear();
    this.idle.length = 0;
    await Promise.all(environments.map((environment) => environment.close()));
  }

  private readonly capacityWaits = new Set<() => void>();

  private spawn(): ExecutionEnvironment {
    const logStreamName = `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[${this.version}]${randomBytes(16).toString('hex')}`;
    const internals: PoolInternals = {
      timeoutMs: this.timeoutMs,
      onLog: (line) => this.options.onLog?.(line),
      forget: (environment) => this.forget(environment),
    };
    const environment = new ExecutionEnvironment(
      internals,
      { ...this.startData, logStreamName, callerToken: randomUUID() },
      { ...this.baseEnv, AWS_LAMBDA_LOG_STREAM_NAME: logStreamName },
    );
    this.environments.add(environment);
    this.scheduler.addEnvironment(environment);
    return environment;
  }

  private release(environment: ExecutionEnvironment): void {
    if (this.closed || !environment.alive) return;
    environment.worker.unref();
    this.idle.push(environment);
    if (environment.idleTimer === undefined) {
      environment.idleTimer = setTimeout(() => this.expire(environment), this.idleTimeoutMs);
      environment.idleTimer.unref();
    } else {
      environment.idleTimer.refresh();
    }
    // Last: staying within the memory budget may shut this very environment down.
    this.scheduler.markIdle(environment);
  }

  private expire(environment: ExecutionEnvironment): void {
    const index = this.idle.indexOf(environment);
    if (index < 0) return;
    void environment.terminate();
  }

  private forget(environment: ExecutionEnvironment): void {
    this.environments.delete(environment);
    this.scheduler.removeEnvironment(environment);
    const index = this.idle.indexOf(environment);
    if (index >= 0) this.idle.splice(index, 1);
  }

  private record(
    request: ExecutionRequest,
    startedAt: string,
    durationMs: number,
    cold: boolean,
    initDurationMs: number | undefined,
    outcome: InvocationRecord['outcome'],
    errorType: string | undefined,
    queuedMs?: number,
  ): void {
    this.options.onInvocationRecord?.({
      requestId: request.requestId,
      functionName: this.name,
      trigger: request.trigger,
      startedAt,
      durationMs,
      ...(queuedMs === undefined ? {} : { queuedMs: Math.round(queuedMs) }),
      cold,
      ...(initDurationMs === undefined ? {} : { initDurationMs }),
      outcome,
      ...(errorType === undefined ? {} : { errorType }),
      ...qualifierOf(request.invokedFunctionArn),
      executedVersion: this.version,
    });
  }

  /** Lambda's platform lines around the function's own output. */
  private frameLogs(
    requestId: string,
    lines: readonly string[],
    durationMs: number,
    initDurationMs: number | undefined,
  ): string[] {
    const init = initDurationMs === undefined ? '' : `\tInit Duration: ${initDurationMs.toFixed(2)} ms`;
    return [
      `START RequestId: ${requestId} Version: ${this.version}`,
      ...lines,
      `END RequestId: ${requestId}`,
      `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(durationMs)} ms\tMemory Size: ${this.memorySize} MB${init}\t`,
    ];
  }
}

/** The qualifier of `arn:aws:lambda:<region>:<account>:function:<name>:<qualifier>`, as a record member. */
function qualifierOf(invokedFunctionArn: string | undefined): { qualifier?: string } {
  const qualifier = invokedFunctionArn?.split(':')[7];
  return qualifier === undefined || qualifier === '' || qualifier === '$LATEST' ? {} : { qualifier };
}
