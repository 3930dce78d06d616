import { houseStyleReasons } from '../../../shared/http/validation-error-from-zod';
import { withRequestContext } from '../../../shared/observability/with-request-context';
import type { RegisterUser, RegisterUserResult } from '../application/register-user';
import { EmailAlreadyRegisteredError } from '../domain/errors';
import {
  InvalidTriggerEventError,
  type CognitoTriggerHandler,
  type TriggerContextFactory,
} from './cognito-trigger';
import { CognitoTriggerEvent, describeIssues, SignUpAttributes } from './schemas';
import type { AppLogger } from '../../../shared/observability/app-logger';

/** The confirmation of a sign-up: the user is registered. */
export const CONFIRM_SIGN_UP = 'PostConfirmation_ConfirmSignUp';
/** The confirmation of a forgotten password's reset: the user exists already, nothing to do. */
export const CONFIRM_FORGOT_PASSWORD = 'PostConfirmation_ConfirmForgotPassword';

export interface PostConfirmationHandlerDependencies {
  readonly registerUser: RegisterUser;
  readonly newContext: TriggerContextFactory;
  readonly logger: AppLogger;
}

/**
 * The user pool's PostConfirmation trigger. On `PostConfirmation_ConfirmSignUp` it registers the Cognito
 * user (`request.userAttributes.sub`, `.email`) as a user with its `UserRegistered`; a retried trigger
 * finds the `sub` registered and changes nothing; an email another user has fails the confirmation with
 * `EmailAlreadyRegisteredError`'s message. Any other trigger source (a password reset) does nothing.
 * It answers the event as it came, as Cognito expects.
 */
export function makeHandler(deps: PostConfirmationHandlerDependencies): CognitoTriggerHandler {
  const { logger } = deps;
  return async (event, invocation) => {
    const parsed = CognitoTriggerEvent.safeParse(event, { error: houseStyleReasons });
    if (!parsed.success) {
      const error = new InvalidTriggerEventError('PostConfirmation', describeIssues(parsed.error));
      logger.error('PostConfirmation was invoked with an event it cannot read', { error });
      throw error;
    }
    const { triggerSource, userPoolId, userName, request } = parsed.data;
    const requestId = invocation.awsRequestId;
    return withRequestContext({ correlationId: requestId, userPoolId, userName }, async () => {
      if (triggerSource !== CONFIRM_SIGN_UP) {
        logger.info('Nothing to register for this confirmation', { triggerSource });
        return event;
      }
      const attributes = SignUpAttributes.safeParse(request.userAttributes, { error: houseStyleReasons });
      if (!attributes.success) {
        const error = new InvalidTriggerEventError(
          'PostConfirmation',
          describeIssues(attributes.error, 'request.userAttributes'),
        );
        logger.error('A confirmed sign-up carries no sub or email', { error });
        throw error;
      }
      const { sub, email } = attributes.data;
      let result: RegisterUserResult;
      try {
        result = await deps.registerUser({ sub, email }, deps.newContext({ requestId }));
      } catch (error) {
        if (error instanceof EmailAlreadyRegisteredError) {
          logger.warn('Refused the confirmation: another user has the email', { sub });
        }
        throw error;
      }
      if (result.outcome === 'registered') {
        logger.info('User registered', { userId: result.user.userId, sub });
      } else {
        logger.info('The Cognito user was registered before (a retried trigger); nothing changed', { sub });
      }
      return event;
    });
  };
}
