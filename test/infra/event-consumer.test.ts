import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { EventConsumer, type EventConsumerProps } from '../../infra/constructs/event-consumer';
import { buildApp } from '../../infra/app';
import { actionsGrantedTo, unbundledApp, unbundledStack } from './construct-test-helpers';

const entry = 'functions/inventory/handlers/order-saga-events.handler.ts';

function consumerOn(stack: Stack, overrides: Partial<EventConsumerProps> = {}) {
  const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'shop' });
  const consumer = new EventConsumer(stack, 'Consumer', {
    entry,
    service: 'inventory',
    description: 'Reacts',
    bus,
    eventPatterns: [
      {
        source: ['shop.orders'],
        detailType: ['OrderCreated'],
        detail: { data: { saga: ['choreographed'] } },
      },
      { source: ['shop.payments'], detailType: ['PaymentCaptured'] },
    ],
    ...overrides,
  });
  return { consumer, template: Template.fromStack(stack) };
}

describe('EventConsumer', () => {
  test('one rule per pattern, each to the encrypted queue, retrying a day and dead-lettering to the same DLQ', () => {
    const { template } = consumerOn(unbundledStack());

    template.resourceCountIs('AWS::Events::Rule', 2);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['shop.orders'],
        'detail-type': ['OrderCreated'],
        detail: { data: { saga: ['choreographed'] } },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConsumerQueue'), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
          DeadLetterConfig: {
            Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConsumerDeadLetterQueue'), 'Arn'] },
          },
        }),
      ],
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 60,
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConsumerDeadLetterQueue'), 'Arn'] },
        maxReceiveCount: 20,
      },
    });
  });

  test('one message per invocation, partial failures reported; the function knows its queue and may change visibility there', () => {
    const { template } = consumerOn(unbundledStack());

    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ EVENTS_QUEUE_URL: { Ref: Match.stringLikeRegexp('^ConsumerQueue') } }),
      },
    });
    expect(actionsGrantedTo(template, 'ConsumerFunction')).toEqual([
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  test('an alarm on the first dead-lettered message', () => {
    const { template } = consumerOn(unbundledStack());
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  test.each<[string, Partial<EventConsumerProps>, RegExp]>([
    [
      'a visibility timeout below the function timeout',
      { timeout: Duration.seconds(30), visibilityTimeout: Duration.seconds(10) },
      /visibilityTimeout/,
    ],
    ['no pattern', { eventPatterns: [] }, /eventPatterns/],
    ['a receive count of 0', { maxReceiveCount: 0 }, /maxReceiveCount/],
  ])('refuses %s', (_label, overrides, message) => {
    expect(() => consumerOn(unbundledStack(), overrides)).toThrow(message);
  });
});

describe('the choreographed saga in the app', () => {
  const app = buildApp(unbundledApp());
  const template = (name: string) => Template.fromStack(app.node.findChild(name) as Stack);

  test('each context consumes just the events it reacts to', () => {
    const patterns = (name: string) =>
      Object.values(template(name).findResources('AWS::Events::Rule'))
        .map((rule) => (rule as { Properties: { EventPattern: unknown } }).Properties.EventPattern)
        .filter(
          (pattern) =>
            JSON.stringify(pattern).includes('OrderStock') ||
            JSON.stringify(pattern).includes('choreographed') ||
            JSON.stringify(pattern).includes('shop.payments') ||
            JSON.stringify(pattern).includes('OrderDeadlineReached'),
        );
    expect(patterns('ShopInventory')).toEqual([
      {
        source: ['shop.orders'],
        'detail-type': ['OrderCreated', 'OrderCancelled'],
        detail: { data: { saga: ['choreographed'] } },
      },
      { source: ['shop.payments'], 'detail-type': ['PaymentCaptured'] },
    ]);
    expect(patterns('ShopPayments')).toEqual([
      {
        source: ['shop.orders'],
        'detail-type': ['OrderCreated', 'OrderApproved', 'OrderCancelled'],
        detail: { data: { saga: ['choreographed'] } },
      },
      { source: ['shop.inventory'], 'detail-type': ['OrderStockReserved'] },
    ]);
    expect(patterns('ShopOrders')).toEqual([
      {
        source: ['shop.orders'],
        'detail-type': ['OrderCreated', 'OrderRejected'],
        detail: { data: { saga: ['choreographed'] } },
      },
      {
        source: ['shop.inventory'],
        'detail-type': [
          'OrderStockReserved',
          'OrderStockReservationFailed',
          'OrderStockCommitted',
          'OrderStockCommitFailed',
        ],
      },
      { source: ['shop.payments'], 'detail-type': ['PaymentDeclined', 'PaymentFailed'] },
      { source: ['shop.orders.schedules'], 'detail-type': ['OrderDeadlineReached'] },
    ]);
  });

  test('payments publish their events through an outbox relay that may use no other source', () => {
    const payments = template('ShopPayments');
    payments.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    payments.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'events:PutEvents',
            Condition: { StringEquals: { 'events:source': 'shop.payments' } },
          }),
        ]),
      },
    });
  });

  test('deadlines are one-time schedules in their own group, delivered by a role that may only put deadline events on the bus', () => {
    const orders = template('ShopOrders');
    orders.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    orders.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': Match.anyValue() } },
          }),
        ],
      },
    });
    expect(actionsGrantedTo(orders, 'DeadlineSchedulerRole')).toEqual([
      'events:PutEvents',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
    orders.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'events:PutEvents',
            Condition: { StringEquals: { 'events:source': 'shop.orders.schedules' } },
          }),
        ]),
      },
    });
    const consumerActions = actionsGrantedTo(orders, 'OrderSagaConsumerFunction');
    expect(consumerActions).toEqual(expect.arrayContaining(['scheduler:CreateSchedule', 'iam:PassRole']));
    expect(consumerActions.filter((action) => action.startsWith('scheduler:'))).toEqual([
      'scheduler:CreateSchedule',
    ]);
  });
});
