import * as z from 'zod';
import { idSchema } from '../../../shared/http/id-schema';
import { CURRENCY_CODE, PAYMENT_METHODS } from '../domain/payment';

/**
 * Inputs of the saga steps (see contracts/payment-steps.ts). Fields the state machine adds beyond
 * these are ignored: the step reads what it needs from its caller's payload.
 */
const orderId = idSchema('order');
const userId = idSchema('user');
const correlationId = z.string().min(1).max(256).optional();

export const ChargePaymentInputSchema = z.object({
  orderId,
  userId,
  amountCents: z
    .number()
    .int({ error: 'must be a whole number of minor units' })
    .positive({ error: 'must be greater than 0' })
    .max(Number.MAX_SAFE_INTEGER),
  currency: z
    .string()
    .regex(CURRENCY_CODE, { error: 'must be an ISO 4217 code of three upper-case letters, e.g. USD' }),
  payment: z.discriminatedUnion('method', [
    // A card's token is in the card vault, never in the saga's input (executions started before the
    // vault may still carry one: it is ignored).
    z.object({ method: z.literal('card') }),
    z.object({ method: z.literal('account'), accountId: idSchema('account') }),
  ]),
  correlationId,
});

export const RefundPaymentInputSchema = z.object({
  orderId,
  userId,
  method: z.enum(PAYMENT_METHODS),
  correlationId,
});

/** `GET /payments/{orderId}`: strict, as every HTTP schema. */
export const PaymentPath = z.strictObject({ orderId });
export const NoQuery = z.strictObject({});
