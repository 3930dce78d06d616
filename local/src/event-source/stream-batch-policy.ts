/**
 * What a stream event source mapping (DynamoDB Streams → Lambda) does with a batch, as AWS documents it:
 * batching, filtering, record age, retries, bisection, partial batch responses. Pure: no I/O, no clock of
 * its own; `DynamoDbStreamSource` does the reading, invoking and checkpointing.
 */
import { matchesPattern, validatePattern } from '../eventbridge/event-pattern';

export const DEFAULT_BATCH_SIZE = 100;
export const MAX_BATCH_SIZE = 10_000;
export const MAX_BATCHING_WINDOW_SECONDS = 300;
export const MAX_RETRY_ATTEMPTS = 10_000;
export const MIN_RECORD_AGE_SECONDS = 60;
export const MAX_RECORD_AGE_SECONDS = 604_800;
/** DynamoDB Streams keeps records for 24 hours; with an unlimited record age that is where retries end. */
export const STREAM_RETENTION_SECONDS = 86_400;
/** Lambda's synchronous invocation payload limit, which also caps a batch. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

const RETRY_BACKOFF_BASE_MS = 100;
const THROTTLE_BACKOFF_BASE_MS = 200;
const RETRY_BACKOFF_MAX_MS = 2_000;
const THROTTLE_BACKOFF_MAX_MS = 5_000;

export class InvalidStreamMappingConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidStreamMappingConfigError';
  }
}

/** The event source mapping's properties, as the template gives them (all optional, AWS defaults apply). */
export interface StreamMappingConfigInput {
  readonly batchSize?: number;
  readonly maximumBatchingWindowInSeconds?: number;
  /** -1 (the default) retries until the record expires. */
  readonly maximumRetryAttempts?: number;
  /** -1 (the default) means no limit but the stream's retention. */
  readonly maximumRecordAgeInSeconds?: number;
  readonly bisectBatchOnFunctionError?: boolean;
  /** `FunctionResponseTypes: ['ReportBatchItemFailures']`. */
  readonly reportBatchItemFailures?: boolean;
  readonly parallelizationFactor?: number;
  readonly filterCriteria?: { readonly Filters?: readonly { readonly Pattern?: string }[] };
}

export interface StreamMappingConfig {
  readonly batchSize: number;
  readonly maximumBatchingWindowInSeconds: number;
  readonly maximumRetryAttempts: number;
  readonly maximumRecordAgeInSeconds: number;
  readonly bisectBatchOnFunctionError: boolean;
  readonly reportBatchItemFailures: boolean;
  readonly parallelizationFactor: 1;
  /** The parsed `FilterCriteria.Filters[].Pattern`s; empty means every record passes. */
  readonly filterPatterns: readonly unknown[];
}

/** Applies AWS's defaults and rejects what AWS rejects, plus what the local cloud cannot run. */
export function resolveStreamMappingConfig(input: StreamMappingConfigInput): StreamMappingConfig {
  const batchSize = input.batchSize ?? DEFAULT_BATCH_SIZE;
  requireInteger('BatchSize', batchSize, 1, MAX_BATCH_SIZE);
  const maximumBatchingWindowInSeconds = input.maximumBatchingWindowInSeconds ?? 0;
  requireInteger(
    'MaximumBatchingWindowInSeconds',
    maximumBatchingWindowInSeconds,
    0,
    MAX_BATCHING_WINDOW_SECONDS,
  );
  const maximumRetryAttempts = input.maximumRetryAttempts ?? -1;
  requireInteger('MaximumRetryAttempts', maximumRetryAttempts, -1, MAX_RETRY_ATTEMPTS);
  const maximumRecordAgeInSeconds = input.maximumRecordAgeInSeconds ?? -1;
  requireInteger('MaximumRecordAgeInSeconds', maximumRecordAgeInSeconds, -1, MAX_RECORD_AGE_SECONDS);
  if (maximumRecordAgeInSeconds !== -1 && maximumRecordAgeInSeconds < MIN_RECORD_AGE_SECONDS) {
    throw new InvalidStreamMappingConfigError(
      `MaximumRecordAgeInSeconds must be -1 or between ${MIN_RECORD_AGE_SECONDS} and ${MAX_RECORD_AGE_SECONDS}, got ${maximumRecordAgeInSeconds}`,
    );
  }
  const parallelizationFactor = input.parallelizationFactor ?? 1;
  if (parallelizationFactor !== 1) {
    throw new InvalidStreamMappingConfigError(
      `ParallelizationFactor ${parallelizationFactor} is not supported locally: only 1 (one batch per shard at a time)`,
    );
  }
  return {
    batchSize,
    maximumBatchingWindowInSeconds,
    maximumRetryAttempts,
    maximumRecordAgeInSeconds,
    bisectBatchOnFunctionError: input.bisectBatchOnFunctionError ?? false,
    reportBatchItemFailures: input.reportBatchItemFailures ?? false,
    parallelizationFactor,
    filterPatterns: parseFilterPatterns(input.filterCriteria),
  };
}

function requireInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidStreamMappingConfigError(
      `${name} must be an integer from ${min} to ${max}, got ${value}`,
    );
  }
}

function parseFilterPatterns(criteria: StreamMappingConfigInput['filterCriteria']): unknown[] {
  return (criteria?.Filters ?? []).map((filter, index) => {
    if (typeof filter.Pattern !== 'string') {
      throw new InvalidStreamMappingConfigError(`FilterCriteria.Filters[${index}] has no Pattern`);
    }
    let pattern: unknown;
    try {
      pattern = JSON.parse(filter.Pattern);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new InvalidStreamMappingConfigError(
        `FilterCriteria.Filters[${index}].Pattern is not JSON: ${reason}`,
      );
    }
    try {
      validatePattern(pattern);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new InvalidStreamMappingConfigError(`FilterCriteria.Filters[${index}].Pattern: ${reason}`);
    }
    return pattern;
  });
}

/** What the policy needs to know of a stream record. */
export interface StreamRecordMeta {
  readonly sequenceNumber: string;
  /** Epoch seconds, as in the Lambda event. */
  readonly approximateCreationDateTime: number;
  /** The record's size in the Lambda event, for the payload limit; 0 when unknown. */
  readonly payloadBytes?: number;
}

/**
 * A record is kept when it matches any of the patterns (they are OR-ed), or when there are none; records
 * that match none are dropped before batching and count as processed. A pattern sees the whole Lambda event
 * record (`eventName`, `dynamodb.NewImage`, …).
 */
export function passesFilters(filterPatterns: readonly unknown[], eventRecord: unknown): boolean {
  return (
    filterPatterns.length === 0 || filterPatterns.some((pattern) => matchesPattern(pattern, eventRecord))
  );
}

/** The next batch from the records waiting in a shard: at most `batchSize` records and the payload limit. */
export function takeBatch<R extends StreamRecordMeta>(
  pending: readonly R[],
  config: StreamMappingConfig,
): R[] {
  const batch: R[] = [];
  let bytes = 0;
  for (const record of pending) {
    if (batch.length >= config.batchSize) break;
    const size = record.payloadBytes ?? 0;
    // A single oversized record still goes alone, as the function is its only way forward.
    if (batch.length > 0 && bytes + size > MAX_PAYLOAD_BYTES) break;
    batch.push(record);
    bytes += size;
  }
  return batch;
}

/**
 * When the waiting records may be invoked: at once when a batch is full (by count or payload) or the shard
 * has nothing more to give, otherwise when the batching window ends. The window opens at the later of the
 * first waiting record's arrival and the end of the previous invocation. `undefined` while nothing waits.
 */
export function batchReadyAtMs<R extends StreamRecordMeta>(
  pending: readonly R[],
  windowOpenedAtMs: number,
  endOfShard: boolean,
  config: StreamMappingConfig,
): number | undefined {
  if (pending.length === 0) return undefined;
  const full = takeBatch(pending, config).length < pending.length || pending.length >= config.batchSize;
  if (full || endOfShard || config.maximumBatchingWindowInSeconds === 0) return windowOpenedAtMs;
  return windowOpenedAtMs + config.maximumBatchingWindowInSeconds * 1000;
}

/** What happened when the batch was handed to the function. */
export type InvocationOutcome =
  /** The function returned; `response` is its result (a partial batch response when enabled). */
  | { readonly kind: 'success'; readonly response: unknown }
  /** The function ran and failed (threw, timed out, crashed). */
  | { readonly kind: 'functionError'; readonly errorType: string; readonly errorMessage: string }
  /** The batch never reached the function: throttled, or the invoke itself failed. */
  | { readonly kind: 'throttled'; readonly reason: string };

/** A batch on its way through retries and splits. */
export interface BatchAttempt<R extends StreamRecordMeta> {
  readonly records: readonly R[];
  /** Failed invocations counted against `maximumRetryAttempts`. */
  readonly retries: number;
  /** Times these records reached the function (AWS's `approximateInvokeCount`). */
  readonly invokeCount: number;
  /** Consecutive throttles, for the backoff only. */
  readonly throttles: number;
  /** The last invocation's outcome, for the on-failure record. */
  readonly lastOutcome?: InvocationOutcome;
}

export function freshBatch<R extends StreamRecordMeta>(records: readonly R[]): BatchAttempt<R> {
  return { records, retries: 0, invokeCount: 0, throttles: 0 };
}

export type DiscardCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

export interface StreamBatchDecision<R extends StreamRecordMeta> {
  readonly kind: 'success' | 'partial-success' | 'retry' | 'bisect' | 'discard' | 'throttled';
  /** The leading records now done; checkpoint after the last of them. */
  readonly succeeded: readonly R[];
  /** Records given up on (with their attempt history): to the on-failure destination, then checkpoint past. */
  readonly discarded?: BatchAttempt<R>;
  readonly condition?: DiscardCondition;
  /** Batches to invoke next, in order, before any further record of the shard. */
  readonly next: readonly BatchAttempt<R>[];
  /** Pause before the next invocation. */
  readonly wait: 'none' | 'retry' | 'throttle';
}

/** Screens a batch for records older than the record age limit, just before it is invoked. */
export function screenRecordAge<R extends StreamRecordMeta>(
  batch: BatchAttempt<R>,
  nowMs: number,
  config: StreamMappingConfig,
): { readonly expired: readonly R[]; readonly batch?: BatchAttempt<R> } {
  const limit =
    config.maximumRecordAgeInSeconds === -1 ? STREAM_RETENTION_SECONDS : config.maximumRecordAgeInSeconds;
  const nowSeconds = nowMs / 1000;
  // A shard is in creation order, so the expired records are the leading ones.
  let count = 0;
  while (count < batch.records.length) {
    const record = batch.records[count];
    if (record === undefined || nowSeconds - record.approximateCreationDateTime <= limit) break;
    count += 1;
  }
  if (count === 0) return { expired: [], batch };
  const rest = batch.records.slice(count);
  return {
    expired: batch.records.slice(0, count),
    batch: rest.length > 0 ? { ...batch, records: rest } : undefined,
  };
}

/**
 * The next step after an invocation, by AWS's rules:
 * - success: checkpoint after the last record;
 * - with ReportBatchItemFailures, an absent, null or empty `batchItemFailures` is full success; an entry
 *   whose `itemIdentifier` is missing, null, empty or not in the batch fails the whole batch; otherwise the
 *   records before the lowest failed sequence number are done and the retry starts from it;
 * - a failure retries the batch (immediately-ish, with a short backoff) until `maximumRetryAttempts`
 *   retries have failed, then the batch goes to the on-failure destination and the shard moves on;
 * - with BisectBatchOnFunctionError, a failed batch of two or more records is split in two and each half is
 *   retried on its own, the first half first. Splitting does not consume the retry quota: each split
 *   batch starts with its own retry count, so only a batch that cannot be split any further (one record)
 *   spends retries. A partial batch response is "bisected" at the failed item: the retry of the rest is
 *   likewise a new split batch. (A failure at the very first item is no progress and bisects as an error.)
 * - throttling (or any failure to invoke) retries later and counts as no attempt; only the record age
 *   limit ends it.
 */
export function decideAfterInvocation<R extends StreamRecordMeta>(
  batch: BatchAttempt<R>,
  outcome: InvocationOutcome,
  config: StreamMappingConfig,
): StreamBatchDecision<R> {
  if (outcome.kind === 'throttled') {
    const next = { ...batch, throttles: batch.throttles + 1, lastOutcome: outcome };
    return { kind: 'throttled', succeeded: [], next: [next], wait: 'throttle' };
  }
  const invoked: BatchAttempt<R> = {
    ...batch,
    invokeCount: batch.invokeCount + 1,
    throttles: 0,
    lastOutcome: outcome,
  };
  if (outcome.kind === 'functionError') return decideOnFailure(invoked, config);
  if (!config.reportBatchItemFailures) return fullSuccess(invoked);

  const report = readBatchItemFailures(outcome.response, invoked.records);
  if (report.kind === 'none') return fullSuccess(invoked);
  if (report.kind === 'invalid' || report.firstFailedIndex === 0) return decideOnFailure(invoked, config);

  const succeeded = invoked.records.slice(0, report.firstFailedIndex);
  const rest = invoked.records.slice(report.firstFailedIndex);
  if (config.bisectBatchOnFunctionError) {
    const split: BatchAttempt<R> = { ...invoked, records: rest, retries: 0 };
    return { kind: 'partial-success', succeeded, next: [split], wait: 'retry' };
  }
  const retried: BatchAttempt<R> = { ...invoked, records: rest, retries: invoked.retries + 1 };
  if (retriesExhausted(retried, config)) {
    return {
      kind: 'discard',
      succeeded,
      discarded: retried,
      condition: 'RetryAttemptsExhausted',
      next: [],
      wait: 'none',
    };
  }
  return { kind: 'partial-success', succeeded, next: [retried], wait: 'retry' };
}

function fullSuccess<R extends StreamRecordMeta>(batch: BatchAttempt<R>): StreamBatchDecision<R> {
  return { kind: 'success', succeeded: batch.records, next: [], wait: 'none' };
}

function decideOnFailure<R extends StreamRecordMeta>(
  batch: BatchAttempt<R>,
  config: StreamMappingConfig,
): StreamBatchDecision<R> {
  if (config.bisectBatchOnFunctionError && batch.records.length > 1) {
    const middle = Math.ceil(batch.records.length / 2);
    const first: BatchAttempt<R> = { ...batch, records: batch.records.slice(0, middle), retries: 0 };
    const second: BatchAttempt<R> = { ...batch, records: batch.records.slice(middle), retries: 0 };
    return { kind: 'bisect', succeeded: [], next: [first, second], wait: 'retry' };
  }
  const retried: BatchAttempt<R> = { ...batch, retries: batch.retries + 1 };
  if (retriesExhausted(retried, config)) {
    return {
      kind: 'discard',
      succeeded: [],
      discarded: retried,
      condition: 'RetryAttemptsExhausted',
      next: [],
      wait: 'none',
    };
  }
  return { kind: 'retry', succeeded: [], next: [retried], wait: 'retry' };
}

function retriesExhausted<R extends StreamRecordMeta>(
  batch: BatchAttempt<R>,
  config: StreamMappingConfig,
): boolean {
  return config.maximumRetryAttempts !== -1 && batch.retries > config.maximumRetryAttempts;
}

export type BatchItemFailureReport =
  | { readonly kind: 'none' }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'failed'; readonly firstFailedIndex: number };

/**
 * Reads a partial batch response. A response that is not an object (nothing, a string) carries no report
 * and so is full success, like an empty one.
 */
export function readBatchItemFailures(
  response: unknown,
  records: readonly StreamRecordMeta[],
): BatchItemFailureReport {
  if (typeof response !== 'object' || response === null || Array.isArray(response)) return { kind: 'none' };
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'none' };
  if (!Array.isArray(failures)) return { kind: 'invalid' };
  if (failures.length === 0) return { kind: 'none' };
  const indexBySequence = new Map(records.map((record, index) => [record.sequenceNumber, index]));
  let firstFailedIndex = Number.POSITIVE_INFINITY;
  for (const failure of failures as unknown[]) {
    const identifier =
      typeof failure === 'object' && failure !== null
        ? (failure as { itemIdentifier?: unknown }).itemIdentifier
        : undefined;
    if (typeof identifier !== 'string' || identifier === '') return { kind: 'invalid' };
    const index = indexBySequence.get(identifier);
    if (index === undefined) return { kind: 'invalid' };
    // The batch is in sequence order, so the lowest index is the lowest failed sequence number.
    firstFailedIndex = Math.min(firstFailedIndex, index);
  }
  return { kind: 'failed', firstFailedIndex };
}

/** How long to pause before the next invocation of a shard. */
export function backoffMs<R extends StreamRecordMeta>(
  batch: BatchAttempt<R>,
  wait: StreamBatchDecision<R>['wait'],
): number {
  if (wait === 'none') return 0;
  if (wait === 'throttle') {
    const exponent = Math.min(Math.max(batch.throttles - 1, 0), 10);
    return Math.min(THROTTLE_BACKOFF_BASE_MS * 2 ** exponent, THROTTLE_BACKOFF_MAX_MS);
  }
  const exponent = Math.min(Math.max(batch.retries - 1, 0), 10);
  return Math.min(RETRY_BACKOFF_BASE_MS * 2 ** exponent, RETRY_BACKOFF_MAX_MS);
}
