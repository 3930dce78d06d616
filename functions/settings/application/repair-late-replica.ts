import type { Replicas } from '../ports/replica';
import type { LateReplicaRepair } from '../ports/repair-queue';
import { STORE_METRICS, type CountMetric } from '../ports/store-metrics';

export type RepairLateReplica = (repair: LateReplicaRepair) => Promise<'repaired' | 'up-to-date'>;

export interface RepairLateReplicaDependencies {
  readonly replicas: Replicas;
  readonly count: CountMetric;
}

/**
 * The background half of read repair: writes the setting a read found newest to the replica that was
 * late to answer, unless it holds that version or a newer one by now. A failure is thrown, so the queue
 * delivers the repair again (and dead-letters it in the end; the sweep still repairs the key).
 */
export function makeRepairLateReplica(deps: RepairLateReplicaDependencies): RepairLateReplica {
  return async ({ replica: name, setting }) => {
    const replica = deps.replicas.find((candidate) => candidate.name === name);
    if (replica === undefined) throw new Error(`No replica is named ${name}`);
    const outcome = await replica.write(setting);
    if (outcome === 'superseded') return 'up-to-date';
    deps.count(STORE_METRICS.backgroundRepairs);
    return 'repaired';
  };
}
