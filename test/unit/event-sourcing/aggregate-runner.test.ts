import { ConcurrencyError, ConflictError } from '../../../shared/errors/app-error';
import {
  AggregateRunner,
  EventStoreError,
  InMemoryEventStore,
  UniqueKeyTakenError,
  type AggregateRunnerOptions,
  type AppendOptions,
  type AppendResult,
  type LoadOptions,
  type Snapshot,
} from '../../../shared/event-sourcing';
import { FIXED_NOW, fixedContext } from './fixed-context';
import {
  STOCK_AGGREGATE_TYPE,
  stockDecider,
  stockEvent,
  type StockCommand,
  type StockEvent,
  type StockState,
} from './stock-decider';

const ID = 'prd_01JD0000000000000000000001';
const OTHER_ID = 'prd_01JD0000000000000000000002';

type Competitor = (store: InMemoryEventStore<StockEvent, StockState>, version: number) => Promise<void>;

/**
 * The in-memory store, recording what the runner asks of it. `competitor` runs right before each
 * append, as another Lambda would between this one's load and its append.
 */
class ObservedStore extends InMemoryEventStore<StockEvent, StockState> {
  readonly loads: number[] = [];
  readonly appends: number[] = [];
  readonly snapshotLoads: string[] = [];
  readonly savedSnapshots: number[] = [];
  competitor: Competitor | undefined;
  failSnapshots: Error | undefined;
  failAppends: Error | undefined;

  override async load(aggregateId: string, options: LoadOptions = {}): Promise<StockEvent[]> {
    this.loads.push(options.fromVersion ?? 1);
    return super.load(aggregateId, options);
  }

  override async append(
    aggregateId: string,
    expected: number,
    events: readonly StockEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    this.appends.push(expected);
    if (this.failAppends !== undefined) throw this.failAppends;
    await this.competitor?.(this, (await super.load(aggregateId)).length);
    return super.append(aggregateId, expected, events, options);
  }

  override async loadSnapshot(aggregateId: string): Promise<Snapshot<StockState> | undefined> {
    this.snapshotLoads.push(aggregateId);
    return super.loadSnapshot(aggregateId);
  }

  override async saveSnapshot(snapshot: Snapshot<StockState>): Promise<void> {
    this.savedSnapshots.push(snapshot.version);
    if (this.failSnapshots !== undefined) throw this.failSnapshots;
    return super.saveSnapshot(snapshot);
  }

  /** Appends straight to the stream, bypassing the recording, as history or as a competing writer. */
  async seed(...payloads: Parameters<typeof stockEvent>[2][]): Promise<void> {
    const version = (await super.load(ID)).length;
    const events = payloads.map((payload, index) => stockEvent(ID, version + index + 1, payload));
    await super.append(ID, version, events);
  }
}

const open = (quantity: number): StockCommand => ({ type: 'OpenStock', quantity });
const receive = (...parcels: number[]): StockCommand => ({ type: 'ReceiveStock', parcels });
const reserve = (orderId: string, quantity: number): StockCommand => ({
  type: 'ReserveStock',
  orderId,
  quantity,
});

/** A competitor that reserves `quantity` for another order the first `times` appends. */
function reservingCompetitor(quantity: number, times = Infinity): Competitor {
  let left = times;
  return async (store) => {
    if (left <= 0) return;
    left -= 1;
    await (store as ObservedStore).seed({
      type: 'StockReserved',
      data: { orderId: `ord_competitor_${left}`, quantity },
    });
  };
}

describe('AggregateRunner', () => {
  let store: ObservedStore;
  let sleeps: number[];

  function runner(
    options: Partial<AggregateRunnerOptions<StockCommand, StockState, StockEvent>> = {},
  ): AggregateRunner<StockCommand, StockState, StockEvent> {
    return new AggregateRunner({
      store,
      decider: stockDecider,
      aggregateType: STOCK_AGGREGATE_TYPE,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      ...options,
    });
  }

  beforeEach(() => {
    store = new ObservedStore();
    sleeps = [];
  });

  it('wraps the decided events in envelopes from the context and appends them', async () => {
    // Act
    const result = await runner().run(ID, receive(5, 3), fixedContext({ traceHeader: 'Root=1-abc' }));

    // Assess
    const envelope = {
      aggregateType: 'Stock',
      aggregateId: ID,
      occurredAt: FIXED_NOW,
      correlationId: 'corr-1',
      causationId: 'cause-1',
      traceHeader: 'Root=1-abc',
      schemaVersion: 1,
    };
    expect(result.events).toEqual([
      { ...envelope, eventId: 'evt-1', version: 1, type: 'StockReceived', data: { quantity: 5 } },
      { ...envelope, eventId: 'evt-2', version: 2, type: 'StockReceived', data: { quantity: 3 } },
    ]);
    expect(result.version).toBe(2);
    expect(result.state).toEqual({ onHand: 8, reservations: {} });
    expect(await store.load(ID)).toEqual(result.events);
  });

  it('leaves traceHeader out when the context has none', async () => {
    // Act
    const { events } = await runner().run(ID, receive(1), fixedContext());

    // Assess
    expect(events[0]).not.toHaveProperty('traceHeader');
  });

  it('appends after the history it loaded, at the loaded version', async () => {
    // Prepare
    await store.seed(
      { type: 'StockReceived', data: { quantity: 10 } },
      { type: 'StockReceived', data: { quantity: 2 } },
    );

    // Act
    const result = await runner().run(ID, reserve('ord_A', 12), fixedContext());

    // Assess
    expect(store.appends).toEqual([2]);
    expect(result.version).toBe(3);
    expect(result.state.reservations).toEqual({ ord_A: 12 });
  });

  it('retries a lost race on the state the winner left, reading only the events it added', async () => {
    // Prepare
    await store.seed({ type: 'StockReceived', data: { quantity: 10 } });
    store.competitor = reservingCompetitor(3, 1);

    // Act
    const result = await runner().run(ID, reserve('ord_A', 5), fixedContext());

    // Assess
    expect(store.appends).toEqual([1, 2]);
    expect(store.loads).toEqual([1, 2]);
    expect(sleeps).toHaveLength(1);
    expect(result.version).toBe(3);
    expect(result.events.map((event) => event.version)).toEqual([3]);
    expect(result.state.reservations).toEqual({ ord_competitor_0: 3, ord_A: 5 });
  });

  it('decides again after a lost race, and a refusal then is final', async () => {
    // Prepare
    await store.seed({ type: 'StockReceived', data: { quantity: 10 } });
    store.competitor = reservingCompetitor(6, 1);

    // Act
    const run = runner().run(ID, reserve('ord_A', 5), fixedContext());

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'ConflictError', code: 'INSUFFICIENT_STOCK' });
    expect(store.appends).toEqual([1]);
  });

  it('gives up after maxAttempts lost races with the ConcurrencyError, backing off with jitter', async () => {
    // Prepare
    await store.seed({ type: 'StockReceived', data: { quantity: 100 } });
    store.competitor = reservingCompetitor(1);

    // Act
    const run = runner({ maxAttempts: 4, backoff: { baseDelayMs: 10, maxDelayMs: 25 } }).run(
      ID,
      reserve('ord_A', 1),
      fixedContext(),
    );

    // Assess
    await expect(run).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(run).rejects.toMatchObject({ code: 'CONCURRENT_MODIFICATION' });
    expect(store.appends).toEqual([1, 2, 3, 4]);
    // random() = 0.5 of min(25, 10 · 2ⁿ⁻¹)
    expect(sleeps).toEqual([5, 10, 12.5]);
  });

  it('makes 3 attempts by default', async () => {
    // Prepare
    await store.seed({ type: 'StockReceived', data: { quantity: 100 } });
    store.competitor = reservingCompetitor(1);

    // Act
    const run = runner().run(ID, reserve('ord_A', 1), fixedContext());

    // Assess
    await expect(run).rejects.toBeInstanceOf(ConcurrencyError);
    expect(store.appends).toHaveLength(3);
  });

  it('does not retry a failing store', async () => {
    // Prepare
    const failure = new Error('ProvisionedThroughputExceededException');
    store.failAppends = failure;

    // Act
    const run = runner().run(ID, receive(1), fixedContext());

    // Assess
    await expect(run).rejects.toBe(failure);
    expect(store.appends).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('claims a unique key with the command’s events, keeping it across a lost race', async () => {
    // Prepare
    await store.seed({ type: 'StockReceived', data: { quantity: 10 } });
    store.competitor = reservingCompetitor(3, 1);

    // Act
    const result = await runner().run(ID, reserve('ord_A', 5), fixedContext(), { uniqueKey: 'request-1' });
    const again = runner().run(OTHER_ID, receive(1), fixedContext(), { uniqueKey: 'request-1' });

    // Assess
    await expect(again).rejects.toMatchObject({ key: 'request-1', claimedBy: ID });
    expect(store.appends).toEqual([1, 2, 0]);
    expect(result.version).toBe(3);
  });

  it('does not retry a taken unique key and appends nothing', async () => {
    // Prepare
    await runner().run(OTHER_ID, receive(1), fixedContext(), { uniqueKey: 'request-1' });
    store.appends.length = 0;

    // Act
    const run = runner().run(ID, receive(1), fixedContext(), { uniqueKey: 'request-1' });

    // Assess
    await expect(run).rejects.toBeInstanceOf(UniqueKeyTakenError);
    expect(store.appends).toEqual([0]);
    expect(sleeps).toEqual([]);
    expect(await store.load(ID)).toEqual([]);
  });

  it('does not retry a refused command and appends nothing', async () => {
    // Act
    const run = runner().run(ID, reserve('ord_A', 1), fixedContext());

    // Assess
    await expect(run).rejects.toBeInstanceOf(ConflictError);
    expect(store.appends).toEqual([]);
    expect(store.loads).toHaveLength(1);
  });

  it('appends nothing for a command that changes nothing', async () => {
    // Prepare
    await store.seed(
      { type: 'StockReceived', data: { quantity: 10 } },
      { type: 'StockReserved', data: { orderId: 'ord_A', quantity: 4 } },
    );

    // Act
    const result = await runner().run(ID, reserve('ord_A', 4), fixedContext());

    // Assess
    expect(result).toEqual({ state: { onHand: 10, reservations: { ord_A: 4 } }, events: [], version: 2 });
    expect(store.appends).toEqual([]);
    expect(await store.load(ID)).toHaveLength(2);
  });

  it('lets concurrent commands on one aggregate all succeed, with no update lost', async () => {
    // Prepare
    const commands = Array.from({ length: 10 }, (_, index) => reserve(`ord_${index}`, 1));
    await store.seed({ type: 'StockReceived', data: { quantity: 10 } });
    const runners = runner({ maxAttempts: 10 });

    // Act
    const results = await Promise.all(commands.map((command) => runners.run(ID, command, fixedContext())));

    // Assess
    expect(results.map((result) => result.version).sort((a, b) => a - b)).toEqual([
      2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
    ]);
    const final = await runner().run(ID, receive(1), fixedContext());
    expect(Object.keys(final.state.reservations)).toHaveLength(10);
    expect(final.version).toBe(12);
  });

  it('refuses a stream with a gap instead of deciding on it', async () => {
    // Prepare
    await store.seed(
      { type: 'StockReceived', data: { quantity: 1 } },
      { type: 'StockReceived', data: { quantity: 1 } },
    );
    jest
      .spyOn(store, 'load')
      .mockImplementationOnce(async () => [
        stockEvent(ID, 2, { type: 'StockReceived', data: { quantity: 1 } }),
      ]);

    // Act
    const run = runner().run(ID, receive(1), fixedContext());

    // Assess
    await expect(run).rejects.toThrow(new EventStoreError(`the stream of ${ID} jumps from version 0 to 2`));
  });

  describe('snapshots', () => {
    it('are saved after each append that crosses a multiple of snapshotEvery', async () => {
      // Prepare
      const stock = runner({ snapshotEvery: 3 });

      // Act
      for (const parcels of [[1], [1], [1, 1], [1], [1], [1, 1, 1, 1, 1, 1, 1]]) {
        await stock.run(ID, receive(...parcels), fixedContext());
      }

      // Assess: versions 1, 2, 4 (crosses 3), 5, 6 (crosses 6), 13 (crosses 9 and 12)
      expect(store.savedSnapshots).toEqual([4, 6, 13]);
      expect(await store.loadSnapshot(ID)).toEqual({
        aggregateId: ID,
        version: 13,
        state: { onHand: 13, reservations: {} },
        schemaVersion: 1,
        takenAt: FIXED_NOW,
      });
    });

    it('are the starting point of the next load, followed by the later events only', async () => {
      // Prepare: a snapshot whose state differs from the events', to see which one the runner used
      await store.seed(
        ...Array.from({ length: 5 }, () => ({ type: 'StockReceived' as const, data: { quantity: 1 } })),
      );
      await store.saveSnapshot({
        aggregateId: ID,
        version: 4,
        state: { onHand: 400, reservations: {} },
        schemaVersion: 1,
        takenAt: FIXED_NOW,
      });
      store.loads.length = 0;

      // Act
      const result = await runner({ snapshotEvery: 100 }).run(ID, receive(1), fixedContext());

      // Assess
      expect(store.loads).toEqual([5]);
      expect(result.state.onHand).toBe(402);
      expect(result.version).toBe(6);
    });

    it('of another schemaVersion are ignored and the state replayed', async () => {
      // Prepare
      await store.seed({ type: 'StockReceived', data: { quantity: 2 } });
      await store.saveSnapshot({
        aggregateId: ID,
        version: 1,
        state: { onHand: 400, reservations: {} },
        schemaVersion: 1,
        takenAt: FIXED_NOW,
      });

      // Act
      const result = await runner({ snapshotEvery: 100, snapshotSchemaVersion: 2 }).run(
        ID,
        receive(1),
        fixedContext(),
      );

      // Assess
      expect(result.state.onHand).toBe(3);
    });

    it('are neither read nor written when snapshotEvery is absent', async () => {
      // Act
      for (let i = 0; i < 5; i += 1) await runner().run(ID, receive(1), fixedContext());

      // Assess
      expect(store.snapshotLoads).toEqual([]);
      expect(store.savedSnapshots).toEqual([]);
    });

    it('that fail to save are reported and do not fail the command', async () => {
      // Prepare
      const failure = new Error('item too large');
      store.failSnapshots = failure;
      const reported: unknown[] = [];

      // Act
      const result = await runner({
        snapshotEvery: 2,
        onSnapshotError: (error, snapshot) => reported.push({ error, snapshot }),
      }).run(ID, receive(1, 1), fixedContext());

      // Assess
      expect(result.version).toBe(2);
      expect(store.savedSnapshots).toEqual([2]);
      expect(reported).toEqual([{ error: failure, snapshot: { aggregateId: ID, version: 2 } }]);
      expect(await store.load(ID)).toHaveLength(2);
    });
  });

  describe('create', () => {
    it('appends version 1, decided on the initial state, without reading the stream or its snapshot', async () => {
      // Prepare: with snapshots on, so that a load would read the snapshot too
      const stock = runner({ snapshotEvery: 100 });

      // Act
      const result = await stock.create(ID, open(5), fixedContext());

      // Assess
      expect(store.loads).toEqual([]);
      expect(store.snapshotLoads).toEqual([]);
      expect(store.appends).toEqual([0]);
      expect(result).toEqual({
        state: { onHand: 5, reservations: {} },
        events: [
          {
            eventId: 'evt-1',
            type: 'StockReceived',
            aggregateType: 'Stock',
            aggregateId: ID,
            version: 1,
            occurredAt: FIXED_NOW,
            correlationId: 'corr-1',
            causationId: 'cause-1',
            schemaVersion: 1,
            data: { quantity: 5 },
          },
        ],
        version: 1,
      });
      expect(await store.load(ID)).toEqual(result.events);
    });

    it('falls back to run on an existing stream, which loads it and surfaces the decider’s refusal', async () => {
      // Prepare
      await store.seed({ type: 'StockReceived', data: { quantity: 10 } });

      // Act
      const create = runner().create(ID, open(5), fixedContext());

      // Assess
      await expect(create).rejects.toMatchObject({ name: 'ConflictError', code: 'STOCK_EXISTS' });
      expect(store.appends).toEqual([0]);
      expect(store.loads).toEqual([1]);
      expect(sleeps).toEqual([]);
      expect(await store.load(ID)).toHaveLength(1);
    });

    it('falls back to run with the same arguments, which appends after the history', async () => {
      // Prepare
      await store.seed({ type: 'StockReceived', data: { quantity: 10 } });

      // Act
      const result = await runner().create(ID, receive(2), fixedContext(), { uniqueKey: 'request-1' });
      const again = runner().create(OTHER_ID, open(1), fixedContext(), { uniqueKey: 'request-1' });

      // Assess
      expect(store.appends).toEqual([0, 1, 0]);
      expect(result.version).toBe(2);
      expect(result.state.onHand).toBe(12);
      await expect(again).rejects.toMatchObject({ key: 'request-1', claimedBy: ID });
    });

    it('throws UniqueKeyTakenError for a taken unique key, loading nothing and appending nothing', async () => {
      // Prepare
      await runner().create(OTHER_ID, open(1), fixedContext(), { uniqueKey: 'request-1' });
      store.appends.length = 0;

      // Act
      const create = runner().create(ID, open(1), fixedContext(), { uniqueKey: 'request-1' });

      // Assess
      await expect(create).rejects.toBeInstanceOf(UniqueKeyTakenError);
      await expect(create).rejects.toMatchObject({ key: 'request-1', claimedBy: OTHER_ID });
      expect(store.appends).toEqual([0]);
      expect(store.loads).toEqual([]);
      expect(await store.load(ID)).toEqual([]);
    });

    it('does not fall back on a failing store', async () => {
      // Prepare
      const failure = new Error('ProvisionedThroughputExceededException');
      store.failAppends = failure;

      // Act
      const create = runner().create(ID, open(1), fixedContext());

      // Assess
      await expect(create).rejects.toBe(failure);
      expect(store.appends).toEqual([0]);
      expect(store.loads).toEqual([]);
    });

    it('surfaces a refusal on the initial state without loading', async () => {
      // Act
      const create = runner().create(ID, open(0), fixedContext());

      // Assess
      await expect(create).rejects.toMatchObject({ name: 'ValidationError', code: 'VALIDATION_FAILED' });
      expect(store.appends).toEqual([]);
      expect(store.loads).toEqual([]);
    });

    it('loads as run does when the command decides nothing on the initial state, where no append checks it', async () => {
      // Prepare: a reservation the initial state knows nothing of
      await store.seed(
        { type: 'StockReceived', data: { quantity: 10 } },
        { type: 'StockReserved', data: { orderId: 'ord_A', quantity: 4 } },
      );

      // Act
      const result = await runner().create(ID, { type: 'ReleaseStock', orderId: 'ord_A' }, fixedContext());

      // Assess
      expect(store.loads).toEqual([1]);
      expect(store.appends).toEqual([2]);
      expect(result.version).toBe(3);
      expect(result.state.reservations).toEqual({});
    });

    it('saves a snapshot when its append crosses a multiple of snapshotEvery, as run does', async () => {
      // Act
      await runner({ snapshotEvery: 1 }).create(ID, open(5), fixedContext());

      // Assess
      expect(store.savedSnapshots).toEqual([1]);
      expect(store.snapshotLoads).toEqual([]);
      expect(await store.loadSnapshot(ID)).toEqual({
        aggregateId: ID,
        version: 1,
        state: { onHand: 5, reservations: {} },
        schemaVersion: 1,
        takenAt: FIXED_NOW,
      });
    });

    it('saves no snapshot when its append crosses no multiple of snapshotEvery', async () => {
      // Act
      await runner({ snapshotEvery: 2 }).create(ID, open(5), fixedContext());

      // Assess
      expect(store.savedSnapshots).toEqual([]);
    });
  });

  it.each([
    [{ maxAttempts: 0 }, 'maxAttempts must be a positive integer, got 0'],
    [{ snapshotEvery: 2.5 }, 'snapshotEvery must be a positive integer, got 2.5'],
    [{ backoff: { baseDelayMs: -1 } }, 'backoff.baseDelayMs must be a finite number ≥ 0, got -1'],
  ])('refuses invalid options when built: %j', (options, message) => {
    // Act
    const build = (): unknown => runner(options);

    // Assess
    expect(build).toThrow(new RangeError(`AggregateRunner: ${message}`));
  });
});
