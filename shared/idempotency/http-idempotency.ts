import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyInconsistentStateError,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DependencyUnavailableError } from '../errors/app-error';
import type { ApiGatewayProxyEvent, LambdaContext } from '../http/api-gateway-proxy';
import { callerScope } from '../http/caller';
import type { HttpInterceptor, HttpResponse } from '../http/http-handler';
import { IdempotencyInProgressError, IdempotencyKeyReusedError } from './errors';
import { readIdempotencyKey } from './idempotency-key';

export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';
/** A client retrying within a day gets its answer back; after that the key may be reused. */
export const DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS = 24 * 60 * 60;
/** Just above API Gateway's 29 s integration timeout: no client still waits on a request older than that. */
export const DEFAULT_IN_PROGRESS_TIMEOUT_MS = 30_000;

export interface HttpIdempotencyOptions {
  /** Table with partition key `id` (S) and TTL on `expiration`, as Powertools expects. */
  readonly tableName: string;
  /** Built once by the composition root (endpoint and credentials come from its environment). */
  readonly client: DynamoDBClient;
  /** A request without the header is a 400 when true, runs without idempotency when false. @default true */
  readonly required?: boolean;
  /** How long a completed response is replayed. @default DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS */
  readonly expiresAfterSeconds?: number;
  /** `Retry-After` on a 409 for a request still in flight. @default 1 */
  readonly inProgressRetryAfterSeconds?: number;
  /**
   * How long an in-flight record blocks its key when no Lambda context gives the remaining time; with
   * one, the function's own deadline is used, so a crashed invocation frees the key when it times out.
   * @default DEFAULT_IN_PROGRESS_TIMEOUT_MS
   */
  readonly inProgressTimeoutMs?: number;
  /** Prefix of the stored ids; fixed rather than the function name, which changes when CDK replaces it. @default 'http' */
  readonly keyPrefix?: string;
  /**
   * Whose keys they are, beside the route, so that two callers' keys never meet and no one can replay or
   * block another's request. It may throw (a 401), before any record is read.
   * @default callerScope - the verified caller's user id: every command route is behind the authorizer
   */
  readonly scopeOf?: (event: ApiGatewayProxyEvent) => string;
}

/** What Powertools hashes: `[route, key]` is the idempotency key, `request` must match on replay. */
interface FingerprintedRequest {
  readonly route: string;
  readonly key: string;
  readonly request: {
    readonly body: unknown;
    readonly pathParameters: Readonly<Record<string, string | undefined>>;
    readonly query: Readonly<Record<string, string | undefined>>;
  };
}

/**
 * `Idempotency-Key` for command endpoints on Powertools idempotency and its DynamoDB persistence layer,
 * as an `httpHandler` interceptor. The key is scoped by route (method + resource path) and caller; the same key and
 * request replay the stored response with `Idempotent-Replayed: true`; a different request under the key
 * is a 422, one still in flight a 409. Only responses the use case returned with a status below 500 are
 * stored: a thrown error (400, 404, 409, 422, 429, 503, 500…) or a returned 5xx deletes the in-flight
 * record, so the client may retry with the same key. See `shared/idempotency/README.md`.
 */
export function httpIdempotency(options: HttpIdempotencyOptions): HttpInterceptor {
  const required = options.required ?? true;
  const retryAfterSeconds = options.inProgressRetryAfterSeconds ?? 1;
  const inProgressTimeoutMs = options.inProgressTimeoutMs ?? DEFAULT_IN_PROGRESS_TIMEOUT_MS;
  // One persistence layer per endpoint: Powertools configures a layer once and ignores later configs.
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    awsSdkV3Client: options.client,
  });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: '[route, key]',
    payloadValidationJmesPath: 'request',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: options.expiresAfterSeconds ?? DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS,
    // Called only when a completed record is returned instead of running the use case.
    responseHook: (stored) => {
      const response = asHttpResponse(stored);
      return { ...response, headers: { ...response.headers, [IDEMPOTENT_REPLAYED_HEADER]: 'true' } };
    },
  });
  const runOnce = makeIdempotent(
    // The context argument is what makes Powertools register it and bound the in-flight record by it.
    async (
      _request: FingerprintedRequest,
      _context: LambdaContext,
      proceed: () => Promise<HttpResponse>,
    ): Promise<HttpResponse> => {
      const response = await proceed();
      if (response.statusCode >= 500) throw new UnstoredResponse(response);
      return response;
    },
    { persistenceStore, config, keyPrefix: options.keyPrefix ?? 'http' },
  );

  return async ({ event, context, json, requestId }, proceed) => {
    const scope = (options.scopeOf ?? callerScope)(event);
    const key = readIdempotencyKey(event, required);
    if (key === undefined) return proceed();
    const fingerprinted: FingerprintedRequest = {
      route: `${event.httpMethod.toUpperCase()} ${event.resource} ${scope}`,
      key,
      request: {
        body: json ?? null,
        pathParameters: event.pathParameters ?? {},
        query: event.queryStringParameters ?? {},
      },
    };
    const lambdaContext = context ?? {
      awsRequestId: requestId,
      getRemainingTimeInMillis: () => inProgressTimeoutMs,
    };
    try {
      return asHttpResponse(await runOnce(fingerprinted, lambdaContext, proceed));
    } catch (error) {
      if (error instanceof UnstoredResponse) return error.response;
      throw translate(error, retryAfterSeconds);
    }
  };
}

/** A returned 5xx: thrown through Powertools so that it deletes the record, then answered as is. */
class UnstoredResponse extends Error {
  constructor(readonly response: HttpResponse) {
    super(`status ${response.statusCode} is not stored`);
    this.name = 'UnstoredResponse';
  }
}

function translate(error: unknown, retryAfterSeconds: number): unknown {
  if (error instanceof IdempotencyValidationError) return new IdempotencyKeyReusedError({ cause: error });
  // An inconsistent state (the record expired or was replaced mid-check) resolves itself on a retry.
  if (
    error instanceof IdempotencyAlreadyInProgressError ||
    error instanceof IdempotencyInconsistentStateError
  ) {
    return new IdempotencyInProgressError(retryAfterSeconds, { cause: error });
  }
  if (error instanceof IdempotencyPersistenceLayerError) {
    return new DependencyUnavailableError(
      'idempotency-store',
      'The request could not be processed; retry it.',
      {
        cause: error,
      },
    );
  }
  return error;
}

function asHttpResponse(value: unknown): HttpResponse {
  if (
    typeof value === 'object' &&
    value !== null &&
    'statusCode' in value &&
    typeof value.statusCode === 'number' &&
    'body' in value &&
    typeof value.body === 'string' &&
    'headers' in value &&
    typeof value.headers === 'object' &&
    value.headers !== null
  ) {
    const headers = Object.fromEntries(
      Object.entries(value.headers).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    );
    return { statusCode: value.statusCode, headers, body: value.body };
  }
  throw new Error('the idempotency store returned a record that is not an HTTP response');
}
