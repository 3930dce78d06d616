import type { LambdaClient } from '@aws-sdk/client-lambda';
import * as z from 'zod';
import { invokeFunction } from '../../../shared/aws/invoke-function';
import { DependencyUnavailableError } from '../../../shared/errors/app-error';
import { errorMessage } from '../../../shared/errors/error-message';
import type { KeepCardTokenRequest } from '../../payments/contracts';
import type { CardVault } from '../ports/card-vault';

export interface LambdaCardVaultOptions {
  readonly client: LambdaClient;
  /** The payments context's card vault function (name or ARN). */
  readonly functionName: string;
  /** Per invocation, the client's own retries included. */
  readonly timeoutMs: number;
}

const PAYMENTS_DEPENDENCY = 'payments';

/**
 * The card vault of `functions/payments/contracts/card-vault.ts`, invoked with Lambda `Invoke`. An
 * invocation that fails or does not answer in time is a `DependencyUnavailableError` (a 503: the order
 * is not placed, and the client's retry with the same key is safe); a refusal is this context's bug
 * (it validated the token), an error.
 */
export class LambdaCardVault implements CardVault {
  constructor(private readonly options: LambdaCardVaultOptions) {
    if (!(options.timeoutMs > 0))
      throw new RangeError(`timeoutMs must be positive, not ${options.timeoutMs}.`);
  }

  async keep(orderId: string, token: string): Promise<void> {
    const request: KeepCardTokenRequest = { operation: 'keep', orderId, token };
    let text: string;
    try {
      const answer = await invokeFunction(
        this.options.client,
        this.options.functionName,
        request,
        this.options.timeoutMs,
      );
      text = answer.text;
      if (answer.functionError !== undefined) {
        throw new Error(`the card vault failed (${answer.functionError}): ${text.slice(0, 200)}`);
      }
    } catch (error) {
      throw new DependencyUnavailableError(
        PAYMENTS_DEPENDENCY,
        'The payments service did not take the card; retry the request later.',
        { cause: new Error(errorMessage(error), { cause: error }), retryAfterSeconds: 1 },
      );
    }
    if (!isKept(text)) {
      throw new Error(`the card vault refused the token of order ${orderId}: ${text.slice(0, 200)}`);
    }
  }
}

const Kept = z.object({ outcome: z.literal('kept') });

function isKept(text: string): boolean {
  try {
    return Kept.safeParse(JSON.parse(text)).success;
  } catch {
    return false;
  }
}
