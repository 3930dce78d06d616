import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { LateReplicaRepair, RepairQueue } from '../ports/repair-queue';

/** Late replicas' repairs as SQS messages, for the background repairer (`repair-late-replica.handler`). */
export class SqsRepairQueue implements RepairQueue {
  constructor(private readonly props: { readonly client: SQSClient; readonly queueUrl: string }) {}

  async send(repair: LateReplicaRepair): Promise<void> {
    await this.props.client.send(
      new SendMessageCommand({ QueueUrl: this.props.queueUrl, MessageBody: JSON.stringify(repair) }),
    );
  }
}
