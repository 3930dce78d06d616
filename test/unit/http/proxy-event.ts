import type { ApiGatewayProxyEvent, ApiGatewayProxyResult } from '../../../shared/http/api-gateway-proxy';
import { GROUPS_CLAIM, STAFF_GROUP, USER_ID_CLAIM } from '../../../shared/http/caller';
import type { Requester } from '../../../shared/identity/requester';

/** The caller of `proxyEvent`'s requests unless a test names another: a customer. */
export const TEST_CUSTOMER: Requester = { userId: 'usr_01JD0000000000000000000001', isStaff: false };
export const TEST_STAFF: Requester = { userId: 'usr_01JD00000000000000000000S7', isStaff: true };

/**
 * The request context API Gateway's Cognito authorizer passes for `caller`: the token's claims, groups
 * flattened to a string; `undefined` for a request that reached the function with no identity.
 */
export function requestContextOf(
  caller: Requester | undefined,
  requestId = 'req-1',
): ApiGatewayProxyEvent['requestContext'] {
  if (caller === undefined) return { requestId };
  return {
    requestId,
    authorizer: {
      claims: {
        sub: 'c0ffee00-0000-4000-8000-000000000001',
        [USER_ID_CLAIM]: caller.userId,
        ...(caller.isStaff ? { [GROUPS_CLAIM]: STAFF_GROUP } : {}),
      },
    },
  };
}

/**
 * A REST v1 proxy event as API Gateway sends it for `POST /orders` by `TEST_CUSTOMER`, with `overrides`
 * on top.
 */
export function proxyEvent(overrides: Partial<ApiGatewayProxyEvent> = {}): ApiGatewayProxyEvent {
  return {
    resource: '/orders',
    path: '/orders',
    httpMethod: 'POST',
    headers: { 'Content-Type': 'application/json' },
    multiValueHeaders: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    requestContext: requestContextOf(TEST_CUSTOMER),
    body: null,
    isBase64Encoded: false,
    ...overrides,
  };
}

export function jsonEvent(
  body: unknown,
  overrides: Partial<ApiGatewayProxyEvent> = {},
): ApiGatewayProxyEvent {
  return proxyEvent({ body: JSON.stringify(body), ...overrides });
}

export interface ParsedErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
  readonly requestId: string;
}

export function errorBodyOf(result: ApiGatewayProxyResult): ParsedErrorBody {
  return JSON.parse(result.body) as ParsedErrorBody;
}

/** Runs `act`, expecting it to throw, and returns what it threw. */
export function thrownBy(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}
