import { PaymentStatusConflictError } from '../domain/errors';
import { canBecome, type Payment } from '../domain/payment';
import type { PaymentChange, PaymentRepository } from '../ports/payment-repository';
import { definedProps } from '../../../shared/objects/defined-props';

/**
 * Payments in a Map, with the DynamoDB adapter's semantics (a status written only over an allowed
 * predecessor, attempts added, the status written over kept), for tests. Each call yields first, as a network call would.
 */
export class InMemoryPaymentRepository implements PaymentRepository {
  private readonly payments = new Map<string, Payment>();
  /** Every change written, in order. */
  readonly changes: PaymentChange[] = [];

  async find(orderId: string): Promise<Payment | undefined> {
    await Promise.resolve();
    const payment = this.payments.get(orderId);
    return payment === undefined ? undefined : { ...payment };
  }

  async record(change: PaymentChange): Promise<Payment> {
    await Promise.resolve();
    const stored = this.payments.get(change.orderId);
    if (!canBecome(stored?.status, change.status)) {
      throw new PaymentStatusConflictError(change.orderId, change.status);
    }
    // As UpdateItem does: the fields given replace the stored ones, the others are kept.
    const providerChargeId = change.providerChargeId ?? stored?.providerChargeId;
    const declineCode = change.declineCode ?? stored?.declineCode;
    const refundedCents = change.refundedCents ?? stored?.refundedCents;
    const payment: Payment = {
      orderId: change.orderId,
      userId: change.userId,
      status: change.status,
      method: change.method,
      amountCents: change.amountCents,
      currency: change.currency,
      attempts: (stored?.attempts ?? 0) + change.attemptsMade,
      ...definedProps({ providerChargeId }),
      ...definedProps({ declineCode }),
      ...definedProps({ refundedCents }),
      updatedAt: change.at,
      ...definedProps({ previousStatus: stored?.status }),
    };
    this.payments.set(change.orderId, payment);
    this.changes.push({ ...change });
    return { ...payment };
  }

  /** Seeds a payment as if written earlier. */
  put(payment: Payment): void {
    this.payments.set(payment.orderId, { ...payment });
  }
}
