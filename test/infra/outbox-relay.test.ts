import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { EventStoreTable } from '../../infra/constructs/event-store-table';
import { OutboxRelay, type OutboxRelayProps } from '../../infra/constructs/outbox-relay';
import { actionsGrantedTo, unbundledStack } from './construct-test-helpers';

const entry = 'functions/inventory/handlers/outbox-relay.handler.ts';

function relayOn(stack: Stack, overrides: Partial<OutboxRelayProps> = {}) {
  const store = new EventStoreTable(stack, 'Events');
  const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'shop' });
  const relay = new OutboxRelay(stack, 'Relay', {
    table: store.table,
    entry,
    service: 'orders',
    bus,
    source: 'shop.orders',
    ...overrides,
  });
  return { relay, template: Template.fromStack(stack) };
}

describe('OutboxRelay', () => {
  test('maps the stream to the function: new event items only, bisect, bounded retries and age, partial failures, DLQ', () => {
    // Act
    const { template } = relayOn(unbundledStack());
    // Assess
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EventsTable'), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 10,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 6 * 3600,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RelayDeadLetterQueue'), 'Arn'] },
        },
      },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { NewImage: { kind: { S: ['event'] } } },
            }),
          },
        ],
      },
    });
  });

  test('runs a ServiceFunction that knows the bus and may put events on it, read the stream and dead-letter', () => {
    // Act
    const { template } = relayOn(unbundledStack());
    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Timeout: 30,
      Environment: {
        Variables: Match.objectLike({
          EVENT_BUS_NAME: { Ref: Match.stringLikeRegexp('^Bus') },
          // Poison records go to the dead-letter queue whole, from the function itself.
          OUTBOX_DEAD_LETTER_QUEUE_URL: { Ref: Match.stringLikeRegexp('^RelayDeadLetterQueue') },
          POWERTOOLS_SERVICE_NAME: 'orders',
        }),
      },
    });
    expect(actionsGrantedTo(template, 'RelayFunctionServiceRole')).toEqual(
      expect.arrayContaining([
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'events:PutEvents',
        'sqs:SendMessage',
      ]),
    );
    expect(actionsGrantedTo(template, 'RelayFunctionServiceRole')).not.toEqual(
      expect.arrayContaining(['dynamodb:PutItem']),
    );
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'events:PutEvents',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Bus'), 'Arn'] },
            // Its own context's source only: no relay can publish another context's events.
            Condition: { StringEquals: { 'events:source': 'shop.orders' } },
          }),
        ]),
      },
    });
  });

  test('alarms on any message on the dead-letter queue and on an iterator age past the threshold', () => {
    // Act
    const { template } = relayOn(unbundledStack(), { iteratorAgeAlarmThreshold: Duration.minutes(2) });
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RelayDeadLetterQueue'), 'QueueName'] },
        },
      ],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Statistic: 'Maximum',
      Threshold: 120_000,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  test('passes batching, retries, age and an existing dead-letter queue through', () => {
    // Prepare
    const stack = unbundledStack();
    const deadLetterQueue = new sqs.Queue(stack, 'SharedFailures');
    // Act
    const { relay, template } = relayOn(stack, {
      batchSize: 50,
      maxBatchingWindow: Duration.seconds(2),
      retryAttempts: 2,
      maxRecordAge: Duration.hours(1),
      deadLetterQueue,
    });
    // Assess
    template.resourceCountIs('AWS::SQS::Queue', 1);
    expect(relay.deadLetterQueue).toBe(deadLetterQueue);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 50,
      MaximumBatchingWindowInSeconds: 2,
      MaximumRetryAttempts: 2,
      MaximumRecordAgeInSeconds: 3600,
    });
  });

  test.each<[string, (stack: Stack) => dynamodb.ITable, Partial<OutboxRelayProps>, RegExp]>([
    [
      'a table without a stream',
      (stack) =>
        new dynamodb.Table(stack, 'Plain', {
          partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        }),
      {},
      /the table has no stream. Create it with `stream: dynamodb.StreamViewType.NEW_IMAGE`/,
    ],
    [
      'a KEYS_ONLY stream',
      (stack) =>
        new dynamodb.Table(stack, 'Keys', {
          partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
          stream: dynamodb.StreamViewType.KEYS_ONLY,
        }),
      {},
      /KEYS_ONLY, but the relay publishes the new image: use NEW_IMAGE/,
    ],
    [
      'unbounded retries',
      (stack) => new EventStoreTable(stack, 'T').table,
      { retryAttempts: -1 },
      /retryAttempts must be an integer from 0 to 10000/,
    ],
    [
      'a record age under a minute',
      (stack) => new EventStoreTable(stack, 'T').table,
      { maxRecordAge: Duration.seconds(30) },
      /maxRecordAge must be from 60/,
    ],
    ['a batch of 0', (stack) => new EventStoreTable(stack, 'T').table, { batchSize: 0 }, /batchSize/],
    [
      'a service that is not kebab-case',
      (stack) => new EventStoreTable(stack, 'T').table,
      { service: 'Orders' },
      /kebab-case/,
    ],
  ])('refuses %s, saying how to fix it', (_, table, overrides, message) => {
    const stack = unbundledStack();
    const bus = new events.EventBus(stack, 'Bus');
    expect(
      () =>
        new OutboxRelay(stack, 'Relay', {
          table: table(stack),
          entry,
          service: 'orders',
          bus,
          source: 'shop.orders',
          ...overrides,
        }),
    ).toThrow(message);
  });
});
