/**
 * The local SQS: standard queues held in memory, spoken to over the AWS JSON 1.0 protocol (what
 * `@aws-sdk/client-sqs` v3 sends) and called directly by the rest of the local cloud (event source
 * mappings, EventBridge and SNS targets).
 */
import { createHash, randomBytes, randomUUID, type Hash } from 'node:crypto';
import {
  AwsServiceError,
  LOCAL_ACCOUNT,
  localArn,
  type JsonProtocolContext,
  type JsonProtocolService,
} from '../aws-protocol';

/** A message attribute as it travels on the wire; `BinaryValue` is base64. */
export interface SqsMessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

export type SqsMessageAttributes = Readonly<Record<string, SqsMessageAttributeValue>>;

export interface SqsEngineOptions {
  /** The endpoint QueueUrls are built on; a function, as the port is known only once the server listens. */
  readonly endpointUrl: () => string;
  /** Milliseconds since the epoch; injected so tests can move time. */
  readonly now?: () => number;
}

export interface SqsSendOptions {
  /** 0..900; the queue's `DelaySeconds` when absent. */
  readonly delaySeconds?: number;
  /** `X-Amzn-Trace-Id` to carry as the `AWSTraceHeader` system attribute. */
  readonly traceHeader?: string;
}

export interface SqsSendResult {
  readonly messageId: string;
  readonly md5OfMessageBody: string;
  readonly md5OfMessageAttributes?: string;
  readonly md5OfMessageSystemAttributes?: string;
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

interface RedrivePolicy {
  readonly deadLetterTargetArn: string;
  readonly maxReceiveCount: number;
}

interface QueueSettings {
  visibilityTimeout: number;
  delaySeconds: number;
  messageRetentionPeriod: number;
  receiveMessageWaitTimeSeconds: number;
  maximumMessageSize: number;
  redrivePolicy: RedrivePolicy | undefined;
  /** Attributes the engine only stores and returns (Policy, KMS settings, …). */
  readonly stored: Map<string, string>;
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
}

interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly messageAttributes: SqsMessageAttributes;
  readonly traceHeader: string | undefined;
  readonly sentTimestamp: number;
  readonly deadLetterQueueSourceArn: string | undefined;
  visibleAt: number;
  receiveCount: number;
  firstReceiveTimestamp: number | undefined;
}

type Input = Record<string, unknown>;

const SQS_NAMESPACE = 'com.amazonaws.sqs';
const MAX_MESSAGE_BYTES = 262_144;
/**
 * The largest request body read: four times AWS's 1 MiB maximum for a message or a batch. A payload written as
 * a JSON string can double (every quote or backslash escaped) and the rest is headroom, so that the engine's
 * own size checks, with SQS's errors, answer every request near the message limits.
 */
const MAX_REQUEST_BODY_BYTES = 4 * 1024 * 1024;
const MAX_VISIBILITY_TIMEOUT = 43_200;
const MAX_DELAY_SECONDS = 900;
const MAX_WAIT_TIME_SECONDS = 20;
const MAX_BATCH_ENTRIES = 10;
const MAX_MESSAGE_ATTRIBUTES = 10;
/** The principal AWS reports as `SenderId`; locally every sender is the local account. */
const SENDER_ID = LOCAL_ACCOUNT;

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
const ATTRIBUTE_NAME = /^[\p{L}\p{N}_.-]{1,256}$/u;
const ATTRIBUTE_DATA_TYPE = /^(String|Number|Binary)(\..+)?$/;
// The characters SQS accepts in a body (XML 1.0's Char production); anything else is InvalidMessageContents.
// eslint-disable-next-line no-control-regex -- tab, LF and CR are exactly what the class must name
const INVALID_BODY_CHARACTER = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

const INTEGER_ATTRIBUTES = {
  VisibilityTimeout: { key: 'visibilityTimeout', min: 0, max: MAX_VISIBILITY_TIMEOUT },
  DelaySeconds: { key: 'delaySeconds', min: 0, max: MAX_DELAY_SECONDS },
  MessageRetentionPeriod: { key: 'messageRetentionPeriod', min: 60, max: 1_209_600 },
  ReceiveMessageWaitTimeSeconds: { key: 'receiveMessageWaitTimeSeconds', min: 0, max: MAX_WAIT_TIME_SECONDS },
  MaximumMessageSize: { key: 'maximumMessageSize', min: 1024, max: MAX_MESSAGE_BYTES },
} as const;
type IntegerAttributeName = keyof typeof INTEGER_ATTRIBUTES;

const STORED_ATTRIBUTES: ReadonlySet<string> = new Set([
  'Policy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
]);

const READ_ONLY_ATTRIBUTES = [
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
] as const;

const QUEUE_ATTRIBUTE_NAMES: readonly string[] = [
  ...READ_ONLY_ATTRIBUTES,
  ...Object.keys(INTEGER_ATTRIBUTES),
  'RedrivePolicy',
  ...STORED_ATTRIBUTES,
];

const SYSTEM_ATTRIBUTE_NAMES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
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
  private closed = false;

  constructor(options: SqsEngineOptions) {
    this.endpointUrl = options.endpointUrl;
    this.now = options.now ?? Date.now;
  }

  // ---------------------------------------------------------------------------------------------
  // The local cloud's API

  /** Creates the queue (or, as AWS does, returns the existing one if the attributes agree); returns its URL. */
  createQueue(
    name: string,
    attributes: Readonly<Record<string, string>> = {},
    tags: Readonly<Record<string, string>> = {},
  ): string {
    if (!QUEUE_NAME.test(name)) {
      if (name.endsWith('.fifo')) throw fifoUnsupported();
      throw invalidParameterValue(
        `Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length (queue name ${name}).`,
      );
    }
    const existing = this.queues.get(name);
    const base = existing ? copySettings(existing.settings) : defaultSettings();
    const settings = this.settingsWith(base, attributes, 'create', name);
    if (existing) {
      for (const attribute of Object.keys(attributes)) {
        if (attribute === 'FifoQueue') continue;
        if (settingAttribute(existing.settings, attribute) !== settingAttribute(settings, attribute)) {
          throw new AwsServiceError(
            'QueueNameExists',
            `A queue already exists with the same name and a different value for attribute ${attribute}`,
            400,
            'QueueAlreadyExists',
          );
        }
      }
      return this.queueUrl(name);
    }
    const now = this.now();
    this.queues.set(name, {
      name,
      arn: this.queueArn(name),
      createdAt: now,
      lastModifiedAt: now,
      settings,
      tags: new Map(Object.entries(tags)),
      messages: new Map(),
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
    const attributes = readMessageAttributes(messageAttributes, 'MessageAttributes');
    const delaySeconds = checkRange('DelaySeconds', options.delaySeconds, 0, MAX_DELAY_SECONDS);
    return this.enqueue(state, body, attributes, delaySeconds, options.traceHeader);
  }

  /** Receives what is visible now, without waiting. */
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
      checkRange('WaitTimeSeconds', options.waitTimeSeconds, 0, MAX_WAIT_TIME_SECONDS) ??
      state.settings.receiveMessageWaitTimeSeconds;
    const first = this.receive(state.name, options);
    if (first.length > 0 || waitSeconds === 0 || this.closed) return first;
    return this.waitAndReceive(state.name, options, waitSeconds * 1000);
  }

  /** Deletes by receipt handle; as on AWS, the stale handle of a message received again since still works. */
  deleteMessage(queue: string, receiptHandle: string): void {
    const state = this.resolve(queue);
    const messageId = this.messageIdOf(state, receiptHandle);
    state.messages.delete(messageId);
  }

  changeVisibility(queue: string, receiptHandle: string, visibilityTimeoutSeconds: number): void {
    const state = this.resolve(queue);
    const seconds = checkRange('VisibilityTimeout', visibilityTimeoutSeconds, 0, MAX_VISIBILITY_TIMEOUT) ?? 0;
    const messageId = this.messageIdOf(state, receiptHandle);
    const message = state.messages.get(messageId);
    const now = this.now();
    if (!message || message.receiveCount === 0 || message.visibleAt <= now) {
      throw invalidParameterValue(
        `Value ${receiptHandle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
      );
    }
    message.visibleAt = now + seconds * 1000;
    if (seconds === 0) this.notify(state.name);
    else this.scheduleWake(state.name);
  }

  purgeQueue(queue: string): void {
    this.resolve(queue).messages.clear();
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

  /** Long polls currently waiting on the queue (for inspection and tests). */
  pendingReceives(queue: string): number {
    return this.pendingPolls.get(queueNameOf(queue))?.size ?? 0;
  }

  /**
   * Calls `listener` (in a microtask) whenever a message may have become receivable on the queue: a
   * send, a visibility change to 0, or a delay or visibility timeout running out. Pollers wait on
   * this instead of busy-waiting. Returns the unsubscribe function.
   */
  onMessageAvailable(queue: string, listener: () => void): () => void {
    const name = queueNameOf(queue);
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    // A wrapper, so the same function subscribed twice unsubscribes independently.
    const entry = (): void => listener();
    set.add(entry);
    this.scheduleWake(name);
    return () => {
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
      this.notifyIfVisible(name);
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
          throw new AwsServiceError(
            'UnsupportedOperation',
            `${operation} is not supported by the local SQS engine.`,
            400,
            'AWS.SimpleQueueService.UnsupportedOperation',
          );
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
      if (name !== 'All' && !QUEUE_ATTRIBUTE_NAMES.includes(name)) {
        throw new AwsServiceError(
          'InvalidAttributeName',
          `Unknown Attribute ${name}.`,
          400,
          'InvalidAttributeName',
        );
      }
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
    state.settings = this.settingsWith(copySettings(state.settings), attributes, 'set', state.name);
    state.lastModifiedAt = this.now();
    // Messages already scheduled keep their times, but a poller may need waking at a different moment.
    this.scheduleWake(state.name);
    return {};
  }

  private opSendMessage(input: Input, requestTraceHeader: string | undefined): unknown {
    const state = this.resolve(requiredString(input, 'QueueUrl'));
    const { body, attributes, delaySeconds, traceHeader } = readSendEntry(input);
    return sendResultToWire(
      this.enqueue(state, body, attributes, delaySeconds, traceHeader ?? requestTraceHeader),
    );
  }

  private opSendMessageBatch(input: Input, requestTraceHeader: string | undefined): unknown {
    const state = this.resolve(requiredString(input, 'QueueUrl'));
    const entries = readBatchEntries(input, 'SendMessageBatchRequestEntry');
    let totalBytes = 0;
    for (const entry of entries) {
      const body = entry.MessageBody;
      if (typeof body === 'string') totalBytes += Buffer.byteLength(body, 'utf8');
      if (isRecord(entry.MessageAttributes)) {
        totalBytes += attributesSize(entry.MessageAttributes);
      }
    }
    if (totalBytes > MAX_MESSAGE_BYTES) {
      throw new AwsServiceError(
        'BatchRequestTooLong',
        `Batch requests cannot be longer than ${MAX_MESSAGE_BYTES} bytes. You have sent ${totalBytes} bytes.`,
        400,
        'AWS.SimpleQueueService.BatchRequestTooLong',
      );
    }
    return this.runBatch(entries, (entry) => {
      const { body, attributes, delaySeconds, traceHeader } = readSendEntry(entry);
      return sendResultToWire(
        this.enqueue(state, body, attributes, delaySeconds, traceHeader ?? requestTraceHeader),
      );
    });
  }

  private async opReceiveMessage(input: Input): Promise<unknown> {
    const queue = requiredString(input, 'QueueUrl');
    const state = this.resolve(queue);
    const max = optionalInteger(input, 'MaxNumberOfMessages', 1, 10) ?? 1;
    const visibilityTimeoutSeconds = optionalInteger(input, 'VisibilityTimeout', 0, MAX_VISIBILITY_TIMEOUT);
    const waitTimeSeconds = optionalInteger(input, 'WaitTimeSeconds', 0, MAX_WAIT_TIME_SECONDS);
    const systemNames = [
      ...(optionalStringList(input, 'AttributeNames') ?? []),
      ...(optionalStringList(input, 'MessageSystemAttributeNames') ?? []),
    ];
    const attributeNames = optionalStringList(input, 'MessageAttributeNames') ?? [];
    const messages = await this.longPoll(state.name, {
      max,
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

  /** Runs each batch entry on its own: AWS reports per-entry failures instead of failing the request. */
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
          Code: error.code,
          Message: error.message,
        });
      }
    }
    return { Successful: successful, Failed: failed };
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
    if (!state) {
      throw new AwsServiceError(
        'QueueDoesNotExist',
        'The specified queue does not exist.',
        400,
        'AWS.SimpleQueueService.NonExistentQueue',
      );
    }
    return state;
  }

  /** Applies `attributes` onto `settings`, validating them as CreateQueue/SetQueueAttributes do. */
  private settingsWith(
    settings: QueueSettings,
    attributes: Readonly<Record<string, string>>,
    mode: 'create' | 'set',
    queueName: string,
  ): QueueSettings {
    for (const [name, value] of Object.entries(attributes)) {
      if (name === 'FifoQueue' && mode === 'create') {
        if (value === 'true') throw fifoUnsupported();
        if (value !== 'false') throw invalidAttributeValue(name);
      } else if (name in INTEGER_ATTRIBUTES) {
        const spec = INTEGER_ATTRIBUTES[name as IntegerAttributeName];
        const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
        if (!(parsed >= spec.min && parsed <= spec.max)) throw invalidAttributeValue(name);
        settings[spec.key] = parsed;
      } else if (name === 'RedrivePolicy') {
        settings.redrivePolicy = value === '' ? undefined : this.parseRedrivePolicy(value, queueName);
      } else if (STORED_ATTRIBUTES.has(name)) {
        if (value === '') settings.stored.delete(name);
        else settings.stored.set(name, value);
      } else {
        throw new AwsServiceError(
          'InvalidAttributeName',
          `Unknown Attribute ${name}.`,
          400,
          'InvalidAttributeName',
        );
      }
    }
    return settings;
  }

  private parseRedrivePolicy(value: string, queueName: string): RedrivePolicy {
    const invalid = (reason: string): AwsServiceError =>
      invalidParameterValue(`Value ${value} for parameter RedrivePolicy is invalid. Reason: ${reason}`);
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

  private enqueue(
    state: QueueState,
    body: string,
    messageAttributes: SqsMessageAttributes,
    delaySeconds: number | undefined,
    traceHeader: string | undefined,
  ): SqsSendResult {
    if (body === '')
      throw invalidParameterValue('Value for parameter MessageBody is invalid. Reason: Empty message.');
    if (INVALID_BODY_CHARACTER.test(body)) {
      throw new AwsServiceError(
        'InvalidMessageContents',
        'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
        400,
        'InvalidMessageContents',
      );
    }
    const limit = state.settings.maximumMessageSize;
    if (Buffer.byteLength(body, 'utf8') + attributesSize(messageAttributes) > limit) {
      throw invalidParameterValue(
        `One or more parameters are invalid. Reason: Message must be shorter than ${limit} bytes.`,
      );
    }
    const now = this.now();
    const delay = delaySeconds ?? state.settings.delaySeconds;
    const message: StoredMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5Hex(body),
      messageAttributes,
      traceHeader,
      sentTimestamp: now,
      deadLetterQueueSourceArn: undefined,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
      firstReceiveTimestamp: undefined,
    };
    state.messages.set(message.messageId, message);
    if (delay === 0) this.notify(state.name);
    else this.scheduleWake(state.name);
    const hasAttributes = Object.keys(messageAttributes).length > 0;
    return {
      messageId: message.messageId,
      md5OfMessageBody: message.md5OfBody,
      ...(hasAttributes ? { md5OfMessageAttributes: md5OfAttributes(messageAttributes) } : {}),
      ...(traceHeader !== undefined
        ? { md5OfMessageSystemAttributes: md5OfAttributes(traceHeaderAttributes(traceHeader)) }
        : {}),
    };
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
    for (const message of state.messages.values()) {
      if (received.length >= max) break;
      if (message.visibleAt > now) continue;
      // AWS moves the message when a receive would push its count past maxReceiveCount.
      if (policy && deadLetterQueue && message.receiveCount >= policy.maxReceiveCount) {
        state.messages.delete(message.messageId);
        deadLetterQueue.messages.set(message.messageId, {
          ...message,
          deadLetterQueueSourceArn: state.arn,
          visibleAt: now,
          receiveCount: 0,
          firstReceiveTimestamp: undefined,
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
      },
      messageAttributes: message.messageAttributes,
      ...(hasAttributes ? { md5OfMessageAttributes: md5OfAttributes(message.messageAttributes) } : {}),
    };
  }

  /** The message id a receipt handle names; ReceiptHandleIsInvalid for anything this queue did not issue. */
  private messageIdOf(state: QueueState, receiptHandle: string): string {
    const parts = Buffer.from(receiptHandle, 'base64').toString('utf8').split(':');
    const [queueName, messageId, nonce] = parts;
    if (parts.length !== 3 || queueName !== state.name || !messageId || !nonce) {
      throw new AwsServiceError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`,
        404,
        'ReceiptHandleIsInvalid',
      );
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
      const unsubscribe = this.onMessageAvailable(name, () => {
        if (!this.queues.has(name)) return finish([]);
        try {
          const messages = this.receive(name, options);
          if (messages.length > 0) finish(messages);
        } catch (error) {
          finish([], error);
        }
      });
      polls.add(cancel);
    });
  }

  /** Tells the queue's listeners, each in a microtask so none runs inside the operation that woke it. */
  private notify(name: string): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) queueMicrotask(listener);
  }

  private notifyIfVisible(name: string): void {
    const state = this.queues.get(name);
    if (!state) return;
    const now = this.now();
    for (const message of state.messages.values()) {
      if (message.visibleAt <= now) {
        this.notify(name);
        return;
      }
    }
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
      this.notifyIfVisible(name);
      this.scheduleWake(name);
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
// Settings

function defaultSettings(): QueueSettings {
  return {
    visibilityTimeout: 30,
    delaySeconds: 0,
    messageRetentionPeriod: 345_600,
    receiveMessageWaitTimeSeconds: 0,
    maximumMessageSize: MAX_MESSAGE_BYTES,
    redrivePolicy: undefined,
    stored: new Map(),
  };
}

function copySettings(settings: QueueSettings): QueueSettings {
  return { ...settings, stored: new Map(settings.stored) };
}

function settingAttribute(settings: QueueSettings, name: string): string | undefined {
  if (name in INTEGER_ATTRIBUTES)
    return String(settings[INTEGER_ATTRIBUTES[name as IntegerAttributeName].key]);
  if (name === 'RedrivePolicy') {
    const policy = settings.redrivePolicy;
    return policy
      ? JSON.stringify({
          deadLetterTargetArn: policy.deadLetterTargetArn,
          maxReceiveCount: policy.maxReceiveCount,
        })
      : undefined;
  }
  return settings.stored.get(name);
}

// -----------------------------------------------------------------------------------------------
// Messages

function md5Hex(data: string): string {
  return createHash('md5').update(data, 'utf8').digest('hex');
}

function updateLengthPrefixed(hash: Hash, bytes: Buffer): void {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  hash.update(length);
  hash.update(bytes);
}

/**
 * `MD5OfMessageAttributes` as SQS computes it: for each attribute in name order, the length-prefixed
 * (4-byte big-endian) name and data type, a transport byte (1 string, 2 binary), then the length-prefixed
 * value.
 */
function md5OfAttributes(attributes: SqsMessageAttributes): string {
  const hash = createHash('md5');
  for (const name of Object.keys(attributes).sort()) {
    const attribute = attributes[name];
    if (!attribute) continue;
    updateLengthPrefixed(hash, Buffer.from(name, 'utf8'));
    updateLengthPrefixed(hash, Buffer.from(attribute.DataType, 'utf8'));
    if (attribute.BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      updateLengthPrefixed(hash, Buffer.from(attribute.BinaryValue, 'base64'));
    } else {
      hash.update(Buffer.from([1]));
      updateLengthPrefixed(hash, Buffer.from(attribute.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}

function traceHeaderAttributes(traceHeader: string): SqsMessageAttributes {
  return { AWSTraceHeader: { DataType: 'String', StringValue: traceHeader } };
}

/** What an attribute counts towards the message size limit: name, type and value. */
function attributesSize(attributes: Readonly<Record<string, unknown>>): number {
  let size = 0;
  for (const [name, attribute] of Object.entries(attributes)) {
    if (!isRecord(attribute)) continue;
    size += Buffer.byteLength(name, 'utf8');
    if (typeof attribute.DataType === 'string') size += Buffer.byteLength(attribute.DataType, 'utf8');
    if (typeof attribute.StringValue === 'string') size += Buffer.byteLength(attribute.StringValue, 'utf8');
    if (typeof attribute.BinaryValue === 'string')
      size += Buffer.from(attribute.BinaryValue, 'base64').length;
  }
  return size;
}

/** Validates message attributes as SQS does; returns them normalised (one value each, canonical base64). */
function readMessageAttributes(value: unknown, field: string): SqsMessageAttributes {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw invalidParameterValue(`${field} must be a map of attribute name to value.`);
  const names = Object.keys(value);
  if (names.length > MAX_MESSAGE_ATTRIBUTES) {
    throw invalidParameterValue(
      `Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`,
    );
  }
  const result: Record<string, SqsMessageAttributeValue> = {};
  for (const name of names) {
    const attribute = value[name];
    const lower = name.toLowerCase();
    if (
      !ATTRIBUTE_NAME.test(name) ||
      name.startsWith('.') ||
      name.endsWith('.') ||
      name.includes('..') ||
      lower.startsWith('aws.') ||
      lower.startsWith('amazon.')
    ) {
      throw invalidParameterValue(`Message (user) attribute name '${name}' is invalid.`);
    }
    if (!isRecord(attribute))
      throw invalidParameterValue(`Message (user) attribute '${name}' must be a map.`);
    const dataType = attribute.DataType;
    const baseType = typeof dataType === 'string' ? ATTRIBUTE_DATA_TYPE.exec(dataType)?.[1] : undefined;
    if (typeof dataType !== 'string' || baseType === undefined || dataType.length > 256) {
      throw invalidParameterValue(`The type of message (user) attribute '${name}' is invalid.`);
    }
    const empty = (): AwsServiceError =>
      invalidParameterValue(
        `Message (user) attribute '${name}' must contain a non-empty value of type '${baseType}'.`,
      );
    if (baseType === 'Binary') {
      const binary = attribute.BinaryValue;
      if (typeof binary !== 'string' || binary === '') throw empty();
      result[name] = { DataType: dataType, BinaryValue: Buffer.from(binary, 'base64').toString('base64') };
    } else {
      const text = attribute.StringValue;
      if (typeof text !== 'string' || text === '') throw empty();
      result[name] = { DataType: dataType, StringValue: text };
    }
  }
  return result;
}

interface SendEntry {
  readonly body: string;
  readonly attributes: SqsMessageAttributes;
  readonly delaySeconds: number | undefined;
  readonly traceHeader: string | undefined;
}

function readSendEntry(input: Input): SendEntry {
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
  return { body, attributes, delaySeconds, traceHeader };
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
  const everyAttribute = attributeNames.includes('All') || attributeNames.includes('.*');
  const selected: Record<string, SqsMessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.messageAttributes)) {
    const wanted =
      everyAttribute ||
      attributeNames.some((pattern) =>
        pattern.endsWith('.*') ? name.startsWith(pattern.slice(0, -1)) : pattern === name,
      );
    if (wanted) selected[name] = value;
  }
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function missingParameter(name: string): AwsServiceError {
  return new AwsServiceError(
    'MissingParameter',
    `The request must contain the parameter ${name}.`,
    400,
    'MissingParameter',
  );
}

function invalidParameterValue(message: string): AwsServiceError {
  return new AwsServiceError('InvalidParameterValue', message, 400, 'InvalidParameterValue');
}

function invalidAttributeValue(name: string): AwsServiceError {
  return new AwsServiceError(
    'InvalidAttributeValue',
    `Invalid value for the parameter ${name}.`,
    400,
    'InvalidAttributeValue',
  );
}

function fifoUnsupported(): AwsServiceError {
  return new AwsServiceError(
    'UnsupportedOperation',
    'FIFO queues are not supported by the local SQS engine; only standard queues are.',
    400,
    'AWS.SimpleQueueService.UnsupportedOperation',
  );
}

function checkRange(name: string, value: number | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidParameterValue(
      `Value ${value} for parameter ${name} is invalid. Reason: Must be between ${min} and ${max}, if provided.`,
    );
  }
  return value;
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
  const value = input[name];
  if (value === undefined || value === null) throw missingParameter(name);
  if (typeof value !== 'number') throw invalidParameterValue(`Value for parameter ${name} must be a number.`);
  return value;
}

function optionalInteger(input: Input, name: string, min: number, max: number): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') throw invalidParameterValue(`Value for parameter ${name} must be a number.`);
  return checkRange(name, value, min, max);
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
    throw new AwsServiceError(
      'EmptyBatchRequest',
      `There should be at least one ${entryShape} in the request.`,
      400,
      'AWS.SimpleQueueService.EmptyBatchRequest',
    );
  }
  if (!Array.isArray(entries) || !entries.every(isRecord)) {
    throw invalidParameterValue('Value for parameter Entries must be a list of entries.');
  }
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw new AwsServiceError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`,
      400,
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    );
  }
  const seen = new Set<string>();
  for (const entry of entries) {
    const id = entry.Id;
    if (typeof id !== 'string' || !BATCH_ENTRY_ID.test(id)) {
      throw new AwsServiceError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
        400,
        'AWS.SimpleQueueService.InvalidBatchEntryId',
      );
    }
    if (seen.has(id)) {
      throw new AwsServiceError(
        'BatchEntryIdsNotDistinct',
        `Id ${id} repeated.`,
        400,
        'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
      );
    }
    seen.add(id);
  }
  return entries;
}
