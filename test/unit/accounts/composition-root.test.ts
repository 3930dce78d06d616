import { USER_ID_CLAIM } from '../../../shared/http/caller';
import {
  depositMoneyDependencies,
  getAccountDependencies,
  listTransactionsDependencies,
  openAccountDependencies,
  transferMoneyDependencies,
} from '../../../functions/accounts/composition-root';
import { makeHandler as makeTransferMoneyHandler } from '../../../functions/accounts/handlers/transfer-money';
import { errorBodyOf, jsonEvent } from '../http/proxy-event';
import { accountId, ALICE } from './fixtures';

const environment = { ...process.env };

beforeEach(() => {
  process.env['ACCOUNTS_TABLE'] = 'accounts';
  process.env['IDEMPOTENCY_TABLE'] = 'idempotency';
});

afterEach(() => {
  process.env = { ...environment };
});

const transferEvent = (headers: Record<string, string>, claims?: Record<string, string>) =>
  jsonEvent(
    { fromAccountId: accountId(1), toAccountId: accountId(2), amountCents: 1 },
    {
      resource: '/transfers',
      path: '/transfers',
      headers: { 'Content-Type': 'application/json', ...headers },
      requestContext: { requestId: 'req-1', ...(claims === undefined ? {} : { authorizer: { claims } }) },
    },
  );

describe('the composition root', () => {
  test('builds every function from its own configuration', () => {
    // Act
    const built = [
      openAccountDependencies(),
      getAccountDependencies(),
      depositMoneyDependencies(),
      transferMoneyDependencies(),
      listTransactionsDependencies(),
    ];
    // Assess
    expect(built.map((dependencies) => Object.keys(dependencies).sort())).toEqual([
      ['idempotency', 'openAccount'],
      ['getAccount'],
      ['depositMoney', 'idempotency'],
      ['idempotency', 'transferMoney'],
      ['listTransactions'],
    ]);
  });

  test('the queries need no idempotency table; the commands fail at start-up without one', () => {
    // Prepare
    delete process.env['IDEMPOTENCY_TABLE'];
    // Act, Assess
    expect(() => getAccountDependencies()).not.toThrow();
    expect(() => transferMoneyDependencies()).toThrow('IDEMPOTENCY_TABLE is not set');
  });

  test('scopes keys by caller: a request without claims is a 401 before any record is read', async () => {
    // Prepare
    const handler = makeTransferMoneyHandler(transferMoneyDependencies());
    // Act
    const result = await handler(transferEvent({ 'Idempotency-Key': 'k1' }));
    // Assess
    expect([result.statusCode, errorBodyOf(result).error.code]).toEqual([401, 'UNAUTHORIZED']);
  });

  test('requires the key on transfers: 400 IDEMPOTENCY_KEY_MISSING before any record is read', async () => {
    // Prepare
    const handler = makeTransferMoneyHandler(transferMoneyDependencies());
    // Act
    const result = await handler(transferEvent({}, { [USER_ID_CLAIM]: ALICE }));
    // Assess
    expect([result.statusCode, errorBodyOf(result).error.code]).toEqual([400, 'IDEMPOTENCY_KEY_MISSING']);
  });
});
