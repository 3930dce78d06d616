/**
 * The one door to `aws-local-stepfunctions` (3.0.0, pinned). Two things are added here, before the
 * library is used:
 * - `Promise.withResolvers`, which the library calls and Node.js 20 lacks (the library targets 22);
 * - synchronous observation of every run — the root run and each Map iteration or Parallel branch, which
 *   the library runs as a nested state machine — with a Context Object of the observer's per run. The
 *   library's own event stream is asynchronous, too late to know which state a Task handler or a
 *   `$$.State`/`$$.Task` reference belongs to; the observer sees each event the moment it happens.
 */
import { StateMachine, type RunOptions, type StateMachineDefinition } from 'aws-local-stepfunctions';

export { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError } from 'aws-local-stepfunctions';

type Resolvers<T> = {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
};
const promiseStatics = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> };
if (typeof promiseStatics.withResolvers !== 'function') {
  promiseStatics.withResolvers = <T>(): Resolvers<T> => {
    let resolve: Resolvers<T>['resolve'] = () => undefined;
    let reject: Resolvers<T>['reject'] = () => undefined;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

/** An event of the library's execution log, as its loggers dispatch them. */
export interface LibraryEvent {
  readonly type: string;
  readonly timestamp: number;
  readonly state?: {
    readonly name: string;
    readonly type: string;
    readonly input: unknown;
    readonly output?: unknown;
  };
  readonly input?: unknown;
  readonly output?: unknown;
  readonly Error?: string;
  readonly Cause?: unknown;
  readonly retry?: { readonly attempt: number };
}

/** One run of the library: the execution's root or a nested Map iteration / Parallel branch. */
export interface ObservedRun {
  /** The Context Object this run's states read (`$$`). */
  readonly context: Record<string, unknown>;
  /**
   * Called synchronously as the library dispatches each of this run's own events. The copies the
   * library forwards to the parent run later (and its `MapIteration*`/`ParallelBranch*` renderings of a
   * nested run's start and end) are not reported again.
   */
  onEvent(event: LibraryEvent): void;
}

export interface RunObserver {
  /** A run starts: the root (`parent` undefined) or a Map iteration / Parallel branch of `parent`. */
  onRunStart(parent: ObservedRun | undefined): ObservedRun;
}

export type TaskHandler = (input: unknown) => Promise<unknown>;

export interface LibraryRun {
  readonly result: Promise<unknown>;
  abort(): void;
}

interface EventLogger {
  dispatch(event: LibraryEvent): void;
  readonly isLoggerClosed?: boolean;
}

interface ExecuteOptions {
  readonly eventLogger: EventLogger;
  readonly runOptions?: RunOptions;
}

type Execute = (
  this: unknown,
  input: unknown,
  options: ExecuteOptions,
  cleanup: () => void,
) => Promise<unknown>;

const observed = new WeakMap<object, { readonly observer: RunObserver; readonly run?: ObservedRun }>();
/** Events already reported: a nested run's state events reach its parent's logger as the same objects. */
const reported = new WeakSet<LibraryEvent>();
const FORWARDED_ONLY = /^(MapIteration|ParallelBranch)/;

const prototype = StateMachine.prototype as unknown as { execute?: Execute };
const originalExecute = prototype.execute;
if (typeof originalExecute !== 'function') {
  throw new Error(
    'aws-local-stepfunctions no longer has StateMachine.prototype.execute: the local cloud needs version 3.0.0.',
  );
}
// Every run, nested ones included, goes through `execute` with its own logger and the run options of
// the run that started it: the observer is found through the Context Object those options carry.
prototype.execute = function observedExecute(input, options, cleanup) {
  const key = options.runOptions?.context;
  const entry = key === undefined ? undefined : observed.get(key);
  if (!entry) return originalExecute.call(this, input, options, cleanup);
  const run = entry.observer.onRunStart(entry.run);
  observed.set(run.context, { observer: entry.observer, run });
  const logger = options.eventLogger;
  const dispatch = logger.dispatch.bind(logger);
  logger.dispatch = (event) => {
    if (!logger.isLoggerClosed && !reported.has(event) && !FORWARDED_ONLY.test(event.type)) {
      reported.add(event);
      run.onEvent(event);
    }
    dispatch(event);
  };
  const runOptions = { ...options.runOptions, context: run.context };
  return originalExecute.call(this, input, { ...options, runOptions }, cleanup);
};

/** A definition validated once by the library, run many times. */
export class LibraryStateMachine {
  private readonly machine: StateMachine;

  constructor(definition: Record<string, unknown>) {
    // ARNs are checked by the local cloud's own integration table; JSONPaths by the library.
    this.machine = new StateMachine(definition as unknown as StateMachineDefinition, {
      validationOptions: { checkArn: false },
    });
  }

  /** Runs with every Task state handled by `taskHandlers` and every run reported to `observer`. */
  run(
    input: unknown,
    taskHandlers: Readonly<Record<string, TaskHandler>>,
    observer: RunObserver,
  ): LibraryRun {
    const key = {};
    observed.set(key, { observer });
    const execution = this.machine.run(input as Parameters<StateMachine['run']>[0], {
      overrides: {
        taskResourceLocalHandlers: taskHandlers as NonNullable<
          NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']
        >,
      },
      context: key,
    });
    // The library's event stream is not read: the observer sees every event already.
    return { result: execution.result, abort: execution.abort };
  }
}
