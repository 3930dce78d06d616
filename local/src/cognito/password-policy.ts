/**
 * A user pool's password policy (`Policies.PasswordPolicy`), checked as Cognito checks a new password: the
 * first rule the password breaks is the one named.
 */
import { invalidParameter, invalidPassword } from './cognito-errors';
import type { AwsServiceError } from '../aws-protocol';

export interface PasswordPolicy {
  readonly minimumLength: number;
  readonly requireLowercase: boolean;
  readonly requireUppercase: boolean;
  readonly requireNumbers: boolean;
  readonly requireSymbols: boolean;
  /** How long a temporary password (AdminCreateUser) may be used. */
  readonly temporaryPasswordValidityDays: number;
}

/** Cognito's policy for a pool that sets none. */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  minimumLength: 8,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: true,
  temporaryPasswordValidityDays: 7,
};

/** The characters Cognito counts as symbols (a space too, though not at either end). */
export const PASSWORD_SYMBOLS = '^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+- ';

/** The longest password the API takes. */
const MAX_PASSWORD_LENGTH = 256;

/** The rule `password` breaks, in Cognito's words, or undefined when the policy accepts it. */
export function passwordPolicyViolation(password: string, policy: PasswordPolicy): string | undefined {
  const characters = [...password];
  if (characters.length < policy.minimumLength) return 'Password not long enough';
  if (policy.requireLowercase && !/[a-z]/.test(password)) return 'Password must have lowercase characters';
  if (policy.requireUppercase && !/[A-Z]/.test(password)) return 'Password must have uppercase characters';
  if (policy.requireNumbers && !/[0-9]/.test(password)) return 'Password must have numeric characters';
  if (policy.requireSymbols && !characters.some((c) => PASSWORD_SYMBOLS.includes(c))) {
    return 'Password must have symbol characters';
  }
  return undefined;
}

/**
 * The error Cognito answers for a new password, or undefined when it is acceptable: first the API's own
 * constraints on the member (`field` as the request names it, e.g. `password`), then the pool's policy.
 */
export function checkNewPassword(
  password: string,
  policy: PasswordPolicy,
  field: string,
): AwsServiceError | undefined {
  if ([...password].length > MAX_PASSWORD_LENGTH) {
    return invalidParameter(
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_PASSWORD_LENGTH}`,
    );
  }
  if (password !== '' && password.trim() !== password) {
    return invalidParameter(
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$`,
    );
  }
  const violation = passwordPolicyViolation(password, policy);
  return violation === undefined ? undefined : invalidPassword(violation);
}
