import { ROLLOUT_ERRORS } from '../contracts/rollout';
import type { ApprovalResolution, RolloutRecords } from '../ports/rollout-records';
import type { TaskCallbacks } from '../../../shared/saga/task-callbacks';
import { RolloutNotAwaitingApprovalError, RolloutNotFoundError } from './errors';
import { silentLogger, type AppLogger } from '../../../shared/observability/app-logger';

export type RolloutApprovalDecision = 'approve' | 'abort';

export interface DecideRolloutApprovalInput {
  readonly rolloutId: string;
  readonly decision: RolloutApprovalDecision;
  /** Who decided: the staff member's user id, from the verified token. */
  readonly decidedBy: string;
  readonly comment?: string;
}

export interface DecidedRolloutApproval {
  readonly rolloutId: string;
  readonly decision: RolloutApprovalDecision;
}

export type DecideRolloutApproval = (input: DecideRolloutApprovalInput) => Promise<DecidedRolloutApproval>;

export interface DecideRolloutApprovalDependencies {
  readonly records: RolloutRecords;
  readonly taskCallbacks: TaskCallbacks;
  readonly now: () => Date;
  readonly logger?: AppLogger;
}

/**
 * `POST /deployments/{rolloutId}/approval`: resumes the rollout waiting on its stored task token —
 * `SendTaskSuccess` to approve (the rollout checks its alarms again and goes on), `SendTaskFailure` with
 * `RolloutAborted` to abort (it rolls back) — and marks the wait answered.
 *
 * 404 for a rollout never started; 409 when it does not wait: not at its approval yet, answered already
 * the other way, or past its deadline (Step Functions no longer knows the token). The same decision again
 * is harmless.
 */
export function makeDecideRolloutApproval(deps: DecideRolloutApprovalDependencies): DecideRolloutApproval {
  const logger = deps.logger ?? silentLogger;
  return async ({ rolloutId, decision, decidedBy, comment }) => {
    const record = await deps.records.get(rolloutId);
    if (record === undefined) throw new RolloutNotFoundError(rolloutId);
    const approval = record.approval;
    if (approval === undefined) {
      throw new RolloutNotAwaitingApprovalError(rolloutId, 'it has not reached its approval');
    }
    const resolution: ApprovalResolution = decision === 'approve' ? 'APPROVED' : 'ABORTED';
    if (approval.resolution === resolution) return { rolloutId, decision };
    if (approval.resolution !== undefined) {
      throw new RolloutNotAwaitingApprovalError(rolloutId, `it was ${approval.resolution.toLowerCase()}`);
    }
    const said = comment === undefined ? '' : `: ${comment}`;
    const outcome =
      decision === 'approve'
        ? await deps.taskCallbacks.succeed(approval.taskToken, {
            rolloutId,
            decidedBy,
            ...(comment === undefined ? {} : { comment }),
          })
        : await deps.taskCallbacks.fail(
            approval.taskToken,
            ROLLOUT_ERRORS.aborted,
            `Rollout ${rolloutId} was aborted by ${decidedBy}${said}`,
          );
    if (outcome === 'task-closed') {
      throw new RolloutNotAwaitingApprovalError(rolloutId, 'its approval deadline passed, or it ended');
    }
    try {
      await deps.records.markResolved(rolloutId, approval.taskToken, resolution, deps.now().toISOString());
    } catch (error) {
      // The rollout has its answer; the mark only spares a repeated call a second one.
      logger.warn('Approval delivered, but the rollout could not be marked answered', { rolloutId, error });
    }
    logger.info('Rollout approval decided', { rolloutId, decision, decidedBy });
    return { rolloutId, decision };
  };
}
