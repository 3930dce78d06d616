/**
 * The only place the accounts functions read `process.env`. Each function parses just what it needs,
 * once per container, into a frozen object, and fails at start-up naming any missing variable.
 * The variables are listed in `functions/accounts/README.md`.
 */
import * as z from 'zod';
import { parseEnv, requiredVariable, type Env } from '../../shared/config/env';

const variable = requiredVariable;

const AccountsEnv = z.object({ ACCOUNTS_TABLE: variable });
const AccountCommandEnv = z.object({ ACCOUNTS_TABLE: variable, IDEMPOTENCY_TABLE: variable });

export interface AccountsConfig {
  readonly accountsTable: string;
}

export interface AccountCommandConfig extends AccountsConfig {
  readonly idempotencyTable: string;
}

/** For the queries (`GET /accounts/{accountId}`, `GET /accounts/{accountId}/transactions`). */
export function loadAccountsConfig(env: Env = process.env): AccountsConfig {
  const parsed = parseEnv('Accounts', AccountsEnv, env);
  return Object.freeze({ accountsTable: parsed.ACCOUNTS_TABLE });
}

/** For the commands (`POST /accounts`, deposits, transfers), which also keep `Idempotency-Key` records. */
export function loadAccountCommandConfig(env: Env = process.env): AccountCommandConfig {
  const parsed = parseEnv('Accounts', AccountCommandEnv, env);
  return Object.freeze({ accountsTable: parsed.ACCOUNTS_TABLE, idempotencyTable: parsed.IDEMPOTENCY_TABLE });
}
