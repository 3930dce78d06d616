import type { z } from 'zod';
import {
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../../shared/errors/app-error';
import {
  assertStrictSchema,
  correlationIdOf,
  CORRELATION_ID_HEADER,
  MALFORMED_JSON,
  parseWithSchema,
  readJsonBody,
  REQUEST_ID_HEADER,
  type ApiGatewayProxyEvent,
  type HttpLogger,
  type ProxyHandler,
} from '../../../shared/http';
import { decodedPathParameters, definedValues } from '../../../shared/http/parse-parameters';
import { logger as defaultLogger } from '../../../shared/observability/logger';
import type { ProcessorAnswer } from '../application/answers';
import { IDEMPOTENT_REPLAYED_HEADER, type ProcessorErrorBody } from '../contracts/processor-api';
import { InternalProcessorError, InvalidRequestError, ProcessorError } from '../domain/errors';

type Parsed<S, Otherwise> = S extends z.ZodType ? z.output<S> : Otherwise;
type StringParameters = Readonly<Record<string, string>>;

/** What a use case of the processor's API receives: everything parsed and validated. */
export interface ProcessorRequest<TBody, TPath, TQuery> {
  readonly body: TBody;
  readonly pathParameters: TPath;
  readonly query: TQuery;
  /** The raw event, for headers such as `Idempotency-Key`. */
  readonly event: ApiGatewayProxyEvent;
  readonly requestId: string;
  readonly correlationId: string;
  /** The invocation's remaining time, when run by Lambda. */
  readonly remainingTimeMs?: number;
}

export interface ProcessorHandlerOptions<TBody, TPath, TQuery> {
  /** Strict zod schema of the JSON body. */
  readonly body?: TBody;
  /** An absent body is read as `{}` rather than refused. @default false */
  readonly bodyOptional?: boolean;
  /** Strict zod schema of the (URL-decoded) path parameters. */
  readonly pathParameters?: TPath;
  /** Strict zod schema of the query parameters. */
  readonly query?: TQuery;
  /** @default the container's logger from `shared/observability` */
  readonly logger?: HttpLogger;
}

/**
 * A Lambda proxy handler for the processor's API. It parses requests with the platform's `shared/http`
 * pieces, but answers in the processor's own shape: a card processor is a third party, and its errors
 * are `{ error: { type, code, message, param? } }`, not the platform's body (which is why
 * `httpHandler`, whose error mapping is the platform's, is not used here). A `ProcessorError` is its
 * own answer; a malformed request is a 400 `invalid_request_error` (`parameter_missing`,
 * `parameter_invalid`, `parameter_unknown`, `invalid_json`), 413 or 415; anything else is a logged 500
 * `api_error` / `internal_error`.
 */
export function processorHandler<
  TBody extends z.ZodType | undefined = undefined,
  TPath extends z.ZodType | undefined = undefined,
  TQuery extends z.ZodType | undefined = undefined,
>(
  options: ProcessorHandlerOptions<TBody, TPath, TQuery>,
  useCase: (
    request: ProcessorRequest<
      Parsed<TBody, undefined>,
      Parsed<TPath, StringParameters>,
      Parsed<TQuery, StringParameters>
    >,
  ) => Promise<ProcessorAnswer>,
): ProxyHandler {
  const { body: bodySchema, pathParameters: pathSchema, query: querySchema } = options;
  const logger = options.logger ?? defaultLogger;
  if (bodySchema) assertStrictSchema(bodySchema, 'body');
  if (pathSchema) assertStrictSchema(pathSchema, 'path');
  if (querySchema) assertStrictSchema(querySchema, 'query');

  return async (event, context) => {
    const requestId = event.requestContext.requestId;
    const correlationId = correlationIdOf(event, requestId);
    const traceHeaders = { [REQUEST_ID_HEADER]: requestId, [CORRELATION_ID_HEADER]: correlationId };
    try {
      const rawPath = decodedPathParameters(event);
      const rawQuery = definedValues(event.queryStringParameters);
      const pathParameters = pathSchema ? parseWithSchema(pathSchema, rawPath, 'path') : rawPath;
      const query = querySchema ? parseWithSchema(querySchema, rawQuery, 'query') : rawQuery;
      const absent = event.body === null || event.body === '';
      const json = !bodySchema ? undefined : absent && options.bodyOptional ? {} : readJsonBody(event);
      const body = bodySchema ? parseWithSchema(bodySchema, json, 'body') : undefined;
      // The generic body cannot narrow the conditional types; the parsing just above is what makes this true.
      const request = {
        body,
        pathParameters,
        query,
        event,
        requestId,
        correlationId,
        ...(context === undefined ? {} : { remainingTimeMs: context.getRemainingTimeInMillis() }),
      } as ProcessorRequest<
        Parsed<TBody, undefined>,
        Parsed<TPath, StringParameters>,
        Parsed<TQuery, StringParameters>
      >;
      const answer = await useCase(request);
      return {
        statusCode: answer.status,
        headers: {
          'Content-Type': 'application/json',
          ...(answer.replayed ? { [IDEMPOTENT_REPLAYED_HEADER]: 'true' } : {}),
          ...traceHeaders,
        },
        body: JSON.stringify(answer.body),
      };
    } catch (thrown) {
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
        headers: {
          'Content-Type': 'application/json',
          ...(error.retryAfterSeconds === undefined
            ? {}
            : { 'Retry-After': String(error.retryAfterSeconds) }),
          ...traceHeaders,
        },
        body: JSON.stringify(body),
      };
    }
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
