import type { ApiGatewayProxyEvent } from '../http/api-gateway-proxy';
import { headerValues } from '../http/http-headers';
import { isPrintableHeaderValue } from '../http/printable-header-value';
import { IdempotencyKeyInvalidError, IdempotencyKeyMissingError } from './errors';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/**
 * The request's `Idempotency-Key`, or `undefined` when it is absent and not `required`. Two different
 * values for the header are refused: which one API Gateway keeps is not something to build on.
 */
export function readIdempotencyKey(event: ApiGatewayProxyEvent, required: boolean): string | undefined {
  const values = [...new Set(headerValues(event, IDEMPOTENCY_KEY_HEADER))];
  const [key] = values;
  if (key === undefined) {
    if (required) throw new IdempotencyKeyMissingError();
    return undefined;
  }
  if (values.length > 1 || !isPrintableHeaderValue(key, MAX_IDEMPOTENCY_KEY_LENGTH)) {
    throw new IdempotencyKeyInvalidError();
  }
  return key;
}

/**
 * The `Idempotency-Key` among the headers `httpHandler` hands its use case (lower-cased names, one
 * value each), for a use case that relies on the key itself; refused as `readIdempotencyKey` refuses
 * it. Behind `httpIdempotency` it is the key the interceptor checked.
 */
export function requiredIdempotencyKey(headers: Readonly<Record<string, string>>): string {
  const key = headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
  if (key === undefined) throw new IdempotencyKeyMissingError();
  if (!isPrintableHeaderValue(key, MAX_IDEMPOTENCY_KEY_LENGTH)) throw new IdempotencyKeyInvalidError();
  return key;
}
