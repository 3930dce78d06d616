import { ConcurrencyError } from '../../../shared/errors/app-error';
import {
  EventStoreError,
  InMemoryEventStore,
  MAX_EVENTS_PER_APPEND,
  TooManyEventsError,
  UniqueKeyTakenError,
  type Snapshot,
} from '../../../shared/event-sourcing';
import { stockEvent, type StockEvent, type StockState } from './stock-decider';

const ID = 'prd_01JD0000000000000000000001';
const OTHER_ID = 'prd_01JD0000000000000000000002';

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

  it('lists the streams of a type in id order, a page at a time, as the DynamoDB index does', async () => {
    // Prepare
    const ids = ['prd_c', 'prd_a', 'prd_b'];
    for (const id of ids) await store.append(id, 0, [received(1, 1, id)]);
    const type = (await store.load('prd_a'))[0]?.aggregateType ?? '';

    // Act
    const first = await store.listStreams(type, { limit: 2 });
    const rest = await store.listStreams(type, {
      limit: 2,
      ...(first.next === undefined ? {} : { after: first.next }),
    });

    // Assess
    expect(first).toEqual({ aggregateIds: ['prd_a', 'prd_b'], next: 'prd_b' });
    expect(rest).toEqual({ aggregateIds: ['prd_c'] });
    expect(await store.listStreams('Other')).toEqual({ aggregateIds: [] });
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

  describe('unique keys', () => {
    it('claims a key with the events, and refuses it to any later append, writing none of its events', async () => {
      // Prepare
      await store.append(ID, 0, [received(1)], { uniqueKey: 'request-1' });

      // Act
      const otherStream = store.append(OTHER_ID, 0, [received(1, 1, OTHER_ID)], { uniqueKey: 'request-1' });
      const sameStream = store.append(ID, 1, [received(2)], { uniqueKey: 'request-1' });

      // Assess
      await expect(otherStream).rejects.toBeInstanceOf(UniqueKeyTakenError);
      await expect(otherStream).rejects.toMatchObject({ key: 'request-1', claimedBy: ID });
      await expect(sameStream).rejects.toMatchObject({ key: 'request-1', claimedBy: ID });
      expect(await store.load(ID)).toEqual([received(1)]);
      expect(await store.load(OTHER_ID)).toEqual([]);
    });

    it('reports a taken key rather than a version conflict, and a taken key is no ConcurrencyError', async () => {
      // Prepare
      await store.append(ID, 0, [received(1)], { uniqueKey: 'request-1' });

      // Act
      const staleAndTaken = store.append(ID, 0, [received(1)], { uniqueKey: 'request-1' });

      // Assess
      await expect(staleAndTaken).rejects.toBeInstanceOf(UniqueKeyTakenError);
      await expect(staleAndTaken).rejects.not.toBeInstanceOf(ConcurrencyError);
    });

    it('does not claim the key of an append that lost its race', async () => {
      // Prepare
      await store.append(ID, 0, [received(1)]);

      // Act
      const lost = store.append(ID, 0, [received(1, 2)], { uniqueKey: 'request-1' });
      const later = store.append(OTHER_ID, 0, [received(1, 1, OTHER_ID)], { uniqueKey: 'request-1' });

      // Assess
      await expect(lost).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(later).resolves.toEqual({ version: 1 });
    });

    it('lets exactly one of concurrent appends claiming one key win', async () => {
      // Act
      const ids = ['prd_a', 'prd_b', 'prd_c', 'prd_d'];
      const outcomes = await Promise.allSettled(
        ids.map((id) => store.append(id, 0, [received(1, 1, id)], { uniqueKey: 'request-1' })),
      );

      // Assess
      const winners = ids.filter((_, index) => outcomes[index]?.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      const reasons = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
      expect(reasons).toEqual(Array(3).fill(expect.objectContaining({ claimedBy: winners[0] })));
    });

    it(`claims a key with at most ${MAX_EVENTS_PER_APPEND - 1} events: the claim takes a place in the transaction`, async () => {
      // Prepare
      const firstEvents = (count: number, aggregateId: string): StockEvent[] =>
        Array.from({ length: count }, (_, index) => received(index + 1, 1, aggregateId));

      // Act
      const tooMany = store.append(ID, 0, firstEvents(MAX_EVENTS_PER_APPEND, ID), { uniqueKey: 'request-1' });
      const full = await store.append(OTHER_ID, 0, firstEvents(MAX_EVENTS_PER_APPEND - 1, OTHER_ID), {
        uniqueKey: 'request-2',
      });

      // Assess
      await expect(tooMany).rejects.toBeInstanceOf(TooManyEventsError);
      await expect(tooMany).rejects.toMatchObject({ limit: MAX_EVENTS_PER_APPEND - 1 });
      expect(full.version).toBe(MAX_EVENTS_PER_APPEND - 1);
    });

    it.each<[string, string, StockEvent[]]>([
      ['with no events', 'request-1', []],
      ['of an empty key', '', [received(1)]],
    ])('refuses a claim %s as an EventStoreError', async (_label, uniqueKey, events) => {
      // Act
      const append = store.append(ID, 0, events, { uniqueKey });

      // Assess
      await expect(append).rejects.toBeInstanceOf(EventStoreError);
      expect(await store.load(ID)).toEqual([]);
    });
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
