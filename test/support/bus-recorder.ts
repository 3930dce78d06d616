/**
 * Records what reaches the `shop` bus the way any consumer would see it: a rule on `source` with an SQS
 * queue as its target, made through the EventBridge and SQS APIs, drained on demand.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type LocalCloud, eventually, localClientConfig } from 'cdk-local-cloud';

const BUS = 'shop';
const TARGET_ID = 'recorder';

/** An outbox envelope, as every context publishes it in `detail`. */
export interface EnvelopeDetail {
  readonly eventId: string;
  readonly aggregateId: string;
  readonly version: number;
}

/** An event as the rule delivered it. */
export interface RecordedEvent<TDetail extends EnvelopeDetail> {
  readonly source: string;
  readonly 'detail-type': string;
  readonly detail: TDetail;
}

export class BusRecorder<TDetail extends EnvelopeDetail> {
  /** Every event delivered so far, by event id: a redelivery adds none. */
  private readonly received = new Map<string, RecordedEvent<TDetail>>();

  private constructor(
    private readonly ruleName: string,
    private readonly queueUrl: string,
    private readonly eventBridge: EventBridgeClient,
    private readonly sqs: SQSClient,
  ) {}

  /** A rule `ruleName` on the `shop` bus for every event of `source`, delivering to a new queue. */
  static async start<TDetail extends EnvelopeDetail>(
    cloud: LocalCloud,
    options: { readonly ruleName: string; readonly source: string },
  ): Promise<BusRecorder<TDetail>> {
    const eventBridge = new EventBridgeClient(localClientConfig(cloud.edgeUrl));
    const sqs = new SQSClient(localClientConfig(cloud.edgeUrl));
    const { QueueUrl: queueUrl = '' } = await sqs.send(
      new CreateQueueCommand({ QueueName: `${options.ruleName}-${randomUUID()}` }),
    );
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
    await eventBridge.send(
      new PutRuleCommand({
        Name: options.ruleName,
        EventBusName: BUS,
        EventPattern: JSON.stringify({ source: [options.source] }),
      }),
    );
    await eventBridge.send(
      new PutTargetsCommand({
        Rule: options.ruleName,
        EventBusName: BUS,
        Targets: [{ Id: TARGET_ID, Arn: Attributes?.QueueArn }],
      }),
    );
    return new BusRecorder<TDetail>(options.ruleName, queueUrl, eventBridge, sqs);
  }

  /** Every event delivered so far, once what the queue holds is read. */
  async all(): Promise<RecordedEvent<TDetail>[]> {
    await this.drain();
    return [...this.received.values()];
  }

  /** The events of one aggregate, in version order, once `count` of them have arrived. */
  async eventsOf(aggregateId: string, count: number, timeoutMs = 60_000): Promise<RecordedEvent<TDetail>[]> {
    return eventually(
      async () => {
        const events = (await this.all())
          .filter((event) => event.detail.aggregateId === aggregateId)
          .sort((a, b) => a.detail.version - b.detail.version);
        return events.length >= count ? events : undefined;
      },
      { timeoutMs, intervalMs: 250, what: `${count} events of ${aggregateId} on the bus` },
    );
  }

  /** Removes the rule and the queue. */
  async stop(): Promise<void> {
    try {
      await this.eventBridge.send(
        new RemoveTargetsCommand({ Rule: this.ruleName, EventBusName: BUS, Ids: [TARGET_ID] }),
      );
      await this.eventBridge.send(new DeleteRuleCommand({ Name: this.ruleName, EventBusName: BUS }));
      await this.sqs.send(new DeleteQueueCommand({ QueueUrl: this.queueUrl }));
    } finally {
      this.eventBridge.destroy();
      this.sqs.destroy();
    }
  }

  /** Moves what the queue holds into `received`. */
  private async drain(): Promise<void> {
    for (;;) {
      const { Messages = [] } = await this.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) return;
      for (const message of Messages) {
        const event = JSON.parse(message.Body ?? '{}') as RecordedEvent<TDetail>;
        this.received.set(event.detail.eventId, event);
      }
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: Messages.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
    }
  }
}
