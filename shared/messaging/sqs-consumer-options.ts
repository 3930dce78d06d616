import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import { currentTraceHeader } from '../config/env';
import { logger } from '../observability/logger';
import { tracedClient } from '../observability/tracer';
import type { EventConsumerOptions } from './event-consumer';

/**
 * What every context's consumer runs with in Lambda: its own queue (an early event is put back on it
 * with `ChangeMessageVisibility`), the shared logger, and the invocation's trace header for events that
 * carry none.
 */
export function sqsConsumerOptions(
  queueUrl: string,
): Pick<EventConsumerOptions, 'changeVisibility' | 'logger' | 'currentTraceHeader'> {
  const sqs = tracedClient(new SQSClient({}));
  return {
    changeVisibility: async (receiptHandle, visibilityTimeoutSeconds) => {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: visibilityTimeoutSeconds,
        }),
      );
    },
    logger,
    currentTraceHeader,
  };
}
