/**
 * The local SQS: standard and FIFO queues held in memory, spoken to over the AWS JSON 1.0 protocol (what
 * `@aws-sdk/client-sqs` v3 sends) and called directly by the rest of the local cloud (event source
 * mappings, EventBridge and SNS targets).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  AwsServiceError,
  LOCAL_ACCOUNT,
  localArn,
  type JsonProtocolContext,
  type JsonProtocolService,
} from '../aws-protocol';
import {
  checkFifoId,
  contentDeduplicationId,
  DEDUPLICATION_INTERVAL_MS,
  deduplicationKey,
  receivableMessages,
} from './fifo';
import {
  attributesSize,
  INVALID_TEXT_CHARACTER,
  isRecord,
  md5OfAttributes,
  readMessageAttributes,
  selectMessageAttributes,
  type SqsMessageAttributes,
} from './message-attributes';
import {
  applyQueueAttributes,
  copySettings,
  defaultSettings,
  isFifoRequested,
  MAX_DELAY_SECONDS,
  MAX_MESSAGE_BYTES,
  MAX_VISIBILITY_TIMEOUT,
  MAX_WAIT_TIME_SECONDS,
  QUEUE_ATTRIBUTE_NAMES,
  settingAttribute,
  type QueueSettings,
  type RedrivePolicy,
} from './queue-attributes';
import {
  batchEntryCode,
  batchEntryIdsNotDistinct,
  batchRequestTooLong,
  emptyBatchRequest,
  invalidBatchEntryId,
  invalidMessageContents,
  invalidParameter,
  invalidParameterValue,
  missingParameter,
  purgeQueueInProgress,
  queueDoesNotExist,
  queueNameExists,
  receiptHandleIsInvalid,
  tooManyEntriesInBatchRequest,
  unknownAttribute,
  unsupportedOperation,
} from './sqs-errors';

export type { SqsMessageAttributes, SqsMessageAttributeValue } from './message-attributes';

export interface SqsEngineOptions {
  /** The endpoint QueueUrls are built on; a function, as the port is known only once the server listens. */
  readonly endpointUrl: () => string;
  /** Milliseconds since the epoch; injected so tests can move time. */
  readonly now?: () => number;
  /** Told of every message stored by a send (the local cloud's `NumberOfMessagesSent`). */
  readonly onMessageSent?: (queueName: string) => void;
}

export interface SqsSendOptions {
  /** 0..900; the queue's `DelaySeconds` when absent. FIFO queues refuse any but 0. */
  readonly delaySeconds?: number;
  /** `X-Amzn-Trace-Id` to carry as the `AWSTraceHeader` system attribute. */
  readonly traceHeader?: string;
  /** Required on FIFO queues; on a standard queue it only travels with the message. */
  readonly messageGroupId?: string;
  /** FIFO queues only; without it a FIFO queue needs `ContentBasedDeduplication`. */
  readonly messageDeduplicationId?: string;
}

export interface SqsSendResult {
  readonly messageId: string;
  readonly md5OfMessageBody: string;
  readonly md5OfMessageAttributes?: string;
  readonly md5OfMessageSystemAttributes?: string;
  /** FIFO queues only. */
  readonly sequenceNumber?: string;
}

export interface SqsReceiveOptions {
  /** How many messages at most; 1 when absent. */
  readonly max?: number;
  /** Overrides the queue's `VisibilityTimeout` for these messages. */
  readonly visibilityTimeoutSeconds?: number;
}

export interface SqsLongPollOptions extends SqsReceiveOptions {
  /** 0..20; the queue's `ReceiveMessageWaitTimeSeconds` when absent. */
  readonly waitTimeSeconds?: number;
}

export interface SqsMessageSystemAttributes {
  readonly ApproximateReceiveCount: string;
  readonly SentTimestamp: string;
  readonly SenderId: string;
  readonly ApproximateFirstReceiveTimestamp: string;
  readonly AWSTraceHeader?: string;
  /** Set on messages the redrive policy moved to a dead-letter queue. */
  readonly DeadLetterQueueSourceArn?: string;
  readonly MessageGroupId?: string;
  /** FIFO queues only, as are the sequence numbers. */
  readonly MessageDeduplicationId?: string;
  readonly SequenceNumber?: string;
}

export interface SqsReceivedMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly attributes: SqsMessageSystemAttributes;
  readonly messageAttributes: SqsMessageAttributes;
  readonly md5OfMessageAttributes?: string;
}

export interface SqsQueueCounts {
  /** `ApproximateNumberOfMessages`. */
  readonly visible: number;
  /** `ApproximateNumberOfMessagesNotVisible` (in flight). */
  readonly notVisible: number;
  /** `ApproximateNumberOfMessagesDelayed`. */
  readonly delayed: number;
}

interface QueueState {
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
  lastModifiedAt: number;
  settings: QueueSettings;
  readonly tags: Map<string, string>;
  /** In send order, which is the order receives scan them in. */
  readonly messages: Map<string, StoredMessage>;
  /** FIFO sends accepted within the deduplication interval, by deduplication key. */
  readonly deduplication: Map<string, AcceptedSend>;
  lastPurgeAt: number | undefined;
}

interface AcceptedSend {
  readonly messageId: string;
  readonly sequenceNumber: string;
  readonly expiresAt: number;
}

interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly messageAttributes: SqsMessageAttributes;
  readonly traceHeader: string | undefined;
  readonly sentTimestamp: number;
  readonly deadLetterQueueSourceArn: string | undefined;
  readonly groupId: string | undefined;
  readonly deduplicationId: string | undefined;
  readonly sequenceNumber: string | undefined;
  visibleAt: number;
  receiveCount: number;
  firstReceiveTimestamp: number | undefined;
  /** The handle of the latest receive: on a FIFO queue every earlier one has expired. */
  latestReceiptHandle: string | undefined;
}

/** What one SendMessage (or one batch entry) asks for. */
interface SendEntry {
  readonly body: string;
  readonly attributes: SqsMessageAttributes;
  readonly delaySeconds: number | undefined;
  readonly traceHeader: string | undefined;
  readonly groupId: string | undefined;
  readonly deduplicationId: string | undefined;
}

type Input = Record<string, unknown>;

const SQS_NAMESPACE = 'com.amazonaws.sqs';
/**
 * The largest request body read: four times AWS's 1 MiB maximum for a message or a batch. A payload written as
 * a JSON string can double (every quote or backslash escaped) and the rest is headroom, so that the engine's
 * own size checks, with SQS's errors, answer every request near the message limits.
 */
const MAX_REQUEST_BODY_BYTES = 4 * MAX_MESSAGE_BYTES;
const MAX_BATCH_ENTRIES = 10;
const MAX_RECEIVE_MESSAGES = 10;
/** AWS accepts one PurgeQueue per queue per minute. */
const PURGE_INTERVAL_MS = 60_000;
/** The principal AWS reports as `SenderId`; locally every sender is the local account. */
const SENDER_ID = LOCAL_ACCOUNT;

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
/** The `.fifo` suffix counts towards the 80 characters. */
const FIFO_QUEUE_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

const SYSTEM_ATTRIBUTE_NAMES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
  'MessageGroupId',
  'MessageDeduplicationId',
  'SequenceNumber',
] as const;

/** Real SQS operations this engine does not emulate (as opposed to operations SQS does not have). */
const UNSUPPORTED_OPERATIONS: ReadonlySet<string> = new Set([
  'AddPermission',
  'RemovePermission',
  'StartMessageMoveTask',
  'CancelMessageMoveTask',
  'ListMessageMoveTasks',
]);

export class SqsEngine implements JsonProtocolService {
  readonly targetPrefix = 'AmazonSQS';
  readonly jsonVersion = '1.0' as const;
  /** The Smithy namespace AWS qualifies SQS error types with (`__type`). */
  readonly errorNamespace = SQS_NAMESPACE;
  readonly maxRequestBodyBytes = MAX_REQUEST_BODY_BYTES;

  private readonly endpointUrl: () => string;
  private readonly now: () => number;
  private readonly queues = new Map<string, QueueState>();
  /** Keyed by queue name, not queue object, so a listener survives the queue being deleted and re-created. */
  private readonly listeners = new Map<string, Set<() => void>>();
  private readonly wakeTimers = new Map<string, { readonly at: number; readonly timer: NodeJS.Timeout }>();
  private readonly pendingPolls = new Map<string, Set<() => void>>();
  /** FIFO sequence numbers grow across the engine, as AWS's grow across a queue: only their order matters. */
  private lastSequenceNumber = 10_000_000_000_000_000_000n;
  private closed = false;
  private readonly onMessageSent: ((queueName: string) => void) | undefined;

  constructor(options: SqsEngineOptions) {
    this.endpointUrl = options.endpointUrl;
    this.now = options.now ?? Date.now;
    this.onMessageSent = options.onMessageSent;
  }

  // ---------------------------------------------------------------------------------------------
  // The local cloud's API

  /**
   * Creates the queue (or, as AWS does, returns the existing one if the attributes agree); returns its URL.
   * `FifoQueue: 'true'` makes a FIFO queue, whose name must end with `.fifo`.
   */
  createQueue(
    name: string,
    attributes: Readonly<Record<string, string>> = {},
    tags: Readonly<Record<string, string>> = {},
  ): string {
    const fifo = isFifoRequested(attributes);
    checkQueueName(name, fifo);
    const existing = this.queues.get(name);
    if (existing) {
      const requested = this.settingsWith(copySettings(existing.settings), attributes, name);
      for (const attribute of Object.keys(attributes)) {
        if (settingAttribute(existing.settings, attribute) !== settingAttribute(requested, attribute)) {
          throw queueNameExists(attribute);
        }
      }
      return this.queueUrl(name);
    }
    const settings = this.settingsWith(defaultSettings(fifo), attributes, name);
    const now = this.now();
    this.queues.set(name, {
      name,
      arn: this.queueArn(name),
      createdAt: now,
      lastModifiedAt: now,
      settings,
      tags: new Map(Object.entries(tags)),
      messages: new Map(),
      deduplication: new Map(),
      lastPurgeAt: undefined,
    });
    return this.queueUrl(name);
  }

  deleteQueue(queue: string): void {
    const state = this.resolve(queue);
    this.queues.delete(state.name);
    this.clearWake(state.name);
    // Waiting long polls re-check, find the queue gone and return empty.
    this.notify(state.name);
  }

  hasQueue(queue: string): boolean {
    return this.find(queue) !== undefined;
  }

  /** The queue's ARN, computed from its name, URL or ARN whether or not the queue exists yet. */
  queueArn(queue: string): string {
    return localArn('sqs', queueNameOf(queue));
  }

  /** The queue's URL on this engine's endpoint, computed whether or not the queue exists yet. */
  queueUrl(queue: string): string {
    return `${this.endpointUrl().replace(/\/+$/, '')}/${LOCAL_ACCOUNT}/${queueNameOf(queue)}`;
  }

  listQueueNames(): string[] {
    return [...this.queues.keys()].sort();
  }

  /** Sends to the queue named by its name, URL or ARN. */
  sendMessage(
    queue: string,
    body: string,
    messageAttributes: SqsMessageAttributes = {},
    options: SqsSendOptions = {},
  ): SqsSendResult {
    const state = this.resolve(queue);
    return this.enqueue(
      state,
      {
        body,
        attributes: readMessageAttributes(messageAttributes, 'MessageAttributes'),
        delaySeconds: checkRange('DelaySeconds', options.delaySeconds, 0, MAX_DELAY_SECONDS),
        traceHeader: options.traceHeader,
        groupId: options.messageGroupId,
        deduplicationId: options.messageDeduplicationId,
      },
      'SendMessage',
    );
  }

  /** Receives what is receivable now, without waiting. */
  receive(queue: string, options: SqsReceiveOptions = {}): SqsReceivedMessage[] {
    const max = options.max ?? 1;
    if (!Number.isInteger(max) || max < 1)
      throw invalidParameterValue(`Invalid max ${max}: must be at least 1.`);
    const visibility = checkRange(
      'VisibilityTimeout',
      options.visibilityTimeoutSeconds,
      0,
      MAX_VISIBILITY_TIMEOUT,
    );
    return this.receiveNow(this.resolve(queue), max, visibility);
  }

  /**
   * Receives like `ReceiveMessage` with `WaitTimeSeconds`: resolves as soon as a message is available,
   * or with nothing once the wait is over, the queue is deleted or the engine is closed.
   */
  async longPoll(queue: string, options: SqsLongPollOptions = {}): Promise<SqsReceivedMessage[]> {
    const state = this.resolve(queue);
    const waitSeconds =
      checkWaitTimeSeconds(options.waitTimeSeconds) ?? state.settings.receiveMessageWaitTimeSeconds;
    const first = this.receive(state.name, options);
    if (first.length > 0 || waitSeconds === 0 || this.closed) return first;
    return this.waitAndReceive(state.name, options, waitSeconds * 1000);
  }

  /**
   * Deletes by receipt handle. On a standard queue the stale handle of a message received again since still
   * works, as on AWS; on a FIFO queue a handle expires with its visibility timeout or the next receive.
   */
  deleteMessage(queue: string, receiptHandle: string): void {
    const state = this.resolve(queue);
    const messageId = this.messageIdOf(state, receiptHandle);
    const message = state.messages.get(messageId);
    if (!message) return;
    if (state.settings.fifo && !this.holdsMessage(message, receiptHandle)) {
      throw invalidParameter('ReceiptHandle', receiptHandle, 'The receipt handle has expired.');
    }
    state.messages.delete(messageId);
    // The next message of its group may be received now.
    if (state.settings.fifo) this.notify(state.name);
  }

  changeVisibility(queue: string, receiptHandle: string, visibilityTimeoutSeconds: number): void {
    const state = this.resolve(queue);
    const seconds = checkRange('VisibilityTimeout', visibilityTimeoutSeconds, 0, MAX_VISIBILITY_TIMEOUT) ?? 0;
    const messageId = this.messageIdOf(state, receiptHandle);
    const message = state.messages.get(messageId);
    const now = this.now();
    const available =
      message !== undefined &&
      message.receiveCount > 0 &&
      message.visibleAt > now &&
      (!state.settings.fifo || this.holdsMessage(message, receiptHandle));
    if (!message || !available) {
      throw invalidParameter(
        'ReceiptHandle',
        receiptHandle,
        'Message does not exist or is not available for visibility timeout change.',
      );
    }
    message.visibleAt = now + seconds * 1000;
    if (seconds === 0) this.notify(state.name);
    else this.scheduleWake(state.name);
  }

  /** Deletes every message; as on AWS, a queue is purged at most once a minute. */
  purgeQueue(queue: string): void {
    const state = this.resolve(queue);
    const now = this.now();
    if (state.lastPurgeAt !== undefined && now - state.lastPurgeAt < PURGE_INTERVAL_MS) {
      throw purgeQueueInProgress(state.name);
    }
    state.lastPurgeAt = now;
    state.messages.clear();
  }

  approximateCounts(queue: string): SqsQueueCounts {
    const state = this.resolve(queue);
    const now = this.now();
    this.expire(state, now);
    let visible = 0;
    let notVisible = 0;
    let delayed = 0;
    for (const message of state.messages.values()) {
      if (message.visibleAt <= now) visible += 1;
      else if (message.receiveCount === 0) delayed += 1;
      else notVisible += 1;
    }
    return { visible, notVisible, delayed };
  }

  /** The age in seconds of the oldest message kept (received or not, delayed ones too), 0 when empty. */
  oldestMessageAgeSeconds(queue: string): number {
    const state = this.resolve(queue);
    const now = this.now();
    this.expire(state, now);
    let oldest = now;
    for (const message of state.messages.values()) oldest = Math.min(oldest, message.sentTimestamp);
    return Math.max(0, Math.floor((now - oldest) / 1000));
  }

  /**
   * Whether a receive would take a message now. Unlike the visible count, it leaves out the messages of a
   * FIFO message group that is held back while an earlier message of it is in flight.
   */
  hasReceivableMessages(queue: string): boolean {
    const state = this.resolve(queue);
    const now = this.now();
    this.expire(state, now);
    return !receivableMessages(state.messages.values(), now, state.settings.fifo !== undefined).next().done;
  }

  /** Who waits on the queue and when the engine next wakes them (for inspection and tests). */
  waiters(queue: string): {
    readonly listeners: number;
    readonly nextWakeAt?: string;
    /** When the earliest message not yet visible becomes visible. */
    readonly nextVisibleAt?: string;
  } {
    const name = queueNameOf(queue);
    const wake = this.wakeTimers.get(name);
    const now = this.now();
    let nextVisible = Number.POSITIVE_INFINITY;
    for (const message of this.queues.get(name)?.messages.values() ?? []) {
      if (message.visibleAt > now) nextVisible = Math.min(nextVisible, message.visibleAt);
    }
    return {
      listeners: this.listeners.get(name)?.size ?? 0,
      ...(wake === undefined ? {} : { nextWakeAt: new Date(wake.at).toISOString() }),
      ...(nextVisible === Number.POSITIVE_INFINITY
        ? {}
        : { nextVisibleAt: new Date(nextVisible).toISOString() }),
    };
  }

  /** Long polls currently waiting on the queue (for inspection and tests). */
  pendingReceives(queue: string): number {
    return this.pendingPolls.get(queueNameOf(queue))?.size ?? 0;
  }

  /**
   * Calls `listener` (in a microtask) whenever a message may have become receivable on the queue: a
   * send, a visibility change to 0, a FIFO delete, or a delay or visibility timeout running out. Pollers
   * wait on this instead of busy-waiting. Returns the unsubscribe function.
   */
  onMessageAvailable(queue: string, listener: () => void): () => void {
    const name = queueNameOf(queue);
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    // A wrapper, so the same function subscribed twice unsubscribes independently; a wake queued just
    // before the unsubscribe is not delivered after it (a long poll would receive for nobody).
    let subscribed = true;
    const entry = (): void => {
      if (subscribed) listener();
    };
    set.add(entry);
    this.scheduleWake(name);
    return () => {
      subscribed = false;
      const current = this.listeners.get(name);
      if (!current) return;
      current.delete(entry);
      if (current.size === 0) {
        this.listeners.delete(name);
        this.clearWake(name);
      }
    };
  }

  /**
   * Re-checks every watched queue for messages whose delay or visibility timeout has run out and wakes
   * their listeners. The engine's own timers do this; a test that moves an injected clock calls it.
   */
  refresh(): void {
    for (const name of [...this.listeners.keys()]) {
      this.notifyIfReceivable(name);
      this.scheduleWake(name);
    }
  }

  /** Ends every waiting long poll (with no messages) and cancels the engine's timers. */
  close(): void {
    this.closed = true;
    for (const polls of [...this.pendingPolls.values()]) {
      for (const cancel of [...polls]) cancel();
    }
    for (const name of [...this.wakeTimers.keys()]) this.clearWake(name);
    this.listeners.clear();
  }

  // ---------------------------------------------------------------------------------------------
  // The AWS JSON 1.0 protocol

  /** `context.traceHeader` (the request's `X-Amzn-Trace-Id`) becomes `AWSTraceHeader` when a message sets none. */
  async handle(operation: string, input: Input, context: JsonProtocolContext = {}): Promise<unknown> {
    switch (operation) {
      case 'CreateQueue':
        return this.opCreateQueue(input);
      case 'GetQueueUrl':
        return { QueueUrl: this.queueUrl(this.resolve(requiredString(input, 'QueueName')).name) };
      case 'ListQueues':
        return this.opListQueues(input);
      case 'DeleteQueue':
        this.deleteQueue(requiredString(input, 'QueueUrl'));
        return {};
      case 'GetQueueAttributes':
        return this.opGetQueueAttributes(input);
      case 'SetQueueAttributes':
        return this.opSetQueueAttributes(input);
      case 'PurgeQueue':
        this.purgeQueue(requiredString(input, 'QueueUrl'));
        return {};
      case 'SendMessage':
        return this.opSendMessage(input, context.traceHeader);
      case 'SendMessageBatch':
        return this.opSendMessageBatch(input, context.traceHeader);
      case 'ReceiveMessage':
        return this.opReceiveMessage(input);
      case 'DeleteMessage':
        this.deleteMessage(requiredString(input, 'QueueUrl'), requiredString(input, 'ReceiptHandle'));
        return {};
      case 'DeleteMessageBatch':
        return this.opDeleteMessageBatch(input);
      case 'ChangeMessageVisibility':
        this.changeVisibility(
          requiredString(input, 'QueueUrl'),
          requiredString(input, 'ReceiptHandle'),
          requiredInteger(input, 'VisibilityTimeout'),
        );
        return {};
      case 'ChangeMessageVisibilityBatch':
        return this.opChangeMessageVisibilityBatch(input);
      case 'TagQueue':
        return this.opTagQueue(input);
      case 'UntagQueue':
        return this.opUntagQueue(input);
      case 'ListQueueTags':
        return this.opListQueueTags(input);
      case 'ListDeadLetterSourceQueues':
        return this.opListDeadLetterSourceQueues(input);
      default:
        if (UNSUPPORTED_OPERATIONS.has(operation)) {
          throw unsupportedOperation(`${operation} is not supported by the local SQS engine.`);
        }
        throw new AwsServiceError('UnknownOperationException', `Unknown operation ${operation}.`);
    }
  }

  private opCreateQueue(input: Input): unknown {
    const name = requiredString(input, 'QueueName');
    const attributes = optionalStringMap(input, 'Attributes') ?? {};
    const tags = optionalStringMap(input, 'tags') ?? {};
    return { QueueUrl: this.createQueue(name, attributes, tags) };
  }

  private opListQueues(input: Input): unknown {
    const prefix = optionalString(input, 'QueueNamePrefix') ?? '';
    const maxResults = optionalInteger(input, 'MaxResults', 1, 1000);
    const nextToken = optionalString(input, 'NextToken');
    let names = this.listQueueNames().filter((name) => name.startsWith(prefix));
    if (nextToken !== undefined) {
      const after = Buffer.from(nextToken, 'base64').toString('utf8');
      names = names.filter((name) => name > after);
    }
    const page = names.slice(0, maxResults ?? 1000);
    const more = maxResults !== undefined && names.length > page.length;
    const lastName = page[page.length - 1];
    return {
      ...(page.length > 0 ? { QueueUrls: page.map((name) => this.queueUrl(name)) } : {}),
      ...(more && lastName !== undefined ? { NextToken: Buffer.from(lastName).toString('base64') } : {}),
    };
  }

  private opGetQueueAttributes(input: Input): unknown {
    const state = this.resolve(requiredString(input, 'QueueUrl'));
    const requested = optionalStringList(input, 'AttributeNames') ?? [];
    for (const name of requested) {
      if (name !== 'All' && !QUEUE_ATTRIBUTE_NAMES.includes(name)) throw unknownAttribute(name);
    }
    const names = requested.includes('All') ? QUEUE_ATTRIBUTE_NAMES : requested;
    const counts = this.approximateCounts(state.name);
    const attributes: Record<string, string> = {};
    for (const name of names) {
      const value = this.queueAttribute(state, counts, name);
      if (value !== undefined) attributes[name] = value;
    }
    return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
  }

  private opSetQueueAttributes(input: Input): unknown {
    const state = this.resolve(requiredString(input, 'QueueUrl'));
    const attributes = optionalStringMap(input, 'Attributes');
    if (attributes === undefined) throw missingParameter('Attributes');
    state.settings = this.settingsWith(copySettings(state.settings), attributes, state.name);
    state.lastModifiedAt = this.now();
    // Messages already scheduled keep their times, but a poller may need waking at a different moment.
    this.scheduleWake(state.name);
    return {};
  }

  private opSendMessage(input: Input, requestTraceHeader: string | undefined): unknown {
    const state = this.resolve(requiredString(input, 'QueueUrl'));
    const entry = readSendEntry(input, requestTraceHeader);
    return sendResultToWire(this.enqueue(state, entry, 'SendMessage'));
  }

  private opSendMessageBatch(input: Input, requestTraceHeader: string | undefined): unknown {
    const state = this.resolve(requiredString(input, 'QueueUrl'));
    const entries = readBatchEntries(input, 'SendMessageBatchRequestEntry');
    const fifo = state.settings.fifo;
    if (fifo) {
      // A FIFO queue refuses the whole batch, not the entry, for a missing group or deduplication id.
      for (const entry of entries) {
        if (entry.MessageDeduplicationId === undefined && !fifo.contentBasedDeduplication) {
          throw missingDeduplicationId();
        }
        // Unlike SendMessage's MissingParameter, the batch words a missing group as an invalid value.
        if (entry.MessageGroupId === undefined) {
          throw invalidParameterValue('The request must contain the parameter MessageGroupId.');
        }
      }
    }
    let totalBytes = 0;
    for (const entry of entries) {
      const body = entry.MessageBody;
      if (typeof body === 'string') totalBytes += Buffer.byteLength(body, 'utf8');
      if (isRecord(entry.MessageAttributes)) {
        totalBytes += attributesSize(entry.MessageAttributes);
      }
    }
    // The batch's own limit is AWS's maximum message size, whatever the queue's MaximumMessageSize.
    if (totalBytes > MAX_MESSAGE_BYTES) throw batchRequestTooLong(MAX_MESSAGE_BYTES, totalBytes);
    return this.runBatch(entries, (entry) =>
      sendResultToWire(this.enqueue(state, readSendEntry(entry, requestTraceHeader), 'SendMessageBatch')),
    );
  }

  private async opReceiveMessage(input: Input): Promise<unknown> {
    const queue = requiredString(input, 'QueueUrl');
    const state = this.resolve(queue);
    const max = checkRange(
      'MaxNumberOfMessages',
      optionalNumber(input, 'MaxNumberOfMessages'),
      1,
      MAX_RECEIVE_MESSAGES,
    );
    const visibilityTimeoutSeconds = optionalInteger(input, 'VisibilityTimeout', 0, MAX_VISIBILITY_TIMEOUT);
    const waitTimeSeconds = checkWaitTimeSeconds(optionalNumber(input, 'WaitTimeSeconds'));
    const systemNames = [
      ...(optionalStringList(input, 'AttributeNames') ?? []),
      ...(optionalStringList(input, 'MessageSystemAttributeNames') ?? []),
    ];
    const attributeNames = optionalStringList(input, 'MessageAttributeNames') ?? [];
    const messages = await this.longPoll(state.name, {
      max: max ?? 1,
      ...(visibilityTimeoutSeconds !== undefined ? { visibilityTimeoutSeconds } : {}),
      ...(waitTimeSeconds !== undefined ? { waitTimeSeconds } : {}),
    });
    if (messages.length === 0) return {};
    return { Messages: messages.map((message) => receivedToWire(message, systemNames, attributeNames)) };
  }

  private opDeleteMessageBatch(input: Input): unknown {
    const queue = requiredString(input, 'QueueUrl');
    this.resolve(queue);
    const entries = readBatchEntries(input, 'DeleteMessageBatchRequestEntry');
    return this.runBatch(entries, (entry) => {
      this.deleteMessage(queue, requiredString(entry, 'ReceiptHandle'));
      return {};
    });
  }

  private opChangeMessageVisibilityBatch(input: Input): unknown {
    const queue = requiredString(input, 'QueueUrl');
    this.resolve(queue);
    const entries = readBatchEntries(input, 'ChangeMessageVisibilityBatchRequestEntry');
    return this.runBatch(entries, (entry) => {
      this.changeVisibility(
        queue,
        requiredString(entry, 'ReceiptHandle'),
        optionalInteger(entry, 'VisibilityTimeout', 0, MAX_VISIBILITY_TIMEOUT) ?? 0,
      );
      return {};
    });
  }

  private opTagQueue(input: Input): unknown {
    const state = this.resolve(requiredString(input, 'QueueUrl'));
    const tags = optionalStringMap(input, 'Tags');
    if (tags === undefined) throw missingParameter('Tags');
    for (const [key, value] of Object.entries(tags)) state.tags.set(key, value);
    return {};
  }

  private opUntagQueue(input: Input): unknown {
    const state = this.resolve(requiredString(input, 'QueueUrl'));
    const keys = optionalStringList(input, 'TagKeys');
    if (keys === undefined) throw missingParameter('TagKeys');
    for (const key of keys) state.tags.delete(key);
    return {};
  }

  private opListQueueTags(input: Input): unknown {
    const state = this.resolve(requiredString(input, 'QueueUrl'));
    return state.tags.size > 0 ? { Tags: Object.fromEntries(state.tags) } : {};
  }

  private opListDeadLetterSourceQueues(input: Input): unknown {
    const deadLetterQueue = this.resolve(requiredString(input, 'QueueUrl'));
    const sources = [...this.queues.values()]
      .filter((queue) => queue.settings.redrivePolicy?.deadLetterTargetArn === deadLetterQueue.arn)
      .map((queue) => this.queueUrl(queue.name))
      .sort();
    return { queueUrls: sources };
  }

  /**
   * Runs each batch entry on its own: AWS reports per-entry failures instead of failing the request, and
   * leaves out `Successful` or `Failed` when it has nothing to list.
   */
  private runBatch(entries: readonly Input[], run: (entry: Input) => Record<string, unknown>): unknown {
    const successful: Record<string, unknown>[] = [];
    const failed: Record<string, unknown>[] = [];
    for (const entry of entries) {
      const id = String(entry.Id);
      try {
        successful.push({ Id: id, ...run(entry) });
      } catch (error) {
        if (!(error instanceof AwsServiceError)) throw error;
        failed.push({
          Id: id,
          SenderFault: error.statusCode < 500,
          Code: batchEntryCode(error),
          Message: error.message,
        });
      }
    }
    return {
      ...(successful.length > 0 ? { Successful: successful } : {}),
      ...(failed.length > 0 ? { Failed: failed } : {}),
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Queues and messages

  private find(queue: string): QueueState | undefined {
    const state = this.queues.get(queueNameOf(queue));
    // An ARN must name this account and region too.
    if (state && queue.startsWith('arn:') && queue !== state.arn) return undefined;
    return state;
  }

  private resolve(queue: string): QueueState {
    const state = this.find(queue);
    if (!state) throw queueDoesNotExist();
    return state;
  }

  /** Applies `attributes` onto `settings`, validating them as CreateQueue/SetQueueAttributes do. */
  private settingsWith(
    settings: QueueSettings,
    attributes: Readonly<Record<string, string>>,
    queueName: string,
  ): QueueSettings {
    return applyQueueAttributes(settings, attributes, (value) => this.parseRedrivePolicy(value, queueName));
  }

  private parseRedrivePolicy(value: string, queueName: string): RedrivePolicy {
    const invalid = (reason: string): AwsServiceError => invalidParameter('RedrivePolicy', value, reason);
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw invalid('Redrive policy is not a valid JSON map.');
    }
    if (!isRecord(parsed)) throw invalid('Redrive policy is not a valid JSON map.');
    const { deadLetterTargetArn, maxReceiveCount } = parsed;
    if (typeof deadLetterTargetArn !== 'string')
      throw invalid('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
    const count =
      typeof maxReceiveCount === 'number'
        ? maxReceiveCount
        : typeof maxReceiveCount === 'string' && /^\d+$/.test(maxReceiveCount)
          ? Number(maxReceiveCount)
          : undefined;
    if (count === undefined)
      throw invalid('Redrive policy does not contain mandatory attribute: maxReceiveCount.');
    if (!Number.isInteger(count) || count < 1 || count > 1000) {
      throw invalid(
        `Invalid value for maxReceiveCount: ${count}, valid values are from 1 to 1000 both inclusive.`,
      );
    }
    const target = deadLetterTargetArn.startsWith('arn:') ? this.find(deadLetterTargetArn) : undefined;
    if (!target || target.name === queueName) throw invalid('Dead-letter target does not exist.');
    return { deadLetterTargetArn, maxReceiveCount: count };
  }

  private queueAttribute(state: QueueState, counts: SqsQueueCounts, name: string): string | undefined {
    switch (name) {
      case 'QueueArn':
        return state.arn;
      case 'ApproximateNumberOfMessages':
        return String(counts.visible);
      case 'ApproximateNumberOfMessagesNotVisible':
        return String(counts.notVisible);
      case 'ApproximateNumberOfMessagesDelayed':
        return String(counts.delayed);
      case 'CreatedTimestamp':
        return String(Math.floor(state.createdAt / 1000));
      case 'LastModifiedTimestamp':
        return String(Math.floor(state.lastModifiedAt / 1000));
      default:
        return settingAttribute(state.settings, name);
    }
  }

  /**
   * Validates a message as SQS does, in SQS's order, and stores it. A batch entry (`SendMessageBatch`) words a
   * size failure differently from SendMessage, as AWS does.
   */
  private enqueue(
    state: QueueState,
    entry: SendEntry,
    operation: 'SendMessage' | 'SendMessageBatch',
  ): SqsSendResult {
    const { body, attributes, traceHeader, groupId } = entry;
    if (body === '') throw missingParameter('MessageBody');
    const limit = state.settings.maximumMessageSize;
    if (Buffer.byteLength(body, 'utf8') + attributesSize(attributes) > limit) {
      const verdict = operation === 'SendMessage' ? 'are invalid' : 'cannot be validated';
      throw invalidParameterValue(
        `One or more parameters ${verdict}. Reason: Message must be shorter than ${limit} bytes.`,
      );
    }
    if (INVALID_TEXT_CHARACTER.test(body)) throw invalidMessageContents();
    checkFifoId('MessageDeduplicationId', entry.deduplicationId);
    checkFifoId('MessageGroupId', groupId);
    const fifo = state.settings.fifo;
    let deduplicationId: string | undefined;
    if (fifo) {
      // A FIFO queue delays by its own DelaySeconds only; an explicit 0 is accepted.
      if (entry.delaySeconds) {
        throw invalidParameter(
          'DelaySeconds',
          entry.delaySeconds,
          'The request include parameter that is not valid for this queue type.',
        );
      }
      if (groupId === undefined) throw missingParameter('MessageGroupId');
      deduplicationId =
        entry.deduplicationId ?? (fifo.contentBasedDeduplication ? contentDeduplicationId(body) : undefined);
      if (deduplicationId === undefined) throw missingDeduplicationId();
    } else if (entry.deduplicationId !== undefined) {
      throw invalidParameter(
        'MessageDeduplicationId',
        entry.deduplicationId,
        'The request includes a parameter that is not valid for this queue type.',
      );
    }

    const now = this.now();
    const hasAttributes = Object.keys(attributes).length > 0;
    const digests = {
      md5OfMessageBody: md5Hex(body),
      ...(hasAttributes ? { md5OfMessageAttributes: md5OfAttributes(attributes) } : {}),
      ...(traceHeader !== undefined
        ? { md5OfMessageSystemAttributes: md5OfAttributes(traceHeaderAttributes(traceHeader)) }
        : {}),
    };
    let sequenceNumber: string | undefined;
    if (fifo && groupId !== undefined && deduplicationId !== undefined) {
      const key = deduplicationKey(fifo.deduplicationScope, groupId, deduplicationId);
      const accepted = this.acceptedSend(state, key, now);
      // Accepted again, delivered once: the answer names the message already sent.
      if (accepted)
        return { messageId: accepted.messageId, sequenceNumber: accepted.sequenceNumber, ...digests };
      sequenceNumber = this.nextSequenceNumber();
    }

    const delay = entry.delaySeconds ?? state.settings.delaySeconds;
    const message: StoredMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: digests.md5OfMessageBody,
      messageAttributes: attributes,
      traceHeader,
      sentTimestamp: now,
      deadLetterQueueSourceArn: undefined,
      groupId,
      deduplicationId,
      sequenceNumber,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
      firstReceiveTimestamp: undefined,
      latestReceiptHandle: undefined,
    };
    state.messages.set(message.messageId, message);
    if (fifo && groupId !== undefined && deduplicationId !== undefined && sequenceNumber !== undefined) {
      state.deduplication.set(deduplicationKey(fifo.deduplicationScope, groupId, deduplicationId), {
        messageId: message.messageId,
        sequenceNumber,
        expiresAt: now + DEDUPLICATION_INTERVAL_MS,
      });
    }
    if (delay === 0) this.notify(state.name);
    else this.scheduleWake(state.name);
    this.onMessageSent?.(state.name);
    return { messageId: message.messageId, ...digests, ...(sequenceNumber ? { sequenceNumber } : {}) };
  }

  /** The send a deduplication key names within the interval; older ones are forgotten on the way. */
  private acceptedSend(state: QueueState, key: string, now: number): AcceptedSend | undefined {
    for (const [candidate, accepted] of state.deduplication) {
      if (accepted.expiresAt <= now) state.deduplication.delete(candidate);
    }
    return state.deduplication.get(key);
  }

  private nextSequenceNumber(): string {
    this.lastSequenceNumber += 1n;
    return this.lastSequenceNumber.toString();
  }

  private receiveNow(
    state: QueueState,
    max: number,
    visibilityTimeoutSeconds: number | undefined,
  ): SqsReceivedMessage[] {
    const now = this.now();
    this.expire(state, now);
    const visibility = visibilityTimeoutSeconds ?? state.settings.visibilityTimeout;
    const policy = state.settings.redrivePolicy;
    const deadLetterQueue = policy ? this.find(policy.deadLetterTargetArn) : undefined;
    let redriven = false;
    const received: SqsReceivedMessage[] = [];
    for (const message of receivableMessages(
      state.messages.values(),
      now,
      state.settings.fifo !== undefined,
    )) {
      if (received.length >= max) break;
      // AWS moves the message when a receive would push its count past maxReceiveCount.
      if (policy && deadLetterQueue && message.receiveCount >= policy.maxReceiveCount) {
        state.messages.delete(message.messageId);
        deadLetterQueue.messages.set(message.messageId, {
          ...message,
          deadLetterQueueSourceArn: state.arn,
          visibleAt: now,
          receiveCount: 0,
          firstReceiveTimestamp: undefined,
          latestReceiptHandle: undefined,
        });
        redriven = true;
        continue;
      }
      message.receiveCount += 1;
      message.firstReceiveTimestamp ??= now;
      message.visibleAt = now + visibility * 1000;
      received.push(this.toReceived(state, message));
    }
    if (redriven && deadLetterQueue) this.notify(deadLetterQueue.name);
    if (received.length > 0) this.scheduleWake(state.name);
    return received;
  }

  private toReceived(state: QueueState, message: StoredMessage): SqsReceivedMessage {
    const receiptHandle = Buffer.from(
      `${state.name}:${message.messageId}:${randomBytes(12).toString('hex')}`,
      'utf8',
    ).toString('base64');
    message.latestReceiptHandle = receiptHandle;
    const hasAttributes = Object.keys(message.messageAttributes).length > 0;
    return {
      messageId: message.messageId,
      receiptHandle,
      body: message.body,
      md5OfBody: message.md5OfBody,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentTimestamp),
        SenderId: SENDER_ID,
        ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp ?? message.sentTimestamp),
        ...(message.traceHeader !== undefined ? { AWSTraceHeader: message.traceHeader } : {}),
        ...(message.deadLetterQueueSourceArn !== undefined
          ? { DeadLetterQueueSourceArn: message.deadLetterQueueSourceArn }
          : {}),
        ...(message.groupId !== undefined ? { MessageGroupId: message.groupId } : {}),
        ...(message.deduplicationId !== undefined ? { MessageDeduplicationId: message.deduplicationId } : {}),
        ...(message.sequenceNumber !== undefined ? { SequenceNumber: message.sequenceNumber } : {}),
      },
      messageAttributes: message.messageAttributes,
      ...(hasAttributes ? { md5OfMessageAttributes: md5OfAttributes(message.messageAttributes) } : {}),
    };
  }

  /** Whether `receiptHandle` is the handle of the message's current receive (it is in flight under it). */
  private holdsMessage(message: StoredMessage, receiptHandle: string): boolean {
    return message.latestReceiptHandle === receiptHandle && message.visibleAt > this.now();
  }

  /** The message id a receipt handle names; ReceiptHandleIsInvalid for anything this queue did not issue. */
  private messageIdOf(state: QueueState, receiptHandle: string): string {
    const parts = Buffer.from(receiptHandle, 'base64').toString('utf8').split(':');
    const [queueName, messageId, nonce] = parts;
    if (parts.length !== 3 || queueName !== state.name || !messageId || !nonce) {
      throw receiptHandleIsInvalid(receiptHandle);
    }
    return messageId;
  }

  /** Drops messages older than the retention period (counted from the original send, also in a DLQ). */
  private expire(state: QueueState, now: number): void {
    const retentionMs = state.settings.messageRetentionPeriod * 1000;
    for (const message of state.messages.values()) {
      if (message.sentTimestamp + retentionMs <= now) state.messages.delete(message.messageId);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Waiting and waking

  private waitAndReceive(
    name: string,
    options: SqsReceiveOptions,
    waitMs: number,
  ): Promise<SqsReceivedMessage[]> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const polls = this.pendingPolls.get(name) ?? new Set<() => void>();
      this.pendingPolls.set(name, polls);
      const finish = (messages: SqsReceivedMessage[], error?: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        unsubscribe();
        polls.delete(cancel);
        if (polls.size === 0 && this.pendingPolls.get(name) === polls) this.pendingPolls.delete(name);
        if (error !== undefined) reject(error);
        else resolve(messages);
      };
      const cancel = (): void => finish([]);
      const timer = setTimeout(cancel, waitMs);
      timer.unref();
      const attempt = (): void => {
        if (settled) return;
        if (!this.queues.has(name)) return finish([]);
        try {
          const messages = this.receive(name, options);
          if (messages.length > 0) finish(messages);
        } catch (error) {
          finish([], error);
        }
      };
      const unsubscribe = this.onMessageAvailable(name, attempt);
      polls.add(cancel);
      // A message that became visible since the first receive, before the subscription armed a wake for
      // it (the wake covers only what is still in the future).
      if (this.hasReceivableMessages(name)) queueMicrotask(attempt);
    });
  }

  /** Tells the queue's listeners, each in a microtask so none runs inside the operation that woke it. */
  private notify(name: string): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) queueMicrotask(listener);
  }

  private notifyIfReceivable(name: string): void {
    if (this.queues.has(name) && this.hasReceivableMessages(name)) this.notify(name);
  }

  /** Arms a timer for the next delayed or in-flight message of a watched queue, so listeners need not poll. */
  private scheduleWake(name: string): void {
    const state = this.queues.get(name);
    if (this.closed || !state || !this.listeners.get(name)?.size) {
      this.clearWake(name);
      return;
    }
    const now = this.now();
    let next = Number.POSITIVE_INFINITY;
    for (const message of state.messages.values()) {
      if (message.visibleAt > now && message.visibleAt < next) next = message.visibleAt;
    }
    const existing = this.wakeTimers.get(name);
    if (next === Number.POSITIVE_INFINITY || (existing && existing.at <= next)) return;
    this.clearWake(name);
    const timer = setTimeout(() => {
      this.wakeTimers.delete(name);
      // The next wake is armed before the check, not after: each reads the clock, and a message that
      // became visible between the two reads would be neither announced (not yet visible to the check)
      // nor waited for (no longer in the future to the schedule), and its pollers would sleep on.
      this.scheduleWake(name);
      this.notifyIfReceivable(name);
    }, next - now);
    timer.unref();
    this.wakeTimers.set(name, { at: next, timer });
  }

  private clearWake(name: string): void {
    const existing = this.wakeTimers.get(name);
    if (!existing) return;
    clearTimeout(existing.timer);
    this.wakeTimers.delete(name);
  }
}

// -----------------------------------------------------------------------------------------------
// Messages

function md5Hex(data: string): string {
  return createHash('md5').update(data, 'utf8').digest('hex');
}

function traceHeaderAttributes(traceHeader: string): SqsMessageAttributes {
  return { AWSTraceHeader: { DataType: 'String', StringValue: traceHeader } };
}

function readSendEntry(input: Input, requestTraceHeader: string | undefined): SendEntry {
  const body = requiredString(input, 'MessageBody');
  const attributes = readMessageAttributes(input.MessageAttributes, 'MessageAttributes');
  const delaySeconds = optionalInteger(input, 'DelaySeconds', 0, MAX_DELAY_SECONDS);
  let traceHeader: string | undefined;
  const system = input.MessageSystemAttributes;
  if (system !== undefined && system !== null) {
    if (!isRecord(system)) throw invalidParameterValue('MessageSystemAttributes must be a map.');
    for (const [name, value] of Object.entries(system)) {
      if (name !== 'AWSTraceHeader') {
        throw invalidParameterValue(`Message system attribute name '${name}' is invalid.`);
      }
      if (!isRecord(value) || value.DataType !== 'String' || typeof value.StringValue !== 'string') {
        throw invalidParameterValue(`Message system attribute '${name}' must contain a String value.`);
      }
      traceHeader = value.StringValue;
    }
  }
  return {
    body,
    attributes,
    delaySeconds,
    traceHeader: traceHeader ?? requestTraceHeader,
    groupId: optionalString(input, 'MessageGroupId'),
    deduplicationId: optionalString(input, 'MessageDeduplicationId'),
  };
}

function sendResultToWire(result: SqsSendResult): Record<string, unknown> {
  return {
    MessageId: result.messageId,
    MD5OfMessageBody: result.md5OfMessageBody,
    ...(result.md5OfMessageAttributes !== undefined
      ? { MD5OfMessageAttributes: result.md5OfMessageAttributes }
      : {}),
    ...(result.md5OfMessageSystemAttributes !== undefined
      ? { MD5OfMessageSystemAttributes: result.md5OfMessageSystemAttributes }
      : {}),
    ...(result.sequenceNumber !== undefined ? { SequenceNumber: result.sequenceNumber } : {}),
  };
}

/** A received message as ReceiveMessage returns it: only the requested attributes, with the MD5 of those. */
function receivedToWire(
  message: SqsReceivedMessage,
  systemNames: readonly string[],
  attributeNames: readonly string[],
): Record<string, unknown> {
  const all = systemNames.includes('All');
  const attributes: Record<string, string> = {};
  for (const name of SYSTEM_ATTRIBUTE_NAMES) {
    const value = message.attributes[name];
    if (value !== undefined && (all || systemNames.includes(name))) attributes[name] = value;
  }
  const selected = selectMessageAttributes(message.messageAttributes, attributeNames);
  const hasSelected = Object.keys(selected).length > 0;
  return {
    MessageId: message.messageId,
    ReceiptHandle: message.receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
    ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
    ...(hasSelected
      ? { MD5OfMessageAttributes: md5OfAttributes(selected), MessageAttributes: selected }
      : {}),
  };
}

// -----------------------------------------------------------------------------------------------
// Input and errors

function queueNameOf(queue: string): string {
  if (queue.startsWith('arn:')) return queue.slice(queue.lastIndexOf(':') + 1);
  if (queue.includes('/')) {
    const segments = (queue.split('?')[0] ?? '').split('/').filter((segment) => segment.length > 0);
    return segments[segments.length - 1] ?? '';
  }
  return queue;
}

function checkQueueName(name: string, fifo: boolean): void {
  if (fifo && !FIFO_QUEUE_NAME.test(name)) {
    throw invalidParameterValue(
      'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.',
    );
  }
  if (!fifo && !QUEUE_NAME.test(name)) {
    throw invalidParameterValue(
      `Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length (queue name ${name}).`,
    );
  }
}

function missingDeduplicationId(): AwsServiceError {
  return invalidParameterValue(
    'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
  );
}

function checkRange(
  name: string,
  value: number | undefined,
  min: number,
  max: number,
  reason = `Must be between ${min} and ${max}, if provided.`,
): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) throw invalidParameter(name, value, reason);
  return value;
}

function checkWaitTimeSeconds(value: number | undefined): number | undefined {
  return checkRange(
    'WaitTimeSeconds',
    value,
    0,
    MAX_WAIT_TIME_SECONDS,
    `Must be >= 0 and <= ${MAX_WAIT_TIME_SECONDS}, if provided.`,
  );
}

function requiredString(input: Input, name: string): string {
  const value = input[name];
  if (value === undefined || value === null) throw missingParameter(name);
  if (typeof value !== 'string') throw invalidParameterValue(`Value for parameter ${name} must be a string.`);
  return value;
}

function optionalString(input: Input, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameterValue(`Value for parameter ${name} must be a string.`);
  return value;
}

function requiredInteger(input: Input, name: string): number {
  const value = optionalNumber(input, name);
  if (value === undefined) throw missingParameter(name);
  return value;
}

function optionalNumber(input: Input, name: string): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') throw invalidParameterValue(`Value for parameter ${name} must be a number.`);
  return value;
}

function optionalInteger(input: Input, name: string, min: number, max: number): number | undefined {
  return checkRange(name, optionalNumber(input, name), min, max);
}

function optionalStringList(input: Input, name: string): string[] | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw invalidParameterValue(`Value for parameter ${name} must be a list of strings.`);
  }
  return value;
}

function optionalStringMap(input: Input, name: string): Record<string, string> | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value) || !Object.values(value).every((item) => typeof item === 'string')) {
    throw invalidParameterValue(`Value for parameter ${name} must be a map of strings.`);
  }
  return value as Record<string, string>;
}

/** The `Entries` of a batch request, checked as SQS checks them before running any. */
function readBatchEntries(input: Input, entryShape: string): Input[] {
  const entries = input.Entries;
  if (entries === undefined || entries === null || (Array.isArray(entries) && entries.length === 0)) {
    throw emptyBatchRequest(entryShape);
  }
  if (!Array.isArray(entries) || !entries.every(isRecord)) {
    throw invalidParameterValue('Value for parameter Entries must be a list of entries.');
  }
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw tooManyEntriesInBatchRequest(MAX_BATCH_ENTRIES, entries.length);
  }
  const seen = new Set<string>();
  for (const entry of entries) {
    const id = entry.Id;
    if (typeof id !== 'string' || !BATCH_ENTRY_ID.test(id)) throw invalidBatchEntryId();
    if (seen.has(id)) throw batchEntryIdsNotDistinct(id);
    seen.add(id);
  }
  return entries;
}
