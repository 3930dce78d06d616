import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { ConcurrencyError } from '../../shared/errors/app-error';
import {
  AggregateRunner,
  commandContext,
  DynamoDbEventStore,
  EventStoreError,
  MAX_EVENTS_PER_APPEND,
  TooManyEventsError,
  UNIQUE_KEY_ITEM_KIND,
  UniqueKeyTakenError,
  type Decider,
  type DomainEvent,
} from '../../shared/event-sourcing';
import { newId, newUlid } from '../../shared/ids/ids';
import { useDynamoDbLocal } from '../support/dynamodb-local';

/** The smallest aggregate that shows a lost update: a counter whose every command adds one. */
type CounterEvent = DomainEvent<'Incremented', { readonly by: number; readonly padding?: string }>;
type CounterCommand = { readonly type: 'Increment' };
type CounterState = { readonly count: number };

const counter: Decider<CounterCommand, CounterState, CounterEvent> = {
  initialState: { count: 0 },
  evolve: (state, event) => ({ count: state.count + event.data.by }),
  decide: () => [{ type: 'Incremented', data: { by: 1 } }],
};

const TABLE = 'orders-events';
const INCREMENT: CounterCommand = { type: 'Increment' };

let store: DynamoDbEventStore<CounterEvent, CounterState>;

const dynamo = useDynamoDbLocal();

beforeAll(async () => {
  await dynamo.createTable(TABLE, {
    partitionKey: 'pk',
    sortKey: { name: 'sk', type: 'N' },
    stream: 'NEW_IMAGE',
  });
  store = new DynamoDbEventStore({ client: dynamo.client, tableName: TABLE });
});

function incremented(
  aggregateId: string,
  version: number,
  data: CounterEvent['data'] = { by: 1 },
): CounterEvent {
  return {
    eventId: newUlid(),
    type: 'Incremented',
    aggregateType: 'Counter',
    aggregateId,
    version,
    occurredAt: new Date().toISOString(),
    correlationId: 'corr-1',
    causationId: 'cause-1',
    schemaVersion: 1,
    data,
  };
}

/** Events `after + 1` … `after + count`. */
function incrementsAfter(
  aggregateId: string,
  after: number,
  count: number,
  data?: CounterEvent['data'],
): CounterEvent[] {
  return Array.from({ length: count }, (_, index) => incremented(aggregateId, after + index + 1, data));
}

function runner(options: { maxAttempts?: number; snapshotEvery?: number } = {}) {
  return new AggregateRunner({ store, decider: counter, aggregateType: 'Counter', ...options });
}

const context = () => commandContext({ correlationId: 'corr-1', causationId: 'cause-1' });

describe('DynamoDbEventStore on DynamoDB Local', () => {
  it('stores each event as an item keyed by aggregate id and version, marked as an event', async () => {
    // Prepare
    const id = newId('order');
    const events = [{ ...incremented(id, 1), traceHeader: 'Root=1-abc;Sampled=1' }, incremented(id, 2)];

    // Act
    await store.append(id, 0, events);

    // Assess
    const { Item: item } = await dynamo.client.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: id }, sk: { N: '1' } }, ConsistentRead: true }),
    );
    expect(item).toMatchObject({
      kind: { S: 'event' },
      type: { S: 'Incremented' },
      version: { N: '1' },
      traceHeader: { S: 'Root=1-abc;Sampled=1' },
      data: { M: { by: { N: '1' } } },
    });
    expect(await store.load(id)).toEqual(events);
  });

  it('appends all events of a command or none of them', async () => {
    // Prepare
    const id = newId('order');
    const first = incremented(id, 1);
    await store.append(id, 0, [first]);

    // Act: versions 2 and 3 are free, 1 is taken
    const lostRace = store.append(id, 0, incrementsAfter(id, 0, 3));
    // and the third item is above DynamoDB's 400 KB item limit
    const tooLarge = store.append(id, 1, [
      ...incrementsAfter(id, 1, 2),
      incremented(id, 4, { by: 1, padding: 'x'.repeat(410_000) }),
    ]);

    // Assess
    await expect(lostRace).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(tooLarge).rejects.toMatchObject({ name: 'ValidationException' });
    expect(await store.load(id)).toEqual([first]);
  });

  it('refuses an append after a version the stream does not have: no gap is ever written', async () => {
    // Prepare
    const id = newId('order');
    const first = incremented(id, 1);
    await store.append(id, 0, [first]);

    // Act: versions 3 and 4, decided on a version 2 that does not exist
    const gap = store.append(id, 2, incrementsAfter(id, 2, 2));
    const other = newId('order');
    const unknownStream = store.append(other, 5, incrementsAfter(other, 5, 1));

    // Assess
    await expect(gap).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(gap).rejects.toThrow(`${id} has no version 2 to append after`);
    await expect(unknownStream).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await store.load(id)).toEqual([first]);
    expect(await store.load(other)).toEqual([]);
    // The next append at the real head still works.
    await expect(store.append(id, 1, incrementsAfter(id, 1, 1))).resolves.toEqual({ version: 2 });
  });

  it(`after version 0 the check of the previous version takes a place: ${MAX_EVENTS_PER_APPEND - 1} events at most`, async () => {
    const id = newId('order');
    await store.append(id, 0, [incremented(id, 1)]);
    await expect(store.append(id, 1, incrementsAfter(id, 1, MAX_EVENTS_PER_APPEND))).rejects.toBeInstanceOf(
      TooManyEventsError,
    );
    await expect(store.append(id, 1, incrementsAfter(id, 1, MAX_EVENTS_PER_APPEND - 1))).resolves.toEqual({
      version: MAX_EVENTS_PER_APPEND,
    });
  });

  it('lets exactly one of concurrent appends at the same expected version win', async () => {
    // Prepare
    const id = newId('order');
    const contenders = Array.from({ length: 8 }, () => incrementsAfter(id, 0, 2));

    // Act
    const outcomes = await Promise.allSettled(contenders.map((events) => store.append(id, 0, events)));

    // Assess
    const winners = contenders.filter((_, index) => outcomes[index]?.status === 'fulfilled');
    const losers = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    expect(winners).toHaveLength(1);
    expect(losers).toEqual(Array(7).fill(expect.any(ConcurrencyError)));
    expect(await store.load(id)).toEqual(winners[0]);
  });

  it(`appends ${MAX_EVENTS_PER_APPEND} events in one transaction and refuses more`, async () => {
    // Prepare
    const id = newId('order');

    // Act
    const full = await store.append(id, 0, incrementsAfter(id, 0, MAX_EVENTS_PER_APPEND));
    const tooMany = store.append(id, MAX_EVENTS_PER_APPEND, incrementsAfter(id, MAX_EVENTS_PER_APPEND, 101));

    // Assess
    expect(full.version).toBe(MAX_EVENTS_PER_APPEND);
    await expect(tooMany).rejects.toBeInstanceOf(TooManyEventsError);
    expect(await store.load(id)).toHaveLength(MAX_EVENTS_PER_APPEND);
  });

  it('lets 20 concurrent runners on one aggregate all succeed, losing no update', async () => {
    // Prepare: each runner fails at most once per other runner's success, so 20 attempts always suffice
    const id = newId('order');
    const runners = Array.from({ length: 20 }, () => runner({ maxAttempts: 20 }));

    // Act
    const results = await Promise.all(runners.map((each) => each.run(id, INCREMENT, context())));

    // Assess
    const versions = results.map((result) => result.version).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    const events = await store.load(id);
    expect(events.map((event) => event.version)).toEqual(versions);
    expect(events.reduce(counter.evolve, counter.initialState)).toEqual({ count: 20 });
  });

  it('loads the snapshot and only the events after it; snapshots stay out of the event partition', async () => {
    // Prepare
    const id = newId('order');
    const stepper = runner({ snapshotEvery: 5 });
    for (let i = 0; i < 12; i += 1) await stepper.run(id, INCREMENT, context());
    const saved = await store.loadSnapshot(id);
    // A snapshot whose state contradicts the events shows which of the two the next load starts from.
    await store.saveSnapshot({
      aggregateId: id,
      version: 11,
      state: { count: 1000 },
      schemaVersion: 1,
      takenAt: 'now',
    });
    await store.saveSnapshot({
      aggregateId: id,
      version: 5,
      state: { count: 5 },
      schemaVersion: 1,
      takenAt: 'now',
    });

    // Act
    const result = await stepper.run(id, INCREMENT, context());

    // Assess
    expect(saved).toMatchObject({ aggregateId: id, version: 10, state: { count: 10 }, schemaVersion: 1 });
    expect(result).toMatchObject({ state: { count: 1002 }, version: 13 });
    expect(await store.loadSnapshot(id)).toMatchObject({ version: 11 });
    const partition = await dynamo.client.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: id } },
        ConsistentRead: true,
      }),
    );
    expect(partition.Items?.map((item) => item['kind']?.S)).toEqual(Array(13).fill('event'));
    expect((await store.load(id)).map((event) => event.version)).toEqual(
      Array.from({ length: 13 }, (_, i) => i + 1),
    );
  });

  it('creates an aggregate without reading it, and falls back to a loading run when its stream exists', async () => {
    // Prepare: snapshots on, so that a load would read the snapshot too
    const id = newId('order');
    const creator = runner({ snapshotEvery: 5 });
    const load = jest.spyOn(store, 'load');
    const loadSnapshot = jest.spyOn(store, 'loadSnapshot');

    try {
      // Act
      const created = await creator.create(id, INCREMENT, context());
      const readsToCreate = load.mock.calls.length + loadSnapshot.mock.calls.length;
      const again = await creator.create(id, INCREMENT, context());

      // Assess
      expect(created.version).toBe(1);
      expect(readsToCreate).toBe(0);
      expect(again).toMatchObject({ state: { count: 2 }, version: 2 });
      expect(load).toHaveBeenCalledTimes(1);
      expect(loadSnapshot).toHaveBeenCalledTimes(1);
    } finally {
      load.mockRestore();
      loadSnapshot.mockRestore();
    }
  });

  describe('unique keys', () => {
    const claimOf = async (key: string) =>
      (
        await dynamo.client.send(
          new GetItemCommand({
            TableName: TABLE,
            Key: { pk: { S: `unique#${key}` }, sk: { N: '0' } },
            ConsistentRead: true,
          }),
        )
      ).Item;

    it('claims the key in the transaction of the events, as an item of its own kind beside them', async () => {
      // Prepare
      const id = newId('order');
      const key = `request-${newUlid()}`;
      const events = incrementsAfter(id, 0, 2);

      // Act
      await store.append(id, 0, events, { uniqueKey: key });

      // Assess
      expect(await claimOf(key)).toEqual({
        pk: { S: `unique#${key}` },
        sk: { N: '0' },
        kind: { S: UNIQUE_KEY_ITEM_KIND },
        aggregateId: { S: id },
        claimedAt: { S: events[0]?.occurredAt },
      });
      expect(await store.load(id)).toEqual(events);
    });

    it('refuses a claimed key to any other append with UniqueKeyTakenError naming the holder, writing none of its events', async () => {
      // Prepare
      const holder = newId('order');
      const other = newId('order');
      const key = `request-${newUlid()}`;
      await store.append(holder, 0, [incremented(holder, 1)], { uniqueKey: key });

      // Act
      const byOther = store.append(other, 0, incrementsAfter(other, 0, 2), { uniqueKey: key });
      const byHolder = store.append(holder, 1, [incremented(holder, 2)], { uniqueKey: key });

      // Assess
      await expect(byOther).rejects.toBeInstanceOf(UniqueKeyTakenError);
      await expect(byOther).rejects.toMatchObject({ key, claimedBy: holder });
      await expect(byHolder).rejects.toMatchObject({ key, claimedBy: holder });
      expect(await store.load(other)).toEqual([]);
      expect(await store.load(holder)).toHaveLength(1);
      expect((await claimOf(key))?.['aggregateId']).toEqual({ S: holder });
    });

    it('writes no claim when the events lose their race, so the key stays free', async () => {
      // Prepare
      const id = newId('order');
      const key = `request-${newUlid()}`;
      await store.append(id, 0, [incremented(id, 1)]);

      // Act
      const lostRace = store.append(id, 0, [incremented(id, 1)], { uniqueKey: key });

      // Assess
      await expect(lostRace).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await claimOf(key)).toBeUndefined();
      expect(await store.load(id)).toHaveLength(1);
      const other = newId('order');
      await expect(store.append(other, 0, [incremented(other, 1)], { uniqueKey: key })).resolves.toEqual({
        version: 1,
      });
    });

    it('reports a taken key rather than a version conflict when both fail', async () => {
      // Prepare
      const id = newId('order');
      const key = `request-${newUlid()}`;
      await store.append(id, 0, [incremented(id, 1)], { uniqueKey: key });

      // Act
      const staleAndTaken = store.append(id, 0, [incremented(id, 1)], { uniqueKey: key });

      // Assess
      await expect(staleAndTaken).rejects.toBeInstanceOf(UniqueKeyTakenError);
      await expect(staleAndTaken).rejects.toMatchObject({ claimedBy: id });
    });

    // A transaction conflict on the claim is a lost race: `run` retries it into the taken key, and
    // `create`, whose append fails as a lost race would, falls back to a run that does.
    it.each(['run', 'create'] as const)(
      'lets exactly one of 8 concurrent runners claiming one key through %s create its aggregate',
      async (method) => {
        // Prepare
        const key = `request-${newUlid()}`;
        const ids = Array.from({ length: 8 }, () => newId('order'));

        // Act
        const outcomes = await Promise.allSettled(
          ids.map((id) => runner({ maxAttempts: 10 })[method](id, INCREMENT, context(), { uniqueKey: key })),
        );

        // Assess
        const winners = ids.filter((_, index) => outcomes[index]?.status === 'fulfilled');
        expect(winners).toHaveLength(1);
        const losers = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
        expect(losers).toEqual(Array(7).fill(expect.objectContaining({ key, claimedBy: winners[0] })));
        expect(losers.every((error) => error instanceof UniqueKeyTakenError)).toBe(true);
        const streams = await Promise.all(ids.map((id) => store.load(id)));
        expect(streams.map((events) => events.length).sort()).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
      },
    );

    it(`claims a key with ${MAX_EVENTS_PER_APPEND - 1} events, a transaction of ${MAX_EVENTS_PER_APPEND} items`, async () => {
      // Prepare
      const id = newId('order');
      const key = `request-${newUlid()}`;

      // Act
      const full = await store.append(id, 0, incrementsAfter(id, 0, MAX_EVENTS_PER_APPEND - 1), {
        uniqueKey: key,
      });

      // Assess
      expect(full.version).toBe(MAX_EVENTS_PER_APPEND - 1);
      expect((await claimOf(key))?.['aggregateId']).toEqual({ S: id });
    });

    it('keeps aggregate ids out of the claims’ key space', async () => {
      // Act
      const load = store.load('unique#request-1');
      const append = store.append('unique#request-1', 0, [incremented('unique#request-1', 1)]);

      // Assess
      await expect(load).rejects.toBeInstanceOf(EventStoreError);
      await expect(append).rejects.toBeInstanceOf(EventStoreError);
    });
  });

  describe('a stream of 1,000 events over 1 MB', () => {
    const id = newId('order');
    const padding = 'x'.repeat(1_200);

    beforeAll(async () => {
      // As many as one append takes: all of them at version 0, one fewer after (the previous version's check).
      for (let after = 0; after < 1_000;) {
        const count = Math.min(
          1_000 - after,
          after === 0 ? MAX_EVENTS_PER_APPEND : MAX_EVENTS_PER_APPEND - 1,
        );
        await store.append(id, after, incrementsAfter(id, after, count, { by: 1, padding }));
        after += count;
      }
    });

    it('takes more than one page of DynamoDB', async () => {
      // Act
      const firstPage = await dynamo.client.send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: id } },
          ConsistentRead: true,
        }),
      );

      // Assess
      expect(firstPage.LastEvaluatedKey).toBeDefined();
      expect(firstPage.Count).toBeLessThan(1_000);
    });

    it.each([
      ['pages of 1 MB', undefined],
      ['pages of 64 items', 64],
    ])('loads in version order over %s', async (_, pageSize) => {
      // Prepare
      const paged = new DynamoDbEventStore<CounterEvent, CounterState>({
        client: dynamo.client,
        tableName: TABLE,
        pageSize,
      });

      // Act
      const all = await paged.load(id);
      const tail = await paged.load(id, { fromVersion: 990 });

      // Assess
      expect(all.map((event) => event.version)).toEqual(Array.from({ length: 1_000 }, (_, i) => i + 1));
      expect(all.every((event) => event.data.padding === padding)).toBe(true);
      expect(tail.map((event) => event.version)).toEqual(Array.from({ length: 11 }, (_, i) => 990 + i));
    });
  });
});
