import { loadAccountCommandConfig, loadAccountsConfig } from '../../../functions/accounts/config';

describe('accounts configuration', () => {
  test('the queries need the accounts table only', () => {
    expect(loadAccountsConfig({ ACCOUNTS_TABLE: 'accounts' })).toEqual({ accountsTable: 'accounts' });
  });

  test('the commands need the idempotency table too, and the result is frozen', () => {
    // Act
    const config = loadAccountCommandConfig({ ACCOUNTS_TABLE: 'accounts', IDEMPOTENCY_TABLE: 'keys' });
    // Assess
    expect(config).toEqual({ accountsTable: 'accounts', idempotencyTable: 'keys' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  test('a missing or empty variable fails at start-up, naming itself', () => {
    expect(() => loadAccountCommandConfig({ ACCOUNTS_TABLE: '' })).toThrow(
      'Accounts configuration: ACCOUNTS_TABLE is empty; IDEMPOTENCY_TABLE is not set.',
    );
  });
});
