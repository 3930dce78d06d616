import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandInput,
  type PutEventsCommandOutput,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import type { PoisonDeadLetter } from '../../../shared/outbox/poison-dead-letter';
import type { DynamoDBStreamEvent, DynamoDBStreamRecord } from '../../../shared/outbox/dynamodb-stream-event';
import { makeOutboxRelay, type OutboxRelayOptions } from '../../../shared/outbox/outbox-relay';
import { PUT_EVENTS_MAX_BYTES, putEventsEntrySize } from '../../../shared/outbox/put-events-limits';
import { eventIdOf, eventItem, eventRecord, insertRecord, sequenceOf } from './stream-records';
import type { AppLogger } from '../../../shared/observability/app-logger';

interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly extra: unknown[];
}

function recordingLogger(lines: LogLine[]): AppLogger {
  const at =
    (level: LogLine['level']) =>
    (message: unknown, ...extra: unknown[]) =>
      lines.push({ level, message: String(message), extra });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Decides the answer for one entry on its n-th sending (1-based); `undefined` accepts it. */
type EntryPlan = (eventId: string, sending: number) => string | undefined;

function eventIdIn(entry: PutEventsRequestEntry): string {
  return (JSON.parse(entry.Detail ?? '{}') as { eventId: string }).eventId;
}

/** A relay wired to a mocked EventBridge, a fake clock and a sleep that only advances it. */
function harness(overrides: Partial<OutboxRelayOptions> = {}, remaining: number | (() => number) = 60_000) {
  const client = new EventBridgeClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const mock = mockClient(client);
  const lines: LogLine[] = [];
  const sleeps: number[] = [];
  const deadLetters: PoisonDeadLetter[] = [];
  let elapsedMs = 0;
  const relay = makeOutboxRelay({
    eventBridge: client,
    busName: 'shop-bus',
    source: 'shop.orders',
    logger: recordingLogger(lines),
    poisonSink: async (deadLetter) => void deadLetters.push(deadLetter),
    now: () => new Date('2026-12-07T10:00:00.000Z'),
    retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 },
    sleep: async (ms) => {
      sleeps.push(ms);
      elapsedMs += ms;
    },
    random: () => 0.5,
    ...overrides,
  });
  const context = {
    getRemainingTimeInMillis: () => (typeof remaining === 'number' ? remaining : remaining()) - elapsedMs,
  };
  const sendings = new Map<string, number>();
  const planned = (entryPlan: EntryPlan) => async (input: PutEventsCommandInput) => {
    const entries = input.Entries ?? [];
    const results = entries.map((entry) => {
      const eventId = eventIdIn(entry);
      const sending = (sendings.get(eventId) ?? 0) + 1;
      sendings.set(eventId, sending);
      const errorCode = entryPlan(eventId, sending);
      return errorCode === undefined
        ? { EventId: `eb-${eventId}-${sending}` }
        : { ErrorCode: errorCode, ErrorMessage: `${errorCode} for ${eventId}` };
    });
    const output: Partial<PutEventsCommandOutput> = {
      FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
      Entries: results,
    };
    return output;
  };
  const plan = (entryPlan: EntryPlan) => mock.on(PutEventsCommand).callsFake(planned(entryPlan));
  /** The event ids of every `PutEvents` call, call by call. */
  const calls = () =>
    mock.commandCalls(PutEventsCommand).map((call) => (call.args[0].input.Entries ?? []).map(eventIdIn));
  /** Event ids EventBridge accepted, in the order it accepted them. */
  const accepted = async () => {
    const ids: string[] = [];
    for (const call of mock.commandCalls(PutEventsCommand)) {
      const output = await call.returnValue.catch(() => undefined);
      (call.args[0].input.Entries ?? []).forEach((entry, index) => {
        if (output?.Entries?.[index]?.EventId !== undefined) ids.push(eventIdIn(entry));
      });
    }
    return ids;
  };
  const run = (records: DynamoDBStreamRecord[]) =>
    relay({ Records: records } satisfies DynamoDBStreamEvent, context);
  return { mock, lines, sleeps, deadLetters, plan, planned, calls, accepted, run };
}

const failures = (...records: DynamoDBStreamRecord[]) =>
  records.map((record) => ({ itemIdentifier: sequenceOf(record) }));

/** An entry over 256 KB of `ord_a`, `ord_a`'s next event, and one of `ord_b`. */
function poisonThenTwo(): [DynamoDBStreamRecord, DynamoDBStreamRecord, DynamoDBStreamRecord] {
  return [
    eventRecord({ aggregateId: 'ord_a', version: 1, data: { note: 'x'.repeat(PUT_EVENTS_MAX_BYTES) } }),
    eventRecord({ aggregateId: 'ord_a', version: 2 }),
    eventRecord({ aggregateId: 'ord_b', version: 1 }),
  ];
}

describe('the outbox relay', () => {
  it('publishes a new event item as an entry of the bus with the envelope as detail', async () => {
    // Prepare
    const relay = harness();
    relay.plan(() => undefined);
    const record = eventRecord({
      aggregateId: 'ord_1',
      version: 1,
      type: 'OrderCreated',
      data: { total: 42, items: [{ sku: 'prd_1', quantity: 2 }] },
      traceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    });

    // Act
    const response = await relay.run([record]);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const [call] = relay.mock.commandCalls(PutEventsCommand);
    expect(call?.args[0].input.Entries).toEqual([
      {
        EventBusName: 'shop-bus',
        Source: 'shop.orders',
        DetailType: 'OrderCreated',
        TraceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
        Detail: expect.any(String),
      },
    ]);
    expect(JSON.parse(call?.args[0].input.Entries?.[0]?.Detail ?? '')).toEqual({
      eventId: 'evt_ord_1_1',
      type: 'OrderCreated',
      aggregateType: 'Order',
      aggregateId: 'ord_1',
      version: 1,
      occurredAt: '2026-11-26T12:00:00.000Z',
      correlationId: 'cor_ord_1',
      causationId: 'cmd_ord_1_1',
      traceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      schemaVersion: 1,
      data: { total: 42, items: [{ sku: 'prd_1', quantity: 2 }] },
    });
  });

  it('ignores snapshots, other items and MODIFY/REMOVE records, and reports them as succeeded', async () => {
    // Prepare
    const relay = harness();
    relay.plan(() => undefined);
    const event = eventRecord({ aggregateId: 'ord_1', version: 1 });
    const snapshot = insertRecord({ pk: 'ord_1', sk: 0, kind: 'snapshot', state: { status: 'created' } });
    const other = insertRecord({ pk: 'idem_1', sk: 0, status: 'done' });
    const modify: DynamoDBStreamRecord = {
      ...eventRecord({ aggregateId: 'ord_2', version: 1 }),
      eventName: 'MODIFY',
    };
    const remove: DynamoDBStreamRecord = {
      ...eventRecord({ aggregateId: 'ord_3', version: 1 }),
      eventName: 'REMOVE',
    };
    const keysOnly: DynamoDBStreamRecord = {
      eventName: 'INSERT',
      dynamodb: { SequenceNumber: '9', Keys: { pk: { S: 'ord_4' }, sk: { N: '1' } } },
    };

    // Act
    const response = await relay.run([snapshot, other, modify, remove, keysOnly, event]);

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(relay.calls()).toEqual([['evt_ord_1_1']]);
  });

  it('retries only the entries EventBridge failed: entries 2 and 7 of 12', async () => {
    // Prepare
    const relay = harness();
    const records = Array.from({ length: 12 }, (_, index) =>
      eventRecord({ aggregateId: `ord_${index + 1}`, version: 1 }),
    );
    relay.plan((eventId, sending) =>
      sending === 1 && (eventId === 'evt_ord_2_1' || eventId === 'evt_ord_7_1')
        ? 'InternalFailure'
        : undefined,
    );

    // Act
    const response = await relay.run(records);

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const calls = relay.calls();
    expect(calls.map((ids) => ids.length)).toEqual([10, 2, 2]);
    expect(calls[2]).toEqual(['evt_ord_2_1', 'evt_ord_7_1']);
    expect((await relay.accepted()).sort()).toEqual(
      records.map((_, i) => eventIdOf(`ord_${i + 1}`, 1)).sort(),
    );
    expect(relay.sleeps).toEqual([50]);
    expect(
      relay.lines.some((line) => line.level === 'warn' && line.message.includes('accepted only part')),
    ).toBe(true);
  });

  it('reports an always failing record and the later records of its aggregate, and publishes the others', async () => {
    // Prepare
    const relay = harness();
    const a1 = eventRecord({ aggregateId: 'ord_a', version: 1 });
    const b1 = eventRecord({ aggregateId: 'ord_b', version: 1 });
    const a2 = eventRecord({ aggregateId: 'ord_a', version: 2 });
    const c1 = eventRecord({ aggregateId: 'ord_c', version: 1 });
    const b2 = eventRecord({ aggregateId: 'ord_b', version: 2 });
    const a3 = eventRecord({ aggregateId: 'ord_a', version: 3 });
    relay.plan((eventId) => (eventId === 'evt_ord_a_1' ? 'InternalFailure' : undefined));

    // Act
    const response = await relay.run([a1, b1, a2, c1, b2, a3]);

    // Assess
    expect(response.batchItemFailures).toEqual(failures(a1, a2, a3));
    expect(await relay.accepted()).toEqual(['evt_ord_b_1', 'evt_ord_c_1', 'evt_ord_b_2']);
    const sent = relay.calls().flat();
    expect(sent.filter((id) => id === 'evt_ord_a_1')).toHaveLength(4);
    expect(sent).not.toContain('evt_ord_a_2');
    expect(sent).not.toContain('evt_ord_a_3');
    // Full jitter under a doubling ceiling: random() = 0.5 of 100, 200 and 400 ms.
    expect(relay.sleeps).toEqual([50, 100, 200]);
  });

  it('gives a record up at once when EventBridge calls the entry itself invalid', async () => {
    // Prepare
    const relay = harness();
    const a1 = eventRecord({ aggregateId: 'ord_a', version: 1 });
    relay.plan(() => 'MalformedDetail');

    // Act
    const response = await relay.run([a1]);

    // Assess
    expect(response.batchItemFailures).toEqual(failures(a1));
    expect(relay.calls()).toEqual([['evt_ord_a_1']]);
  });

  it('retries a throttled PutEvents call and publishes every entry once', async () => {
    // Prepare
    const relay = harness();
    const records = [
      eventRecord({ aggregateId: 'ord_1', version: 1 }),
      eventRecord({ aggregateId: 'ord_2', version: 1 }),
    ];
    relay.mock
      .on(PutEventsCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' }))
      .callsFake(relay.planned(() => undefined));

    // Act
    const response = await relay.run(records);

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(relay.calls()).toEqual([
      ['evt_ord_1_1', 'evt_ord_2_1'],
      ['evt_ord_1_1', 'evt_ord_2_1'],
      ['evt_ord_1_1', 'evt_ord_2_1'],
    ]);
    expect(await relay.accepted()).toEqual(['evt_ord_1_1', 'evt_ord_2_1']);
    expect(relay.sleeps).toEqual([50, 100]);
  });

  it('reports the records of a call that keeps throwing once the attempts are spent', async () => {
    // Prepare
    const relay = harness();
    const record = eventRecord({ aggregateId: 'ord_1', version: 1 });
    relay.mock
      .on(PutEventsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    // Act
    const response = await relay.run([record]);

    // Assess
    expect(response.batchItemFailures).toEqual(failures(record));
    expect(relay.calls()).toHaveLength(4);
    const warning = relay.lines.find((line) => line.message.includes('reported as batch item failures'));
    expect(JSON.stringify(warning?.extra)).toContain('after 4 attempt(s): Rate exceeded');
  });

  it('sends at most ten entries per call', async () => {
    // Prepare
    const relay = harness();
    relay.plan(() => undefined);
    const records = Array.from({ length: 25 }, (_, index) =>
      eventRecord({ aggregateId: `ord_${index}`, version: 1 }),
    );

    // Act
    const response = await relay.run(records);

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(relay.calls().map((ids) => ids.length)).toEqual([10, 10, 5]);
  });

  it('keeps each call within 256 KB as EventBridge counts entry sizes', async () => {
    // Prepare
    const relay = harness();
    relay.plan(() => undefined);
    const records = Array.from({ length: 5 }, (_, index) =>
      eventRecord({ aggregateId: `ord_${index}`, version: 1, data: { note: 'é'.repeat(50_000) } }),
    );

    // Act
    const response = await relay.run(records);

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const sizes = relay.mock
      .commandCalls(PutEventsCommand)
      .map((call) =>
        (call.args[0].input.Entries ?? []).reduce((sum, entry) => sum + putEventsEntrySize(entry), 0),
      );
    // Each entry is ~100 KB (é is two bytes in UTF-8): two fit, three do not.
    expect(relay.calls().map((ids) => ids.length)).toEqual([2, 2, 1]);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(PUT_EVENTS_MAX_BYTES);
    expect(sizes[0]).toBeGreaterThan(PUT_EVENTS_MAX_BYTES / 2);
  });

  it('dead-letters an entry over 256 KB whole, at once, and publishes what follows it; logs why', async () => {
    // Prepare
    const relay = harness();
    relay.plan(() => undefined);
    const [huge, next, other] = poisonThenTwo();

    // Act
    const response = await relay.run([huge, next, other]);

    // Assess: nothing for the mapping to deliver again, the poison's own image on the dead-letter queue.
    expect(response.batchItemFailures).toEqual([]);
    expect(relay.calls().flat().sort()).toEqual(['evt_ord_a_2', 'evt_ord_b_1']);
    expect(relay.deadLetters).toEqual([
      {
        kind: 'outbox-poison-record',
        version: 1,
        reason: expect.stringMatching(/over the 262144-byte PutEvents limit/),
        source: 'shop.orders',
        sequenceNumber: sequenceOf(huge),
        aggregateId: 'ord_a',
        keys: huge.dynamodb?.Keys,
        newImage: huge.dynamodb?.NewImage,
        deadLetteredAt: '2026-12-07T10:00:00.000Z',
        ...(huge.eventSourceARN === undefined ? {} : { eventSourceArn: huge.eventSourceARN }),
      },
    ]);
    const error = relay.lines.find((line) => line.level === 'error');
    expect(error?.message).toMatch(/^Poison outbox record: dead-lettered whole/);
    expect(error?.extra[0]).toMatchObject({
      sequenceNumber: sequenceOf(huge),
      aggregateId: 'ord_a',
      eventId: 'evt_ord_a_1',
      eventType: 'OrderCreated',
      entrySizeBytes: expect.any(Number),
      reason: expect.stringMatching(/over the 262144-byte PutEvents limit/),
      imageKept: true,
    });
  });

  it('dead-letters an event item that is not a valid envelope', async () => {
    // Prepare
    const relay = harness();
    relay.plan(() => undefined);
    const { correlationId: _dropped, ...withoutCorrelation } = eventItem({
      aggregateId: 'ord_a',
      version: 1,
    });
    const malformed = insertRecord(withoutCorrelation);
    const other = eventRecord({ aggregateId: 'ord_b', version: 1 });

    // Act
    const response = await relay.run([malformed, other]);

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(relay.calls()).toEqual([['evt_ord_b_1']]);
    expect(relay.deadLetters.map((deadLetter) => deadLetter.reason)).toEqual([
      expect.stringContaining('correlationId'),
    ]);
  });

  it('reports a poison record failed, with its aggregate’s later records, when the dead-letter queue refuses it', async () => {
    // Prepare
    const relay = harness({
      poisonSink: async () => {
        throw new Error('AccessDenied');
      },
    });
    relay.plan(() => undefined);
    const [huge, next, other] = poisonThenTwo();

    // Act
    const response = await relay.run([huge, next, other]);

    // Assess: retried by the mapping, in order, nothing of ord_a published past it.
    expect(response.batchItemFailures).toEqual(failures(huge, next));
    expect(relay.calls()).toEqual([['evt_ord_b_1']]);
    expect(relay.lines.find((line) => line.level === 'error')?.message).toMatch(/could not be dead-lettered/);
  });

  it('sends an aggregate’s next event only after its previous one was accepted', async () => {
    // Prepare
    const relay = harness();
    const records = [
      eventRecord({ aggregateId: 'ord_a', version: 1 }),
      eventRecord({ aggregateId: 'ord_b', version: 1 }),
      eventRecord({ aggregateId: 'ord_a', version: 2 }),
      eventRecord({ aggregateId: 'ord_a', version: 3 }),
      eventRecord({ aggregateId: 'ord_b', version: 2 }),
    ];
    relay.plan((eventId, sending) =>
      eventId === 'evt_ord_a_2' && sending === 1 ? 'ThrottlingException' : undefined,
    );

    // Act
    const response = await relay.run(records);

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(relay.calls()).toEqual([
      ['evt_ord_a_1', 'evt_ord_b_1'],
      ['evt_ord_a_2', 'evt_ord_b_2'],
      ['evt_ord_a_2'],
      ['evt_ord_a_3'],
    ]);
    expect(await relay.accepted()).toEqual([
      'evt_ord_a_1',
      'evt_ord_b_1',
      'evt_ord_b_2',
      'evt_ord_a_2',
      'evt_ord_a_3',
    ]);
  });

  it('stops retrying when the next delay would run into the time kept to answer', async () => {
    // Prepare: 1.5 s left, 1 s kept back, and the next delay would be 0.9 of a 1 s ceiling.
    const relay = harness(
      { retry: { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 1_000 }, random: () => 0.9 },
      1_500,
    );
    const a1 = eventRecord({ aggregateId: 'ord_a', version: 1 });
    const a2 = eventRecord({ aggregateId: 'ord_a', version: 2 });
    relay.plan(() => 'InternalFailure');

    // Act
    const response = await relay.run([a1, a2]);

    // Assess
    expect(response.batchItemFailures).toEqual(failures(a1, a2));
    expect(relay.calls()).toEqual([['evt_ord_a_1']]);
    expect(relay.sleeps).toEqual([]);
    const warning = relay.lines.find((line) => line.message.includes('reported as batch item failures'));
    expect(JSON.stringify(warning?.extra)).toContain('ran out of time');
  });

  it('stops waiting for a PutEvents call that would outlast the invocation', async () => {
    // Prepare: a call that never answers, with 50 ms of real time left beyond the 1 s reserve.
    const deadline = Date.now() + 1_050;
    const relay = harness({ timeReserveMs: 1_000 }, () => deadline - Date.now());
    const record = eventRecord({ aggregateId: 'ord_a', version: 1 });
    relay.mock.on(PutEventsCommand).callsFake(() => new Promise(() => undefined));

    // Act
    const response = await relay.run([record]);

    // Assess
    expect(response.batchItemFailures).toEqual(failures(record));
    expect(Date.now()).toBeLessThan(deadline);
    const warning = relay.lines.find((line) => line.message.includes('reported as batch item failures'));
    expect(JSON.stringify(warning?.extra)).toContain('PutEvents did not answer within');
  });

  it.each([
    [{ source: 'orders' }, /source must be shop.<context>/],
    [{ busName: '' }, /busName must name the event bus/],
    [{ retry: { maxAttempts: 0, baseDelayMs: 1, maxDelayMs: 1 } }, /retry.maxAttempts/],
  ])('refuses a configuration it cannot work with: %j', (bad, message) => {
    // Act
    const build = () => harness(bad);

    // Assess
    expect(build).toThrow(message);
  });
});
