import { createHash } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { ConflictError, DependencyUnavailableError } from '../../shared/errors/app-error';
import type {
  ApiGatewayProxyEvent,
  ApiGatewayProxyResult,
  LambdaContext,
} from '../../shared/http/api-gateway-proxy';
import { httpHandler, type HttpRequest, type HttpResult } from '../../shared/http/http-handler';
import { httpIdempotency, type HttpIdempotencyOptions } from '../../shared/idempotency/http-idempotency';
import { isEventAlreadyProcessed } from '../../shared/idempotency/processed-event-marker';
import { useDynamoDbLocal } from '../support/dynamodb-local';
import { requestContextOf, TEST_CUSTOMER } from '../unit/http/proxy-event';
import type { AppLogger } from '../../shared/observability/app-logger';
import { silentLogger } from '../../shared/observability/app-logger';

const IDEMPOTENCY_TABLE = 'idempotency';
/** Who sends the requests: every command route is behind the authorizer, and keys are the caller's. */
const CALLER = TEST_CUSTOMER;
const OTHER_USER = 'usr_01JD0000000000000000000002';

let keyCount = 0;

const dynamo = useDynamoDbLocal();

beforeAll(async () => {
  // The key schema Powertools' DynamoDB persistence layer expects by default.
  await dynamo.createTable(IDEMPOTENCY_TABLE, { partitionKey: 'id' });
});

const CreateOrder = z.strictObject({
  customerId: z.string(),
  items: z.array(z.strictObject({ productId: z.string(), quantity: z.number().int().positive() })).min(1),
});
type CreateOrderRequest = HttpRequest<
  z.output<typeof CreateOrder>,
  Readonly<Record<string, string>>,
  unknown
>;

// Failures are expected here; their logging is covered by the unit tests.
const quietLogger: AppLogger = silentLogger;

const ORDER = { customerId: 'usr_1', items: [{ productId: 'prd_1', quantity: 2 }] };

function newKey(): string {
  keyCount += 1;
  return `key-${keyCount}-${Date.now()}`;
}

/** A command endpoint whose use case counts its executions and then behaves as `behaviour` says. */
function commandEndpoint(
  behaviour: (request: CreateOrderRequest, execution: number) => Promise<HttpResult>,
  options: Partial<HttpIdempotencyOptions> = {},
) {
  const executions: unknown[] = [];
  const handler = httpHandler(
    {
      body: CreateOrder,
      interceptor: httpIdempotency({ tableName: IDEMPOTENCY_TABLE, client: dynamo.client, ...options }),
      logger: quietLogger,
    },
    async (request) => {
      executions.push(request.body);
      return behaviour(request, executions.length);
    },
  );
  return { handler, executions };
}

const created = async (_request: CreateOrderRequest, execution: number): Promise<HttpResult> => ({
  statusCode: 201,
  body: { orderId: `ord_${execution}`, status: 'PENDING' },
  headers: { Location: `/orders/ord_${execution}` },
});

function request(
  key: string | undefined,
  body: unknown = ORDER,
  overrides: Partial<ApiGatewayProxyEvent> = {},
): ApiGatewayProxyEvent {
  keyCount += 1;
  return {
    resource: '/orders',
    path: '/orders',
    httpMethod: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Correlation-Id': `corr-${keyCount}`,
      ...(key === undefined ? {} : { 'Idempotency-Key': key }),
    },
    queryStringParameters: null,
    pathParameters: null,
    requestContext: requestContextOf(CALLER, `req-${keyCount}`),
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...overrides,
  };
}

function errorCode(result: ApiGatewayProxyResult): string {
  return (JSON.parse(result.body) as { error: { code: string } }).error.code;
}

/** A promise and the function that resolves it. */
function latch(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('HTTP idempotency on DynamoDB Local', () => {
  describe('replay', () => {
    it('replays status, body and headers for the same key and body, marked as a replay', async () => {
      // Prepare
      const { handler, executions } = commandEndpoint(created);
      const key = newKey();
      const first = await handler(request(key));
      // The same JSON, differently ordered and spaced.
      const sameBody = `{ "items": [ { "quantity": 2, "productId": "prd_1" } ], "customerId": "usr_1" }`;
      const retry = request(key, sameBody);

      // Act
      const second = await handler(retry);

      // Assess
      expect(executions).toHaveLength(1);
      expect(first.statusCode).toBe(201);
      expect(first.headers['Idempotent-Replayed']).toBeUndefined();
      expect(second.statusCode).toBe(201);
      expect(second.body).toBe(first.body);
      expect(second.headers).toEqual({
        'Content-Type': 'application/json',
        Location: '/orders/ord_1',
        'Idempotent-Replayed': 'true',
        // The replay answers this request: its own request and correlation ids.
        'X-Request-Id': retry.requestContext.requestId,
        'X-Correlation-Id': retry.headers?.['X-Correlation-Id'],
      });
    });

    it('stores the record under http#<hash of route, caller and key>, completed, expiring after 24 hours', async () => {
      // Prepare
      const { handler } = commandEndpoint(created);
      const key = newKey();
      const id = `http#${createHash('md5')
        .update(JSON.stringify([`POST /orders ${CALLER.userId}`, key]))
        .digest('base64')}`;

      // Act
      await handler(request(key));
      const { Item } = await dynamo.client.send(
        new GetItemCommand({ TableName: IDEMPOTENCY_TABLE, Key: { id: { S: id } } }),
      );

      // Assess
      expect(Item?.status).toEqual({ S: 'COMPLETED' });
      const expiresIn = Number(Item?.expiration?.N) - Date.now() / 1000;
      expect(expiresIn).toBeGreaterThan(24 * 3600 - 60);
      expect(expiresIn).toBeLessThanOrEqual(24 * 3600 + 1);
    });

    it('scopes a key by route: the same key on another resource executes anew', async () => {
      // Prepare
      const { handler, executions } = commandEndpoint(created);
      const key = newKey();
      await handler(request(key));

      // Act
      const other = await handler(request(key, ORDER, { resource: '/carts/{cartId}/checkout' }));

      // Assess
      expect(executions).toHaveLength(2);
      expect(other.statusCode).toBe(201);
      expect(other.headers['Idempotent-Replayed']).toBeUndefined();
    });

    it("scopes a key by caller: another caller's same key executes anew, and a request with no caller is a 401", async () => {
      // Prepare
      const { handler, executions } = commandEndpoint(created);
      const key = newKey();
      await handler(request(key));

      // Act
      const other = await handler(
        request(key, ORDER, { requestContext: requestContextOf({ userId: OTHER_USER, isStaff: false }) }),
      );
      const anonymous = await handler(request(key, ORDER, { requestContext: requestContextOf(undefined) }));

      // Assess
      expect(executions).toHaveLength(2);
      expect([other.statusCode, other.headers['Idempotent-Replayed']]).toEqual([201, undefined]);
      expect([anonymous.statusCode, errorCode(anonymous)]).toEqual([401, 'UNAUTHORIZED']);
    });
  });

  describe('key reuse', () => {
    it('answers 422 IDEMPOTENCY_KEY_REUSED for the same key with a different body, without executing', async () => {
      // Prepare
      const { handler, executions } = commandEndpoint(created);
      const key = newKey();
      await handler(request(key));

      // Act
      const reused = await handler(request(key, { ...ORDER, items: [{ productId: 'prd_1', quantity: 3 }] }));

      // Assess
      expect(reused.statusCode).toBe(422);
      expect(errorCode(reused)).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(executions).toHaveLength(1);
    });

    it('answers 422 for the same key and body on another resource id', async () => {
      // Prepare
      const { handler, executions } = commandEndpoint(created);
      const key = newKey();
      const onOrder = (orderId: string) =>
        request(key, ORDER, { resource: '/orders/{orderId}/lines', pathParameters: { orderId } });
      await handler(onOrder('ord_A'));

      // Act
      const reused = await handler(onOrder('ord_B'));

      // Assess
      expect(reused.statusCode).toBe(422);
      expect(executions).toHaveLength(1);
    });
  });

  describe('concurrent duplicates', () => {
    it('execute once: the duplicate in flight gets 409 IDEMPOTENCY_IN_PROGRESS with Retry-After', async () => {
      // Prepare
      const gate = latch();
      const started = latch();
      const { handler, executions } = commandEndpoint(async (request, execution) => {
        started.open();
        await gate.promise;
        return created(request, execution);
      });
      const key = newKey();

      // Act: both at once; the loser answers while the winner waits at the gate.
      const both = [handler(request(key)), handler(request(key))];
      await started.promise;
      const loser = await Promise.race(both);
      gate.open();
      const results = await Promise.all(both);
      const later = await handler(request(key));

      // Assess
      expect(executions).toHaveLength(1);
      expect(results.map((result) => result.statusCode).sort()).toEqual([201, 409]);
      expect(loser.statusCode).toBe(409);
      expect(errorCode(loser)).toBe('IDEMPOTENCY_IN_PROGRESS');
      expect(loser.headers['Retry-After']).toBe('1');
      expect(later.statusCode).toBe(201);
      expect(later.headers['Idempotent-Replayed']).toBe('true');
    });

    it('answer 422, not 409, to a different body under a key in flight', async () => {
      // Prepare
      const gate = latch();
      const started = latch();
      const { handler, executions } = commandEndpoint(async (request, execution) => {
        started.open();
        await gate.promise;
        return created(request, execution);
      });
      const key = newKey();
      const first = handler(request(key));
      await started.promise;

      // Act
      const different = await handler(request(key, { ...ORDER, customerId: 'usr_2' }));
      gate.open();
      await first;

      // Assess
      expect(different.statusCode).toBe(422);
      expect(executions).toHaveLength(1);
    });

    it('no longer block a key once the in-flight invocation has passed its deadline', async () => {
      // Prepare: an invocation with 30 ms left that never finishes, as if its Lambda had crashed.
      const gate = latch();
      const { handler, executions } = commandEndpoint(async (request, execution) => {
        if (execution === 1) await gate.promise;
        return created(request, execution);
      });
      const key = newKey();
      const dying: LambdaContext = { awsRequestId: 'dying', getRemainingTimeInMillis: () => 30 };
      const stuck = handler(request(key), dying);
      await new Promise((resolve) => setTimeout(resolve, 100));

      // Act
      const retry = await handler(request(key));

      // Assess
      expect(retry.statusCode).toBe(201);
      expect(executions).toHaveLength(2);
      gate.open();
      await stuck;
    });
  });

  describe('failed requests are not stored', () => {
    it.each<[string, () => Promise<HttpResult>, number]>([
      [
        'a thrown conflict (409)',
        async () => {
          throw new ConflictError('OUT_OF_STOCK', 'prd_1 is out of stock.');
        },
        409,
      ],
      [
        'a thrown unavailable dependency (503)',
        async () => {
          throw new DependencyUnavailableError('inventory', 'Inventory timed out.');
        },
        503,
      ],
      [
        'an unexpected error (500)',
        async () => {
          throw new Error('bug');
        },
        500,
      ],
      ['a returned 5xx', async () => ({ statusCode: 502, body: { error: 'upstream' } }), 502],
    ])('%s: a retry with the same key executes again', async (_case, failure, status) => {
      // Prepare
      const { handler, executions } = commandEndpoint((request, execution) =>
        execution === 1 ? failure() : created(request, execution),
      );
      const key = newKey();
      const failed = await handler(request(key));

      // Act
      const retried = await handler(request(key));

      // Assess
      expect(failed.statusCode).toBe(status);
      expect(retried.statusCode).toBe(201);
      expect(retried.headers['Idempotent-Replayed']).toBeUndefined();
      expect(executions).toHaveLength(2);
    });

    it('a body failing validation (400) never reaches the store: the key stays free for a corrected body', async () => {
      // Prepare
      const { handler, executions } = commandEndpoint(created);
      const key = newKey();
      const invalid = await handler(request(key, { ...ORDER, items: [] }));

      // Act
      const corrected = await handler(request(key, ORDER));

      // Assess
      expect(invalid.statusCode).toBe(400);
      expect(corrected.statusCode).toBe(201);
      expect(executions).toHaveLength(1);
    });

    it('a deliberate 4xx the use case returns is stored and replayed', async () => {
      // Prepare
      const { handler, executions } = commandEndpoint(async () => ({
        statusCode: 402,
        body: { outcome: 'PAYMENT_DECLINED' },
      }));
      const key = newKey();
      await handler(request(key));

      // Act
      const replayed = await handler(request(key));

      // Assess
      expect(replayed.statusCode).toBe(402);
      expect(replayed.headers['Idempotent-Replayed']).toBe('true');
      expect(executions).toHaveLength(1);
    });
  });

  describe('the Idempotency-Key header', () => {
    it('is required: 400 IDEMPOTENCY_KEY_MISSING without it', async () => {
      // Prepare
      const { handler, executions } = commandEndpoint(created);

      // Act
      const result = await handler(request(undefined));

      // Assess
      expect(result.statusCode).toBe(400);
      expect(errorCode(result)).toBe('IDEMPOTENCY_KEY_MISSING');
      expect(executions).toHaveLength(0);
    });

    it.each<[string, Partial<ApiGatewayProxyEvent>]>([
      ['empty', { headers: { 'Content-Type': 'application/json', 'Idempotency-Key': '' } }],
      [
        '256 characters',
        { headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'k'.repeat(256) } },
      ],
      ['a control character', { headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'a\tb' } }],
      ['non-ASCII', { headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'clé' } }],
      [
        'two different values',
        {
          headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'b' },
          multiValueHeaders: { 'Content-Type': ['application/json'], 'Idempotency-Key': ['a', 'b'] },
        },
      ],
    ])('is malformed when %s: 400 IDEMPOTENCY_KEY_INVALID', async (_case, overrides) => {
      // Prepare
      const { handler, executions } = commandEndpoint(created);

      // Act
      const result = await handler(request(undefined, ORDER, overrides));

      // Assess
      expect(result.statusCode).toBe(400);
      expect(errorCode(result)).toBe('IDEMPOTENCY_KEY_INVALID');
      expect(executions).toHaveLength(0);
    });

    it('accepts 255 printable characters, read case-insensitively', async () => {
      // Prepare
      const { handler } = commandEndpoint(created);
      const key = `${newKey()}-`.padEnd(255, 'k');

      // Act
      const result = await handler(
        request(undefined, ORDER, {
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
        }),
      );

      // Assess
      expect(result.statusCode).toBe(201);
    });

    it('may be optional: without it the request simply executes', async () => {
      // Prepare
      const { handler, executions } = commandEndpoint(created, { required: false });

      // Act
      const results = await Promise.all([handler(request(undefined)), handler(request(undefined))]);

      // Assess
      expect(results.map((result) => result.statusCode)).toEqual([201, 201]);
      expect(executions).toHaveLength(2);
    });
  });
});

describe('event consumers: a redelivery is recognized by its marker alone', () => {
  it('does not take any other error for a duplicate', () => {
    // Act
    const verdicts = [new Error('boom'), undefined, { name: 'TransactionCanceledException' }].map((error) =>
      isEventAlreadyProcessed(error, 0),
    );

    // Assess
    expect(verdicts).toEqual([false, false, false]);
  });
});
