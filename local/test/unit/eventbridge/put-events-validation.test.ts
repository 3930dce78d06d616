import { AwsServiceError } from '../../../src/aws-protocol';
import {
  PUT_EVENTS_MAX_REQUEST_BYTES,
  javaEntryText,
  putEventsEntrySize,
  validateEntry,
  validatePutEventsRequest,
  type EntryValidation,
} from '../../../src/eventbridge/put-events-validation';

const valid = { Source: 'orders', DetailType: 'OrderPlaced', Detail: '{"orderId":"o-1"}' };

function requestError(run: () => unknown): AwsServiceError {
  try {
    run();
  } catch (error) {
    if (error instanceof AwsServiceError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected the request to be rejected');
}

function failure(result: EntryValidation | undefined): { errorCode: string; errorMessage: string } {
  if (!result || result.ok) {
    throw new Error(`expected a failed entry, got ${JSON.stringify(result)}`);
  }
  return { errorCode: result.errorCode, errorMessage: result.errorMessage };
}

describe('validateEntry', () => {
  it('accepts a complete entry, parsing the detail and defaulting the bus', () => {
    // Prepare
    const entry = { ...valid, Resources: ['arn:aws:s3:::bucket'], TraceHeader: 'Root=1-abc' };

    // Act
    const result = validateEntry(entry);

    // Assess
    expect(result).toEqual({
      ok: true,
      entry: {
        source: 'orders',
        detailType: 'OrderPlaced',
        detail: { orderId: 'o-1' },
        eventBusName: 'default',
        resources: ['arn:aws:s3:::bucket'],
        time: undefined,
        traceHeader: 'Root=1-abc',
      },
    });
  });

  it.each([
    ['Source', 'absent', { DetailType: 'T', Detail: '{}' }],
    ['Source', 'empty', { Source: '', DetailType: 'T', Detail: '{}' }],
    ['DetailType', 'absent', { Source: 'S', Detail: '{}' }],
    ['Detail', 'absent', { Source: 'S', DetailType: 'T' }],
  ])('fails an entry whose %s is %s with InvalidArgument and AWS message', (parameter, _how, entry) => {
    // Act
    const result = failure(validateEntry(entry));

    // Assess
    expect(result).toEqual({
      errorCode: 'InvalidArgument',
      errorMessage: `Parameter ${parameter} is not valid. Reason: ${parameter} is a required argument.`,
    });
  });

  it('reports the first missing field in AWS order (Source before Detail)', () => {
    // Act
    const result = failure(validateEntry({ DetailType: 'T' }));

    // Assess
    expect(result.errorMessage).toContain('Parameter Source');
  });

  it.each(['[1]', '"text"', '42', 'null', '{"unterminated": '])(
    'fails Detail %s as MalformedDetail',
    (detail) => {
      // Act
      const result = failure(validateEntry({ ...valid, Detail: detail }));

      // Assess
      expect(result).toEqual({ errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' });
    },
  );

  it('reads Time as epoch seconds (the SDK encoding) or as an ISO string', () => {
    // Act
    const fromSeconds = validateEntry({ ...valid, Time: 1714564800.5 });
    const fromIso = validateEntry({ ...valid, Time: '2024-05-01T12:00:00Z' });

    // Assess
    expect(fromSeconds.ok && fromSeconds.entry.time?.toISOString()).toBe('2024-05-01T12:00:00.500Z');
    expect(fromIso.ok && fromIso.entry.time?.toISOString()).toBe('2024-05-01T12:00:00.000Z');
  });

  it('fails an unreadable Time or non-string Resources with InvalidArgument', () => {
    // Act
    const badTime = failure(validateEntry({ ...valid, Time: 'yesterday' }));
    const badResources = failure(validateEntry({ ...valid, Resources: [1] }));

    // Assess
    expect(badTime.errorCode).toBe('InvalidArgument');
    expect(badResources.errorCode).toBe('InvalidArgument');
  });
});

describe('putEventsEntrySize', () => {
  it('counts Time as 14 bytes and the UTF-8 bytes of Source, DetailType, Detail and each resource', () => {
    // Prepare
    const entry = { Source: 'é', DetailType: 'ab', Detail: '{}', Resources: ['r1', 'ü'], Time: 0 };

    // Act
    const size = putEventsEntrySize(entry);

    // Assess
    expect(size).toBe(14 + 2 + 2 + 2 + 2 + 2);
  });

  it('does not count an absent Time or EventBusName', () => {
    // Act
    const size = putEventsEntrySize({ ...valid, EventBusName: 'a-long-bus-name' });

    // Assess
    expect(size).toBe('orders'.length + 'OrderPlaced'.length + '{"orderId":"o-1"}'.length);
  });
});

describe('validatePutEventsRequest', () => {
  it('returns one result per entry, in order, failing entries independently', () => {
    // Prepare
    const input = { Entries: [valid, { ...valid, Detail: '[]' }, { Source: 'S' }, valid] };

    // Act
    const results = validatePutEventsRequest(input);

    // Assess
    expect(results.map((result) => (result.ok ? 'ok' : result.errorCode))).toEqual([
      'ok',
      'MalformedDetail',
      'InvalidArgument',
      'ok',
    ]);
  });

  it.each([
    ['no Entries', {}, "Value null at 'entries'"],
    ['an empty list', { Entries: [] }, 'length greater than or equal to 1'],
    ['eleven entries', { Entries: Array.from({ length: 11 }, () => valid) }, 'less than or equal to 10'],
  ])('rejects %s with ValidationException', (_case, input, detail) => {
    // Act
    const error = requestError(() => validatePutEventsRequest(input));

    // Assess
    expect(error.code).toBe('ValidationException');
    expect(error.message).toContain('1 validation error detected');
    expect(error.message).toContain(detail);
  });

  it('quotes the eleven entries of a request over the limit as AWS prints them', () => {
    // Prepare
    const entry = { ...valid, EventBusName: 'orders-bus' };

    // Act
    const error = requestError(() =>
      validatePutEventsRequest({ Entries: Array.from({ length: 11 }, () => entry) }),
    );

    // Assess
    const printed =
      'PutEventsRequestEntry(time=null, source=orders, resources=null, detailType=OrderPlaced, ' +
      'detail={"orderId":"o-1"}, eventBusName=orders-bus, traceHeader=null, kmsKeyIdentifier=null, ' +
      'internalMetadata=null)';
    expect(error.message).toBe(
      `1 validation error detected: Value '[${Array.from({ length: 11 }, () => printed).join(', ')}]' ` +
        "at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10",
    );
  });

  it('prints a set Time as an ISO instant and resources as a Java list', () => {
    // Act
    const printed = javaEntryText({ ...valid, Time: 1640995200, Resources: ['arn:a', 'arn:b'] });

    // Assess
    expect(printed).toBe(
      'PutEventsRequestEntry(time=2022-01-01T00:00:00Z, source=orders, resources=[arn:a, arn:b], ' +
        'detailType=OrderPlaced, detail={"orderId":"o-1"}, eventBusName=null, traceHeader=null, ' +
        'kmsKeyIdentifier=null, internalMetadata=null)',
    );
  });

  it('accepts ten entries', () => {
    // Act
    const results = validatePutEventsRequest({ Entries: Array.from({ length: 10 }, () => valid) });

    // Assess
    expect(results).toHaveLength(10);
  });

  it('accepts a request of exactly the size limit and rejects one byte more', () => {
    // Prepare
    const fixed = 'S'.length + 'T'.length + '{"p":""}'.length;
    const entryOfSize = (bytes: number) => ({
      Source: 'S',
      DetailType: 'T',
      Detail: JSON.stringify({ p: 'x'.repeat(bytes - fixed) }),
    });

    // Act
    const atLimit = validatePutEventsRequest({ Entries: [entryOfSize(PUT_EVENTS_MAX_REQUEST_BYTES)] });
    const error = requestError(() =>
      validatePutEventsRequest({ Entries: [entryOfSize(PUT_EVENTS_MAX_REQUEST_BYTES + 1)] }),
    );

    // Assess
    expect(atLimit[0]?.ok).toBe(true);
    expect(error.code).toBe('ValidationException');
    expect(error.message).toBe('Total size of the entries in the request is over the limit.');
  });

  it('sums the size over all entries and honours a configured limit', () => {
    // Prepare
    const entry = { Source: 'S', DetailType: 'T', Detail: '{"a":1}' }; // 9 bytes
    const input = { Entries: [entry, entry] };

    // Act
    const fits = validatePutEventsRequest(input, { maxRequestBytes: 18 });
    const error = requestError(() => validatePutEventsRequest(input, { maxRequestBytes: 17 }));

    // Assess
    expect(fits).toHaveLength(2);
    expect(error.code).toBe('ValidationException');
  });

  it('takes a bus name or a bus ARN and rejects a malformed one for the whole request', () => {
    // Prepare
    const arn = 'arn:aws:events:us-east-1:000000000000:event-bus/orders';

    // Act
    const results = validatePutEventsRequest({ Entries: [{ ...valid, EventBusName: arn }] });
    const error = requestError(() =>
      validatePutEventsRequest({ Entries: [valid, { ...valid, EventBusName: 'not a bus!' }] }),
    );

    // Assess
    expect(results[0]?.ok && results[0].entry.eventBusName).toBe(arn);
    expect(error.code).toBe('ValidationException');
    expect(error.message).toContain("at 'entries.2.member.eventBusName'");
  });
});
