/**
 * The one way a context reacts to other contexts' events (the choreographed saga): a rule puts the
 * events on the context's queue, the queue invokes one consumer function, and the consumer runs the
 * reaction registered for each event's `source` and `detail-type` on the domain envelope in `detail`.
 *
 * - **Duplicates** are the reactions' business: each writes the event's domain `eventId` (never
 *   EventBridge's `id`, which a relay retry renews) in the transaction of its state change.
 * - **An event that comes too early** (before the one it depends on) throws `RetryLaterError`: its
 *   message becomes visible again after a pause that grows with its receive count (full jitter), so it
 *   is applied after the event it waits for — never out of order, never dropped. Any other error is
 *   retried after the queue's visibility timeout; after `maxReceiveCount` deliveries the message goes
 *   to the queue's dead-letter queue.
 * - **The trace and the correlation** continue: the reaction's command context carries the event's
 *   `correlationId`, the event as cause, and the trace header the event travelled with. The invocation's
 *   trace is annotated with the order the event names (`data.orderId`, and `data.saga` when it tells the
 *   saga style): every event of the saga names its order.
 */
import * as z from 'zod';
import type { CommandContext } from '../event-sourcing/command-context';
import { commandContext } from '../event-sourcing/command-context';
import type { DomainEvent } from '../event-sourcing/domain-event';
import { annotate } from '../observability/tracer';
import { fullJitterDelay } from '../outbox/retry-policy';
import type { AppLogger } from '../observability/app-logger';
import { definedProps } from '../objects/defined-props';

const nonEmpty = z.string().min(1);

/** The envelope of ARCHITECTURE.md §4, as the outbox relays publish it in `detail`. */
export const EventEnvelopeSchema = z.object({
  eventId: nonEmpty,
  type: nonEmpty,
  aggregateType: nonEmpty,
  aggregateId: nonEmpty,
  version: z.number().int().nonnegative(),
  occurredAt: nonEmpty,
  correlationId: nonEmpty,
  causationId: nonEmpty,
  traceHeader: nonEmpty.optional(),
  schemaVersion: z.number().int().positive(),
  data: z.unknown(),
});

/** What a rule puts on a queue: the EventBridge event. */
const BusEventSchema = z.object({
  source: nonEmpty,
  'detail-type': nonEmpty,
  detail: EventEnvelopeSchema,
});

/** The parts of the SQS → Lambda event a consumer reads. */
export interface QueueRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: { readonly ApproximateReceiveCount?: string };
}
export interface QueueEvent {
  readonly Records: readonly QueueRecord[];
}
export interface QueueBatchResponse {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

/**
 * The event cannot be applied yet: what it depends on has not arrived (or, for a charge, the card
 * processor is unavailable). Its message is delivered again after a pause.
 */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    /** The pause before the next delivery; the consumer's backoff by receive count when absent. */
    readonly delaySeconds?: number,
  ) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

/** What a reaction did with one delivery, for the log. */
export type ReactionOutcome = 'applied' | 'duplicate' | 'ignored';

export interface Delivery {
  /** 1 for the first delivery of the message. */
  readonly receiveCount: number;
}

/** One event type a context reacts to, its data's schema, and the reaction. */
export interface Reaction<TData = unknown> {
  readonly source: string;
  readonly type: string;
  readonly data: z.ZodType<TData>;
  readonly apply: (
    event: DomainEvent<string, TData>,
    context: CommandContext,
    delivery: Delivery,
  ) => Promise<ReactionOutcome>;
}

/**
 * Applies `apply` to the events of choreographed orders only (their `data.saga`); an event of an
 * orchestrated order, which a rule let through, is `ignored`.
 */
export function ofChoreographedOrders<TData extends { readonly saga?: string }>(
  apply: Reaction<TData>['apply'],
): Reaction<TData>['apply'] {
  return async (event, context, delivery) =>
    event.data.saga === 'choreographed' ? apply(event, context, delivery) : 'ignored';
}

/** Erases a reaction's data type, so reactions of different events fit one list. */
export function reaction<TData>(definition: Reaction<TData>): Reaction {
  return definition as unknown as Reaction;
}

/** Makes a message visible again after a pause (SQS `ChangeMessageVisibility`). */
export type ChangeVisibility = (receiptHandle: string, visibilityTimeoutSeconds: number) => Promise<void>;

export interface EventConsumerOptions {
  readonly reactions: readonly Reaction[];
  readonly changeVisibility: ChangeVisibility;
  readonly logger: AppLogger;
  /** The pause before an early event's next delivery: full jitter over 1 s · 2ⁿ⁻¹, at most this. @default 60 */
  readonly maxRetryDelaySeconds?: number;
  /** The trace header of the invocation, for events that carry none. */
  readonly currentTraceHeader?: () => string | undefined;
  /** @default Math.random */
  readonly random?: () => number;
}

/** The consumer: an SQS batch handler reporting partial failures (`ReportBatchItemFailures`). */
export function makeEventConsumer(
  options: EventConsumerOptions,
): (event: QueueEvent) => Promise<QueueBatchResponse> {
  const byKey = new Map(options.reactions.map((r) => [`${r.source} ${r.type}`, r] as const));
  if (byKey.size !== options.reactions.length) {
    throw new Error('makeEventConsumer: two reactions for one source and type.');
  }
  const maxDelayMs = (options.maxRetryDelaySeconds ?? 60) * 1000;
  const random = options.random ?? Math.random;
  const { logger } = options;

  async function consume(record: QueueRecord): Promise<boolean> {
    const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? '1');
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      body = undefined;
    }
    const parsed = BusEventSchema.safeParse(body);
    if (!parsed.success) {
      logger.error('Not an event of the bus: left to redelivery and the dead-letter queue', {
        messageId: record.messageId,
      });
      return false;
    }
    const { source, detail } = parsed.data;
    const type = parsed.data['detail-type'];
    const ids = {
      messageId: record.messageId,
      source,
      eventType: type,
      eventId: detail.eventId,
      aggregateId: detail.aggregateId,
      correlationId: detail.correlationId,
      receiveCount,
    };
    const handler = byKey.get(`${source} ${type}`);
    if (handler === undefined) {
      logger.warn('No reaction to this event: ignored (a rule sends more than the consumer reads)', ids);
      return true;
    }
    const data = handler.data.safeParse(detail.data);
    if (!data.success) {
      logger.error('The event breaks its contract: left to redelivery and the dead-letter queue', {
        ...ids,
        issues: data.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
      });
      return false;
    }
    annotate({ orderId: textField(data.data, 'orderId'), sagaStyle: textField(data.data, 'saga') });
    const traceHeader = detail.traceHeader ?? options.currentTraceHeader?.();
    const context = commandContext({
      correlationId: detail.correlationId,
      causationId: detail.eventId,
      ...definedProps({ traceHeader }),
    });
    try {
      const outcome = await handler.apply({ ...detail, data: data.data }, context, { receiveCount });
      logger.info(`Event ${outcome}`, ids);
      return true;
    } catch (error) {
      if (error instanceof RetryLaterError) {
        const delaySeconds =
          error.delaySeconds ??
          Math.max(
            1,
            Math.ceil(
              fullJitterDelay(receiveCount, { maxAttempts: 1, baseDelayMs: 2_000, maxDelayMs }, random) /
                1000,
            ),
          );
        logger.info('Event not applicable yet: delivered again later', {
          ...ids,
          reason: error.message,
          delaySeconds,
        });
        try {
          await options.changeVisibility(record.receiptHandle, delaySeconds);
        } catch (changeError) {
          // The message still comes back, after the queue's visibility timeout.
          logger.warn('The pause could not be set; the visibility timeout applies', { ...ids, changeError });
        }
        return false;
      }
      logger.error('Reaction failed: the event is delivered again', { ...ids, error });
      return false;
    }
  }

  return async (event) => {
    const failed: string[] = [];
    // One at a time: a batch may hold several events of one order, and their reactions contend.
    for (const record of event.Records) {
      if (!(await consume(record))) failed.push(record.messageId);
    }
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/** A string field of an event's data, if it has one. */
function textField(data: unknown, field: string): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const value: unknown = (data as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}
