import { logger } from '../../../shared/observability/logger';
import { withRequestContext } from '../../../shared/observability/with-request-context';

/** The JSON lines the shared logger writes (stdout, and stderr for warnings and errors), in order. */
function captureLogLines(): () => Record<string, unknown>[] {
  const written: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    const spy = jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    afterCapture.push(() => spy.mockRestore());
  }
  return () =>
    written
      .join('')
      .split('\n')
      .filter((line) => line.trim().length > 0)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const afterCapture: (() => void)[] = [];
afterEach(() => afterCapture.splice(0).forEach((restore) => restore()));

describe('withRequestContext', () => {
  it('puts the correlation id and order id on every line logged during the invocation', async () => {
    // Prepare
    const lines = captureLogLines();

    // Act
    await withRequestContext({ correlationId: 'cor_1', orderId: 'ord_1' }, async () => {
      logger.info('Reserving stock', { sku: 'prd_1' });
      logger.warn('Stock is low');
    });

    // Assess
    expect(lines()).toEqual([
      expect.objectContaining({
        message: 'Reserving stock',
        sku: 'prd_1',
        correlationId: 'cor_1',
        orderId: 'ord_1',
      }),
      expect.objectContaining({ message: 'Stock is low', correlationId: 'cor_1', orderId: 'ord_1' }),
    ]);
  });

  it('resets the keys between invocations, so one invocation’s ids never label the next one’s lines', async () => {
    // Prepare
    const lines = captureLogLines();

    // Act
    await withRequestContext({ correlationId: 'cor_1', orderId: 'ord_1' }, async () => logger.info('first'));
    await withRequestContext({ correlationId: 'cor_2' }, async () => logger.info('second'));
    logger.info('between invocations');

    // Assess
    const [first, second, between] = lines();
    expect(first).toMatchObject({ message: 'first', correlationId: 'cor_1', orderId: 'ord_1' });
    expect(second).toMatchObject({ message: 'second', correlationId: 'cor_2' });
    expect(second).not.toHaveProperty('orderId');
    expect(between).not.toHaveProperty('correlationId');
  });

  it('resets the keys when the invocation throws, and passes the error on', async () => {
    // Prepare
    const lines = captureLogLines();
    const failure = new Error('payment declined');

    // Act
    const outcome = withRequestContext({ correlationId: 'cor_3', orderId: 'ord_3' }, async () => {
      logger.error('Charging failed');
      throw failure;
    });
    await expect(outcome).rejects.toBe(failure);
    logger.info('after the failure');

    // Assess
    const [during, after] = lines();
    expect(during).toMatchObject({ message: 'Charging failed', correlationId: 'cor_3', orderId: 'ord_3' });
    expect(after).not.toHaveProperty('correlationId');
    expect(after).not.toHaveProperty('orderId');
  });

  it('returns what the invocation returns and leaves out keys without a value', async () => {
    // Prepare
    const lines = captureLogLines();

    // Act
    const result = await withRequestContext({ correlationId: 'cor_4', orderId: undefined }, async () => {
      logger.info('answering');
      return 201;
    });

    // Assess
    expect(result).toBe(201);
    expect(lines()[0]).toMatchObject({ correlationId: 'cor_4' });
    expect(lines()[0]).not.toHaveProperty('orderId');
  });

  it('keeps the outer keys when a nested call ends, restoring those it replaced', async () => {
    // Prepare
    const lines = captureLogLines();

    // Act
    await withRequestContext({ correlationId: 'cor_5', orderId: 'ord_outer' }, async () => {
      await withRequestContext({ orderId: 'ord_inner', productId: 'prd_5' }, async () =>
        logger.info('inner'),
      );
      logger.info('after inner');
    });
    logger.info('after outer');

    // Assess
    const [inner, afterInner, afterOuter] = lines();
    expect(inner).toMatchObject({ correlationId: 'cor_5', orderId: 'ord_inner', productId: 'prd_5' });
    expect(afterInner).toMatchObject({ correlationId: 'cor_5', orderId: 'ord_outer' });
    expect(afterInner).not.toHaveProperty('productId');
    expect(afterOuter).not.toHaveProperty('correlationId');
    expect(afterOuter).not.toHaveProperty('orderId');
  });

  it('restores the outer keys when a nested call throws', async () => {
    // Prepare
    const lines = captureLogLines();

    // Act
    await withRequestContext({ correlationId: 'cor_6' }, async () => {
      await expect(
        withRequestContext({ correlationId: 'cor_inner', orderId: 'ord_6' }, async () => {
          throw new Error('conflict');
        }),
      ).rejects.toThrow('conflict');
      logger.info('after the nested failure');
    });

    // Assess
    const [line] = lines();
    expect(line).toMatchObject({ correlationId: 'cor_6' });
    expect(line).not.toHaveProperty('orderId');
  });
});
