import type { ApiGatewayProxyEvent } from './api-gateway-proxy';

/** The request headers with lower-cased names (HTTP header names are case-insensitive). */
export function lowercaseHeaders(event: ApiGatewayProxyEvent): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  return headers;
}

/** Every value the client sent for a header, whatever the spelling of its name. */
export function headerValues(event: ApiGatewayProxyEvent, name: string): readonly string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const [key, list] of Object.entries(event.multiValueHeaders ?? {})) {
    if (key.toLowerCase() === wanted && list !== undefined) values.push(...list);
  }
  if (values.length > 0) return values;
  // Events built without `multiValueHeaders` (tests, other integrations) still carry `headers`.
  const single = lowercaseHeaders(event)[wanted];
  return single === undefined ? [] : [single];
}
