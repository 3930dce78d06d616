import { nextVersion, type Version } from '../domain/version';
import { newestOf, type ReplicaReading, type Setting, type SettingValue } from '../domain/setting';
import { MAX_VALUE_BYTES } from '../domain/setting-key';
import type { Replicas, ReplicaWriteOutcome } from '../ports/replica';
import { STORE_METRICS, type CountMetric } from '../ports/store-metrics';
import type { AppLogger } from '../../../shared/observability/app-logger';
import { ReadQuorumError, ValueTooLargeError, WriteQuorumError } from './errors';
import { callReplicas, firstFailure, successes } from './replica-calls';

export interface WrittenSetting {
  readonly key: string;
  readonly version: Version;
  /** Replicas that acknowledged the write by the time it answered (at least W). */
  readonly acknowledged: readonly string[];
}

export type WriteSetting = (key: string, value: SettingValue) => Promise<WrittenSetting>;

export interface WriteSettingDependencies {
  readonly replicas: Replicas;
  readonly readQuorum: number;
  /** W: the replicas that must acknowledge before the write does. */
  readonly writeQuorum: number;
  /** The id of this write, which breaks a tie between two writers of the same version. */
  readonly newWriteId: () => string;
  readonly now: () => Date;
  readonly count: CountMetric;
  readonly logger: AppLogger;
}

/**
 * A quorum write: the current version comes from a quorum read (R), the next one is written to every
 * replica at once with a conditional write (a replica never goes back to an older version), and the
 * write succeeds once W replicas hold it — a replica that missed it is left stale, for read repair. A
 * replica holding a newer version from a concurrent writer counts as acknowledging (last writer wins).
 * Below W, the replicas that took the write have it taken back, so no read sees a refused write.
 */
export function makeWriteSetting(deps: WriteSettingDependencies): WriteSetting {
  return async (key, value) => {
    const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
    if (bytes > MAX_VALUE_BYTES) throw new ValueTooLargeError(MAX_VALUE_BYTES);
    deps.count(STORE_METRICS.writes);

    const read = await callReplicas(deps.replicas, (replica) => replica.read(key), deps.readQuorum);
    const readings = successes(read.answered).map(({ replica, value: setting }): ReplicaReading => ({
      replica: replica.name,
      setting,
    }));
    if (readings.length < deps.readQuorum) {
      deps.count(STORE_METRICS.writeQuorumFailures);
      throw new ReadQuorumError(readings.length, deps.readQuorum, { cause: firstFailure(read.answered) });
    }
    const previous = newestOf(readings);
    const setting: Setting = {
      key,
      value,
      version: nextVersion(previous?.version, deps.newWriteId()),
      updatedAt: deps.now().toISOString(),
    };

    const write = await callReplicas<ReplicaWriteOutcome>(
      deps.replicas,
      (replica) => replica.write(setting),
      deps.writeQuorum,
    );
    const acknowledged = successes(write.answered);
    if (acknowledged.length >= deps.writeQuorum) {
      return { key, version: setting.version, acknowledged: acknowledged.map(({ replica }) => replica.name) };
    }

    // Below W: wait for every replica, then take the write back wherever it was applied.
    const everyAnswer = [...write.answered, ...(await Promise.all(write.late.map(({ answer }) => answer)))];
    const acknowledgedInTheEnd = successes(everyAnswer);
    if (acknowledgedInTheEnd.length >= deps.writeQuorum) {
      // The late ones made the quorum after all.
      return {
        key,
        version: setting.version,
        acknowledged: acknowledgedInTheEnd.map(({ replica }) => replica.name),
      };
    }
    deps.count(STORE_METRICS.writeQuorumFailures);
    const applied = acknowledgedInTheEnd.filter(({ value: outcome }) => outcome === 'applied');
    await Promise.all(
      applied.map(async ({ replica }) => {
        try {
          await replica.undo(setting, previous);
        } catch (error) {
          deps.logger.error('A write below its quorum could not be taken back from a replica', {
            key,
            replica: replica.name,
            error,
          });
        }
      }),
    );
    throw new WriteQuorumError(acknowledgedInTheEnd.length, deps.writeQuorum, {
      cause: firstFailure(everyAnswer),
    });
  };
}
