import { parseFaultSpec } from '../../../src/faults/fault-schema';

const detailsOf = (body: unknown) => {
  const parsed = parseFaultSpec(body);
  if (parsed.ok) throw new Error(`expected ${JSON.stringify(body)} to be refused`);
  return parsed.details;
};

describe('parseFaultSpec', () => {
  it('accepts one body of each kind', () => {
    // Prepare
    const bodies = [
      { kind: 'put-events-failure', probability: 0.3, seed: 7, target: { source: 'orders' } },
      { kind: 'put-events-failure', probability: 1, errorCode: 'ThrottlingException' },
      {
        kind: 'function-error',
        target: { name: 'orders-create' },
        probability: 0.5,
        errorType: 'PaymentDeclined',
        errorMessage: 'declined',
      },
      { kind: 'function-timeout', target: { logicalIdPrefix: 'Create' }, probability: 1, maxCount: 2 },
      { kind: 'function-latency', target: { nameContains: 'Create' }, probability: 0.1, latencyMs: 800 },
      { kind: 'event-source-failure', target: { sourceNameContains: 'Orders' }, probability: 0.25 },
      {
        kind: 'target-failure',
        target: { ruleNameContains: 'OrderPlaced', targetArnContains: 'Shipping' },
        probability: 1,
        errorCode: 'THROTTLING',
        retryable: false,
      },
    ];

    // Act
    const results = bodies.map(parseFaultSpec);

    // Assess
    expect(results.map((result) => result.ok)).toEqual(bodies.map(() => true));
    expect(results[0]).toEqual({ ok: true, spec: bodies[0] });
  });

  it('names each offending field by its path', () => {
    // Prepare
    const body = {
      kind: 'function-error',
      target: { name: 'x', typo: true },
      probability: 1.5,
      seed: -1,
      maxCount: 0,
      extra: 'no',
    };

    // Act
    const details = detailsOf(body);

    // Assess
    expect(details.map((detail) => detail.path).sort()).toEqual(
      ['', 'maxCount', 'probability', 'seed', 'target'].sort(),
    );
    expect(details.find((detail) => detail.path === '')?.message).toContain('extra');
    expect(details.find((detail) => detail.path === 'target')?.message).toContain('typo');
  });

  it('refuses an unknown kind, a missing probability and a body that is not an object', () => {
    // Prepare
    const bodies = [
      { kind: 'disk-full', probability: 1 },
      { kind: 'function-timeout', target: { name: 'f' } },
      [],
    ];

    // Act
    const details = bodies.map(detailsOf);

    // Assess
    expect(details[0]).toEqual([{ path: 'kind', message: expect.stringContaining('function-error') }]);
    expect(details[1]).toEqual([{ path: 'probability', message: expect.any(String) }]);
    expect(details[2]).toEqual([{ path: '', message: expect.stringContaining('object') }]);
  });

  it('refuses an empty selector, which would match everything by accident', () => {
    // Prepare
    const body = { kind: 'event-source-failure', target: {}, probability: 1 };

    // Act
    const details = detailsOf(body);

    // Assess
    expect(details).toEqual([{ path: 'target', message: expect.stringContaining('functionNameContains') }]);
  });

  it('requires the kind-specific parameters and checks their ranges', () => {
    // Prepare
    const latencyMissing = { kind: 'function-latency', target: { name: 'f' }, probability: 1 };
    const latencyTooLong = { ...latencyMissing, latencyMs: 900_001 };
    const badCode = {
      kind: 'target-failure',
      target: { targetId: 'Target0' },
      probability: 1,
      errorCode: 'lower case',
    };
    const badPutEventsCode = { kind: 'put-events-failure', probability: 1, errorCode: 'InvalidArgument' };
    const chaos = { target: { targetId: 'Target0' }, probability: 1 };
    const delayUpsideDown = { kind: 'delivery-delay', ...chaos, minDelayMs: 500, maxDelayMs: 100 };
    const tooManyCopies = { kind: 'delivery-duplicate', ...chaos, copies: 6 };
    const holdForever = { kind: 'delivery-reorder', ...chaos, maxHoldMs: 900_001 };

    // Act
    const details = [
      latencyMissing,
      latencyTooLong,
      badCode,
      badPutEventsCode,
      delayUpsideDown,
      tooManyCopies,
      holdForever,
    ].map(detailsOf);

    // Assess
    expect(details.map((list) => list.map((detail) => detail.path))).toEqual([
      ['latencyMs'],
      ['latencyMs'],
      ['errorCode'],
      ['errorCode'],
      ['maxDelayMs'],
      ['copies'],
      ['maxHoldMs'],
    ]);
  });
  it('accepts the table and API kinds, and a time window on any kind', () => {
    // Prepare
    const table = { target: { tableNameContains: 'Replica' }, probability: 1 };
    const bodies = [
      { kind: 'table-write-failure', ...table, errorCode: 'ProvisionedThroughputExceededException' },
      { kind: 'table-write-failure', target: { logicalIdPrefix: 'ReplicaA' }, probability: 0.5, seed: 1 },
      {
        kind: 'table-write-drop',
        target: { tableName: 'kv-replica-b' },
        probability: 0.1,
        durationMs: 60_000,
      },
      { kind: 'table-read-failure', ...table, errorCode: 'ServiceUnavailable', errorMessage: 'down' },
      { kind: 'table-read-delay', ...table, latencyMs: 250 },
      { kind: 'table-read-delay', ...table, minDelayMs: 0, maxDelayMs: 300 },
      { kind: 'api-unavailable', target: { apiName: 'orders-blue' }, probability: 1 },
      {
        kind: 'api-unavailable',
        target: { apiId: 'a1b2c3', stageName: 'prod' },
        probability: 1,
        durationMs: 5_000,
      },
      { kind: 'function-timeout', target: { name: 'f' }, probability: 1, durationMs: 1 },
    ];

    // Act
    const results = bodies.map(parseFaultSpec);

    // Assess
    expect(results.map((result) => result.ok)).toEqual(bodies.map(() => true));
    expect(results[2]).toEqual({ ok: true, spec: bodies[2] });
  });

  it('refuses what a table or API fault cannot mean', () => {
    // Prepare
    const table = { target: { tableName: 't' }, probability: 1 };
    const bodies = [
      { kind: 'table-write-failure', ...table, errorCode: 'ValidationException' },
      { kind: 'table-write-drop', ...table, errorCode: 'InternalServerError' },
      { kind: 'table-read-delay', ...table },
      { kind: 'table-read-delay', ...table, latencyMs: 10, minDelayMs: 0, maxDelayMs: 5 },
      { kind: 'table-read-delay', ...table, minDelayMs: 10 },
      { kind: 'table-read-delay', ...table, minDelayMs: 50, maxDelayMs: 10 },
      { kind: 'table-read-failure', target: { tableArn: 'arn' }, probability: 1 },
      { kind: 'table-read-failure', target: {}, probability: 1 },
      { kind: 'api-unavailable', target: { stageName: 'prod' }, probability: 1 },
      { kind: 'api-unavailable', target: { apiName: 'a' }, probability: 1, durationMs: 0 },
    ];

    // Act
    const details = bodies.map(detailsOf);

    // Assess
    expect(details.map((list) => list.map((detail) => detail.path))).toEqual([
      ['errorCode'],
      [''],
      ['latencyMs'],
      ['latencyMs'],
      ['latencyMs'],
      ['maxDelayMs'],
      // An unknown key, and then no selector field set.
      ['target', 'target'],
      ['target'],
      ['target'],
      ['durationMs'],
    ]);
    expect(details[0]?.[0]?.message).toContain('ProvisionedThroughputExceededException');
    expect(details[8]?.[0]?.message).toContain('apiNameContains');
  });
});
