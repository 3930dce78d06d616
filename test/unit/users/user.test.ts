import { InvalidUserError } from '../../../functions/users/domain/errors';
import { normalizeEmail, registerUser } from '../../../functions/users/domain/user';
import { FIXED_NOW, SUB, USER_ID } from './fixtures';

describe('registerUser', () => {
  test('binds the new user id to the sub, with the email lower-cased, and announces it by id only', () => {
    // Act
    const { user, event } = registerUser({
      userId: USER_ID,
      sub: SUB,
      email: '  Ada.Lovelace@Example.COM ',
      registeredAt: FIXED_NOW,
    });
    // Assess
    expect(user).toEqual({
      userId: USER_ID,
      sub: SUB,
      email: 'ada.lovelace@example.com',
      createdAt: FIXED_NOW,
    });
    expect(event).toEqual({ type: 'UserRegistered', data: { userId: USER_ID } });
  });

  test.each([
    ['an empty sub', { sub: '  ' }, 'sub must not be empty'],
    ['an overlong sub', { sub: 'x'.repeat(129) }, 'sub must be at most 128 characters long'],
    ['no @', { email: 'ada.example.com' }, 'email must be an email address'],
    ['nothing before the @', { email: '@example.com' }, 'email must be an email address'],
    ['whitespace inside', { email: 'ada lovelace@example.com' }, 'email must be an email address'],
    [
      'an overlong email',
      { email: `${'a'.repeat(250)}@example.com` },
      'email must be at most 254 characters long',
    ],
  ])('refuses %s', (_case, overrides, message) => {
    // Act
    const register = () =>
      registerUser({
        userId: USER_ID,
        sub: SUB,
        email: 'ada@example.com',
        registeredAt: FIXED_NOW,
        ...overrides,
      });
    // Assess
    expect(register).toThrow(InvalidUserError);
    expect(register).toThrow(message);
  });

  test('compares emails in one spelling', () => {
    expect(normalizeEmail(' Ada@Example.com')).toBe(normalizeEmail('ada@example.COM'));
  });
});
