import { AppError, DependencyUnavailableError, NotFoundError } from '../../../shared/errors/app-error';

/** No replica of a read's quorum holds the key (404 `SETTING_NOT_FOUND`). */
export class SettingNotFoundError extends NotFoundError {
  constructor(readonly key: string) {
    super(`No setting has the key ${key}.`, 'SETTING_NOT_FOUND');
  }
}

/** A value larger than a setting may be (413 `VALUE_TOO_LARGE`). */
export class ValueTooLargeError extends AppError {
  readonly kind = 'payload-too-large';
  constructor(limitBytes: number) {
    super('VALUE_TOO_LARGE', `value must be at most ${limitBytes} bytes once written as JSON.`, [
      { path: 'value', message: `is larger than ${limitBytes} bytes` },
    ]);
  }
}

/**
 * Fewer replicas answered a read than its quorum needs (503 `READ_QUORUM_NOT_REACHED`): the store
 * cannot say which version is the latest, so it says nothing rather than something stale.
 */
export class ReadQuorumError extends DependencyUnavailableError {
  constructor(answered: number, needed: number, options?: { cause?: unknown }) {
    super(
      'settings-replicas',
      `Only ${answered} of the ${needed} replicas a read needs answered; try again shortly.`,
      { ...options, retryAfterSeconds: 1 },
    );
  }
  override readonly code = 'READ_QUORUM_NOT_REACHED';
}

/**
 * Fewer replicas acknowledged a write than its quorum needs (503 `WRITE_QUORUM_NOT_REACHED`); the
 * replicas that took it had it taken back, so no read sees a write that was refused.
 */
export class WriteQuorumError extends DependencyUnavailableError {
  constructor(acknowledged: number, needed: number, options?: { cause?: unknown }) {
    super(
      'settings-replicas',
      `Only ${acknowledged} of the ${needed} replicas a write needs acknowledged it; nothing was changed. Try again shortly.`,
      { ...options, retryAfterSeconds: 1 },
    );
  }
  override readonly code = 'WRITE_QUORUM_NOT_REACHED';
}
