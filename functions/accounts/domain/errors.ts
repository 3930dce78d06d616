import {
  ConflictError,
  NotFoundError,
  UnprocessableError,
  ValidationError,
} from '../../../shared/errors/app-error';

/**
 * No account has this id, or the caller may not see it (404 `ACCOUNT_NOT_FOUND`): the two answers are
 * the same, so an account's existence is never revealed to anyone else.
 */
export class AccountNotFoundError extends NotFoundError {
  constructor(readonly accountId: string) {
    super(`Account ${accountId} does not exist.`, 'ACCOUNT_NOT_FOUND');
  }
}

/** An account with this id exists already (409 `ACCOUNT_ALREADY_EXISTS`); ids are ULIDs, so a bug if seen. */
export class AccountAlreadyExistsError extends ConflictError {
  constructor(readonly accountId: string) {
    super('ACCOUNT_ALREADY_EXISTS', `Account ${accountId} already exists.`);
  }
}

/** The source account holds less than the transfer moves (422 `INSUFFICIENT_FUNDS`). */
export class InsufficientFundsError extends UnprocessableError {
  constructor(accountId: string, balanceCents: number, amountCents: number) {
    super(
      'INSUFFICIENT_FUNDS',
      `Account ${accountId} holds ${balanceCents}, less than the ${amountCents} to transfer (minor units).`,
      [{ path: 'amountCents', message: `must be at most the balance, ${balanceCents}` }],
    );
  }
}

/** Money moves only between accounts of one currency (422 `CURRENCY_MISMATCH`). */
export class CurrencyMismatchError extends UnprocessableError {
  constructor(fromCurrency: string, toCurrency: string) {
    super(
      'CURRENCY_MISMATCH',
      `The source account holds ${fromCurrency} and the destination ${toCurrency}: a transfer needs one currency.`,
      [{ path: 'toAccountId', message: `must be an account in ${fromCurrency}` }],
    );
  }
}

/** A transfer from an account to itself (422 `SAME_ACCOUNT`). */
export class SameAccountError extends UnprocessableError {
  constructor(accountId: string) {
    super('SAME_ACCOUNT', `A transfer needs two different accounts; both are ${accountId}.`, [
      { path: 'toAccountId', message: 'must differ from fromAccountId' },
    ]);
  }
}

/** The change would take a balance past what an account may hold (422 `BALANCE_LIMIT_EXCEEDED`). */
export class BalanceLimitExceededError extends UnprocessableError {
  constructor(accountId: string, limitCents: number) {
    super(
      'BALANCE_LIMIT_EXCEEDED',
      `The change would take account ${accountId} past the largest balance an account holds, ${limitCents}.`,
    );
  }
}

/** A value breaks an invariant of the domain (400); the HTTP schemas catch these first. */
export class InvalidAccountInputError extends ValidationError {
  constructor(field: string, reason: string) {
    super(`${field} ${reason}`, [{ path: field, message: reason }]);
  }
}

/** No charge of this order has this id (404 `CHARGE_NOT_FOUND`): a refund names what it gives back. */
export class OrderChargeNotFoundError extends NotFoundError {
  constructor(
    readonly orderId: string,
    readonly chargeId: string,
  ) {
    super(`Order ${orderId} has no charge ${chargeId} from an account.`, 'CHARGE_NOT_FOUND');
  }
}
