import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { SmokeAnswer, SmokeInvoker } from '../ports/deployment-hooks';

/** `Invoke` (RequestResponse) of a version or alias; the answer's `statusCode`, when it is an HTTP one. */
export class LambdaSmokeInvoker implements SmokeInvoker {
  constructor(private readonly props: { readonly client: LambdaClient }) {}

  async invoke(functionName: string, qualifier: string, event: unknown): Promise<SmokeAnswer> {
    const answer = await this.props.client.send(
      new InvokeCommand({
        FunctionName: functionName,
        Qualifier: qualifier,
        Payload: Buffer.from(JSON.stringify(event)),
      }),
    );
    if (answer.FunctionError !== undefined) return { functionError: answer.FunctionError };
    const payload: unknown = JSON.parse(
      Buffer.from(answer.Payload ?? new Uint8Array()).toString('utf8') || 'null',
    );
    const statusCode =
      typeof payload === 'object' &&
      payload !== null &&
      'statusCode' in payload &&
      typeof payload.statusCode === 'number'
        ? payload.statusCode
        : undefined;
    return statusCode === undefined ? {} : { statusCode };
  }
}
