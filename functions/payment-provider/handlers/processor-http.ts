import {
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../../shared/errors/app-error';
import { MALFORMED_JSON, type HttpErrorContext, type HttpResult } from '../../../shared/http';
import type { ProcessorAnswer } from '../application/answers';
import { IDEMPOTENT_REPLAYED_HEADER, type ProcessorErrorBody } from '../contracts/processor-api';
import { InternalProcessorError, InvalidRequestError, ProcessorError } from '../domain/errors';

/**
 * The processor's API is served by `httpHandler` (`shared/http`), which parses and validates its
 * requests, but it answers in the processor's own shape: a card processor is a third party, and its
 * errors are `{ error: { type, code, message, param? } }`, not the platform's body. Its handlers pass
 * `processorErrorResult` as `errorResult` and answer with `processorResult`.
 */

/** A use case's answer as `httpHandler`'s result: JSON, with `Idempotent-Replayed: true` on a replay. */
export function processorResult(answer: ProcessorAnswer): HttpResult {
  return {
    statusCode: answer.status,
    body: answer.body,
    ...(answer.replayed ? { headers: { [IDEMPOTENT_REPLAYED_HEADER]: 'true' } } : {}),
  };
}

/**
 * The `errorResult` of the processor's handlers. A `ProcessorError` is its own answer; a malformed
 * request is a 400 `invalid_request_error` (`parameter_missing`, `parameter_invalid`,
 * `parameter_unknown`, `invalid_json`), 413 or 415; anything else is a logged 500 `api_error` /
 * `internal_error`. `Retry-After` when the error knows it.
 */
export function processorErrorResult(
  thrown: unknown,
  { requestId, correlationId, logger }: HttpErrorContext,
): HttpResult {
  const error = processorErrorOf(thrown);
  if (error instanceof InternalProcessorError) {
    logger.error('request failed with an unexpected error', {
      error: thrown,
      correlationId,
      requestId,
      statusCode: error.status,
    });
  }
  const body: ProcessorErrorBody = { error: error.toErrorObject() };
  return {
    statusCode: error.status,
    body,
    ...(error.retryAfterSeconds === undefined
      ? {}
      : { headers: { 'Retry-After': String(error.retryAfterSeconds) } }),
  };
}

/** The processor's error for anything thrown while answering. */
export function processorErrorOf(error: unknown): ProcessorError {
  if (error instanceof ProcessorError) return error;
  if (error instanceof ValidationError) {
    if (error.code === MALFORMED_JSON) return new InvalidRequestError('invalid_json', error.message);
    const [first] = error.details;
    const code =
      first?.message === 'is required'
        ? 'parameter_missing'
        : first?.message === 'is not allowed'
          ? 'parameter_unknown'
          : 'parameter_invalid';
    return new InvalidRequestError(code, error.message, {
      ...(first === undefined || first.path === '' ? {} : { param: first.path }),
    });
  }
  if (error instanceof UnsupportedMediaTypeError) {
    return new InvalidRequestError('unsupported_media_type', error.message, { status: 415 });
  }
  if (error instanceof PayloadTooLargeError) {
    return new InvalidRequestError('payload_too_large', error.message, { status: 413 });
  }
  return new InternalProcessorError({ cause: error });
}
