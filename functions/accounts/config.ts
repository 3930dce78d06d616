/**
 * The only place the accounts functions read `process.env`. Each function parses just what it needs,
 * once per container, into a frozen object, and fails at start-up naming any missing variable.
 * The variables are listed in `functions/accounts/README.md`.
 */
import { z } from 'zod';

type Env = Readonly<Record<string, string | undefined>>;

const variable = z.string({ error: 'is not set' }).min(1, { error: 'is empty' });

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
  const parsed = parseEnv(AccountsEnv, env);
  return Object.freeze({ accountsTable: parsed.ACCOUNTS_TABLE });
}

/** For the commands (`POST /accounts`, deposits, transfers), which also keep `Idempotency-Key` records. */
export function loadAccountCommandConfig(env: Env = process.env): AccountCommandConfig {
  const parsed = parseEnv(AccountCommandEnv, env);
  return Object.freeze({ accountsTable: parsed.ACCOUNTS_TABLE, idempotencyTable: parsed.IDEMPOTENCY_TABLE });
}

function parseEnv<S extends z.ZodObject>(schema: S, env: Env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
  throw new Error(`Accounts configuration: ${problems.join('; ')}.`);
}
