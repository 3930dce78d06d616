import { headerValues, isPrintableHeaderValue, type ApiGatewayProxyEvent } from '../../../shared/http';
import { IDEMPOTENCY_KEY_HEADER } from '../contracts/processor-api';
import { IdempotencyKeyError } from '../domain/errors';

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/**
 * The request's `Idempotency-Key`, required on every POST of the processor: 400
 * `idempotency_key_missing` without one; 400 `idempotency_key_invalid` for a key that is not 1–255
 * printable ASCII characters, or for two different values (which one API Gateway keeps is not
 * something to build on).
 */
export function idempotencyKeyOf(event: ApiGatewayProxyEvent): string {
  const values = [...new Set(headerValues(event, IDEMPOTENCY_KEY_HEADER))];
  const [key] = values;
  if (key === undefined) {
    throw new IdempotencyKeyError(
      'idempotency_key_missing',
      `The ${IDEMPOTENCY_KEY_HEADER} header is required: send a unique key per request and the same key when retrying it.`,
    );
  }
  if (values.length > 1 || !isPrintableHeaderValue(key, MAX_IDEMPOTENCY_KEY_LENGTH)) {
    throw new IdempotencyKeyError(
      'idempotency_key_invalid',
      `The ${IDEMPOTENCY_KEY_HEADER} header must be one value of 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters.`,
    );
  }
  return key;
}
