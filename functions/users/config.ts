/**
 * The only place the users functions read `process.env`. Each function parses just what it needs,
 * once per container, into a frozen object, and fails at start-up naming any missing variable.
 * The names are set by `infra/stacks/users-stack.ts` (and `EVENT_BUS_NAME` by `OutboxRelay`).
 */
import * as z from 'zod';
import { parseEnv, requiredVariable, type Env } from '../../shared/config/env';

const variable = requiredVariable;

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
  const parsed = parseEnv('Users', UsersEnv, env);
  return Object.freeze({ usersTable: parsed.USERS_TABLE });
}

export function loadOutboxRelayConfig(env: Env = process.env): OutboxRelayConfig {
  const parsed = parseEnv('Users', OutboxRelayEnv, env);
  return Object.freeze({ eventBusName: parsed.EVENT_BUS_NAME });
}
