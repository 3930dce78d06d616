import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { AccountsPaymentProvider } from '../../../functions/payments/adapters/accounts-payment-provider';
import type { ChargeRequest } from '../../../functions/payments/ports/payment-provider';
import { ACCOUNT_ID, ORDER_ID, rejectionOf, USER_ID } from './fakes';

const FUNCTION = 'ShopAccounts-AccountPaymentsFunction';

/** The Lambda client on a mock: the invocation's faults no engine produces on demand. */
function provider() {
  const mock = mockClient(LambdaClient);
  const adapter = new AccountsPaymentProvider({
    client: new LambdaClient({ region: 'us-east-1' }),
    functionName: FUNCTION,
    timeoutMs: 4_000,
  });
  return { mock, adapter };
}

const answer = (body: unknown, functionError?: string) => ({
  StatusCode: 200,
  Payload: new TextEncoder().encode(JSON.stringify(body)) as never,
  ...(functionError === undefined ? {} : { FunctionError: functionError }),
});

const chargeRequest: ChargeRequest = {
  idempotencyKey: `charge-${ORDER_ID}`,
  orderId: ORDER_ID,
  payerId: USER_ID,
  amountCents: 3_000,
  currency: 'USD',
  source: { method: 'account', accountId: ACCOUNT_ID },
};

function sdkError(name: string, fault: 'client' | 'server', status: number): Error {
  return Object.assign(new Error(name), { name, $fault: fault, $metadata: { httpStatusCode: status } });
}

describe('AccountsPaymentProvider', () => {
  afterEach(() => mockClient(LambdaClient).restore());

  test('invokes the accounts function with the charge, and answers its capture', async () => {
    // Prepare
    const { mock, adapter } = provider();
    mock.on(InvokeCommand).resolves(
      answer({
        outcome: 'captured',
        chargeId: 'trf_1',
        amountCents: 3_000,
        currency: 'USD',
        replayed: false,
      }),
    );
    // Act
    const result = await adapter.charge(chargeRequest);
    // Assess
    expect(result).toEqual({
      outcome: 'captured',
      chargeId: 'trf_1',
      amountCents: 3_000,
      currency: 'USD',
      replayed: false,
    });
    const input = mock.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ FunctionName: FUNCTION, InvocationType: 'RequestResponse' });
    expect(JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array))).toEqual({
      operation: 'charge',
      orderId: ORDER_ID,
      payerId: USER_ID,
      accountId: ACCOUNT_ID,
      amountCents: 3_000,
      currency: 'USD',
    });
  });

  test('a decline is a decline; a rejection is a ProviderRejectedError', async () => {
    const { mock, adapter } = provider();
    mock
      .on(InvokeCommand)
      .resolvesOnce(answer({ outcome: 'declined', code: 'insufficient_funds', message: 'holds 10' }))
      .resolvesOnce(answer({ outcome: 'rejected', code: 'order_charged_otherwise', message: 'no' }));
    expect(await adapter.charge(chargeRequest)).toEqual({
      outcome: 'declined',
      code: 'insufficient_funds',
      message: 'holds 10',
    });
    const error = await rejectionOf(adapter.charge(chargeRequest));
    expect(error).toMatchObject({ name: 'ProviderRejectedError', code: 'order_charged_otherwise' });
  });

  test('refuses a card without invoking anything', async () => {
    const { mock, adapter } = provider();
    const error = await rejectionOf(
      adapter.charge({ ...chargeRequest, source: { method: 'card', token: 'tok_visa' } }),
    );
    expect(error).toMatchObject({ name: 'ProviderRejectedError', code: 'unsupported_payment_method' });
    expect(mock.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  test.each([
    ['a function error', () => answer({ errorMessage: 'boom' }, 'Unhandled'), 'server-error'],
    [
      'an answer that is no JSON',
      () => ({ StatusCode: 200, Payload: new TextEncoder().encode('<html>') as never }),
      'malformed-answer',
    ],
    ['an answer of another shape', () => answer({ outcome: 'captured' }), 'malformed-answer'],
  ])('%s is transient (%s): the call may be repeated safely', async (_label, reply, reason) => {
    const { mock, adapter } = provider();
    mock.on(InvokeCommand).resolves(reply());
    const error = await rejectionOf(adapter.charge(chargeRequest));
    expect(error).toMatchObject({ name: 'ProviderTransientError', reason });
  });

  test.each([
    ['a throttle', sdkError('TooManyRequestsException', 'client', 429), 'ProviderTransientError'],
    ['a Lambda service failure', sdkError('ServiceException', 'server', 500), 'ProviderTransientError'],
    [
      'no answer at all',
      Object.assign(new Error('socket hang up'), { name: 'Error' }),
      'ProviderTransientError',
    ],
    ['a timeout', Object.assign(new Error('aborted'), { name: 'AbortError' }), 'ProviderTransientError'],
    ['an unknown function', sdkError('ResourceNotFoundException', 'client', 404), 'ProviderRejectedError'],
    ['a missing permission', sdkError('AccessDeniedException', 'client', 403), 'ProviderRejectedError'],
  ])('%s is a %s', async (_label, thrown, name) => {
    const { mock, adapter } = provider();
    mock.on(InvokeCommand).rejects(thrown);
    const error = await rejectionOf(adapter.listCharges(ORDER_ID));
    expect(error.name).toBe(name);
  });

  test('lists charges as the card processor lists captured ones, and refunds by charge and order', async () => {
    const { mock, adapter } = provider();
    const charge = {
      chargeId: 'trf_1',
      orderId: ORDER_ID,
      accountId: ACCOUNT_ID,
      amountCents: 3_000,
      currency: 'USD',
      refundedCents: 0,
    };
    mock
      .on(InvokeCommand)
      .resolvesOnce(answer({ outcome: 'listed', charges: [charge] }))
      .resolvesOnce(
        answer({
          outcome: 'refunded',
          refundId: 'trf_2',
          chargeId: 'trf_1',
          orderId: ORDER_ID,
          amountCents: 3_000,
        }),
      );
    expect(await adapter.listCharges(ORDER_ID)).toEqual([
      {
        chargeId: 'trf_1',
        orderId: ORDER_ID,
        status: 'succeeded',
        amountCents: 3_000,
        currency: 'USD',
        refundedCents: 0,
      },
    ]);
    expect(
      await adapter.refund({
        idempotencyKey: 'refund-trf_1',
        orderId: ORDER_ID,
        chargeId: 'trf_1',
        amountCents: 3_000,
      }),
    ).toEqual({ refundId: 'trf_2', chargeId: 'trf_1', amountCents: 3_000 });
    const refundPayload = mock.commandCalls(InvokeCommand)[1]?.args[0].input.Payload as Uint8Array;
    expect(JSON.parse(new TextDecoder().decode(refundPayload))).toEqual({
      operation: 'refund',
      orderId: ORDER_ID,
      chargeId: 'trf_1',
    });
  });
});
