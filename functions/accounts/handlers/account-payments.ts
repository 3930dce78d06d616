import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { errorMessage } from '../../../shared/errors/error-message';
import type { LambdaContext } from '../../../shared/http';
import { idSchema } from '../../../shared/http/id-schema';
import { houseStyleReasons, validationErrorFromZod } from '../../../shared/http/validation-error-from-zod';
import { IdempotencyKeyReusedError } from '../../../shared/idempotency/errors';
import { withRequestContext } from '../../../shared/observability/with-request-context';
import type { OrderPayments } from '../application/order-payments';
import {
  ACCOUNT_DECLINE_CODES,
  type AccountChargeAnswer,
  type AccountPaymentAnswer,
  type AccountPaymentRejected,
} from '../contracts/account-payments';
import {
  AccountNotFoundError,
  BalanceLimitExceededError,
  CurrencyMismatchError,
  InsufficientFundsError,
  OrderChargeNotFoundError,
} from '../domain/errors';
import { isCurrencyCode, MAX_AMOUNT_CENTS } from '../domain/money';
import { budgetOf } from './call-budget';
import { annotate } from '../../../shared/observability/tracer';

export interface AccountPaymentsHandlerDependencies {
  readonly orderPayments: OrderPayments;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'appendKeys' | 'removeKeys' | 'resetKeys'>;
}

const orderId = idSchema('order');
const AccountPaymentRequestSchema = z.discriminatedUnion('operation', [
  z.strictObject({
    operation: z.literal('charge'),
    orderId,
    payerId: idSchema('user'),
    accountId: idSchema('account'),
    amountCents: z.number().int().positive().max(MAX_AMOUNT_CENTS),
    currency: z.string().refine(isCurrencyCode, { error: 'must be an ISO 4217 currency code, e.g. USD' }),
  }),
  z.strictObject({ operation: z.literal('refund'), orderId, chargeId: idSchema('transfer') }),
  z.strictObject({ operation: z.literal('list-charges'), orderId }),
]);

/**
 * The payment API of `contracts/account-payments.ts`, invoked by the payments functions: charge an
 * order from an account, refund it, list its charge. Refusals are answers; anything else (a lost race
 * past the retry's time, DynamoDB failing) is thrown, and the caller may repeat the request safely.
 */
export function makeHandler(
  deps: AccountPaymentsHandlerDependencies,
): (
  event: unknown,
  context?: Pick<LambdaContext, 'getRemainingTimeInMillis'>,
) => Promise<AccountPaymentAnswer> {
  const { orderPayments, logger } = deps;
  return async (event, context) => {
    const parsed = AccountPaymentRequestSchema.safeParse(event, { error: houseStyleReasons });
    if (!parsed.success) {
      const { message } = validationErrorFromZod(parsed.error, 'request');
      logger.warn('An account payment request was refused: it is not one the API takes', { message });
      return rejected('invalid_request', message);
    }
    const request = parsed.data;
    annotate({
      orderId: request.orderId,
      accountId: request.operation === 'charge' ? request.accountId : undefined,
    });
    const budget = budgetOf(context);
    return withRequestContext(
      { orderId: request.orderId, operation: request.operation },
      async (): Promise<AccountPaymentAnswer> => {
        switch (request.operation) {
          case 'charge':
            try {
              const { charge, replayed } = await orderPayments.charge(request, budget);
              logger.info('Order charged from an account', { chargeId: charge.chargeId, replayed });
              return {
                outcome: 'captured',
                chargeId: charge.chargeId,
                amountCents: charge.amountCents,
                currency: charge.currency,
                replayed,
              };
            } catch (error) {
              const answer = chargeRefusal(error);
              if (answer === undefined) throw error;
              logger.info('The charge from an account was refused', {
                outcome: answer.outcome,
                code: answer.code,
              });
              return answer;
            }
          case 'refund':
            try {
              const refund = await orderPayments.refund(request.orderId, request.chargeId, budget);
              logger.info('Order refunded to its account', { refundId: refund.refundId });
              return { outcome: 'refunded', ...refund };
            } catch (error) {
              const answer = rejection(error);
              if (answer === undefined) throw error;
              logger.warn('The refund to an account was refused', { code: answer.code });
              return answer;
            }
          case 'list-charges':
            return { outcome: 'listed', charges: await orderPayments.listCharges(request.orderId) };
        }
      },
      logger,
    );
  };
}

/** A domain refusal of a charge as its answer; `undefined` for anything else. */
function chargeRefusal(error: unknown): Exclude<AccountChargeAnswer, { outcome: 'captured' }> | undefined {
  const declined = (code: string) => ({ outcome: 'declined' as const, code, message: errorMessage(error) });
  if (error instanceof InsufficientFundsError) return declined(ACCOUNT_DECLINE_CODES.insufficientFunds);
  if (error instanceof AccountNotFoundError) return declined(ACCOUNT_DECLINE_CODES.accountNotFound);
  if (error instanceof CurrencyMismatchError) return declined(ACCOUNT_DECLINE_CODES.currencyMismatch);
  return rejection(error);
}

/** A refusal no repeat can change, as an answer; `undefined` for anything else. */
function rejection(error: unknown): AccountPaymentRejected | undefined {
  if (error instanceof OrderChargeNotFoundError) return rejected('charge_not_found', errorMessage(error));
  if (error instanceof IdempotencyKeyReusedError) {
    return rejected(
      'order_charged_otherwise',
      'The order was charged before with another account or amount.',
    );
  }
  if (error instanceof BalanceLimitExceededError)
    return rejected('balance_limit_exceeded', errorMessage(error));
  return undefined;
}

function rejected(code: string, message: string): AccountPaymentRejected {
  return { outcome: 'rejected', code, message };
}
