/**
 * The relay against the project's local EventBridge through a real `EventBridgeClient` over HTTP, with
 * 30 % of `PutEvents` entries failing (`InternalFailure`, seeded): what reaches a rule's target is what
 * the relay promises — each event once, in order per aggregate.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  EventBridgeEngine,
  type DeliveryContext,
  type Target,
  type TargetDispatcher,
  serveJsonProtocol,
  eventually,
} from 'cdk-local-cloud';
import type { DynamoDBStreamRecord } from '../../shared/outbox/dynamodb-stream-event';
import { makeOutboxRelay, type OutboxRelayOptions } from '../../shared/outbox/outbox-relay';
import { PUT_EVENTS_MAX_BYTES } from '../../shared/outbox/put-events-limits';
import { eventIdOf, eventRecord, sequenceOf } from '../unit/outbox/stream-records';
import { seededRandom as seeded } from '../support/seeded-random';

interface Delivered {
  readonly eventId: string;
  readonly aggregateId: string;
  readonly version: number;
}

/** The rule's target: records what EventBridge delivers, in delivery order. */
class RecordingTarget implements TargetDispatcher {
  readonly delivered: Delivered[] = [];

  async deliver(_target: Target, input: string, _context: DeliveryContext): Promise<void> {
    const { detail } = JSON.parse(input) as { detail: Delivered };
    this.delivered.push({
      eventId: detail.eventId,
      aggregateId: detail.aggregateId,
      version: detail.version,
    });
  }

  async deliverToDeadLetter(): Promise<void> {}
}

/** `aggregates` orders with `versions` events each, interleaved as concurrent writers produce them. */
function interleavedEvents(aggregates: number, versions: number): DynamoDBStreamRecord[] {
  const records: DynamoDBStreamRecord[] = [];
  for (let version = 1; version <= versions; version++) {
    for (let order = 1; order <= aggregates; order++) {
      records.push(
        eventRecord({ aggregateId: `ord_${order}`, version, type: `Step${version}`, data: { order } }),
      );
    }
  }
  return records;
}

const context = { getRemainingTimeInMillis: () => 60_000 };

describe('the outbox relay against the local EventBridge with 30 % of entries failing', () => {
  let target: RecordingTarget;
  let engine: EventBridgeEngine;
  let server: http.Server;
  let client: EventBridgeClient;
  let injectedFaults: number;

  beforeEach(async () => {
    target = new RecordingTarget();
    // The relay keeps to 256 KB per request; the engine holds it to that too.
    engine = new EventBridgeEngine({ dispatcher: target, maxRequestBytes: PUT_EVENTS_MAX_BYTES });
    engine.createBus('shop-bus');
    engine.putRule({ name: 'orders-events', busName: 'shop-bus', eventPattern: { source: ['shop.orders'] } });
    engine.putTargets('orders-events', 'shop-bus', [
      { id: 'projector', arn: 'arn:aws:sqs:us-east-1:000000000000:orders-projector' },
    ]);
    const faults = seeded(20261126);
    injectedFaults = 0;
    engine.setEntryFaultInjector(() => {
      if (faults() >= 0.3) return undefined;
      injectedFaults++;
      return { errorCode: 'InternalFailure', errorMessage: 'Injected fault.' };
    });
    server = http.createServer((req, res) => {
      void serveJsonProtocol([engine], req, res).then((served) => {
        if (!served) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new EventBridgeClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      // The relay retries failed entries itself.
      maxAttempts: 1,
    });
  });

  afterEach(async () => {
    client.destroy();
    engine.close();
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  });

  const relayWith = (retry: OutboxRelayOptions['retry']) =>
    makeOutboxRelay({
      eventBridge: client,
      busName: 'shop-bus',
      source: 'shop.orders',
      retry,
      // These streams carry valid events only: a poison record would fail the test.
      poisonSink: async (deadLetter) => {
        throw new Error(`unexpected poison record: ${deadLetter.reason}`);
      },
      random: seeded(7),
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: () => undefined,
      },
    });

  const expectOrderPerAggregate = (delivered: readonly Delivered[]) => {
    const firstSeen = new Map<string, number[]>();
    for (const { aggregateId, version } of delivered) {
      const versions = firstSeen.get(aggregateId) ?? [];
      if (!versions.includes(version)) versions.push(version);
      firstSeen.set(aggregateId, versions);
    }
    for (const versions of firstSeen.values()) {
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
    }
  };

  it('publishes every event exactly once across its retries, in order per aggregate', async () => {
    // Prepare: 20 orders × 5 events, in two stream batches of 50.
    const records = interleavedEvents(20, 5);
    const relay = relayWith({ maxAttempts: 12, baseDelayMs: 1, maxDelayMs: 20 });

    // Act
    const first = await relay({ Records: records.slice(0, 50) }, context);
    const second = await relay({ Records: records.slice(50) }, context);

    // Assess
    expect(first.batchItemFailures).toEqual([]);
    expect(second.batchItemFailures).toEqual([]);
    expect(injectedFaults).toBeGreaterThan(20);
    const delivered = await eventually(
      async () => (target.delivered.length >= 100 ? target.delivered : undefined),
      {
        what: '100 deliveries',
      },
    );
    const expected = records.map((_, index) =>
      eventIdOf(`ord_${(index % 20) + 1}`, Math.floor(index / 20) + 1),
    );
    expect(delivered.map((event) => event.eventId).sort()).toEqual(expected.sort());
    // Accepted entries are counted when PutEvents answers: nothing beyond the 100 was ever accepted.
    expect(engine.deliveries().filter((record) => record.ruleName === 'orders-events')).toHaveLength(100);
    expectOrderPerAggregate(delivered);
  });

  it('leaves what it could not publish to the mapping’s retries, which finish the job in order', async () => {
    // Prepare: two attempts per entry, so some entries fail for good in an invocation.
    const records = interleavedEvents(10, 4);
    const relay = relayWith({ maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 });
    let batch = records;
    let reportedFailures = 0;

    // Act: the mapping's behaviour — after a partial failure, deliver again from the lowest failed
    // sequence number on.
    for (let invocation = 0; batch.length > 0; invocation++) {
      if (invocation === 50) throw new Error('the relay did not drain the stream in 50 invocations');
      const { batchItemFailures } = await relay({ Records: batch }, context);
      reportedFailures += batchItemFailures.length;
      const failed = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
      const restart = batch.findIndex((record) => failed.has(sequenceOf(record)));
      batch = restart === -1 ? [] : batch.slice(restart);
    }

    // Assess
    expect(reportedFailures).toBeGreaterThan(0);
    const accepted = engine.deliveries().filter((record) => record.ruleName === 'orders-events').length;
    const delivered = await eventually(
      async () => (target.delivered.length >= accepted ? target.delivered : undefined),
      { what: `${accepted} deliveries` },
    );
    const ids = new Set(delivered.map((event) => event.eventId));
    expect(ids.size).toBe(40);
    expectOrderPerAggregate(delivered);
  });
});
