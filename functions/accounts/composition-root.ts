/**
 * Builds each accounts function's dependencies once per container, from its own configuration only
 * (the queries know nothing of idempotency). Handlers call one of these at module load:
 * `export const handler = makeXxxHandler(xxxDependencies())`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { httpIdempotency } from '../../shared/idempotency/http-idempotency';
import { newId } from '../../shared/ids/ids';
import { logger } from '../../shared/observability/logger';
import { countOutcome } from '../../shared/observability/metrics';
import { tracedClient } from '../../shared/observability/tracer';
import { CLIENT_REQUEST_RETRY, loggedLostRaceRetry } from '../../shared/resilience';
import { DynamoDbAccountRepository } from './adapters/dynamodb-account-repository';
import { makeDepositMoney } from './application/deposit-money';
import { makeGetAccount } from './application/get-account';
import { makeListTransactions } from './application/list-transactions';
import { makeOpenAccount } from './application/open-account';
import { makeOrderPayments, SERVICE_CALL_RETRY } from './application/order-payments';
import { makeTransferMoney } from './application/transfer-money';
import { loadAccountCommandConfig, loadAccountsConfig } from './config';
import type { AccountPaymentsHandlerDependencies } from './handlers/account-payments';
import type { DepositMoneyHandlerDependencies } from './handlers/deposit-money';
import type { GetAccountHandlerDependencies } from './handlers/get-account';
import type { ListTransactionsHandlerDependencies } from './handlers/list-transactions';
import type { OpenAccountHandlerDependencies } from './handlers/open-account';
import type { TransferMoneyHandlerDependencies } from './handlers/transfer-money';

let dynamoDbClient: DynamoDBClient | undefined;
function dynamoDb(): DynamoDBClient {
  dynamoDbClient ??= tracedClient(new DynamoDBClient({}));
  return dynamoDbClient;
}

function accountRepository(tableName: string): DynamoDbAccountRepository {
  return new DynamoDbAccountRepository({ client: dynamoDb(), tableName });
}

const now = (): Date => new Date();

const loggedRetry = loggedLostRaceRetry(CLIENT_REQUEST_RETRY, logger);

export function openAccountDependencies(): OpenAccountHandlerDependencies {
  const config = loadAccountCommandConfig();
  return {
    openAccount: makeOpenAccount({
      repository: accountRepository(config.accountsTable),
      newAccountId: () => newId('account'),
      now,
    }),
    // Optional here: opening an account twice is a nuisance, not a loss; clients that retry send a key.
    idempotency: httpIdempotency({ tableName: config.idempotencyTable, client: dynamoDb(), required: false }),
  };
}

export function getAccountDependencies(): GetAccountHandlerDependencies {
  const config = loadAccountsConfig();
  return { getAccount: makeGetAccount({ reader: accountRepository(config.accountsTable) }) };
}

export function depositMoneyDependencies(): DepositMoneyHandlerDependencies {
  const config = loadAccountCommandConfig();
  return {
    depositMoney: makeDepositMoney({
      repository: accountRepository(config.accountsTable),
      newDepositId: () => newId('deposit'),
      now,
      retry: loggedRetry,
    }),
    idempotency: httpIdempotency({ tableName: config.idempotencyTable, client: dynamoDb() }),
  };
}

export function transferMoneyDependencies(): TransferMoneyHandlerDependencies {
  const config = loadAccountCommandConfig();
  return {
    transferMoney: makeTransferMoney({
      repository: accountRepository(config.accountsTable),
      newTransferId: () => newId('transfer'),
      now,
      retry: loggedRetry,
      countOutcome,
    }),
    idempotency: httpIdempotency({ tableName: config.idempotencyTable, client: dynamoDb() }),
  };
}

export function listTransactionsDependencies(): ListTransactionsHandlerDependencies {
  const config = loadAccountsConfig();
  return { listTransactions: makeListTransactions({ reader: accountRepository(config.accountsTable) }) };
}

export function accountPaymentsDependencies(): AccountPaymentsHandlerDependencies {
  const config = loadAccountsConfig();
  return {
    orderPayments: makeOrderPayments({
      repository: accountRepository(config.accountsTable),
      newTransferId: () => newId('transfer'),
      newAccountId: () => newId('account'),
      now,
      retry: loggedLostRaceRetry(SERVICE_CALL_RETRY, logger),
      countOutcome,
    }),
    logger,
  };
}
