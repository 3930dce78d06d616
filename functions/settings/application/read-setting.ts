import { newestOf, staleReplicas, type ReplicaReading, type Setting } from '../domain/setting';
import type { Replica, Replicas } from '../ports/replica';
import type { RepairQueue } from '../ports/repair-queue';
import { STORE_METRICS, type CountMetric } from '../ports/store-metrics';
import type { AppLogger } from '../../../shared/observability/app-logger';
import { ReadQuorumError, SettingNotFoundError } from './errors';
import { callReplicas, firstFailure, successes, type ReplicaAnswer } from './replica-calls';

/** `quorum` reads R replicas and repairs; `one` reads a single replica, as a store without read repair would. */
export type ReadConsistency = 'quorum' | 'one';

export interface SettingRead {
  readonly setting: Setting;
  /** Replicas found stale and repaired before answering. */
  readonly repaired: readonly string[];
  /** Replicas that had not answered yet: checked, and repaired if need be, in the background. */
  readonly late: readonly string[];
}

export type ReadSetting = (key: string, consistency?: ReadConsistency) => Promise<SettingRead>;

export interface ReadSettingDependencies {
  readonly replicas: Replicas;
  /** R: the replicas that must answer before the read does. */
  readonly readQuorum: number;
  readonly repairQueue: RepairQueue;
  readonly count: CountMetric;
  readonly logger: AppLogger;
  /** Picks the replica of a `one` read. @default a random one */
  readonly pickReplica?: (replicas: Replicas) => Replica;
  /**
   * How long the read waits, once it has its answer, for the replicas that have not answered yet. A
   * healthy replica answers within milliseconds of the others, and is then checked (and repaired) in
   * the read itself; only a replica still silent after this gets a repair queued. A Lambda function
   * cannot work on after it answered, so without the wait nearly every read would queue a repair.
   * @default LATE_REPLICA_GRACE_MS
   */
  readonly lateReplicaGraceMs?: number;
}

export const LATE_REPLICA_GRACE_MS = 50;

/**
 * A quorum read with read repair: every replica is read at once; the answer is the newest version
 * among the first R to answer, and every one of those that held an older version (or none) is
 * repaired before the read answers. A replica that answers a little after the quorum (within
 * `lateReplicaGraceMs`) is repaired too; one still silent gets a repair queued, done in the background.
 */
export function makeReadSetting(deps: ReadSettingDependencies): ReadSetting {
  const pickReplica =
    deps.pickReplica ??
    ((replicas: Replicas): Replica => {
      const replica = replicas[Math.floor(Math.random() * replicas.length)];
      if (replica === undefined) throw new Error('The store has no replica');
      return replica;
    });

  const graceMs = deps.lateReplicaGraceMs ?? LATE_REPLICA_GRACE_MS;

  return async (key, consistency = 'quorum') => {
    deps.count(STORE_METRICS.reads);
    if (consistency === 'one') return readOne(key, pickReplica(deps.replicas));

    const call = await callReplicas(deps.replicas, (replica) => replica.read(key), deps.readQuorum);
    const quorum = successes(call.answered);
    countFailures(call.answered);
    if (quorum.length < deps.readQuorum) {
      deps.count(STORE_METRICS.readQuorumFailures);
      throw new ReadQuorumError(quorum.length, deps.readQuorum, { cause: firstFailure(call.answered) });
    }
    const readings = quorum.map(({ replica, value }): ReplicaReading => ({
      replica: replica.name,
      setting: value,
    }));
    const newest = newestOf(readings);
    if (newest === undefined) throw new SettingNotFoundError(key);

    const stale = staleReplicas(readings, newest);
    deps.count(STORE_METRICS.staleReplicasSeen, stale.length);
    const repaired = await repair(newest, stale, STORE_METRICS.blockingRepairs);
    const late = await repairLate(newest, call.late);
    return { setting: newest, repaired, late };
  };

  async function readOne(key: string, replica: Replica): Promise<SettingRead> {
    deps.count(STORE_METRICS.singleReplicaReads);
    let setting: Setting | undefined;
    try {
      setting = await replica.read(key);
    } catch (error) {
      deps.count(STORE_METRICS.replicaFailures);
      deps.count(STORE_METRICS.readQuorumFailures);
      throw new ReadQuorumError(0, 1, { cause: error });
    }
    if (setting === undefined) throw new SettingNotFoundError(key);
    return { setting, repaired: [], late: [] };
  }

  /** Writes `newest` to the named replicas; answers those that took it. A failed repair waits for the next read or sweep. */
  async function repair(
    newest: Setting,
    replicaNames: readonly string[],
    metric: typeof STORE_METRICS.blockingRepairs | typeof STORE_METRICS.backgroundRepairs,
  ): Promise<readonly string[]> {
    const targets = deps.replicas.filter((replica) => replicaNames.includes(replica.name));
    const outcomes = await Promise.all(
      targets.map(async (replica) => {
        try {
          const outcome = await replica.write(newest);
          if (outcome === 'applied') deps.count(metric);
          return outcome === 'applied' ? [replica.name] : [];
        } catch (error) {
          deps.count(STORE_METRICS.replicaFailures);
          deps.logger.warn('A stale replica could not be repaired; the next read or sweep will', {
            key: newest.key,
            replica: replica.name,
            error,
          });
          return [];
        }
      }),
    );
    return outcomes.flat();
  }

  /**
   * The replicas that had not answered by the quorum: one that answers within the grace is repaired
   * here if stale; the others get a repair queued, which the background repairer applies unless they
   * are up to date by then.
   */
  async function repairLate(
    newest: Setting,
    late: readonly {
      readonly replica: Replica;
      readonly answer: Promise<ReplicaAnswer<Setting | undefined>>;
    }[],
  ): Promise<readonly string[]> {
    const answeredMeanwhile = await Promise.all(
      late.map(async ({ replica, answer }) => ({ replica, answer: await settledWithin(answer, graceMs) })),
    );
    const staleMeanwhile = answeredMeanwhile.flatMap(({ replica, answer }) =>
      answer?.ok === true ? staleReplicas([{ replica: replica.name, setting: answer.value }], newest) : [],
    );
    deps.count(STORE_METRICS.staleReplicasSeen, staleMeanwhile.length);
    await repair(newest, staleMeanwhile, STORE_METRICS.blockingRepairs);
    const stillLate = answeredMeanwhile
      .filter(({ answer }) => answer === undefined)
      .map(({ replica }) => replica.name);
    await Promise.all(
      stillLate.map(async (replica) => {
        try {
          await deps.repairQueue.send({ replica, setting: newest });
        } catch (error) {
          // Not lost for good: the sweep repairs every key nobody reads again.
          deps.logger.warn("A late replica's repair could not be queued; the sweep will repair it", {
            key: newest.key,
            replica,
            error,
          });
        }
      }),
    );
    return stillLate;
  }

  function countFailures(answers: readonly ReplicaAnswer<unknown>[]): void {
    const failed = answers.filter((answer) => !answer.ok).length;
    if (failed > 0) deps.count(STORE_METRICS.replicaFailures, failed);
  }
}

/** The promise's value if it settles within `ms`; `undefined` otherwise (it goes on unawaited). */
async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  const silent = Symbol('silent');
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof silent>((resolve) => {
    timer = setTimeout(() => resolve(silent), ms);
  });
  try {
    const first = await Promise.race<T | typeof silent>([promise, deadline]);
    return first === silent ? undefined : first;
  } finally {
    clearTimeout(timer);
  }
}
