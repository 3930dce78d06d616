import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { PoisonSink } from './poison-dead-letter';

/** Dead-letters poison records on the relay's dead-letter queue, one message each. */
export function sqsPoisonSink(client: Pick<SQSClient, 'send'>, queueUrl: string): PoisonSink {
  return async (deadLetter) => {
    await client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(deadLetter) }),
    );
  };
}
