/** The body of `GET /payments/{orderId}` on the shared API. */
export interface PaymentResponse {
  readonly orderId: string;
  readonly status: 'CAPTURED' | 'DECLINED' | 'REFUNDED' | 'FAILED';
  /** Minor units of `currency`. */
  readonly amountCents: number;
  readonly currency: string;
  /** Charge calls made to the card processor for this order (retries included). */
  readonly attempts: number;
  /** The card processor's charge id, once one is known. */
  readonly providerChargeId?: string;
  /** Why a DECLINED payment was declined, e.g. `card_declined`, `insufficient_funds`, `processing_error`. */
  readonly declineCode?: string;
}
