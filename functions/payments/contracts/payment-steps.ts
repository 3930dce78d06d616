/**
 * The payments steps of the PlaceOrder saga: what the state machine passes to the charge and refund
 * functions (LambdaInvoke, `payloadResponseOnly`), what they return, and the error names it matches
 * in `Retry`/`Catch` (a function's `errorType` is its error's `name`).
 */

/** Input of `charge-payment`. */
export interface ChargePaymentInput {
  /** `ord_` + ULID. */
  readonly orderId: string;
  /** The customer whose order it is (`usr_` + ULID): the payment is shown to them and to staff. */
  readonly userId: string;
  /** A positive integer of minor units of `currency`. */
  readonly amountCents: number;
  /** ISO 4217, e.g. `USD`. */
  readonly currency: string;
  /** What the customer pays with: a card token (e.g. `tok_visa`) or one of their accounts. */
  readonly payment:
    | { readonly method: 'card'; readonly token: string }
    | { readonly method: 'account'; readonly accountId: string };
  readonly correlationId?: string;
}

/** Output of `charge-payment`: the order's charge is captured. */
export interface ChargePaymentOutput {
  readonly orderId: string;
  readonly status: 'CAPTURED';
  /** The charge's id: the card processor's `ch_…`, or the account transfer's `trf_…`. */
  readonly chargeId: string;
  readonly amountCents: number;
  readonly currency: string;
}

/** Input of `refund-payment`. */
export interface RefundPaymentInput {
  readonly orderId: string;
  /** The customer whose order it is, recorded when the refund is the payment's first record. */
  readonly userId: string;
  /** What the order was paid with (`payment.method` of the charge): whoever took the money gives it back. */
  readonly method: 'card' | 'account';
  readonly correlationId?: string;
}

export interface RefundLine {
  readonly chargeId: string;
  /** The refund's id: the card processor's `re_…`, or the account transfer's `trf_…`. */
  readonly refundId: string;
  readonly amountCents: number;
}

/** Output of `refund-payment`: what this invocation refunded (nothing when nothing was left to refund). */
export interface RefundPaymentOutput {
  readonly orderId: string;
  readonly refundedCents: number;
  readonly refunds: readonly RefundLine[];
}

/** Error names the saga matches on. */
export const PAYMENT_STEP_ERRORS = {
  /** Business outcome: the card (or the account: `insufficient_funds`…) was declined; not retried, the saga compensates. */
  declined: 'PaymentDeclined',
  /** Transient: the processor answered 5xx, timed out, or its circuit is open; worth a later retry. */
  providerUnavailable: 'PaymentProviderUnavailable',
  /** The input is not what the step takes: a bug in the caller; retrying cannot help. */
  invalidInput: 'InvalidSagaInput',
  /** The processor refused the request itself (a 4xx other than a decline): retrying cannot help. */
  providerRejected: 'PaymentProviderRejected',
  /** A charge asked for an order whose payment was already refunded: it is never charged again. */
  alreadyRefunded: 'PaymentAlreadyRefunded',
} as const;

export type PaymentStepErrorName = (typeof PAYMENT_STEP_ERRORS)[keyof typeof PAYMENT_STEP_ERRORS];
