import { ConflictError, NotFoundError, ValidationError } from '../../../shared/errors/app-error';
import { STOCK_STEP_ERRORS } from '../contracts/stock-steps';

/** No product has this id (404 `PRODUCT_NOT_FOUND`). */
export class ProductNotFoundError extends NotFoundError {
  constructor(readonly productId: string) {
    super(`Product ${productId} does not exist.`, 'PRODUCT_NOT_FOUND');
  }
}

/** A product with this id exists already (409 `PRODUCT_ALREADY_EXISTS`); ids are ULIDs, so a bug if seen. */
export class ProductAlreadyExistsError extends ConflictError {
  constructor(readonly productId: string) {
    super('PRODUCT_ALREADY_EXISTS', `Product ${productId} already exists.`);
  }
}

/** The change would take the stock past what the system counts (409 `STOCK_LIMIT_EXCEEDED`). */
export class StockLimitExceededError extends ConflictError {
  constructor(productId: string, available: number, quantity: number, limit: number) {
    super(
      'STOCK_LIMIT_EXCEEDED',
      `Adding ${quantity} to the ${available} units of ${productId} would exceed the limit of ${limit} units.`,
    );
  }
}

/** A product's values break an invariant (400); the HTTP schemas catch these first. */
export class InvalidProductError extends ValidationError {
  constructor(field: string, reason: string) {
    super(`${field} ${reason}`, [{ path: field, message: reason }]);
  }
}

/** Why a reservation was refused. */
export type OutOfStockReason = 'insufficient' | 'unknown-product' | 'released';

/**
 * An order cannot hold the units it asks for (409 `OUT_OF_STOCK`): fewer are available, the product
 * does not exist, or the order's reservation of it was released already (a late reserve after the
 * saga compensated). Its `name` is `OutOfStock`, the error the saga's ReserveStock step catches.
 */
export class OutOfStockError extends ConflictError {
  constructor(
    readonly productId: string,
    readonly requested: number,
    readonly available: number,
    readonly reason: OutOfStockReason = 'insufficient',
  ) {
    super('OUT_OF_STOCK', outOfStockMessage(productId, requested, available, reason));
    this.name = STOCK_STEP_ERRORS.outOfStock;
  }
}

function outOfStockMessage(
  productId: string,
  requested: number,
  available: number,
  reason: OutOfStockReason,
): string {
  switch (reason) {
    case 'insufficient':
      return `Product ${productId} has ${available} units available, fewer than the ${requested} asked for.`;
    case 'unknown-product':
      return `Product ${productId} does not exist.`;
    case 'released':
      return `The order's reservation of product ${productId} was released; it is not reserved again.`;
  }
}

/**
 * The order holds no reservation of the product to commit: none was made, or it was released (404
 * `RESERVATION_NOT_FOUND`). Its `name` is `ReservationNotFound`, the error the saga's CommitStock step
 * treats as a business outcome.
 */
export class ReservationNotFoundError extends NotFoundError {
  constructor(
    readonly orderId: string,
    readonly productId: string,
    readonly status?: 'RELEASED',
  ) {
    super(
      status === undefined
        ? `Order ${orderId} holds no reservation of product ${productId}.`
        : `Order ${orderId}'s reservation of product ${productId} was released; it cannot be committed.`,
      'RESERVATION_NOT_FOUND',
    );
    this.name = STOCK_STEP_ERRORS.reservationNotFound;
  }
}
