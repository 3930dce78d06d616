/**
 * Amazon SNS, in the protocol `@aws-sdk/client-sns` and `aws sns` speak (AWS Query, answered in XML): topics
 * and subscriptions from the template or the API, and `Publish`/`PublishBatch` delivered to the `lambda`
 * (an asynchronous invocation with SNS's event) and `sqs` (the JSON notification, or the raw message with
 * `RawMessageDelivery`) subscribers whose filter policy matches. Held in memory.
 *
 * Differences, all documented in the package README: subscriptions are confirmed at once; other protocols
 * (http/s, email, sms, application, firehose) are refused; a delivery that fails (a queue or function that
 * does not exist) is recorded, not retried; signatures are placeholders; data protection, archiving and
 * delivery status logging are not emulated.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  AwsServiceError,
  localArn,
  LOCAL_ACCOUNT,
  XmlMap,
  type QueryInput,
  type QueryProtocolService,
  type QueryValue,
  type XmlResult,
} from '../aws-protocol';
import { BoundedLog } from '../cloud/bounded-log';
import { parseArn } from '../cloud/arns';
import { matchesPattern, validatePattern } from '../eventbridge/event-pattern';
import { offsetPage } from '../http/offset-pages';
import type { SqsMessageAttributes } from '../sqs/sqs-engine';
import {
  filterableAttributes,
  lambdaEvent,
  sqsNotificationBody,
  sqsRawAttributes,
  type PublishedMessage,
  type SnsMessageAttributes,
} from './sns-messages';

export const SNS_XML_NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';
export const SUPPORTED_PROTOCOLS = ['lambda', 'sqs'] as const;
export type SubscriptionProtocol = (typeof SUPPORTED_PROTOCOLS)[number];

/** 256 KB, SNS's limit on a message with its attributes. */
const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_REQUEST_BODY_BYTES = 1024 * 1024;
const PAGE_SIZE = 100;
const MAX_BATCH_ENTRIES = 10;
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;

/** Where SNS delivers: the local Lambda and SQS, behind what the loader wires. */
export interface SnsDeliveryTargets {
  /** An asynchronous invocation (`InvocationType: Event`). */
  invokeFunction(functionArn: string, event: unknown): Promise<void>;
  sendToQueue(
    queueArn: string,
    body: string,
    attributes: SqsMessageAttributes,
    fifo: { readonly messageGroupId?: string; readonly messageDeduplicationId?: string },
  ): void;
}

export interface SnsDelivery {
  readonly at: string;
  readonly messageId: string;
  readonly topicArn: string;
  readonly subscriptionArn: string;
  readonly protocol: SubscriptionProtocol;
  readonly endpoint: string;
  readonly outcome: 'delivered' | 'failed';
  readonly error?: string;
}

export interface SnsEngineOptions {
  readonly targets: SnsDeliveryTargets;
  /** @default Date.now */
  readonly clock?: () => number;
  /** Deliveries kept for `deliveries()`. @default 1000 */
  readonly deliveryLogSize?: number;
}

interface Topic {
  readonly arn: string;
  readonly name: string;
  readonly attributes: Map<string, string>;
  readonly fifo: boolean;
}

interface Subscription {
  readonly arn: string;
  readonly topicArn: string;
  readonly protocol: SubscriptionProtocol;
  readonly endpoint: string;
  readonly attributes: Map<string, string>;
}

const TOPIC_ATTRIBUTES: ReadonlySet<string> = new Set([
  'DisplayName',
  'Policy',
  'DeliveryPolicy',
  'KmsMasterKeyId',
  'FifoTopic',
  'ContentBasedDeduplication',
  'SignatureVersion',
  'TracingConfig',
  'ArchivePolicy',
  'FifoThroughputScope',
  'DataProtectionPolicy',
]);
const SUBSCRIPTION_ATTRIBUTES: ReadonlySet<string> = new Set([
  'RawMessageDelivery',
  'FilterPolicy',
  'FilterPolicyScope',
  'RedrivePolicy',
  'DeliveryPolicy',
  'SubscriptionRoleArn',
  'ReplayPolicy',
]);

export function invalidParameter(message: string): AwsServiceError {
  return new AwsServiceError('InvalidParameter', `Invalid parameter: ${message}`);
}

function notFound(what: string): AwsServiceError {
  return new AwsServiceError('NotFound', `${what} does not exist`, 404);
}

export class SnsEngine implements QueryProtocolService {
  readonly signingName = 'sns';
  readonly version = '2010-03-31';
  readonly xmlNamespace = SNS_XML_NAMESPACE;
  readonly maxRequestBodyBytes = MAX_REQUEST_BODY_BYTES;

  private readonly topics = new Map<string, Topic>();
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly log: BoundedLog<SnsDelivery>;
  private readonly clock: () => number;
  private sequence = 10_000_000_000_000_000_000n;
  private pendingDeliveries = 0;

  constructor(private readonly options: SnsEngineOptions) {
    this.clock = options.clock ?? Date.now;
    this.log = new BoundedLog(options.deliveryLogSize ?? 1000);
  }

  async handle(action: string, input: QueryInput): Promise<XmlResult> {
    switch (action) {
      case 'CreateTopic':
        return {
          TopicArn: this.createTopic(
            requiredString(input, 'Name'),
            readMap(input.Attributes, 'key', 'value'),
          ),
        };
      case 'DeleteTopic':
        this.deleteTopic(requiredString(input, 'TopicArn'));
        return {};
      case 'ListTopics': {
        const page = offsetPage(
          [...this.topics.keys()],
          optionalString(input, 'NextToken'),
          PAGE_SIZE,
          badToken,
        );
        return { Topics: page.items.map((TopicArn) => ({ TopicArn })), NextToken: page.nextToken };
      }
      case 'GetTopicAttributes':
        return { Attributes: new XmlMap(this.topicAttributes(requiredString(input, 'TopicArn'))) };
      case 'SetTopicAttributes': {
        const topic = this.topic(requiredString(input, 'TopicArn'));
        const name = requiredString(input, 'AttributeName');
        if (!TOPIC_ATTRIBUTES.has(name) || name === 'FifoTopic') throw invalidParameter(`AttributeName`);
        topic.attributes.set(name, optionalString(input, 'AttributeValue') ?? '');
        return {};
      }
      case 'Subscribe': {
        const arn = this.subscribe(
          requiredString(input, 'TopicArn'),
          requiredString(input, 'Protocol'),
          optionalString(input, 'Endpoint') ?? '',
          readMap(input.Attributes, 'key', 'value'),
        );
        return { SubscriptionArn: arn };
      }
      case 'Unsubscribe': {
        const arn = requiredString(input, 'SubscriptionArn');
        if (!this.subscriptions.delete(arn)) throw notFound('Subscription');
        return {};
      }
      case 'ListSubscriptions':
        return this.listSubscriptions([...this.subscriptions.values()], optionalString(input, 'NextToken'));
      case 'ListSubscriptionsByTopic': {
        const topicArn = this.topic(requiredString(input, 'TopicArn')).arn;
        const subscriptions = [...this.subscriptions.values()].filter((s) => s.topicArn === topicArn);
        return this.listSubscriptions(subscriptions, optionalString(input, 'NextToken'));
      }
      case 'GetSubscriptionAttributes': {
        const subscription = this.subscription(requiredString(input, 'SubscriptionArn'));
        return { Attributes: new XmlMap(subscriptionAttributes(subscription)) };
      }
      case 'SetSubscriptionAttributes': {
        const subscription = this.subscription(requiredString(input, 'SubscriptionArn'));
        const name = requiredString(input, 'AttributeName');
        const value = optionalString(input, 'AttributeValue') ?? '';
        checkSubscriptionAttribute(name, value, subscription.protocol);
        subscription.attributes.set(name, value);
        return {};
      }
      case 'Publish': {
        const topicArn = optionalString(input, 'TopicArn') ?? optionalString(input, 'TargetArn');
        if (topicArn === undefined)
          throw invalidParameter('TopicArn or TargetArn Reason: no value for required parameter');
        const published = this.publish(topicArn, readPublishEntry(input));
        return {
          MessageId: published.messageId,
          ...(published.sequenceNumber === undefined ? {} : { SequenceNumber: published.sequenceNumber }),
        };
      }
      case 'PublishBatch':
        return this.publishBatch(requiredString(input, 'TopicArn'), input.PublishBatchRequestEntries);
      default:
        throw new AwsServiceError(
          'InvalidAction',
          `The local SNS does not implement ${action}: it emulates Create/DeleteTopic, ListTopics, ` +
            'Get/SetTopicAttributes, Subscribe, Unsubscribe, ListSubscriptions(ByTopic), ' +
            'Get/SetSubscriptionAttributes, Publish and PublishBatch.',
        );
    }
  }

  // ---- Topics and subscriptions ------------------------------------------------------------------

  /** Creates the topic, or returns the one of that name (as SNS does when the attributes agree). */
  createTopic(name: string, attributes: Readonly<Record<string, string>> = {}): string {
    const fifo = attributes.FifoTopic === 'true';
    if (!TOPIC_NAME.test(fifo ? name.replace(/\.fifo$/, '') : name) || (fifo && !name.endsWith('.fifo'))) {
      throw invalidParameter(
        fifo
          ? 'Topic Name: a FIFO topic name must end with .fifo'
          : 'Topic Name: up to 256 letters, digits, hyphens and underscores',
      );
    }
    if (!fifo && name.endsWith('.fifo'))
      throw invalidParameter('Topic Name: only a FIFO topic ends with .fifo');
    for (const attribute of Object.keys(attributes)) {
      if (!TOPIC_ATTRIBUTES.has(attribute))
        throw invalidParameter(`Attributes Reason: Unknown attribute ${attribute}`);
    }
    const arn = localArn('sns', name);
    const existing = this.topics.get(arn);
    if (existing) {
      const differs = Object.entries(attributes).some(
        ([key, value]) => (existing.attributes.get(key) ?? '') !== value,
      );
      if (differs)
        throw invalidParameter('Attributes Reason: Topic already exists with different attributes');
      return arn;
    }
    this.topics.set(arn, { arn, name, attributes: new Map(Object.entries(attributes)), fifo });
    return arn;
  }

  deleteTopic(topicArn: string): void {
    this.topics.delete(topicArn);
    for (const [arn, subscription] of this.subscriptions) {
      if (subscription.topicArn === topicArn) this.subscriptions.delete(arn);
    }
  }

  /** Subscribes the endpoint, confirmed at once; the same subscription again returns its ARN. */
  subscribe(
    topicArn: string,
    protocol: string,
    endpoint: string,
    attributes: Readonly<Record<string, string>> = {},
    subscriptionArn?: string,
  ): string {
    const topic = this.topic(topicArn);
    if (!(SUPPORTED_PROTOCOLS as readonly string[]).includes(protocol)) {
      throw invalidParameter(
        `Protocol Reason: ${protocol} subscriptions are not emulated locally (lambda and sqs are)`,
      );
    }
    const kind = protocol as SubscriptionProtocol;
    const service = parseArn(endpoint)?.service;
    if (service !== kind)
      throw invalidParameter(`Endpoint Reason: a ${kind} subscription needs a ${kind} ARN`);
    for (const [name, value] of Object.entries(attributes)) checkSubscriptionAttribute(name, value, kind);
    const same = [...this.subscriptions.values()].find(
      (s) => s.topicArn === topic.arn && s.protocol === kind && s.endpoint === endpoint,
    );
    if (same) return same.arn;
    const arn = subscriptionArn ?? `${topic.arn}:${randomUUID()}`;
    this.subscriptions.set(arn, {
      arn,
      topicArn: topic.arn,
      protocol: kind,
      endpoint,
      attributes: new Map(Object.entries(attributes)),
    });
    return arn;
  }

  /** `<topic> → <protocol>:<endpoint>` per subscription, for the start-up summary. */
  describe(): string[] {
    return [...this.topics.values()].flatMap((topic) => {
      const subscribers = [...this.subscriptions.values()].filter((s) => s.topicArn === topic.arn);
      return [
        `${topic.name} → ${subscribers.map((s) => `${s.protocol}:${s.endpoint.split(':').at(-1) ?? ''}`).join(', ') || 'no subscriptions'}`,
      ];
    });
  }

  /** The most recent deliveries, oldest first. */
  deliveries(): SnsDelivery[] {
    return this.log.items();
  }

  /** Deliveries started and not yet handed over. */
  get deliveriesPending(): number {
    return this.pendingDeliveries;
  }

  // ---- Publishing ---------------------------------------------------------------------------------

  /** Publishes to the topic; deliveries run after this returns, as SNS's do. */
  publish(topicArn: string, entry: PublishEntry): PublishedMessage {
    const topic = this.topic(topicArn);
    checkPublishEntry(entry, topic);
    const published: PublishedMessage = {
      messageId: randomUUID(),
      topicArn: topic.arn,
      ...(entry.subject === undefined ? {} : { subject: entry.subject }),
      message: entry.message,
      timestamp: new Date(this.clock()),
      attributes: entry.attributes,
      ...(entry.messageGroupId === undefined ? {} : { messageGroupId: entry.messageGroupId }),
      ...(topic.fifo
        ? {
            messageDeduplicationId: entry.messageDeduplicationId ?? contentDeduplicationId(entry.message),
            sequenceNumber: String((this.sequence += 1n)),
          }
        : {}),
    };
    const subscribers = [...this.subscriptions.values()].filter((s) => s.topicArn === topic.arn);
    for (const subscription of subscribers) {
      const message = messageFor(entry, subscription.protocol);
      if (!this.matchesFilter(subscription, published, message)) continue;
      this.pendingDeliveries++;
      setImmediate(() => {
        void this.deliver(subscription, { ...published, message }).finally(() => this.pendingDeliveries--);
      });
    }
    return published;
  }

  private publishBatch(topicArn: string, rawEntries: QueryValue | undefined): XmlResult {
    this.topic(topicArn);
    const entries = Array.isArray(rawEntries) ? (rawEntries as readonly QueryValue[]) : [];
    if (entries.length === 0)
      throw new AwsServiceError('EmptyBatchRequest', "The batch request doesn't contain any entries.");
    if (entries.length > MAX_BATCH_ENTRIES) {
      throw new AwsServiceError(
        'TooManyEntriesInBatchRequest',
        `The batch request contains more entries than permissible (${MAX_BATCH_ENTRIES}).`,
      );
    }
    const successful: { Id: string; MessageId: string; SequenceNumber?: string }[] = [];
    const failed: { Id: string; Code: string; Message: string; SenderFault: boolean }[] = [];
    const ids = new Set<string>();
    for (const raw of entries) {
      const entry = isQueryStructure(raw) ? raw : {};
      const id = optionalString(entry, 'Id') ?? '';
      if (ids.has(id))
        throw new AwsServiceError(
          'BatchEntryIdsNotDistinct',
          'Two or more batch entries in the request have the same Id.',
        );
      ids.add(id);
      try {
        const published = this.publish(topicArn, readPublishEntry(entry));
        successful.push({
          Id: id,
          MessageId: published.messageId,
          ...(published.sequenceNumber === undefined ? {} : { SequenceNumber: published.sequenceNumber }),
        });
      } catch (error) {
        const serviceError =
          error instanceof AwsServiceError ? error : new AwsServiceError('InternalError', String(error), 500);
        failed.push({
          Id: id,
          Code: serviceError.code,
          Message: serviceError.message,
          SenderFault: serviceError.statusCode < 500,
        });
      }
    }
    return { Successful: successful, Failed: failed };
  }

  private matchesFilter(subscription: Subscription, published: PublishedMessage, message: string): boolean {
    const policy = subscription.attributes.get('FilterPolicy');
    if (policy === undefined || policy === '') return true;
    if (subscription.attributes.get('FilterPolicyScope') === 'MessageBody') {
      let body: unknown;
      try {
        body = JSON.parse(message);
      } catch {
        return false;
      }
      return matchesPattern(policy, body);
    }
    return matchesPattern(policy, filterableAttributes(published.attributes));
  }

  private async deliver(subscription: Subscription, published: PublishedMessage): Promise<void> {
    const record = (outcome: SnsDelivery['outcome'], error?: string): void =>
      this.log.push({
        at: new Date(this.clock()).toISOString(),
        messageId: published.messageId,
        topicArn: published.topicArn,
        subscriptionArn: subscription.arn,
        protocol: subscription.protocol,
        endpoint: subscription.endpoint,
        outcome,
        ...(error === undefined ? {} : { error }),
      });
    try {
      if (subscription.protocol === 'lambda') {
        await this.options.targets.invokeFunction(
          subscription.endpoint,
          lambdaEvent(published, subscription.arn),
        );
      } else {
        const raw = subscription.attributes.get('RawMessageDelivery') === 'true';
        this.options.targets.sendToQueue(
          subscription.endpoint,
          raw ? published.message : sqsNotificationBody(published, subscription.arn),
          raw ? sqsRawAttributes(published.attributes) : {},
          {
            ...(published.messageGroupId === undefined ? {} : { messageGroupId: published.messageGroupId }),
            ...(published.messageDeduplicationId === undefined
              ? {}
              : { messageDeduplicationId: published.messageDeduplicationId }),
          },
        );
      }
      record('delivered');
    } catch (error) {
      record('failed', error instanceof Error ? error.message : String(error));
    }
  }

  // ---- Reading --------------------------------------------------------------------------------------

  private topic(arn: string): Topic {
    if (parseArn(arn)?.service !== 'sns') throw invalidParameter('TopicArn');
    const topic = this.topics.get(arn);
    if (topic === undefined) throw notFound('Topic');
    return topic;
  }

  private subscription(arn: string): Subscription {
    const subscription = this.subscriptions.get(arn);
    if (subscription === undefined) throw notFound('Subscription');
    return subscription;
  }

  private topicAttributes(topicArn: string): Record<string, string> {
    const topic = this.topic(topicArn);
    const subscriptions = [...this.subscriptions.values()].filter((s) => s.topicArn === topic.arn).length;
    return {
      TopicArn: topic.arn,
      Owner: LOCAL_ACCOUNT,
      DisplayName: '',
      SubscriptionsConfirmed: String(subscriptions),
      SubscriptionsPending: '0',
      SubscriptionsDeleted: '0',
      Policy: JSON.stringify(defaultPolicy(topic.arn)),
      EffectiveDeliveryPolicy: JSON.stringify({
        http: { defaultHealthyRetryPolicy: { minDelayTarget: 20, maxDelayTarget: 20, numRetries: 3 } },
      }),
      ...(topic.fifo ? { FifoTopic: 'true', ContentBasedDeduplication: 'false' } : {}),
      ...Object.fromEntries(topic.attributes),
    };
  }

  private listSubscriptions(subscriptions: readonly Subscription[], token: string | undefined): XmlResult {
    const page = offsetPage(subscriptions, token, PAGE_SIZE, badToken);
    return {
      Subscriptions: page.items.map((s) => ({
        SubscriptionArn: s.arn,
        Owner: LOCAL_ACCOUNT,
        Protocol: s.protocol,
        Endpoint: s.endpoint,
        TopicArn: s.topicArn,
      })),
      NextToken: page.nextToken,
    };
  }
}

export interface PublishEntry {
  readonly message: string;
  readonly subject?: string;
  readonly messageStructure?: string;
  readonly attributes: SnsMessageAttributes;
  readonly messageGroupId?: string;
  readonly messageDeduplicationId?: string;
}

function readPublishEntry(input: QueryInput): PublishEntry {
  const message = optionalString(input, 'Message');
  if (message === undefined || message === '') throw invalidParameter('Empty message');
  const subject = optionalString(input, 'Subject');
  const messageStructure = optionalString(input, 'MessageStructure');
  const groupId = optionalString(input, 'MessageGroupId');
  const deduplicationId = optionalString(input, 'MessageDeduplicationId');
  return {
    message,
    ...(subject === undefined ? {} : { subject }),
    ...(messageStructure === undefined ? {} : { messageStructure }),
    attributes: readMessageAttributes(input.MessageAttributes),
    ...(groupId === undefined ? {} : { messageGroupId: groupId }),
    ...(deduplicationId === undefined ? {} : { messageDeduplicationId: deduplicationId }),
  };
}

/** Validates a message as SNS does before it accepts it. */
export function checkPublishEntry(
  entry: PublishEntry,
  topic: { readonly fifo: boolean; readonly attributes: ReadonlyMap<string, string> },
): void {
  const size =
    Buffer.byteLength(entry.message) +
    Object.entries(entry.attributes).reduce(
      (sum, [name, value]) =>
        sum +
        Buffer.byteLength(name) +
        Buffer.byteLength(value.DataType) +
        Buffer.byteLength(value.StringValue ?? value.BinaryValue ?? ''),
      0,
    );
  if (size > MAX_MESSAGE_BYTES) throw invalidParameter('Message too long');
  if (entry.subject !== undefined) {
    // Printable ASCII without line breaks, at most 100 characters.
    if (entry.subject === '' || entry.subject.length > 100 || /[^\x20-\x7E]/.test(entry.subject)) {
      throw invalidParameter('Subject');
    }
  }
  if (entry.messageStructure !== undefined) {
    if (entry.messageStructure !== 'json') throw invalidParameter('MessageStructure');
    let structure: unknown;
    try {
      structure = JSON.parse(entry.message);
    } catch {
      throw invalidParameter('Message Structure - JSON message body failed to parse');
    }
    if (
      typeof structure !== 'object' ||
      structure === null ||
      typeof (structure as Record<string, unknown>).default !== 'string'
    ) {
      throw invalidParameter('Message Structure - No default entry in JSON message body');
    }
  }
  if (topic.fifo) {
    if (entry.messageGroupId === undefined)
      throw invalidParameter('The MessageGroupId parameter is required for FIFO topics');
    if (
      entry.messageDeduplicationId === undefined &&
      topic.attributes.get('ContentBasedDeduplication') !== 'true'
    ) {
      throw invalidParameter(
        'The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      );
    }
  } else if (entry.messageDeduplicationId !== undefined) {
    throw invalidParameter(
      'MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type',
    );
  }
}

/** The message a protocol receives: with `MessageStructure: json`, its own entry or the default. */
function messageFor(entry: PublishEntry, protocol: SubscriptionProtocol): string {
  if (entry.messageStructure !== 'json') return entry.message;
  const structure = JSON.parse(entry.message) as Record<string, unknown>;
  const own = structure[protocol];
  return typeof own === 'string' ? own : String(structure.default);
}

function readMessageAttributes(value: QueryValue | undefined): SnsMessageAttributes {
  const result: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }> = {};
  for (const entry of entriesOf(value)) {
    const name = optionalString(entry, 'Name');
    const attribute = entry.Value;
    if (name === undefined || !isQueryStructure(attribute)) throw invalidParameter('MessageAttributes');
    const dataType = optionalString(attribute, 'DataType');
    const stringValue = optionalString(attribute, 'StringValue');
    const binaryValue = optionalString(attribute, 'BinaryValue');
    if (dataType === undefined || !/^(String|Number|Binary)(\..+)?$/.test(dataType)) {
      throw new AwsServiceError(
        'ParameterValueInvalid',
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    }
    if (dataType.startsWith('Binary') ? binaryValue === undefined : stringValue === undefined) {
      throw new AwsServiceError(
        'ParameterValueInvalid',
        `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`,
      );
    }
    if (dataType.startsWith('Number') && Number.isNaN(Number(stringValue))) {
      throw new AwsServiceError(
        'ParameterValueInvalid',
        `Could not cast message attribute '${name}' value to number.`,
      );
    }
    result[name] = {
      DataType: dataType,
      ...(stringValue === undefined ? {} : { StringValue: stringValue }),
      ...(binaryValue === undefined ? {} : { BinaryValue: binaryValue }),
    };
  }
  if (Object.keys(result).length > 10)
    throw invalidParameter('MessageAttributes Reason: at most 10 attributes');
  return result;
}

function checkSubscriptionAttribute(name: string, value: string, protocol: SubscriptionProtocol): void {
  if (!SUBSCRIPTION_ATTRIBUTES.has(name))
    throw invalidParameter(`Attributes Reason: Unknown attribute ${name}`);
  if (name === 'RawMessageDelivery') {
    if (value !== 'true' && value !== 'false')
      throw invalidParameter('Attributes Reason: RawMessageDelivery: Invalid value');
    if (protocol === 'lambda' && value === 'true') {
      throw invalidParameter(
        'Attributes Reason: Delivery protocol [lambda] does not support raw message delivery.',
      );
    }
  }
  if (name === 'FilterPolicyScope' && value !== 'MessageAttributes' && value !== 'MessageBody') {
    throw invalidParameter('Attributes Reason: FilterPolicyScope: Invalid value');
  }
  if (name === 'FilterPolicy' && value !== '') {
    try {
      validatePattern(value);
    } catch (error) {
      throw invalidParameter(`Filter policy: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function subscriptionAttributes(subscription: Subscription): Record<string, string> {
  return {
    SubscriptionArn: subscription.arn,
    TopicArn: subscription.topicArn,
    Protocol: subscription.protocol,
    Endpoint: subscription.endpoint,
    Owner: LOCAL_ACCOUNT,
    ConfirmationWasAuthenticated: 'true',
    PendingConfirmation: 'false',
    RawMessageDelivery: 'false',
    ...Object.fromEntries(subscription.attributes),
  };
}

function defaultPolicy(topicArn: string): unknown {
  return {
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['SNS:Publish', 'SNS:Subscribe', 'SNS:GetTopicAttributes'],
        Resource: topicArn,
        Condition: { StringEquals: { 'AWS:SourceOwner': LOCAL_ACCOUNT } },
      },
    ],
  };
}

/** A FIFO topic with content-based deduplication deduplicates by the message's SHA-256. */
function contentDeduplicationId(message: string): string {
  return createHash('sha256').update(message).digest('hex');
}

/** A Query map (`X.entry.N.key`/`value`, or `Name`/`Value`) as a record of strings. */
function readMap(value: QueryValue | undefined, keyName: string, valueName: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of entriesOf(value)) {
    const key = optionalString(entry, keyName);
    const item = optionalString(entry, valueName);
    if (key !== undefined) result[key] = item ?? '';
  }
  return result;
}

function entriesOf(value: QueryValue | undefined): QueryInput[] {
  if (!isQueryStructure(value)) return [];
  const entries = value.entry;
  if (Array.isArray(entries)) return (entries as readonly QueryValue[]).filter(isQueryStructure);
  return isQueryStructure(entries) ? [entries] : [];
}

function isQueryStructure(value: QueryValue | undefined): value is QueryInput {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(input: QueryInput, name: string): string | undefined {
  const value = input[name];
  return typeof value === 'string' ? value : undefined;
}

function requiredString(input: QueryInput, name: string): string {
  const value = optionalString(input, name);
  if (value === undefined || value === '')
    throw invalidParameter(`${name} Reason: no value for required parameter`);
  return value;
}

function badToken(): AwsServiceError {
  return invalidParameter('NextToken');
}
