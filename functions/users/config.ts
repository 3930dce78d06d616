/**
 * The only place the users functions read `process.env`. Each function parses just what it needs,
 * once per container, into a frozen object, and fails at start-up naming any missing variable.
 * The names are set by `infra/stacks/users-stack.ts`; the outbox relay's by the shared outbox kit.
 */
import * as z from 'zod';
import { parseEnv, requiredVariable, type Env } from '../../shared/config/env';

const variable = requiredVariable;

const UsersEnv = z.object({ USERS_TABLE: variable });

export interface UsersConfig {
  readonly usersTable: string;
}

/** For the functions that register or read users: both triggers and `GET /users/me`. */
export function loadUsersConfig(env: Env = process.env): UsersConfig {
  const parsed = parseEnv('Users', UsersEnv, env);
  return Object.freeze({ usersTable: parsed.USERS_TABLE });
}
