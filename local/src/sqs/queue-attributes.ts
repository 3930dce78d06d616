/**
 * A queue's settings and the attributes that set and show them, validated as CreateQueue and
 * SetQueueAttributes validate them on AWS: a queue's type is fixed when it is created, and the FIFO-only
 * attributes are refused on a standard queue.
 */
import { invalidAttributeName, invalidAttributeValue, unknownAttribute } from './sqs-errors';

/** AWS's maximum message size since August 2025 (and the default `MaximumMessageSize`): 1 MiB. */
export const MAX_MESSAGE_BYTES = 1_048_576;
export const MAX_VISIBILITY_TIMEOUT = 43_200;
export const MAX_DELAY_SECONDS = 900;
export const MAX_WAIT_TIME_SECONDS = 20;

export interface RedrivePolicy {
  readonly deadLetterTargetArn: string;
  readonly maxReceiveCount: number;
}

export type DeduplicationScope = 'queue' | 'messageGroup';
export type FifoThroughputLimit = 'perQueue' | 'perMessageGroupId';

export interface FifoSettings {
  contentBasedDeduplication: boolean;
  deduplicationScope: DeduplicationScope;
  fifoThroughputLimit: FifoThroughputLimit;
}

export interface QueueSettings {
  visibilityTimeout: number;
  delaySeconds: number;
  messageRetentionPeriod: number;
  receiveMessageWaitTimeSeconds: number;
  maximumMessageSize: number;
  redrivePolicy: RedrivePolicy | undefined;
  /** Present on FIFO queues only: a queue's type never changes. */
  readonly fifo: FifoSettings | undefined;
  /** Attributes only stored and returned (Policy, encryption settings, …). */
  readonly stored: Map<string, string>;
}

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

const DEDUPLICATION_SCOPES: readonly DeduplicationScope[] = ['queue', 'messageGroup'];
const FIFO_THROUGHPUT_LIMITS: readonly FifoThroughputLimit[] = ['perQueue', 'perMessageGroupId'];

/** Attributes GetQueueAttributes computes rather than stores; CreateQueue and SetQueueAttributes refuse them. */
export const READ_ONLY_ATTRIBUTES = [
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
] as const;

const FIFO_ATTRIBUTES = [
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
];

/** Every name GetQueueAttributes knows, in the order `All` lists them. */
export const QUEUE_ATTRIBUTE_NAMES: readonly string[] = [
  ...READ_ONLY_ATTRIBUTES,
  ...Object.keys(INTEGER_ATTRIBUTES),
  'RedrivePolicy',
  ...STORED_ATTRIBUTES,
  ...FIFO_ATTRIBUTES,
];

export function defaultSettings(fifo: boolean): QueueSettings {
  return {
    visibilityTimeout: 30,
    delaySeconds: 0,
    messageRetentionPeriod: 345_600,
    receiveMessageWaitTimeSeconds: 0,
    maximumMessageSize: MAX_MESSAGE_BYTES,
    redrivePolicy: undefined,
    fifo: fifo
      ? { contentBasedDeduplication: false, deduplicationScope: 'queue', fifoThroughputLimit: 'perQueue' }
      : undefined,
    // New queues are encrypted with SQS-owned keys unless a KMS key is chosen (AWS's default since 2022).
    stored: new Map([['SqsManagedSseEnabled', 'true']]),
  };
}

export function copySettings(settings: QueueSettings): QueueSettings {
  return {
    ...settings,
    fifo: settings.fifo ? { ...settings.fifo } : undefined,
    stored: new Map(settings.stored),
  };
}

/** Whether CreateQueue asks for a FIFO queue; AWS reads the value without regard to case (`True`). */
export function isFifoRequested(attributes: Readonly<Record<string, string>>): boolean {
  return attributes.FifoQueue?.toLowerCase() === 'true';
}

/**
 * Applies `attributes` onto `settings` (changed in place and returned), refusing what AWS refuses.
 * `parseRedrivePolicy` reads a RedrivePolicy value, checking its dead-letter queue exists.
 */
export function applyQueueAttributes(
  settings: QueueSettings,
  attributes: Readonly<Record<string, string>>,
  parseRedrivePolicy: (value: string) => RedrivePolicy,
): QueueSettings {
  const fifo = settings.fifo;
  for (const [name, value] of Object.entries(attributes)) {
    if (name in INTEGER_ATTRIBUTES) {
      const spec = INTEGER_ATTRIBUTES[name as IntegerAttributeName];
      const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
      if (!(parsed >= spec.min && parsed <= spec.max)) throw invalidAttributeValue(name);
      settings[spec.key] = parsed;
    } else if (name === 'RedrivePolicy') {
      settings.redrivePolicy = value === '' ? undefined : parseRedrivePolicy(value);
    } else if (STORED_ATTRIBUTES.has(name)) {
      if (value === '') settings.stored.delete(name);
      else settings.stored.set(name, value);
    } else if (name === 'FifoQueue' || name === 'ContentBasedDeduplication') {
      if (!fifo) throw unknownAttribute(name);
      applyFifoAttribute(fifo, name, value);
    } else if (name === 'DeduplicationScope' || name === 'FifoThroughputLimit') {
      if (!fifo)
        throw invalidAttributeName(`You can specify the ${name} only when FifoQueue is set to true.`);
      applyFifoAttribute(fifo, name, value);
    } else {
      throw unknownAttribute(name);
    }
  }
  // SSE-KMS and SSE-SQS exclude each other: choosing a KMS key turns the SQS-owned encryption off.
  if (attributes.KmsMasterKeyId && attributes.SqsManagedSseEnabled === undefined) {
    settings.stored.set('SqsManagedSseEnabled', 'false');
  }
  return settings;
}

function applyFifoAttribute(fifo: FifoSettings, name: string, value: string): void {
  switch (name) {
    case 'FifoQueue':
      if (value.toLowerCase() !== 'true') {
        throw invalidAttributeValue(name, 'Modifying queue type is not supported.');
      }
      return;
    case 'ContentBasedDeduplication': {
      const flag = value.toLowerCase();
      if (flag !== 'true' && flag !== 'false') throw invalidAttributeValue(name);
      fifo.contentBasedDeduplication = flag === 'true';
      return;
    }
    case 'DeduplicationScope':
      fifo.deduplicationScope = oneOf(name, value, DEDUPLICATION_SCOPES);
      return;
    case 'FifoThroughputLimit':
      fifo.fifoThroughputLimit = oneOf(name, value, FIFO_THROUGHPUT_LIMITS);
      return;
  }
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) throw invalidAttributeValue(name);
  return found;
}

/** A settable attribute's current value, as GetQueueAttributes shows it; undefined when the queue has none. */
export function settingAttribute(settings: QueueSettings, name: string): string | undefined {
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
  const fifo = settings.fifo;
  if (fifo) {
    switch (name) {
      case 'FifoQueue':
        return 'true';
      case 'ContentBasedDeduplication':
        return String(fifo.contentBasedDeduplication);
      case 'DeduplicationScope':
        return fifo.deduplicationScope;
      case 'FifoThroughputLimit':
        return fifo.fifoThroughputLimit;
    }
  }
  return settings.stored.get(name);
}
