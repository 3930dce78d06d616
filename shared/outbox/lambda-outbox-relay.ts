import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { tracedClient } from '../observability/tracer';
import { makeOutboxRelay, type OutboxRelayHandler } from './outbox-relay';
import type { RetryPolicy } from './retry-policy';

/**
 * A context's relay as its Lambda runs it: a traced EventBridge client making one attempt per call —
 * the relay retries the failed entries itself, and SDK retries would multiply them.
 */
export function lambdaOutboxRelay(options: {
  readonly busName: string;
  readonly source: string;
  readonly retry: RetryPolicy;
}): OutboxRelayHandler {
  return makeOutboxRelay({
    eventBridge: tracedClient(new EventBridgeClient({ maxAttempts: 1 })),
    ...options,
  });
}
