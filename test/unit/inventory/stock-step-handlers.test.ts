import { InMemoryProductRepository } from '../../../functions/inventory/adapters/in-memory-product-repository';
import { makeCommitStock } from '../../../functions/inventory/application/commit-stock';
import { makeReleaseStock } from '../../../functions/inventory/application/release-stock';
import { makeReserveStock } from '../../../functions/inventory/application/reserve-stock';
import { STOCK_STEP_ERRORS } from '../../../functions/inventory/contracts';
import type { Product } from '../../../functions/inventory/domain/product';
import { makeHandler as makeCommitStockHandler } from '../../../functions/inventory/handlers/commit-stock';
import { makeHandler as makeReleaseStockHandler } from '../../../functions/inventory/handlers/release-stock';
import { makeHandler as makeReserveStockHandler } from '../../../functions/inventory/handlers/reserve-stock';
import { commandContext, type CommandContextFactory } from '../../../shared/event-sourcing/command-context';
import { aProduct, FIXED_NOW, nextTick, ORDER_ID, OTHER_PRODUCT_ID, PRODUCT_ID } from './fixtures';
import type { KeyedLogger } from '../../../shared/observability/app-logger';

interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly keys: Record<string, unknown>;
  readonly extra: unknown;
}

/** Records each line with the keys appended at the time, as the Powertools logger would print them. */
class RecordingLogger implements KeyedLogger {
  debug(): void {
    // Not called by what this test exercises.
  }
  readonly lines: LogLine[] = [];
  private keys: Record<string, unknown> = {};
  info(message: string, extra: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, keys: { ...this.keys }, extra });
  }
  warn(message: string, extra: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, keys: { ...this.keys }, extra });
  }
  error(message: string, extra: Record<string, unknown>): void {
    this.lines.push({ level: 'error', message, keys: { ...this.keys }, extra });
  }
  appendKeys(keys: Record<string, unknown>): void {
    this.keys = { ...this.keys, ...keys };
  }
  removeKeys(keys: string[]): void {
    for (const key of keys) delete this.keys[key];
  }
  resetKeys(): void {
    this.keys = {};
  }
}

async function steps(...products: Product[]) {
  const repository = new InMemoryProductRepository();
  for (const product of products) {
    await repository.create(product, {
      eventId: `evt-${product.productId}`,
      type: 'ProductCreated',
      aggregateType: 'Product',
      aggregateId: product.productId,
      version: 1,
      occurredAt: FIXED_NOW,
      correlationId: 'corr-0',
      causationId: 'req-0',
      schemaVersion: 1,
      data: { ...product },
    });
  }
  repository.outbox.length = 0;
  const logger = new RecordingLogger();
  const causes: { correlationId: string; causationId: string }[] = [];
  const newContext: CommandContextFactory = (flow) => {
    causes.push(flow);
    return commandContext(flow);
  };
  const deps = {
    repository,
    retry: {
      maxAttempts: 10,
      firstPauseMs: 0,
      maxElapsedMs: 1_000,
      answerReserveMs: 0,
      sleep: nextTick,
    },
  };
  return {
    repository,
    logger,
    causes,
    reserve: makeReserveStockHandler({ reserveStock: makeReserveStock(deps), newContext, logger }),
    release: makeReleaseStockHandler({ releaseStock: makeReleaseStock(deps), newContext, logger }),
    commit: makeCommitStockHandler({ commitStock: makeCommitStock(deps), newContext, logger }),
  };
}

const invocation = { awsRequestId: 'lambda-req-1' };
const input = (overrides: Record<string, unknown> = {}) => ({
  orderId: ORDER_ID,
  items: [{ productId: PRODUCT_ID, quantity: 2 }],
  correlationId: 'corr-9',
  ...overrides,
});

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`not an Error: ${String(error)}`);
  }
  throw new Error('expected the step to throw');
}

describe('reserve-stock', () => {
  test('answers { orderId, reserved } and stamps the events with the correlation id and the Lambda request', async () => {
    // Prepare
    const step = await steps(
      aProduct({ available: 5 }),
      aProduct({ productId: OTHER_PRODUCT_ID, available: 1 }),
    );
    // Act
    const output = await step.reserve(
      input({
        items: [
          { productId: PRODUCT_ID, quantity: 2 },
          { productId: OTHER_PRODUCT_ID, quantity: 1 },
        ],
      }),
      invocation,
    );
    // Assess
    expect(output).toEqual({
      orderId: ORDER_ID,
      reserved: [
        { productId: PRODUCT_ID, quantity: 2 },
        { productId: OTHER_PRODUCT_ID, quantity: 1 },
      ],
    });
    expect(
      step.repository.outbox.map(({ type, correlationId, causationId }) => [
        type,
        correlationId,
        causationId,
      ]),
    ).toEqual([
      ['StockReserved', 'corr-9', 'lambda-req-1'],
      ['StockReserved', 'corr-9', 'lambda-req-1'],
    ]);
  });

  test('accepts the saga input as a whole, reading only what it needs', async () => {
    // Prepare
    const step = await steps(aProduct({ available: 5 }));
    const sagaInput = {
      orderId: ORDER_ID,
      userId: 'usr_01JD0000000000000000000000',
      items: [{ productId: PRODUCT_ID, quantity: 2, unitPriceCents: 1_500 }],
      totalCents: 3_000,
      currency: 'USD',
      payment: { method: 'card', token: 'tok_visa' },
      correlationId: 'corr-9',
    };
    // Act & Assess
    await expect(step.reserve(sagaInput, invocation)).resolves.toEqual({
      orderId: ORDER_ID,
      reserved: [{ productId: PRODUCT_ID, quantity: 2 }],
    });
  });

  test('logs with the order id and correlation id, the order id standing in for a missing correlation id', async () => {
    // Prepare
    const step = await steps(aProduct({ available: 5 }));
    // Act
    await step.reserve(input(), invocation);
    await step.reserve(input({ correlationId: undefined }), invocation);
    // Assess
    expect(step.logger.lines.map(({ message, keys }) => [message, keys])).toEqual([
      ['Saga step succeeded', { correlationId: 'corr-9', orderId: ORDER_ID, sagaStep: 'reserve-stock' }],
      ['Saga step succeeded', { correlationId: ORDER_ID, orderId: ORDER_ID, sagaStep: 'reserve-stock' }],
    ]);
    expect(step.logger.lines[1]?.extra).toEqual({
      step: 'reserve-stock',
      orderId: ORDER_ID,
      reserved: [{ productId: PRODUCT_ID, quantity: 2 }],
    });
    expect(step.causes.at(-1)).toEqual({ correlationId: ORDER_ID, causationId: 'lambda-req-1' });
  });

  test('throws an error named OutOfStock when a line cannot be held, logged as a business outcome', async () => {
    // Prepare
    const step = await steps(aProduct({ available: 1 }));
    // Act
    const error = await caught(step.reserve(input(), invocation));
    // Assess
    expect(error.name).toBe(STOCK_STEP_ERRORS.outOfStock);
    expect(error.name).toBe('OutOfStock');
    expect(step.logger.lines).toEqual([
      {
        level: 'info',
        message: 'Saga step ended with a business outcome',
        keys: { correlationId: 'corr-9', orderId: ORDER_ID, sagaStep: 'reserve-stock' },
        extra: {
          step: 'reserve-stock',
          outcome: 'OutOfStock',
          reason: expect.stringContaining('1 units available'),
        },
      },
    ]);
  });

  test.each([
    ['no payload', undefined, ''],
    ['a string', 'ord_01JD0000000000000000000000', ''],
    ['a missing orderId', { items: [{ productId: PRODUCT_ID, quantity: 1 }] }, 'orderId'],
    ['a malformed orderId', input({ orderId: 'order-1' }), 'orderId'],
    ['no items', input({ items: [] }), 'items'],
    ['a malformed productId', input({ items: [{ productId: 'p1', quantity: 1 }] }), 'items.0.productId'],
    ['a quantity of 0', input({ items: [{ productId: PRODUCT_ID, quantity: 0 }] }), 'items.0.quantity'],
    [
      'a fractional quantity',
      input({ items: [{ productId: PRODUCT_ID, quantity: 1.5 }] }),
      'items.0.quantity',
    ],
    [
      'a quantity as a string',
      input({ items: [{ productId: PRODUCT_ID, quantity: '1' }] }),
      'items.0.quantity',
    ],
    [
      'a product twice',
      input({
        items: [
          { productId: PRODUCT_ID, quantity: 1 },
          { productId: PRODUCT_ID, quantity: 2 },
        ],
      }),
      'items.1.productId',
    ],
    ['an empty correlationId', input({ correlationId: '' }), 'correlationId'],
  ])('throws InvalidSagaInput for %s, touching nothing', async (_, payload, path) => {
    // Prepare
    const step = await steps(aProduct({ available: 5 }));
    // Act
    const error = await caught(step.reserve(payload, invocation));
    // Assess
    expect(error.name).toBe('InvalidSagaInput');
    expect(error).toMatchObject({
      code: 'INVALID_SAGA_INPUT',
      details: expect.arrayContaining([expect.objectContaining({ path })]),
    });
    expect(step.repository.outbox).toEqual([]);
    expect(step.logger.lines.map(({ level }) => level)).toEqual(['error']);
  });

  test('rethrows any other error as it is, logged as an error', async () => {
    // Prepare
    const logger = new RecordingLogger();
    const handler = makeReserveStockHandler({
      reserveStock: async () => {
        throw new Error('DynamoDB is unreachable');
      },
      newContext: commandContext,
      logger,
    });
    // Act
    const error = await caught(handler(input(), invocation));
    // Assess
    expect(error).toMatchObject({ name: 'Error', message: 'DynamoDB is unreachable' });
    expect(logger.lines.map(({ level, keys }) => [level, keys])).toEqual([
      ['error', { correlationId: 'corr-9', orderId: ORDER_ID, sagaStep: 'reserve-stock' }],
    ]);
  });
});

describe('release-stock', () => {
  test('answers { orderId, released } with the lines given back, the same on a retry', async () => {
    // Prepare
    const step = await steps(
      aProduct({ available: 5 }),
      aProduct({ productId: OTHER_PRODUCT_ID, available: 0 }),
    );
    const both = input({
      items: [
        { productId: PRODUCT_ID, quantity: 2 },
        { productId: OTHER_PRODUCT_ID, quantity: 1 },
      ],
    });
    await expect(step.reserve(both, invocation)).rejects.toMatchObject({ name: 'OutOfStock' });
    // Act
    const output = await step.release(both, invocation);
    const again = await step.release(both, invocation);
    // Assess
    expect(output).toEqual({ orderId: ORDER_ID, released: [{ productId: PRODUCT_ID, quantity: 2 }] });
    expect(again).toEqual(output);
    expect(await step.repository.find(PRODUCT_ID)).toMatchObject({ available: 5, reserved: 0 });
  });
});

describe('commit-stock', () => {
  test('answers { orderId, committed }', async () => {
    // Prepare
    const step = await steps(aProduct({ available: 5 }));
    await step.reserve(input(), invocation);
    // Act
    const output = await step.commit(input(), invocation);
    // Assess
    expect(output).toEqual({ orderId: ORDER_ID, committed: [{ productId: PRODUCT_ID, quantity: 2 }] });
    expect(await step.repository.find(PRODUCT_ID)).toMatchObject({ available: 3, reserved: 0, sold: 2 });
  });

  test('throws an error named ReservationNotFound for a line never reserved', async () => {
    // Prepare
    const step = await steps(aProduct({ available: 5 }));
    // Act
    const error = await caught(step.commit(input(), invocation));
    // Assess
    expect(error.name).toBe('ReservationNotFound');
    expect(step.logger.lines.map(({ level, message }) => [level, message])).toEqual([
      ['info', 'Saga step ended with a business outcome'],
    ]);
  });
});
