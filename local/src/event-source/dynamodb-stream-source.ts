/**
 * A DynamoDB Streams event source mapping: polls every shard of a stream, batches the records and invokes
 * the function with AWS's event shape, one batch per shard at a time, in order. The rules for what happens
 * after each invocation live in `stream-batch-policy.ts`.
 */
import { randomUUID } from 'node:crypto';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type AttributeValue,
  type DynamoDBStreamsClient,
  type _Record as StreamsApiRecord,
  type Shard,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import { AwsServiceError, LOCAL_REGION, localArn } from '../aws-protocol';
import type { FunctionError, LambdaInvoker } from '../lambda/invoker';
import {
  backoffMs,
  batchReadyAtMs,
  decideAfterInvocation,
  freshBatch,
  passesFilters,
  resolveStreamMappingConfig,
  screenRecordAge,
  takeBatch,
  type BatchAttempt,
  type DiscardCondition,
  type InvocationOutcome,
  type StreamMappingConfig,
  type StreamMappingConfigInput,
  type StreamRecordMeta,
} from './stream-batch-policy';

export type StreamStartingPosition = 'LATEST' | 'TRIM_HORIZON';

export interface DynamoDbStreamSourceConfig extends StreamMappingConfigInput {
  readonly startingPosition: StreamStartingPosition;
}

/** An attribute value as it appears in the Lambda event (binary as base64). */
export type EventAttributeValue =
  | { readonly S: string }
  | { readonly N: string }
  | { readonly B: string }
  | { readonly SS: readonly string[] }
  | { readonly NS: readonly string[] }
  | { readonly BS: readonly string[] }
  | { readonly M: Readonly<Record<string, EventAttributeValue>> }
  | { readonly L: readonly EventAttributeValue[] }
  | { readonly NULL: boolean }
  | { readonly BOOL: boolean };

export type EventItem = Readonly<Record<string, EventAttributeValue>>;

/** One record of the Lambda event, as AWS delivers it. */
export interface DynamoDbStreamEventRecord {
  readonly eventID: string;
  readonly eventName: string;
  readonly eventVersion: '1.1';
  readonly eventSource: 'aws:dynamodb';
  readonly awsRegion: string;
  readonly dynamodb: {
    /** Epoch seconds (the Streams API gives a date). */
    readonly ApproximateCreationDateTime: number;
    readonly Keys: EventItem;
    readonly NewImage?: EventItem;
    readonly OldImage?: EventItem;
    readonly SequenceNumber: string;
    readonly SizeBytes: number;
    readonly StreamViewType: string;
  };
  readonly eventSourceARN: string;
  /** Present for deletions made by Time to Live. */
  readonly userIdentity?: { readonly type: string; readonly principalId: string };
}

export interface DynamoDbStreamEvent {
  readonly Records: readonly DynamoDbStreamEventRecord[];
}

/** AWS's invocation record for discarded stream records, as sent to an on-failure destination. */
export interface StreamOnFailureRecord {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: DiscardCondition;
    readonly approximateInvokeCount: number;
  };
  /** Absent when the records never reached the function (throttled throughout, or too old at once). */
  readonly responseContext?: {
    readonly statusCode: number;
    readonly executedVersion: string;
    readonly functionError?: string;
  };
  readonly version: '1.0';
  readonly timestamp: string;
  readonly DDBStreamBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    readonly approximateArrivalOfFirstRecord: string;
    readonly approximateArrivalOfLastRecord: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
}

export interface StreamSourceErrorContext {
  /** What was being done: `DescribeStream`, `GetShardIterator`, `GetRecords`, `Invoke`, `OnFailure`. */
  readonly operation: string;
  readonly shardId?: string;
}

export interface Clock {
  now(): number;
}

export interface DynamoDbStreamSourceOptions {
  readonly streamsClient: DynamoDBStreamsClient;
  readonly streamArn: string;
  readonly functionName: string;
  readonly eventSourceMappingUuid: string;
  readonly eventSourceMappingArn?: string;
  readonly invoker: LambdaInvoker;
  readonly config: DynamoDbStreamSourceConfig;
  /** Receives the invocation record of discarded batches (the caller sends it on, e.g. to SQS). */
  readonly onFailure?: (failure: StreamOnFailureRecord) => Promise<void>;
  /** Errors that do not stop the mapping (reading, invoking, the on-failure destination). */
  readonly onError?: (error: Error, context: StreamSourceErrorContext) => void;
  /**
   * Fault injection: asked before each invocation; an error fails the batch as a function error would
   * (retries, bisection, on-failure destination), without running the function.
   */
  readonly beforeInvoke?: () => FunctionError | undefined;
  /** Pause between reads of a shard that had nothing new. */
  readonly pollIntervalMs?: number;
  /** Pause between listings of the stream's shards, to find new ones. */
  readonly shardDiscoveryIntervalMs?: number;
  /** The region the event reports (DynamoDB Local reports its own pseudo-region). */
  readonly region?: string;
  /** The ARN the event reports as `eventSourceARN`; the stream ARN by default. */
  readonly eventSourceArn?: string;
  readonly clock?: Clock;
}

export type ShardStatus = 'waiting-for-parent' | 'polling' | 'finished';

export interface StreamShardStats {
  readonly shardId: string;
  readonly parentShardId?: string;
  readonly status: ShardStatus;
  /** Every record of the shard up to and including this one is done with. */
  readonly checkpointSequenceNumber?: string;
  readonly lastReadSequenceNumber?: string;
  /** Records read and not yet done with, including the batch being invoked. */
  readonly pending: number;
  readonly invoking: boolean;
  /** Invocations that reached the function. */
  readonly batches: number;
  /** Invocations that failed (function error or reported item failures). */
  readonly failures: number;
  readonly throttles: number;
  readonly discarded: number;
  readonly filteredOut: number;
  readonly lastError?: string;
}

export interface DynamoDbStreamSourceStats {
  readonly eventSourceMappingUuid: string;
  readonly eventSourceMappingArn?: string;
  readonly streamArn: string;
  readonly functionName: string;
  readonly state: 'Enabled' | 'Disabled';
  readonly lastError?: string;
  readonly shards: readonly StreamShardStats[];
}

interface PendingRecord extends StreamRecordMeta {
  readonly event: DynamoDbStreamEventRecord;
  /** The record read just before this one (filtered out or not): the checkpoint while this one is undone. */
  readonly previousSequenceNumber?: string;
  readonly arrivedAtMs: number;
}

interface ShardState {
  readonly shardId: string;
  readonly parentShardId?: string;
  status: ShardStatus;
  readonly startingPosition: StreamStartingPosition;
  iterator?: string;
  /** Where a new iterator must start when the current one is lost and nothing has been read yet. */
  restartFromTrimHorizon: boolean;
  endOfShard: boolean;
  lastReadSequenceNumber?: string;
  checkpointSequenceNumber?: string;
  /** Records that passed the filters and wait for a batch. */
  pending: PendingRecord[];
  /** Batches being retried or split, invoked before any pending record. */
  queue: BatchAttempt<PendingRecord>[];
  invoking?: BatchAttempt<PendingRecord>;
  lastInvocationEndMs: number;
  worker?: Promise<void>;
  batches: number;
  failures: number;
  throttles: number;
  discarded: number;
  filteredOut: number;
  lastError?: string;
}

type ReadResult = 'records' | 'nothing' | 'failed';

const DEFAULT_POLL_INTERVAL_MS = 250;
const DEFAULT_SHARD_DISCOVERY_INTERVAL_MS = 1_000;
const ERROR_BACKOFF_MS = 1_000;
const GET_RECORDS_MAX_LIMIT = 1_000;
const INVOKE_TRIGGER = 'dynamodb-stream';

export class DynamoDbStreamSource {
  private readonly config: StreamMappingConfig;
  private readonly startingPosition: StreamStartingPosition;
  private readonly clock: Clock;
  private readonly pollIntervalMs: number;
  private readonly discoveryIntervalMs: number;
  private readonly shards = new Map<string, ShardState>();
  private running = false;
  private abort = new AbortController();
  private discovery?: Promise<void>;
  private started?: Promise<void>;
  /** Whether the shards have been listed once: only those of the first listing use `startingPosition`. */
  private listedOnce = false;
  private lastError?: string;

  constructor(private readonly options: DynamoDbStreamSourceOptions) {
    // Throws on what AWS (or the local cloud) would reject, so a bad mapping fails at load.
    this.config = resolveStreamMappingConfig(options.config);
    this.startingPosition = options.config.startingPosition;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.discoveryIntervalMs = options.shardDiscoveryIntervalMs ?? DEFAULT_SHARD_DISCOVERY_INTERVAL_MS;
  }

  /**
   * Starts polling. Resolves once the shards are listed and their first iterators taken, so that with
   * LATEST every record written afterwards is delivered. Starting again after `stop()` resumes where the
   * mapping left off.
   */
  start(): Promise<void> {
    if (this.running && this.started) return this.started;
    this.running = true;
    this.abort = new AbortController();
    const signal = this.abort.signal;
    const firstPass = this.discoverShards(signal).then(() => {
      if (signal.aborted) return;
      for (const shard of this.shards.values()) {
        if (shard.status === 'polling' && shard.worker === undefined) this.launch(shard, signal);
      }
      this.activateReadyShards(signal);
    });
    this.started = firstPass;
    this.discovery = firstPass.then(() => this.runDiscovery(signal));
    return firstPass;
  }

  /** Stops promptly: pending reads and pauses are cut short; an invocation under way is waited for. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort.abort();
    const workers = [...this.shards.values()].map((shard) => shard.worker);
    await Promise.all([this.discovery, ...workers]);
    for (const shard of this.shards.values()) shard.worker = undefined;
    this.started = undefined;
  }

  stats(): DynamoDbStreamSourceStats {
    return {
      eventSourceMappingUuid: this.options.eventSourceMappingUuid,
      eventSourceMappingArn: this.options.eventSourceMappingArn,
      streamArn: this.options.streamArn,
      functionName: this.options.functionName,
      state: this.running ? 'Enabled' : 'Disabled',
      lastError: this.lastError,
      shards: [...this.shards.values()].map((shard) => ({
        shardId: shard.shardId,
        parentShardId: shard.parentShardId,
        status: shard.status,
        checkpointSequenceNumber: shard.checkpointSequenceNumber,
        lastReadSequenceNumber: shard.lastReadSequenceNumber,
        pending: undoneRecords(shard).length,
        invoking: shard.invoking !== undefined,
        batches: shard.batches,
        failures: shard.failures,
        throttles: shard.throttles,
        discarded: shard.discarded,
        filteredOut: shard.filteredOut,
        lastError: shard.lastError,
      })),
    };
  }

  // --- Shards -------------------------------------------------------------------------------------------

  private async runDiscovery(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.discoveryIntervalMs, signal);
      if (signal.aborted) return;
      await this.discoverShards(signal);
      this.activateReadyShards(signal);
    }
  }

  /**
   * Lists every shard (following `LastEvaluatedShardId`). Shards there at the first listing start at the
   * configured position; later ones are children of closed shards and are read from their start, or
   * records would be lost. With LATEST, shards already closed at the first listing have nothing to give.
   */
  private async discoverShards(signal: AbortSignal): Promise<void> {
    let listed: Shard[];
    try {
      listed = await this.listShards(signal);
    } catch (error) {
      if (!signal.aborted) this.reportError(error, { operation: 'DescribeStream' });
      return;
    }
    const initial = !this.listedOnce;
    this.listedOnce = true;
    const added: ShardState[] = [];
    for (const shard of listed) {
      if (shard.ShardId === undefined || this.shards.has(shard.ShardId)) continue;
      const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
      const startingPosition = initial ? this.startingPosition : 'TRIM_HORIZON';
      const state = newShardState(shard.ShardId, shard.ParentShardId, startingPosition);
      if (initial && startingPosition === 'LATEST' && closed) state.status = 'finished';
      this.shards.set(state.shardId, state);
      added.push(state);
    }
    if (!initial) return;
    // Take the LATEST iterators now, before start() resolves.
    await Promise.all(
      added
        .filter((shard) => shard.status !== 'finished')
        .map(async (shard) => {
          try {
            await this.acquireIterator(shard, signal);
          } catch (error) {
            if (!signal.aborted) this.recordShardError(shard, error, 'GetShardIterator');
          }
        }),
    );
  }

  private async listShards(signal: AbortSignal): Promise<Shard[]> {
    const shards: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const output = await this.options.streamsClient.send(
        new DescribeStreamCommand({
          StreamArn: this.options.streamArn,
          ExclusiveStartShardId: exclusiveStartShardId,
        }),
        { abortSignal: signal },
      );
      shards.push(...(output.StreamDescription?.Shards ?? []));
      exclusiveStartShardId = output.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId !== undefined);
    return shards;
  }

  /** A shard is read once its parent is done with (or gone from the stream), so keys stay in order. */
  private activateReadyShards(signal: AbortSignal): void {
    if (signal.aborted) return;
    for (const shard of this.shards.values()) {
      if (shard.status !== 'waiting-for-parent') continue;
      const parent = shard.parentShardId === undefined ? undefined : this.shards.get(shard.parentShardId);
      if (parent !== undefined && parent.status !== 'finished') continue;
      shard.status = 'polling';
      this.launch(shard, signal);
    }
  }

  private launch(shard: ShardState, signal: AbortSignal): void {
    shard.worker = this.runShard(shard, signal);
  }

  private async runShard(shard: ShardState, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let waitMs: number | 'finished';
      try {
        waitMs = await this.step(shard, signal);
      } catch (error) {
        // Not expected (each step handles its own errors), but a shard must not stop silently.
        this.recordShardError(shard, error, 'PollShard');
        waitMs = ERROR_BACKOFF_MS;
      }
      if (waitMs === 'finished') {
        shard.status = 'finished';
        this.activateReadyShards(signal);
        return;
      }
      await sleep(waitMs, signal);
    }
  }

  /** One move of a shard: invoke the next batch, or read more records. Returns how long to pause. */
  private async step(shard: ShardState, signal: AbortSignal): Promise<number | 'finished'> {
    const queued = shard.queue.shift();
    if (queued !== undefined) {
      await this.invokeBatch(shard, queued, signal);
      return 0;
    }
    let read: ReadResult = 'nothing';
    if (!shard.endOfShard && shard.pending.length < this.config.batchSize) {
      read = await this.read(shard, signal);
      if (read === 'failed') return ERROR_BACKOFF_MS;
    }
    const now = this.clock.now();
    const first = shard.pending[0];
    const windowOpenedAtMs = Math.max(first?.arrivedAtMs ?? now, shard.lastInvocationEndMs);
    const readyAtMs = batchReadyAtMs(shard.pending, windowOpenedAtMs, shard.endOfShard, this.config);
    if (readyAtMs !== undefined && now >= readyAtMs) {
      const records = takeBatch(shard.pending, this.config);
      shard.pending.splice(0, records.length);
      shard.queue.push(freshBatch(records));
      return 0;
    }
    if (shard.endOfShard && shard.pending.length === 0) return 'finished';
    // Records came in: there may be more waiting right away.
    if (read === 'records') return 0;
    return readyAtMs === undefined ? this.pollIntervalMs : Math.min(this.pollIntervalMs, readyAtMs - now);
  }

  // --- Reading ------------------------------------------------------------------------------------------

  private async acquireIterator(shard: ShardState, signal: AbortSignal): Promise<void> {
    const after = shard.lastReadSequenceNumber;
    const type: ShardIteratorType =
      after !== undefined
        ? 'AFTER_SEQUENCE_NUMBER'
        : shard.restartFromTrimHorizon
          ? 'TRIM_HORIZON'
          : shard.startingPosition;
    const output = await this.options.streamsClient.send(
      new GetShardIteratorCommand({
        StreamArn: this.options.streamArn,
        ShardId: shard.shardId,
        ShardIteratorType: type,
        SequenceNumber: after,
      }),
      { abortSignal: signal },
    );
    if (output.ShardIterator === undefined) {
      // Nothing to read: the shard is closed and past its end.
      shard.endOfShard = true;
      return;
    }
    shard.iterator = output.ShardIterator;
  }

  /** Reads once from the shard. */
  private async read(shard: ShardState, signal: AbortSignal): Promise<ReadResult> {
    if (shard.iterator === undefined) {
      try {
        await this.acquireIterator(shard, signal);
      } catch (error) {
        if (signal.aborted || recoverPosition(shard, error)) return 'nothing';
        this.recordShardError(shard, error, 'GetShardIterator');
        return 'failed';
      }
      if (shard.iterator === undefined) return 'nothing';
    }
    const limit = Math.min(GET_RECORDS_MAX_LIMIT, Math.max(1, this.config.batchSize - shard.pending.length));
    let output;
    try {
      output = await this.options.streamsClient.send(
        new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: limit }),
        { abortSignal: signal },
      );
    } catch (error) {
      if (signal.aborted || recoverPosition(shard, error)) return 'nothing';
      this.recordShardError(shard, error, 'GetRecords');
      return 'failed';
    }
    const now = this.clock.now();
    const records = output.Records ?? [];
    for (const raw of records) {
      const event = this.toEventRecord(raw);
      const previousSequenceNumber = shard.lastReadSequenceNumber;
      shard.lastReadSequenceNumber = event.dynamodb.SequenceNumber;
      if (!passesFilters(this.config.filterPatterns, event)) {
        shard.filteredOut += 1;
        continue;
      }
      shard.pending.push({
        event,
        sequenceNumber: event.dynamodb.SequenceNumber,
        approximateCreationDateTime: ageReferenceSeconds(event.dynamodb.ApproximateCreationDateTime, now),
        payloadBytes: Buffer.byteLength(JSON.stringify(event)),
        previousSequenceNumber,
        arrivedAtMs: now,
      });
    }
    // No next iterator: the shard is closed and read to its end.
    shard.iterator = output.NextShardIterator;
    if (output.NextShardIterator === undefined) shard.endOfShard = true;
    advanceCheckpoint(shard);
    return records.length > 0 ? 'records' : 'nothing';
  }

  private toEventRecord(raw: StreamsApiRecord): DynamoDbStreamEventRecord {
    const stream = raw.dynamodb ?? {};
    const created = stream.ApproximateCreationDateTime;
    const identity = raw.userIdentity;
    return {
      eventID: raw.eventID ?? randomUUID(),
      eventName: raw.eventName ?? 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: this.options.region ?? LOCAL_REGION,
      dynamodb: {
        ApproximateCreationDateTime:
          created === undefined ? Math.floor(this.clock.now() / 1000) : created.getTime() / 1000,
        Keys: toEventItem(stream.Keys) ?? {},
        ...(stream.NewImage !== undefined && { NewImage: toEventItem(stream.NewImage) }),
        ...(stream.OldImage !== undefined && { OldImage: toEventItem(stream.OldImage) }),
        SequenceNumber: stream.SequenceNumber ?? '',
        SizeBytes: stream.SizeBytes ?? 0,
        StreamViewType: stream.StreamViewType ?? 'KEYS_ONLY',
      },
      eventSourceARN: this.options.eventSourceArn ?? this.options.streamArn,
      ...(identity?.Type !== undefined &&
        identity.PrincipalId !== undefined && {
          userIdentity: { type: identity.Type, principalId: identity.PrincipalId },
        }),
    };
  }

  // --- Invoking -----------------------------------------------------------------------------------------

  private async invokeBatch(
    shard: ShardState,
    queued: BatchAttempt<PendingRecord>,
    signal: AbortSignal,
  ): Promise<void> {
    const screened = screenRecordAge(queued, this.clock.now(), this.config);
    if (screened.expired.length > 0) {
      await this.discard(shard, { ...queued, records: screened.expired }, 'RecordAgeExceeded', signal);
    }
    const batch = screened.batch;
    if (batch === undefined) {
      advanceCheckpoint(shard);
      return;
    }

    shard.invoking = batch;
    const outcome = await this.invoke(shard, batch);
    shard.invoking = undefined;
    shard.lastInvocationEndMs = this.clock.now();

    const decision = decideAfterInvocation(batch, outcome, this.config);
    if (outcome.kind === 'throttled') shard.throttles += 1;
    else shard.batches += 1;
    if (decision.kind !== 'success' && outcome.kind !== 'throttled') shard.failures += 1;
    if (decision.discarded !== undefined && decision.condition !== undefined) {
      await this.discard(shard, decision.discarded, decision.condition, signal);
    }
    shard.queue.unshift(...decision.next);
    advanceCheckpoint(shard);
    const following = decision.next[0];
    if (following !== undefined) await sleep(backoffMs(following, decision.wait), signal);
  }

  private async invoke(shard: ShardState, batch: BatchAttempt<PendingRecord>): Promise<InvocationOutcome> {
    const event: DynamoDbStreamEvent = { Records: batch.records.map((record) => record.event) };
    const injected = this.options.beforeInvoke?.();
    if (injected !== undefined) {
      shard.lastError = `${injected.errorType}: ${injected.errorMessage}`;
      return { kind: 'functionError', errorType: injected.errorType, errorMessage: injected.errorMessage };
    }
    try {
      const result = await this.options.invoker.invoke(this.options.functionName, event, {
        trigger: INVOKE_TRIGGER,
      });
      if (result.functionError !== undefined) {
        shard.lastError = `${result.functionError.errorType}: ${result.functionError.errorMessage}`;
        return {
          kind: 'functionError',
          errorType: result.functionError.errorType,
          errorMessage: result.functionError.errorMessage,
        };
      }
      return { kind: 'success', response: result.payload };
    } catch (error) {
      // Throttled, or the invoke itself failed: the batch never reached the function.
      const throttled = error instanceof AwsServiceError && error.code === 'TooManyRequestsException';
      if (!throttled) this.recordShardError(shard, error, 'Invoke');
      return { kind: 'throttled', reason: errorMessage(error) };
    }
  }

  /** Hands discarded records to the on-failure destination, retrying it until it takes them or we stop. */
  private async discard(
    shard: ShardState,
    batch: BatchAttempt<PendingRecord>,
    condition: DiscardCondition,
    signal: AbortSignal,
  ): Promise<void> {
    shard.discarded += batch.records.length;
    const send = this.options.onFailure;
    if (send === undefined) return;
    const record = this.onFailureRecord(shard, batch, condition);
    for (let attempt = 1; ; attempt += 1) {
      try {
        await send(record);
        return;
      } catch (error) {
        this.recordShardError(shard, error, 'OnFailure');
        if (signal.aborted) return;
        await sleep(Math.min(ERROR_BACKOFF_MS * attempt, 10_000), signal);
        if (signal.aborted) return;
      }
    }
  }

  private onFailureRecord(
    shard: ShardState,
    batch: BatchAttempt<PendingRecord>,
    condition: DiscardCondition,
  ): StreamOnFailureRecord {
    const first = batch.records[0];
    const last = batch.records[batch.records.length - 1];
    const outcome = batch.lastOutcome;
    const functionName = this.options.functionName;
    return {
      requestContext: {
        requestId: randomUUID(),
        functionArn: functionName.startsWith('arn:')
          ? functionName
          : localArn('lambda', `function:${functionName}`),
        condition,
        approximateInvokeCount: batch.invokeCount,
      },
      ...(outcome !== undefined &&
        outcome.kind !== 'throttled' && {
          responseContext: {
            statusCode: 200,
            executedVersion: '$LATEST',
            ...(outcome.kind === 'functionError' && { functionError: 'Unhandled' }),
          },
        }),
      version: '1.0',
      timestamp: new Date(this.clock.now()).toISOString(),
      DDBStreamBatchInfo: {
        shardId: shard.shardId,
        startSequenceNumber: first?.sequenceNumber ?? '',
        endSequenceNumber: last?.sequenceNumber ?? '',
        approximateArrivalOfFirstRecord: epochSecondsToIso(first?.event.dynamodb.ApproximateCreationDateTime),
        approximateArrivalOfLastRecord: epochSecondsToIso(last?.event.dynamodb.ApproximateCreationDateTime),
        batchSize: batch.records.length,
        streamArn: this.options.eventSourceArn ?? this.options.streamArn,
      },
    };
  }

  // --- Errors -------------------------------------------------------------------------------------------

  private recordShardError(shard: ShardState, error: unknown, operation: string): void {
    shard.lastError = `${operation}: ${errorMessage(error)}`;
    this.reportError(error, { operation, shardId: shard.shardId });
  }

  private reportError(error: unknown, context: StreamSourceErrorContext): void {
    this.lastError = `${context.operation}: ${errorMessage(error)}`;
    try {
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)), context);
    } catch {
      // A failing error listener must not stop the polling it reports on.
    }
  }
}

function newShardState(
  shardId: string,
  parentShardId: string | undefined,
  startingPosition: StreamStartingPosition,
): ShardState {
  return {
    shardId,
    parentShardId,
    status: 'waiting-for-parent',
    startingPosition,
    restartFromTrimHorizon: false,
    endOfShard: false,
    pending: [],
    queue: [],
    lastInvocationEndMs: 0,
    batches: 0,
    failures: 0,
    throttles: 0,
    discarded: 0,
    filteredOut: 0,
  };
}

function undoneRecords(shard: ShardState): PendingRecord[] {
  return [
    ...(shard.invoking?.records ?? []),
    ...shard.queue.flatMap((batch) => batch.records),
    ...shard.pending,
  ];
}

/** Moves the checkpoint to just before the first record not yet done with (or to the last read). */
function advanceCheckpoint(shard: ShardState): void {
  const firstUndone = undoneRecords(shard)[0];
  const checkpoint =
    firstUndone === undefined ? shard.lastReadSequenceNumber : firstUndone.previousSequenceNumber;
  if (checkpoint !== undefined) shard.checkpointSequenceNumber = checkpoint;
}

function toEventItem(item: Record<string, AttributeValue> | undefined): EventItem | undefined {
  if (item === undefined) return undefined;
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, toEventValue(value)]));
}

/** The SDK hands binary as bytes; the Lambda event carries base64, as on the wire. */
function toEventValue(value: AttributeValue): EventAttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.BS !== undefined) return { BS: value.BS.map((bytes) => Buffer.from(bytes).toString('base64')) };
  if (value.M !== undefined) return { M: toEventItem(value.M) ?? {} };
  if (value.L !== undefined) return { L: value.L.map(toEventValue) };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  return { NULL: true };
}

/**
 * The creation time the record age is measured from. DynamoDB Local rounds ApproximateCreationDateTime
 * down to the minute (AWS: to the second), which would age a record by up to a minute at birth and
 * discard it early; the record was made in that minute and before it was read, so take the latest time
 * both allow.
 */
function ageReferenceSeconds(approximateCreationDateTime: number, readAtMs: number): number {
  const minuteLater = approximateCreationDateTime + 60;
  return Math.max(approximateCreationDateTime, Math.min(minuteLater, readAtMs / 1000));
}

function epochSecondsToIso(seconds: number | undefined): string {
  return new Date((seconds ?? 0) * 1000).toISOString();
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Drops a shard's iterator when the error means its position is lost, so that the next read takes a new
 * one; false for other errors.
 */
function recoverPosition(shard: ShardState, error: unknown): boolean {
  const name = errorName(error);
  // An iterator left unused for 15 minutes expires (a shard blocked on retries), and one the engine no
  // longer accepts is answered "Invalid ShardIterator": take a new one after the last record read.
  if (
    name === 'ExpiredIteratorException' ||
    (name === 'ValidationException' && /shard ?iterator/i.test(errorMessage(error)))
  ) {
    shard.iterator = undefined;
    return true;
  }
  // What was not read yet is gone: go on from the oldest record still there.
  if (name === 'TrimmedDataAccessException') {
    shard.iterator = undefined;
    shard.lastReadSequenceNumber = undefined;
    shard.restartFromTrimHorizon = true;
    return true;
  }
  return false;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
