import * as z from 'zod';
import { idSchema } from '../../../shared/http/id-schema';
import { CURRENCY_CODE, DEFAULT_CURRENCY, MAX_NAME_LENGTH, MAX_STOCK } from '../domain/product';

/** Strict request schemas of the inventory API: an unknown field or query parameter is a 400. */

export const ProductPath = z.strictObject({ productId: idSchema('product') });

export const NoQuery = z.strictObject({});

const count = (what: string) =>
  z
    .number()
    .int({ error: `must be a whole number of ${what}` })
    .max(MAX_STOCK, { error: `must be at most ${MAX_STOCK}` });

export const CreateProductBody = z.strictObject({
  name: z.string().trim().min(1).max(MAX_NAME_LENGTH),
  priceCents: z
    .number()
    .int({ error: 'must be a whole number of cents' })
    .positive({ error: 'must be greater than 0' }),
  currency: z
    .string()
    .regex(CURRENCY_CODE, { error: 'must be an ISO 4217 code of three upper-case letters, e.g. USD' })
    .default(DEFAULT_CURRENCY),
  stock: count('units').min(0, { error: 'must be at least 0' }),
});

export const RestockBody = z.strictObject({
  quantity: count('units').positive({ error: 'must be greater than 0' }),
});
