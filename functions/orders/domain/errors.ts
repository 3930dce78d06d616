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
