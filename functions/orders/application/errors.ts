import {
  ConflictError,
  NotFoundError,
  UnprocessableError,
  ValidationError,
  type ErrorDetail,
} from '../../../shared/errors/app-error';

/** No order has this id (404 `ORDER_NOT_FOUND`). */
export class OrderNotFoundError extends NotFoundError {
  constructor(orderId: string) {
    super(`Order ${orderId} does not exist.`, 'ORDER_NOT_FOUND');
  }
}

/**
 * Staff named a user the orders context has never heard of: no `UserRegistered` and no order of theirs
 * (404 `USER_NOT_FOUND`).
 */
export class UserNotFoundError extends NotFoundError {
  constructor(userId: string) {
    super(
      `User ${userId} does not exist (a user registered a moment ago may take a few seconds to be known here).`,
      'USER_NOT_FOUND',
    );
  }
}

/** The order names products the inventory does not know (422 `UNKNOWN_PRODUCT`). */
export class UnknownProductError extends UnprocessableError {
  constructor(
    readonly productIds: readonly string[],
    details: readonly ErrorDetail[],
  ) {
    super(
      'UNKNOWN_PRODUCT',
      `Unknown product${productIds.length > 1 ? 's' : ''}: ${productIds.join(', ')}.`,
      details,
    );
  }
}

/** The products of one order are priced in different currencies (422 `CURRENCY_MISMATCH`). */
export class CurrencyMismatchError extends UnprocessableError {
  constructor(currencies: readonly string[], details: readonly ErrorDetail[]) {
    super(
      'CURRENCY_MISMATCH',
      `The products of one order must share a currency; these are priced in ${currencies.join(', ')}.`,
      details,
    );
  }
}

/** A list cursor that this API did not issue, or that was altered (400 `INVALID_CURSOR`). */
export class InvalidCursorError extends ValidationError {
  constructor() {
    super(
      'cursor is not a cursor this API issued: pass nextCursor back unchanged.',
      [{ path: 'cursor', message: 'is invalid' }],
      'INVALID_CURSOR',
    );
  }
}

/**
 * An event arrived before an earlier version of its order was projected. Thrown so the delivery is
 * retried once the missing version has had time to arrive; never skipped.
 */
export class ProjectionGapError extends Error {
  constructor(
    readonly orderId: string,
    readonly projectedVersion: number,
    readonly eventVersion: number,
  ) {
    super(
      `Event version ${eventVersion} of ${orderId} arrived while the read model is at version ` +
        `${projectedVersion}: waiting for version ${projectedVersion + 1}.`,
    );
    this.name = new.target.name;
  }
}

/** The read model moved while this event was being applied and is still behind it: retry the delivery. */
export class ProjectionConflictError extends Error {
  constructor(
    readonly orderId: string,
    readonly eventVersion: number,
  ) {
    super(`The read model of ${orderId} changed while version ${eventVersion} was applied.`);
    this.name = new.target.name;
  }
}

/**
 * The decision was recorded, but no saga execution waits for it any more (409
 * `ORDER_NOT_AWAITING_APPROVAL`): the approval deadline passed, so the saga cancels the order.
 */
export class ApprovalNoLongerAwaitedError extends ConflictError {
  constructor(orderId: string) {
    super(
      'ORDER_NOT_AWAITING_APPROVAL',
      `Order ${orderId} no longer awaits approval: its approval deadline has passed and the order is ` +
        'being cancelled. The decision is kept in the order’s history, but it changes nothing.',
    );
  }
}
