import type * as z from 'zod';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../errors/app-error';
import type { ApiGatewayProxyEvent } from './api-gateway-proxy';
import { lowercaseHeaders } from './http-headers';
import { parseWithSchema } from './parse-with-schema';
import { assertStrictSchema } from './strict-schema';

/** 64 KB: far above any command of this API, far below API Gateway's 10 MB and Lambda's 6 MB. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/**
 * A body that is not JSON is a 400 like a schema violation, but with its own code so a client can tell
 * "fix your serializer" from "fix this field".
 */
export const MALFORMED_JSON = 'MALFORMED_JSON';

export interface JsonBodyOptions {
  /** Largest accepted body, counted in bytes after base64 decoding. @default DEFAULT_MAX_BODY_BYTES */
  readonly maxBodyBytes?: number;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The request body as a JSON value, checked in the order a client fixes things: present (400),
 * `Content-Type: application/json` (415), size (413), UTF-8 and JSON syntax (400 `MALFORMED_JSON`).
 */
export function readJsonBody(event: ApiGatewayProxyEvent, options: JsonBodyOptions = {}): unknown {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const raw = event.body;
  if (raw === null || raw === '') {
    throw new ValidationError('body is required', [{ path: '', message: 'is required' }]);
  }
  const contentType = lowercaseHeaders(event)['content-type'];
  if (!isJsonContentType(contentType)) throw new UnsupportedMediaTypeError(contentType);

  // The limit is on the bytes the client sent: the UTF-8 length of text, the decoded length of base64.
  const decoded = event.isBase64Encoded ? Buffer.from(raw, 'base64') : undefined;
  const size = decoded?.length ?? Buffer.byteLength(raw, 'utf8');
  if (size > maxBodyBytes) throw new PayloadTooLargeError(maxBodyBytes);

  let text = raw;
  if (decoded !== undefined) {
    try {
      text = strictUtf8.decode(decoded);
    } catch {
      throw new ValidationError('body is not valid UTF-8', [], MALFORMED_JSON);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The parser's own message quotes the body back; the client already has it.
    throw new ValidationError('body is not valid JSON', [], MALFORMED_JSON);
  }
}

/** The JSON body parsed with a strict `schema`; every failure is an `AppError` with its HTTP status. */
export function parseJsonBody<S extends z.ZodType>(
  event: ApiGatewayProxyEvent,
  schema: S,
  options: JsonBodyOptions = {},
): z.output<S> {
  assertStrictSchema(schema, 'body');
  return parseWithSchema(schema, readJsonBody(event, options), 'body');
}

/** `application/json`, any case, with optional parameters; a charset, if given, must be UTF-8 (RFC 8259). */
export function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const [mediaType = '', ...parameters] = value.split(';');
  if (mediaType.trim().toLowerCase() !== 'application/json') return false;
  return parameters.every((parameter) => {
    const [name = '', parameterValue = ''] = parameter.split('=');
    if (name.trim().toLowerCase() !== 'charset') return true;
    return (
      parameterValue
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase() === 'utf-8'
    );
  });
}
