import {
  PutEventsCommand,
  type EventBridgeClient,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import { chunkEntries } from './chunk-entries';
import {
  AggregateBlockedError,
  EntryRejectedError,
  PoisonRecordError,
  PublishDeadlineError,
  PublishFailedError,
  type OutboxRelayError,
} from './errors';
import { fullJitterDelay, type RetryPolicy } from './retry-policy';
import type { AppLogger } from '../observability/app-logger';

/** One record to publish, or a poison one that blocks its aggregate where it stands. */
export type OrderedItem =
  | {
      readonly sequenceNumber: string;
      readonly aggregateId: string;
      readonly entry: PutEventsRequestEntry;
      readonly sizeBytes: number;
    }
  | { readonly sequenceNumber: string; readonly aggregateId: string; readonly poison: PoisonRecordError };

export type PublishOutcome =
  | { readonly published: true; readonly eventBridgeId?: string }
  | { readonly published: false; readonly error: OutboxRelayError };

export interface PublishInOrderOptions {
  readonly eventBridge: EventBridgeClient;
  readonly retry: RetryPolicy;
  /** The invocation's time left; nothing is started that could end past it minus `reserveMs`. */
  readonly remainingTimeMs: () => number;
  /** Time kept back to answer the event source mapping. */
  readonly reserveMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly logger: AppLogger;
}

/** Entry error codes that say the entry itself is wrong: sending it again cannot succeed. */
const NON_RETRYABLE_ENTRY_ERRORS = new Set(['InvalidArgument', 'MalformedDetail']);

interface Attempt {
  readonly item: Extract<OrderedItem, { entry: PutEventsRequestEntry }>;
  readonly result: { readonly ok: true; readonly eventId?: string } | { readonly ok: false; error: Error };
}

/**
 * Publishes the items with `PutEvents` so that no event reaches the bus before the earlier events of its
 * aggregate: each round sends only the oldest unpublished item of every aggregate (in requests of ≤ 10
 * entries and ≤ 256 KB), so an aggregate's next event goes out only once its predecessor was accepted.
 * Failed entries alone are retried, after an exponentially growing, fully jittered delay, a bounded
 * number of times and never past the invocation's time. When an item fails for good, it and every later
 * item of its aggregate fail; other aggregates carry on. Returns one outcome per sequence number.
 */
export async function publishInOrder(
  items: readonly OrderedItem[],
  options: PublishInOrderOptions,
): Promise<Map<string, PublishOutcome>> {
  const outcomes = new Map<string, PublishOutcome>();
  const queues = new Map<string, OrderedItem[]>();
  for (const item of items) {
    const queue = queues.get(item.aggregateId) ?? [];
    queue.push(item);
    queues.set(item.aggregateId, queue);
  }
  const attemptsMade = new Map<string, number>();
  const lastErrors = new Map<string, Error>();

  const failAggregate = (aggregateId: string, error: OutboxRelayError): void => {
    const [head, ...rest] = queues.get(aggregateId) ?? [];
    if (head === undefined) {
      return;
    }
    outcomes.set(head.sequenceNumber, { published: false, error });
    for (const later of rest) {
      outcomes.set(later.sequenceNumber, {
        published: false,
        error: new AggregateBlockedError(later.sequenceNumber, aggregateId, head.sequenceNumber),
      });
    }
    queues.delete(aggregateId);
  };

  for (;;) {
    const heads = nextHeads(queues, failAggregate);
    if (heads.length === 0) {
      break;
    }
    const retriedAttempts = Math.max(0, ...heads.map((head) => attemptsMade.get(head.sequenceNumber) ?? 0));
    const delayMs =
      retriedAttempts === 0 ? 0 : fullJitterDelay(retriedAttempts, options.retry, options.random);
    if (options.remainingTimeMs() - delayMs <= options.reserveMs) {
      for (const head of heads) {
        const attempts = attemptsMade.get(head.sequenceNumber) ?? 0;
        const lastError = lastErrors.get(head.sequenceNumber);
        const reason = `the invocation ran out of time to ${attempts === 0 ? 'send it' : 'retry'}${
          lastError === undefined ? '' : ` (last error: ${lastError.message})`
        }`;
        failAggregate(
          head.aggregateId,
          new PublishFailedError(head.sequenceNumber, attempts, reason, { cause: lastError }),
        );
      }
      break;
    }
    if (delayMs > 0) {
      await options.sleep(delayMs);
    }

    const chunks = chunkEntries(heads, (head) => head.sizeBytes);
    const attempts = (await Promise.all(chunks.map((chunk) => sendChunk(chunk, options)))).flat();
    for (const { item, result } of attempts) {
      const made = (attemptsMade.get(item.sequenceNumber) ?? 0) + 1;
      attemptsMade.set(item.sequenceNumber, made);
      if (result.ok) {
        outcomes.set(item.sequenceNumber, { published: true, eventBridgeId: result.eventId });
        queues.get(item.aggregateId)?.shift();
        continue;
      }
      lastErrors.set(item.sequenceNumber, result.error);
      const retryable =
        !(result.error instanceof EntryRejectedError) ||
        !NON_RETRYABLE_ENTRY_ERRORS.has(result.error.errorCode);
      if (!retryable || made >= options.retry.maxAttempts) {
        failAggregate(
          item.aggregateId,
          new PublishFailedError(item.sequenceNumber, made, result.error.message, { cause: result.error }),
        );
      }
    }
  }
  return outcomes;
}

/** The oldest unpublished item of every aggregate; poison heads fail their aggregate on the way. */
function nextHeads(
  queues: Map<string, OrderedItem[]>,
  failAggregate: (aggregateId: string, error: OutboxRelayError) => void,
): Attempt['item'][] {
  const heads: Attempt['item'][] = [];
  for (const [aggregateId, queue] of [...queues]) {
    const head = queue[0];
    if (head === undefined) {
      queues.delete(aggregateId);
    } else if ('poison' in head) {
      failAggregate(aggregateId, head.poison);
    } else {
      heads.push(head);
    }
  }
  return heads;
}

/** One `PutEvents` call: a result per item; a thrown call or a missing answer fails every item it covers. */
async function sendChunk(
  chunk: readonly Attempt['item'][],
  options: PublishInOrderOptions,
): Promise<Attempt[]> {
  let resultEntries: (PutEventsResultEntry | undefined)[];
  try {
    const output = await sendWithinDeadline(
      options,
      new PutEventsCommand({ Entries: chunk.map((item) => item.entry) }),
    );
    resultEntries = output.Entries ?? [];
    if ((output.FailedEntryCount ?? 0) > 0) {
      options.logger.warn('PutEvents accepted only part of the request; the failed entries will be retried', {
        failedEntryCount: output.FailedEntryCount,
        entryCount: chunk.length,
      });
    }
  } catch (error) {
    options.logger.warn('PutEvents failed; its entries will be retried', {
      entryCount: chunk.length,
      error,
    });
    const failure = error instanceof Error ? error : new Error(String(error));
    return chunk.map((item) => ({ item, result: { ok: false, error: failure } }));
  }
  return chunk.map((item, index): Attempt => {
    const result = resultEntries[index];
    if (result?.EventId !== undefined && result.ErrorCode === undefined) {
      return { item, result: { ok: true, eventId: result.EventId } };
    }
    return {
      item,
      result: {
        ok: false,
        error: new EntryRejectedError(result?.ErrorCode ?? 'NoResult', result?.ErrorMessage),
      },
    };
  });
}

/** Sends, but gives up waiting (and aborts the request) when the invocation's time would run out. */
async function sendWithinDeadline(options: PublishInOrderOptions, command: PutEventsCommand) {
  const budgetMs = options.remainingTimeMs() - options.reserveMs;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new PublishDeadlineError(budgetMs));
    }, budgetMs);
  });
  try {
    return await Promise.race([
      options.eventBridge.send(command, { abortSignal: controller.signal }),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
