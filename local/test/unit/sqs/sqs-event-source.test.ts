import { AwsServiceError } from '../../../src/aws-protocol';
import type { InvokeOptions, InvokeResult, LambdaInvoker } from '../../../src/lambda/invoker';
import { SqsEngine } from '../../../src/sqs/sqs-engine';
import { SqsBatchResponseError, SqsEventSource, type SqsEvent } from '../../../src/sqs/sqs-event-source';
import { waitUntil } from '../../../src/testing/eventually';

class FakeClock {
  constructor(private ms: number) {}
  readonly now = (): number => this.ms;
  advanceSeconds(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

interface Invocation {
  readonly functionName: string;
  readonly event: SqsEvent;
  readonly options: InvokeOptions;
}

/** Records every invocation and answers with `respond`. */
class FakeInvoker implements LambdaInvoker {
  readonly invocations: Invocation[] = [];

  constructor(private readonly respond: (event: SqsEvent, call: number) => InvokeResult) {}

  async invoke(functionName: string, event: unknown, options: InvokeOptions): Promise<InvokeResult> {
    const sqsEvent = event as SqsEvent;
    this.invocations.push({ functionName, event: sqsEvent, options });
    return this.respond(sqsEvent, this.invocations.length);
  }

  async invokeAsync(): Promise<void> {
    throw new Error('the SQS event source invokes synchronously');
  }

  bodies(call: number): string[] {
    return this.invocations[call]?.event.Records.map((record) => record.body) ?? [];
  }
}

const START = Date.UTC(2025, 0, 1);
const succeed = (): InvokeResult => ({ payload: null });
const fail = (): InvokeResult => ({
  payload: { errorType: 'Error', errorMessage: 'boom' },
  functionError: { errorType: 'Error', errorMessage: 'boom' },
});

const eventually = (check: () => boolean, what: string, timeoutMs = 5000): Promise<void> =>
  waitUntil(check, { what, timeoutMs, intervalMs: 0 });

let clock: FakeClock;
let engine: SqsEngine;
let source: SqsEventSource | undefined;

beforeEach(() => {
  clock = new FakeClock(START);
  engine = new SqsEngine({ endpointUrl: () => 'http://127.0.0.1:4566', now: clock.now });
  engine.createQueue('orders-dlq');
  engine.createQueue('orders', {
    VisibilityTimeout: '30',
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:orders-dlq',
      maxReceiveCount: 2,
    }),
  });
});

afterEach(async () => {
  await source?.stop();
  source = undefined;
  engine.close();
});

function startSource(
  invoker: FakeInvoker,
  extra: Partial<ConstructorParameters<typeof SqsEventSource>[0]> = {},
): void {
  source = new SqsEventSource({ engine, queueName: 'orders', functionName: 'fulfil', invoker, ...extra });
  source.start();
}

const counts = (): ReturnType<SqsEngine['approximateCounts']> => engine.approximateCounts('orders');

describe('SqsEventSource', () => {
  it('invokes with the AWS SQS event and deletes the batch when the function succeeds', async () => {
    // Prepare
    const invoker = new FakeInvoker(succeed);
    const sent = engine.sendMessage('orders', '{"orderId":"o-1"}', {
      channel: { DataType: 'String', StringValue: 'web' },
    });
    engine.sendMessage(
      'orders',
      '{"orderId":"o-2"}',
      {},
      { traceHeader: 'Root=1-5e1b4151-5ac6c58f5b5daa6532e4f2e8' },
    );

    // Act
    startSource(invoker);
    await eventually(
      () => invoker.invocations.length === 1 && counts().notVisible === 0,
      'the batch to be deleted',
    );

    // Assess
    const [first, second] = invoker.invocations[0]?.event.Records ?? [];
    expect(invoker.invocations[0]?.functionName).toBe('fulfil');
    expect(invoker.invocations[0]?.options).toEqual({
      trigger: 'sqs',
      traceHeader: 'Root=1-5e1b4151-5ac6c58f5b5daa6532e4f2e8',
    });
    expect(first).toEqual({
      messageId: sent.messageId,
      receiptHandle: expect.any(String),
      body: '{"orderId":"o-1"}',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(START),
        SenderId: '000000000000',
        ApproximateFirstReceiveTimestamp: String(START),
      },
      messageAttributes: {
        channel: { stringValue: 'web', stringListValues: [], binaryListValues: [], dataType: 'String' },
      },
      md5OfBody: sent.md5OfMessageBody,
      md5OfMessageAttributes: sent.md5OfMessageAttributes,
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:orders',
      awsRegion: 'us-east-1',
    });
    expect(second?.attributes.AWSTraceHeader).toBe('Root=1-5e1b4151-5ac6c58f5b5daa6532e4f2e8');
    expect(counts()).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
  });

  it('picks up messages sent while it waits, in batches of batchSize', async () => {
    // Prepare
    const invoker = new FakeInvoker(succeed);
    startSource(invoker, { batchSize: 2 });

    // Act
    for (const body of ['a', 'b', 'c']) engine.sendMessage('orders', body);
    await eventually(() => counts().visible + counts().notVisible === 0, 'every message to be handled');

    // Assess
    expect(
      invoker.invocations.flatMap((invocation) => invocation.event.Records.map((r) => r.body)).sort(),
    ).toEqual(['a', 'b', 'c']);
    expect(invoker.invocations.every((invocation) => invocation.event.Records.length <= 2)).toBe(true);
  });

  it('with ReportBatchItemFailures deletes all but the failed messages', async () => {
    // Prepare
    const sent = ['a', 'b', 'c'].map((body) => engine.sendMessage('orders', body));
    const invoker = new FakeInvoker(() => ({
      payload: { batchItemFailures: [{ itemIdentifier: sent[1]?.messageId }] },
    }));

    // Act
    startSource(invoker, { reportBatchItemFailures: true });
    await eventually(
      () => invoker.invocations.length === 1 && counts().notVisible === 1,
      'the partial delete',
    );
    await source?.stop();
    clock.advanceSeconds(30);
    const remaining = engine.receive('orders', { max: 10 });

    // Assess
    expect(invoker.bodies(0)).toEqual(['a', 'b', 'c']);
    expect(remaining.map((message) => message.body)).toEqual(['b']);
  });

  it.each([
    ['an unknown itemIdentifier', { batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] }],
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a misspelt key', { batchItemFailures: [{ itemIdentifer: 'x' }] }],
    ['a batchItemFailures that is no list', { batchItemFailures: 'all of them' }],
    ['a response that is no object', 'done'],
  ])('treats %s as a failure of the whole batch', async (_case, payload) => {
    // Prepare
    engine.sendMessage('orders', 'a');
    engine.sendMessage('orders', 'b');
    const errors: unknown[] = [];
    const invoker = new FakeInvoker(() => ({ payload }));

    // Act
    startSource(invoker, { reportBatchItemFailures: true, onError: (error) => errors.push(error) });
    await eventually(() => errors.length === 1, 'the malformed response to be reported');
    await source?.stop();

    // Assess
    expect(errors[0]).toBeInstanceOf(SqsBatchResponseError);
    expect(counts()).toEqual({ visible: 0, notVisible: 2, delayed: 0 });
  });

  it('treats an empty or absent batchItemFailures as full success', async () => {
    // Prepare
    engine.sendMessage('orders', 'a');
    const invoker = new FakeInvoker(() => ({ payload: { batchItemFailures: [] } }));

    // Act
    startSource(invoker, { reportBatchItemFailures: true });
    await eventually(() => invoker.invocations.length === 1 && counts().notVisible === 0, 'the delete');

    // Assess
    expect(counts()).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
  });

  it('ignores batchItemFailures when ReportBatchItemFailures is off', async () => {
    // Prepare
    const sent = engine.sendMessage('orders', 'a');
    const invoker = new FakeInvoker(() => ({
      payload: { batchItemFailures: [{ itemIdentifier: sent.messageId }] },
    }));

    // Act
    startSource(invoker);
    await eventually(() => invoker.invocations.length === 1 && counts().notVisible === 0, 'the delete');

    // Assess
    expect(counts()).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
  });

  it('keeps every message when the function fails', async () => {
    // Prepare
    engine.sendMessage('orders', 'a');
    engine.sendMessage('orders', 'b');
    const invoker = new FakeInvoker(fail);

    // Act
    startSource(invoker, { reportBatchItemFailures: true });
    await eventually(() => invoker.invocations.length === 1, 'the invocation');
    await source?.stop();

    // Assess
    expect(counts()).toEqual({ visible: 0, notVisible: 2, delayed: 0 });
  });

  it('retries a failing message after the visibility timeout and then leaves it in the DLQ', async () => {
    // Prepare
    engine.sendMessage('orders', 'poison');
    const invoker = new FakeInvoker(fail);
    startSource(invoker);
    await eventually(() => invoker.invocations.length === 1, 'the first attempt');

    // Act
    clock.advanceSeconds(30);
    engine.refresh();
    await eventually(() => invoker.invocations.length === 2, 'the retry');
    clock.advanceSeconds(30);
    engine.refresh();
    await eventually(() => engine.approximateCounts('orders-dlq').visible === 1, 'the redrive');
    await source?.stop();

    // Assess
    expect(
      invoker.invocations.map(
        (invocation) => invocation.event.Records[0]?.attributes.ApproximateReceiveCount,
      ),
    ).toEqual(['1', '2']);
    expect(counts()).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
    const [dead] = engine.receive('orders-dlq');
    expect(dead?.body).toBe('poison');
    expect(dead?.attributes.DeadLetterQueueSourceArn).toBe('arn:aws:sqs:us-east-1:000000000000:orders');
  });

  it('delivers a FIFO queue group by group in order, a group waiting while its failed message is in flight', async () => {
    // Prepare
    engine.createQueue('jobs.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    for (const [body, group] of [
      ['a1', 'a'],
      ['a2', 'a'],
      ['b1', 'b'],
    ] as const) {
      engine.sendMessage('jobs.fifo', body, {}, { messageGroupId: group });
    }
    const invoker = new FakeInvoker((_, call) => (call === 1 ? fail() : succeed()));
    const fifoCounts = () => engine.approximateCounts('jobs.fifo');

    // Act
    startSource(invoker, { queueName: 'jobs.fifo', batchSize: 1 });
    await eventually(
      () => invoker.invocations.length === 2 && fifoCounts().visible === 1,
      'the other group while a1 is in flight',
    );
    const whileHeld = fifoCounts();
    clock.advanceSeconds(30);
    engine.refresh();
    await eventually(() => invoker.invocations.length === 4, 'the retry of a1, then a2');
    await eventually(() => fifoCounts().visible + fifoCounts().notVisible === 0, 'every message deleted');

    // Assess
    expect(whileHeld).toEqual({ visible: 1, notVisible: 1, delayed: 0 });
    expect([0, 1, 2, 3].map((call) => invoker.bodies(call))).toEqual([['a1'], ['b1'], ['a1'], ['a2']]);
    expect(invoker.invocations[0]?.event.Records[0]?.attributes).toMatchObject({
      MessageGroupId: 'a',
      MessageDeduplicationId: expect.stringMatching(/^[0-9a-f]{64}$/),
      SequenceNumber: expect.stringMatching(/^\d+$/),
    });
  });

  it('leaves the batch in flight when the invoke is throttled, and delivers it once visible again', async () => {
    // Prepare
    engine.sendMessage('orders', 'busy');
    let throttle = true;
    const invoker = new FakeInvoker(() => {
      if (throttle) {
        throttle = false;
        throw new AwsServiceError('TooManyRequestsException', 'Rate Exceeded.', 429);
      }
      return succeed();
    });
    const errors: unknown[] = [];

    // Act
    startSource(invoker, { onError: (error) => errors.push(error) });
    await eventually(() => invoker.invocations.length === 1, 'the throttled attempt');
    const countsAfterThrottle = counts();
    clock.advanceSeconds(30);
    engine.refresh();
    await eventually(() => invoker.invocations.length === 2 && counts().notVisible === 0, 'the redelivery');

    // Assess
    expect(countsAfterThrottle).toEqual({ visible: 0, notVisible: 1, delayed: 0 });
    expect(invoker.bodies(1)).toEqual(['busy']);
    expect(errors).toEqual([]);
  });

  it('reports other invoke failures and keeps the messages', async () => {
    // Prepare
    engine.sendMessage('orders', 'a');
    const invoker = new FakeInvoker(() => {
      throw new AwsServiceError('ResourceNotFoundException', 'Function not found: fulfil', 404);
    });
    const errors: unknown[] = [];

    // Act
    startSource(invoker, { onError: (error) => errors.push(error) });
    await eventually(() => errors.length === 1, 'the failure to be reported');
    await source?.stop();

    // Assess
    expect(errors[0]).toMatchObject({ code: 'ResourceNotFoundException' });
    expect(counts()).toEqual({ visible: 0, notVisible: 1, delayed: 0 });
  });

  it('gathers up to batchSize within the batching window before invoking', async () => {
    // Prepare
    const invoker = new FakeInvoker(succeed);
    startSource(invoker, { batchSize: 3, maximumBatchingWindowInSeconds: 20 });
    engine.sendMessage('orders', 'a');
    await eventually(() => counts().notVisible === 1, 'the first message to be held');

    // Act
    engine.sendMessage('orders', 'b');
    engine.sendMessage('orders', 'c');
    await eventually(() => invoker.invocations.length === 1, 'the full batch');

    // Assess
    expect(invoker.bodies(0)).toEqual(['a', 'b', 'c']);
  });

  it('hands gathered messages back when stopped inside the batching window', async () => {
    // Prepare
    const invoker = new FakeInvoker(succeed);
    startSource(invoker, { batchSize: 3, maximumBatchingWindowInSeconds: 20 });
    engine.sendMessage('orders', 'a');
    await eventually(() => counts().notVisible === 1, 'the first message to be held');

    // Act
    await source?.stop();

    // Assess
    expect(invoker.invocations).toEqual([]);
    expect(counts()).toEqual({ visible: 1, notVisible: 0, delayed: 0 });
  });

  it('tells in stats() what its pollers do and what it delivered', async () => {
    // Prepare
    engine.sendMessage('orders', 'a');
    engine.sendMessage('orders', 'b');
    const invoker = new FakeInvoker(() => succeed());

    // Act
    startSource(invoker, { batchSize: 1 });
    await eventually(() => counts().visible + counts().notVisible === 0, 'both messages to be handled');
    await eventually(() => source?.stats().pollers.waiting === 5, 'every poller to wait again');
    const stats = source?.stats();

    // Assess
    expect(stats).toEqual({
      running: true,
      pollers: { waiting: 5 },
      batches: 2,
      messages: 2,
      functionErrors: 0,
      throttles: 0,
      mappingErrors: 0,
      missedWakeups: 0,
    });
    expect(engine.waiters('orders').listeners).toBe(5);
  });

  it('finds a message the engine did not wake it for when its long poll ends, and reports the miss', async () => {
    // Prepare: the clock moves without the engine's timers knowing, so no wake comes.
    const invoker = new FakeInvoker(() => succeed());
    const errors: unknown[] = [];
    engine.sendMessage('orders', 'late', {}, { delaySeconds: 5 });
    startSource(invoker, { longPollMs: 20, onError: (error) => errors.push(error) });
    await eventually(() => source?.stats().pollers.waiting === 5, 'every poller to wait');

    // Act
    clock.advanceSeconds(5);
    await eventually(() => invoker.invocations.length === 1, 'the message to be delivered');

    // Assess
    expect(invoker.bodies(0)).toEqual(['late']);
    expect(source?.stats().missedWakeups).toBeGreaterThanOrEqual(1);
    expect(String(errors[0])).toContain('became receivable without waking the pollers');
  });

  it('rejects a batch size outside 1..10000', () => {
    // Act
    const create = (): SqsEventSource =>
      new SqsEventSource({
        engine,
        queueName: 'orders',
        functionName: 'fulfil',
        invoker: new FakeInvoker(succeed),
        batchSize: 0,
      });

    // Assess
    expect(create).toThrow(RangeError);
  });
});

describe('concurrent batches (Lambda polls a queue with several batches in flight)', () => {
  /** An invoker whose invocations wait until released; counts how many run at once. */
  function holdingInvoker() {
    let running = 0;
    let peak = 0;
    const waiting: (() => void)[] = [];
    const invoker = new FakeInvoker(() => succeed());
    const invoke = invoker.invoke.bind(invoker);
    invoker.invoke = async (functionName, event, options) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => waiting.push(resolve));
      running -= 1;
      return invoke(functionName, event, options);
    };
    return {
      invoker,
      peak: () => peak,
      held: () => waiting.length,
      releaseAll: () => waiting.splice(0).forEach((release) => release()),
    };
  }

  test.each([
    ['five by default, as Lambda starts an SQS mapping', undefined, 5],
    ['at most ScalingConfig.MaximumConcurrency', 2, 2],
  ])('%s', async (_label, maximumConcurrency, expected) => {
    const holding = holdingInvoker();
    for (let i = 0; i < 12; i += 1) engine.sendMessage('orders', `m${i}`);

    startSource(holding.invoker, {
      batchSize: 1,
      ...(maximumConcurrency === undefined ? {} : { maximumConcurrency }),
    });
    await eventually(() => holding.held() === expected, `${expected} batches in flight`);
    // None more starts while they are held.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const peakWhileHeld = holding.peak();
    while (engine.approximateCounts('orders').visible + engine.approximateCounts('orders').notVisible > 0) {
      holding.releaseAll();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }

    expect(peakWhileHeld).toBe(expected);
    expect(holding.invoker.invocations).toHaveLength(12);
  });

  test('a MaximumConcurrency outside 2..1000 is refused', () => {
    expect(
      () =>
        new SqsEventSource({
          engine,
          queueName: 'orders',
          functionName: 'fulfil',
          invoker: new FakeInvoker(() => succeed()),
          maximumConcurrency: 1,
        }),
    ).toThrow('maximumConcurrency must be an integer from 2 to 1000');
  });

  test('stop() ends every poller’s wait and resolves', async () => {
    startSource(new FakeInvoker(() => succeed()));
    await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(source?.stop()).resolves.toBeUndefined();
  });
});
