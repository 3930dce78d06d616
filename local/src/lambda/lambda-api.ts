/**
 * The Lambda REST-JSON API as `@aws-sdk/client-lambda` speaks it: Invoke (RequestResponse, Event,
 * DryRun), the deprecated InvokeAsync, ListFunctions, GetFunction and GetFunctionConfiguration.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsServiceError, localArn } from '../aws-protocol';
import { readBody, RequestBodyTooLargeError } from '../http/read-body';
import {
  MAX_ASYNC_REQUEST_BYTES,
  MAX_SYNC_REQUEST_BYTES,
  requestTooLargeError,
  type LambdaService,
  type RegisteredFunction,
} from './lambda-service';
import { FunctionThrottledError } from './worker-pool';

/** `X-Amz-Log-Result` carries the last 4 KB of the invocation's log. */
const LOG_TAIL_BYTES = 4096;
/** Errors whose JSON body spells `Message` rather than `message` (per the SDK's error shapes). */
const CAPITALIZED_MESSAGE_ERRORS = new Set(['ResourceNotFoundException', 'ServiceException']);
const INVOCATION_TYPES = ['RequestResponse', 'Event', 'DryRun'];
const LOG_TYPES = ['None', 'Tail'];
const INVOKE_TRIGGER = 'lambda-api';

/** Serves the Lambda API routes it knows; resolves false for any other request. */
export async function handleLambdaApi(
  service: LambdaService,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const url = req.url ?? '/';
  const queryStart = url.indexOf('?');
  const pathname = queryStart < 0 ? url : url.slice(0, queryStart);
  const route = matchRoute(req.method ?? 'GET', pathname);
  if (route === undefined) return false;
  const query = new URLSearchParams(queryStart < 0 ? '' : url.slice(queryStart + 1));
  const qualifier = query.get('Qualifier') ?? undefined;
  try {
    switch (route.operation) {
      case 'Invoke':
        await invoke(service, req, res, route.functionName, qualifier);
        break;
      case 'InvokeAsync': {
        const body = await readPayload(req, MAX_ASYNC_REQUEST_BYTES);
        const { json, value } = parsePayload(body);
        const fn = route.functionName;
        service.invokeAsyncRaw(fn, json, value, { trigger: INVOKE_TRIGGER, ...traceOf(req), qualifier });
        sendJson(res, 202, { Status: 202 });
        break;
      }
      case 'ListFunctions':
        listFunctions(service, res, query);
        break;
      case 'GetFunction': {
        const fn = service.resolve(route.functionName, qualifier);
        sendJson(res, 200, {
          Configuration: configurationOf(fn),
          Code: { RepositoryType: 'S3', Location: `file://${fn.definition.codeDir}` },
          ...(fn.definition.reservedConcurrency === undefined
            ? {}
            : { Concurrency: { ReservedConcurrentExecutions: fn.definition.reservedConcurrency } }),
        });
        break;
      }
      case 'GetFunctionConfiguration':
        sendJson(res, 200, configurationOf(service.resolve(route.functionName, qualifier)));
        break;
    }
  } catch (error) {
    sendError(res, error);
  }
  return true;
}

type Route =
  | {
      readonly operation: 'Invoke' | 'InvokeAsync' | 'GetFunction' | 'GetFunctionConfiguration';
      readonly functionName: string;
    }
  | { readonly operation: 'ListFunctions' };

function matchRoute(method: string, pathname: string): Route | undefined {
  const segments = pathname.split('/');
  // ['', version, 'functions', name?, action?, ''?]
  if (segments[segments.length - 1] === '' && segments.length > 1) segments.pop();
  const [root, version, collection, encodedName, action, ...rest] = segments;
  if (root !== '' || collection !== 'functions' || rest.length > 0) return undefined;
  if (version === '2014-11-13') {
    if (method !== 'POST' || action !== 'invoke-async' || encodedName === undefined) return undefined;
    return { operation: 'InvokeAsync', functionName: decodeName(encodedName) };
  }
  if (version !== '2015-03-31') return undefined;
  if (encodedName === undefined) return method === 'GET' ? { operation: 'ListFunctions' } : undefined;
  const functionName = decodeName(encodedName);
  if (method === 'POST' && action === 'invocations') return { operation: 'Invoke', functionName };
  if (method === 'GET' && action === undefined) return { operation: 'GetFunction', functionName };
  if (method === 'GET' && action === 'configuration')
    return { operation: 'GetFunctionConfiguration', functionName };
  return undefined;
}

function decodeName(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

async function invoke(
  service: LambdaService,
  req: IncomingMessage,
  res: ServerResponse,
  functionName: string,
  qualifier: string | undefined,
): Promise<void> {
  const invocationType = headerOf(req, 'x-amz-invocation-type') ?? 'RequestResponse';
  if (!INVOCATION_TYPES.includes(invocationType)) {
    throw validationError(invocationType, 'invocationType', INVOCATION_TYPES);
  }
  const logType = headerOf(req, 'x-amz-log-type') ?? 'None';
  if (!LOG_TYPES.includes(logType)) throw validationError(logType, 'logType', LOG_TYPES);
  const body = await readPayload(
    req,
    invocationType === 'Event' ? MAX_ASYNC_REQUEST_BYTES : MAX_SYNC_REQUEST_BYTES,
  );

  if (invocationType === 'DryRun') {
    service.resolve(functionName, qualifier);
    res.writeHead(204, { 'x-amzn-RequestId': randomUUID() });
    res.end();
    return;
  }
  const { json, value } = parsePayload(body);
  if (invocationType === 'Event') {
    const requestId = service.invokeAsyncRaw(functionName, json, value, {
      trigger: INVOKE_TRIGGER,
      ...traceOf(req),
      qualifier,
    });
    res.writeHead(202, { 'x-amzn-RequestId': requestId });
    res.end();
    return;
  }

  const result = await service.invokeRaw(functionName, json, value, {
    trigger: INVOKE_TRIGGER,
    ...traceOf(req),
    qualifier,
    clientContextJson: clientContextOf(req),
    // The caller waits for the answer (a function calling goes first anyway, as urgent work).
    interactive: true,
  });
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'x-amzn-RequestId': result.requestId,
    'X-Amz-Executed-Version': result.executedVersion,
  };
  if (result.functionError) headers['X-Amz-Function-Error'] = 'Unhandled';
  if (logType === 'Tail') {
    const log = Buffer.from(`${result.logs.join('\n')}\n`);
    headers['X-Amz-Log-Result'] = log.subarray(Math.max(0, log.length - LOG_TAIL_BYTES)).toString('base64');
  }
  res.writeHead(200, headers);
  res.end(result.payloadJson);
}

function listFunctions(service: LambdaService, res: ServerResponse, query: URLSearchParams): void {
  const functions = service.list();
  const start = Number(query.get('Marker') ?? '0') || 0;
  const maxItems = Math.min(Number(query.get('MaxItems') ?? '50') || 50, 50);
  const page = functions.slice(start, start + maxItems);
  const next = start + page.length;
  sendJson(res, 200, {
    Functions: page.map(configurationOf),
    ...(next < functions.length ? { NextMarker: String(next) } : {}),
  });
}

function configurationOf(fn: RegisteredFunction): Record<string, unknown> {
  const name = fn.definition.name;
  return {
    FunctionName: name,
    FunctionArn: fn.arn,
    Runtime: fn.runtime,
    Role: localArn('iam', `role/${name}`, ''),
    Handler: fn.definition.handler,
    CodeSize: fn.codeSize,
    Description: '',
    Timeout: fn.timeoutSeconds,
    MemorySize: fn.memorySize,
    LastModified: fn.lastModified,
    CodeSha256: '',
    Version: '$LATEST',
    Environment: { Variables: { ...fn.definition.env } },
    TracingConfig: { Mode: fn.definition.tracingMode ?? 'PassThrough' },
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: ['x86_64'],
    EphemeralStorage: { Size: 512 },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${name}` },
  };
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function traceOf(req: IncomingMessage): { traceHeader?: string } {
  const traceHeader = headerOf(req, 'x-amzn-trace-id');
  return traceHeader === undefined ? {} : { traceHeader };
}

/** `X-Amz-Client-Context` is base64 JSON; the function sees it decoded. */
function clientContextOf(req: IncomingMessage): string | undefined {
  const header = headerOf(req, 'x-amz-client-context');
  if (header === undefined) return undefined;
  const json = Buffer.from(header, 'base64').toString('utf8');
  try {
    JSON.parse(json);
  } catch {
    throw new AwsServiceError(
      'InvalidRequestContentException',
      'Client context must be a valid Base64-encoded JSON object.',
    );
  }
  return json;
}

/** An empty payload is the event `{}`, as in AWS. */
function parsePayload(body: Buffer): { json: string; value: unknown } {
  const json = body.length === 0 ? '{}' : body.toString('utf8');
  try {
    return { json, value: JSON.parse(json) as unknown };
  } catch (error) {
    throw new AwsServiceError(
      'InvalidRequestContentException',
      `Could not parse request body into json: ${(error as Error).message}`,
    );
  }
}

function validationError(value: string, member: string, allowed: readonly string[]): AwsServiceError {
  return new AwsServiceError(
    'ValidationException',
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`,
  );
}

/** The payload, read no further than Lambda's limit for the invocation type. */
async function readPayload(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  try {
    return await readBody(req, limitBytes);
  } catch (error) {
    throw error instanceof RequestBodyTooLargeError ? requestTooLargeError(limitBytes) : error;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'x-amzn-RequestId': randomUUID() });
  res.end(JSON.stringify(body));
}

/** AWS's REST-JSON error: the code in `x-amzn-errortype` (what the SDK names the error), details in the body. */
function sendError(res: ServerResponse, error: unknown): void {
  const serviceError =
    error instanceof AwsServiceError
      ? error
      : new AwsServiceError('ServiceException', error instanceof Error ? error.message : String(error), 500);
  const messageKey = CAPITALIZED_MESSAGE_ERRORS.has(serviceError.code) ? 'Message' : 'message';
  const body = {
    Type: serviceError.statusCode >= 500 ? 'Service' : 'User',
    [messageKey]: serviceError.message,
    ...(serviceError instanceof FunctionThrottledError ? { Reason: serviceError.reason } : {}),
  };
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(serviceError.statusCode, {
    'Content-Type': 'application/json',
    'x-amzn-errortype': serviceError.code,
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(JSON.stringify(body));
}
