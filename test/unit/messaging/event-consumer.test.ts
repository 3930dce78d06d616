import * as z from 'zod';
import {
  makeEventConsumer,
  ofChoreographedOrders,
  reaction,
  RetryLaterError,
  type QueueRecord,
  type ReactionOutcome,
} from '../../../shared/messaging/event-consumer';
import { orderCause } from '../../../shared/messaging/reaction-state';
import type { AppLogger } from '../../../shared/observability/app-logger';

const envelope = (type: string, data: unknown, overrides: Record<string, unknown> = {}) => ({
  eventId: `evt-${type}`,
  type,
  aggregateType: 'Order',
  aggregateId: 'ord_1',
  version: 1,
  occurredAt: '2026-12-06T10:00:00.000Z',
  correlationId: 'corr-1',
  causationId: 'cause-1',
  traceHeader: 'Root=1-abc-def;Parent=0123;Sampled=1',
  schemaVersion: 1,
  data,
  ...overrides,
});

function record(
  messageId: string,
  body: unknown,
  receiveCount = 1,
  source = 'shop.orders',
  type = 'OrderCreated',
): QueueRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify({ source, 'detail-type': type, detail: body }),
    attributes: { ApproximateReceiveCount: String(receiveCount) },
  };
}

function recordingLogger() {
  const lines: { level: string; message: string; attributes: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (message: string, attributes: Record<string, unknown>): void =>
      void lines.push({ level, message, attributes });
  const logger: AppLogger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

function setup(apply: (data: { orderId: string; saga?: string }) => Promise<ReactionOutcome>) {
  const { logger, lines } = recordingLogger();
  const visibility: { receiptHandle: string; seconds: number }[] = [];
  const seen: { orderId: string; causationId: string; correlationId: string; trace?: string }[] = [];
  const consumer = makeEventConsumer({
    reactions: [
      reaction({
        source: 'shop.orders',
        type: 'OrderCreated',
        data: z.object({ orderId: z.string(), saga: z.string().optional() }),
        apply: ofChoreographedOrders(async (event, context) => {
          seen.push({
            orderId: orderCause(event).orderId,
            causationId: context.causationId,
            correlationId: context.correlationId,
            ...(context.traceHeader === undefined ? {} : { trace: context.traceHeader }),
          });
          return apply(event.data);
        }),
      }),
    ],
    changeVisibility: async (receiptHandle, seconds) => void visibility.push({ receiptHandle, seconds }),
    logger,
    maxRetryDelaySeconds: 30,
    random: () => 0.99,
  });
  return { consumer, lines, visibility, seen };
}

const choreographed = { orderId: 'ord_1', saga: 'choreographed' };

describe('the event consumer', () => {
  test('runs the reaction with the event as cause, its correlation and its trace; a success is not reported', async () => {
    const { consumer, seen } = setup(async () => 'applied');

    const response = await consumer({ Records: [record('m1', envelope('OrderCreated', choreographed))] });

    expect(response).toEqual({ batchItemFailures: [] });
    expect(seen).toEqual([
      {
        orderId: 'ord_1',
        causationId: 'evt-OrderCreated',
        correlationId: 'corr-1',
        trace: 'Root=1-abc-def;Parent=0123;Sampled=1',
      },
    ]);
  });

  test('an event of an orchestrated order is ignored, not applied', async () => {
    const { consumer, seen, lines } = setup(async () => 'applied');

    const response = await consumer({
      Records: [record('m1', envelope('OrderCreated', { orderId: 'ord_1', saga: 'orchestrated' }))],
    });

    expect(response.batchItemFailures).toEqual([]);
    expect(seen).toEqual([]);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', message: 'Event ignored' }));
  });

  test('an early event (RetryLaterError) is reported and made visible again after a pause growing with its deliveries', async () => {
    const { consumer, visibility } = setup(async () => {
      throw new RetryLaterError('the order is not known yet');
    });

    const first = await consumer({ Records: [record('m1', envelope('OrderCreated', choreographed), 1)] });
    const fifth = await consumer({ Records: [record('m2', envelope('OrderCreated', choreographed), 5)] });
    const tenth = await consumer({ Records: [record('m3', envelope('OrderCreated', choreographed), 10)] });

    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(fifth.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    expect(tenth.batchItemFailures).toEqual([{ itemIdentifier: 'm3' }]);
    // Full jitter over 2 s · 2ⁿ⁻¹ (random 0.99), capped at 30 s.
    expect(visibility).toEqual([
      { receiptHandle: 'rh-m1', seconds: 2 },
      { receiptHandle: 'rh-m2', seconds: 30 },
      { receiptHandle: 'rh-m3', seconds: 30 },
    ]);
  });

  test('a RetryLaterError with its own pause uses it', async () => {
    const { consumer, visibility } = setup(async () => {
      throw new RetryLaterError('the processor is unavailable', 7);
    });

    await consumer({ Records: [record('m1', envelope('OrderCreated', choreographed))] });

    expect(visibility).toEqual([{ receiptHandle: 'rh-m1', seconds: 7 }]);
  });

  test('any other error is reported without touching the visibility: the queue’s timeout applies', async () => {
    const { consumer, visibility, lines } = setup(async () => {
      throw new Error('DynamoDB throttled');
    });

    const response = await consumer({ Records: [record('m1', envelope('OrderCreated', choreographed))] });

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(visibility).toEqual([]);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'Reaction failed: the event is delivered again' }),
    );
  });

  test.each([
    ['a body that is not JSON', record('m1', '{not json')],
    ['an event without the envelope', record('m1', { eventId: 'x' })],
    ['an event whose data breaks its contract', record('m1', envelope('OrderCreated', { orderId: 7 }))],
  ])('%s is reported (for the dead-letter queue), never applied', async (_label, bad) => {
    const { consumer, seen } = setup(async () => 'applied');

    const response = await consumer({ Records: [bad] });

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(seen).toEqual([]);
  });

  test('an event no reaction reads is dropped with a warning (a rule sends more than the consumer reads)', async () => {
    const { consumer, lines } = setup(async () => 'applied');

    const response = await consumer({
      Records: [record('m1', envelope('OrderShipped', choreographed), 1, 'shop.orders', 'OrderShipped')],
    });

    expect(response.batchItemFailures).toEqual([]);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn' }));
  });

  test('a batch is applied record by record, and only the failed ones are reported', async () => {
    let calls = 0;
    const { consumer } = setup(async () => {
      calls += 1;
      if (calls === 2) throw new Error('boom');
      return 'applied';
    });

    const response = await consumer({
      Records: ['m1', 'm2', 'm3'].map((id) => record(id, envelope('OrderCreated', choreographed))),
    });

    expect(calls).toBe(3);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
  });

  test('two reactions for one source and type are refused', () => {
    const twice = reaction({
      source: 'shop.orders',
      type: 'OrderCreated',
      data: z.object({}),
      apply: async () => 'applied',
    });
    expect(() =>
      makeEventConsumer({
        reactions: [twice, twice],
        changeVisibility: async () => undefined,
        logger: recordingLogger().logger,
      }),
    ).toThrow('two reactions for one source and type');
  });
});
