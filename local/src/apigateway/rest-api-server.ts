/**
 * Serves the template's REST APIs (API Gateway v1) over HTTP: every API at LocalStack's
 * `/restapis/{apiId}/{stage}/_user_request_/…`, and the default API also at `/{stage}/…` and at `/…`.
 * Methods behind a COGNITO_USER_POOLS authorizer are served only with a valid token (`cognito-authorizer.ts`).
 * Errors are API Gateway's own answers (403 Missing Authentication Token, 401 Unauthorized, 502/500 Internal
 * server error, 504, 413), shaped by the API's gateway responses when the template customizes them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../aws-protocol';
import { readBody, RequestBodyTooLargeError } from '../http/read-body';
import type { LambdaInvoker } from '../lambda/invoker';
import { authorizeCognito, type UserPoolKeyring } from './cognito-authorizer';
import { StageThrottle } from './stage-throttle';
import { causeOf, type ActiveSegment, type SegmentEnd, type TraceRecorder } from '../xray/trace-recorder';
import {
  fromProxyResult,
  gatewayError,
  headersFromRawHeaders,
  toProxyEvent,
  type MultiValueHeaders,
  type ProxyResponse,
} from './proxy-event';
import {
  matchRoute,
  selectMockResponse,
  type RestApiModel,
  type Route,
  type RouteIntegration,
  type RouteMatchFound,
} from './rest-api-model';

/** API Gateway's request payload limit. */
export const MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;

/** One request the gateway answered, for the local cloud's request log. */
export interface RestApiRequestRecord {
  readonly requestId: string;
  readonly apiId: string;
  readonly stage: string;
  readonly method: string;
  /** The path without the stage, as requested. */
  readonly path: string;
  readonly resourcePath?: string;
  readonly functionName?: string;
  readonly statusCode: number;
  readonly durationMs: number;
  /** How long the Lambda integration took to answer, when one answered (CloudWatch's `IntegrationLatency`). */
  readonly integrationLatencyMs?: number;
  /** Why API Gateway answered with an error of its own, if it did. */
  readonly failure?: string;
}

export interface RestApiGatewayOptions {
  readonly apis: readonly RestApiModel[];
  readonly invoker: LambdaInvoker;
  /** The API also served at `/{stage}/…` and `/…`; the only API when there is just one. */
  readonly defaultApiId?: string;
  readonly onRequest?: (record: RestApiRequestRecord) => void;
  readonly maxBodyBytes?: number;
  /** Records the X-Ray segments of stages with tracing enabled. */
  readonly traceRecorder?: TraceRecorder;
  /** The user pools COGNITO_USER_POOLS authorizers verify tokens against; without it they refuse every token. */
  readonly userPools?: UserPoolKeyring;
  /** The clock tokens are checked against (their `exp`), in epoch milliseconds. @default Date.now */
  readonly identityClock?: () => number;
  /** The clock stage throttles refill by, in milliseconds. @default performance.now */
  readonly throttleClock?: () => number;
}

/**
 * Decides, before anything of the method runs, that a stage is down (fault injection): the reason, for
 * the request log, or undefined to serve the request.
 */
export type StageOutageCheck = (stage: {
  readonly apiId: string;
  readonly apiName: string;
  readonly stageName: string;
}) => string | undefined;

export class BaseUrlNotSetError extends Error {
  constructor() {
    super('RestApiGateway.setBaseUrl() must be called before localUrl()');
    this.name = 'BaseUrlNotSetError';
  }
}

type GatewayResponseType =
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'UNAUTHORIZED'
  | 'REQUEST_TOO_LARGE'
  | 'THROTTLED'
  | 'INTEGRATION_FAILURE'
  | 'INTEGRATION_TIMEOUT'
  | 'API_CONFIGURATION_ERROR'
  | 'DEFAULT_5XX';

const DEFAULT_GATEWAY_RESPONSES: Readonly<
  Record<GatewayResponseType, { statusCode: number; message: string; errorType?: string }>
> = {
  MISSING_AUTHENTICATION_TOKEN: {
    statusCode: 403,
    message: 'Missing Authentication Token',
    errorType: 'MissingAuthenticationTokenException',
  },
  UNAUTHORIZED: { statusCode: 401, message: 'Unauthorized', errorType: 'UnauthorizedException' },
  REQUEST_TOO_LARGE: { statusCode: 413, message: 'Request Too Long' },
  THROTTLED: { statusCode: 429, message: 'Too Many Requests', errorType: 'TooManyRequestsException' },
  // Lambda refused the invocation (throttled, unknown function): AWS answers 500, not 502.
  INTEGRATION_FAILURE: {
    statusCode: 500,
    message: 'Internal server error',
    errorType: 'InternalServerErrorException',
  },
  INTEGRATION_TIMEOUT: { statusCode: 504, message: 'Endpoint request timed out' },
  API_CONFIGURATION_ERROR: {
    statusCode: 500,
    message: 'Internal server error',
    errorType: 'InternalServerErrorException',
  },
  // The function ran but failed or answered a malformed result.
  DEFAULT_5XX: {
    statusCode: 502,
    message: 'Internal server error',
    errorType: 'InternalServerErrorException',
  },
};

interface Target {
  readonly apiId: string;
  readonly stage: string;
  /** Path without the stage, still URL-encoded. */
  readonly path: string;
  readonly query: string;
}

interface RequestIds {
  readonly requestId: string;
  readonly extendedRequestId: string;
  readonly traceHeader: string;
  /** The stage's X-Ray segment, when the stage is traced. */
  readonly segment?: ActiveSegment;
}

export class RestApiGateway {
  private readonly apis: ReadonlyMap<string, RestApiModel>;
  private readonly defaultApi: RestApiModel | undefined;
  private readonly throttle: StageThrottle;
  private baseUrl: string | undefined;
  private outageCheck: StageOutageCheck = () => undefined;

  constructor(private readonly options: RestApiGatewayOptions) {
    this.apis = new Map(options.apis.map((api) => [api.apiId, api]));
    const defaultApiId =
      options.defaultApiId ?? (options.apis.length === 1 ? options.apis[0]?.apiId : undefined);
    this.defaultApi = defaultApiId === undefined ? undefined : this.apis.get(defaultApiId);
    this.throttle = new StageThrottle(options.throttleClock);
  }

  /** Requests to a stage the check says is down are answered 503 without running the authorizer or integration. */
  setOutageCheck(check: StageOutageCheck): void {
    this.outageCheck = check;
  }

  setBaseUrl(url: string): void {
    this.baseUrl = url.replace(/\/+$/, '');
  }

  /** The local counterpart of CDK's `RestApi.url` (`https://{id}.execute-api…/{stage}/`). */
  localUrl(apiId: string, stage: string): string {
    if (this.baseUrl === undefined) throw new BaseUrlNotSetError();
    return `${this.baseUrl}/restapis/${encodeURIComponent(apiId)}/${encodeURIComponent(stage)}/_user_request_/`;
  }

  /** Answers the request if its path belongs to an API; false leaves it to the caller. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const target = this.resolve(req);
    if (!target) return false;
    const started = Date.now();
    const headers = headersFromRawHeaders(req.rawHeaders);
    const requestId = randomUUID();
    const traceHeader = traceHeaderFor(headers, started);
    const segment = this.startSegment(target, req, requestId, traceHeader, started);
    const ids: RequestIds = {
      requestId,
      extendedRequestId: randomBytes(11).toString('base64'),
      traceHeader,
      ...(segment === undefined ? {} : { segment }),
    };
    const outcome = await this.serve(target, req, headers, ids, started).catch((error: unknown): Outcome => ({
      response: gatewayError(500, 'Internal server error', 'InternalServerErrorException', describe(error)),
    }));
    writeResponse(res, outcome.response, ids);
    segment?.end(segmentEnd(outcome.response));
    this.options.onRequest?.({
      requestId: ids.requestId,
      apiId: target.apiId,
      stage: target.stage,
      method: (req.method ?? 'GET').toUpperCase(),
      path: target.path,
      ...(outcome.route ? { resourcePath: outcome.route.resourcePath } : {}),
      ...(outcome.route?.integration.type === 'AWS_PROXY'
        ? { functionName: outcome.route.integration.functionName }
        : {}),
      statusCode: outcome.response.statusCode,
      durationMs: Date.now() - started,
      ...(outcome.integrationLatencyMs === undefined
        ? {}
        : { integrationLatencyMs: outcome.integrationLatencyMs }),
      ...(outcome.response.failure === undefined ? {} : { failure: outcome.response.failure }),
    });
    return true;
  }

  /** API Gateway's segment for a request to a stage with tracing enabled. */
  private startSegment(
    target: Target,
    req: IncomingMessage,
    requestId: string,
    traceHeader: string,
    started: number,
  ): ActiveSegment | undefined {
    const api = this.apis.get(target.apiId);
    const recorder = this.options.traceRecorder;
    if (!api || !recorder || !api.tracingStages?.includes(target.stage)) return undefined;
    const userAgent = req.headers['user-agent'];
    return recorder.startSegment({
      name: `${api.name}/${target.stage}`,
      origin: 'AWS::ApiGateway::Stage',
      resourceArn: `arn:aws:apigateway:${LOCAL_REGION}::/restapis/${api.apiId}/stages/${target.stage}`,
      traceHeader,
      startTime: started,
      http: {
        request: {
          method: (req.method ?? 'GET').toUpperCase(),
          url: `http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`,
          client_ip: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
          ...(userAgent === undefined ? {} : { user_agent: userAgent }),
          ...(req.headers['x-forwarded-for'] === undefined ? {} : { x_forwarded_for: true }),
        },
      },
      aws: { api_id: api.apiId, stage: target.stage, request_id: requestId, account_id: LOCAL_ACCOUNT },
    });
  }

  private resolve(req: IncomingMessage): Target | undefined {
    const { path, query } = splitUrl(req.url ?? '/');
    const user = /^\/restapis\/([^/]+)\/([^/]+)\/_user_request_(\/.*)?$/.exec(path);
    if (user?.[1] && user[2]) return { apiId: user[1], stage: user[2], path: user[3] ?? '/', query };

    const api = this.defaultApi;
    if (!api) return undefined;
    const stagePrefix = /^\/([^/]+)(\/.*)?$/.exec(path);
    if (stagePrefix?.[1] && api.stages.includes(stagePrefix[1])) {
      return { apiId: api.apiId, stage: stagePrefix[1], path: stagePrefix[2] ?? '/', query };
    }

    // Without a stage prefix the API only claims paths it has a resource for, leaving the local
    // cloud's own endpoints (`/_local`, AWS JSON-protocol calls) to the caller.
    const stage = api.stages[0];
    if (stage === undefined || path === '/_local' || path.startsWith('/_local/')) return undefined;
    if (req.headers['x-amz-target'] !== undefined) return undefined;
    const match = matchRoute(api, req.method ?? 'GET', path);
    if ('error' in match && match.error === 'NOT_FOUND') return undefined;
    return { apiId: api.apiId, stage, path, query };
  }

  private async serve(
    target: Target,
    req: IncomingMessage,
    headers: MultiValueHeaders,
    ids: RequestIds,
    started: number,
  ): Promise<Outcome> {
    const api = this.apis.get(target.apiId);
    if (!api) {
      return { response: gatewayError(404, `No REST API with id ${target.apiId} in the local cloud`) };
    }
    if (!api.stages.includes(target.stage)) {
      return { response: gatewayError(403, 'Forbidden', 'ForbiddenException', `no stage ${target.stage}`) };
    }
    const outage = this.outageCheck({ apiId: api.apiId, apiName: api.name, stageName: target.stage });
    if (outage !== undefined)
      return { response: gatewayError(503, 'Service Unavailable', undefined, outage) };
    const method = (req.method ?? 'GET').toUpperCase();
    const match = matchRoute(api, method, target.path);
    const body = await readPayload(req, this.options.maxBodyBytes ?? MAX_REQUEST_BODY_BYTES);
    const fail = (type: GatewayResponseType, failure: string, route?: Route): Outcome => ({
      response: renderGatewayResponse(api, type, failure, headers, ids.requestId),
      ...(route ? { route } : {}),
    });
    if (body === undefined) return fail('REQUEST_TOO_LARGE', 'request body over the payload limit');
    if ('error' in match) {
      return fail('MISSING_AUTHENTICATION_TOKEN', `no ${method} method for ${target.path} (${match.error})`);
    }

    const { route } = match;
    // Throttling comes first: a flood is turned away before any token is checked.
    if (!this.throttle.admit(api.apiId, target.stage, api.stageThrottles?.[target.stage], route)) {
      return fail('THROTTLED', `${method} ${route.resourcePath}: over the stage's throttle`, route);
    }
    let authorizerClaims: Readonly<Record<string, string>> | undefined;
    if (route.authorizer) {
      const now = this.options.identityClock?.() ?? started;
      const decision = await authorizeCognito(route.authorizer, headers, this.options.userPools, now);
      if (!decision.allowed) {
        const failure = `${route.authorizer.name}: ${decision.reason}`;
        return {
          route,
          response: renderGatewayResponse(
            api,
            'UNAUTHORIZED',
            failure,
            headers,
            ids.requestId,
            decision.message,
          ),
        };
      }
      authorizerClaims = decision.claims;
    }
    const integration = route.integration;
    switch (integration.type) {
      case 'UNSUPPORTED':
        return {
          route,
          response: gatewayError(
            501,
            `The local cloud does not emulate ${integration.description}`,
            undefined,
            integration.description,
          ),
        };
      case 'MOCK': {
        const response = mockResponse(integration, headers);
        return response
          ? { route, response }
          : fail(
              'API_CONFIGURATION_ERROR',
              'no match for output mapping and no default output mapping',
              route,
            );
      }
      case 'AWS_PROXY': {
        const event = toProxyEvent(
          {
            method,
            path: target.path,
            rawQueryString: target.query,
            headers,
            body,
            sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
            ...(req.socket.localPort === undefined ? {} : { localPort: req.socket.localPort }),
            protocol: 'encrypted' in req.socket ? 'https' : 'http',
          },
          match,
          {
            apiId: api.apiId,
            stage: target.stage,
            requestId: ids.requestId,
            extendedRequestId: ids.extendedRequestId,
            accountId: LOCAL_ACCOUNT,
            requestTimeEpoch: started,
            traceHeader: ids.traceHeader,
            binaryMediaTypes: api.binaryMediaTypes,
            ...(api.deploymentIds[target.stage] === undefined
              ? {}
              : { deploymentId: api.deploymentIds[target.stage] }),
            ...(api.stageVariables[target.stage] === undefined
              ? {}
              : { stageVariables: api.stageVariables[target.stage] }),
            ...(authorizerClaims === undefined ? {} : { authorizerClaims }),
          },
        );
        return this.invoke(api, match, integration, event, headers, ids, fail);
      }
    }
  }

  private async invoke(
    api: RestApiModel,
    { route }: RouteMatchFound,
    integration: Extract<RouteIntegration, { type: 'AWS_PROXY' }>,
    event: unknown,
    headers: MultiValueHeaders,
    ids: RequestIds,
    fail: (type: GatewayResponseType, failure: string, route?: Route) => Outcome,
  ): Promise<Outcome> {
    let outcome: Awaited<ReturnType<LambdaInvoker['invoke']>> | 'TIMEOUT';
    // The integration's call to Lambda, the Parent of the Lambda service's segment.
    const call = ids.segment?.startSubsegment({
      name: 'Lambda',
      namespace: 'aws',
      aws: {
        operation: 'Invoke',
        region: LOCAL_REGION,
        function_name: integration.functionName,
        resource_names: [integration.functionName],
      },
    });
    // Past the integration timeout the gateway answers 504; an invocation still waiting for the local
    // machine by then is dropped (on AWS it would have run long before).
    const gaveUp = new AbortController();
    const integrationStarted = Date.now();
    try {
      outcome = await withTimeout(
        this.options.invoker.invoke(functionReference(integration), event, {
          trigger: 'apigateway',
          traceHeader: call?.traceHeader ?? ids.traceHeader,
          signal: gaveUp.signal,
          interactive: true,
        }),
        integration.timeoutMs,
        () => gaveUp.abort(),
      );
    } catch (error) {
      const status = (error as { statusCode?: unknown }).statusCode;
      call?.end({
        ...(status === 429 ? { throttle: true } : { fault: true }),
        http: { response: { status: typeof status === 'number' ? status : 500 } },
        cause: causeOf(error instanceof Error ? error.name : 'Error', describe(error), true),
      });
      return fail('INTEGRATION_FAILURE', `Lambda refused the invocation: ${describe(error)}`, route);
    }
    if (outcome === 'TIMEOUT') {
      call?.end({ fault: true, cause: causeOf('TimeoutError', 'Endpoint request timed out', true) });
      return fail('INTEGRATION_TIMEOUT', `no response within ${integration.timeoutMs} ms`, route);
    }
    call?.end({ http: { response: { status: 200 } } });
    const accept = headerValue(headers, 'accept');
    const response = fromProxyResult(outcome.payload, outcome.functionError, {
      binaryMediaTypes: api.binaryMediaTypes,
      ...(accept === undefined ? {} : { accept }),
    });
    const integrationLatencyMs = Date.now() - integrationStarted;
    return response.failure === undefined
      ? { route, response, integrationLatencyMs }
      : { ...fail('DEFAULT_5XX', response.failure, route), integrationLatencyMs };
  }
}

interface Outcome {
  readonly response: ProxyResponse;
  readonly route?: Route;
  readonly integrationLatencyMs?: number;
}

/** The gateway's error answer: its default, or the template's customization of that type (or of DEFAULT_4XX/5XX). */
function renderGatewayResponse(
  api: RestApiModel,
  type: GatewayResponseType,
  failure: string,
  requestHeaders: MultiValueHeaders,
  requestId: string,
  /** The error's own message when it has several (an expired token's). */
  message?: string,
): ProxyResponse {
  const defaults = DEFAULT_GATEWAY_RESPONSES[type];
  const fallback = message === undefined ? defaults : { ...defaults, message };
  const custom =
    api.gatewayResponses[type] ??
    api.gatewayResponses[fallback.statusCode >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX'];
  const response = gatewayError(fallback.statusCode, fallback.message, fallback.errorType, failure);
  if (!custom) return response;

  const headers: (readonly [string, string])[] = [...response.headers, ...Object.entries(custom.headers)];
  for (const [name, source] of Object.entries(custom.requestHeaders)) {
    const value = headerValue(requestHeaders, source.toLowerCase());
    if (value !== undefined) headers.push([name, value]);
  }
  const body =
    custom.template === undefined
      ? response.body
      : Buffer.from(
          custom.template
            .replaceAll('$context.error.messageString', JSON.stringify(fallback.message))
            .replaceAll('$context.error.message', fallback.message)
            .replaceAll('$context.requestId', requestId),
        );
  return { statusCode: custom.statusCode ?? fallback.statusCode, headers, body, failure };
}

function mockResponse(
  integration: Extract<RouteIntegration, { type: 'MOCK' }>,
  requestHeaders: MultiValueHeaders,
): ProxyResponse | undefined {
  const selected = selectMockResponse(integration);
  if (!selected) return undefined;
  const headers: [string, string][] = Object.entries(selected.headers);
  const echo = selected.echoOrigin;
  const origin = headerValue(requestHeaders, 'origin');
  if (echo && origin !== undefined && echo.origins.includes(origin)) {
    const at = headers.findIndex(([name]) => name.toLowerCase() === echo.header.toLowerCase());
    if (at >= 0) headers.splice(at, 1);
    headers.push([echo.header, origin]);
  }
  if (!headers.some(([name]) => name.toLowerCase() === 'content-type')) {
    headers.push(['Content-Type', 'application/json']);
  }
  return { statusCode: selected.statusCode, headers, body: Buffer.from(selected.body) };
}

const GATEWAY_SET_HEADERS = new Set([
  'x-amzn-requestid',
  'x-amz-apigw-id',
  'x-amzn-trace-id',
  'content-length',
]);

function writeResponse(res: ServerResponse, response: ProxyResponse, ids: RequestIds): void {
  const flat: string[] = [];
  for (const [name, value] of response.headers) {
    if (!GATEWAY_SET_HEADERS.has(name.toLowerCase())) flat.push(name, value);
  }
  flat.push('x-amzn-RequestId', ids.requestId, 'x-amz-apigw-id', ids.extendedRequestId);
  flat.push('X-Amzn-Trace-Id', ids.traceHeader);
  const bodiless = response.statusCode < 200 || response.statusCode === 204 || response.statusCode === 304;
  if (!bodiless) flat.push('Content-Length', String(response.body.length));
  try {
    res.writeHead(response.statusCode, flat);
  } catch (error) {
    // A header value Node refuses (control characters…) would also fail on AWS: answer as a bad response.
    const fallback = gatewayError(
      502,
      'Internal server error',
      'InternalServerErrorException',
      describe(error),
    );
    if (!res.headersSent) writeResponse(res, fallback, ids);
    return;
  }
  res.end(bodiless ? undefined : response.body);
}

/** The body, or undefined when it exceeds `limitBytes` (read no further). */
async function readPayload(req: IncomingMessage, limitBytes: number): Promise<Buffer | undefined> {
  try {
    return await readBody(req, limitBytes);
  } catch (error) {
    if (error instanceof RequestBodyTooLargeError) return undefined;
    throw error;
  }
}

async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => void,
): Promise<T | 'TIMEOUT'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'TIMEOUT'>((resolve) => {
    timer = setTimeout(() => {
      // Nobody waits for the answer any more, nor for its failure.
      promise.catch(() => undefined);
      onTimeout();
      resolve('TIMEOUT');
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The function an integration invokes, with the alias or version its URI names. */
function functionReference(integration: Extract<RouteIntegration, { type: 'AWS_PROXY' }>): string {
  return integration.qualifier === undefined
    ? integration.functionName
    : `${integration.functionName}:${integration.qualifier}`;
}

function splitUrl(url: string): { path: string; query: string } {
  // Absolute-form request targets (through an HTTP proxy) carry scheme and host.
  const target = /^https?:\/\//i.test(url) ? url.replace(/^https?:\/\/[^/?#]*/i, '') || '/' : url;
  const withoutFragment = target.split('#')[0] ?? '';
  const at = withoutFragment.indexOf('?');
  return at < 0
    ? { path: withoutFragment || '/', query: '' }
    : { path: withoutFragment.slice(0, at) || '/', query: withoutFragment.slice(at + 1) };
}

function headerValue(headers: MultiValueHeaders, lowerName: string): string | undefined {
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === lowerName);
  return entry?.[1][entry[1].length - 1];
}

/** The stage segment's outcome: 4xx are errors, 5xx faults, 429 throttling. */
function segmentEnd(response: ProxyResponse): SegmentEnd {
  const status = response.statusCode;
  const failed = status >= 400;
  return {
    http: { response: { status, content_length: response.body.length } },
    ...(status === 429
      ? { throttle: true }
      : status >= 500
        ? { fault: true }
        : failed
          ? { error: true }
          : {}),
    ...(failed && response.failure !== undefined
      ? { cause: causeOf(status >= 500 ? 'InternalServerErrorException' : 'ClientError', response.failure) }
      : {}),
  };
}

/** Continues the client's X-Ray trace, or starts one as API Gateway does. */
function traceHeaderFor(headers: MultiValueHeaders, now: number): string {
  const incoming = headerValue(headers, 'x-amzn-trace-id');
  if (incoming !== undefined && /Root=1-[0-9a-f]{8}-[0-9a-f]{24}/i.test(incoming)) return incoming;
  const seconds = Math.floor(now / 1000)
    .toString(16)
    .padStart(8, '0');
  return `Root=1-${seconds}-${randomBytes(12).toString('hex')}`;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && code !== error.name
      ? `${error.name} (${code}): ${error.message}`
      : `${error.name}: ${error.message}`;
  }
  return String(error);
}
