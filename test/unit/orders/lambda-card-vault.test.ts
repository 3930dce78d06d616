import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { LambdaCardVault } from '../../../functions/orders/adapters/lambda-card-vault';
import { DependencyUnavailableError } from '../../../shared/errors/app-error';

const FUNCTION = 'ShopPayments-CardVaultFunction';
const ORDER_ID = 'ord_01JD0000000000000000000000';

/** The Lambda client on a mock: the invocation's faults no engine produces on demand. */
function vault() {
  const mock = mockClient(LambdaClient);
  const adapter = new LambdaCardVault({
    client: new LambdaClient({ region: 'us-east-1' }),
    functionName: FUNCTION,
    timeoutMs: 1_000,
  });
  return { mock, adapter };
}

const answer = (body: unknown, functionError?: string) => ({
  StatusCode: 200,
  Payload: new TextEncoder().encode(JSON.stringify(body)) as never,
  ...(functionError === undefined ? {} : { FunctionError: functionError }),
});

async function rejectionOf(act: Promise<unknown>): Promise<Error> {
  try {
    await act;
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected a rejection');
}

describe('LambdaCardVault', () => {
  afterEach(() => mockClient(LambdaClient).restore());

  test('invokes the vault function with the order and its token, and takes `kept`', async () => {
    // Prepare
    const { mock, adapter } = vault();
    mock.on(InvokeCommand).resolves(answer({ outcome: 'kept' }));
    // Act
    await adapter.keep(ORDER_ID, 'tok_visa');
    // Assess
    const [call] = mock.commandCalls(InvokeCommand);
    expect(call?.args[0].input.FunctionName).toBe(FUNCTION);
    expect(call?.args[0].input.InvocationType).toBe('RequestResponse');
    const payload = new TextDecoder().decode(call?.args[0].input.Payload as Uint8Array);
    expect(JSON.parse(payload)).toEqual({ operation: 'keep', orderId: ORDER_ID, token: 'tok_visa' });
  });

  test.each([
    ['a function error', () => answer({ errorMessage: 'boom' }, 'Unhandled')],
    [
      'a throttle',
      () =>
        Promise.reject(
          Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $fault: 'client' }),
        ),
    ],
  ])(
    '%s is the payments service unavailable (a 503 to the client), without the token in the message',
    async (_label, invocation) => {
      // Prepare
      const { mock, adapter } = vault();
      mock.on(InvokeCommand).callsFake(invocation);
      // Act
      const error = await rejectionOf(adapter.keep(ORDER_ID, 'tok_secret_card'));
      // Assess
      expect(error).toBeInstanceOf(DependencyUnavailableError);
      expect((error as DependencyUnavailableError).dependency).toBe('payments');
      expect(JSON.stringify({ message: error.message, cause: String(error.cause) })).not.toContain(
        'tok_secret_card',
      );
    },
  );

  test('a refusal is a bug of this side (it validated the token): an error, not a 503', async () => {
    // Prepare
    const { mock, adapter } = vault();
    mock.on(InvokeCommand).resolves(
      answer({
        outcome: 'rejected',
        code: 'invalid_request',
        message: 'request.token must be a card token',
      }),
    );
    // Act
    const error = await rejectionOf(adapter.keep(ORDER_ID, 'tok_visa'));
    // Assess
    expect(error).not.toBeInstanceOf(DependencyUnavailableError);
    expect(error.message).toMatch(/the card vault refused the token of order/);
  });
});
