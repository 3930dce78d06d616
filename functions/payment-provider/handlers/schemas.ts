import * as z from 'zod';
import { CURRENCY_CODE } from '../domain/charge';

/** Strict request schemas of the processor's API: an unknown field or query parameter is a 400. */

const amountCents = z
  .number()
  .int({ error: 'must be a whole number of minor units' })
  .positive({ error: 'must be greater than 0' })
  .max(Number.MAX_SAFE_INTEGER, { error: `must be at most ${Number.MAX_SAFE_INTEGER}` });

/** Free text the processor only stores: bounded, never empty. */
const reference = (maxLength: number) => z.string().min(1).max(maxLength);

export const CreateChargeBody = z.strictObject({
  amountCents,
  currency: z
    .string()
    .regex(CURRENCY_CODE, { error: 'must be an ISO 4217 code of three upper-case letters, e.g. USD' }),
  token: reference(255),
  orderId: reference(255),
  description: z.string().max(1_000).optional(),
});

export const CreateRefundBody = z.strictObject({ amountCents: amountCents.optional() });

export const ChargePath = z.strictObject({ chargeId: z.string() });

export const ListChargesQuery = z.strictObject({ orderId: reference(255) });

export const NoQuery = z.strictObject({});
