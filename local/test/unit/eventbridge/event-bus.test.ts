import { AwsServiceError } from '../../../src/aws-protocol';
import {
  EventBridgeEngine,
  TargetDeliveryError,
  type DeadLetterContext,
  type DeliveryContext,
  type DeliveryRecord,
  type Target,
  type TargetDispatcher,
} from '../../../src/eventbridge/event-bus';
import { waitUntil } from '../../../src/testing/eventually';

interface Delivery {
  readonly target: Target;
  readonly input: string;
  readonly context: DeliveryContext;
}

interface DeadLetter {
  readonly arn: string;
  readonly body: string;
  readonly context: DeadLetterContext;
}

/** Records every call; `behaviour` decides how each delivery attempt ends. */
class RecordingDispatcher implements TargetDispatcher {
  readonly attempts: Delivery[] = [];
  readonly deadLetters: DeadLetter[] = [];
  behaviour: (delivery: Delivery, attempt: number) => Promise<void> = async () => undefined;

  async deliver(target: Target, input: string, context: DeliveryContext): Promise<void> {
    const delivery = { target, input, context };
    this.attempts.push(delivery);
    const attempt = this.attempts.filter((previous) => previous.target.id === target.id).length;
    await this.behaviour(delivery, attempt);
  }

  async deliverToDeadLetter(arn: string, body: string, context: DeadLetterContext): Promise<void> {
    this.deadLetters.push({ arn, body, context });
  }

  to(targetId: string): Delivery[] {
    return this.attempts.filter((delivery) => delivery.target.id === targetId);
  }
}

/** Polls until `check` stops throwing, or fails with its last error at the deadline. */
const eventually = (check: () => void, timeoutMs = 5_000): Promise<void> =>
  waitUntil(check, { timeoutMs, intervalMs: 5 });

function recordFor(engine: EventBridgeEngine, targetId: string): DeliveryRecord {
  const record = engine.deliveries().find((candidate) => candidate.targetId === targetId);
  if (!record) {
    throw new Error(`no delivery record for ${targetId}`);
  }
  return record;
}

async function rejection(promise: Promise<unknown>): Promise<AwsServiceError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AwsServiceError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a rejection');
}

const order = { Source: 'orders', DetailType: 'OrderPlaced', Detail: '{"orderId":"o-1","total":42}' };

describe('EventBridgeEngine', () => {
  let dispatcher: RecordingDispatcher;
  let engine: EventBridgeEngine;

  beforeEach(() => {
    dispatcher = new RecordingDispatcher();
    engine = new EventBridgeEngine({ dispatcher, retryBaseDelayMs: 1, retryMaxDelayMs: 4 });
  });

  afterEach(() => engine.close());

  describe('PutEvents', () => {
    it('builds the event and delivers it to the targets of every matching enabled rule', async () => {
      // Prepare
      engine.putRule({
        name: 'placed',
        eventPattern: { source: ['orders'], 'detail-type': ['OrderPlaced'] },
      });
      engine.putRule({ name: 'big', eventPattern: '{"detail":{"total":[{"numeric":[">",10]}]}}' });
      engine.putRule({ name: 'other-source', eventPattern: { source: ['payments'] } });
      engine.putRule({ name: 'switched-off', eventPattern: { source: ['orders'] }, state: 'DISABLED' });
      engine.putTargets('placed', undefined, [
        { id: 'placed-target', arn: 'arn:aws:lambda:us-east-1:000000000000:function:a' },
      ]);
      engine.putTargets('big', undefined, [
        { id: 'big-target', arn: 'arn:aws:sqs:us-east-1:000000000000:q' },
      ]);
      engine.putTargets('other-source', undefined, [
        { id: 'other-target', arn: 'arn:aws:sqs:us-east-1:000000000000:o' },
      ]);
      engine.putTargets('switched-off', undefined, [
        { id: 'off-target', arn: 'arn:aws:sqs:us-east-1:000000000000:x' },
      ]);

      // Act
      const result = await engine.putEvents(
        { Entries: [{ ...order, Time: 1714564800.75, Resources: ['arn:aws:s3:::b'] }] },
        { traceHeader: 'Root=1-request' },
      );

      // Assess
      expect(result.FailedEntryCount).toBe(0);
      const eventId = result.Entries[0]?.EventId;
      // Matching is decided when the event is accepted: only matching, enabled rules get a delivery.
      expect(
        engine
          .deliveries()
          .map((record) => record.ruleName)
          .sort(),
      ).toEqual(['big', 'placed']);
      await eventually(() => expect(dispatcher.attempts).toHaveLength(2));
      const delivery = dispatcher.to('placed-target')[0];
      expect(JSON.parse(delivery?.input ?? '')).toEqual({
        version: '0',
        id: eventId,
        'detail-type': 'OrderPlaced',
        source: 'orders',
        account: '000000000000',
        time: '2024-05-01T12:00:00Z',
        region: 'us-east-1',
        resources: ['arn:aws:s3:::b'],
        detail: { orderId: 'o-1', total: 42 },
      });
      expect(delivery?.context).toEqual({
        traceHeader: 'Root=1-request',
        ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/placed',
        eventId,
      });
      expect(eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    });

    it('answers before any target is called, and delivers afterwards', async () => {
      // Prepare
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      dispatcher.behaviour = () => gate;
      engine.putRule({ name: 'all', eventPattern: { source: ['orders'] } });
      engine.putTargets('all', undefined, [{ id: 't', arn: 'arn:aws:sqs:us-east-1:000000000000:q' }]);

      // Act
      const result = await engine.putEvents({ Entries: [order] });
      const callsWhenAnswered = dispatcher.attempts.length;

      // Assess
      expect(result.Entries[0]?.EventId).toBeDefined();
      expect(callsWhenAnswered).toBe(0);
      await eventually(() => expect(dispatcher.attempts).toHaveLength(1));
      expect(recordFor(engine, 't').outcome).toBe('in-flight');
      release();
      await eventually(() => expect(recordFor(engine, 't').outcome).toBe('delivered'));
      expect(recordFor(engine, 't').attempts).toBe(1);
    });

    it("prefers the entry's TraceHeader over the request's", async () => {
      // Prepare
      engine.putRule({ name: 'all', eventPattern: { source: ['orders'] } });
      engine.putTargets('all', undefined, [{ id: 't', arn: 'arn:aws:sqs:us-east-1:000000000000:q' }]);

      // Act
      await engine.putEvents(
        { Entries: [{ ...order, TraceHeader: 'Root=1-entry' }] },
        { traceHeader: 'Root=1-request' },
      );

      // Assess
      await eventually(() => expect(dispatcher.attempts).toHaveLength(1));
      expect(dispatcher.attempts[0]?.context.traceHeader).toBe('Root=1-entry');
    });

    it('returns per-entry results: validation failures, injected faults and accepted events', async () => {
      // Prepare
      engine.setEntryFaultInjector((entry) =>
        entry.detail.fail === true
          ? { errorCode: 'InternalFailure', errorMessage: 'Injected failure.' }
          : undefined,
      );
      engine.putRule({ name: 'all', eventPattern: { source: ['orders'] } });
      engine.putTargets('all', undefined, [{ id: 't', arn: 'arn:aws:sqs:us-east-1:000000000000:q' }]);

      // Act
      const result = await engine.putEvents({
        Entries: [order, { ...order, Detail: '{"fail":true}' }, { Source: 'orders', DetailType: 'X' }],
      });

      // Assess
      expect(result.FailedEntryCount).toBe(2);
      expect(result.Entries[0]).toEqual({ EventId: expect.any(String) });
      expect(result.Entries[1]).toEqual({ ErrorCode: 'InternalFailure', ErrorMessage: 'Injected failure.' });
      expect(result.Entries[2]).toEqual({
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.',
      });
      expect(engine.deliveries().map((record) => record.eventId)).toEqual([result.Entries[0]?.EventId]);
    });

    it('accepts and drops an event for a bus that does not exist, as AWS does', async () => {
      // Act
      const result = await engine.putEvents({ Entries: [{ ...order, EventBusName: 'no-such-bus' }] });

      // Assess
      expect(result).toEqual({ FailedEntryCount: 0, Entries: [{ EventId: expect.any(String) }] });
      expect(engine.deliveries()).toEqual([
        expect.objectContaining({
          eventId: result.Entries[0]?.EventId,
          busName: 'no-such-bus',
          outcome: 'bus-not-found',
        }),
      ]);
    });

    it('routes by bus name or bus ARN to that bus only', async () => {
      // Prepare
      const busArn = engine.createBus('orders-bus');
      engine.putRule({ name: 'on-bus', busName: 'orders-bus', eventPattern: { source: ['orders'] } });
      engine.putTargets('on-bus', 'orders-bus', [
        { id: 'bus-target', arn: 'arn:aws:sqs:us-east-1:000000000000:q' },
      ]);
      engine.putRule({ name: 'on-default', eventPattern: { source: ['orders'] } });
      engine.putTargets('on-default', undefined, [
        { id: 'default-target', arn: 'arn:aws:sqs:us-east-1:000000000000:d' },
      ]);

      // Act
      await engine.putEvents({
        Entries: [
          { ...order, EventBusName: busArn },
          { ...order, EventBusName: 'orders-bus' },
        ],
      });

      // Assess
      await eventually(() => expect(dispatcher.to('bus-target')).toHaveLength(2));
      expect(dispatcher.to('default-target')).toHaveLength(0);
      expect(dispatcher.to('bus-target')[0]?.context.ruleArn).toBe(
        'arn:aws:events:us-east-1:000000000000:rule/orders-bus/on-bus',
      );
    });

    it("shapes each target's input with its InputTransformer", async () => {
      // Prepare
      engine.putRule({ name: 'shaped', eventPattern: { source: ['orders'] } });
      engine.putTargets('shaped', undefined, [
        {
          id: 't',
          arn: 'arn:aws:sqs:us-east-1:000000000000:q',
          inputTransformer: {
            inputPathsMap: { id: '$.detail.orderId' },
            inputTemplate: '{"order": <id>, "rule": "<aws.events.rule-name>"}',
          },
        },
      ]);

      // Act
      await engine.putEvents({ Entries: [order] });

      // Assess
      await eventually(() => expect(dispatcher.attempts).toHaveLength(1));
      expect(dispatcher.attempts[0]?.input).toBe('{"order":"o-1","rule":"shaped"}');
    });

    it('delivers nothing, and records the drop, when a filled JSON template is no JSON', async () => {
      // Prepare
      engine.putRule({ name: 'broken', eventPattern: { source: ['orders'] } });
      engine.putTargets('broken', undefined, [
        {
          id: 'quoted-object',
          arn: 'arn:aws:sqs:us-east-1:000000000000:q',
          inputTransformer: { inputPathsMap: { d: '$.detail' }, inputTemplate: '{"detail": "<d>"}' },
        },
        { id: 'whole', arn: 'arn:aws:sqs:us-east-1:000000000000:q' },
      ]);

      // Act
      const { Entries } = await engine.putEvents({ Entries: [order] });

      // Assess
      await eventually(() => expect(dispatcher.to('whole')).toHaveLength(1));
      expect(dispatcher.to('quoted-object')).toHaveLength(0);
      expect(recordFor(engine, 'quoted-object')).toMatchObject({
        eventId: Entries[0]?.EventId,
        outcome: 'dropped',
        attempts: 0,
        errorMessage: expect.stringContaining('not valid JSON'),
      });
    });

    it('keeps only the 500 most recent delivery records', async () => {
      // Prepare
      const batch = { Entries: Array.from({ length: 10 }, () => ({ ...order, EventBusName: 'nowhere' })) };

      // Act
      const first = await engine.putEvents(batch);
      for (let call = 0; call < 50; call++) {
        await engine.putEvents(batch);
      }

      // Assess
      const records = engine.deliveries();
      expect(records).toHaveLength(500);
      expect(records.map((record) => record.eventId)).not.toContain(first.Entries[0]?.EventId);
    });
  });

  describe('retries and dead-letter queue', () => {
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:flaky';
    const dlq = 'arn:aws:sqs:us-east-1:000000000000:dlq';

    it('retries a failing target and records the delivery once it succeeds', async () => {
      // Prepare
      dispatcher.behaviour = async (_delivery, attempt) => {
        if (attempt < 3) {
          throw new AwsServiceError('ServiceException', 'target busy', 500);
        }
      };
      engine.putRule({ name: 'r', eventPattern: { source: ['orders'] } });
      engine.putTargets('r', undefined, [{ id: 't', arn, deadLetterArn: dlq }]);

      // Act
      await engine.putEvents({ Entries: [order] });

      // Assess
      await eventually(() => expect(recordFor(engine, 't').outcome).toBe('delivered'));
      expect(recordFor(engine, 't').attempts).toBe(3);
      expect(dispatcher.deadLetters).toHaveLength(0);
    });

    it('sends the original event to the dead-letter queue once the retry attempts are spent', async () => {
      // Prepare
      dispatcher.behaviour = async () => {
        throw new AwsServiceError('ServiceException', 'target down', 500);
      };
      engine.putRule({ name: 'r', eventPattern: { source: ['orders'] } });
      engine.putTargets('r', undefined, [
        { id: 't', arn, inputPath: '$.detail', retryPolicy: { maximumRetryAttempts: 2 }, deadLetterArn: dlq },
      ]);

      // Act
      const result = await engine.putEvents({ Entries: [order] }, { traceHeader: 'Root=1-x' });

      // Assess
      await eventually(() => expect(recordFor(engine, 't').outcome).toBe('dead-lettered'));
      expect(dispatcher.to('t')).toHaveLength(3);
      expect(dispatcher.to('t')[0]?.input).toBe('{"orderId":"o-1","total":42}');
      expect(dispatcher.deadLetters).toHaveLength(1);
      const deadLetter = dispatcher.deadLetters[0];
      expect(deadLetter?.arn).toBe(dlq);
      expect(JSON.parse(deadLetter?.body ?? '')).toMatchObject({
        id: result.Entries[0]?.EventId,
        source: 'orders',
      });
      expect(deadLetter?.context).toEqual({
        errorCode: 'SDK_CLIENT_ERROR',
        errorMessage: 'target down',
        ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/r',
        targetArn: arn,
        retryAttempts: 2,
        exhaustedRetryCondition: 'MaximumRetryAttempts',
        traceHeader: 'Root=1-x',
      });
      expect(recordFor(engine, 't')).toMatchObject({ attempts: 3, errorCode: 'SDK_CLIENT_ERROR' });
    });

    it('does not retry a missing target resource but dead-letters it at once', async () => {
      // Prepare
      dispatcher.behaviour = async () => {
        throw new AwsServiceError('ResourceNotFoundException', 'Function not found', 404);
      };
      engine.putRule({ name: 'r', eventPattern: { source: ['orders'] } });
      engine.putTargets('r', undefined, [{ id: 't', arn, deadLetterArn: dlq }]);

      // Act
      await engine.putEvents({ Entries: [order] });

      // Assess
      await eventually(() => expect(recordFor(engine, 't').outcome).toBe('dead-lettered'));
      expect(dispatcher.to('t')).toHaveLength(1);
      expect(dispatcher.deadLetters[0]?.context).toMatchObject({
        errorCode: 'NO_RESOURCE',
        retryAttempts: 0,
        exhaustedRetryCondition: undefined,
      });
    });

    it('gives up when the next retry would pass the maximum event age', async () => {
      // Prepare
      let nowMs = Date.parse('2024-05-01T12:00:00Z');
      engine.close();
      engine = new EventBridgeEngine({ dispatcher, retryBaseDelayMs: 1, now: () => new Date(nowMs) });
      dispatcher.behaviour = async () => {
        nowMs += 61_000;
        throw new TargetDeliveryError('THROTTLING', 'slow down');
      };
      engine.putRule({ name: 'r', eventPattern: { source: ['orders'] } });
      engine.putTargets('r', undefined, [
        { id: 't', arn, retryPolicy: { maximumEventAgeInSeconds: 60 }, deadLetterArn: dlq },
      ]);

      // Act
      await engine.putEvents({ Entries: [order] });

      // Assess
      await eventually(() => expect(recordFor(engine, 't').outcome).toBe('dead-lettered'));
      expect(dispatcher.to('t')).toHaveLength(1);
      expect(dispatcher.deadLetters[0]?.context).toMatchObject({
        errorCode: 'THROTTLING',
        exhaustedRetryCondition: 'MaximumEventAgeInSeconds',
      });
    });

    it('drops the event when retries are spent and there is no dead-letter queue', async () => {
      // Prepare
      dispatcher.behaviour = async () => {
        throw new Error('connection refused');
      };
      engine.putRule({ name: 'r', eventPattern: { source: ['orders'] } });
      engine.putTargets('r', undefined, [{ id: 't', arn, retryPolicy: { maximumRetryAttempts: 1 } }]);

      // Act
      await engine.putEvents({ Entries: [order] });

      // Assess
      await eventually(() => expect(recordFor(engine, 't').outcome).toBe('dropped'));
      expect(recordFor(engine, 't')).toMatchObject({ attempts: 2, errorMessage: 'connection refused' });
      expect(dispatcher.deadLetters).toHaveLength(0);
    });
  });

  describe('TestEventPattern', () => {
    const event = JSON.stringify({
      id: '1',
      account: '000000000000',
      source: 'orders',
      time: '2024-05-01T12:00:00Z',
      region: 'us-east-1',
      resources: [],
      'detail-type': 'OrderPlaced',
      detail: { total: 42 },
    });

    it('tells whether the event matches', async () => {
      // Act
      const matching = await engine.handle('TestEventPattern', {
        EventPattern: '{"source":["orders"]}',
        Event: event,
      });
      const other = await engine.handle('TestEventPattern', {
        EventPattern: '{"source":["payments"]}',
        Event: event,
      });

      // Assess
      expect(matching).toEqual({ Result: true });
      expect(other).toEqual({ Result: false });
    });

    it('rejects an invalid pattern with InvalidEventPatternException', async () => {
      // Act
      const error = await rejection(
        engine.handle('TestEventPattern', { EventPattern: '{"source":"orders"}', Event: event }),
      );

      // Assess
      expect(error.code).toBe('InvalidEventPatternException');
      expect(error.message).toMatch(/^Event pattern is not valid\. Reason: /);
    });

    it('rejects an event without the mandatory fields with ValidationException', async () => {
      // Act
      const error = await rejection(
        engine.handle('TestEventPattern', {
          EventPattern: '{"source":["orders"]}',
          Event: '{"source":"orders"}',
        }),
      );

      // Assess
      expect(error.code).toBe('ValidationException');
      expect(error.message).toBe('Parameter Event is not valid.');
    });
  });

  describe('scheduled rules', () => {
    it('takes rate and cron expressions on the default bus, and sends a Scheduled Event when fired', async () => {
      // Prepare
      await engine.handle('PutRule', { Name: 'hourly', ScheduleExpression: 'rate(1 hour)' });
      await engine.handle('PutRule', {
        Name: 'nightly',
        ScheduleExpression: 'cron(0 2 * * ? *)',
        State: 'DISABLED',
      });
      await engine.handle('PutTargets', {
        Rule: 'hourly',
        Targets: [{ Id: 't1', Arn: 'arn:aws:sqs:us-east-1:000000000000:ticks' }],
      });

      // Act
      engine.fireScheduledRule('hourly', new Date('2026-12-06T11:00:00Z'));
      await eventually(() => expect(dispatcher.to('t1')).toHaveLength(1));

      // Assess
      expect(engine.scheduledRules()).toEqual([
        { name: 'hourly', scheduleExpression: 'rate(1 hour)', enabled: true },
        { name: 'nightly', scheduleExpression: 'cron(0 2 * * ? *)', enabled: false },
      ]);
      expect(JSON.parse(dispatcher.to('t1')[0]?.input ?? '{}')).toMatchObject({
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        time: '2026-12-06T11:00:00Z',
        resources: ['arn:aws:events:us-east-1:000000000000:rule/hourly'],
        detail: {},
      });
    });

    it.each([
      ['an at() expression', { Name: 'once', ScheduleExpression: 'at(2027-01-01T00:00:00)' }],
      ['a malformed rate', { Name: 'bad', ScheduleExpression: 'rate(1 minutes)' }],
      ['a custom bus', { Name: 'custom', ScheduleExpression: 'rate(1 hour)', EventBusName: 'shop' }],
    ])('refuses %s with a ValidationException', async (_case, input) => {
      // Prepare
      engine.createBus('shop');

      // Act
      const refused = await rejection(engine.handle('PutRule', input));

      // Assess
      expect(refused).toMatchObject({ code: 'ValidationException' });
    });
  });

  describe('rule and bus operations', () => {
    it('puts, describes, lists and deletes rules and their targets', async () => {
      // Act
      const put = await engine.handle('PutRule', {
        Name: 'placed',
        EventPattern: '{"source":["orders"]}',
        Description: 'orders placed',
      });
      await engine.handle('PutTargets', {
        Rule: 'placed',
        Targets: [
          {
            Id: 't1',
            Arn: 'arn:aws:sqs:us-east-1:000000000000:q',
            RetryPolicy: { MaximumRetryAttempts: 3 },
            DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:dlq' },
            SqsParameters: { MessageGroupId: 'g' },
          },
        ],
      });
      const described = await engine.handle('DescribeRule', { Name: 'placed' });
      const listed = await engine.handle('ListRules', { NamePrefix: 'pla' });
      const targets = await engine.handle('ListTargetsByRule', { Rule: 'placed' });
      const refused = await rejection(engine.handle('DeleteRule', { Name: 'placed' }));
      await engine.handle('RemoveTargets', { Rule: 'placed', Ids: ['t1'] });
      await engine.handle('DeleteRule', { Name: 'placed' });
      const gone = await rejection(engine.handle('DescribeRule', { Name: 'placed' }));

      // Assess
      expect(put).toEqual({ RuleArn: 'arn:aws:events:us-east-1:000000000000:rule/placed' });
      expect(described).toEqual({
        Name: 'placed',
        Arn: 'arn:aws:events:us-east-1:000000000000:rule/placed',
        EventPattern: '{"source":["orders"]}',
        State: 'ENABLED',
        Description: 'orders placed',
        EventBusName: 'default',
        CreatedBy: '000000000000',
        ScheduleExpression: undefined,
        RoleArn: undefined,
      });
      expect(listed).toEqual({ Rules: [described], NextToken: undefined });
      expect(targets).toEqual({
        Targets: [
          expect.objectContaining({
            Id: 't1',
            RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 86_400 },
            DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:dlq' },
            SqsParameters: { MessageGroupId: 'g' },
          }),
        ],
      });
      expect(refused).toMatchObject({
        code: 'ValidationException',
        message: "Rule can't be deleted since it has targets.",
      });
      expect(gone).toMatchObject({
        code: 'ResourceNotFoundException',
        message: 'Rule placed does not exist on EventBus default.',
      });
    });

    it('refuses an invalid pattern on PutRule with InvalidEventPatternException', async () => {
      // Act
      const error = await rejection(
        engine.handle('PutRule', { Name: 'bad', EventPattern: '{"source":"x"}' }),
      );

      // Assess
      expect(error.code).toBe('InvalidEventPatternException');
    });

    it('disables and enables a rule', async () => {
      // Prepare
      engine.putRule({ name: 'r', eventPattern: { source: ['orders'] } });
      engine.putTargets('r', undefined, [{ id: 't', arn: 'arn:aws:sqs:us-east-1:000000000000:q' }]);

      // Act
      await engine.handle('DisableRule', { Name: 'r' });
      await engine.putEvents({ Entries: [order] });
      const whileDisabled = engine.deliveries().length;
      await engine.handle('EnableRule', { Name: 'r' });
      await engine.putEvents({ Entries: [order] });

      // Assess
      expect(whileDisabled).toBe(0);
      await eventually(() => expect(dispatcher.attempts).toHaveLength(1));
    });

    it.each([
      [
        'Input together with InputPath',
        { Id: 't', Arn: 'arn:x', Input: '{}', InputPath: '$.detail' },
        'ValidationException',
        'Only one of Input, InputPath, or InputTransformer must be provided for target t.',
      ],
      [
        'an InputTemplate with an unknown placeholder',
        { Id: 't', Arn: 'arn:x', InputTransformer: { InputPathsMap: {}, InputTemplate: '"<who>"' } },
        'ValidationException',
        'InputTemplate for target t contains invalid placeholder who.',
      ],
      [
        'an Input that is not JSON',
        { Id: 't', Arn: 'arn:x', Input: 'not json' },
        'ValidationException',
        'Input for target t is not valid JSON.',
      ],
      [
        'an id of other characters',
        { Id: '!@#', Arn: 'arn:x' },
        'ValidationException',
        "1 validation error detected: Value '!@#' at 'targets.1.member.id' failed to satisfy constraint: " +
          'Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+',
      ],
    ])('refuses a target with %s', async (_case, target, code, message) => {
      // Prepare
      engine.putRule({ name: 'r', eventPattern: { source: ['orders'] } });

      // Act
      const error = await rejection(engine.handle('PutTargets', { Rule: 'r', Targets: [target] }));

      // Assess
      expect(error).toMatchObject({ code, message });
    });

    it('limits a rule to five targets', async () => {
      // Prepare
      engine.putRule({ name: 'r', eventPattern: { source: ['orders'] } });
      const targets = Array.from({ length: 6 }, (_, i) => ({
        id: `t${i}`,
        arn: 'arn:aws:sqs:us-east-1:000000000000:q',
      }));

      // Act
      const put = () => engine.putTargets('r', undefined, targets);

      // Assess
      expect(put).toThrow(
        expect.objectContaining({
          code: 'LimitExceededException',
          message: 'The requested resource exceeds the maximum number allowed.',
        }),
      );
    });

    it('creates, describes, lists and deletes buses; the default bus always exists', async () => {
      // Act
      const created = await engine.handle('CreateEventBus', { Name: 'orders-bus' });
      const duplicate = await rejection(engine.handle('CreateEventBus', { Name: 'orders-bus' }));
      const byArn = await engine.handle('DescribeEventBus', {
        Name: 'arn:aws:events:us-east-1:000000000000:event-bus/orders-bus',
      });
      const listed = (await engine.handle('ListEventBuses', {})) as { EventBuses: { Name: string }[] };
      const defaultRefused = await rejection(engine.handle('DeleteEventBus', { Name: 'default' }));
      await engine.handle('DeleteEventBus', { Name: 'orders-bus' });
      const gone = await rejection(engine.handle('DescribeEventBus', { Name: 'orders-bus' }));

      // Assess
      expect(created).toEqual({ EventBusArn: 'arn:aws:events:us-east-1:000000000000:event-bus/orders-bus' });
      expect(duplicate.code).toBe('ResourceAlreadyExistsException');
      expect(byArn).toMatchObject({ Name: 'orders-bus', CreationTime: expect.any(Number) });
      expect(listed.EventBuses.map((bus) => bus.Name)).toEqual(['default', 'orders-bus']);
      expect(defaultRefused.code).toBe('ValidationException');
      expect(gone).toMatchObject({
        code: 'ResourceNotFoundException',
        message: 'Event bus orders-bus does not exist.',
      });
    });

    it('pages ListRules with Limit and NextToken', async () => {
      // Prepare
      for (const name of ['c', 'a', 'b']) {
        engine.putRule({ name, eventPattern: { source: ['orders'] } });
      }

      // Act
      const first = (await engine.handle('ListRules', { Limit: 2 })) as {
        Rules: { Name: string }[];
        NextToken?: string;
      };
      const second = (await engine.handle('ListRules', { Limit: 2, NextToken: first.NextToken })) as {
        Rules: { Name: string }[];
        NextToken?: string;
      };

      // Assess
      expect(first.Rules.map((rule) => rule.Name)).toEqual(['a', 'b']);
      expect(second.Rules.map((rule) => rule.Name)).toEqual(['c']);
      expect(second.NextToken).toBeUndefined();
    });
  });
});
