/**
 * The only place the users functions read `process.env`. Each function parses just what it needs,
 * once per container, into a frozen object, and fails at start-up naming any missing variable.
 * The names are set by `infra/stacks/users-stack.ts` (and `EVENT_BUS_NAME` by `OutboxRelay`).
 */
import { z } from 'zod';

type Env = Readonly<Record<string, string | undefined>>;

const variable = z.string({ error: 'is not set' }).min(1, { error: 'is empty' });

const UsersEnv = z.object({ USERS_TABLE: variable });
const OutboxRelayEnv = z.object({ EVENT_BUS_NAME: variable });

export interface UsersConfig {
  readonly usersTable: string;
}

export interface OutboxRelayConfig {
  readonly eventBusName: string;
}

/** For the functions that register or read users: both triggers and `GET /users/me`. */
export function loadUsersConfig(env: Env = process.env): UsersConfig {
  const parsed = parseEnv(UsersEnv, env);
  return Object.freeze({ usersTable: parsed.USERS_TABLE });
}

export function loadOutboxRelayConfig(env: Env = process.env): OutboxRelayConfig {
  const parsed = parseEnv(OutboxRelayEnv, env);
  return Object.freeze({ eventBusName: parsed.EVENT_BUS_NAME });
}

/**
 * The X-Ray trace header of the running invocation, carried into events so traces join across the bus.
 * Lambda sets `_X_AMZN_TRACE_ID` anew for each invocation, so this one is read per call, not once.
 */
export function currentTraceHeader(env: Env = process.env): string | undefined {
  const header = env['_X_AMZN_TRACE_ID'];
  return header === undefined || header.length === 0 ? undefined : header;
}

function parseEnv<S extends z.ZodObject>(schema: S, env: Env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
  throw new Error(`Users configuration: ${problems.join('; ')}.`);
}
