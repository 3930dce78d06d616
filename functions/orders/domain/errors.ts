import { ConflictError, ValidationError } from '../../../shared/errors/app-error';

/** The order cannot be cancelled in its current status (409 `ORDER_NOT_CANCELLABLE`). */
export class OrderNotCancellableError extends ConflictError {
  constructor(orderId: string, status: string) {
    super('ORDER_NOT_CANCELLABLE', `Order ${orderId} cannot be cancelled: it is ${status}.`);
  }
}

/** Only a paid order can ship (409 `ORDER_NOT_PAID`). */
export class OrderNotPaidError extends ConflictError {
  constructor(orderId: string) {
    super('ORDER_NOT_PAID', `Cannot ship unpaid order ${orderId}.`);
  }
}

/** The command names an order that does not exist yet, or creates one that already does. */
export class OrderStateError extends ConflictError {
  constructor(message: string) {
    super('ORDER_STATE_CONFLICT', message);
  }
}

/** An order's contents break an invariant the schema alone cannot express. */
export class InvalidOrderError extends ValidationError {}

/**
 * An approval decision for an order that is not waiting for one (409 `ORDER_NOT_AWAITING_APPROVAL`):
 * it was never asked for, it was already decided the other way, or the order is cancelled or paid.
 */
export class OrderNotAwaitingApprovalError extends ConflictError {
  constructor(orderId: string, status: string, detail?: string) {
    super(
      'ORDER_NOT_AWAITING_APPROVAL',
      `Order ${orderId} is not awaiting approval: it is ${status}${detail === undefined ? '' : ` (${detail})`}.`,
    );
  }
}

/** A payment cannot confirm the order: it was cancelled, or its approval is pending or was refused (409). */
export class OrderNotConfirmableError extends ConflictError {
  constructor(orderId: string, why: string) {
    super('ORDER_NOT_CONFIRMABLE', `Order ${orderId} cannot be confirmed as paid: ${why}.`);
  }
}

/** The order was cancelled: nothing more may be asked on its behalf (409 `ORDER_CANCELLED`). */
export class OrderCancelledError extends ConflictError {
  constructor(orderId: string) {
    super('ORDER_CANCELLED', `Order ${orderId} is cancelled.`);
  }
}

/**
 * A payment whose amount is not the order's total. Not a business outcome but a broken invariant: the
 * saga treats it as a failure of its own and refunds.
 */
export class PaymentAmountMismatchError extends ConflictError {
  constructor(orderId: string, amountCents: number, totalCents: number) {
    super(
      'PAYMENT_AMOUNT_MISMATCH',
      `Order ${orderId} totals ${totalCents} minor units, but a payment of ${amountCents} was confirmed.`,
    );
  }
}
