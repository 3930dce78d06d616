import {
  checkNewPassword,
  DEFAULT_PASSWORD_POLICY,
  passwordPolicyViolation,
  PASSWORD_SYMBOLS,
  type PasswordPolicy,
} from '../../../src/cognito/password-policy';

const lenient: PasswordPolicy = {
  ...DEFAULT_PASSWORD_POLICY,
  minimumLength: 6,
  requireLowercase: false,
  requireUppercase: false,
  requireNumbers: false,
  requireSymbols: false,
};

describe('passwordPolicyViolation', () => {
  it("accepts a password meeting Cognito's default policy", () => {
    expect(passwordPolicyViolation('Str0ng!pass', DEFAULT_PASSWORD_POLICY)).toBeUndefined();
  });

  it.each([
    ['Sh0rt!', 'Password not long enough'],
    ['NOLOWER1!', 'Password must have lowercase characters'],
    ['noupper1!', 'Password must have uppercase characters'],
    ['NoNumber!', 'Password must have numeric characters'],
    ['NoSymbol1', 'Password must have symbol characters'],
  ])('names the first rule %s breaks: %s', (password, reason) => {
    expect(passwordPolicyViolation(password, DEFAULT_PASSWORD_POLICY)).toBe(reason);
  });

  it('checks the length before the character classes, as Cognito reports one rule', () => {
    expect(passwordPolicyViolation('abc', DEFAULT_PASSWORD_POLICY)).toBe('Password not long enough');
  });

  it('counts characters, not bytes, against the minimum length', () => {
    expect(passwordPolicyViolation('ééééé1', lenient)).toBeUndefined();
  });

  it("counts every one of Cognito's symbols, a space included", () => {
    for (const symbol of PASSWORD_SYMBOLS) {
      expect(passwordPolicyViolation(`Abcdef1${symbol}`, DEFAULT_PASSWORD_POLICY)).toBeUndefined();
    }
    expect(passwordPolicyViolation('Abcdef1§', DEFAULT_PASSWORD_POLICY)).toBe(
      'Password must have symbol characters',
    );
  });

  it('asks only for what the policy requires', () => {
    expect(passwordPolicyViolation('sixsix', lenient)).toBeUndefined();
  });
});

describe('checkNewPassword', () => {
  it("answers InvalidPasswordException in Cognito's words for a policy breach", () => {
    // Act
    const error = checkNewPassword('weakpassword', DEFAULT_PASSWORD_POLICY, 'password');

    // Assess
    expect(error?.code).toBe('InvalidPasswordException');
    expect(error?.message).toBe(
      'Password did not conform with policy: Password must have uppercase characters',
    );
  });

  it('answers InvalidParameterException for what the API itself refuses: edge spaces, over 256 characters', () => {
    // Act
    const padded = checkNewPassword(' Str0ng!pass', DEFAULT_PASSWORD_POLICY, 'password');
    const long = checkNewPassword(`Aa1!${'x'.repeat(253)}`, DEFAULT_PASSWORD_POLICY, 'temporaryPassword');

    // Assess
    expect(padded?.code).toBe('InvalidParameterException');
    expect(padded?.message).toMatch(
      /^1 validation error detected: Value at 'password' failed to satisfy constraint/,
    );
    expect(long?.code).toBe('InvalidParameterException');
    expect(long?.message).toContain("Value at 'temporaryPassword'");
    expect(long?.message).toContain('less than or equal to 256');
  });

  it('accepts a password the policy accepts', () => {
    expect(checkNewPassword('Str0ng!pass', DEFAULT_PASSWORD_POLICY, 'password')).toBeUndefined();
  });
});
