/**
 * The Lambda proxy integration's two translations, as API Gateway REST (v1) performs them: an HTTP
 * request into the function's event, and the function's result into the HTTP response. Pure: the server
 * supplies ids, clock and connection details.
 *
 * Where AWS behaviour was checked against recorded AWS responses: path and path parameters stay
 * URL-encoded while query parameters are decoded (`+` as space); a trailing slash stays in `path` but not
 * in `{proxy+}`; hop-by-hop and length headers never reach the function; `statusCode` may be absent (200)
 * or a numeric string, but any unknown key makes the response malformed.
 */
import type { FunctionError } from '../lambda/invoker';
import type { RouteMatchFound } from './rest-api-model';

/** Header values by name, as many as the client sent (see `headersFromRawHeaders`). */
export type MultiValueHeaders = Readonly<Record<string, readonly string[]>>;

export interface ProxyRequest {
  readonly method: string;
  /** The request path without the stage, still URL-encoded, starting with `/`. */
  readonly path: string;
  /** The query string without `?`, still URL-encoded. */
  readonly rawQueryString: string;
  readonly headers: MultiValueHeaders;
  readonly body: Buffer;
  readonly sourceIp: string;
  /** The port and scheme the client connected to, for `X-Forwarded-Port/Proto` (AWS: 443, https). */
  readonly localPort?: number;
  readonly protocol?: 'http' | 'https';
}

export interface ProxyEventContext {
  readonly apiId: string;
  readonly stage: string;
  readonly requestId: string;
  /** `x-amz-apigw-id`; derived from `requestId` when absent. */
  readonly extendedRequestId?: string;
  readonly accountId: string;
  readonly requestTimeEpoch: number;
  /** The `X-Amzn-Trace-Id` API Gateway passes on; the client's, or one derived from the request id. */
  readonly traceHeader?: string;
  readonly deploymentId?: string;
  readonly stageVariables?: Readonly<Record<string, string>>;
  /** The API's `BinaryMediaTypes`: request bodies of these content types arrive base64-encoded. */
  readonly binaryMediaTypes?: readonly string[];
  /** The claims a COGNITO_USER_POOLS authorizer passed on, rendered as strings. */
  readonly authorizerClaims?: Readonly<Record<string, string>>;
}

export interface ApiGatewayRequestIdentityV1 {
  readonly accessKey: null;
  readonly accountId: null;
  readonly caller: null;
  readonly cognitoAuthenticationProvider: null;
  readonly cognitoAuthenticationType: null;
  readonly cognitoIdentityId: null;
  readonly cognitoIdentityPoolId: null;
  readonly principalOrgId: null;
  readonly sourceIp: string;
  readonly user: null;
  readonly userAgent: string | null;
  readonly userArn: null;
}

export interface ApiGatewayRequestContextV1 {
  readonly accountId: string;
  readonly apiId: string;
  /** Behind a COGNITO_USER_POOLS authorizer: the token's claims. */
  readonly authorizer?: { readonly claims: Readonly<Record<string, string>> };
  readonly deploymentId?: string;
  readonly domainName: string;
  readonly domainPrefix: string;
  readonly extendedRequestId: string;
  readonly httpMethod: string;
  readonly identity: ApiGatewayRequestIdentityV1;
  readonly path: string;
  readonly protocol: 'HTTP/1.1';
  readonly requestId: string;
  readonly requestTime: string;
  readonly requestTimeEpoch: number;
  readonly resourceId: string;
  readonly resourcePath: string;
  readonly stage: string;
}

export interface ApiGatewayProxyEventV1 {
  readonly resource: string;
  readonly path: string;
  readonly httpMethod: string;
  readonly headers: Readonly<Record<string, string>> | null;
  readonly multiValueHeaders: Readonly<Record<string, readonly string[]>> | null;
  readonly queryStringParameters: Readonly<Record<string, string>> | null;
  readonly multiValueQueryStringParameters: Readonly<Record<string, readonly string[]>> | null;
  readonly pathParameters: Readonly<Record<string, string>> | null;
  readonly stageVariables: Readonly<Record<string, string>> | null;
  readonly requestContext: ApiGatewayRequestContextV1;
  readonly body: string | null;
  readonly isBase64Encoded: boolean;
}

export interface ProxyResponse {
  readonly statusCode: number;
  /** In order, names as the function spelled them; a name may repeat. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  /** Why API Gateway answered with its own error instead of the function's response. */
  readonly failure?: string;
}

export interface ProxyResultOptions {
  /** The API's `BinaryMediaTypes`. */
  readonly binaryMediaTypes: readonly string[];
  /** The request's `Accept` header: its first media type decides whether a base64 body is decoded. */
  readonly accept?: string;
}

/** Request headers that never reach a proxy integration on AWS. */
const DROPPED_REQUEST_HEADERS = new Set([
  'connection',
  'content-length',
  'content-md5',
  'expect',
  'max-forwards',
  'proxy-authenticate',
  'server',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'www-authenticate',
]);
/** Set by API Gateway itself, whatever the client sent. */
const GATEWAY_REQUEST_HEADERS = new Set([
  'x-amzn-trace-id',
  'x-forwarded-for',
  'x-forwarded-port',
  'x-forwarded-proto',
]);
/** The CloudFront edge in front of API Gateway re-cases these. */
const RECASED_REQUEST_HEADERS: Readonly<Record<string, string>> = {
  authorization: 'Authorization',
  'user-agent': 'User-Agent',
};
/** Response headers API Gateway renames to `x-amzn-Remapped-<name>` for proxy integrations. */
const REMAPPED_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  connection: 'Connection',
  'content-length': 'Content-Length',
  date: 'Date',
  server: 'Server',
};
const DROPPED_RESPONSE_HEADERS = new Set(['transfer-encoding']);
const PROXY_RESULT_KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Groups Node's `req.rawHeaders` by name, case-insensitively, keeping the first spelling of each name. */
export function headersFromRawHeaders(rawHeaders: readonly string[]): Record<string, string[]> {
  const grouped: Record<string, string[]> = {};
  const spelling = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? '';
    const key = spelling.get(name.toLowerCase()) ?? name;
    spelling.set(name.toLowerCase(), key);
    (grouped[key] ??= []).push(rawHeaders[i + 1] ?? '');
  }
  return grouped;
}

export function toProxyEvent(
  request: ProxyRequest,
  match: RouteMatchFound,
  ctx: ProxyEventContext,
): ApiGatewayProxyEventV1 {
  const incoming = normalizeHeaders(request.headers);
  const header = (name: string): string | undefined => lastValue(incoming, name);
  const traceHeader = ctx.traceHeader ?? header('x-amzn-trace-id') ?? derivedTraceHeader(ctx);
  const clientForwardedFor = header('x-forwarded-for');

  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(incoming)) {
    const lower = name.toLowerCase();
    if (DROPPED_REQUEST_HEADERS.has(lower) || GATEWAY_REQUEST_HEADERS.has(lower)) continue;
    multiValueHeaders[RECASED_REQUEST_HEADERS[lower] ?? name] = [...values];
  }
  multiValueHeaders['X-Amzn-Trace-Id'] = [traceHeader];
  multiValueHeaders['X-Forwarded-For'] = [
    clientForwardedFor ? `${clientForwardedFor}, ${request.sourceIp}` : request.sourceIp,
  ];
  multiValueHeaders['X-Forwarded-Port'] = [String(request.localPort ?? 443)];
  multiValueHeaders['X-Forwarded-Proto'] = [request.protocol ?? 'https'];
  const headers = Object.fromEntries(
    Object.entries(multiValueHeaders).map(([name, values]) => [name, values[values.length - 1] ?? '']),
  );

  const query = parseQuery(request.rawQueryString);
  const method = request.method.toUpperCase();
  const host = header('host') ?? `${ctx.apiId}.execute-api.us-east-1.amazonaws.com`;
  const { route, pathParameters } = match;
  const body = encodeBody(request.body, header('content-type'), ctx.binaryMediaTypes ?? []);

  return {
    resource: route.resourcePath,
    path: request.path,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: query ? query.single : null,
    multiValueQueryStringParameters: query ? query.multi : null,
    pathParameters: Object.keys(pathParameters).length > 0 ? { ...pathParameters } : null,
    stageVariables:
      ctx.stageVariables && Object.keys(ctx.stageVariables).length > 0 ? { ...ctx.stageVariables } : null,
    requestContext: {
      accountId: ctx.accountId,
      apiId: ctx.apiId,
      ...(ctx.authorizerClaims === undefined ? {} : { authorizer: { claims: { ...ctx.authorizerClaims } } }),
      ...(ctx.deploymentId === undefined ? {} : { deploymentId: ctx.deploymentId }),
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      extendedRequestId: ctx.extendedRequestId ?? deriveExtendedRequestId(ctx.requestId),
      httpMethod: method,
      identity: {
        accessKey: null,
        accountId: null,
        caller: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: null,
        userAgent: header('user-agent') ?? null,
        userArn: null,
      },
      path: `/${ctx.stage}${request.path}`,
      protocol: 'HTTP/1.1',
      requestId: ctx.requestId,
      requestTime: formatRequestTime(ctx.requestTimeEpoch),
      requestTimeEpoch: ctx.requestTimeEpoch,
      resourceId: route.resourceId,
      resourcePath: route.resourcePath,
      stage: ctx.stage,
    },
    ...body,
  };
}

/**
 * The HTTP response API Gateway makes of a proxy integration's result. A handler error or a malformed
 * result becomes API Gateway's 502 `{"message": "Internal server error"}` (with `failure` saying why).
 * Without `options`, a base64 body is always decoded; with them, only when the first `Accept` media type
 * is one of the API's binary media types, as on AWS (otherwise the client gets the base64 text).
 */
export function fromProxyResult(
  payload: unknown,
  functionError?: FunctionError,
  options?: ProxyResultOptions,
): ProxyResponse {
  if (functionError) {
    return internalServerError(
      502,
      `function error: ${functionError.errorType}: ${functionError.errorMessage}`,
    );
  }
  const result = parseProxyResult(payload);
  if (typeof result === 'string')
    return internalServerError(502, `Malformed Lambda proxy response: ${result}`);

  const multiValueNames = new Set(Object.keys(result.multiValueHeaders).map((n) => n.toLowerCase()));
  const merged: [string, string][] = [
    ...Object.entries(result.headers).filter(([name]) => !multiValueNames.has(name.toLowerCase())),
    ...Object.entries(result.multiValueHeaders).flatMap(([name, values]) =>
      values.map((value): [string, string] => [name, value]),
    ),
  ];
  const headers: [string, string][] = [];
  for (const [name, value] of merged) {
    const lower = name.toLowerCase();
    if (DROPPED_RESPONSE_HEADERS.has(lower)) continue;
    const remapped = REMAPPED_RESPONSE_HEADERS[lower];
    headers.push([remapped === undefined ? name : `x-amzn-Remapped-${remapped}`, value]);
  }
  if (!headers.some(([name]) => name.toLowerCase() === 'content-type')) {
    headers.push(['Content-Type', 'application/json']);
  }

  const decode =
    result.isBase64Encoded &&
    (options === undefined || matchesMediaType(firstMediaType(options.accept), options.binaryMediaTypes));
  return {
    statusCode: result.statusCode,
    headers,
    body: decode ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8'),
  };
}

/** API Gateway's own JSON error answer, as its default gateway responses send it. */
export function gatewayError(
  statusCode: number,
  message: string,
  errorType?: string,
  failure?: string,
): ProxyResponse {
  const headers: [string, string][] = [['Content-Type', 'application/json']];
  if (errorType !== undefined) headers.push(['x-amzn-ErrorType', errorType]);
  return {
    statusCode,
    headers,
    body: Buffer.from(JSON.stringify({ message })),
    ...(failure === undefined ? {} : { failure }),
  };
}

/** Whether a media type (`image/png; q=…` parameters ignored) is one of `types`, which may use `*`. */
export function matchesMediaType(mediaType: string | undefined, types: readonly string[]): boolean {
  const value = mediaType?.split(';')[0]?.trim().toLowerCase();
  if (!value) return false;
  const [type, subtype] = value.split('/');
  return types.some((pattern) => {
    const [pType, pSubtype] = pattern.trim().toLowerCase().split('/');
    return (pType === '*' || pType === type) && (pSubtype === '*' || pSubtype === subtype);
  });
}

function internalServerError(statusCode: number, failure: string): ProxyResponse {
  return gatewayError(statusCode, 'Internal server error', 'InternalServerErrorException', failure);
}

interface ProxyResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly multiValueHeaders: Readonly<Record<string, readonly string[]>>;
  readonly body: string;
  readonly isBase64Encoded: boolean;
}

/** The result's fields, or why API Gateway would reject it. */
function parseProxyResult(payload: unknown): ProxyResult | string {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return `expected an object, got ${payload === null ? 'null' : Array.isArray(payload) ? 'an array' : typeof payload}`;
  }
  const p = payload as Record<string, unknown>;
  const unknownKeys = Object.keys(p).filter((k) => !PROXY_RESULT_KEYS.has(k));
  if (unknownKeys.length > 0) return `unexpected keys ${unknownKeys.join(', ')}`;

  const statusCode = parseStatusCode(p['statusCode']);
  if (statusCode === undefined)
    return `statusCode ${JSON.stringify(p['statusCode'])} is not an HTTP status code`;

  const headers: Record<string, string> = {};
  if (p['headers'] !== undefined && p['headers'] !== null) {
    if (typeof p['headers'] !== 'object' || Array.isArray(p['headers'])) return 'headers must be an object';
    for (const [name, value] of Object.entries(p['headers'])) {
      const text = headerValue(value);
      if (text === undefined) return `header ${name} must be a string or a boolean`;
      headers[name] = text;
    }
  }

  const multiValueHeaders: Record<string, string[]> = {};
  if (p['multiValueHeaders'] !== undefined && p['multiValueHeaders'] !== null) {
    if (typeof p['multiValueHeaders'] !== 'object' || Array.isArray(p['multiValueHeaders'])) {
      return 'multiValueHeaders must be an object';
    }
    for (const [name, values] of Object.entries(p['multiValueHeaders'])) {
      if (!Array.isArray(values)) return `multiValueHeaders.${name} must be an array`;
      const texts = values.map(headerValue);
      if (texts.some((t) => t === undefined))
        return `multiValueHeaders.${name} must hold strings or booleans`;
      multiValueHeaders[name] = texts.filter((t): t is string => t !== undefined);
    }
  }

  const body = p['body'];
  if (body !== undefined && body !== null && typeof body !== 'string')
    return `body must be a string, got ${typeof body}`;
  const isBase64Encoded = p['isBase64Encoded'];
  if (isBase64Encoded !== undefined && isBase64Encoded !== null && typeof isBase64Encoded !== 'boolean') {
    return 'isBase64Encoded must be a boolean';
  }
  return {
    statusCode,
    headers,
    multiValueHeaders,
    body: body ?? '',
    isBase64Encoded: isBase64Encoded === true,
  };
}

function parseStatusCode(value: unknown): number | undefined {
  if (value === undefined || value === null) return 200;
  const code = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;
  return typeof code === 'number' && Number.isInteger(code) && code >= 100 && code <= 599 ? code : undefined;
}

function headerValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return undefined;
}

function normalizeHeaders(headers: MultiValueHeaders): Record<string, readonly string[]> {
  const out: Record<string, string[]> = {};
  const spelling = new Map<string, string>();
  for (const [name, values] of Object.entries(headers)) {
    const key = spelling.get(name.toLowerCase()) ?? name;
    spelling.set(name.toLowerCase(), key);
    (out[key] ??= []).push(...values);
  }
  return out;
}

function lastValue(headers: Readonly<Record<string, readonly string[]>>, name: string): string | undefined {
  const entry = Object.entries(headers).find(([n]) => n.toLowerCase() === name);
  return entry?.[1][entry[1].length - 1];
}

function parseQuery(
  rawQueryString: string,
): { single: Record<string, string>; multi: Record<string, string[]> } | undefined {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    single[key] = value;
    (multi[key] ??= []).push(value);
  }
  return Object.keys(multi).length > 0 ? { single, multi } : undefined;
}

function encodeBody(
  body: Buffer,
  contentType: string | undefined,
  binaryMediaTypes: readonly string[],
): { body: string | null; isBase64Encoded: boolean } {
  if (body.length === 0) return { body: null, isBase64Encoded: false };
  if (matchesMediaType(contentType, binaryMediaTypes))
    return { body: body.toString('base64'), isBase64Encoded: true };
  try {
    return { body: strictUtf8.decode(body), isBase64Encoded: false };
  } catch {
    // AWS would pass these bytes mangled as text; base64 keeps them intact and says so.
    return { body: body.toString('base64'), isBase64Encoded: true };
  }
}

function firstMediaType(accept: string | undefined): string | undefined {
  return accept?.split(',')[0]?.trim();
}

function formatRequestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const date = `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}`;
  return `${date}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

function derivedTraceHeader(ctx: ProxyEventContext): string {
  const seconds = Math.floor(ctx.requestTimeEpoch / 1000)
    .toString(16)
    .padStart(8, '0');
  const hex = Buffer.from(ctx.requestId).toString('hex').padEnd(24, '0').slice(0, 24);
  return `Root=1-${seconds}-${hex}`;
}

function deriveExtendedRequestId(requestId: string): string {
  return Buffer.from(requestId).subarray(0, 11).toString('base64');
}
