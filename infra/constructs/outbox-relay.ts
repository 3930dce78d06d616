import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as eventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_ITEM_KIND } from '../../shared/event-sourcing/dynamodb-event-store';
import { OUTBOX_RELAY_ENV } from '../../shared/outbox/relay-environment';
import { ServiceFunction } from './service-function';
import { DeadLetterQueue } from './dead-letter-queue';

export interface OutboxRelayProps {
  /**
   * The table whose stream is the outbox: an `EventStoreTable`'s `table`, or any table with a
   * `NEW_IMAGE` (or `NEW_AND_OLD_IMAGES`) stream whose event items carry `kind = 'event'` and the
   * envelope of ARCHITECTURE.md §4.
   */
  readonly table: dynamodb.ITable;
  /**
   * The context's relay handler, relative to the repository root (e.g.
   * `functions/orders/handlers/outbox-relay.handler.ts`): built with `makeOutboxRelay`, reading the bus
   * name from `EVENT_BUS_NAME`.
   */
  readonly entry: string;
  /** The bounded context, lower-case kebab-case (`POWERTOOLS_SERVICE_NAME`). */
  readonly service: string;
  /** Where the events go; the function may `PutEvents` there and nowhere else. */
  readonly bus: events.IEventBus;
  /**
   * The context's event source (e.g. `shop.orders`): the only `source` the function may publish with
   * (an IAM condition on `events:source`), so no relay can put another context's events on the bus.
   */
  readonly source: string;
  /** Records per invocation, 1 to 10,000. @default 10 */
  readonly batchSize?: number;
  /** How long to gather records before invoking, up to 5 minutes. @default - no batching window */
  readonly maxBatchingWindow?: Duration;
  /**
   * Retries of a failing batch (after bisection) before its records go to the dead-letter queue,
   * 0 to 10,000. Bounded: a poison record must not hold its shard for a day.
   * @default 10
   */
  readonly retryAttempts?: number;
  /**
   * Records older than this are sent to the dead-letter queue instead of being retried, 60 seconds to
   * 7 days (a DynamoDB stream keeps records 24 hours).
   * @default Duration.hours(6)
   */
  readonly maxRecordAge?: Duration;
  /** @default lambda.StartingPosition.TRIM_HORIZON, so nothing written before the mapping exists is lost */
  readonly startingPosition?: lambda.StartingPosition;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default - a name CloudFormation generates */
  readonly functionName?: string;
  /** Extra environment variables of the relay function. */
  readonly environment?: Record<string, string>;
  /**
   * Where batches that exhausted their retries are described (shard and sequence numbers, not the
   * records themselves: those stay in the table).
   * @default - a new queue keeping messages 14 days
   */
  readonly deadLetterQueue?: sqs.IQueue;
  /**
   * The stream iterator age (maximum over a minute) at which the relay is alarmingly behind.
   * @default Duration.minutes(5)
   */
  readonly iteratorAgeAlarmThreshold?: Duration;
}

/**
 * The transactional outbox's relay: a `ServiceFunction` on the table's DynamoDB stream that publishes
 * new event items to the bus (the runtime half is `makeOutboxRelay` in `shared/outbox`).
 *
 * The event source mapping passes only `INSERT`s of items with `kind = 'event'` (snapshots, state items
 * and TTL deletions never invoke the function), reports partial batch failures, bisects a failing batch
 * down to the poison record, retries a bounded number of times, and then describes the batch on a
 * dead-letter queue. One poller per shard (`parallelizationFactor` 1) keeps each aggregate's events in
 * order. Two alarms: a message on the dead-letter queue (events were not published), and an iterator
 * age past the threshold (the relay falls behind).
 */
export class OutboxRelay extends Construct {
  public readonly function: ServiceFunction;
  public readonly deadLetterQueue: sqs.IQueue;
  public readonly eventSource: eventSources.DynamoEventSource;
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  public readonly iteratorAgeAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: OutboxRelayProps) {
    super(scope, id);
    validateProps(id, props);

    this.function = new ServiceFunction(this, 'Function', {
      entry: props.entry,
      service: props.service,
      functionName: props.functionName,
      description: `Outbox relay of ${props.service}: publishes new event items of its table to the bus`,
      timeout: props.timeout ?? Duration.seconds(30),
      memorySize: props.memorySize,
      environment: { ...props.environment, [OUTBOX_RELAY_ENV.busName]: props.bus.eventBusName },
    });
    iam.Grant.addToPrincipal({
      grantee: this.function,
      actions: ['events:PutEvents'],
      resourceArns: [props.bus.eventBusArn],
      conditions: { StringEquals: { 'events:source': props.source } },
    });

    this.deadLetterQueue = props.deadLetterQueue ?? new DeadLetterQueue(this, 'DeadLetterQueue');
    // Poison records go there whole, from the function itself; batches it failed, from the mapping.
    this.function.addEnvironment(OUTBOX_RELAY_ENV.deadLetterQueueUrl, this.deadLetterQueue.queueUrl);
    this.deadLetterQueue.grantSendMessages(this.function);

    this.eventSource = new eventSources.DynamoEventSource(props.table, {
      startingPosition: props.startingPosition ?? lambda.StartingPosition.TRIM_HORIZON,
      batchSize: props.batchSize ?? 10,
      maxBatchingWindow: props.maxBatchingWindow,
      retryAttempts: props.retryAttempts ?? 10,
      maxRecordAge: props.maxRecordAge ?? Duration.hours(6),
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      // More pollers per shard would still keep one key in order, but the relay's ordering argument
      // (and the local cloud) rest on one batch per shard at a time.
      parallelizationFactor: 1,
      onFailure: new eventSources.SqsDlq(this.deadLetterQueue),
      filters: [
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.isEqual('INSERT'),
          dynamodb: { NewImage: { kind: { S: lambda.FilterRule.isEqual(EVENT_ITEM_KIND) } } },
        }),
      ],
    });
    this.function.live.addEventSource(this.eventSource);

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: `Events of ${props.service} were not published: their stream batches are on the outbox relay's dead-letter queue.`,
      metric: this.metricDeadLetterMessages(),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const iteratorAgeThreshold = props.iteratorAgeAlarmThreshold ?? Duration.minutes(5);
    this.iteratorAgeAlarm = new cloudwatch.Alarm(this, 'IteratorAgeAlarm', {
      alarmDescription: `The outbox relay of ${props.service} is more than ${iteratorAgeThreshold.toHumanString()} behind its table's stream.`,
      metric: this.metricIteratorAge(),
      threshold: iteratorAgeThreshold.toMilliseconds(),
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /**
   * Age of the newest record of the last batch when it reached the function, in milliseconds.
   * @default maximum over 1 minute
   */
  public metricIteratorAge(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metric('IteratorAge', {
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(1),
      ...props,
    });
  }

  /**
   * Batch descriptions waiting on the dead-letter queue.
   * @default maximum over 1 minute
   */
  public metricDeadLetterMessages(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(1),
      ...props,
    });
  }

  /** @default sum over 5 minutes */
  public metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricErrors(props);
  }
}

function validateProps(id: string, props: OutboxRelayProps): void {
  const fail = (message: string): never => {
    throw new Error(`OutboxRelay ${id}: ${message}`);
  };
  if (props.table.tableStreamArn === undefined) {
    fail(
      'the table has no stream. Create it with `stream: dynamodb.StreamViewType.NEW_IMAGE` ' +
        '(an EventStoreTable has one), or import it with `tableStreamArn`.',
    );
  }
  const viewType = streamViewTypeOf(props.table);
  if (viewType === 'KEYS_ONLY' || viewType === 'OLD_IMAGE') {
    fail(
      `the table's stream is ${viewType}, but the relay publishes the new image: use NEW_IMAGE or NEW_AND_OLD_IMAGES.`,
    );
  }
  integerIn('batchSize', props.batchSize, 1, 10_000, fail);
  integerIn('retryAttempts', props.retryAttempts, 0, 10_000, fail);
  secondsIn('maxRecordAge', props.maxRecordAge, 60, 7 * 24 * 3600, fail);
  secondsIn('maxBatchingWindow', props.maxBatchingWindow, 0, 300, fail);
  secondsIn('timeout', props.timeout, 5, 900, fail);
  if (
    props.iteratorAgeAlarmThreshold !== undefined &&
    props.iteratorAgeAlarmThreshold.toMilliseconds() <= 0
  ) {
    fail('iteratorAgeAlarmThreshold must be longer than zero.');
  }
}

function streamViewTypeOf(table: dynamodb.ITable): string | undefined {
  const cfn = table.node.defaultChild;
  if (!(cfn instanceof dynamodb.CfnTable)) return undefined;
  const spec = cfn.streamSpecification;
  if (spec === undefined || Token.isUnresolved(spec)) return undefined;
  return (spec as dynamodb.CfnTable.StreamSpecificationProperty).streamViewType;
}

function integerIn(
  name: string,
  value: number | undefined,
  min: number,
  max: number,
  fail: (message: string) => never,
): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(`${name} must be an integer from ${min} to ${max}, not ${value}.`);
  }
}

function secondsIn(
  name: string,
  value: Duration | undefined,
  min: number,
  max: number,
  fail: (message: string) => never,
): void {
  if (value === undefined || value.isUnresolved()) return;
  const seconds = value.toSeconds({ integral: false });
  if (seconds < min || seconds > max) {
    fail(`${name} must be from ${min} to ${max} seconds, not ${seconds}.`);
  }
}
