/**
 * One execution of a state machine: the library runs the definition, this class gives every run its
 * Context Object (`$$.Execution`, `$$.StateMachine`, `$$.State`, `$$.Task.Token` as AWS fills them),
 * hands each Task state to the local integrations, and writes the history as AWS records it.
 */
import {
  EXECUTION_CONTEXT_KEY,
  type FailStateInfo,
  type InspectedDefinition,
  type TaskStateInfo,
} from './asl-definition';
import { ExecutionHistory, type HistoryEvent } from './execution-history';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type LibraryEvent,
  type LibraryStateMachine,
  type ObservedRun,
  type RunObserver,
  type TaskHandler,
} from './library-runs';
import { TaskFailure, type TaskIntegrations } from './task-integrations';
import { awsRuntimeCause } from './runtime-causes';
import { historyResourceName } from './task-resource';
import type { TaskTokenRegistry } from './task-token-registry';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
export type StateMachineType = 'STANDARD' | 'EXPRESS';

/** A state machine as the engine keeps it. */
export interface MachineRuntime {
  readonly arn: string;
  readonly name: string;
  readonly type: StateMachineType;
  readonly roleArn?: string;
  readonly inspected: InspectedDefinition;
  readonly library: LibraryStateMachine;
}

export interface ExecutionOptions {
  readonly machine: MachineRuntime;
  readonly arn: string;
  readonly name: string;
  /** The input as JSON text (already validated). */
  readonly input: string;
  readonly traceHeader?: string;
  /** What the tasks continue: the execution's own X-Ray segment when it is traced. @default traceHeader */
  readonly taskTraceHeader?: string;
  readonly integrations: TaskIntegrations;
  readonly tokens: TaskTokenRegistry;
}

/** One visit of a state, for the local cloud's state-by-state view. */
export interface StateVisit {
  readonly name: string;
  readonly type: string;
  readonly enteredAt: Date;
  readonly input: unknown;
  /** The Map state and item index when the state runs inside a Map iteration. */
  readonly iteration?: { readonly map: string; readonly index: number };
  /** The id of its `…StateEntered` history event. */
  enteredEventId?: number;
  status: 'running' | 'succeeded' | 'failed' | 'caught';
  retries: number;
  exitedAt?: Date;
  output?: unknown;
  error?: string;
  cause?: string;
}

interface TaskAttempt {
  readonly info: TaskStateInfo;
  readonly token?: string;
  closed: boolean;
}

/** The live state of one run (the root, a Map iteration or a Parallel branch). */
interface RunState {
  readonly kind: 'root' | 'iteration' | 'branch';
  readonly iteration?: { readonly map: string; readonly index: number };
  visit?: StateVisit & {
    token?: string;
    attempt?: TaskAttempt;
    iterations: number;
    /** `MapStateStarted`'s details, whose `length` grows as iterations start. */
    mapStarted?: { length: number };
  };
  lastEventId: number;
}

export class Execution implements RunObserver {
  readonly machine: MachineRuntime;
  readonly arn: string;
  readonly name: string;
  readonly input: string;
  readonly traceHeader?: string;
  private readonly taskTraceHeader?: string;
  readonly startDate = new Date();
  readonly history = new ExecutionHistory();
  readonly visits: StateVisit[] = [];
  readonly done: Promise<void>;
  status: ExecutionStatus = 'RUNNING';
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;

  private readonly integrations: TaskIntegrations;
  private readonly tokens: TaskTokenRegistry;
  private readonly executionContext: Record<string, unknown>;
  private readonly runs = new WeakMap<ObservedRun, RunState>();
  /** The `$$.State`/`$$.Task` objects handed to the library, which read the current state. */
  private readonly liveObjects = new WeakSet<object>();
  /** The run whose state was entered (or retried) last: the one a Task handler call belongs to. */
  private activeRun?: RunState;
  private abortRun?: () => void;
  private stopReason?: { error?: string; cause?: string };
  private failedFailState?: FailStateInfo;
  /** A States.Runtime failure reworded as AWS words it: the interpreter's cause, and AWS's. */
  private runtimeFailure?: { readonly library?: string; readonly cause: string };
  /** Set the moment the run ends or is stopped, before `status` follows: no task starts after it. */
  private ended = false;
  private markDone: () => void = () => undefined;

  constructor(options: ExecutionOptions) {
    this.machine = options.machine;
    this.arn = options.arn;
    this.name = options.name;
    this.input = options.input;
    this.traceHeader = options.traceHeader;
    this.taskTraceHeader = options.taskTraceHeader ?? options.traceHeader;
    this.integrations = options.integrations;
    this.tokens = options.tokens;
    this.done = new Promise((resolve) => (this.markDone = resolve));
    this.executionContext = {
      Id: this.arn,
      Input: JSON.parse(this.input) as unknown,
      Name: this.name,
      RoleArn: this.machine.roleArn,
      StartTime: this.startDate.toISOString(),
      RedriveCount: 0,
    };
  }

  /** Starts running; `done` resolves once the execution is closed. */
  start(): void {
    const handlers: Record<string, TaskHandler> = {};
    for (const info of this.machine.inspected.tasks.values()) handlers[info.name] = this.taskHandler(info);
    const run = this.machine.library.run(JSON.parse(this.input) as unknown, handlers, this);
    this.abortRun = run.abort;
    run.result.then(
      (output) => this.close('SUCCEEDED', { output: JSON.stringify(output ?? null) }),
      (error: unknown) => this.closeWithError(error),
    );
  }

  /** `StopExecution`: aborts the run; tasks under way are left to finish, as on AWS. */
  stop(error?: string, cause?: string): void {
    if (this.status !== 'RUNNING' || this.ended) return;
    this.stopReason = { error, cause };
    this.ended = true;
    this.abortRun?.();
  }

  // ---- RunObserver --------------------------------------------------------------------------------

  onRunStart(parent: ObservedRun | undefined): ObservedRun {
    const parentRun = parent === undefined ? undefined : this.runs.get(parent);
    const parentVisit = parentRun?.visit;
    if (parentVisit?.mapStarted) parentVisit.mapStarted.length++;
    const run: RunState = {
      kind: parentRun === undefined ? 'root' : parentVisit?.type === 'Map' ? 'iteration' : 'branch',
      iteration:
        parentVisit?.type === 'Map' ? { map: parentVisit.name, index: parentVisit.iterations++ } : undefined,
      lastEventId: parentRun?.lastEventId ?? 0,
    };
    const observed: ObservedRun = {
      context: {
        Execution: { Id: this.arn, Name: this.name, RoleArn: this.machine.roleArn, RedriveCount: 0 },
        [EXECUTION_CONTEXT_KEY]: this.executionContext,
        StateMachine: { Id: this.machine.arn, Name: this.machine.name },
        State: this.liveState(run),
        Task: this.liveTask(run),
      },
      onEvent: (event) => this.onEvent(run, event),
    };
    this.runs.set(observed, run);
    return observed;
  }

  /**
   * `$$.State` of a run. Live, because the library copies this object into the run's context once;
   * a value that holds the object itself is frozen by `freezeContext` before the state changes.
   */
  private liveState(run: RunState): object {
    const state = {
      get Name() {
        return run.visit?.name;
      },
      get EnteredTime() {
        return run.visit?.enteredAt.toISOString();
      },
      get RetryCount() {
        return run.visit?.retries;
      },
    };
    this.liveObjects.add(state);
    return state;
  }

  /** `$$.Task`: a token exists only in `.waitForTaskToken` states, one per attempt, as on AWS. */
  private liveTask(run: RunState): object {
    const tokenOf = (): string | undefined => {
      const visit = run.visit;
      if (!visit || this.machine.inspected.tasks.get(visit.name)?.integration.pattern !== 'callback') {
        return undefined;
      }
      visit.token ??= this.tokens.issue(this.arn);
      return visit.token;
    };
    const task = {
      get Token() {
        return tokenOf();
      },
    };
    this.liveObjects.add(task);
    return task;
  }

  /**
   * Replaces, inside a value about to outlive the current state, every live `$$.State`/`$$.Task` object
   * (and a whole `$$`) with a copy as it reads now. Only definitions that reference them need it.
   */
  private freezeContext(value: unknown): void {
    if (!this.machine.inspected.referencesWholeContext || typeof value !== 'object' || value === null) return;
    const entries: [string | number, unknown][] = Array.isArray(value)
      ? value.map((item, index) => [index, item])
      : Object.entries(value);
    for (const [key, item] of entries) {
      const frozen = this.frozenCopy(item);
      if (frozen === undefined) this.freezeContext(item);
      else (value as Record<string | number, unknown>)[key] = frozen;
    }
  }

  private frozenCopy(value: unknown): unknown {
    if (typeof value !== 'object' || value === null) return undefined;
    if (this.liveObjects.has(value)) return JSON.parse(JSON.stringify(value)) as unknown;
    const context = value as Record<string, unknown>;
    if (context[EXECUTION_CONTEXT_KEY] !== this.executionContext) return undefined;
    // A whole `$$`: the execution-wide `Execution`, and nothing of the local cloud's own.
    const { [EXECUTION_CONTEXT_KEY]: execution, ...rest } = context;
    return JSON.parse(JSON.stringify({ ...rest, Execution: execution })) as unknown;
  }

  // ---- Tasks --------------------------------------------------------------------------------------

  private taskHandler(info: TaskStateInfo): TaskHandler {
    return (input) => {
      // A retry the library schedules after the end must not reach a service again.
      if (this.ended) return Promise.resolve(null);
      // The library calls this synchronously after the state's entry (or retry) was dispatched.
      const run = this.activeRun;
      const visit = run?.visit;
      if (!run || !visit || visit.name !== info.name) {
        return Promise.reject(
          new TaskFailure('States.Runtime', `The local cloud lost track of Task state ${info.name}.`),
        );
      }
      const token =
        info.integration.pattern === 'callback' ? (visit.token ??= this.tokens.issue(this.arn)) : undefined;
      const attempt: TaskAttempt = { info, token, closed: false };
      visit.attempt = attempt;
      return this.integrations.run(
        {
          state: info,
          // The request is made of the values as they read now.
          input: this.machine.inspected.referencesWholeContext ? JSON.parse(JSON.stringify(input)) : input,
          executionArn: this.arn,
          stateMachineArn: this.machine.arn,
          traceHeader: this.taskTraceHeader,
          token,
        },
        (type, details) => {
          // A task the library gave up on (timeout, stop) may still finish: its events are not history.
          if (!attempt.closed && !this.ended) this.record(run, type, details);
        },
      );
    };
  }

  private closeAttempt(run: RunState): void {
    const attempt = run.visit?.attempt;
    if (!attempt || attempt.closed) return;
    attempt.closed = true;
    if (attempt.token !== undefined) this.tokens.close(attempt.token);
  }

  // ---- Events -------------------------------------------------------------------------------------

  private onEvent(run: RunState, event: LibraryEvent): void {
    const at = new Date(event.timestamp);
    if (run.kind === 'root' && ROOT_END_EVENTS.has(event.type)) this.ended = true;
    // Before the state changes: the library passes these very objects on to the next state.
    for (const value of [event.state?.input, event.state?.output, event.input, event.output]) {
      this.freezeContext(value);
    }
    switch (event.type) {
      case 'ExecutionStarted':
        if (run.kind === 'root') {
          this.record(run, 'ExecutionStarted', {
            input: this.input,
            inputDetails: { truncated: false },
            ...(this.machine.roleArn ? { roleArn: this.machine.roleArn } : {}),
          });
        } else if (run.iteration) {
          this.record(run, 'MapIterationStarted', { name: run.iteration.map, index: run.iteration.index });
        }
        return;
      case 'StateEntered':
        return this.onStateEntered(run, event, at);
      case 'StateRetried':
        this.closeAttempt(run);
        this.failedFailState = undefined;
        if (run.visit) {
          run.visit.retries++;
          run.visit.token = undefined;
          run.visit.iterations = 0;
        }
        this.activeRun = run;
        return;
      case 'StateExited':
        return this.onStateExited(run, event, at);
      case 'StateFailed':
        return this.onStateFailed(run, event, at);
      case 'StateCaught':
        if (run.visit) run.visit.status = 'caught';
        this.failedFailState = undefined;
        return;
      case 'ExecutionSucceeded':
        if (run.kind === 'root') {
          this.record(run, 'ExecutionSucceeded', {
            output: JSON.stringify(event.output ?? null),
            outputDetails: { truncated: false },
          });
        } else if (run.iteration) {
          this.record(run, 'MapIterationSucceeded', { name: run.iteration.map, index: run.iteration.index });
        }
        return;
      case 'ExecutionFailed':
        if (run.kind === 'root') {
          const failure = this.failureOf(event);
          this.error = failure.error;
          this.cause = failure.cause;
          this.record(run, 'ExecutionFailed', definedOnly(failure));
        } else if (run.iteration) {
          this.record(run, 'MapIterationFailed', { name: run.iteration.map, index: run.iteration.index });
        }
        return;
      case 'ExecutionAborted':
        if (run.kind === 'root') {
          this.record(run, 'ExecutionAborted', definedOnly(this.stopReason ?? {}));
        } else if (run.iteration) {
          this.record(run, 'MapIterationAborted', { name: run.iteration.map, index: run.iteration.index });
        }
        return;
      case 'ExecutionTimeout':
        if (run.kind === 'root') this.record(run, 'ExecutionTimedOut', { error: 'States.Timeout' });
        return;
      default:
        return;
    }
  }

  private onStateEntered(run: RunState, event: LibraryEvent, at: Date): void {
    const state = event.state;
    if (!state) return;
    this.closeAttempt(run);
    const visit: NonNullable<RunState['visit']> = {
      name: state.name,
      type: state.type,
      enteredAt: at,
      input: state.input,
      iteration: run.iteration,
      status: 'running',
      retries: 0,
      iterations: 0,
    };
    run.visit = visit;
    this.activeRun = run;
    this.visits.push(visit);
    visit.enteredEventId = this.record(run, `${state.type}StateEntered`, {
      name: state.name,
      input: JSON.stringify(state.input ?? null),
      inputDetails: { truncated: false },
    });
    if (state.type === 'Map') {
      visit.mapStarted = { length: 0 };
      this.record(run, 'MapStateStarted', visit.mapStarted);
    }
    if (state.type === 'Parallel') this.record(run, 'ParallelStateStarted');
  }

  private onStateExited(run: RunState, event: LibraryEvent, at: Date): void {
    const state = event.state;
    const visit = run.visit;
    if (!state || !visit) return;
    this.closeAttempt(run);
    // A caught failure exits the state too, with the error as its output.
    if (visit.status === 'running') visit.status = 'succeeded';
    visit.exitedAt = at;
    visit.output = state.output;
    if (state.type === 'Map') this.record(run, 'MapStateSucceeded');
    if (state.type === 'Parallel') this.record(run, 'ParallelStateSucceeded');
    this.record(run, `${state.type}StateExited`, {
      name: state.name,
      output: JSON.stringify(state.output ?? null),
      outputDetails: { truncated: false },
    });
  }

  private onStateFailed(run: RunState, event: LibraryEvent, at: Date): void {
    const state = event.state;
    const visit = run.visit;
    if (!state || !visit) return;
    const attempt = visit.attempt;
    if (attempt && !attempt.closed && event.Error === 'States.Timeout') {
      // The library's TimeoutSeconds fired while the task was still under way.
      const timedOut =
        attempt.info.integration.kind === 'function'
          ? { type: 'LambdaFunctionTimedOut', details: { error: 'States.Timeout' } }
          : {
              type: 'TaskTimedOut',
              details: {
                resourceType: attempt.info.integration.service,
                resource: historyResourceName(attempt.info.integration),
                error: 'States.Timeout',
              },
            };
      this.record(run, timedOut.type, timedOut.details);
    }
    this.closeAttempt(run);
    visit.status = 'failed';
    visit.exitedAt = at;
    visit.error = event.Error;
    visit.cause = textOf(event.Cause);
    if (event.Error === 'States.Runtime' && visit.cause !== undefined) {
      const definition = this.machine.inspected.states.get(state.name);
      const cause =
        definition === undefined
          ? undefined
          : awsRuntimeCause(
              { name: state.name, definition, input: visit.input, enteredEventId: visit.enteredEventId ?? 0 },
              visit.cause,
            );
      if (cause !== undefined) {
        visit.cause = cause;
        this.runtimeFailure = { library: textOf(event.Cause), cause };
      }
    }
    if (state.type === 'Fail') this.failedFailState = this.machine.inspected.failStates.get(state.name);
    if (state.type === 'Map') this.record(run, 'MapStateFailed');
    if (state.type === 'Parallel') this.record(run, 'ParallelStateFailed');
  }

  /** `Error`/`Cause` of the failed execution; a Fail state without them leaves them unset, as on AWS. */
  private failureOf(event: LibraryEvent): { error?: string; cause?: string } {
    const runtime = this.runtimeFailure;
    if (
      event.Error === 'States.Runtime' &&
      runtime !== undefined &&
      runtime.library === textOf(event.Cause)
    ) {
      return { error: 'States.Runtime', cause: runtime.cause };
    }
    const fail = this.failedFailState;
    if (!fail) return { error: event.Error, cause: textOf(event.Cause) };
    return {
      error: fail.error ?? (fail.errorPath === undefined ? undefined : event.Error),
      cause: fail.cause ?? (fail.causePath === undefined ? undefined : textOf(event.Cause)),
    };
  }

  private record(run: RunState, type: string, details?: Record<string, unknown>): HistoryEvent['id'] {
    const id = this.history.add(type, run.lastEventId, details);
    run.lastEventId = id;
    return id;
  }

  // ---- Closing ------------------------------------------------------------------------------------

  private closeWithError(error: unknown): void {
    if (error instanceof ExecutionAbortedError) return this.close('ABORTED', this.stopReason ?? {});
    if (error instanceof ExecutionTimeoutError) return this.close('TIMED_OUT', { error: 'States.Timeout' });
    if (error instanceof ExecutionError)
      return this.close('FAILED', { error: this.error, cause: this.cause });
    const message = error instanceof Error ? error.message : String(error);
    this.close('FAILED', { error: 'States.Runtime', cause: message });
  }

  private close(status: ExecutionStatus, result: { output?: string; error?: string; cause?: string }): void {
    if (this.status !== 'RUNNING') return;
    this.status = status;
    this.stopDate = new Date();
    this.output = result.output;
    this.error = result.error;
    this.cause = result.cause;
    this.tokens.closeExecution(this.arn);
    this.markDone();
  }
}

const ROOT_END_EVENTS = new Set([
  'ExecutionSucceeded',
  'ExecutionFailed',
  'ExecutionAborted',
  'ExecutionTimeout',
]);

function textOf(cause: unknown): string | undefined {
  if (cause === undefined || cause === null) return undefined;
  return typeof cause === 'string' ? cause : JSON.stringify(cause);
}

function definedOnly(fields: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
