/**
 * The events Cognito sends its Lambda triggers, and how it reads a PreTokenGeneration trigger's answer.
 * Pure: shapes as Cognito sends them (the common `version`, `triggerSource`, `region`, `userPoolId`,
 * `userName`, `callerContext`, then `request` and `response`).
 */
import { LOCAL_REGION } from '../aws-protocol';
import { unreadableTriggerResponse } from './cognito-errors';
import { NO_OVERRIDE, type ClaimsOverride, type TokenClaimsOverride, type TokenGroup } from './token-claims';
import type { PreTokenGenerationVersion } from './user-pool-settings';

/** `callerContext.clientId` of the admin operations, which no app client makes. */
export const CLIENT_ID_NOT_APPLICABLE = 'CLIENT_ID_NOT_APPLICABLE';

/** What Cognito sends as the caller's SDK when it cannot tell. */
export const UNKNOWN_SDK_VERSION = 'aws-sdk-unknown-unknown';

export type PreTokenGenerationSource =
  'TokenGeneration_Authentication' | 'TokenGeneration_RefreshTokens' | 'TokenGeneration_NewPasswordChallenge';

export interface TriggerCaller {
  readonly userPoolId: string;
  /** The user's username (a UUID in pools where users sign in with an email or phone number). */
  readonly userName: string;
  /** The app client, or `CLIENT_ID_NOT_APPLICABLE` for admin operations. */
  readonly clientId: string;
  /** `request.userAttributes`: see `triggerUserAttributes`. */
  readonly userAttributes: Readonly<Record<string, string>>;
  /** The request's `ClientMetadata`, passed on when it has any. */
  readonly clientMetadata?: Readonly<Record<string, string>>;
}

/** A user as triggers see them: their attributes with `sub`, `cognito:user_status` and any email alias. */
export function triggerUserAttributes(user: {
  readonly sub: string;
  readonly status: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** The pool signs users in by email (as username or as alias). */
  readonly signsInByEmail: boolean;
}): Record<string, string> {
  const { sub: _sub, ...attributes } = user.attributes;
  const email = attributes.email;
  const emailAlias: Record<string, string> =
    user.signsInByEmail && email !== undefined && attributes.email_verified === 'true'
      ? { 'cognito:email_alias': email }
      : {};
  return { sub: user.sub, ...attributes, 'cognito:user_status': user.status, ...emailAlias };
}

export function postConfirmationEvent(caller: TriggerCaller): Record<string, unknown> {
  return {
    ...common('1', 'PostConfirmation_ConfirmSignUp', caller),
    request: {
      userAttributes: { ...caller.userAttributes },
      ...metadata(caller),
    },
    response: {},
  };
}

export function preTokenGenerationEvent(
  version: PreTokenGenerationVersion,
  triggerSource: PreTokenGenerationSource,
  caller: TriggerCaller,
  groups: readonly TokenGroup[],
  scopes: readonly string[],
): Record<string, unknown> {
  const roles = groups.flatMap((group) => (group.roleArn === undefined ? [] : [group.roleArn]));
  return {
    ...common(version, triggerSource, caller),
    request: {
      userAttributes: { ...caller.userAttributes },
      groupConfiguration: {
        groupsToOverride: groups.map((group) => group.name),
        iamRolesToOverride: roles,
        preferredRole: roles[0] ?? null,
      },
      ...(version === '2' ? { scopes: [...scopes] } : {}),
      ...metadata(caller),
    },
    response: version === '2' ? { claimsAndScopeOverrideDetails: null } : { claimsOverrideDetails: null },
  };
}

function common(version: string, triggerSource: string, caller: TriggerCaller): Record<string, unknown> {
  return {
    version,
    triggerSource,
    region: LOCAL_REGION,
    userPoolId: caller.userPoolId,
    userName: caller.userName,
    callerContext: { awsSdkVersion: UNKNOWN_SDK_VERSION, clientId: caller.clientId },
  };
}

function metadata(caller: TriggerCaller): Record<string, unknown> {
  return caller.clientMetadata !== undefined && Object.keys(caller.clientMetadata).length > 0
    ? { clientMetadata: { ...caller.clientMetadata } }
    : {};
}

/**
 * What a PreTokenGeneration trigger's answer asks to change. An answer that is not the event with a readable
 * response fails the sign-in with `InvalidLambdaResponseException`, as Cognito does.
 */
export function readClaimsOverride(version: PreTokenGenerationVersion, payload: unknown): ClaimsOverride {
  const event = record(payload);
  const response = record(event.response ?? {});
  if (version === '1') {
    const details = response.claimsOverrideDetails;
    if (details === undefined || details === null) return NO_OVERRIDE;
    const overrides = record(details);
    return {
      ...NO_OVERRIDE,
      idToken: tokenOverride(overrides),
      ...groupOverride(overrides),
    };
  }
  const details = response.claimsAndScopeOverrideDetails;
  if (details === undefined || details === null) return NO_OVERRIDE;
  const overrides = record(details);
  const access = record(overrides.accessTokenGeneration ?? {});
  return {
    idToken: tokenOverride(record(overrides.idTokenGeneration ?? {})),
    accessToken: {
      ...tokenOverride(access),
      scopesToAdd: strings(access.scopesToAdd),
      scopesToSuppress: strings(access.scopesToSuppress),
    },
    ...groupOverride(overrides),
  };
}

function tokenOverride(details: Readonly<Record<string, unknown>>): TokenClaimsOverride {
  return {
    claimsToAddOrOverride: record(details.claimsToAddOrOverride ?? {}),
    claimsToSuppress: strings(details.claimsToSuppress),
  };
}

function groupOverride(details: Readonly<Record<string, unknown>>): Pick<ClaimsOverride, 'groups'> {
  if (!('groupOverrideDetails' in details)) return {};
  const groups = details.groupOverrideDetails;
  if (groups === null || groups === undefined)
    return { groups: { groupsToOverride: [], iamRolesToOverride: [] } };
  const override = record(groups);
  const preferredRole = override.preferredRole;
  return {
    groups: {
      groupsToOverride: strings(override.groupsToOverride),
      iamRolesToOverride: strings(override.iamRolesToOverride),
      ...(typeof preferredRole === 'string' ? { preferredRole } : {}),
    },
  };
}

function record(value: unknown): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw unreadableTriggerResponse();
  return value as Readonly<Record<string, unknown>>;
}

function strings(value: unknown): readonly string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw unreadableTriggerResponse();
  }
  return value;
}
