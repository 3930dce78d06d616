/** How the wait for an approval ended, once the waiting execution was told. */
export type ApprovalTaskResolution = 'APPROVED' | 'REJECTED' | 'CANCELLED';

/**
 * The Step Functions task an order's saga waits on for a human decision: its task token, kept with the
 * order (never in an event: events go to the bus, and a token lets anyone holding it steer the saga).
 */
export interface ApprovalTask {
  readonly orderId: string;
  readonly taskToken: string;
  /** ISO-8601 instant the task was stored. */
  readonly requestedAt: string;
  /** Set once the waiting execution was resumed (or failed) with this token. */
  readonly resolution?: ApprovalTaskResolution;
  readonly resolvedAt?: string;
}

/** Where approval tasks are kept: one per order, the latest token replacing any earlier one. */
export interface ApprovalTasks {
  get(orderId: string): Promise<ApprovalTask | undefined>;
  /** Stores the task an execution now waits on, replacing the order's earlier one (and its resolution). */
  save(task: Pick<ApprovalTask, 'orderId' | 'taskToken' | 'requestedAt'>): Promise<void>;
  /** Records how `task` was answered, unless a newer token replaced it meanwhile (then nothing changes). */
  markResolved(task: ApprovalTask, resolution: ApprovalTaskResolution, at: string): Promise<void>;
}
