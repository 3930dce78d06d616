import * as z from 'zod';
import {
  AppError,
  ConcurrencyError,
  ConflictError,
  DependencyUnavailableError,
  NotFoundError,
  UnprocessableError,
  ValidationError,
} from '../../../shared/errors/app-error';
import type { ApiGatewayProxyEvent } from '../../../shared/http/api-gateway-proxy';
import { HTTP_STATUS_BY_ERROR_KIND, INTERNAL_ERROR_MESSAGE } from '../../../shared/http/error-response';
import {
  httpHandler,
  platformErrorResult,
  type HttpErrorContext,
  type HttpResult,
} from '../../../shared/http/http-handler';
import { idSchema } from '../../../shared/http/id-schema';
import { logger } from '../../../shared/observability/logger';
import { DEFAULT_MAX_BODY_BYTES } from '../../../shared/http/parse-json-body';
import { errorBodyOf, jsonEvent, proxyEvent } from './proxy-event';
import type { AppLogger } from '../../../shared/observability/app-logger';

const ORDER_ID = 'ord_01JD0000000000000000000000';

class RecordingLogger implements AppLogger {
  debug(): void {
    // Not called by what this test exercises.
  }
  info(): void {
    // Not called by what this test exercises.
  }
  readonly entries: { level: 'error' | 'warn'; message: string; attributes: Record<string, unknown> }[] = [];
  error(message: string, attributes: Record<string, unknown>): void {
    this.entries.push({ level: 'error', message, attributes });
  }
  warn(message: string, attributes: Record<string, unknown>): void {
    this.entries.push({ level: 'warn', message, attributes });
  }
}

const Body = z.strictObject({ quantity: z.number().int().positive({ error: 'must be a positive integer' }) });

/** A handler whose use case throws `error`. */
function failingWith(error: unknown, logger = new RecordingLogger()) {
  return httpHandler({ logger }, async () => {
    throw error;
  });
}

describe('httpHandler', () => {
  describe('success', () => {
    it('gives the use case the parsed request and maps its result to a JSON proxy result', async () => {
      // Prepare
      let seen: unknown;
      const handler = httpHandler(
        {
          body: Body,
          pathParameters: z.strictObject({ orderId: idSchema('order') }),
          query: z.strictObject({ dryRun: z.enum(['true', 'false']).optional() }),
        },
        async (request) => {
          seen = request;
          return {
            statusCode: 201,
            body: { orderId: request.pathParameters.orderId },
            headers: { Location: '/x' },
          };
        },
      );
      const event = jsonEvent(
        { quantity: 2 },
        {
          pathParameters: { orderId: ORDER_ID },
          queryStringParameters: { dryRun: 'true' },
          headers: { 'Content-Type': 'application/json', 'X-Correlation-Id': 'corr-7', 'X-Custom': 'a' },
        },
      );

      // Act
      const result = await handler(event);

      // Assess
      expect(seen).toEqual({
        body: { quantity: 2 },
        pathParameters: { orderId: ORDER_ID },
        query: { dryRun: 'true' },
        headers: { 'content-type': 'application/json', 'x-correlation-id': 'corr-7', 'x-custom': 'a' },
        correlationId: 'corr-7',
        requestId: 'req-1',
        event,
        context: undefined,
      });
      expect(result).toEqual({
        statusCode: 201,
        headers: {
          'Content-Type': 'application/json',
          Location: '/x',
          'X-Request-Id': 'req-1',
          'X-Correlation-Id': 'corr-7',
        },
        body: JSON.stringify({ orderId: ORDER_ID }),
      });
    });

    it('sends no body and no Content-Type when the result has none', async () => {
      // Prepare
      const handler = httpHandler({}, async () => ({ statusCode: 204 }));

      // Act
      const result = await handler(proxyEvent({ httpMethod: 'DELETE' }));

      // Assess
      expect(result).toEqual({
        statusCode: 204,
        headers: { 'X-Request-Id': 'req-1', 'X-Correlation-Id': 'req-1' },
        body: '',
      });
    });

    it('passes raw, URL-decoded path and query parameters when no schema is given', async () => {
      // Prepare
      let seen: { pathParameters: unknown; query: unknown } | undefined;
      const handler = httpHandler({}, async (request) => {
        seen = request;
        return { statusCode: 200, body: {} };
      });

      // Act
      await handler(
        proxyEvent({
          pathParameters: { name: 'a%20b' },
          queryStringParameters: { q: 'x y', gone: undefined },
        }),
      );

      // Assess
      expect(seen?.pathParameters).toEqual({ name: 'a b' });
      expect(seen?.query).toEqual({ q: 'x y' });
    });
  });

  describe('the status table', () => {
    it.each<[string, AppError, number, string]>([
      ['validation', new ValidationError('x is required'), 400, 'VALIDATION_FAILED'],
      [
        'not found',
        new NotFoundError('Order ord_1 does not exist.', 'ORDER_NOT_FOUND'),
        404,
        'ORDER_NOT_FOUND',
      ],
      ['conflict', new ConflictError('ORDER_SHIPPED', 'The order has shipped.'), 409, 'ORDER_SHIPPED'],
      [
        'concurrency',
        new ConcurrencyError('Someone else changed the order.'),
        409,
        'CONCURRENT_MODIFICATION',
      ],
      [
        'unprocessable',
        new UnprocessableError('UNKNOWN_PRODUCT', 'prd_1 is unknown.'),
        422,
        'UNKNOWN_PRODUCT',
      ],
      [
        'unavailable',
        new DependencyUnavailableError('payments', 'Payments are down.'),
        503,
        'DEPENDENCY_UNAVAILABLE',
      ],
    ])('answers a %s error with its status and the one body shape', async (_kind, error, status, code) => {
      // Prepare
      const handler = failingWith(error);

      // Act
      const result = await handler(proxyEvent());

      // Assess
      expect(result.statusCode).toBe(status);
      expect(result.headers['Content-Type']).toBe('application/json');
      expect(errorBodyOf(result)).toEqual({ error: { code, message: error.message }, requestId: 'req-1' });
    });

    it('answers a too-large body with 413 and a non-JSON body with 415', async () => {
      // Prepare
      const handler = httpHandler({ body: Body }, async () => ({ statusCode: 200 }));
      const tooLarge = proxyEvent({ body: `{"quantity": 1${' '.repeat(DEFAULT_MAX_BODY_BYTES)}}` });
      const notJson = jsonEvent({ quantity: 1 }, { headers: { 'Content-Type': 'text/plain' } });

      // Act
      const results = await Promise.all([handler(tooLarge), handler(notJson)]);

      // Assess
      expect(results.map((result) => [result.statusCode, errorBodyOf(result).error.code])).toEqual([
        [413, 'PAYLOAD_TOO_LARGE'],
        [415, 'UNSUPPORTED_MEDIA_TYPE'],
      ]);
    });

    it('maps every error kind to a status', () => {
      // Assess: the table is total over AppError kinds, as the compiler also checks.
      expect(Object.values(HTTP_STATUS_BY_ERROR_KIND).sort()).toEqual([
        400, 401, 403, 404, 409, 409, 413, 415, 422, 503,
      ]);
    });

    it('includes details only when there are some', async () => {
      // Prepare
      const handler = httpHandler({ body: Body }, async () => ({ statusCode: 200 }));

      // Act
      const result = await handler(jsonEvent({ quantity: 0, extra: true }));

      // Assess
      expect(result.statusCode).toBe(400);
      expect(errorBodyOf(result)).toEqual({
        error: {
          code: 'VALIDATION_FAILED',
          message: 'quantity must be a positive integer (and 1 more problems, see details)',
          details: [
            { path: 'quantity', message: 'must be a positive integer' },
            { path: 'extra', message: 'is not allowed' },
          ],
        },
        requestId: 'req-1',
      });
    });

    it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
      // Prepare
      const handler = httpHandler({ body: Body }, async () => ({ statusCode: 200 }));

      // Act
      const result = await handler(proxyEvent({ body: '{"quantity":' }));

      // Assess
      expect(result.statusCode).toBe(400);
      expect(errorBodyOf(result).error.code).toBe('MALFORMED_JSON');
    });
  });

  describe('Retry-After', () => {
    it('is rounded up to whole seconds', async () => {
      // Act
      const result = await failingWith(
        new DependencyUnavailableError('payments', 'Circuit open.', { retryAfterSeconds: 2.2 }),
      )(proxyEvent());

      // Assess
      expect(result.headers['Retry-After']).toBe('3');
    });

    it('is sent on 503 only when known', async () => {
      // Prepare
      const known = new DependencyUnavailableError('payments', 'Circuit open.', { retryAfterSeconds: 30 });
      const unknown = new DependencyUnavailableError('payments', 'Timed out.');

      // Act
      const results = await Promise.all([
        failingWith(known)(proxyEvent()),
        failingWith(unknown)(proxyEvent()),
      ]);

      // Assess
      expect(results.map((result) => [result.statusCode, result.headers['Retry-After']])).toEqual([
        [503, '30'],
        [503, undefined],
      ]);
    });

    it('is sent for any AppError that carries retryAfterSeconds, e.g. a 409 in progress', async () => {
      // Prepare
      class StillRunningError extends ConflictError {
        readonly retryAfterSeconds = 2;
      }

      // Act
      const result = await failingWith(new StillRunningError('IN_PROGRESS', 'Still running.'))(proxyEvent());

      // Assess
      expect([result.statusCode, result.headers['Retry-After']]).toEqual([409, '2']);
    });
  });

  describe('unknown errors', () => {
    it('answer 500 with a generic message, never the internal message or a stack trace', async () => {
      // Prepare
      const cause = new Error('connect ECONNREFUSED 10.0.0.7:5432 password=hunter2');
      const handler = failingWith(new TypeError('Cannot read properties of undefined', { cause }));

      // Act
      const result = await handler(proxyEvent());

      // Assess
      expect(result.statusCode).toBe(500);
      expect(errorBodyOf(result)).toEqual({
        error: { code: 'INTERNAL_ERROR', message: INTERNAL_ERROR_MESSAGE },
        requestId: 'req-1',
      });
      expect(result.body).not.toMatch(/Cannot read|ECONNREFUSED|hunter2|at .*\.ts:\d+|TypeError/);
    });

    it('are logged with their cause, the correlation id and the request id', async () => {
      // Prepare
      const logger = new RecordingLogger();
      const error = new Error('boom', { cause: new Error('root cause') });
      const event = proxyEvent({ headers: { 'X-Correlation-Id': 'corr-9' } });

      // Act
      await failingWith(error, logger)(event);

      // Assess
      expect(logger.entries).toEqual([
        {
          level: 'error',
          message: 'request failed with an unexpected error',
          attributes: { error, correlationId: 'corr-9', requestId: 'req-1', statusCode: 500 },
        },
      ]);
      expect((logger.entries[0]?.attributes.error as Error).cause).toEqual(new Error('root cause'));
    });

    it('answer 500 for a thrown non-Error too', async () => {
      // Act
      const result = await failingWith('a string')(proxyEvent());

      // Assess
      expect(result.statusCode).toBe(500);
      expect(result.body).not.toContain('a string');
    });

    it('are not confused with client errors, which are not logged as failures', async () => {
      // Prepare
      const logger = new RecordingLogger();

      // Act
      await failingWith(new NotFoundError('gone'), logger)(proxyEvent());
      await failingWith(new DependencyUnavailableError('payments', 'down'), logger)(proxyEvent());

      // Assess
      expect(logger.entries.map((entry) => entry.level)).toEqual(['warn']);
    });
  });

  describe('correlation id', () => {
    it.each<[string, Record<string, string> | null, string]>([
      ['echoes a valid X-Correlation-Id', { 'X-Correlation-Id': 'order-flow 42' }, 'order-flow 42'],
      ['finds it whatever the header case', { 'x-correlation-id': 'abc' }, 'abc'],
      ['accepts 128 characters', { 'X-Correlation-Id': 'c'.repeat(128) }, 'c'.repeat(128)],
      ['ignores 129 characters', { 'X-Correlation-Id': 'c'.repeat(129) }, 'req-1'],
      ['ignores control characters', { 'X-Correlation-Id': 'abc\r\nSet-Cookie: x' }, 'req-1'],
      ['ignores non-ASCII', { 'X-Correlation-Id': 'commande-é' }, 'req-1'],
      ['ignores an empty value', { 'X-Correlation-Id': '  ' }, 'req-1'],
      ['falls back to the request id without a header', null, 'req-1'],
    ])('%s', async (_case, headers, expected) => {
      // Prepare
      let seen: string | undefined;
      const handler = httpHandler({}, async (request): Promise<HttpResult> => {
        seen = request.correlationId;
        return { statusCode: 200, body: {} };
      });

      // Act
      const result = await handler(proxyEvent({ headers }));

      // Assess
      expect(seen).toBe(expected);
      expect(result.headers['X-Correlation-Id']).toBe(expected);
      expect(result.headers['X-Request-Id']).toBe('req-1');
    });

    it('is echoed on error responses, with the request id', async () => {
      // Prepare
      const event: ApiGatewayProxyEvent = proxyEvent({
        headers: { 'X-Correlation-Id': 'corr-1' },
        requestContext: { requestId: 'req-42' },
      });

      // Act
      const result = await failingWith(new Error('boom'))(event);

      // Assess
      expect(result.headers).toMatchObject({ 'X-Correlation-Id': 'corr-1', 'X-Request-Id': 'req-42' });
      expect(errorBodyOf(result).requestId).toBe('req-42');
    });

    it('cannot be overwritten by the use case', async () => {
      // Prepare
      const handler = httpHandler({}, async () => ({
        statusCode: 200,
        headers: { 'X-Correlation-Id': 'forged', 'X-Request-Id': 'forged' },
      }));

      // Act
      const result = await handler(proxyEvent({ headers: { 'X-Correlation-Id': 'corr-1' } }));

      // Assess
      expect(result.headers).toMatchObject({ 'X-Correlation-Id': 'corr-1', 'X-Request-Id': 'req-1' });
    });
  });

  describe('path and query parameters', () => {
    const handler = httpHandler(
      {
        pathParameters: z.strictObject({ orderId: idSchema('order') }),
        query: z.strictObject({ limit: z.coerce.number().int().min(1).max(100).optional() }),
      },
      async (request) => ({ statusCode: 200, body: request }),
    );

    it('answers a malformed id with 400 naming the parameter, not 404', async () => {
      // Act
      const result = await handler(
        proxyEvent({ httpMethod: 'GET', pathParameters: { orderId: 'ord_nope' } }),
      );

      // Assess
      expect(result.statusCode).toBe(400);
      expect(errorBodyOf(result).error).toEqual({
        code: 'VALIDATION_FAILED',
        message: 'orderId must be an order id (ord_ followed by a ULID)',
        details: [{ path: 'orderId', message: 'must be an order id (ord_ followed by a ULID)' }],
      });
    });

    it('answers an id of another kind with 400', async () => {
      // Act
      const result = await handler(
        proxyEvent({ httpMethod: 'GET', pathParameters: { orderId: 'prd_01JD0000000000000000000000' } }),
      );

      // Assess
      expect(result.statusCode).toBe(400);
    });

    it('answers broken URL encoding with 400', async () => {
      // Act
      const result = await handler(
        proxyEvent({ httpMethod: 'GET', pathParameters: { orderId: 'ord_%E0%A4%A' } }),
      );

      // Assess
      expect(result.statusCode).toBe(400);
      expect(errorBodyOf(result).error.details).toEqual([
        { path: 'orderId', message: 'is not valid URL encoding' },
      ]);
    });

    it('coerces query values and rejects out-of-range and unknown ones', async () => {
      // Prepare
      const base = { httpMethod: 'GET', pathParameters: { orderId: ORDER_ID } };

      // Act
      const ok = await handler(proxyEvent({ ...base, queryStringParameters: { limit: '10' } }));
      const outOfRange = await handler(proxyEvent({ ...base, queryStringParameters: { limit: '1000' } }));
      const unknown = await handler(proxyEvent({ ...base, queryStringParameters: { sort: 'asc' } }));

      // Assess
      expect(JSON.parse(ok.body)).toMatchObject({ query: { limit: 10 } });
      expect(errorBodyOf(outOfRange).error.details).toEqual([
        { path: 'limit', message: 'must be at most 100' },
      ]);
      expect(errorBodyOf(unknown).error.details).toEqual([{ path: 'sort', message: 'is not allowed' }]);
    });
  });

  describe('construction', () => {
    it('refuses a body schema that would silently drop unknown fields', () => {
      // Act
      const build = () =>
        httpHandler({ body: z.object({ quantity: z.number() }) }, async () => ({ statusCode: 200 }));

      // Assess
      expect(build).toThrow(
        /body schema accepts unknown fields at body: build that object with z.strictObject/,
      );
    });

    it('accepts strict objects behind optional, union, pipe and lazy wrappers', () => {
      // Prepare
      const Line = z.strictObject({ sku: z.string() });
      const schema = z.strictObject({
        lines: z.array(Line).optional(),
        either: z.union([Line, z.strictObject({ id: z.string() })]).nullable(),
        piped: Line.transform((line) => line.sku),
        lazy: z.lazy(() => Line),
      });

      // Act
      const build = () => httpHandler({ body: schema }, async () => ({ statusCode: 200 }));

      // Assess
      expect(build).not.toThrow();
    });

    it('refuses a loose object nested in a union', () => {
      // Prepare
      const schema = z.strictObject({
        either: z.union([z.strictObject({}), z.looseObject({ a: z.string() })]),
      });

      // Act
      const build = () => httpHandler({ body: schema }, async () => ({ statusCode: 200 }));

      // Assess
      expect(build).toThrow(/at body\.either/);
    });
  });

  describe('body', () => {
    it('reads an absent body as {} when bodyOptional, and refuses it otherwise', async () => {
      // Prepare
      const Optional = z.strictObject({ quantity: z.number().optional() });
      const echo = async (request: { body: unknown }): Promise<HttpResult> => ({
        statusCode: 200,
        body: request.body,
      });
      const optional = httpHandler({ body: Optional, bodyOptional: true }, echo);
      const required = httpHandler({ body: Optional }, echo);

      // Act
      const results = await Promise.all([
        optional(proxyEvent({ body: null })),
        optional(proxyEvent({ body: '' })),
        optional(jsonEvent({ quantity: 1 })),
        required(proxyEvent({ body: null })),
      ]);

      // Assess
      expect(results.map((result) => [result.statusCode, result.body])).toEqual([
        [200, '{}'],
        [200, '{}'],
        [200, '{"quantity":1}'],
        [400, expect.stringContaining('body is required')],
      ]);
    });
  });

  describe('errorResult', () => {
    /** A third party's error shape, recording what it was given. */
    function customMapping() {
      const calls: { error: unknown; context: HttpErrorContext }[] = [];
      const errorResult = (error: unknown, context: HttpErrorContext): HttpResult => {
        calls.push({ error, context });
        const code = error instanceof AppError ? error.code : 'boom';
        return { statusCode: 418, body: { fault: { code } }, headers: { 'X-Fault': 'yes' } };
      };
      return { calls, errorResult };
    }

    it('maps a validation error in its own shape, with the trace headers the handler adds', async () => {
      // Prepare
      const { calls, errorResult } = customMapping();
      const logger = new RecordingLogger();
      const handler = httpHandler({ body: Body, errorResult, logger }, async () => ({ statusCode: 200 }));

      // Act
      const result = await handler(
        jsonEvent(
          { quantity: 0 },
          { headers: { 'Content-Type': 'application/json', 'X-Correlation-Id': 'c-1' } },
        ),
      );

      // Assess
      expect(result).toEqual({
        statusCode: 418,
        headers: {
          'Content-Type': 'application/json',
          'X-Fault': 'yes',
          'X-Request-Id': 'req-1',
          'X-Correlation-Id': 'c-1',
        },
        body: JSON.stringify({ fault: { code: 'VALIDATION_FAILED' } }),
      });
      expect(calls).toEqual([
        {
          error: expect.any(ValidationError),
          context: { requestId: 'req-1', correlationId: 'c-1', logger },
        },
      ]);
    });

    it('maps an AppError thrown by the use case, and leaves logging to the mapping', async () => {
      // Prepare
      const { calls, errorResult } = customMapping();
      const logger = new RecordingLogger();
      const error = new DependencyUnavailableError('payments', 'down');
      const handler = httpHandler({ errorResult, logger }, async () => {
        throw error;
      });

      // Act
      const result = await handler(proxyEvent());

      // Assess
      expect(result.statusCode).toBe(418);
      expect(JSON.parse(result.body)).toEqual({ fault: { code: 'DEPENDENCY_UNAVAILABLE' } });
      expect(calls.map((call) => call.error)).toEqual([error]);
      expect(logger.entries).toEqual([]);
    });

    it('defaults to the platform error body, status table and logging', async () => {
      // Prepare
      const error = new DependencyUnavailableError('payments', 'down', { retryAfterSeconds: 5 });
      const byDefault = new RecordingLogger();
      const explicit = new RecordingLogger();
      const throwing = async (): Promise<HttpResult> => {
        throw error;
      };

      // Act
      const defaulted = await httpHandler({ logger: byDefault }, throwing)(proxyEvent());
      const platform = await httpHandler(
        { logger: explicit, errorResult: platformErrorResult },
        throwing,
      )(proxyEvent());

      // Assess
      expect(defaulted).toEqual({
        statusCode: 503,
        headers: {
          'Content-Type': 'application/json',
          'Retry-After': '5',
          'X-Request-Id': 'req-1',
          'X-Correlation-Id': 'req-1',
        },
        body: JSON.stringify({
          error: { code: 'DEPENDENCY_UNAVAILABLE', message: 'down' },
          requestId: 'req-1',
        }),
      });
      expect(platform).toEqual(defaulted);
      expect(byDefault.entries.map((entry) => entry.level)).toEqual(['warn']);
      expect(explicit.entries).toEqual(byDefault.entries);
    });
  });

  describe('interceptor', () => {
    it('runs around the use case with the raw JSON and may answer in its place', async () => {
      // Prepare
      let useCaseCalls = 0;
      const seen: unknown[] = [];
      const handler = httpHandler(
        {
          body: Body,
          interceptor: async (invocation, proceed) => {
            seen.push(invocation.json);
            const first = await proceed();
            return { ...first, headers: { ...first.headers, 'X-Intercepted': 'yes' } };
          },
        },
        async () => {
          useCaseCalls += 1;
          return { statusCode: 200, body: { ok: true } };
        },
      );

      // Act
      const result = await handler(jsonEvent({ quantity: 3 }));

      // Assess
      expect(useCaseCalls).toBe(1);
      expect(seen).toEqual([{ quantity: 3 }]);
      expect(result.headers).toMatchObject({ 'X-Intercepted': 'yes', 'X-Request-Id': 'req-1' });
    });

    it('is not reached by an invalid request', async () => {
      // Prepare
      const interceptor = jest.fn();
      const handler = httpHandler({ body: Body, interceptor }, async () => ({ statusCode: 200 }));

      // Act
      const result = await handler(jsonEvent({ quantity: -1 }));

      // Assess
      expect(result.statusCode).toBe(400);
      expect(interceptor).not.toHaveBeenCalled();
    });
  });

  describe('log context', () => {
    it('labels every line logged while answering with the correlation id, request id and path ids, and none after', async () => {
      // Prepare
      const written: string[] = [];
      const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
      const handler = httpHandler({}, async () => {
        logger.info('cancelling');
        return { statusCode: 202 };
      });

      // Act
      try {
        await handler(
          proxyEvent({
            headers: { 'X-Correlation-Id': 'cor-42' },
            pathParameters: { orderId: 'ord_42' },
          }),
        );
        logger.info('after the request');
      } finally {
        spy.mockRestore();
      }

      // Assess
      const [during, after] = written
        .join('')
        .split('\n')
        .filter((line) => line.trim().length > 0)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(during).toMatchObject({
        message: 'cancelling',
        correlationId: 'cor-42',
        requestId: 'req-1',
        orderId: 'ord_42',
      });
      expect(after).not.toHaveProperty('orderId');
      expect(after).not.toHaveProperty('correlationId');
    });
  });
});
