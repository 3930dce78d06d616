/**
 * The claims of the ID and access tokens Cognito issues, and how a PreTokenGeneration trigger's answer
 * changes them. Pure: the engine supplies the user, the clock and the ids.
 */

/** A group the user is in, as the tokens need it. */
export interface TokenGroup {
  readonly name: string;
  readonly precedence?: number;
  readonly roleArn?: string;
}

/** Who the tokens are for. */
export interface TokenSubject {
  readonly sub: string;
  readonly username: string;
  /** The user's attributes, `sub` included or not; `*_verified` values are `"true"` / `"false"`. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly groups: readonly TokenGroup[];
}

/** One issuing of tokens: a sign-in, or a refresh of one (which keeps `authTime`, `originJti`, `eventId`). */
export interface TokenIssue {
  /** `<issuer base>/<userPoolId>`. */
  readonly issuer: string;
  readonly clientId: string;
  /** Seconds since the epoch. */
  readonly issuedAt: number;
  readonly authTime: number;
  readonly originJti: string;
  readonly eventId: string;
  readonly idTokenJti: string;
  readonly accessTokenJti: string;
  readonly idTokenValiditySeconds: number;
  readonly accessTokenValiditySeconds: number;
}

export type Claims = Record<string, unknown>;

/** The scope of an access token from the user pool API's own sign-in (no OAuth scopes requested). */
export const USER_POOL_API_SCOPE = 'aws.cognito.signin.user.admin';

/** Attributes that are booleans in a token, though Cognito stores them as strings. */
const BOOLEAN_ATTRIBUTES = new Set(['email_verified', 'phone_number_verified']);

/** Claims of an ID token a PreTokenGeneration trigger cannot change (Cognito's list). */
export const RESERVED_ID_TOKEN_CLAIMS: ReadonlySet<string> = new Set([
  'acr',
  'amr',
  'aud',
  'at_hash',
  'auth_time',
  'azp',
  'cognito:username',
  'exp',
  'iat',
  'identities',
  'iss',
  'jti',
  'nbf',
  'nonce',
  'origin_jti',
  'sub',
  'token_use',
  // Groups change through groupOverrideDetails only; event_id ties the token to its sign-in.
  'cognito:groups',
  'cognito:roles',
  'cognito:preferred_role',
  'event_id',
]);

/** Claims of an access token a (V2) trigger cannot change; scopes change through scopesToAdd/Suppress. */
export const RESERVED_ACCESS_TOKEN_CLAIMS: ReadonlySet<string> = new Set([
  ...RESERVED_ID_TOKEN_CLAIMS,
  'client_id',
  'scope',
  'username',
  'version',
]);

/** Groups by precedence (lowest first, groups without one last), then by name. */
export function orderedGroups(groups: readonly TokenGroup[]): TokenGroup[] {
  return [...groups].sort(
    (a, b) =>
      (a.precedence ?? Number.MAX_SAFE_INTEGER) - (b.precedence ?? Number.MAX_SAFE_INTEGER) ||
      a.name.localeCompare(b.name),
  );
}

export function idTokenClaims(subject: TokenSubject, issue: TokenIssue): Claims {
  const groups = orderedGroups(subject.groups);
  const attributes: Claims = {};
  for (const [name, value] of Object.entries(subject.attributes)) {
    if (name === 'sub') continue;
    attributes[name] = BOOLEAN_ATTRIBUTES.has(name) ? value === 'true' : value;
  }
  return {
    sub: subject.sub,
    ...groupClaims(groups, 'id'),
    ...attributes,
    iss: issue.issuer,
    'cognito:username': subject.username,
    origin_jti: issue.originJti,
    aud: issue.clientId,
    event_id: issue.eventId,
    token_use: 'id',
    auth_time: issue.authTime,
    exp: issue.issuedAt + issue.idTokenValiditySeconds,
    iat: issue.issuedAt,
    jti: issue.idTokenJti,
  };
}

export function accessTokenClaims(
  subject: TokenSubject,
  issue: TokenIssue,
  scopes: readonly string[] = [USER_POOL_API_SCOPE],
): Claims {
  return {
    sub: subject.sub,
    ...groupClaims(orderedGroups(subject.groups), 'access'),
    iss: issue.issuer,
    client_id: issue.clientId,
    origin_jti: issue.originJti,
    event_id: issue.eventId,
    token_use: 'access',
    scope: scopes.join(' '),
    auth_time: issue.authTime,
    exp: issue.issuedAt + issue.accessTokenValiditySeconds,
    iat: issue.issuedAt,
    jti: issue.accessTokenJti,
    username: subject.username,
  };
}

/**
 * `cognito:groups` in both tokens when the user is in a group; the ID token also carries the groups' IAM
 * roles, the preferred one being that of the group with the lowest precedence.
 */
function groupClaims(groups: readonly TokenGroup[], token: 'id' | 'access'): Claims {
  if (groups.length === 0) return {};
  const claims: Claims = { 'cognito:groups': groups.map((group) => group.name) };
  if (token === 'access') return claims;
  const roles = groups.flatMap((group) => (group.roleArn === undefined ? [] : [group.roleArn]));
  if (roles.length === 0) return claims;
  return { ...claims, 'cognito:roles': roles, 'cognito:preferred_role': roles[0] };
}

/** What a PreTokenGeneration trigger asked to change, both event versions in one shape. */
export interface ClaimsOverride {
  readonly idToken: TokenClaimsOverride;
  readonly accessToken: TokenClaimsOverride & {
    readonly scopesToAdd: readonly string[];
    readonly scopesToSuppress: readonly string[];
  };
  /**
   * `groupOverrideDetails`: undefined leaves the groups as they are; a value replaces them in both tokens
   * (an empty or null one removes them, as Cognito does).
   */
  readonly groups?: {
    readonly groupsToOverride: readonly string[];
    readonly iamRolesToOverride: readonly string[];
    readonly preferredRole?: string;
  };
}

export interface TokenClaimsOverride {
  readonly claimsToAddOrOverride: Readonly<Record<string, unknown>>;
  readonly claimsToSuppress: readonly string[];
}

export const NO_OVERRIDE: ClaimsOverride = {
  idToken: { claimsToAddOrOverride: {}, claimsToSuppress: [] },
  accessToken: { claimsToAddOrOverride: {}, claimsToSuppress: [], scopesToAdd: [], scopesToSuppress: [] },
};

/**
 * The ID token's claims with a trigger's override applied: reserved claims keep Cognito's values, a claim
 * both suppressed and replaced is suppressed (Cognito's rule), and a group override replaces the groups and
 * their roles.
 */
export function overrideIdTokenClaims(claims: Claims, override: ClaimsOverride): Claims {
  const result = applyTokenOverride(claims, override.idToken, RESERVED_ID_TOKEN_CLAIMS);
  if (override.groups === undefined) return result;
  delete result['cognito:groups'];
  delete result['cognito:roles'];
  delete result['cognito:preferred_role'];
  const { groupsToOverride, iamRolesToOverride, preferredRole } = override.groups;
  return {
    ...result,
    ...(groupsToOverride.length === 0 ? {} : { 'cognito:groups': [...groupsToOverride] }),
    ...(iamRolesToOverride.length === 0 ? {} : { 'cognito:roles': [...iamRolesToOverride] }),
    ...(preferredRole === undefined ? {} : { 'cognito:preferred_role': preferredRole }),
  };
}

/** The access token's claims with a (V2) trigger's override and any group override applied. */
export function overrideAccessTokenClaims(claims: Claims, override: ClaimsOverride): Claims {
  const result = applyTokenOverride(claims, override.accessToken, RESERVED_ACCESS_TOKEN_CLAIMS);
  const { scopesToAdd, scopesToSuppress } = override.accessToken;
  if (scopesToAdd.length > 0 || scopesToSuppress.length > 0) {
    const scopes = String(result.scope ?? '')
      .split(' ')
      .filter((scope) => scope !== '');
    const kept = [...new Set([...scopes, ...scopesToAdd])].filter(
      (scope) => !scopesToSuppress.includes(scope),
    );
    result.scope = kept.join(' ');
  }
  if (override.groups === undefined) return result;
  delete result['cognito:groups'];
  const groups = override.groups.groupsToOverride;
  return groups.length === 0 ? result : { ...result, 'cognito:groups': [...groups] };
}

function applyTokenOverride(
  claims: Claims,
  override: TokenClaimsOverride,
  reserved: ReadonlySet<string>,
): Claims {
  const result: Claims = { ...claims };
  for (const [name, value] of Object.entries(override.claimsToAddOrOverride)) {
    if (!reserved.has(name)) result[name] = value;
  }
  for (const name of override.claimsToSuppress) {
    if (!reserved.has(name)) delete result[name];
  }
  return result;
}
