import { mayAccess, type Requester } from '../../../shared/identity/requester';
import { PaymentNotFoundError } from '../domain/errors';
import type { Payment } from '../domain/payment';
import type { PaymentRepository } from '../ports/payment-repository';

export type GetPayment = (orderId: string, requester: Requester) => Promise<Payment>;

/** The order's payment, for the customer who pays and staff; 404 for anyone else, as for no payment. */
export function makeGetPayment(deps: { readonly repository: PaymentRepository }): GetPayment {
  return async (orderId, requester) => {
    const payment = await deps.repository.find(orderId);
    if (payment === undefined || !mayAccess(requester, payment.userId)) {
      throw new PaymentNotFoundError(orderId);
    }
    return payment;
  };
}
