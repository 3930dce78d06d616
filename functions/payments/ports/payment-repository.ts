import type { Payment, PaymentMethod, PaymentStatus } from '../domain/payment';

/** One write of a payment's outcome. */
export interface PaymentChange {
  readonly orderId: string;
  readonly userId: string;
  readonly status: PaymentStatus;
  readonly method: PaymentMethod;
  readonly amountCents: number;
  readonly currency: string;
  /** Calls this invocation made to the card processor; added to the stored `attempts`. */
  readonly attemptsMade: number;
  /** Set when known; a value already stored is kept when absent. */
  readonly providerChargeId?: string;
  readonly declineCode?: string;
  readonly refundedCents?: number;
  /** ISO 8601 instant of the change. */
  readonly at: string;
}

/**
 * Persistence of payments, one per order. Adapters: `DynamoDbPaymentRepository`,
 * `InMemoryPaymentRepository`.
 */
export interface PaymentRepository {
  /** The payment as last written (a strongly consistent read), or `undefined`. */
  find(orderId: string): Promise<Payment | undefined>;

  /**
   * Writes `change` and returns the payment as stored after it — only if there is no payment yet or its
   * status is an allowed predecessor of `change.status` (`ALLOWED_PREVIOUS`); otherwise throws
   * `PaymentStatusConflictError` and writes nothing.
   */
  record(change: PaymentChange): Promise<Payment>;
}
