import { ConcurrencyError } from '../errors/app-error';
import type { CommandContext } from './command-context';
import type { Decider } from './decider';
import type { DomainEvent, EventPayload } from './domain-event';
import { EventStoreError } from './errors';
import type { AppendOptions, EventStore } from './event-store';
import { definedProps } from '../objects/defined-props';

export interface BackoffOptions {
  /** @default 10 */
  readonly baseDelayMs?: number;
  /** @default 100 */
  readonly maxDelayMs?: number;
}

/** Told when a snapshot could not be saved; composition roots log it with the function's logger. */
export type SnapshotErrorHandler = (
  error: unknown,
  snapshot: { aggregateId: string; version: number },
) => void;

export interface AggregateRunnerOptions<TCommand, TState, TEvent extends DomainEvent> {
  readonly store: EventStore<TEvent, TState>;
  readonly decider: Decider<TCommand, TState, TEvent>;
  /** Stamped on every event, e.g. `Order`. */
  readonly aggregateType: string;
  /**
   * Load-decide-append attempts before the `ConcurrencyError` of the last one is rethrown.
   * @default 3
   */
  readonly maxAttempts?: number;
  /** Pause before retry n: uniformly random in [0, min(maxDelayMs, baseDelayMs · 2ⁿ⁻¹)) ("full jitter"). */
  readonly backoff?: BackoffOptions;
  /**
   * Save a snapshot after an append that crosses a multiple of this many events.
   * @default no snapshots, and none read
   */
  readonly snapshotEvery?: number;
  /**
   * Version of `TState`'s shape. Bump it when the shape changes: older snapshots are then ignored and
   * the state is replayed from the events.
   * @default 1
   */
  readonly snapshotSchemaVersion?: number;
  /**
   * Told when a snapshot could not be saved. The command has succeeded regardless: a snapshot only
   * makes later loads shorter.
   * @default a warning on the console
   */
  readonly onSnapshotError?: SnapshotErrorHandler;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
}

export interface CommandResult<TState, TEvent extends DomainEvent> {
  /** The state after the command's events. */
  readonly state: TState;
  /** The events appended; none when the command changed nothing. */
  readonly events: readonly TEvent[];
  /** The aggregate's version after the command. */
  readonly version: number;
}

interface Folded<TState> {
  readonly state: TState;
  readonly version: number;
}

interface Decided<TEvent> {
  readonly events: readonly TEvent[];
  /** When the events occurred, and when a snapshot they make due is taken. */
  readonly occurredAt: string;
}

const DEFAULT_MAX_ATTEMPTS = 3;
const DEFAULT_BASE_DELAY_MS = 10;
const DEFAULT_MAX_DELAY_MS = 100;

/**
 * Runs commands against event-sourced aggregates (STYLE.md shape 5): load (snapshot + later events),
 * decide, append at the version the decision was made on. A lost race is retried from the fresh
 * state, a bounded number of times; every other error — a refused command, a failing table, a taken
 * unique key — is the caller's at once. A command that creates an aggregate under a new id can skip
 * the load (`create`).
 */
export class AggregateRunner<TCommand, TState, TEvent extends DomainEvent> {
  private readonly store: EventStore<TEvent, TState>;
  private readonly decider: Decider<TCommand, TState, TEvent>;
  private readonly aggregateType: string;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly snapshotEvery: number | undefined;
  private readonly snapshotSchemaVersion: number;
  private readonly onSnapshotError: SnapshotErrorHandler;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(options: AggregateRunnerOptions<TCommand, TState, TEvent>) {
    this.store = options.store;
    this.decider = options.decider;
    this.aggregateType = options.aggregateType;
    this.maxAttempts = positiveInteger('maxAttempts', options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    this.baseDelayMs = nonNegative(
      'backoff.baseDelayMs',
      options.backoff?.baseDelayMs ?? DEFAULT_BASE_DELAY_MS,
    );
    this.maxDelayMs = nonNegative('backoff.maxDelayMs', options.backoff?.maxDelayMs ?? DEFAULT_MAX_DELAY_MS);
    this.snapshotEvery =
      options.snapshotEvery === undefined
        ? undefined
        : positiveInteger('snapshotEvery', options.snapshotEvery);
    this.snapshotSchemaVersion = options.snapshotSchemaVersion ?? 1;
    this.onSnapshotError = options.onSnapshotError ?? warnOnConsole;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  /**
   * `options` go with the command's append: a `uniqueKey` is claimed with its events (a command that
   * decides no event claims nothing), and a taken one throws `UniqueKeyTakenError`, never retried.
   */
  async run(
    aggregateId: string,
    command: TCommand,
    context: CommandContext,
    options: AppendOptions = {},
  ): Promise<CommandResult<TState, TEvent>> {
    let current = await this.loadLatest(aggregateId);
    for (let attempt = 1; ; attempt += 1) {
      const decided = this.decide(aggregateId, current, command, context);
      if (decided === undefined) return { state: current.state, events: [], version: current.version };

      try {
        await this.store.append(aggregateId, current.version, decided.events, options);
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= this.maxAttempts) throw error;
        await this.sleep(this.backoffMs(attempt));
        // Events never change once written: only the ones the winner appended need reading.
        current = this.fold(
          aggregateId,
          current,
          await this.store.load(aggregateId, { fromVersion: current.version + 1 }),
        );
        continue;
      }

      return this.appended(aggregateId, current, decided);
    }
  }

  /**
   * Runs a command that creates the aggregate, under an id minted for it (e.g. `ord_` + a new ULID):
   * such an id has no history, so the command is decided on the decider's initial state at version 0
   * and appended expecting version 0, without the snapshot and event reads `run` would make to find
   * nothing. The conditional append still guards against an existing stream: when it throws
   * `ConcurrencyError` (an id collision, or a caller creating twice), this falls back to `run` with
   * the same arguments, which loads the real state and lets the decider answer — for a creation, a
   * refusal. So does a command that decides no event on the initial state, which has no append to
   * guard its answer. `options` go with the append as in `run`: a taken `uniqueKey` throws
   * `UniqueKeyTakenError`, and it and every other error (a refusal on the initial state included)
   * are the caller's as they are.
   */
  async create(
    aggregateId: string,
    command: TCommand,
    context: CommandContext,
    options: AppendOptions = {},
  ): Promise<CommandResult<TState, TEvent>> {
    const initial: Folded<TState> = { state: this.decider.initialState, version: 0 };
    const decided = this.decide(aggregateId, initial, command, context);
    if (decided === undefined) return this.run(aggregateId, command, context, options);

    try {
      await this.store.append(aggregateId, initial.version, decided.events, options);
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      return this.run(aggregateId, command, context, options);
    }

    return this.appended(aggregateId, initial, decided);
  }

  private async loadLatest(aggregateId: string): Promise<Folded<TState>> {
    let start: Folded<TState> = { state: this.decider.initialState, version: 0 };
    if (this.snapshotEvery !== undefined) {
      const snapshot = await this.store.loadSnapshot(aggregateId);
      if (snapshot !== undefined && snapshot.schemaVersion === this.snapshotSchemaVersion) {
        start = { state: snapshot.state, version: snapshot.version };
      }
    }
    return this.fold(
      aggregateId,
      start,
      await this.store.load(aggregateId, { fromVersion: start.version + 1 }),
    );
  }

  private fold(aggregateId: string, from: Folded<TState>, events: readonly TEvent[]): Folded<TState> {
    let { state, version } = from;
    for (const event of events) {
      // A gap means a store that lost events; deciding on such a state would be deciding blind.
      if (event.version !== version + 1) {
        throw new EventStoreError(
          `the stream of ${aggregateId} jumps from version ${version} to ${event.version}`,
        );
      }
      state = this.decider.evolve(state, event);
      version = event.version;
    }
    return { state, version };
  }

  /** The command's events on `current`, enveloped at the versions after it; undefined if it decides none. */
  private decide(
    aggregateId: string,
    current: Folded<TState>,
    command: TCommand,
    context: CommandContext,
  ): Decided<TEvent> | undefined {
    const payloads = this.decider.decide(command, current.state);
    if (payloads.length === 0) return undefined;
    const occurredAt = context.now().toISOString();
    const events = payloads.map((payload, index) =>
      this.envelope(aggregateId, current.version + index + 1, occurredAt, payload, context),
    );
    return { events, occurredAt };
  }

  /** The result of `decided`, appended on `before`; saves a snapshot when the append makes one due. */
  private async appended(
    aggregateId: string,
    before: Folded<TState>,
    decided: Decided<TEvent>,
  ): Promise<CommandResult<TState, TEvent>> {
    const after = this.fold(aggregateId, before, decided.events);
    await this.snapshotIfDue(aggregateId, before.version, after, decided.occurredAt);
    return { state: after.state, events: decided.events, version: after.version };
  }

  private envelope(
    aggregateId: string,
    version: number,
    occurredAt: string,
    payload: EventPayload<TEvent>,
    context: CommandContext,
  ): TEvent {
    const event: DomainEvent = {
      eventId: context.newEventId(),
      type: payload.type,
      aggregateType: this.aggregateType,
      aggregateId,
      version,
      occurredAt,
      correlationId: context.correlationId,
      causationId: context.causationId,
      ...definedProps({ traceHeader: context.traceHeader }),
      schemaVersion: payload.schemaVersion ?? 1,
      data: payload.data,
    };
    // EventPayload<TEvent> is TEvent's own type and data, so the envelope is a TEvent.
    return event as TEvent;
  }

  private async snapshotIfDue(
    aggregateId: string,
    previousVersion: number,
    after: Folded<TState>,
    takenAt: string,
  ): Promise<void> {
    const every = this.snapshotEvery;
    if (every === undefined || Math.floor(after.version / every) === Math.floor(previousVersion / every))
      return;
    try {
      await this.store.saveSnapshot({
        aggregateId,
        version: after.version,
        state: after.state,
        schemaVersion: this.snapshotSchemaVersion,
        takenAt,
      });
    } catch (error) {
      this.onSnapshotError(error, { aggregateId, version: after.version });
    }
  }

  private backoffMs(attempt: number): number {
    return this.random() * Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`AggregateRunner: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`AggregateRunner: ${name} must be a finite number ≥ 0, got ${value}`);
  }
  return value;
}

function warnOnConsole(error: unknown, snapshot: { aggregateId: string; version: number }): void {
  console.warn('snapshot not saved; the command succeeded', { ...snapshot, error });
}
