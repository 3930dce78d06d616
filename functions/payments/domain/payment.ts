/**
 * The payment of one order, as the payments context records it: the outcome of charging the order at
 * the card processor, and of refunding it. One record per order; amounts are integer minor units.
 *
 * A record only moves forward: a charge that failed may be tried again, a captured one may only be
 * refunded, a refund is final. `ALLOWED_PREVIOUS` is that rule; the repository writes a status only
 * over one of its allowed predecessors (or over nothing), so concurrent writers cannot move it back.
 */

export const PAYMENT_STATUSES = ['CAPTURED', 'DECLINED', 'REFUNDED', 'FAILED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/**
 * How an order is paid: a card at the card processor, or one of the customer's accounts (the accounts
 * context moves the amount into the shop's account).
 */
export const PAYMENT_METHODS = ['card', 'account'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/**
 * What the customer pays with, as the order names it: a card (its token is kept apart, in the card
 * vault, until the charge is settled: see ports/card-vault.ts), or one of their accounts.
 */
export type PaymentSource =
  { readonly method: 'card' } | { readonly method: 'account'; readonly accountId: string };

/** What a processor is asked to charge: the card's token taken out of the vault, or the account. */
export type ChargeSource =
  | { readonly method: 'card'; readonly token: string }
  | { readonly method: 'account'; readonly accountId: string };

/** ISO 4217 alphabetic codes: three upper-case letters. */
export const CURRENCY_CODE = /^[A-Z]{3}$/;

export interface Payment {
  /** `ord_` + ULID: one payment per order. */
  readonly orderId: string;
  /** The customer who pays (`usr_` + ULID): the payment is shown to them and to staff only. */
  readonly userId: string;
  readonly status: PaymentStatus;
  /** What the order is paid with. */
  readonly method: PaymentMethod;
  /** What the order was charged (or was to be charged), in minor units of `currency`. */
  readonly amountCents: number;
  readonly currency: string;
  /** Charge calls made to the card processor for this order, over every invocation. */
  readonly attempts: number;
  /** The charge's id once known: the card processor's (`ch_…`), or the account transfer's (`trf_…`). */
  readonly providerChargeId?: string;
  /** The processor's reason for a decline, e.g. `card_declined`. */
  readonly declineCode?: string;
  /** Refunded so far, in minor units; set once refunded. */
  readonly refundedCents?: number;
  /** ISO 8601 of the last change. */
  readonly updatedAt: string;
  /**
   * The status the last change was written over; absent when that change was the first record. A change
   * that replays its status (a capture recorded again) leaves `previousStatus === status`.
   */
  readonly previousStatus?: PaymentStatus;
}

/** True when the last change moved the payment to its status (its first record, or another status). */
export function enteredStatus(payment: Payment): boolean {
  return payment.previousStatus !== payment.status;
}

/** The statuses a status may be written over; none at all (no record yet) is always allowed. */
export const ALLOWED_PREVIOUS: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  // A failed (or unknown) outcome is retried with the same idempotency key: the processor replays.
  CAPTURED: ['FAILED', 'CAPTURED'],
  DECLINED: ['FAILED', 'DECLINED'],
  FAILED: ['FAILED'],
  // What the processor captured is refunded whatever was recorded: a charge whose answer was lost
  // (FAILED) may have been captured all the same.
  REFUNDED: ['FAILED', 'CAPTURED', 'DECLINED', 'REFUNDED'],
};

/** True when a record in `current` (or no record) may become `next`. */
export function canBecome(current: PaymentStatus | undefined, next: PaymentStatus): boolean {
  return current === undefined || ALLOWED_PREVIOUS[next].includes(current);
}

/** The idempotency key of the order's charge at the processor: one charge per order, ever. */
export function chargeIdempotencyKey(orderId: string): string {
  return `charge-${orderId}`;
}

/** The idempotency key of the refund of one charge. */
export function refundIdempotencyKey(chargeId: string): string {
  return `refund-${chargeId}`;
}
