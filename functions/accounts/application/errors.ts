import { ValidationError } from '../../../shared/errors/app-error';

/** A list cursor that this API did not issue, or that was altered (400 `INVALID_CURSOR`). */
export class InvalidCursorError extends ValidationError {
  constructor() {
    super(
      'cursor is not a cursor this API issued: pass nextCursor back unchanged.',
      [{ path: 'cursor', message: 'is invalid' }],
      'INVALID_CURSOR',
    );
  }
}
