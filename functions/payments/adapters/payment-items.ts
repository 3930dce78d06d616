import * as z from 'zod';
import { PAYMENT_METHODS, PAYMENT_STATUSES, type Payment } from '../domain/payment';
import { definedProps } from '../../../shared/objects/defined-props';

/**
 * The payments table: one item per order, partition key `orderId` (S), with the `Payment` fields at the
 * top level, `createdAt` (ISO 8601) of its first write, and `previousStatus`: the status the last write
 * was written over, `NONE` for the first.
 */
export const PAYMENT_KEY = 'orderId';

/** `previousStatus` of a payment's first write (there was no status to write over). */
export const NO_PREVIOUS_STATUS = 'NONE';

const amount = z.number().int().nonnegative();
const storedPayment = z.object({
  orderId: z.string().min(1),
  userId: z.string().min(1),
  status: z.enum(PAYMENT_STATUSES),
  // Payments recorded before orders could be paid from an account were all by card.
  method: z.enum(PAYMENT_METHODS).default('card'),
  amountCents: amount,
  currency: z.string().min(1),
  attempts: amount,
  providerChargeId: z.string().min(1).optional(),
  declineCode: z.string().min(1).optional(),
  refundedCents: amount.optional(),
  updatedAt: z.string().min(1),
  // Absent on items written before it was recorded.
  previousStatus: z.enum([...PAYMENT_STATUSES, NO_PREVIOUS_STATUS]).optional(),
});

/** The payment of a stored item; an item that is not one is a data error, never a client's. */
export function paymentFromItem(item: Record<string, unknown>): Payment {
  const parsed = storedPayment.safeParse(item);
  if (!parsed.success) {
    throw new Error(
      `the payment item ${PAYMENT_KEY}=${String(item[PAYMENT_KEY])} is malformed: ${parsed.error.issues
        .map((issue) => `${issue.path.join('.')} ${issue.message}`)
        .join('; ')}`,
    );
  }
  const { providerChargeId, declineCode, refundedCents, previousStatus, ...required } = parsed.data;
  return {
    ...required,
    ...definedProps({ providerChargeId }),
    ...definedProps({ declineCode }),
    ...definedProps({ refundedCents }),
    ...(previousStatus === undefined || previousStatus === NO_PREVIOUS_STATUS ? {} : { previousStatus }),
  };
}
