import { ForbiddenError, UnauthorizedError } from '../errors/app-error';
import { isId } from '../ids/ids';
import type { Requester } from '../identity/requester';
import type { ApiGatewayProxyEvent } from './api-gateway-proxy';

/** The claim carrying the platform's user id (`usr_` + ULID), a custom attribute the users context sets. */
export const USER_ID_CLAIM = 'custom:userId';
/** The claim listing the caller's user pool groups. */
export const GROUPS_CLAIM = 'cognito:groups';
/** Members of this group act as staff: they may see and serve any customer's resources. */
export const STAFF_GROUP = 'staff';

/**
 * The caller of a request behind API Gateway's Cognito user pool authorizer, read from
 * `requestContext.authorizer.claims`; `UnauthorizedError` (401) when there are no claims or no valid
 * user id among them. The id comes from the verified token only, never from the request's body.
 */
export function callerOf(event: ApiGatewayProxyEvent): Requester {
  const claims = event.requestContext.authorizer?.['claims'];
  if (!isRecord(claims)) {
    throw new UnauthorizedError('The request carries no verified identity: sign in and send your ID token.');
  }
  const userId = claims[USER_ID_CLAIM];
  if (!isId('user', userId)) {
    throw new UnauthorizedError(`The identity token carries no ${USER_ID_CLAIM} claim with a user id.`);
  }
  return { userId, isStaff: groupsOf(claims[GROUPS_CLAIM]).includes(STAFF_GROUP) };
}

/**
 * Scopes `Idempotency-Key`s by caller (`httpIdempotency`'s default `scopeOf`): one caller can neither
 * replay nor block another's request.
 */
export function callerScope(event: ApiGatewayProxyEvent): string {
  return callerOf(event).userId;
}

/**
 * `httpHandler`'s `authorize` of a staff route: 401 without a caller, `ForbiddenError` (403) for a
 * caller who is not staff. `action` completes "Only staff may …".
 */
export function staffOnly(action: string): (event: ApiGatewayProxyEvent) => void {
  return (event) => {
    if (!callerOf(event).isStaff) throw new ForbiddenError(`Only staff may ${action}.`);
  };
}

/**
 * The group names of a `cognito:groups` claim. The token holds an array; API Gateway REST hands claims
 * on as strings, so the array arrives flattened: `staff`, `staff,admins`, or `[staff admins]`.
 */
export function groupsOf(claim: unknown): readonly string[] {
  if (Array.isArray(claim)) return claim.filter((group): group is string => typeof group === 'string');
  if (typeof claim !== 'string') return [];
  return claim
    .replace(/^\[(.*)\]$/s, '$1')
    .split(/[\s,]+/)
    .filter((group) => group.length > 0);
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
