import type { ApiGatewayProxyEvent, ApiGatewayProxyResult } from '../../../shared/http/api-gateway-proxy';

/** A REST v1 proxy event as API Gateway sends it for `POST /orders`, with `overrides` on top. */
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
    requestContext: { requestId: 'req-1' },
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
