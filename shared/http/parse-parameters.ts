import { ValidationError } from '../errors/app-error';
import type { ApiGatewayProxyEvent } from './api-gateway-proxy';

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
