import { loadUsersConfig } from '../../../functions/users/config';

describe('users config', () => {
  test('reads each function its own variables into a frozen object', () => {
    // Act
    const users = loadUsersConfig({ USERS_TABLE: 'users' });
    // Assess
    expect(users).toEqual({ usersTable: 'users' });
    expect(Object.isFrozen(users)).toBe(true);
  });

  test('fails fast naming every missing or empty variable', () => {
    expect(() => loadUsersConfig({ USERS_TABLE: '' })).toThrow('Users configuration: USERS_TABLE is empty.');
    expect(() => loadUsersConfig({})).toThrow('Users configuration: USERS_TABLE is not set.');
  });
});
