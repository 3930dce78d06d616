import { compareVersions } from '../domain/version';
import type { Setting } from '../domain/setting';
import type { Replica, Replicas } from '../ports/replica';
import { STORE_METRICS, type CountMetric } from '../ports/store-metrics';
import type { AppLogger } from '../../../shared/observability/app-logger';

export interface SweepReport {
  /** Keys found on any replica that answered. */
  readonly keys: number;
  /** Replica writes that brought a key up to date. */
  readonly repairs: number;
  /** Replicas that could not be read (left for the next sweep) or written. */
  readonly unavailable: readonly string[];
}

export type SweepReplicas = () => Promise<SweepReport>;

export interface SweepReplicasDependencies {
  readonly replicas: Replicas;
  readonly count: CountMetric;
  readonly logger: AppLogger;
}

/**
 * Anti-entropy: reads every key of every replica, finds each key's newest version, and writes it to
 * every replica that misses it or holds an older one — the repair of keys that nobody reads. It holds
 * one version per key and replica in memory: fine for settings (thousands of keys); a store of millions
 * would compare Merkle trees of key ranges instead (docs/patterns/read-repair.md).
 */
export function makeSweepReplicas(deps: SweepReplicasDependencies): SweepReplicas {
  return async () => {
    const unavailable = new Set<string>();
    const held = new Map<Replica, Map<string, Setting>>();
    for (const replica of deps.replicas) {
      try {
        held.set(replica, await everySetting(replica));
      } catch (error) {
        unavailable.add(replica.name);
        deps.logger.warn('A replica could not be read by the sweep; the next sweep tries again', {
          replica: replica.name,
          error,
        });
      }
    }

    const newest = new Map<string, Setting>();
    for (const settings of held.values()) {
      for (const setting of settings.values()) {
        const known = newest.get(setting.key);
        if (known === undefined || compareVersions(setting.version, known.version) > 0) {
          newest.set(setting.key, setting);
        }
      }
    }

    let repairs = 0;
    for (const [replica, settings] of held) {
      for (const setting of newest.values()) {
        const own = settings.get(setting.key);
        if (own !== undefined && compareVersions(own.version, setting.version) >= 0) continue;
        try {
          if ((await replica.write(setting)) === 'applied') repairs += 1;
        } catch (error) {
          unavailable.add(replica.name);
          deps.logger.warn('The sweep could not repair a replica', {
            replica: replica.name,
            key: setting.key,
            error,
          });
        }
      }
    }
    deps.count(STORE_METRICS.sweepRepairs, repairs);
    const report = { keys: newest.size, repairs, unavailable: [...unavailable] };
    deps.logger.info('Anti-entropy sweep done', { ...report });
    return report;
  };
}

async function everySetting(replica: Replica): Promise<Map<string, Setting>> {
  const settings = new Map<string, Setting>();
  let cursor: string | undefined;
  do {
    const page = await replica.page(cursor);
    for (const setting of page.settings) settings.set(setting.key, setting);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return settings;
}
