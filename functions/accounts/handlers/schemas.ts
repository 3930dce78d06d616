import * as z from 'zod';
import { idSchema } from '../../../shared/http/id-schema';
import { MAX_PAGE_SIZE } from '../application/list-transactions';
import { isCurrencyCode, MAX_AMOUNT_CENTS } from '../domain/money';

/** Strict request schemas of the accounts API: an unknown field or query parameter is a 400. */

export const AccountPath = z.strictObject({ accountId: idSchema('account') });

export const NoQuery = z.strictObject({});

const amountCents = z
  .number()
  .int({ error: 'must be a whole number of minor units (cents)' })
  .positive({ error: 'must be greater than 0' })
  .max(MAX_AMOUNT_CENTS, { error: `must be at most ${MAX_AMOUNT_CENTS}` });

export const OpenAccountBody = z.strictObject({
  currency: z.string().refine(isCurrencyCode, {
    error: 'must be an ISO 4217 currency code in upper case, e.g. USD',
  }),
});

export const DepositBody = z.strictObject({ amountCents });

export const TransferBody = z.strictObject({
  fromAccountId: idSchema('account'),
  toAccountId: idSchema('account'),
  amountCents,
});

export const TransactionsQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, { error: `must be an integer from 1 to ${MAX_PAGE_SIZE}` })
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_PAGE_SIZE))
    .optional(),
  cursor: z.string().min(1).max(1024).optional(),
});
