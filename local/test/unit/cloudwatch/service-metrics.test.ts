import { MetricStore } from '../../../src/cloudwatch/metric-store';
import {
  recordApiRequest,
  recordExecution,
  recordInvocation,
  sampleQueues,
} from '../../../src/cloudwatch/service-metrics';
import { statisticOf } from '../../../src/cloudwatch/statistics';
import { SqsEngine } from '../../../src/sqs/sqs-engine';

const startedAt = '2026-12-07T12:00:00.000Z';
const at = Date.parse(startedAt);

function sum(
  store: MetricStore,
  namespace: string,
  metricName: string,
  dimensions: { Name: string; Value: string }[],
) {
  return statisticOf(
    'Sum',
    store.datapoints({ namespace, metricName, dimensions }, 0, Number.MAX_SAFE_INTEGER),
  );
}

describe('service metrics', () => {
  it('counts invocations, errors and throttles of a function under each of its dimension sets', () => {
    // Prepare
    const store = new MetricStore({ clock: () => at });
    const record = {
      requestId: 'r',
      functionName: 'pay',
      trigger: 'test',
      startedAt,
      durationMs: 12,
      cold: false,
      executedVersion: '$LATEST',
    };

    // Act
    recordInvocation(store, { ...record, outcome: 'success' });
    recordInvocation(store, { ...record, outcome: 'error', errorType: 'Error' });
    recordInvocation(store, { ...record, outcome: 'timeout' });
    recordInvocation(store, { ...record, outcome: 'throttled' });
    recordInvocation(store, { ...record, outcome: 'success', qualifier: 'live' });
    recordInvocation(store, { ...record, outcome: 'error', qualifier: 'live', executedVersion: '7' });

    // Assess
    const byName = [{ Name: 'FunctionName', Value: 'pay' }];
    expect(sum(store, 'AWS/Lambda', 'Invocations', byName)).toBe(5);
    expect(
      sum(store, 'AWS/Lambda', 'Invocations', [...byName, { Name: 'Resource', Value: 'pay:live' }]),
    ).toBe(2);
    expect(
      sum(store, 'AWS/Lambda', 'Errors', [
        ...byName,
        { Name: 'Resource', Value: 'pay:live' },
        { Name: 'ExecutedVersion', Value: '7' },
      ]),
    ).toBe(1);
    expect(sum(store, 'AWS/Lambda', 'Errors', byName)).toBe(3);
    expect(sum(store, 'AWS/Lambda', 'Throttles', byName)).toBe(1);
    expect(sum(store, 'AWS/Lambda', 'Errors', [...byName, { Name: 'Resource', Value: 'pay' }])).toBe(2);
    expect(
      sum(store, 'AWS/Lambda', 'Invocations', [
        ...byName,
        { Name: 'Resource', Value: 'pay' },
        { Name: 'ExecutedVersion', Value: '$LATEST' },
      ]),
    ).toBe(3);
    expect(
      statisticOf(
        'Maximum',
        store.datapoints(
          { namespace: 'AWS/Lambda', metricName: 'Duration', dimensions: byName },
          0,
          Infinity,
        ),
      ),
    ).toBe(12);
  });

  it('counts API requests by status class, by API and by stage', () => {
    // Prepare
    const store = new MetricStore();
    const request = { requestId: 'r', apiId: 'a1', stage: 'prod', method: 'GET', path: '/', durationMs: 5 };

    // Act
    recordApiRequest(store, 'shop', { ...request, statusCode: 200, integrationLatencyMs: 3 });
    recordApiRequest(store, 'shop', { ...request, statusCode: 404 });
    recordApiRequest(store, 'shop', { ...request, statusCode: 502 });

    // Assess
    const byApi = [{ Name: 'ApiName', Value: 'shop' }];
    expect(sum(store, 'AWS/ApiGateway', 'Count', byApi)).toBe(3);
    expect(sum(store, 'AWS/ApiGateway', '4XXError', byApi)).toBe(1);
    expect(sum(store, 'AWS/ApiGateway', '5XXError', [...byApi, { Name: 'Stage', Value: 'prod' }])).toBe(1);
    expect(sum(store, 'AWS/ApiGateway', 'IntegrationLatency', byApi)).toBe(3);
  });

  it('samples queue depth and the age of the oldest message', () => {
    // Prepare
    let now = at;
    const store = new MetricStore({ clock: () => now });
    const sqs = new SqsEngine({ endpointUrl: () => 'http://localhost:4566', now: () => now });
    sqs.createQueue('orders');
    sqs.sendMessage('orders', 'one');
    sqs.sendMessage('orders', 'two');
    sqs.receive('orders', { max: 1, visibilityTimeoutSeconds: 300 });
    now += 90_000;

    // Act
    sampleQueues(store, sqs);

    // Assess
    const byQueue = [{ Name: 'QueueName', Value: 'orders' }];
    expect(sum(store, 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', byQueue)).toBe(1);
    expect(sum(store, 'AWS/SQS', 'ApproximateNumberOfMessagesNotVisible', byQueue)).toBe(1);
    expect(sum(store, 'AWS/SQS', 'ApproximateAgeOfOldestMessage', byQueue)).toBe(90);
    sqs.close();
  });

  it('counts executions by final status', () => {
    // Prepare
    const store = new MetricStore();
    const stateMachineArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:saga';

    // Act
    recordExecution(store, { stateMachineArn, executionArn: `${stateMachineArn}:1`, status: 'STARTED' });
    recordExecution(store, { stateMachineArn, executionArn: `${stateMachineArn}:1`, status: 'FAILED' });

    // Assess
    const byMachine = [{ Name: 'StateMachineArn', Value: stateMachineArn }];
    expect(sum(store, 'AWS/States', 'ExecutionsStarted', byMachine)).toBe(1);
    expect(sum(store, 'AWS/States', 'ExecutionsFailed', byMachine)).toBe(1);
    expect(sum(store, 'AWS/States', 'ExecutionsSucceeded', byMachine)).toBeUndefined();
  });
});
