/** The body of `GET /payments/{orderId}` on the shared API. */
export interface PaymentResponse {
  readonly orderId: string;
  readonly status: 'CAPTURED' | 'DECLINED' | 'REFUNDED' | 'FAILED';
  /** `card`, or `account` for an order paid from one of the customer's accounts. */
  readonly method: 'card' | 'account';
  /** Minor units of `currency`. */
  readonly amountCents: number;
  readonly currency: string;
  /** Charge calls made to the card processor for this order (retries included). */
  readonly attempts: number;
  /** The charge's id once one is known: the card processor's `ch_…`, or the account transfer's `trf_…`. */
  readonly providerChargeId?: string;
  /** Why a DECLINED payment was declined, e.g. `card_declined`, `insufficient_funds`, `processing_error`. */
  readonly declineCode?: string;
}
