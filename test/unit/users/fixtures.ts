import type { CommandContext } from '../../../shared/event-sourcing/command-context';
import type { User } from '../../../functions/users/domain/user';

export const USER_ID = 'usr_01JD0000000000000000000001';
export const OTHER_USER_ID = 'usr_01JD0000000000000000000002';
export const SUB = '3f1c1b9e-2a59-4b1f-9d7e-1c2b3a4d5e6f';
export const OTHER_SUB = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
export const USER_POOL_ID = 'us-east-1_AbCdEf123';
export const FIXED_NOW = '2026-11-26T12:00:00.000Z';

export function aUser(overrides: Partial<User> = {}): User {
  return { userId: USER_ID, sub: SUB, email: 'ada@example.com', createdAt: FIXED_NOW, ...overrides };
}

/** The n-th user id of a test (a valid `usr_` + ULID). */
export function userId(n: number): string {
  return `usr_01JD${String(n).padStart(22, '0')}`;
}

/** Numbered user ids, so expectations can name them. */
export function userIds(): () => string {
  let next = 0;
  return () => userId(++next);
}

/** A stopped clock and numbered event ids, so expectations can name them. */
export function fixedContext(overrides: Partial<Pick<CommandContext, 'traceHeader'>> = {}): CommandContext {
  let next = 0;
  return {
    correlationId: 'req-1',
    causationId: 'req-1',
    ...overrides,
    now: () => new Date(FIXED_NOW),
    newEventId: () => `evt-${++next}`,
  };
}

/** Cognito's PostConfirmation event for a confirmed sign-up, as the pool sends it. */
export function postConfirmationEvent(
  overrides: { triggerSource?: string; userAttributes?: Record<string, string> } = {},
): Record<string, unknown> {
  return {
    version: '1',
    triggerSource: overrides.triggerSource ?? 'PostConfirmation_ConfirmSignUp',
    region: 'us-east-1',
    userPoolId: USER_POOL_ID,
    userName: SUB,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'client-1' },
    request: {
      userAttributes: overrides.userAttributes ?? {
        sub: SUB,
        email: 'Ada@Example.com',
        email_verified: 'true',
        'cognito:user_status': 'CONFIRMED',
        'cognito:email_alias': 'Ada@Example.com',
      },
    },
    response: {},
  };
}

/** Cognito's PreTokenGeneration event (V1 unless `version` says otherwise), as the pool sends it. */
export function preTokenGenerationEvent(
  overrides: { version?: string; sub?: string; response?: Record<string, unknown> } = {},
): Record<string, unknown> {
  const version = overrides.version ?? '1';
  return {
    version,
    triggerSource: 'TokenGeneration_Authentication',
    region: 'us-east-1',
    userPoolId: USER_POOL_ID,
    userName: overrides.sub ?? SUB,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'client-1' },
    request: {
      userAttributes: { sub: overrides.sub ?? SUB, email: 'ada@example.com', email_verified: 'true' },
      groupConfiguration: { groupsToOverride: [], iamRolesToOverride: [], preferredRole: null },
    },
    response:
      overrides.response ??
      (version === '2' ? { claimsAndScopeOverrideDetails: null } : { claimsOverrideDetails: null }),
  };
}

/** Collects what would be logged, by level. */
export class RecordingLogger {
  readonly lines: {
    level: 'debug' | 'info' | 'warn' | 'error';
    message: string;
    attributes: Record<string, unknown>;
  }[] = [];
  debug(message: string, attributes: Record<string, unknown>): void {
    this.lines.push({ level: 'debug', message, attributes });
  }
  info(message: string, attributes: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, attributes });
  }
  warn(message: string, attributes: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, attributes });
  }
  error(message: string, attributes: Record<string, unknown>): void {
    this.lines.push({ level: 'error', message, attributes });
  }
}
