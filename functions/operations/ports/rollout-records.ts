/** How a rollout's wait for an approval was answered. */
export type ApprovalResolution = 'APPROVED' | 'ABORTED';

/**
 * A rollout as the approval route knows it: what it deploys, and the task token of the approval it waits
 * for (never in an event or a log line: whoever holds it steers the rollout).
 */
export interface RolloutRecord {
  readonly rolloutId: string;
  readonly functionName: string;
  readonly aliasName: string;
  readonly originalVersion: string;
  readonly targetVersion: string;
  readonly startedAt: string;
  readonly approval?: {
    readonly taskToken: string;
    readonly requestedAt: string;
    readonly resolution?: ApprovalResolution;
    readonly resolvedAt?: string;
  };
}

/** Where rollouts are recorded, one item each, keyed by the rollout's id (the execution's name). */
export interface RolloutRecords {
  /** Records a rollout that starts; a retried start writes the same record again. */
  create(record: Omit<RolloutRecord, 'approval'>): Promise<void>;
  get(rolloutId: string): Promise<RolloutRecord | undefined>;
  /** Keeps the token of the approval the rollout now waits for. */
  awaitApproval(rolloutId: string, taskToken: string, requestedAt: string): Promise<void>;
  /** Records how the wait was answered, unless another token replaced this one meanwhile. */
  markResolved(
    rolloutId: string,
    taskToken: string,
    resolution: ApprovalResolution,
    at: string,
  ): Promise<void>;
}
