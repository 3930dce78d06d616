import { ConflictError, NotFoundError, ValidationError } from '../../../shared/errors/app-error';

/** No user has this id (404 `USER_NOT_FOUND`): e.g. a token issued before its user was registered. */
export class UserNotFoundError extends NotFoundError {
  constructor(readonly userId: string) {
    super(`User ${userId} does not exist.`, 'USER_NOT_FOUND');
  }
}

/**
 * Another user is registered with this email (409 `EMAIL_ALREADY_REGISTERED`). Raised by the
 * PostConfirmation trigger, it fails the confirmation: Cognito answers the client
 * `UserLambdaValidationException` with this message.
 */
export class EmailAlreadyRegisteredError extends ConflictError {
  constructor(readonly email: string) {
    super('EMAIL_ALREADY_REGISTERED', `Another user is already registered with the email ${email}.`);
  }
}

/** A user's values break an invariant (400): Cognito checks them first, so this is a misconfigured pool. */
export class InvalidUserError extends ValidationError {
  constructor(field: string, reason: string) {
    super(`${field} ${reason}`, [{ path: field, message: reason }]);
  }
}
