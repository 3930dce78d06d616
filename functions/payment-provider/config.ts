/**
 * The only place the processor's functions read `process.env`. Each function parses just what it
 * needs, once per container, into a frozen object, and fails at start-up naming any bad variable.
 * The names are set by `infra/stacks/payment-provider-stack.ts`.
 */
import * as z from 'zod';
import { parseEnv, requiredVariable, type Env } from '../../shared/config/env';

/** How long `tok_timeout` holds its answer when `HANG_MS` is not set. */
export const DEFAULT_HANG_MS = 10_000;
/** Lambda's longest timeout: a hang past it could never end in an answer. */
export const MAX_HANG_MS = 900_000;

const variable = requiredVariable;

const LedgerEnv = z.object({ LEDGER_TABLE: variable });
const CreateChargeEnv = LedgerEnv.extend({
  HANG_MS: z
    .string()
    .regex(/^\d+$/, { error: 'must be a whole number of milliseconds' })
    .transform(Number)
    .pipe(z.number().max(MAX_HANG_MS, { error: `must be at most ${MAX_HANG_MS}` }))
    .optional(),
});
const ListChargesEnv = LedgerEnv.extend({ LEDGER_ORDER_INDEX: variable });

export interface LedgerConfig {
  readonly ledgerTable: string;
}

export interface CreateChargeConfig extends LedgerConfig {
  /** How long `tok_timeout` (and each of its replays) holds the answer back. */
  readonly hangMs: number;
}

export interface ListChargesConfig extends LedgerConfig {
  /** The ledger's index on `orderId`. */
  readonly orderIndexName: string;
}

/** For the functions that only read or write the ledger by key. */
export function loadLedgerConfig(env: Env = process.env): LedgerConfig {
  const parsed = parseEnv('Payment provider', LedgerEnv, env);
  return Object.freeze({ ledgerTable: parsed.LEDGER_TABLE });
}

/** For `POST /v1/charges`: `HANG_MS` is optional, `DEFAULT_HANG_MS` without it. */
export function loadCreateChargeConfig(env: Env = process.env): CreateChargeConfig {
  const parsed = parseEnv('Payment provider', CreateChargeEnv, env);
  return Object.freeze({ ledgerTable: parsed.LEDGER_TABLE, hangMs: parsed.HANG_MS ?? DEFAULT_HANG_MS });
}

/** For `GET /v1/charges?orderId=`. */
export function loadListChargesConfig(env: Env = process.env): ListChargesConfig {
  const parsed = parseEnv('Payment provider', ListChargesEnv, env);
  return Object.freeze({ ledgerTable: parsed.LEDGER_TABLE, orderIndexName: parsed.LEDGER_ORDER_INDEX });
}
