import { PaymentNotFoundError } from '../domain/errors';
import type { Payment } from '../domain/payment';
import type { PaymentRepository } from '../ports/payment-repository';

export type GetPayment = (orderId: string) => Promise<Payment>;

export function makeGetPayment(deps: { readonly repository: PaymentRepository }): GetPayment {
  return async (orderId) => {
    const payment = await deps.repository.find(orderId);
    if (payment === undefined) throw new PaymentNotFoundError(orderId);
    return payment;
  };
}
