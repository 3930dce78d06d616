/**
 * The accounts context's payment API for the payments context: an order paid from a customer's account
 * (moved into the shop's account), refunded back, and looked up. Invoked directly (Lambda `Invoke`,
 * `RequestResponse`, allowed to the payments functions alone), never through the public API.
 *
 * Every answer is a JSON object with an `outcome`. Refusals the caller must act on are answers
 * (`declined`, `rejected`); a function error (the invocation's `FunctionError`) means the request may
 * or may not have taken effect, and repeating it is safe: a charge is claimed per order, a refund per
 * charge.
 */

export type AccountPaymentRequest =
  | {
      readonly operation: 'charge';
      /** `ord_` + ULID: charged once, whatever the number of requests. */
      readonly orderId: string;
      /** The customer who pays (`usr_` + ULID); they must own `accountId`. */
      readonly payerId: string;
      /** `acc_` + ULID. */
      readonly accountId: string;
      /** A positive integer of minor units of `currency`. */
      readonly amountCents: number;
      /** ISO 4217: the account's currency must be this one. */
      readonly currency: string;
    }
  | { readonly operation: 'refund'; readonly orderId: string; readonly chargeId: string }
  | { readonly operation: 'list-charges'; readonly orderId: string };

/** The request could not be carried out as asked; repeating it cannot change that. */
export interface AccountPaymentRejected {
  readonly outcome: 'rejected';
  /** `invalid_request`, `charge_not_found`, `order_charged_otherwise`, `balance_limit_exceeded`. */
  readonly code: string;
  readonly message: string;
}

export type AccountChargeAnswer =
  | {
      readonly outcome: 'captured';
      /** The transfer's id, `trf_` + ULID. */
      readonly chargeId: string;
      readonly amountCents: number;
      readonly currency: string;
      /** True when the order was charged by an earlier request: nothing moved this time. */
      readonly replayed: boolean;
    }
  | {
      readonly outcome: 'declined';
      /** `insufficient_funds`, `account_not_found` (none, or not the payer's), `currency_mismatch`. */
      readonly code: string;
      readonly message: string;
    }
  | AccountPaymentRejected;

export type AccountRefundAnswer =
  | {
      readonly outcome: 'refunded';
      /** The transfer's id, `trf_` + ULID. */
      readonly refundId: string;
      readonly chargeId: string;
      readonly amountCents: number;
    }
  | AccountPaymentRejected;

export interface AccountCharge {
  readonly chargeId: string;
  readonly orderId: string;
  readonly accountId: string;
  readonly amountCents: number;
  readonly currency: string;
  /** 0, or all of it once refunded. */
  readonly refundedCents: number;
}

export type AccountChargesAnswer =
  { readonly outcome: 'listed'; readonly charges: readonly AccountCharge[] } | AccountPaymentRejected;

export type AccountPaymentAnswer = AccountChargeAnswer | AccountRefundAnswer | AccountChargesAnswer;

/** Decline codes of a charge. */
export const ACCOUNT_DECLINE_CODES = {
  insufficientFunds: 'insufficient_funds',
  accountNotFound: 'account_not_found',
  currencyMismatch: 'currency_mismatch',
} as const;
