import {
  backoffMs,
  batchReadyAtMs,
  decideAfterInvocation,
  freshBatch,
  InvalidStreamMappingConfigError,
  MAX_PAYLOAD_BYTES,
  passesFilters,
  resolveStreamMappingConfig,
  screenRecordAge,
  STREAM_RETENTION_SECONDS,
  takeBatch,
  type BatchAttempt,
  type InvocationOutcome,
  type StreamMappingConfig,
  type StreamMappingConfigInput,
  type StreamRecordMeta,
} from '../../../src/event-source/stream-batch-policy';

const NOW_SECONDS = 1_800_000_000;

function record(n: number, approximateCreationDateTime = NOW_SECONDS, payloadBytes = 100): StreamRecordMeta {
  return { sequenceNumber: String(n).padStart(21, '0'), approximateCreationDateTime, payloadBytes };
}

function records(count: number): StreamRecordMeta[] {
  return Array.from({ length: count }, (_, index) => record(index + 1));
}

function config(input: StreamMappingConfigInput = {}): StreamMappingConfig {
  return resolveStreamMappingConfig(input);
}

function sequences(list: readonly StreamRecordMeta[] | undefined): string[] {
  return (list ?? []).map((item) => item.sequenceNumber);
}

const SUCCESS: InvocationOutcome = { kind: 'success', response: null };
const FUNCTION_ERROR: InvocationOutcome = { kind: 'functionError', errorType: 'Error', errorMessage: 'boom' };
const THROTTLED: InvocationOutcome = { kind: 'throttled', reason: 'Rate exceeded' };

function partial(...itemIdentifiers: unknown[]): InvocationOutcome {
  return {
    kind: 'success',
    response: { batchItemFailures: itemIdentifiers.map((itemIdentifier) => ({ itemIdentifier })) },
  };
}

describe('resolveStreamMappingConfig', () => {
  it('applies the AWS defaults', () => {
    // Act
    const resolved = config();

    // Assess
    expect(resolved).toEqual({
      batchSize: 100,
      maximumBatchingWindowInSeconds: 0,
      maximumRetryAttempts: -1,
      maximumRecordAgeInSeconds: -1,
      bisectBatchOnFunctionError: false,
      reportBatchItemFailures: false,
      parallelizationFactor: 1,
      filterPatterns: [],
    });
  });

  it.each<[string, StreamMappingConfigInput]>([
    ['a parallelization factor other than 1', { parallelizationFactor: 2 }],
    ['a batch size of 0', { batchSize: 0 }],
    ['a batch size above 10,000', { batchSize: 10_001 }],
    ['a batching window above 300 s', { maximumBatchingWindowInSeconds: 301 }],
    ['retry attempts below -1', { maximumRetryAttempts: -2 }],
    ['a record age between -1 and 60', { maximumRecordAgeInSeconds: 30 }],
    ['a fractional batch size', { batchSize: 2.5 }],
    ['a filter pattern that is not JSON', { filterCriteria: { Filters: [{ Pattern: '{eventName' }] } }],
    [
      'a filter pattern AWS rejects',
      { filterCriteria: { Filters: [{ Pattern: '{"eventName": "INSERT"}' }] } },
    ],
    ['a filter without a pattern', { filterCriteria: { Filters: [{}] } }],
  ])('rejects %s at load', (_, input) => {
    // Act
    const act = (): StreamMappingConfig => config(input);

    // Assess
    expect(act).toThrow(InvalidStreamMappingConfigError);
  });

  it('parses the filter patterns', () => {
    // Act
    const resolved = config({ filterCriteria: { Filters: [{ Pattern: '{"eventName": ["INSERT"]}' }] } });

    // Assess
    expect(resolved.filterPatterns).toEqual([{ eventName: ['INSERT'] }]);
  });
});

describe('passesFilters', () => {
  const insert = {
    eventName: 'INSERT',
    dynamodb: { Keys: { pk: { S: 'a' } }, NewImage: { pk: { S: 'a' }, kind: { S: 'event' } } },
  };
  const modify = {
    eventName: 'MODIFY',
    dynamodb: { Keys: { pk: { S: 'b' } }, NewImage: { pk: { S: 'b' }, kind: { S: 'snapshot' } } },
  };

  it('keeps every record when there are no filters', () => {
    // Act
    const kept = [insert, modify].filter((event) => passesFilters([], event));

    // Assess
    expect(kept).toEqual([insert, modify]);
  });

  it('matches the pattern against the whole stream record and drops what matches no filter', () => {
    // Prepare
    const { filterPatterns } = config({
      filterCriteria: { Filters: [{ Pattern: '{"dynamodb": {"NewImage": {"kind": {"S": ["event"]}}}}' }] },
    });

    // Act
    const kept = [insert, modify].filter((event) => passesFilters(filterPatterns, event));

    // Assess
    expect(kept).toEqual([insert]);
  });

  it('keeps a record that matches any one of several filters', () => {
    // Prepare
    const { filterPatterns } = config({
      filterCriteria: {
        Filters: [{ Pattern: '{"eventName": ["REMOVE"]}' }, { Pattern: '{"eventName": ["MODIFY"]}' }],
      },
    });

    // Act
    const kept = [insert, modify].filter((event) => passesFilters(filterPatterns, event));

    // Assess
    expect(kept).toEqual([modify]);
  });
});

describe('takeBatch', () => {
  it('takes at most batchSize records, oldest first', () => {
    // Act
    const batch = takeBatch(records(7), config({ batchSize: 3 }));

    // Assess
    expect(sequences(batch)).toEqual(sequences(records(3)));
  });

  it('stops before the invocation payload limit', () => {
    // Prepare
    const third = MAX_PAYLOAD_BYTES / 3;
    const pending = [
      record(1, NOW_SECONDS, third),
      record(2, NOW_SECONDS, third),
      record(3, NOW_SECONDS, third + 1),
    ];

    // Act
    const batch = takeBatch(pending, config());

    // Assess
    expect(batch).toHaveLength(2);
  });

  it('sends an oversized record alone rather than never', () => {
    // Act
    const batch = takeBatch([record(1, NOW_SECONDS, MAX_PAYLOAD_BYTES + 1), record(2)], config());

    // Assess
    expect(batch).toHaveLength(1);
  });
});

describe('batchReadyAtMs', () => {
  const opened = 50_000;

  it('has nothing to wait for while no record waits', () => {
    // Act
    const readyAt = batchReadyAtMs([], opened, false, config({ maximumBatchingWindowInSeconds: 5 }));

    // Assess
    expect(readyAt).toBeUndefined();
  });

  it('is ready at once without a batching window', () => {
    // Act
    const readyAt = batchReadyAtMs(records(1), opened, false, config());

    // Assess
    expect(readyAt).toBe(opened);
  });

  it('waits for the batching window while the batch is not full', () => {
    // Act
    const readyAt = batchReadyAtMs(records(2), opened, false, config({ maximumBatchingWindowInSeconds: 5 }));

    // Assess
    expect(readyAt).toBe(opened + 5_000);
  });

  it.each([
    ['the batch is full', records(3), false],
    ['the shard has nothing more', records(1), true],
  ])('is ready at once when %s', (_, pending, endOfShard) => {
    // Act
    const readyAt = batchReadyAtMs(
      pending,
      opened,
      endOfShard,
      config({ batchSize: 3, maximumBatchingWindowInSeconds: 5 }),
    );

    // Assess
    expect(readyAt).toBe(opened);
  });
});

describe('decideAfterInvocation', () => {
  it('checkpoints after the whole batch on success', () => {
    // Prepare
    const batch = freshBatch(records(3));

    // Act
    const decision = decideAfterInvocation(batch, SUCCESS, config());

    // Assess
    expect(decision.kind).toBe('success');
    expect(sequences(decision.succeeded)).toEqual(sequences(records(3)));
    expect(decision.next).toEqual([]);
    expect(decision.discarded).toBeUndefined();
  });

  it('ignores a partial batch response unless ReportBatchItemFailures is on', () => {
    // Prepare
    const batch = freshBatch(records(3));

    // Act
    const decision = decideAfterInvocation(batch, partial(record(2).sequenceNumber), config());

    // Assess
    expect(decision.kind).toBe('success');
    expect(decision.succeeded).toHaveLength(3);
  });

  it.each<[string, unknown]>([
    ['no response', undefined],
    ['a null response', null],
    ['an empty response', {}],
    ['a null batchItemFailures', { batchItemFailures: null }],
    ['an empty batchItemFailures', { batchItemFailures: [] }],
  ])('treats %s as full success', (_, response) => {
    // Prepare
    const batch = freshBatch(records(3));

    // Act
    const decision = decideAfterInvocation(
      batch,
      { kind: 'success', response },
      config({ reportBatchItemFailures: true }),
    );

    // Assess
    expect(decision.kind).toBe('success');
    expect(decision.succeeded).toHaveLength(3);
  });

  it('checkpoints before the lowest failed sequence number and retries from it', () => {
    // Prepare
    const batch = freshBatch(records(5));

    // Act
    const decision = decideAfterInvocation(
      batch,
      partial(record(4).sequenceNumber, record(2).sequenceNumber),
      config({ reportBatchItemFailures: true }),
    );

    // Assess
    expect(decision.kind).toBe('partial-success');
    expect(sequences(decision.succeeded)).toEqual([record(1).sequenceNumber]);
    expect(decision.next).toHaveLength(1);
    expect(sequences(decision.next[0]?.records)).toEqual(sequences(records(5).slice(1)));
    expect(decision.next[0]?.retries).toBe(1);
    expect(decision.wait).toBe('retry');
  });

  it.each<[string, unknown]>([
    ['a missing itemIdentifier', { batchItemFailures: [{}] }],
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    [
      'an itemIdentifier not in the batch',
      { batchItemFailures: [{ itemIdentifier: record(99).sequenceNumber }] },
    ],
    ['a wrongly named key', { batchItemFailures: [{ itemId: record(2).sequenceNumber }] }],
    [
      'an invalid entry beside a valid one',
      { batchItemFailures: [{ itemIdentifier: record(3).sequenceNumber }, {}] },
    ],
    ['a batchItemFailures that is not a list', { batchItemFailures: 'all of them' }],
  ])('fails the whole batch for %s', (_, response) => {
    // Prepare
    const batch = freshBatch(records(3));

    // Act
    const decision = decideAfterInvocation(
      batch,
      { kind: 'success', response },
      config({ reportBatchItemFailures: true }),
    );

    // Assess
    expect(decision.kind).toBe('retry');
    expect(decision.succeeded).toEqual([]);
    expect(sequences(decision.next[0]?.records)).toEqual(sequences(records(3)));
    expect(decision.next[0]?.retries).toBe(1);
  });

  it('retries the same batch after a function error', () => {
    // Prepare
    const batch = freshBatch(records(3));

    // Act
    const decision = decideAfterInvocation(batch, FUNCTION_ERROR, config({ maximumRetryAttempts: 2 }));

    // Assess
    expect(decision.kind).toBe('retry');
    expect(decision.wait).toBe('retry');
    expect(decision.next).toEqual([
      { records: batch.records, retries: 1, invokeCount: 1, throttles: 0, lastOutcome: FUNCTION_ERROR },
    ]);
  });

  it('sends the batch to the on-failure destination once the retries are spent, and moves on', () => {
    // Prepare
    const mapping = config({ maximumRetryAttempts: 2 });
    let batch: BatchAttempt<StreamRecordMeta> = freshBatch(records(3));
    const kinds: string[] = [];

    // Act
    let decision = decideAfterInvocation(batch, FUNCTION_ERROR, mapping);
    kinds.push(decision.kind);
    while (decision.next[0] !== undefined) {
      batch = decision.next[0];
      decision = decideAfterInvocation(batch, FUNCTION_ERROR, mapping);
      kinds.push(decision.kind);
    }

    // Assess
    expect(kinds).toEqual(['retry', 'retry', 'discard']);
    expect(decision.condition).toBe('RetryAttemptsExhausted');
    expect(sequences(decision.discarded?.records)).toEqual(sequences(records(3)));
    expect(decision.discarded?.invokeCount).toBe(3);
    expect(decision.next).toEqual([]);
  });

  it('gives up after the first failure with no retries allowed', () => {
    // Act
    const decision = decideAfterInvocation(
      freshBatch(records(2)),
      FUNCTION_ERROR,
      config({ maximumRetryAttempts: 0 }),
    );

    // Assess
    expect(decision.kind).toBe('discard');
  });

  it('retries without limit by default', () => {
    // Prepare
    const mapping = config();
    let batch: BatchAttempt<StreamRecordMeta> = freshBatch(records(2));

    // Act
    for (let attempt = 0; attempt < 500; attempt += 1) {
      const next = decideAfterInvocation(batch, FUNCTION_ERROR, mapping).next[0];
      if (next === undefined) break;
      batch = next;
    }

    // Assess
    expect(batch.retries).toBe(500);
  });

  it('retries a throttled batch later without spending an attempt', () => {
    // Prepare
    const batch: BatchAttempt<StreamRecordMeta> = { ...freshBatch(records(2)), retries: 1, invokeCount: 2 };

    // Act
    const decision = decideAfterInvocation(batch, THROTTLED, config({ maximumRetryAttempts: 1 }));

    // Assess
    expect(decision.kind).toBe('throttled');
    expect(decision.wait).toBe('throttle');
    expect(decision.next[0]).toMatchObject({ retries: 1, invokeCount: 2, throttles: 1 });
  });

  describe('with BisectBatchOnFunctionError', () => {
    const bisecting = config({ bisectBatchOnFunctionError: true, maximumRetryAttempts: 1 });

    it('splits a failed batch in two, first half first, without spending the retry quota', () => {
      // Prepare
      const batch: BatchAttempt<StreamRecordMeta> = { ...freshBatch(records(5)), retries: 1 };

      // Act
      const decision = decideAfterInvocation(batch, FUNCTION_ERROR, bisecting);

      // Assess
      expect(decision.kind).toBe('bisect');
      expect(decision.next.map((half) => sequences(half.records))).toEqual([
        sequences(records(5).slice(0, 3)),
        sequences(records(5).slice(3)),
      ]);
      expect(decision.next.map((half) => half.retries)).toEqual([0, 0]);
    });

    it('spends retries on a batch of one record, which cannot be split', () => {
      // Prepare
      const single = freshBatch([record(1)]);

      // Act
      const first = decideAfterInvocation(single, FUNCTION_ERROR, bisecting);
      const second = decideAfterInvocation(first.next[0] ?? single, FUNCTION_ERROR, bisecting);

      // Assess
      expect(first.kind).toBe('retry');
      expect(second.kind).toBe('discard');
    });

    it('narrows down to the poison record: it alone is discarded, every other record succeeds', () => {
      // Prepare
      const poison = record(6).sequenceNumber;
      const mapping = config({ bisectBatchOnFunctionError: true, maximumRetryAttempts: 0 });
      const queue: BatchAttempt<StreamRecordMeta>[] = [freshBatch(records(10))];
      const succeeded: string[] = [];
      const discarded: string[] = [];

      // Act
      for (let batch = queue.shift(); batch !== undefined; batch = queue.shift()) {
        const failed = batch.records.some((item) => item.sequenceNumber === poison);
        const decision = decideAfterInvocation(batch, failed ? FUNCTION_ERROR : SUCCESS, mapping);
        succeeded.push(...sequences(decision.succeeded));
        discarded.push(...sequences(decision.discarded?.records));
        queue.unshift(...decision.next);
      }

      // Assess
      expect(discarded).toEqual([poison]);
      expect(succeeded).toEqual(sequences(records(10)).filter((sequence) => sequence !== poison));
    });

    it('retries only the records from the failed item of a partial batch response, as a new split batch', () => {
      // Prepare
      const mapping = config({
        bisectBatchOnFunctionError: true,
        reportBatchItemFailures: true,
        maximumRetryAttempts: 0,
      });
      const batch = freshBatch(records(4));

      // Act
      const decision = decideAfterInvocation(batch, partial(record(3).sequenceNumber), mapping);

      // Assess
      expect(decision.kind).toBe('partial-success');
      expect(sequences(decision.succeeded)).toEqual(sequences(records(2)));
      expect(sequences(decision.next[0]?.records)).toEqual(sequences(records(4).slice(2)));
      expect(decision.next[0]?.retries).toBe(0);
    });

    it('bisects a partial batch response that fails at the first item, like an error', () => {
      // Prepare
      const mapping = config({ bisectBatchOnFunctionError: true, reportBatchItemFailures: true });

      // Act
      const decision = decideAfterInvocation(
        freshBatch(records(4)),
        partial(record(1).sequenceNumber),
        mapping,
      );

      // Assess
      expect(decision.kind).toBe('bisect');
      expect(decision.next.map((half) => half.records.length)).toEqual([2, 2]);
    });
  });

  it('discards the records from the failed item once partial retries are spent, keeping the ones before', () => {
    // Prepare
    const mapping = config({ reportBatchItemFailures: true, maximumRetryAttempts: 0 });

    // Act
    const decision = decideAfterInvocation(
      freshBatch(records(4)),
      partial(record(3).sequenceNumber),
      mapping,
    );

    // Assess
    expect(decision.kind).toBe('discard');
    expect(sequences(decision.succeeded)).toEqual(sequences(records(2)));
    expect(sequences(decision.discarded?.records)).toEqual(sequences(records(4).slice(2)));
    expect(decision.condition).toBe('RetryAttemptsExhausted');
  });
});

describe('screenRecordAge', () => {
  const nowMs = NOW_SECONDS * 1000;

  it('takes the records older than the maximum record age out of the batch', () => {
    // Prepare
    const batch = freshBatch([
      record(1, NOW_SECONDS - 120),
      record(2, NOW_SECONDS - 61),
      record(3, NOW_SECONDS - 60),
      record(4, NOW_SECONDS),
    ]);

    // Act
    const screened = screenRecordAge(batch, nowMs, config({ maximumRecordAgeInSeconds: 60 }));

    // Assess
    expect(sequences(screened.expired)).toEqual([record(1).sequenceNumber, record(2).sequenceNumber]);
    expect(sequences(screened.batch?.records)).toEqual([record(3).sequenceNumber, record(4).sequenceNumber]);
  });

  it('leaves no batch when every record is too old', () => {
    // Prepare
    const batch = freshBatch([record(1, NOW_SECONDS - 120)]);

    // Act
    const screened = screenRecordAge(batch, nowMs, config({ maximumRecordAgeInSeconds: 60 }));

    // Assess
    expect(screened.expired).toHaveLength(1);
    expect(screened.batch).toBeUndefined();
  });

  it('keeps records up to the stream retention when the age is unlimited', () => {
    // Prepare
    const batch = freshBatch([
      record(1, NOW_SECONDS - STREAM_RETENTION_SECONDS - 1),
      record(2, NOW_SECONDS - STREAM_RETENTION_SECONDS + 1),
    ]);

    // Act
    const screened = screenRecordAge(batch, nowMs, config());

    // Assess
    expect(sequences(screened.expired)).toEqual([record(1).sequenceNumber]);
    expect(sequences(screened.batch?.records)).toEqual([record(2).sequenceNumber]);
  });
});

describe('backoffMs', () => {
  it('does not wait when nothing failed', () => {
    // Act
    const wait = backoffMs(freshBatch(records(1)), 'none');

    // Assess
    expect(wait).toBe(0);
  });

  it('grows with the retries and stays small', () => {
    // Prepare
    const attempts = [1, 2, 3, 20].map((retries) => ({ ...freshBatch(records(1)), retries }));

    // Act
    const waits = attempts.map((batch) => backoffMs(batch, 'retry'));

    // Assess
    expect(waits).toEqual([100, 200, 400, 2_000]);
  });

  it('backs off longer on throttling', () => {
    // Prepare
    const attempts = [1, 2, 20].map((throttles) => ({ ...freshBatch(records(1)), throttles }));

    // Act
    const waits = attempts.map((batch) => backoffMs(batch, 'throttle'));

    // Assess
    expect(waits).toEqual([200, 400, 5_000]);
  });
});
