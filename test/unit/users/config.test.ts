import { currentTraceHeader, loadOutboxRelayConfig, loadUsersConfig } from '../../../functions/users/config';

describe('users config', () => {
  test('reads each function its own variables into a frozen object', () => {
    // Act
    const users = loadUsersConfig({ USERS_TABLE: 'users' });
    const relay = loadOutboxRelayConfig({ EVENT_BUS_NAME: 'shop' });
    // Assess
    expect(users).toEqual({ usersTable: 'users' });
    expect(relay).toEqual({ eventBusName: 'shop' });
    expect(Object.isFrozen(users)).toBe(true);
  });

  test('fails fast naming every missing or empty variable', () => {
    expect(() => loadUsersConfig({ USERS_TABLE: '' })).toThrow('Users configuration: USERS_TABLE is empty.');
    expect(() => loadUsersConfig({})).toThrow('Users configuration: USERS_TABLE is not set.');
    expect(() => loadOutboxRelayConfig({})).toThrow(/EVENT_BUS_NAME is not set/);
  });

  test('reads the trace header of the current invocation each time', () => {
    expect(currentTraceHeader({ _X_AMZN_TRACE_ID: 'Root=1-a;Sampled=1' })).toBe('Root=1-a;Sampled=1');
    expect(currentTraceHeader({})).toBeUndefined();
  });
});
