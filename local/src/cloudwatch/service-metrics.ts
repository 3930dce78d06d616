/**
 * The metrics AWS services publish by themselves, as the local engines' observers record them: Lambda's
 * `AWS/Lambda`, API Gateway's `AWS/ApiGateway`, SQS's `AWS/SQS` and Step Functions' `AWS/States`, with the
 * dimensions alarms and dashboards name. The engines know nothing of CloudWatch: each calls a callback the
 * local cloud wires here.
 */
import type { RestApiRequestRecord } from '../apigateway/rest-api-server';
import type { InvocationRecord } from '../lambda/worker-pool';
import type { SqsEngine } from '../sqs/sqs-engine';
import type { ExecutionEvent } from '../stepfunctions/step-functions-engine';
import type { Dimension, MetricStore } from './metric-store';

const dimension = (Name: string, Value: string): Dimension => ({ Name, Value });

/**
 * `Invocations`, `Errors`, `Throttles` and `Duration` of one invocation record, by `FunctionName`,
 * `FunctionName`+`Resource` (`<name>:<alias or version>` when one was invoked) and
 * `FunctionName`+`Resource`+`ExecutedVersion` (the version that ran: how a canary's own errors show
 * apart from its alias's). As on AWS, a throttled request counts in `Throttles` only, and `Errors` is 0
 * for an invocation that succeeded, so its Average is the error rate.
 */
export function recordInvocation(store: MetricStore, record: InvocationRecord): void {
  if (record.outcome === 'abandoned') return;
  // Stamped when the record is kept (the invocation's end), not at its start as on AWS: an alarm window
  // already evaluated would never see a datapoint stamped in it after the fact.
  const timestampMs = Date.now();
  const name = record.functionName;
  // `Resource` names the alias or version invoked; `ExecutedVersion`, the version an alias chose.
  const resource = record.qualifier === undefined ? name : `${name}:${record.qualifier}`;
  const dimensionSets = [
    [dimension('FunctionName', name)],
    [dimension('FunctionName', name), dimension('Resource', resource)],
    [
      dimension('FunctionName', name),
      dimension('Resource', resource),
      dimension('ExecutedVersion', record.executedVersion),
    ],
  ];
  const put = (metricName: string, value: number, unit: string): void => {
    for (const dimensions of dimensionSets) {
      store.put({ namespace: 'AWS/Lambda', metricName, dimensions, timestampMs, values: [value], unit });
    }
  };
  if (record.outcome === 'throttled') {
    put('Throttles', 1, 'Count');
    return;
  }
  put('Invocations', 1, 'Count');
  put('Errors', record.outcome === 'success' ? 0 : 1, 'Count');
  put('Throttles', 0, 'Count');
  put('Duration', record.durationMs, 'Milliseconds');
}

/** `Count`, `4XXError`, `5XXError`, `Latency` and `IntegrationLatency` of one request, by `ApiName` and `ApiName`+`Stage`. */
export function recordApiRequest(store: MetricStore, apiName: string, record: RestApiRequestRecord): void {
  const timestampMs = Date.now() - record.durationMs;
  const dimensionSets = [
    [dimension('ApiName', apiName)],
    [dimension('ApiName', apiName), dimension('Stage', record.stage)],
  ];
  const put = (metricName: string, value: number, unit: string): void => {
    for (const dimensions of dimensionSets) {
      store.put({ namespace: 'AWS/ApiGateway', metricName, dimensions, timestampMs, values: [value], unit });
    }
  };
  put('Count', 1, 'Count');
  put('4XXError', record.statusCode >= 400 && record.statusCode < 500 ? 1 : 0, 'Count');
  put('5XXError', record.statusCode >= 500 ? 1 : 0, 'Count');
  put('Latency', record.durationMs, 'Milliseconds');
  if (record.integrationLatencyMs !== undefined) {
    put('IntegrationLatency', record.integrationLatencyMs, 'Milliseconds');
  }
}

/** `NumberOfMessagesSent` of one message, by `QueueName`. */
export function recordMessageSent(store: MetricStore, queueName: string): void {
  store.put({
    namespace: 'AWS/SQS',
    metricName: 'NumberOfMessagesSent',
    dimensions: [dimension('QueueName', queueName)],
    timestampMs: Date.now(),
    values: [1],
    unit: 'Count',
  });
}

/**
 * One sample of every queue's depth: `ApproximateNumberOfMessagesVisible`, `…NotVisible` and
 * `ApproximateAgeOfOldestMessage`, by `QueueName`. The local cloud samples on a timer (AWS: every minute).
 */
export function sampleQueues(store: MetricStore, sqs: SqsEngine): void {
  const timestampMs = Date.now();
  for (const queueName of sqs.listQueueNames()) {
    const counts = sqs.approximateCounts(queueName);
    const dimensions = [dimension('QueueName', queueName)];
    const put = (metricName: string, value: number, unit: string): void =>
      store.put({ namespace: 'AWS/SQS', metricName, dimensions, timestampMs, values: [value], unit });
    put('ApproximateNumberOfMessagesVisible', counts.visible, 'Count');
    put('ApproximateNumberOfMessagesNotVisible', counts.notVisible, 'Count');
    put('ApproximateNumberOfMessagesDelayed', counts.delayed, 'Count');
    put('ApproximateAgeOfOldestMessage', sqs.oldestMessageAgeSeconds(queueName), 'Seconds');
  }
}

const EXECUTION_METRICS: Readonly<Record<ExecutionEvent['status'], string>> = {
  STARTED: 'ExecutionsStarted',
  SUCCEEDED: 'ExecutionsSucceeded',
  FAILED: 'ExecutionsFailed',
  TIMED_OUT: 'ExecutionsTimedOut',
  ABORTED: 'ExecutionsAborted',
};

/** `ExecutionsStarted`, `…Succeeded`, `…Failed`, `…TimedOut` and `…Aborted`, by `StateMachineArn`. */
export function recordExecution(store: MetricStore, event: ExecutionEvent): void {
  store.put({
    namespace: 'AWS/States',
    metricName: EXECUTION_METRICS[event.status],
    dimensions: [dimension('StateMachineArn', event.stateMachineArn)],
    timestampMs: Date.now(),
    values: [1],
    unit: 'Count',
  });
}
