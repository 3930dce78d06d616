import { ConflictError, NotFoundError, ValidationError } from '../../../shared/errors/app-error';

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
