import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import { InMemoryPaymentRepository } from '../../../functions/payments/adapters/in-memory-payment-repository';
import type { ChargePayment } from '../../../functions/payments/application/charge-payment';
import { makeGetPayment } from '../../../functions/payments/application/get-payment';
import type { CallBudget } from '../../../shared/resilience';
import type { RefundPayment } from '../../../functions/payments/application/refund-payment';
import {
  PaymentDeclinedError,
  PaymentProviderUnavailableError,
} from '../../../functions/payments/domain/errors';
import type { Payment } from '../../../functions/payments/domain/payment';
import { makeHandler as makeChargePaymentHandler } from '../../../functions/payments/handlers/charge-payment';
import { makeHandler as makeGetPaymentHandler } from '../../../functions/payments/handlers/get-payment';
import { makeHandler as makeRefundPaymentHandler } from '../../../functions/payments/handlers/refund-payment';
import type { SagaStepMetrics as StepMetrics } from '../../../shared/saga/saga-step';
import { errorBodyOf, proxyEvent, requestContextOf, TEST_CUSTOMER, TEST_STAFF } from '../http/proxy-event';
import type { Requester } from '../../../shared/identity/requester';
import { FIXED_NOW, ORDER_ID, rejectionOf, USER_ID } from './fakes';
import { silentLogger, type KeyedLogger } from '../../../shared/observability/app-logger';

/** Records log lines with the keys appended at the time, as the Powertools logger would print them. */
class RecordingLogger implements KeyedLogger {
  readonly lines: { level: string; message: string; keys: LogAttributes }[] = [];
  private keys: LogAttributes = {};
  readonly debug = (message: string) =>
    void this.lines.push({ level: 'debug', message, keys: { ...this.keys } });
  readonly info = (message: string) =>
    void this.lines.push({ level: 'info', message, keys: { ...this.keys } });
  readonly warn = (message: string) =>
    void this.lines.push({ level: 'warn', message, keys: { ...this.keys } });
  readonly error = (message: string) =>
    void this.lines.push({ level: 'error', message, keys: { ...this.keys } });
  appendKeys(attributes: LogAttributes): void {
    this.keys = { ...this.keys, ...attributes };
  }
  removeKeys(keys: string[]): void {
    for (const key of keys) delete this.keys[key];
  }
  resetKeys(): void {
    this.keys = {};
  }
  current(): LogAttributes {
    return { ...this.keys };
  }
}

class RecordingMetrics implements StepMetrics {
  readonly stored: { name: string; value: number }[] = [];
  readonly published: { name: string; value: number }[][] = [];
  addMetric(name: string, _unit: 'Count', value: number): void {
    this.stored.push({ name, value });
  }
  publishStoredMetrics(): void {
    this.published.push(this.stored.splice(0));
  }
}

const captured: Payment = {
  orderId: ORDER_ID,
  userId: USER_ID,
  status: 'CAPTURED',
  method: 'card',
  amountCents: 3_000,
  currency: 'USD',
  attempts: 2,
  providerChargeId: 'ch_1',
  updatedAt: FIXED_NOW,
};
const chargeInput = {
  orderId: ORDER_ID,
  userId: USER_ID,
  amountCents: 3_000,
  currency: 'USD',
  payment: { method: 'card' },
  correlationId: 'corr-1',
};
const lambdaContext = { getRemainingTimeInMillis: () => 7_500 };

function chargeHandler(chargePayment: ChargePayment) {
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  return { logger, metrics, handler: makeChargePaymentHandler({ chargePayment, logger, metrics }) };
}

describe('charge-payment handler', () => {
  test('charges with the remaining time of the invocation and answers the contract output', async () => {
    // Prepare
    const budgets: CallBudget[] = [];
    const { handler, metrics } = chargeHandler(async (_command, budget) => {
      if (budget !== undefined) budgets.push(budget);
      return captured;
    });
    // Act
    const output = await handler(chargeInput, lambdaContext);
    // Assess
    expect(output).toEqual({
      orderId: ORDER_ID,
      status: 'CAPTURED',
      chargeId: 'ch_1',
      amountCents: 3_000,
      currency: 'USD',
    });
    expect(budgets[0]?.remainingTimeMs?.()).toBe(7_500);
    expect(metrics.published).toEqual([[{ name: 'ChargeCaptured', value: 1 }]]);
  });

  test('passes the command through and ignores fields the state machine adds', async () => {
    const commands: unknown[] = [];
    const { handler } = chargeHandler(async (command) => {
      commands.push(command);
      return captured;
    });
    await handler({ ...chargeInput, items: [{ productId: 'prd_01JD0000000000000000000000', quantity: 1 }] });
    expect(commands).toEqual([chargeInput]);
  });

  test('drops a card token an older execution still carries: the charge takes it from the vault', async () => {
    const commands: unknown[] = [];
    const { handler } = chargeHandler(async (command) => {
      commands.push(command);
      return captured;
    });
    await handler({ ...chargeInput, payment: { method: 'card', token: 'tok_visa' } });
    expect(commands).toEqual([chargeInput]);
  });

  test('labels every log line with the order id and correlation id, and resets them after', async () => {
    // Prepare
    let keysDuring: LogAttributes = {};
    const { handler, logger } = chargeHandler(async () => {
      keysDuring = logger.current();
      return captured;
    });
    // Act
    await handler(chargeInput);
    // Assess
    const keys = { orderId: ORDER_ID, correlationId: 'corr-1', sagaStep: 'charge-payment' };
    expect(keysDuring).toEqual(keys);
    expect(logger.lines.at(-1)?.keys).toEqual(keys);
    expect(logger.current()).toEqual({});
  });

  test.each([
    ['a missing orderId', { ...chargeInput, orderId: undefined }, 'orderId'],
    ['a malformed orderId', { ...chargeInput, orderId: 'order-1' }, 'orderId'],
    ['a zero amount', { ...chargeInput, amountCents: 0 }, 'amountCents'],
    ['a fractional amount', { ...chargeInput, amountCents: 10.5 }, 'amountCents'],
    ['an amount as a string', { ...chargeInput, amountCents: '3000' }, 'amountCents'],
    ['a lower-case currency', { ...chargeInput, currency: 'usd' }, 'currency'],
    ['no payment', { ...chargeInput, payment: undefined }, 'payment'],
    ['an unknown method', { ...chargeInput, payment: { method: 'cash' } }, 'payment.method'],
    [
      'a malformed account id',
      { ...chargeInput, payment: { method: 'account', accountId: 'acc_1' } },
      'payment.accountId',
    ],
  ])('rejects %s with InvalidSagaInput, without charging', async (_, input, path) => {
    // Prepare
    let charged = false;
    const { handler, metrics } = chargeHandler(async () => {
      charged = true;
      return captured;
    });
    // Act
    const error = await rejectionOf(handler(input));
    // Assess
    expect(error.name).toBe('InvalidSagaInput');
    expect(error).toMatchObject({ details: expect.arrayContaining([expect.objectContaining({ path })]) });
    expect(charged).toBe(false);
    expect(metrics.published).toEqual([[{ name: 'ChargeInvalidInput', value: 1 }]]);
  });

  test('rejects an input that is not an object', async () => {
    const { handler } = chargeHandler(async () => captured);
    expect((await rejectionOf(handler(null))).name).toBe('InvalidSagaInput');
    expect((await rejectionOf(handler('ord_1'))).name).toBe('InvalidSagaInput');
  });

  test.each([
    [new PaymentDeclinedError(ORDER_ID, 'card_declined'), 'PaymentDeclined', 'ChargeDeclined'],
    [
      new PaymentProviderUnavailableError(ORDER_ID, 'down'),
      'PaymentProviderUnavailable',
      'ChargeProviderUnavailable',
    ],
    [new Error('boom'), 'Error', 'ChargeFailed'],
  ])('lets %s propagate with its name for Step Functions, counted', async (thrown, name, metric) => {
    // Prepare
    const { handler, metrics, logger } = chargeHandler(async () => {
      throw thrown;
    });
    // Act
    const error = await rejectionOf(handler(chargeInput));
    // Assess
    expect(error).toBe(thrown);
    expect(error.name).toBe(name);
    expect(metrics.published).toEqual([[{ name: metric, value: 1 }]]);
    expect(logger.current()).toEqual({});
  });
});

describe('refund-payment handler', () => {
  function refundHandler(refundPayment: RefundPayment) {
    const logger = new RecordingLogger();
    const metrics = new RecordingMetrics();
    return { metrics, handler: makeRefundPaymentHandler({ refundPayment, logger, metrics }) };
  }

  test('answers what was refunded, counting the refunds', async () => {
    // Prepare
    const refunds = [{ chargeId: 'ch_1', refundId: 're_1', amountCents: 3_000 }];
    const budgets: CallBudget[] = [];
    const { handler, metrics } = refundHandler(async (command, budget) => {
      if (budget !== undefined) budgets.push(budget);
      return { orderId: command.orderId, refundedCents: 3_000, refunds };
    });
    // Act
    const output = await handler(
      { orderId: ORDER_ID, userId: USER_ID, method: 'card', correlationId: 'corr-1' },
      lambdaContext,
    );
    // Assess
    expect(output).toEqual({ orderId: ORDER_ID, refundedCents: 3_000, refunds });
    expect(budgets[0]?.remainingTimeMs?.()).toBe(7_500);
    expect(metrics.published).toEqual([
      [
        { name: 'RefundCompleted', value: 1 },
        { name: 'RefundIssued', value: 1 },
      ],
    ]);
  });

  test('rejects a malformed input with InvalidSagaInput', async () => {
    const { handler } = refundHandler(async () => ({ orderId: ORDER_ID, refundedCents: 0, refunds: [] }));
    const error = await rejectionOf(handler({ order: ORDER_ID }));
    expect(error.name).toBe('InvalidSagaInput');
  });

  test('lets PaymentProviderUnavailable propagate with its name', async () => {
    const { handler, metrics } = refundHandler(async () => {
      throw new PaymentProviderUnavailableError(ORDER_ID, 'down');
    });
    const error = await rejectionOf(handler({ orderId: ORDER_ID, userId: USER_ID, method: 'account' }));
    expect(error.name).toBe('PaymentProviderUnavailable');
    expect(metrics.published).toEqual([[{ name: 'RefundProviderUnavailable', value: 1 }]]);
  });
});

describe('GET /payments/{orderId}', () => {
  /** `caller` `null`: a request that reached the function with no identity. */
  const getEvent = (orderId: string, caller: Requester | null = TEST_CUSTOMER) =>
    proxyEvent({
      resource: '/payments/{orderId}',
      path: `/payments/${orderId}`,
      httpMethod: 'GET',
      headers: {},
      pathParameters: { orderId },
      requestContext: requestContextOf(caller ?? undefined),
    });
  const silent = silentLogger;

  test('answers 200 with the payment in the contract shape', async () => {
    // Prepare
    const repository = new InMemoryPaymentRepository();
    repository.put({ ...captured, declineCode: 'ignored', refundedCents: 0 });
    const handler = makeGetPaymentHandler({ getPayment: makeGetPayment({ repository }), logger: silent });
    // Act
    const result = await handler(getEvent(ORDER_ID));
    // Assess
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({
      orderId: ORDER_ID,
      status: 'CAPTURED',
      method: 'card',
      amountCents: 3_000,
      currency: 'USD',
      attempts: 2,
      providerChargeId: 'ch_1',
    });
  });

  test('a DECLINED payment says why (declineCode); no other status shows one', async () => {
    const repository = new InMemoryPaymentRepository();
    const { providerChargeId: _none, ...declined } = captured;
    repository.put({ ...declined, status: 'DECLINED', declineCode: 'processing_error' });
    const handler = makeGetPaymentHandler({ getPayment: makeGetPayment({ repository }), logger: silent });
    const body = JSON.parse((await handler(getEvent(ORDER_ID))).body) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'DECLINED', declineCode: 'processing_error' });
  });

  test('leaves providerChargeId out when none is known', async () => {
    const repository = new InMemoryPaymentRepository();
    const { providerChargeId: _none, ...failed } = captured;
    repository.put({ ...failed, status: 'FAILED' });
    const handler = makeGetPaymentHandler({ getPayment: makeGetPayment({ repository }), logger: silent });
    const body = JSON.parse((await handler(getEvent(ORDER_ID))).body) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'FAILED' });
    expect(body).not.toHaveProperty('providerChargeId');
  });

  test('answers staff 200 and another customer 404 PAYMENT_NOT_FOUND, as if the payment did not exist, and 401 without a caller', async () => {
    const repository = new InMemoryPaymentRepository();
    repository.put(captured);
    const handler = makeGetPaymentHandler({ getPayment: makeGetPayment({ repository }), logger: silent });
    expect((await handler(getEvent(ORDER_ID, TEST_STAFF))).statusCode).toBe(200);
    const other = await handler(
      getEvent(ORDER_ID, { userId: 'usr_01JD0000000000000000000009', isStaff: false }),
    );
    expect(other.statusCode).toBe(404);
    expect(errorBodyOf(other).error.code).toBe('PAYMENT_NOT_FOUND');
    const anonymous = await handler(getEvent(ORDER_ID, null));
    expect(anonymous.statusCode).toBe(401);
    expect(errorBodyOf(anonymous).error.code).toBe('UNAUTHORIZED');
  });

  test('answers 404 PAYMENT_NOT_FOUND for an order without a payment, 400 for a malformed id', async () => {
    const repository = new InMemoryPaymentRepository();
    const handler = makeGetPaymentHandler({ getPayment: makeGetPayment({ repository }), logger: silent });
    const unknown = await handler(getEvent(ORDER_ID));
    expect(unknown.statusCode).toBe(404);
    expect(errorBodyOf(unknown).error.code).toBe('PAYMENT_NOT_FOUND');
    const malformed = await handler(getEvent('prd_01JD0000000000000000000000'));
    expect(malformed.statusCode).toBe(400);
  });
});
