import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as eventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { firstMessageAlarm } from './queue-alarms';
import { ServiceFunction } from './service-function';
import { DeadLetterQueue } from './dead-letter-queue';

/** The environment variable naming the consumer's own queue; the context's `config.ts` reads it. */
export const EVENT_CONSUMER_QUEUE_URL_ENV = 'EVENTS_QUEUE_URL';

export interface EventConsumerProps {
  /** The consumer's handler, relative to the repository root, built with `makeEventConsumer`. */
  readonly entry: string;
  /** The bounded context, lower-case kebab-case (`POWERTOOLS_SERVICE_NAME`). */
  readonly service: string;
  readonly description: string;
  /** The bus the events are on. */
  readonly bus: events.IEventBus;
  /** What the consumer reacts to: one rule per pattern, each to the consumer's queue. */
  readonly eventPatterns: readonly events.EventPattern[];
  /** @default Duration.seconds(15) */
  readonly timeout?: Duration;
  /**
   * How long a delivery that failed (not one put back on purpose, which sets its own pause) waits
   * before it is delivered again. At least the function's timeout.
   * @default four times the function's timeout
   */
  readonly visibilityTimeout?: Duration;
  /**
   * Deliveries of one message before it goes to the dead-letter queue. Count the deliveries of an event
   * that waits (one that came early, or a charge waiting for its processor) as well as the failures.
   * @default 20
   */
  readonly maxReceiveCount?: number;
  /**
   * Messages per invocation. One by default: each invocation continues the trace of its one event, so
   * an order's trace holds every consumer that reacted to it.
   * @default 1
   */
  readonly batchSize?: number;
  readonly environment?: Record<string, string>;
  /** @default 256 */
  readonly memorySize?: number;
}

/**
 * A context's consumer of other contexts' events (the choreographed saga): rules on the bus → an
 * encrypted queue with a dead-letter queue → one `ServiceFunction` reporting partial batch failures.
 * The rules' targets retry for a day and dead-letter to the same queue, so an event is never dropped on
 * its way in; an alarm fires on the first message on the dead-letter queue. The function may change the
 * visibility of its own messages (to deliver an early event again later) and knows its queue's URL
 * from `EVENTS_QUEUE_URL`.
 */
export class EventConsumer extends Construct {
  public readonly function: ServiceFunction;
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly rules: readonly events.Rule[];
  public readonly deadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: EventConsumerProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.seconds(15);
    const visibilityTimeout = props.visibilityTimeout ?? Duration.seconds(timeout.toSeconds() * 4);
    if (visibilityTimeout.toSeconds() < timeout.toSeconds()) {
      throw new Error(`EventConsumer ${id}: visibilityTimeout must be at least the function's timeout.`);
    }
    if (props.eventPatterns.length === 0) {
      throw new Error(`EventConsumer ${id}: eventPatterns must name at least one pattern.`);
    }
    const maxReceiveCount = props.maxReceiveCount ?? 20;
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1) {
      throw new Error(
        `EventConsumer ${id}: maxReceiveCount must be a positive integer, not ${maxReceiveCount}.`,
      );
    }

    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue');
    this.queue = new sqs.Queue(this, 'Queue', {
      visibilityTimeout,
      retentionPeriod: Duration.days(4),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });

    this.function = new ServiceFunction(this, 'Function', {
      entry: props.entry,
      service: props.service,
      description: props.description,
      timeout,
      memorySize: props.memorySize,
      environment: { ...props.environment, [EVENT_CONSUMER_QUEUE_URL_ENV]: this.queue.queueUrl },
    });
    this.function.live.addEventSource(
      new eventSources.SqsEventSource(this.queue, {
        batchSize: props.batchSize ?? 1,
        reportBatchItemFailures: true,
      }),
    );
    this.queue.grant(this.function, 'sqs:ChangeMessageVisibility');

    this.rules = props.eventPatterns.map(
      (eventPattern, index) =>
        new events.Rule(this, `Rule${index + 1}`, {
          eventBus: props.bus,
          description: `${props.description} (${describe(eventPattern)})`,
          eventPattern,
          targets: [
            new targets.SqsQueue(this.queue, {
              retryAttempts: 185,
              maxEventAge: Duration.hours(24),
              deadLetterQueue: this.deadLetterQueue,
            }),
          ],
        }),
    );

    this.deadLetterAlarm = firstMessageAlarm(
      this,
      'DeadLetterAlarm',
      this.deadLetterQueue,
      `Events ${props.service} could not react to wait on its consumer's dead-letter queue.`,
    );
  }
}

function describe(pattern: events.EventPattern): string {
  const types = pattern.detailType ?? ['any type'];
  return `${(pattern.source ?? ['any source']).join(', ')}: ${types.join(', ')}`;
}
