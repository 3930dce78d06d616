import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';

/** What a synchronous invocation answered: the payload as text, and the function's error, if any. */
export interface InvocationAnswer {
  readonly text: string;
  /** `Unhandled` (or the error the function returned): the payload is then the error, not an answer. */
  readonly functionError?: string;
}

/**
 * Invokes a function of another context synchronously (`RequestResponse`) with `request` as JSON, cut
 * short after `timeoutMs` (an `AbortError`/`TimeoutError`). The invocation's own failures (throttled,
 * refused, unreachable) are thrown as the SDK throws them: each adapter decides what they mean to it.
 */
export async function invokeFunction(
  client: Pick<LambdaClient, 'send'>,
  functionName: string,
  request: unknown,
  timeoutMs: number,
): Promise<InvocationAnswer> {
  const output = await client.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: new TextEncoder().encode(JSON.stringify(request)),
    }),
    { abortSignal: AbortSignal.timeout(timeoutMs) },
  );
  const text = output.Payload === undefined ? '' : new TextDecoder().decode(output.Payload);
  return output.FunctionError === undefined ? { text } : { text, functionError: output.FunctionError };
}
