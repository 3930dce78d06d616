import type { Charge, Refund } from '../domain/charge';
import type { KeyRecord, StoredAnswer } from '../domain/idempotency';

export interface KeyClaim {
  readonly key: string;
  readonly fingerprint: string;
  /** The claiming request; only it may complete or release the claim. */
  readonly owner: string;
  readonly nowMs: number;
  /** How long the claim holds before another request may take over a stalled one. */
  readonly leaseMs: number;
}

/** `claimed` with the attempt number, or the record that stood in the way, as it was. */
export type ClaimResult =
  | { readonly claimed: true; readonly attempt: number }
  | { readonly claimed: false; readonly record: KeyRecord | undefined };

/** The answer that completes a claimed key. */
export interface KeyCompletion {
  readonly key: string;
  readonly owner: string;
  readonly answer: StoredAnswer;
}

/**
 * The processor's ledger: charges, refunds and Idempotency-Key records, in one table. Adapters:
 * `DynamoDbLedger`, `InMemoryLedger` (same semantics, for tests).
 */
export interface Ledger {
  /**
   * Claims the key in one conditional write when `keyVerdict` finds it `claimable`, adding 1 to its
   * attempt counter; otherwise changes nothing and returns the record as it stands.
   */
  claimKey(claim: KeyClaim): Promise<ClaimResult>;

  /**
   * Stores a new charge and completes its key in one transaction: both or neither.
   * `KeyLeaseLostError` when `completion.owner` no longer holds the claim.
   */
  recordCharge(charge: Charge, completion: KeyCompletion): Promise<void>;

  /**
   * Stores `refund`, adds its amount to the charge's `refundedCents` and completes the key, in one
   * transaction conditional on the charge still having `refund.amountCents` left: concurrent refunds
   * never exceed it. `RefundExceedsChargeError` when it has not (re-read and plan again),
   * `KeyLeaseLostError` when the claim was lost.
   */
  recordRefund(refund: Refund, chargeAmountCents: number, completion: KeyCompletion): Promise<void>;

  /** Stores the answer of a claimed key; `KeyLeaseLostError` when the claim was lost. */
  completeKey(completion: KeyCompletion): Promise<void>;

  /** Gives the claim back (state `released`, counter and fingerprint kept); a no-op if not held. */
  releaseKey(key: string, owner: string): Promise<void>;

  /** The charge as last written (a strongly consistent read), or `undefined`. */
  findCharge(chargeId: string): Promise<Charge | undefined>;

  /** The charges made for `orderId`, oldest first. */
  chargesOfOrder(orderId: string): Promise<Charge[]>;
}
