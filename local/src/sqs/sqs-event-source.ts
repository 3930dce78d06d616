/**
 * The SQS → Lambda event source mapping: polls a queue of the local SQS engine, invokes the function
 * with AWS's SQS event and deletes what the function handled, as the Lambda service does.
 */
import { AwsServiceError, LOCAL_REGION } from '../aws-protocol';
import type { FunctionError, InvokeResult, LambdaInvoker } from '../lambda/invoker';
import type { SqsEngine, SqsMessageAttributes, SqsReceivedMessage } from './sqs-engine';

export interface SqsEventSourceOptions {
  readonly engine: SqsEngine;
  /** The queue's name (its URL or ARN also work). */
  readonly queueName: string;
  readonly functionName: string;
  readonly invoker: LambdaInvoker;
  /** 1..10000; 10 when absent. */
  readonly batchSize?: number;
  /** 0..300: how long to gather messages before invoking with a batch short of `batchSize`. */
  readonly maximumBatchingWindowInSeconds?: number;
  /** `FunctionResponseTypes: ['ReportBatchItemFailures']`. */
  readonly reportBatchItemFailures?: boolean;
  /** Failures of the mapping itself (not of the function), e.g. a malformed batch response. */
  readonly onError?: (error: unknown) => void;
  /** Fault injection: asked before each invocation; an error fails the batch as a function error would. */
  readonly beforeInvoke?: () => FunctionError | undefined;
  /**
   * `ScalingConfig.MaximumConcurrency` (2..1000): batches in flight at once. Without it, the number
   * Lambda starts an SQS mapping with, `DEFAULT_SQS_POLLERS`; AWS then scales up with the backlog, the
   * local Lambda service's own concurrency limits bound it here.
   */
  readonly maximumConcurrency?: number;
  /** How long an idle poller waits for a message before it receives again (Lambda long-polls 20 s). */
  readonly longPollMs?: number;
}

/** Lambda starts polling a queue with five concurrent batches (AWS documentation, "Scaling"). */
export const DEFAULT_SQS_POLLERS = 5;

export interface SqsEventMessageAttribute {
  readonly stringValue?: string;
  readonly binaryValue?: string;
  readonly stringListValues: readonly string[];
  readonly binaryListValues: readonly string[];
  readonly dataType: string;
}

export interface SqsEventRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: {
    readonly ApproximateReceiveCount: string;
    readonly SentTimestamp: string;
    readonly SenderId: string;
    readonly ApproximateFirstReceiveTimestamp: string;
    readonly AWSTraceHeader?: string;
    readonly DeadLetterQueueSourceArn?: string;
    /** FIFO queues: what Lambda's event carries for them. */
    readonly MessageGroupId?: string;
    readonly MessageDeduplicationId?: string;
    readonly SequenceNumber?: string;
  };
  readonly messageAttributes: Readonly<Record<string, SqsEventMessageAttribute>>;
  readonly md5OfBody: string;
  readonly md5OfMessageAttributes?: string;
  readonly eventSource: 'aws:sqs';
  readonly eventSourceARN: string;
  readonly awsRegion: string;
}

export interface SqsEvent {
  readonly Records: readonly SqsEventRecord[];
}

/** The function answered a batch with a response Lambda cannot read, so the whole batch counts as failed. */
export class SqsBatchResponseError extends Error {
  constructor(
    readonly functionName: string,
    reason: string,
  ) {
    super(`Invalid batch item failure response from ${functionName}: ${reason}; the whole batch is retried.`);
    this.name = 'SqsBatchResponseError';
  }
}

/** What a poller is doing: waiting for messages (or gathering a batch), delivering one, or backing off. */
export type SqsPollerState = 'waiting' | 'delivering' | 'backing-off' | 'stopped';

export interface SqsEventSourceStats {
  readonly running: boolean;
  /** How many pollers are in each state. */
  readonly pollers: Partial<Record<SqsPollerState, number>>;
  /** Batches handed to the function, and the messages in them. */
  readonly batches: number;
  readonly messages: number;
  /** Batches the function failed as a whole, invocations throttled, failures of the mapping itself. */
  readonly functionErrors: number;
  readonly throttles: number;
  readonly mappingErrors: number;
  /** Long polls that ended with a receivable message the engine did not wake the poller for. */
  readonly missedWakeups: number;
}

interface WaitOutcome {
  readonly outcome: 'notified' | 'timeout' | 'stopped';
  readonly waiters?: ReturnType<SqsEngine['waiters']>;
}

/**
 * Lambda's pollers receive with long polling (`WaitTimeSeconds` 20) and poll again when it ends. The
 * engine wakes a waiting poller as soon as a message is receivable; the long poll's end is the check
 * that nothing was missed.
 */
const DEFAULT_LONG_POLL_MS = 20_000;

/** After a throttled invoke; the messages stay in flight until their visibility timeout anyway. */
const THROTTLE_BACKOFF_MS = 1000;
/** After a failure of the mapping itself (queue deleted, function missing, …). */
const ERROR_BACKOFF_MS = 1000;

type BatchOutcome = { readonly failedIds: ReadonlySet<string> } | { readonly malformed: string };

export class SqsEventSource {
  private readonly engine: SqsEngine;
  private readonly queueName: string;
  private readonly functionName: string;
  private readonly invoker: LambdaInvoker;
  private readonly batchSize: number;
  private readonly batchingWindowMs: number;
  private readonly reportBatchItemFailures: boolean;
  private readonly onError: (error: unknown) => void;
  private readonly beforeInvoke: (() => FunctionError | undefined) | undefined;
  private readonly pollers: number;
  private readonly longPollMs: number;
  private running = false;
  private loop: Promise<void> | undefined;
  /** End whatever waits the pollers are in, so `stop()` need not wait them out. */
  private readonly interrupts = new Set<() => void>();
  /** What each poller is doing, for `stats()`. */
  private readonly pollerStates: SqsPollerState[] = [];
  private counters = {
    batches: 0,
    messages: 0,
    functionErrors: 0,
    throttles: 0,
    mappingErrors: 0,
    missedWakeups: 0,
  };

  constructor(options: SqsEventSourceOptions) {
    const batchSize = options.batchSize ?? 10;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
      throw new RangeError(`batchSize must be an integer from 1 to 10000, got ${batchSize}`);
    }
    const window = options.maximumBatchingWindowInSeconds ?? 0;
    if (!Number.isInteger(window) || window < 0 || window > 300) {
      throw new RangeError(`maximumBatchingWindowInSeconds must be an integer from 0 to 300, got ${window}`);
    }
    this.engine = options.engine;
    this.queueName = options.queueName;
    this.functionName = options.functionName;
    this.invoker = options.invoker;
    this.batchSize = batchSize;
    this.batchingWindowMs = window * 1000;
    this.reportBatchItemFailures = options.reportBatchItemFailures ?? false;
    this.onError = options.onError ?? (() => undefined);
    this.beforeInvoke = options.beforeInvoke;
    const concurrency = options.maximumConcurrency;
    if (
      concurrency !== undefined &&
      (!Number.isInteger(concurrency) || concurrency < 2 || concurrency > 1000)
    ) {
      throw new RangeError(`maximumConcurrency must be an integer from 2 to 1000, got ${concurrency}`);
    }
    this.pollers = concurrency ?? DEFAULT_SQS_POLLERS;
    this.longPollMs = options.longPollMs ?? DEFAULT_LONG_POLL_MS;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const previous = this.loop ?? Promise.resolve();
    // Each poller receives and delivers its own batches: several batches of one queue are in flight at
    // once, as Lambda's pollers are (and, on a standard queue, in no particular order).
    this.loop = previous.then(async () => {
      await Promise.all(Array.from({ length: this.pollers }, (_, index) => this.run(index)));
    });
  }

  /** Stops polling; resolves once the batches being handled, if any, are done. */
  async stop(): Promise<void> {
    this.running = false;
    for (const interrupt of [...this.interrupts]) interrupt();
    await this.loop;
  }

  /** The pollers' states and what the mapping has delivered. */
  stats(): SqsEventSourceStats {
    const pollers: Partial<Record<SqsPollerState, number>> = {};
    for (const state of this.pollerStates) pollers[state] = (pollers[state] ?? 0) + 1;
    return { running: this.running, pollers, ...this.counters };
  }

  private async run(index: number): Promise<void> {
    const state = (next: SqsPollerState): void => {
      this.pollerStates[index] = next;
    };
    while (this.running) {
      try {
        state('waiting');
        const batch = await this.nextBatch();
        state('delivering');
        if (batch.length > 0) await this.deliver(batch);
      } catch (error) {
        this.counters.mappingErrors++;
        this.reportError(error);
        state('backing-off');
        await this.pause(ERROR_BACKOFF_MS);
      }
    }
    state('stopped');
  }

  private async nextBatch(): Promise<SqsReceivedMessage[]> {
    const batch = this.engine.receive(this.queueName, { max: this.batchSize });
    if (batch.length === 0) {
      const woken = await this.waitForMessages(this.longPollMs);
      // The engine wakes waiting pollers; a message found after a whole long poll was missed by it.
      if (woken.outcome === 'timeout' && this.running && this.engine.hasReceivableMessages(this.queueName)) {
        this.counters.missedWakeups++;
        this.reportError(
          new Error(
            `a message of ${this.queueName} became receivable without waking the pollers ` +
              `(waiters when the long poll ended: ${JSON.stringify(woken.waiters)})`,
          ),
        );
      }
      return [];
    }
    if (this.batchingWindowMs > 0 && batch.length < this.batchSize) {
      const deadline = performance.now() + this.batchingWindowMs;
      while (this.running && batch.length < this.batchSize) {
        const remaining = deadline - performance.now();
        if (remaining <= 0) break;
        await this.waitForMessages(remaining);
        batch.push(...this.engine.receive(this.queueName, { max: this.batchSize - batch.length }));
      }
      if (!this.running) {
        // Stopped while gathering: hand the messages back rather than invoke after stop().
        for (const message of batch) this.release(message);
        return [];
      }
    }
    return batch;
  }

  private async deliver(batch: readonly SqsReceivedMessage[]): Promise<void> {
    const queueArn = this.engine.queueArn(this.queueName);
    const records = batch.map((message) => toRecord(message, queueArn));
    this.counters.batches++;
    this.counters.messages += batch.length;
    const traceHeader = batch.find((message) => message.attributes.AWSTraceHeader)?.attributes.AWSTraceHeader;
    // An injected failure is a function error: nothing is deleted, the messages come back later.
    if (this.beforeInvoke?.() !== undefined) return;
    let result: InvokeResult;
    try {
      result = await this.invoker.invoke(this.functionName, { Records: records } satisfies SqsEvent, {
        trigger: 'sqs',
        ...(traceHeader !== undefined ? { traceHeader } : {}),
      });
    } catch (error) {
      if (error instanceof AwsServiceError && error.code === 'TooManyRequestsException') {
        // Left in flight: they come back after the visibility timeout, as on AWS.
        this.counters.throttles++;
        await this.pause(THROTTLE_BACKOFF_MS);
        return;
      }
      throw error;
    }
    // A function error deletes nothing: the messages come back after the visibility timeout and the
    // queue's redrive policy moves them to the dead-letter queue after maxReceiveCount receives.
    if (result.functionError) {
      this.counters.functionErrors++;
      return;
    }

    let failedIds: ReadonlySet<string> = new Set();
    if (this.reportBatchItemFailures) {
      const outcome = readBatchResponse(result.payload, new Set(batch.map((message) => message.messageId)));
      if ('malformed' in outcome) {
        this.reportError(new SqsBatchResponseError(this.functionName, outcome.malformed));
        return;
      }
      failedIds = outcome.failedIds;
    }
    for (const message of batch) {
      if (!failedIds.has(message.messageId)) this.engine.deleteMessage(this.queueName, message.receiptHandle);
    }
  }

  /** Resolves when a message may be receivable, after `timeoutMs`, or on stop(): which of them. */
  private waitForMessages(timeoutMs: number): Promise<WaitOutcome> {
    return new Promise((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      let unsubscribe: (() => void) | undefined;
      const interrupt = (): void => finish('stopped');
      const finish = (outcome: WaitOutcome['outcome'], error?: unknown): void => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        // Seen while still subscribed: what the engine meant to wake this poller with.
        const waiters = outcome === 'timeout' ? this.engine.waiters(this.queueName) : undefined;
        unsubscribe?.();
        this.interrupts.delete(interrupt);
        if (error !== undefined) reject(error);
        else resolve({ outcome, ...(waiters === undefined ? {} : { waiters }) });
      };
      try {
        unsubscribe = this.engine.onMessageAvailable(this.queueName, () => finish('notified'));
        this.interrupts.add(interrupt);
        timer = setTimeout(() => finish('timeout'), timeoutMs);
        timer.unref();
        // Checked after subscribing, so a message sent in between is not missed; receivable rather than
        // visible, as a FIFO group held back by a message in flight would otherwise spin the loop.
        if (!this.running) finish('stopped');
        else if (this.engine.hasReceivableMessages(this.queueName)) finish('notified');
      } catch (error) {
        finish('stopped', error);
      }
    });
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.interrupts.delete(finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      timer.unref();
      this.interrupts.add(finish);
      if (!this.running) finish();
    });
  }

  private release(message: SqsReceivedMessage): void {
    try {
      this.engine.changeVisibility(this.queueName, message.receiptHandle, 0);
    } catch (error) {
      this.reportError(error);
    }
  }

  private reportError(error: unknown): void {
    try {
      this.onError(error);
    } catch {
      // The reporter failing must not stop the poller.
    }
  }
}

/**
 * Reads `{ batchItemFailures: [{ itemIdentifier }] }` with Lambda's rules: no response, no list or an
 * empty list is full success; anything unreadable, or an identifier not in the batch, fails the batch.
 */
function readBatchResponse(payload: unknown, batchIds: ReadonlySet<string>): BatchOutcome {
  if (payload === null || payload === undefined) return { failedIds: new Set() };
  if (typeof payload !== 'object' || Array.isArray(payload))
    return { malformed: 'the response is not an object' };
  const failures: unknown = (payload as Record<string, unknown>).batchItemFailures;
  if (failures === null || failures === undefined) return { failedIds: new Set() };
  if (!Array.isArray(failures)) return { malformed: 'batchItemFailures is not a list' };
  const failedIds = new Set<string>();
  for (const failure of failures) {
    const id: unknown =
      typeof failure === 'object' && failure !== null
        ? (failure as Record<string, unknown>).itemIdentifier
        : undefined;
    if (typeof id !== 'string' || id === '') return { malformed: 'an entry has no itemIdentifier' };
    if (!batchIds.has(id)) return { malformed: `itemIdentifier ${id} is not a message of the batch` };
    failedIds.add(id);
  }
  return { failedIds };
}

function toRecord(message: SqsReceivedMessage, queueArn: string): SqsEventRecord {
  const { attributes } = message;
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount,
      SentTimestamp: attributes.SentTimestamp,
      SenderId: attributes.SenderId,
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp,
      ...(attributes.AWSTraceHeader !== undefined ? { AWSTraceHeader: attributes.AWSTraceHeader } : {}),
      ...(attributes.DeadLetterQueueSourceArn !== undefined
        ? { DeadLetterQueueSourceArn: attributes.DeadLetterQueueSourceArn }
        : {}),
      ...(attributes.SequenceNumber !== undefined ? { SequenceNumber: attributes.SequenceNumber } : {}),
      ...(attributes.MessageGroupId !== undefined ? { MessageGroupId: attributes.MessageGroupId } : {}),
      ...(attributes.MessageDeduplicationId !== undefined
        ? { MessageDeduplicationId: attributes.MessageDeduplicationId }
        : {}),
    },
    messageAttributes: toEventAttributes(message.messageAttributes),
    md5OfBody: message.md5OfBody,
    ...(message.md5OfMessageAttributes !== undefined
      ? { md5OfMessageAttributes: message.md5OfMessageAttributes }
      : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: LOCAL_REGION,
  };
}

/** The Lambda event spells message attributes in camelCase, with (always empty) list values. */
function toEventAttributes(attributes: SqsMessageAttributes): Record<string, SqsEventMessageAttribute> {
  const result: Record<string, SqsEventMessageAttribute> = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    result[name] = {
      ...(attribute.StringValue !== undefined ? { stringValue: attribute.StringValue } : {}),
      ...(attribute.BinaryValue !== undefined ? { binaryValue: attribute.BinaryValue } : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: attribute.DataType,
    };
  }
  return result;
}
