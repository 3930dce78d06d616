import type { LambdaClient } from '@aws-sdk/client-lambda';
import * as z from 'zod';
import { invokeFunction, type InvocationAnswer } from '../../../shared/aws/invoke-function';
import { errorMessage } from '../../../shared/errors/error-message';
import type { AccountPaymentRequest } from '../../accounts/contracts';
import {
  ProviderRejectedError,
  ProviderTransientError,
  UNSUPPORTED_PAYMENT_METHOD,
  type ChargeRequest,
  type ChargeResult,
  type PaymentProvider,
  type ProviderCharge,
  type ProviderRefund,
  type RefundRequest,
} from '../ports/payment-provider';
import { definedProps } from '../../../shared/objects/defined-props';

export interface AccountsPaymentProviderOptions {
  readonly client: Pick<LambdaClient, 'send'>;
  /** The accounts context's payment function (name or ARN). */
  readonly functionName: string;
  /** Per invocation; one still running is abandoned and counts as a failure (repeating it is safe). */
  readonly timeoutMs: number;
}

/** A charge listed as the card processor lists a captured one, for the use cases' one rule. */
const CAPTURED = 'succeeded';

const Rejected = z.object({ outcome: z.literal('rejected'), code: z.string(), message: z.string() });
const ChargeAnswer = z.discriminatedUnion('outcome', [
  z.object({
    outcome: z.literal('captured'),
    chargeId: z.string().min(1),
    amountCents: z.number().int().nonnegative(),
    currency: z.string().length(3),
    replayed: z.boolean(),
  }),
  z.object({ outcome: z.literal('declined'), code: z.string().min(1), message: z.string() }),
  Rejected,
]);
const RefundAnswer = z.discriminatedUnion('outcome', [
  z.object({
    outcome: z.literal('refunded'),
    refundId: z.string().min(1),
    chargeId: z.string().min(1),
    amountCents: z.number().int().nonnegative(),
  }),
  Rejected,
]);
const ChargesAnswer = z.discriminatedUnion('outcome', [
  z.object({
    outcome: z.literal('listed'),
    charges: z.array(
      z.object({
        chargeId: z.string().min(1),
        orderId: z.string().min(1),
        amountCents: z.number().int().nonnegative(),
        currency: z.string().length(3),
        refundedCents: z.number().int().nonnegative(),
      }),
    ),
  }),
  Rejected,
]);

/**
 * Payment from a customer's account: the accounts context's payment API
 * (`functions/accounts/contracts/account-payments.ts`), invoked directly with Lambda `Invoke`. The
 * accounts context claims a charge per order and a refund per charge, so a repeated call is replayed,
 * never doubled — the same guarantee the card processor gives per idempotency key, which the keys here
 * need not carry.
 *
 * Mapping: an answer is the outcome (`declined` a decline, `rejected` a `ProviderRejectedError`); a
 * function error, a throttle, a timeout or an unreadable answer is a `ProviderTransientError`; a refusal
 * of the invocation itself (no such function, not allowed) is a `ProviderRejectedError`.
 */
export class AccountsPaymentProvider implements PaymentProvider {
  constructor(private readonly options: AccountsPaymentProviderOptions) {
    if (!(options.timeoutMs > 0))
      throw new RangeError(`timeoutMs must be positive, not ${options.timeoutMs}.`);
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const { source } = request;
    if (source.method !== 'account') {
      throw new ProviderRejectedError(
        400,
        UNSUPPORTED_PAYMENT_METHOD,
        `The accounts context charges accounts, not a payment by ${source.method}.`,
      );
    }
    const answer = await this.invoke(ChargeAnswer, {
      operation: 'charge',
      orderId: request.orderId,
      payerId: request.payerId,
      accountId: source.accountId,
      amountCents: request.amountCents,
      currency: request.currency,
    });
    switch (answer.outcome) {
      case 'captured':
        return {
          outcome: 'captured',
          chargeId: answer.chargeId,
          amountCents: answer.amountCents,
          currency: answer.currency,
          replayed: answer.replayed,
        };
      case 'declined':
        return { outcome: 'declined', code: answer.code, message: answer.message };
      case 'rejected':
        throw new ProviderRejectedError(400, answer.code, answer.message);
    }
  }

  async listCharges(orderId: string): Promise<readonly ProviderCharge[]> {
    const answer = await this.invoke(ChargesAnswer, { operation: 'list-charges', orderId });
    if (answer.outcome === 'rejected') throw new ProviderRejectedError(400, answer.code, answer.message);
    return answer.charges.map((charge) => ({ ...charge, status: CAPTURED }));
  }

  async refund(request: RefundRequest): Promise<ProviderRefund> {
    const answer = await this.invoke(RefundAnswer, {
      operation: 'refund',
      orderId: request.orderId,
      chargeId: request.chargeId,
    });
    if (answer.outcome === 'rejected') throw new ProviderRejectedError(400, answer.code, answer.message);
    return { refundId: answer.refundId, chargeId: answer.chargeId, amountCents: answer.amountCents };
  }

  private async invoke<S extends z.ZodType>(schema: S, request: AccountPaymentRequest): Promise<z.output<S>> {
    const operation = `accounts ${request.operation}`;
    let answer: InvocationAnswer;
    try {
      answer = await invokeFunction(
        this.options.client,
        this.options.functionName,
        request,
        this.options.timeoutMs,
      );
    } catch (error) {
      throw invocationFailure(operation, error, this.options.timeoutMs);
    }
    const { text, functionError } = answer;
    if (functionError !== undefined) {
      throw new ProviderTransientError(
        'server-error',
        `${operation} failed (${functionError}): ${text.slice(0, 200)}`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new ProviderTransientError('malformed-answer', `${operation} answered no JSON`, { cause: error });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new ProviderTransientError('malformed-answer', `${operation} answered an unexpected shape`, {
        cause: parsed.error,
      });
    }
    return parsed.data;
  }
}

/** An invocation that did not answer: transient unless Lambda refused the request itself. */
function invocationFailure(operation: string, error: unknown, timeoutMs: number): Error {
  const name = error instanceof Error ? error.name : '';
  if (name === 'AbortError' || name === 'TimeoutError') {
    return new ProviderTransientError('timeout', `${operation} did not answer within ${timeoutMs} ms`, {
      cause: error,
    });
  }
  const fault = typeof error === 'object' && error !== null && '$fault' in error ? error.$fault : undefined;
  const status = httpStatusOf(error);
  const throttled = name === 'TooManyRequestsException' || status === 429;
  if (fault === 'client' && !throttled) {
    return new ProviderRejectedError(
      status ?? 400,
      name,
      `${operation} was refused by Lambda: ${errorMessage(error)}`,
    );
  }
  return new ProviderTransientError(
    status === undefined ? 'network' : 'server-error',
    `${operation} failed: ${errorMessage(error)}`,
    {
      cause: error,
      ...definedProps({ status }),
    },
  );
}

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata = error.$metadata;
  if (typeof metadata !== 'object' || metadata === null || !('httpStatusCode' in metadata)) return undefined;
  return typeof metadata.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}
