import { parseEmfLine } from '../../../src/cloudwatch/embedded-metrics';

describe('parseEmfLine', () => {
  it('reads a Powertools line: every metric of every directive, in every dimension set', () => {
    // Prepare
    const line = JSON.stringify({
      _aws: {
        Timestamp: 1_765_000_000_000,
        CloudWatchMetrics: [
          {
            Namespace: 'Shop',
            Dimensions: [['service'], ['service', 'stage']],
            Metrics: [
              { Name: 'PaymentFailed', Unit: 'Count' },
              { Name: 'Latency', Unit: 'Milliseconds', StorageResolution: 1 },
            ],
          },
        ],
      },
      service: 'payments',
      stage: 'local',
      PaymentFailed: 1,
      Latency: [12, 30],
    });

    // Act
    const data = parseEmfLine(line);

    // Assess
    expect(data).toEqual([
      {
        namespace: 'Shop',
        metricName: 'PaymentFailed',
        dimensions: [{ Name: 'service', Value: 'payments' }],
        timestampMs: 1_765_000_000_000,
        values: [1],
        unit: 'Count',
        storageResolution: 60,
      },
      {
        namespace: 'Shop',
        metricName: 'Latency',
        dimensions: [{ Name: 'service', Value: 'payments' }],
        timestampMs: 1_765_000_000_000,
        values: [12, 30],
        unit: 'Milliseconds',
        storageResolution: 1,
      },
      {
        namespace: 'Shop',
        metricName: 'PaymentFailed',
        dimensions: [
          { Name: 'service', Value: 'payments' },
          { Name: 'stage', Value: 'local' },
        ],
        timestampMs: 1_765_000_000_000,
        values: [1],
        unit: 'Count',
        storageResolution: 60,
      },
      {
        namespace: 'Shop',
        metricName: 'Latency',
        dimensions: [
          { Name: 'service', Value: 'payments' },
          { Name: 'stage', Value: 'local' },
        ],
        timestampMs: 1_765_000_000_000,
        values: [12, 30],
        unit: 'Milliseconds',
        storageResolution: 1,
      },
    ]);
  });

  it('reads the JSON after a log prefix', () => {
    // Prepare
    const line = `2026-12-07T12:00:00.000Z\tabc\tINFO\t${JSON.stringify({ _aws: { Timestamp: 5, CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [], Metrics: [{ Name: 'M' }] }] }, M: 2 })}`;

    // Act
    const data = parseEmfLine(line);

    // Assess
    expect(data).toEqual([
      {
        namespace: 'N',
        metricName: 'M',
        dimensions: [],
        timestampMs: 5,
        values: [2],
        unit: 'None',
        storageResolution: 60,
      },
    ]);
  });

  it('reads a document whose envelope is not its first member', () => {
    // Prepare
    const line = `INFO\t{"M":4,"_aws":{"Timestamp":7,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M"}]}]}}`;

    // Act
    const data = parseEmfLine(line);

    // Assess
    expect(data.map((datum) => [datum.metricName, datum.values, datum.timestampMs])).toEqual([['M', [4], 7]]);
  });

  it.each([
    ['a plain log line', 'order placed'],
    ['JSON without an envelope', '{"level":"INFO","message":"x"}'],
    ['broken JSON', '{"_aws": {'],
    [
      'a directive without a namespace',
      JSON.stringify({ _aws: { CloudWatchMetrics: [{ Metrics: [{ Name: 'M' }] }] }, M: 1 }),
    ],
  ])('yields nothing for %s', (_what, line) => {
    // Act & Assess
    expect(parseEmfLine(line)).toEqual([]);
  });

  it('skips a dimension set whose value is missing, and a metric whose value is not a number', () => {
    // Prepare
    const line = JSON.stringify({
      _aws: {
        Timestamp: 1,
        CloudWatchMetrics: [
          { Namespace: 'N', Dimensions: [['absent'], []], Metrics: [{ Name: 'M' }, { Name: 'Text' }] },
        ],
      },
      M: 1,
      Text: 'one',
    });

    // Act
    const data = parseEmfLine(line);

    // Assess
    expect(data.map((datum) => [datum.metricName, datum.dimensions])).toEqual([['M', []]]);
  });
});
