import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { parseEnv, requiredVariable, type Env } from '../config/env';
import { tracedClient } from '../observability/tracer';
import { makeOutboxRelay, type OutboxRelayHandler } from './outbox-relay';
import { OUTBOX_RELAY_ENV } from './relay-environment';
import type { RetryPolicy } from './retry-policy';
import { sqsPoisonSink } from './sqs-poison-sink';

const RelayEnv = z.object({
  [OUTBOX_RELAY_ENV.busName]: requiredVariable,
  [OUTBOX_RELAY_ENV.deadLetterQueueUrl]: requiredVariable,
});

/**
 * A context's relay as its Lambda runs it, configured from its environment: a traced EventBridge client
 * making one attempt per call — the relay retries the failed entries itself, and SDK retries would
 * multiply them — and its dead-letter queue for poison records.
 */
export function lambdaOutboxRelay(
  options: { readonly source: string; readonly retry: RetryPolicy },
  env: Env = process.env,
): OutboxRelayHandler {
  const config = parseEnv(`Outbox relay (${options.source})`, RelayEnv, env);
  return makeOutboxRelay({
    eventBridge: tracedClient(new EventBridgeClient({ maxAttempts: 1 })),
    busName: config[OUTBOX_RELAY_ENV.busName],
    poisonSink: sqsPoisonSink(tracedClient(new SQSClient({})), config[OUTBOX_RELAY_ENV.deadLetterQueueUrl]),
    ...options,
  });
}
