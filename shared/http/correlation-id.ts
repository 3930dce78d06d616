import type { ApiGatewayProxyEvent } from './api-gateway-proxy';
import { lowercaseHeaders } from './http-headers';
import { isPrintableHeaderValue } from './printable-header-value';

export const CORRELATION_ID_HEADER = 'X-Correlation-Id';
export const REQUEST_ID_HEADER = 'X-Request-Id';
export const MAX_CORRELATION_ID_LENGTH = 128;

/**
 * The caller's `X-Correlation-Id` when it is printable and at most 128 characters, else the request id.
 * An invalid id is ignored rather than rejected: it is tracing metadata, and it must never let a client
 * inject control characters into logs or response headers.
 */
export function correlationIdOf(event: ApiGatewayProxyEvent, requestId: string): string {
  const candidate = lowercaseHeaders(event)[CORRELATION_ID_HEADER.toLowerCase()];
  return candidate !== undefined && isPrintableHeaderValue(candidate, MAX_CORRELATION_ID_LENGTH)
    ? candidate
    : requestId;
}
