import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { logger as defaultLogger } from '../observability/logger';
import type {
  BatchItemFailuresResponse,
  DynamoDBStreamEvent,
  DynamoDBStreamRecord,
  InvocationContext,
} from './dynamodb-stream-event';
import { toOutboxEntry } from './outbox-entry';
import { PoisonRecordError } from './errors';
import { poisonDeadLetter, type PoisonSink } from './poison-dead-letter';
import { publishInOrder, type OrderedItem, type PublishOutcome } from './publish-in-order';
import { checkRetryPolicy, type RetryPolicy } from './retry-policy';
import type { AppLogger } from '../observability/app-logger';

export interface OutboxRelayOptions {
  /**
   * Give it `maxAttempts: 1` (and wrap it with `tracedClient`): the relay retries failed entries itself,
   * and SDK retries on top would multiply attempts unseen.
   */
  readonly eventBridge: EventBridgeClient;
  readonly busName: string;
  /** `shop.<context>`, e.g. `shop.orders`. */
  readonly source: string;
  /** @default the shared Powertools logger */
  readonly logger?: AppLogger;
  readonly retry: RetryPolicy;
  /**
   * Where a record that can never be published goes, whole (the relay's dead-letter queue): at once,
   * so that neither it nor the records behind it are delivered again and again.
   */
  readonly poisonSink: PoisonSink;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default a `setTimeout` promise */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
  /**
   * Time kept back from the invocation's remaining time to return the partial batch response.
   * @default 1000
   */
  readonly timeReserveMs?: number;
}

export type OutboxRelayHandler = (
  event: DynamoDBStreamEvent,
  context: InvocationContext,
) => Promise<BatchItemFailuresResponse>;

const SOURCE_PATTERN = /^shop\.[a-z][a-z0-9-]*$/;

/**
 * The transactional outbox's relay: the handler for the event store's DynamoDB stream, with
 * `ReportBatchItemFailures`. New event items go to EventBridge in order per aggregate (see
 * `publishInOrder`); other records succeed untouched. A record that was not published is reported as a
 * batch item failure, so the event source mapping delivers it again, from its sequence number on.
 *
 * Powertools' `BatchProcessor` does the partial-response bookkeeping (failures by sequence number). It
 * hands each record to the record handler on its own (in parallel by default) and, for DynamoDB streams,
 * does not skip an aggregate's later records after a failure (only its SQS FIFO processors
 * short-circuit). So the publishing happens first, across the batch and in order per aggregate, and the
 * record handler reports each record's outcome.
 *
 * A record that can never be published (a malformed event item, an entry over the `PutEvents` limit) is
 * dead-lettered whole to `poisonSink` at once and counts as handled: the mapping's retries would only
 * deliver it, and every record behind it, again. The aggregate's later events go on; consumers see the
 * gap its version leaves. Only when the dead-lettering itself fails is it reported as failed (and its
 * aggregate held back), as any record that was not published.
 */
export function makeOutboxRelay(options: OutboxRelayOptions): OutboxRelayHandler {
  checkRetryPolicy(options.retry);
  if (!SOURCE_PATTERN.test(options.source)) {
    throw new RangeError(`source must be shop.<context>, e.g. shop.orders, not '${options.source}'.`);
  }
  if (options.busName.length === 0) {
    throw new RangeError('busName must name the event bus the relay publishes to.');
  }
  const logger = options.logger ?? defaultLogger;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const reserveMs = options.timeReserveMs ?? 1_000;
  const now = options.now ?? (() => new Date());
  const target = { busName: options.busName, source: options.source };

  return async (event, context) => {
    const items: OrderedItem[] = [];
    let ignored = 0;
    let deadLettered = 0;
    for (const record of event.Records) {
      const entry = toOutboxEntry(record, target);
      if (entry.kind === 'ignored') {
        ignored++;
      } else if (entry.kind === 'publish') {
        items.push(entry);
      } else {
        const deadLetter = poisonDeadLetter(record, {
          reason: entry.reason,
          source: options.source,
          aggregateId: entry.aggregateId,
          at: now(),
        });
        const logged = {
          sequenceNumber: entry.sequenceNumber,
          aggregateId: entry.aggregateId,
          eventId: entry.eventId,
          eventType: entry.type,
          entrySizeBytes: entry.sizeBytes,
          reason: entry.reason,
        };
        try {
          await options.poisonSink(deadLetter);
          deadLettered++;
          logger.error('Poison outbox record: dead-lettered whole, for an operator to fix and replay', {
            ...logged,
            imageKept: deadLetter.newImage !== undefined,
          });
        } catch (error) {
          logger.error('Poison outbox record could not be dead-lettered: reported failed, to be retried', {
            ...logged,
            error,
          });
          const poison = new PoisonRecordError(entry.sequenceNumber, entry.reason, { cause: entry.cause });
          items.push({ sequenceNumber: entry.sequenceNumber, aggregateId: entry.aggregateId, poison });
        }
      }
    }

    const outcomes = await publishInOrder(items, {
      eventBridge: options.eventBridge,
      retry: options.retry,
      remainingTimeMs: () => context.getRemainingTimeInMillis(),
      reserveMs,
      sleep,
      random,
      logger,
    });

    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    const response = await processPartialResponse(
      event,
      (record: DynamoDBStreamRecord) => reportOutcome(outcomes.get(record.dynamodb?.SequenceNumber ?? '')),
      processor,
      // A batch where every record failed is still a partial response, not a thrown error: the mapping
      // retries from the first failed record either way, and the logs below say why.
      { throwOnFullBatchFailure: false },
    );

    const failures = [...outcomes].flatMap(([sequenceNumber, outcome]) =>
      outcome.published ? [] : [{ sequenceNumber, reason: outcome.error.message }],
    );
    if (failures.length > 0) {
      logger.warn('Outbox records not published; reported as batch item failures', { failures });
    }
    logger.info('Outbox batch relayed', {
      records: event.Records.length,
      published: outcomes.size - failures.length,
      ignored,
      deadLettered,
      failed: failures.length,
    });
    return { batchItemFailures: response.batchItemFailures };
  };
}

function reportOutcome(outcome: PublishOutcome | undefined): void {
  if (outcome !== undefined && !outcome.published) {
    throw outcome.error;
  }
}
