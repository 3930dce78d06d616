/**
 * The only place the settings functions read `process.env`. Each function parses just what it needs,
 * once per container, into a frozen object, and fails at start-up naming any missing variable.
 */
import * as z from 'zod';
import { parseEnv, positiveInteger, requiredVariable, type Env } from '../../shared/config/env';
import { checkedQuorum, DEFAULT_QUORUM, type Quorum } from './domain/quorum';

/** The replica tables' names, comma-separated: one table a storage node (N = their number). */
export const REPLICA_TABLES_ENV = 'SETTINGS_REPLICA_TABLES';
export const READ_QUORUM_ENV = 'SETTINGS_READ_QUORUM';
export const WRITE_QUORUM_ENV = 'SETTINGS_WRITE_QUORUM';
/** How long one replica call may take before it counts as no answer. */
export const REPLICA_TIMEOUT_ENV = 'SETTINGS_REPLICA_TIMEOUT_MS';
export const REPAIR_QUEUE_URL_ENV = 'SETTINGS_REPAIR_QUEUE_URL';

const replicaTables = requiredVariable.transform((names) => names.split(',').map((name) => name.trim()));

const StoreEnv = z.object({
  [REPLICA_TABLES_ENV]: replicaTables,
  [READ_QUORUM_ENV]: positiveInteger(DEFAULT_QUORUM.readQuorum),
  [WRITE_QUORUM_ENV]: positiveInteger(DEFAULT_QUORUM.writeQuorum),
  [REPLICA_TIMEOUT_ENV]: positiveInteger(1_000),
});
const ReadEnv = StoreEnv.extend({ [REPAIR_QUEUE_URL_ENV]: requiredVariable });

export interface SettingsStoreConfig {
  readonly replicaTables: readonly string[];
  readonly quorum: Quorum;
  readonly replicaTimeoutMs: number;
}

export interface SettingsReadConfig extends SettingsStoreConfig {
  readonly repairQueueUrl: string;
}

/** For the writes, the background repairer and the sweep. */
export function loadSettingsStoreConfig(env: Env = process.env): SettingsStoreConfig {
  return storeConfig(parseEnv('Settings', StoreEnv, env));
}

/** For the reads, which also queue late replicas' repairs. */
export function loadSettingsReadConfig(env: Env = process.env): SettingsReadConfig {
  const parsed = parseEnv('Settings', ReadEnv, env);
  return Object.freeze({ ...storeConfig(parsed), repairQueueUrl: parsed[REPAIR_QUEUE_URL_ENV] });
}

function storeConfig(parsed: z.output<typeof StoreEnv>): SettingsStoreConfig {
  const replicaTables = parsed[REPLICA_TABLES_ENV];
  let quorum: Quorum;
  try {
    quorum = checkedQuorum({
      replicas: replicaTables.length,
      readQuorum: parsed[READ_QUORUM_ENV],
      writeQuorum: parsed[WRITE_QUORUM_ENV],
    });
  } catch (error) {
    throw new Error(`Settings configuration: ${error instanceof Error ? error.message : String(error)}.`);
  }
  return Object.freeze({ replicaTables, quorum, replicaTimeoutMs: parsed[REPLICA_TIMEOUT_ENV] });
}
