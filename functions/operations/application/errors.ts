import { ConflictError, NotFoundError } from '../../../shared/errors/app-error';
import { ROLLOUT_ERRORS } from '../contracts/rollout';

/** No rollout has this id (404 `ROLLOUT_NOT_FOUND`). */
export class RolloutNotFoundError extends NotFoundError {
  constructor(rolloutId: string) {
    super(`Rollout ${rolloutId} does not exist.`, 'ROLLOUT_NOT_FOUND');
  }
}

/**
 * An approval decision for a rollout that is not waiting for one (409 `ROLLOUT_NOT_AWAITING_APPROVAL`):
 * it has not reached its approval, it was decided already, it ended, or its deadline passed.
 */
export class RolloutNotAwaitingApprovalError extends ConflictError {
  constructor(rolloutId: string, detail: string) {
    super('ROLLOUT_NOT_AWAITING_APPROVAL', `Rollout ${rolloutId} is not awaiting approval: ${detail}.`);
  }
}

/**
 * A shift found the alias changed under the controller, and not to what it meant to write: the state
 * machine stops the rollout as `DRIFTED`, touching nothing.
 */
export class AliasDriftedError extends Error {
  override readonly name = ROLLOUT_ERRORS.aliasDrifted;
}
