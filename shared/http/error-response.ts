import { AppError, type ErrorDetail } from '../errors/app-error';

/** The one mapping from error kind to HTTP status (ARCHITECTURE.md §4). */
export const HTTP_STATUS_BY_ERROR_KIND: Readonly<Record<AppError['kind'], number>> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  concurrency: 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  unprocessable: 422,
  'dependency-unavailable': 503,
};

export const INTERNAL_ERROR_CODE = 'INTERNAL_ERROR';
/** The whole message of a 500: what went wrong inside is for the logs, never for the client. */
export const INTERNAL_ERROR_MESSAGE = 'An unexpected error occurred. Quote the requestId when reporting it.';

export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details?: readonly ErrorDetail[];
  };
  readonly requestId: string;
}

export interface ErrorResponse {
  readonly statusCode: number;
  /** `Retry-After` when the error knows it (any `AppError` with `retryAfterSeconds`). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ErrorBody;
}

/** The status, headers and body answering `error`; anything not an `AppError` is a generic 500. */
export function errorResponse(error: unknown, requestId: string): ErrorResponse {
  if (!(error instanceof AppError)) {
    return {
      statusCode: 500,
      headers: {},
      body: { error: { code: INTERNAL_ERROR_CODE, message: INTERNAL_ERROR_MESSAGE }, requestId },
    };
  }
  const statusCode = HTTP_STATUS_BY_ERROR_KIND[error.kind];
  const retryAfter = retryAfterSeconds(error);
  return {
    statusCode,
    headers: retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) },
    body: {
      error: {
        code: error.code,
        message: error.message,
        ...(error.details.length > 0 ? { details: error.details } : {}),
      },
      requestId,
    },
  };
}

function retryAfterSeconds(error: AppError): number | undefined {
  const known = 'retryAfterSeconds' in error ? error.retryAfterSeconds : undefined;
  // Retry-After takes whole seconds; rounding up never invites a client back too early.
  if (typeof known === 'number' && Number.isFinite(known)) return Math.max(0, Math.ceil(known));
  return undefined;
}
