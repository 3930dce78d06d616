import { ConcurrencyError } from '../../../shared/errors/app-error';
import {
  EventStoreError,
  InMemoryEventStore,
  MAX_EVENTS_PER_APPEND,
  TooManyEventsError,
  type Snapshot,
} from '../../../shared/event-sourcing';
import { stockEvent, type StockEvent, type StockState } from './stock-decider';

const ID = 'prd_01JD0000000000000000000001';

function received(version: number, quantity = 1, aggregateId = ID): StockEvent {
  return stockEvent(aggregateId, version, { type: 'StockReceived', data: { quantity } });
}

function snapshot(version: number, onHand: number): Snapshot<StockState> {
  return { aggregateId: ID, version, state: { onHand, reservations: {} }, schemaVersion: 1, takenAt: 'now' };
}

describe('InMemoryEventStore', () => {
  let store: InMemoryEventStore<StockEvent, StockState>;

  beforeEach(() => {
    store = new InMemoryEventStore<StockEvent, StockState>();
  });

  it('loads the appended events in version order, from a given version on', async () => {
    // Prepare
    await store.append(ID, 0, [received(1), received(2)]);
    await store.append(ID, 2, [received(3)]);

    // Act
    const all = await store.load(ID);
    const tail = await store.load(ID, { fromVersion: 3 });

    // Assess
    expect(all.map((event) => event.version)).toEqual([1, 2, 3]);
    expect(tail).toEqual([received(3)]);
    expect(await store.load('prd_unknown')).toEqual([]);
  });

  it('returns the version after the append', async () => {
    // Act
    const result = await store.append(ID, 0, [received(1), received(2)]);

    // Assess
    expect(result).toEqual({ version: 2 });
  });

  it.each([
    ['behind', 0],
    ['ahead of', 2],
  ])(
    'rejects an append whose expected version is %s the stream with ConcurrencyError',
    async (_, expected) => {
      // Prepare
      await store.append(ID, 0, [received(1)]);

      // Act
      const append = store.append(ID, expected, [received(expected + 1)]);

      // Assess
      await expect(append).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await store.load(ID)).toEqual([received(1)]);
    },
  );

  it('lets exactly one of several concurrent appends at the same version win', async () => {
    // Act
    const outcomes = await Promise.allSettled(
      [1, 2, 3, 4, 5].map((quantity) => store.append(ID, 0, [received(1, quantity), received(2, quantity)])),
    );

    // Assess
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(rejected.map((outcome) => outcome.reason)).toEqual(Array(4).fill(expect.any(ConcurrencyError)));
    expect(await store.load(ID)).toHaveLength(2);
  });

  it('rejects events whose versions do not follow the expected version, writing none of them', async () => {
    // Act
    const gap = store.append(ID, 0, [received(1), received(3)]);
    const otherStream = store.append(ID, 0, [received(1, 1, 'prd_other')]);

    // Assess
    await expect(gap).rejects.toBeInstanceOf(EventStoreError);
    await expect(gap).rejects.toThrow('has version 3; after expected version 0 it must be 2');
    await expect(otherStream).rejects.toBeInstanceOf(EventStoreError);
    expect(await store.load(ID)).toEqual([]);
  });

  it(`appends up to ${MAX_EVENTS_PER_APPEND} events at once and rejects more`, async () => {
    // Prepare
    const events = (count: number, after: number): StockEvent[] =>
      Array.from({ length: count }, (_, index) => received(after + index + 1));

    // Act
    const full = await store.append(ID, 0, events(MAX_EVENTS_PER_APPEND, 0));
    const tooMany = store.append(
      ID,
      MAX_EVENTS_PER_APPEND,
      events(MAX_EVENTS_PER_APPEND + 1, MAX_EVENTS_PER_APPEND),
    );

    // Assess
    expect(full.version).toBe(MAX_EVENTS_PER_APPEND);
    await expect(tooMany).rejects.toBeInstanceOf(TooManyEventsError);
    expect(await store.load(ID)).toHaveLength(MAX_EVENTS_PER_APPEND);
  });

  it('appends nothing for no events, whatever the expected version', async () => {
    // Act
    const result = await store.append(ID, 7, []);

    // Assess
    expect(result).toEqual({ version: 7 });
    expect(await store.load(ID)).toEqual([]);
  });

  it('rejects a fromVersion below 1', async () => {
    // Act
    const load = store.load(ID, { fromVersion: 0 });

    // Assess
    await expect(load).rejects.toBeInstanceOf(EventStoreError);
  });

  it('keeps its own copies of what goes in and comes out', async () => {
    // Prepare
    const event = received(1, 5);
    await store.append(ID, 0, [event]);

    // Act
    (event.data as { quantity: number }).quantity = 99;
    const [loaded] = await store.load(ID);
    (loaded?.data as { quantity: number }).quantity = 98;

    // Assess
    expect(await store.load(ID)).toEqual([received(1, 5)]);
  });

  it('keeps the latest snapshot, not one of an older version saved after it', async () => {
    // Prepare
    const before = await store.loadSnapshot(ID);

    // Act
    await store.saveSnapshot(snapshot(10, 10));
    await store.saveSnapshot(snapshot(5, 5));

    // Assess
    expect(before).toBeUndefined();
    expect(await store.loadSnapshot(ID)).toEqual(snapshot(10, 10));
  });

  it('replaces a snapshot with a later one', async () => {
    // Prepare
    await store.saveSnapshot(snapshot(10, 10));

    // Act
    await store.saveSnapshot(snapshot(20, 20));

    // Assess
    expect(await store.loadSnapshot(ID)).toEqual(snapshot(20, 20));
  });
});
