import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export interface DeadLetterQueueProps {
  /**
   * What happens to the queue, and the messages in it, when it leaves the stack. `ProductionSafeguards`
   * retains every dead-letter queue of a `prod` app.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Where what could not be delivered or processed waits for an operator: kept the longest SQS allows
 * (14 days), encrypted at rest (SQS-managed keys) and reachable over TLS only. Every dead-letter and
 * parked-work queue of the app is one of these, so that what an operator needs to redrive is kept the
 * same way everywhere, and retained in production.
 */
export class DeadLetterQueue extends sqs.Queue {
  constructor(scope: Construct, id: string, props: DeadLetterQueueProps = {}) {
    super(scope, id, {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
  }
}
