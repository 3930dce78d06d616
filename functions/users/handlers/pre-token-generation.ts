import { USER_ID_CLAIM } from '../../../shared/http/caller';
import { houseStyleReasons } from '../../../shared/http/validation-error-from-zod';
import { withRequestContext } from '../../../shared/observability/with-request-context';
import type { FindUserId } from '../application/find-user-id';
import type { CognitoTriggerHandler } from './cognito-trigger';
import { CognitoTriggerEvent, describeIssues } from './schemas';
import type { AppLogger } from '../../../shared/observability/app-logger';

export interface PreTokenGenerationHandlerDependencies {
  readonly findUserId: FindUserId;
  readonly logger: AppLogger;
}

type Json = Readonly<Record<string, unknown>>;

/**
 * The user pool's PreTokenGeneration trigger: adds the claim `custom:userId` (the user id bound to the
 * token's `sub`) to the ID token, so API Gateway's Cognito authorizer hands it to every function
 * (`shared/http/caller.ts` reads it). Whatever the event's `response` holds already is kept.
 *
 * An identity with no user (not registered yet, or an event without a `sub`) gets no claim and signs in
 * all the same: its calls are refused with 401 until it is registered. An unreadable event is answered
 * unchanged too; only a failing lookup (the table unavailable) fails the sign-in, which the client may
 * retry — a token without its user id would be refused everywhere for its whole validity.
 *
 * Events of both versions are answered: V1 (`claimsOverrideDetails`, the ID token) and V2
 * (`claimsAndScopeOverrideDetails`, the ID and the access token).
 */
export function makeHandler(deps: PreTokenGenerationHandlerDependencies): CognitoTriggerHandler {
  const { logger } = deps;
  return async (event, invocation) => {
    const parsed = CognitoTriggerEvent.safeParse(event, { error: houseStyleReasons });
    if (!parsed.success) {
      logger.error('PreTokenGeneration was invoked with an event it cannot read; no claim added', {
        problems: describeIssues(parsed.error),
      });
      return event;
    }
    const { triggerSource, userPoolId, userName, request } = parsed.data;
    return withRequestContext({ correlationId: invocation.awsRequestId, userPoolId, userName }, async () => {
      const sub = request.userAttributes['sub'];
      if (sub === undefined || sub === '') {
        logger.warn(`The identity has no sub; its tokens carry no ${USER_ID_CLAIM}`, { triggerSource });
        return event;
      }
      const userId = await deps.findUserId(sub);
      if (userId === undefined) {
        logger.warn(`No user is registered for this identity (yet); its tokens carry no ${USER_ID_CLAIM}`, {
          sub,
          triggerSource,
        });
        return event;
      }
      return withUserIdClaim(parsed.data, userId);
    });
  };
}

/** The event with the claim added to what its `response` asks for already. */
function withUserIdClaim(
  event: Json & { readonly version?: string; readonly response?: Json | null },
  userId: string,
) {
  const response = event.response ?? {};
  const addClaim = (generation: Json): Json => ({
    ...generation,
    claimsToAddOrOverride: { ...recordOf(generation['claimsToAddOrOverride']), [USER_ID_CLAIM]: userId },
  });
  if (event.version === '2' || 'claimsAndScopeOverrideDetails' in response) {
    const details = recordOf(response['claimsAndScopeOverrideDetails']);
    return {
      ...event,
      response: {
        ...response,
        claimsAndScopeOverrideDetails: {
          ...details,
          idTokenGeneration: addClaim(recordOf(details['idTokenGeneration'])),
          accessTokenGeneration: addClaim(recordOf(details['accessTokenGeneration'])),
        },
      },
    };
  }
  return {
    ...event,
    response: { ...response, claimsOverrideDetails: addClaim(recordOf(response['claimsOverrideDetails'])) },
  };
}

/** `value` when it is an object (Cognito sends `null` for "nothing asked yet"), else `{}`. */
function recordOf(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}
