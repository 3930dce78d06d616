/**
 * Amazon Cognito user pools' errors as the service answers them on the AWS JSON 1.1 protocol: the error
 * type (the SDK's `error.name`) and Cognito's own message, word for word where it is known.
 */
import { AwsServiceError } from '../aws-protocol';

/** `InvalidParameterException` with the message given (Cognito words each case differently). */
export function invalidParameter(message: string): AwsServiceError {
  return new AwsServiceError('InvalidParameterException', message);
}

/** A required request member is missing, worded as the service's input validation words it. */
export function missingMember(name: string): AwsServiceError {
  return invalidParameter(
    `1 validation error detected: Value null at '${lowerFirst(name)}' failed to satisfy constraint: Member must not be null`,
  );
}

export function userPoolNotFound(userPoolId: string): AwsServiceError {
  return new AwsServiceError('ResourceNotFoundException', `User pool ${userPoolId} does not exist.`);
}

export function clientNotFound(clientId: string): AwsServiceError {
  return new AwsServiceError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
}

export function groupNotFound(): AwsServiceError {
  return new AwsServiceError('ResourceNotFoundException', 'Group not found.');
}

export function userNotFound(): AwsServiceError {
  return new AwsServiceError('UserNotFoundException', 'User does not exist.');
}

/** What ConfirmSignUp and ResendConfirmationCode answer for a user the client's pool does not have. */
export function usernameClientNotFound(): AwsServiceError {
  return new AwsServiceError('UserNotFoundException', 'Username/client id combination not found.');
}

/** A self sign-up or an admin creation under a username (or an email used as one) that is taken. */
export function usernameExists(kind: 'username' | 'email' | 'phone_number' | 'admin'): AwsServiceError {
  const messages = {
    username: 'User already exists',
    email: 'An account with the given email already exists.',
    phone_number: 'An account with the given phone_number already exists.',
    admin: 'User account already exists',
  } as const;
  return new AwsServiceError('UsernameExistsException', messages[kind]);
}

export function incorrectCredentials(): AwsServiceError {
  return new AwsServiceError('NotAuthorizedException', 'Incorrect username or password.');
}

export function notAuthorized(message: string): AwsServiceError {
  return new AwsServiceError('NotAuthorizedException', message);
}

export function userNotConfirmed(): AwsServiceError {
  return new AwsServiceError('UserNotConfirmedException', 'User is not confirmed.');
}

/** `Password did not conform with policy: <reason>`. */
export function invalidPassword(reason: string): AwsServiceError {
  return new AwsServiceError('InvalidPasswordException', `Password did not conform with policy: ${reason}`);
}

export function codeMismatch(): AwsServiceError {
  return new AwsServiceError(
    'CodeMismatchException',
    'Invalid verification code provided, please try again.',
  );
}

export function expiredCode(): AwsServiceError {
  return new AwsServiceError('ExpiredCodeException', 'Invalid code provided, please request a code again.');
}

/** A trigger function failed: `<Trigger> failed with error <its errorMessage>.` */
export function triggerFailed(trigger: string, errorMessage: string): AwsServiceError {
  return new AwsServiceError(
    'UserLambdaValidationException',
    `${trigger} failed with error ${errorMessage}.`,
  );
}

/** Lambda refused to run the trigger (unknown function, throttled). */
export function triggerNotInvoked(trigger: string, reason: string): AwsServiceError {
  return new AwsServiceError(
    'UnexpectedLambdaException',
    `${trigger} invocation failed due to error ${reason}.`,
  );
}

/** The trigger answered something that is not its event with a response Cognito can read. */
export function unreadableTriggerResponse(): AwsServiceError {
  return new AwsServiceError('InvalidLambdaResponseException', 'Unrecognizable lambda output');
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
