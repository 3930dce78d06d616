/**
 * API Gateway's COGNITO_USER_POOLS authorizer for REST APIs: the token in the method's identity source header
 * is verified as API Gateway verifies it — signature against the pool's JWKS, issuer one of the authorizer's
 * pools, unexpired (`jose`'s `jwtVerify`) — and its claims reach the integration as API Gateway renders them.
 */
import { createLocalJWKSet, decodeJwt, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import type { MultiValueHeaders } from './proxy-event';
import type { CognitoRouteAuthorizer } from './rest-api-model';

/** Where the authorizer finds a pool's issuer and public keys (the local Cognito). */
export interface UserPoolKeyring {
  userPoolKeys(userPoolId: string): { readonly issuer: string; readonly jwks: JSONWebKeySet } | undefined;
}

/** API Gateway's two answers for a refused token (status 401, `UnauthorizedException`). */
export const UNAUTHORIZED_MESSAGE = 'Unauthorized';
export const EXPIRED_TOKEN_MESSAGE = 'The incoming token has expired';

export type AuthorizerDecision =
  | { readonly allowed: true; readonly claims: Readonly<Record<string, string>> }
  | {
      readonly allowed: false;
      readonly message: typeof UNAUTHORIZED_MESSAGE | typeof EXPIRED_TOKEN_MESSAGE;
      /** Why, for the local request log; never sent to the client. */
      readonly reason: string;
    };

/**
 * Decides a request. The header holds the raw token, as AWS documents; `Bearer <token>` is accepted too, as
 * API Gateway accepts it. Without `AuthorizationScopes` on the method the token must be an ID token; with them,
 * an access token granting one of them. An `IdentityValidationExpression` must match the token's audience.
 */
export async function authorizeCognito(
  authorizer: CognitoRouteAuthorizer,
  headers: MultiValueHeaders,
  pools: UserPoolKeyring | undefined,
  now: number,
): Promise<AuthorizerDecision> {
  const deny = (reason: string): AuthorizerDecision => ({
    allowed: false,
    message: UNAUTHORIZED_MESSAGE,
    reason,
  });
  const raw = headerValue(headers, authorizer.headerName)?.trim() ?? '';
  const token = raw.replace(/^Bearer\s+/i, '');
  if (token === '') return deny(`no token in the ${authorizer.headerName} header`);

  let issuer: unknown;
  try {
    issuer = decodeJwt(token).iss;
  } catch {
    return deny('the token is no JWT');
  }
  const keys = authorizer.userPoolIds
    .map((userPoolId) => pools?.userPoolKeys(userPoolId))
    .find((candidate) => candidate !== undefined && candidate.issuer === issuer);
  if (keys === undefined) return deny(`issuer ${String(issuer)} is none of ${authorizer.name}'s user pools`);

  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, createLocalJWKSet(keys.jwks), {
      issuer: keys.issuer,
      algorithms: ['RS256'],
      currentDate: new Date(now),
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      return { allowed: false, message: EXPIRED_TOKEN_MESSAGE, reason: 'the token has expired' };
    }
    return deny(`the token does not verify: ${error instanceof Error ? error.message : String(error)}`);
  }

  if (authorizer.scopes.length > 0) {
    const granted = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
    if (payload.token_use !== 'access') return deny('the method has scopes: an access token is required');
    if (!authorizer.scopes.some((scope) => granted.includes(scope))) {
      return deny(`the token grants none of ${authorizer.scopes.join(', ')}`);
    }
  } else if (payload.token_use !== 'id') {
    return deny('the method has no scopes: an ID token is required');
  }
  if (authorizer.validationExpression !== undefined) {
    const audience = typeof payload.aud === 'string' ? payload.aud : String(payload.client_id ?? '');
    if (!fullMatch(authorizer.validationExpression, audience)) {
      return deny(`audience ${audience} does not match ${authorizer.validationExpression}`);
    }
  }
  return { allowed: true, claims: authorizerClaims(payload) };
}

/**
 * The claims as a REST API passes them in `requestContext.authorizer.claims`: every value a string — lists
 * joined by commas (`cognito:groups` is `"staff,admin"`), booleans `"true"`/`"false"`, `exp` and `iat` as
 * dates (`"Tue Apr 04 18:39:39 UTC 2023"`), other numbers as their digits (`auth_time`).
 */
export function authorizerClaims(payload: Readonly<Record<string, unknown>>): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if ((name === 'exp' || name === 'iat') && typeof value === 'number') claims[name] = utcDateString(value);
    else if (Array.isArray(value)) claims[name] = value.map(String).join(',');
    else if (typeof value === 'object' && value !== null) claims[name] = JSON.stringify(value);
    else claims[name] = String(value);
  }
  return claims;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Seconds since the epoch as API Gateway writes a date claim (Java's `Date.toString()` in UTC). */
export function utcDateString(epochSeconds: number): string {
  const date = new Date(epochSeconds * 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${two(date.getUTCDate())} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`
  );
}

function headerValue(headers: MultiValueHeaders, name: string): string | undefined {
  const lower = name.toLowerCase();
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === lower);
  return entry?.[1][entry[1].length - 1];
}

function fullMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return false;
  }
}
