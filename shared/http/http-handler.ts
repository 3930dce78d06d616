import type * as z from 'zod';
import { logger as defaultLogger } from '../observability/logger';
import { withRequestContext } from '../observability/with-request-context';
import type { ApiGatewayProxyEvent, ApiGatewayProxyResult, LambdaContext } from './api-gateway-proxy';
import { CORRELATION_ID_HEADER, correlationIdOf, REQUEST_ID_HEADER } from './correlation-id';
import { errorResponse } from './error-response';
import { lowercaseHeaders } from './http-headers';
import { readJsonBody } from './parse-json-body';
import { decodedPathParameters, definedValues } from './parse-parameters';
import { parseWithSchema } from './parse-with-schema';
import { assertStrictSchema } from './strict-schema';
import type { AppLogger } from '../observability/app-logger';

type Parsed<S, Otherwise> = S extends z.ZodType ? z.output<S> : Otherwise;
type StringParameters = Readonly<Record<string, string>>;

/** What the use case receives: everything parsed and validated. */
export interface HttpRequest<TBody, TPath, TQuery> {
  readonly body: TBody;
  readonly pathParameters: TPath;
  readonly query: TQuery;
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly correlationId: string;
  readonly requestId: string;
  /** The raw event, for what the parsing leaves out, e.g. every value of a repeated header. */
  readonly event: ApiGatewayProxyEvent;
  readonly context: LambdaContext | undefined;
}

/** What the use case returns; `body` is sent as JSON (none when absent, e.g. for a 204). */
export interface HttpResult {
  readonly statusCode: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A use case's result once serialized: what an interceptor may store and replay as is. */
export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface HttpInvocation {
  readonly event: ApiGatewayProxyEvent;
  readonly context: LambdaContext | undefined;
  /** The body as parsed JSON, before the schema (`undefined` for handlers without a body). */
  readonly json: unknown;
  readonly requestId: string;
  readonly correlationId: string;
}

/**
 * Runs around the use case once the request is valid, e.g. `shared/idempotency`'s replay by
 * `Idempotency-Key`. It may call `proceed` (at most once), answer without it, or throw an `AppError`.
 */
export type HttpInterceptor = (
  invocation: HttpInvocation,
  proceed: () => Promise<HttpResponse>,
) => Promise<HttpResponse>;

/** What an error mapping is given besides the error. */
export interface HttpErrorContext {
  readonly requestId: string;
  readonly correlationId: string;
  /** The handler's logger: the mapping decides which failures are worth a log line. */
  readonly logger: AppLogger;
}

/**
 * Maps anything thrown while answering (a malformed request's `AppError`, the use case's or the
 * interceptor's errors, or anything else) to the answer, serialized like a use case's result; the
 * handler then adds `X-Request-Id` and `X-Correlation-Id`. It must not throw.
 */
export type HttpErrorMapping = (error: unknown, context: HttpErrorContext) => HttpResult;

export interface HttpHandlerOptions<TBody, TPath, TQuery> {
  /** Strict zod schema of the JSON body; when set, a body is required (unless `bodyOptional`). */
  readonly body?: TBody;
  /** With a `body` schema: an absent body is read as `{}` rather than refused. @default false */
  readonly bodyOptional?: boolean;
  /** Strict zod schema of the (URL-decoded) path parameters. */
  readonly pathParameters?: TPath;
  /** Strict zod schema of the query parameters. */
  readonly query?: TQuery;
  /** @default DEFAULT_MAX_BODY_BYTES (64 KB) */
  readonly maxBodyBytes?: number;
  readonly interceptor?: HttpInterceptor;
  /**
   * Checks the caller before anything of the request is read, throwing an `AppError` to refuse (e.g.
   * `staffOnly`): a route a customer may not use answers them 403 whatever they sent.
   */
  readonly authorize?: (event: ApiGatewayProxyEvent) => void;
  /** @default the container's logger from `shared/observability` */
  readonly logger?: AppLogger;
  /**
   * Maps any error to the answer, for an API whose errors have another shape than the platform's
   * (e.g. the simulated card processor's). @default platformErrorResult
   */
  readonly errorResult?: HttpErrorMapping;
}

export type ProxyHandler = (
  event: ApiGatewayProxyEvent,
  context?: LambdaContext,
) => Promise<ApiGatewayProxyResult>;

/**
 * Builds a Lambda proxy handler that parses and validates the request, calls `useCase`, and maps its
 * result (or any error, through `errorResult`: by default the one status table) to a JSON response
 * carrying `X-Request-Id` and `X-Correlation-Id`. Schemas are checked for strictness here, so a loose one fails at start-up.
 */
export function httpHandler<
  TBody extends z.ZodType | undefined = undefined,
  TPath extends z.ZodType | undefined = undefined,
  TQuery extends z.ZodType | undefined = undefined,
>(
  options: HttpHandlerOptions<TBody, TPath, TQuery>,
  useCase: (
    request: HttpRequest<
      Parsed<TBody, undefined>,
      Parsed<TPath, StringParameters>,
      Parsed<TQuery, StringParameters>
    >,
  ) => Promise<HttpResult>,
): ProxyHandler {
  const { body: bodySchema, pathParameters: pathSchema, query: querySchema, interceptor } = options;
  const logger = options.logger ?? defaultLogger;
  const errorResult = options.errorResult ?? platformErrorResult;
  if (bodySchema) assertStrictSchema(bodySchema, 'body');
  if (pathSchema) assertStrictSchema(pathSchema, 'path');
  if (querySchema) assertStrictSchema(querySchema, 'query');

  return async (event, context) => {
    const requestId = event.requestContext.requestId;
    const correlationId = correlationIdOf(event, requestId);
    // Every line logged while answering carries the request's ids and the ids its path names.
    return withRequestContext({ ...logKeysOf(event.pathParameters), correlationId, requestId }, () =>
      answer(event, context, requestId, correlationId),
    );
  };

  async function answer(
    event: ApiGatewayProxyEvent,
    context: LambdaContext | undefined,
    requestId: string,
    correlationId: string,
  ): Promise<ApiGatewayProxyResult> {
    const traceHeaders = { [REQUEST_ID_HEADER]: requestId, [CORRELATION_ID_HEADER]: correlationId };
    try {
      options.authorize?.(event);
      const rawPath = decodedPathParameters(event);
      const rawQuery = definedValues(event.queryStringParameters);
      const pathParameters = pathSchema ? parseWithSchema(pathSchema, rawPath, 'path') : rawPath;
      const query = querySchema ? parseWithSchema(querySchema, rawQuery, 'query') : rawQuery;
      const absent = event.body === null || event.body === '';
      const json = !bodySchema
        ? undefined
        : absent && options.bodyOptional
          ? {}
          : readJsonBody(event, { maxBodyBytes: options.maxBodyBytes });
      const body = bodySchema ? parseWithSchema(bodySchema, json, 'body') : undefined;
      // The generic body cannot narrow the conditional types; the parsing just above is what makes this true.
      const request = {
        body,
        pathParameters,
        query,
        headers: lowercaseHeaders(event),
        correlationId,
        requestId,
        event,
        context,
      } as HttpRequest<
        Parsed<TBody, undefined>,
        Parsed<TPath, StringParameters>,
        Parsed<TQuery, StringParameters>
      >;
      const proceed = async (): Promise<HttpResponse> => serialize(await useCase(request));
      const response = interceptor
        ? await interceptor({ event, context, json, requestId, correlationId }, proceed)
        : await proceed();
      return { ...response, headers: { ...response.headers, ...traceHeaders } };
    } catch (error) {
      const response = serialize(errorResult(error, { requestId, correlationId, logger }));
      return { ...response, headers: { ...response.headers, ...traceHeaders } };
    }
  }
}

/**
 * The default `errorResult`: the platform's one error body and status table (ARCHITECTURE.md §4); a
 * 500 is logged as an error, a 503 as a warning, with the error and the request's ids.
 */
export function platformErrorResult(
  error: unknown,
  { requestId, correlationId, logger }: HttpErrorContext,
): HttpResult {
  const failure = errorResponse(error, requestId);
  if (failure.statusCode >= 500) {
    const log = { error, correlationId, requestId, statusCode: failure.statusCode };
    if (failure.statusCode === 500) logger.error('request failed with an unexpected error', log);
    else logger.warn('request failed on an unavailable dependency', log);
  }
  return failure;
}

/** Log labels, not trusted input: the raw path parameters, cut short. */
const MAX_LOG_KEY_LENGTH = 128;
function logKeysOf(pathParameters: ApiGatewayProxyEvent['pathParameters']): Record<string, string> {
  return Object.fromEntries(
    Object.entries(pathParameters ?? {})
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
      .map(([name, value]) => [name, value.slice(0, MAX_LOG_KEY_LENGTH)]),
  );
}

function serialize(result: HttpResult): HttpResponse {
  if (result.body === undefined) {
    return { statusCode: result.statusCode, headers: { ...result.headers }, body: '' };
  }
  return {
    statusCode: result.statusCode,
    headers: { 'Content-Type': 'application/json', ...result.headers },
    body: JSON.stringify(result.body),
  };
}
