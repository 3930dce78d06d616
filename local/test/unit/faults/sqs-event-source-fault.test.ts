import type { FunctionError, InvokeResult, LambdaInvoker } from '../../../src/lambda/invoker';
import { SqsEngine } from '../../../src/sqs/sqs-engine';
import { SqsEventSource } from '../../../src/sqs/sqs-event-source';
import { eventually } from '../lambda/handler-bundles';

let nowMs = Date.UTC(2025, 0, 1);
let engine: SqsEngine;
let source: SqsEventSource | undefined;

beforeEach(() => {
  engine = new SqsEngine({ endpointUrl: () => 'http://127.0.0.1:4566', now: () => nowMs });
  engine.createQueue('orders', { VisibilityTimeout: '30' });
});

afterEach(async () => {
  await source?.stop();
  engine.close();
});

describe('SqsEventSource beforeInvoke', () => {
  it('fails the batch as a function error would: the function is not run, the message comes back', async () => {
    // Prepare
    const invoked: unknown[] = [];
    const invoker: LambdaInvoker = {
      invoke: async (_name, event): Promise<InvokeResult> => {
        invoked.push(event);
        return { payload: null };
      },
      invokeAsync: async () => undefined,
    };
    const injected: FunctionError = { errorType: 'InjectedFault', errorMessage: 'injected' };
    let failNext = true;
    const asked: boolean[] = [];
    const beforeInvoke = () => {
      asked.push(failNext);
      const fault = failNext ? injected : undefined;
      failNext = false;
      return fault;
    };
    engine.sendMessage('orders', 'a');
    source = new SqsEventSource({ engine, queueName: 'orders', functionName: 'f', invoker, beforeInvoke });

    // Act
    source.start();
    const inFlight = await eventually(
      () => engine.approximateCounts('orders'),
      (counts) => asked.length === 1 && counts.notVisible === 1,
    );
    // The fake clock fires no visibility timer: restart the poller once the message is visible again.
    await source.stop();
    nowMs += 30_000;
    source.start();
    const drained = await eventually(
      () => engine.approximateCounts('orders'),
      (counts) => invoked.length === 1 && counts.visible + counts.notVisible === 0,
    );

    // Assess
    expect(inFlight.visible).toBe(0);
    expect(asked).toEqual([true, false]);
    expect(drained).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
  });
});
