import { ValidationError, type ErrorDetail } from '../../../shared/errors/app-error';

/** The error name the rollout's `Start` step ends with on a request it cannot carry out. */
export const INVALID_ROLLOUT = 'InvalidRollout';

/**
 * A rollout request that cannot be carried out: a target that is the current version or `$LATEST`, steps
 * that do not climb to 100, an alias that already routes to two versions. Nothing was written; no retry
 * can mend it.
 */
export class InvalidRolloutError extends ValidationError {
  override readonly name = INVALID_ROLLOUT;

  constructor(message: string, details: readonly ErrorDetail[] = []) {
    super(message, details, 'INVALID_ROLLOUT');
  }
}
