import * as z from 'zod';
import {
  sagaStep,
  SagaStepError,
  type SagaStepFlow,
  type SagaStepMetrics,
} from '../../../shared/saga/saga-step';
import type { KeyedLogger } from '../../../shared/observability/app-logger';

const ORDER_ID = 'ord_01JD0000000000000000000042';
const Input = z.object({ orderId: z.string().startsWith('ord_'), correlationId: z.string().optional() });

class ShortError extends Error {}
class ProcessorDownError extends Error {
  override readonly name = 'ProcessorDown';
}

interface Line {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly keys: Record<string, unknown>;
  readonly extra: Record<string, unknown>;
}

function recording() {
  const lines: Line[] = [];
  let keys: Record<string, unknown> = {};
  const at =
    (level: Line['level']) =>
    (message: string, extra: Record<string, unknown> = {}): void =>
      void lines.push({ level, message, keys: { ...keys }, extra });
  const logger = {
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    appendKeys: (more: Record<string, unknown>) => void (keys = { ...keys, ...more }),
    removeKeys: (names: string[]) => names.forEach((name) => delete keys[name]),
    resetKeys: () => void (keys = {}),
  } as unknown as KeyedLogger;
  const counted: Record<string, number> = {};
  let published = 0;
  const metrics: SagaStepMetrics = {
    addMetric: (name, _unit, value) => (counted[name] = (counted[name] ?? 0) + value),
    publishStoredMetrics: () => void (published += 1),
  };
  return { lines, logger, metrics, counted, published: () => published };
}

function step(run: (flow: SagaStepFlow) => Promise<{ done: number }>) {
  const log = recording();
  const handler = sagaStep({
    step: 'test-step',
    input: Input,
    outcomes: [
      { error: ShortError, name: 'OutOfStuff', metric: 'Short' },
      { error: ProcessorDownError, name: 'ProcessorDown', business: false },
    ],
    logger: log.logger,
    counting: {
      metrics: log.metrics,
      prefix: 'Test',
      succeeded: 'Done',
      resultMetrics: (result: { done: number }) => ({ Items: result.done }),
    },
    run: (_input, flow) => run(flow),
  });
  return { handler, ...log };
}

const caught = async (promise: Promise<unknown>): Promise<Error> =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as Error,
  );

describe('sagaStep', () => {
  test('runs the use case in the flow of the invocation, labels its lines, counts and flushes its success', async () => {
    // Prepare
    let seen: SagaStepFlow | undefined;
    const { handler, lines, counted, published } = step(async (flow) => {
      seen = flow;
      return { done: 3 };
    });
    // Act
    const result = await handler(
      { orderId: ORDER_ID, correlationId: 'corr-1', extra: 'ignored' },
      { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 1_234 },
    );
    // Assess
    expect(result).toEqual({ done: 3 });
    expect(seen?.correlationId).toBe('corr-1');
    expect(seen?.causationId).toBe('req-1');
    expect(seen?.remainingTimeMs?.()).toBe(1_234);
    expect(lines).toEqual([
      {
        level: 'info',
        message: 'Saga step succeeded',
        keys: { correlationId: 'corr-1', orderId: ORDER_ID, sagaStep: 'test-step' },
        extra: { step: 'test-step' },
      },
    ]);
    expect(counted).toEqual({ TestDone: 1, TestItems: 3 });
    expect(published()).toBe(1);
  });

  test('outside Lambda the order stands in for the correlation id and the step for the cause', async () => {
    let seen: SagaStepFlow | undefined;
    const { handler } = step(async (flow) => {
      seen = flow;
      return { done: 0 };
    });
    await handler({ orderId: ORDER_ID });
    expect(seen).toEqual({ correlationId: ORDER_ID, causationId: 'test-step' });
  });

  test('throws a business outcome under its contract name, with the original as its cause, logged at INFO', async () => {
    const short = new ShortError('only 1 left');
    const { handler, lines, counted } = step(async () => {
      throw short;
    });
    const error = await caught(handler({ orderId: ORDER_ID }));
    expect(error).toBeInstanceOf(SagaStepError);
    expect(error).toMatchObject({ name: 'OutOfStuff', message: 'only 1 left', cause: short });
    expect(lines.map(({ level, extra }) => [level, extra])).toEqual([
      ['info', { step: 'test-step', outcome: 'OutOfStuff', reason: 'only 1 left' }],
    ]);
    expect(counted).toEqual({ TestShort: 1 });
  });

  test('throws an expected failure already named as the contract says as it is, logged at WARN', async () => {
    const down = new ProcessorDownError('503');
    const { handler, lines, counted } = step(async () => {
      throw down;
    });
    await expect(handler({ orderId: ORDER_ID })).rejects.toBe(down);
    expect(lines.map(({ level }) => level)).toEqual(['warn']);
    expect(counted).toEqual({ TestProcessorDown: 1 });
  });

  test('throws any other error on as it is, logged as unexpected and counted as Failed', async () => {
    const bug = new TypeError('x is undefined');
    const { handler, lines, counted, published } = step(async () => {
      throw bug;
    });
    await expect(handler({ orderId: ORDER_ID })).rejects.toBe(bug);
    expect(lines.map(({ level, message }) => [level, message])).toEqual([
      ['error', 'Saga step failed with an unexpected error'],
    ]);
    expect(counted).toEqual({ TestFailed: 1 });
    expect(published()).toBe(1);
  });

  test('refuses an input its contract forbids as InvalidSagaInput after the step’s name, running nothing', async () => {
    const run = jest.fn(async () => ({ done: 1 }));
    const { handler, lines, counted, published } = step(run);
    const error = await caught(handler({ orderId: 'order-1', correlationId: 'corr-2' }));
    expect(error).toMatchObject({
      name: 'InvalidSagaInput',
      code: 'INVALID_SAGA_INPUT',
      message: expect.stringMatching(/^test-step: orderId/),
      details: [expect.objectContaining({ path: 'orderId' })],
    });
    expect(run).not.toHaveBeenCalled();
    expect(lines.map(({ level, extra }) => [level, extra['orderId'], extra['correlationId']])).toEqual([
      ['error', 'order-1', 'corr-2'],
    ]);
    expect(counted).toEqual({ TestInvalidInput: 1 });
    expect(published()).toBe(1);
  });
});
