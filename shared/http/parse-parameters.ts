import type { z } from 'zod';
import { ValidationError } from '../errors/app-error';
import type { ApiGatewayProxyEvent } from './api-gateway-proxy';
import { parseWithSchema } from './parse-with-schema';
import { assertStrictSchema } from './strict-schema';

/** Path parameters, URL-decoded (API Gateway passes them encoded), parsed with a strict `schema`. */
export function parsePathParameters<S extends z.ZodType>(
  event: ApiGatewayProxyEvent,
  schema: S,
): z.output<S> {
  assertStrictSchema(schema, 'path');
  return parseWithSchema(schema, decodedPathParameters(event), 'path');
}

/**
 * Query parameters (API Gateway has decoded them; a repeated name keeps its last value) parsed with a
 * strict `schema`; use `z.coerce.number()` and the like for non-strings.
 */
export function parseQuery<S extends z.ZodType>(event: ApiGatewayProxyEvent, schema: S): z.output<S> {
  assertStrictSchema(schema, 'query');
  return parseWithSchema(schema, definedValues(event.queryStringParameters), 'query');
}

export function decodedPathParameters(event: ApiGatewayProxyEvent): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(definedValues(event.pathParameters))) {
    try {
      decoded[name] = decodeURIComponent(value);
    } catch {
      throw new ValidationError(`${name} is not valid URL encoding`, [
        { path: name, message: 'is not valid URL encoding' },
      ]);
    }
  }
  return decoded;
}

export function definedValues(
  map: Readonly<Record<string, string | undefined>> | null | undefined,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(map ?? {})) {
    if (value !== undefined) values[name] = value;
  }
  return values;
}
