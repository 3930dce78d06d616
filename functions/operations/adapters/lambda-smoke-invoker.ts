import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { startupProbeClientContext } from '../../../shared/aws/startup-probe';
import type { SmokeAnswer, SmokeInvocation, SmokeInvoker } from '../ports/deployment-hooks';

/**
 * `Invoke` (RequestResponse) of a version or alias, the start-up probe in its `ClientContext` when asked;
 * what the answer says: the version that ran, an HTTP status, a batch's failed items, the probe's `ready`.
 */
export class LambdaSmokeInvoker implements SmokeInvoker {
  constructor(private readonly props: { readonly client: LambdaClient }) {}

  async invoke(functionName: string, qualifier: string, invocation: SmokeInvocation): Promise<SmokeAnswer> {
    const answer = await this.props.client.send(
      new InvokeCommand({
        FunctionName: functionName,
        Qualifier: qualifier,
        Payload: Buffer.from(JSON.stringify(invocation.event)),
        ...(invocation.startupProbe ? { ClientContext: startupProbeClientContext() } : {}),
      }),
    );
    const ran = answer.ExecutedVersion === undefined ? {} : { executedVersion: answer.ExecutedVersion };
    if (answer.FunctionError !== undefined) return { functionError: answer.FunctionError, ...ran };
    const payload: unknown = JSON.parse(
      Buffer.from(answer.Payload ?? new Uint8Array()).toString('utf8') || 'null',
    );
    if (typeof payload !== 'object' || payload === null) return ran;
    return {
      ...ran,
      ...('statusCode' in payload && typeof payload.statusCode === 'number'
        ? { statusCode: payload.statusCode }
        : {}),
      ...('batchItemFailures' in payload && Array.isArray(payload.batchItemFailures)
        ? { failedItems: payload.batchItemFailures.length }
        : {}),
      ...('ready' in payload && payload.ready === true ? { ready: true } : {}),
    };
  }
}
