/**
 * The Lambda REST-JSON API as `@aws-sdk/client-lambda` speaks it: Invoke (RequestResponse, Event,
 * DryRun), the deprecated InvokeAsync, ListFunctions, GetFunction and GetFunctionConfiguration, and
 * versions and aliases: PublishVersion, ListVersionsByFunction, CreateAlias, GetAlias, ListAliases,
 * UpdateAlias and DeleteAlias.
 */
import * as z from 'zod';
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
import type { AliasConfiguration } from './function-aliases';
import { FunctionThrottledError } from './worker-pool';

/** Bodies of the version and alias requests are small documents; Lambda's own limit is far above. */
const MAX_DOCUMENT_BYTES = 64 * 1024;

const weights = z.record(z.string(), z.number());
const routingConfig = z.object({ AdditionalVersionWeights: weights.optional() }).optional();
const publishVersionRequest = z.object({
  CodeSha256: z.string().optional(),
  Description: z.string().max(256).optional(),
  RevisionId: z.string().optional(),
});
const createAliasRequest = z.object({
  Name: z.string().min(1).max(128),
  FunctionVersion: z.string().min(1).max(1024),
  Description: z.string().max(256).optional(),
  RoutingConfig: routingConfig,
});
const updateAliasRequest = z.object({
  FunctionVersion: z.string().min(1).max(1024).optional(),
  Description: z.string().max(256).optional(),
  RoutingConfig: routingConfig,
  RevisionId: z.string().optional(),
});

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
      case 'PublishVersion': {
        const body = await readDocument(req, publishVersionRequest);
        sendJson(res, 201, configurationOf(service.publishVersion(route.functionName, body.Description)));
        break;
      }
      case 'ListVersionsByFunction':
        sendJson(
          res,
          200,
          page(service.listVersions(route.functionName).map(configurationOf), query, 'Versions'),
        );
        break;
      case 'CreateAlias': {
        const body = await readDocument(req, createAliasRequest);
        const alias = service.createAlias(
          route.functionName,
          body.Name,
          {
            functionVersion: body.FunctionVersion,
            additionalVersionWeights: body.RoutingConfig?.AdditionalVersionWeights ?? {},
          },
          body.Description,
        );
        sendJson(res, 201, aliasOf(service, route.functionName, alias));
        break;
      }
      case 'ListAliases': {
        const aliases = service.listAliases(route.functionName, query.get('FunctionVersion') ?? undefined);
        const documents = aliases.map((alias) => aliasOf(service, route.functionName, alias));
        sendJson(res, 200, page(documents, query, 'Aliases'));
        break;
      }
      case 'GetAlias':
        sendJson(
          res,
          200,
          aliasOf(service, route.functionName, service.getAlias(route.functionName, route.alias)),
        );
        break;
      case 'UpdateAlias': {
        const body = await readDocument(req, updateAliasRequest);
        const weightsOfBody = body.RoutingConfig?.AdditionalVersionWeights;
        const alias = service.updateAlias(route.functionName, route.alias, {
          ...(body.FunctionVersion === undefined ? {} : { functionVersion: body.FunctionVersion }),
          ...(body.RoutingConfig === undefined ? {} : { additionalVersionWeights: weightsOfBody ?? {} }),
          ...(body.Description === undefined ? {} : { description: body.Description }),
          ...(body.RevisionId === undefined ? {} : { revisionId: body.RevisionId }),
        });
        sendJson(res, 200, aliasOf(service, route.functionName, alias));
        break;
      }
      case 'DeleteAlias':
        service.deleteAlias(route.functionName, route.alias);
        res.writeHead(204, { 'x-amzn-RequestId': randomUUID() });
        res.end();
        break;
    }
  } catch (error) {
    sendError(res, error);
  }
  return true;
}

type Route =
  | {
      readonly operation:
        | 'Invoke'
        | 'InvokeAsync'
        | 'GetFunction'
        | 'GetFunctionConfiguration'
        | 'PublishVersion'
        | 'ListVersionsByFunction'
        | 'CreateAlias'
        | 'ListAliases';
      readonly functionName: string;
    }
  | {
      readonly operation: 'GetAlias' | 'UpdateAlias' | 'DeleteAlias';
      readonly functionName: string;
      readonly alias: string;
    }
  | { readonly operation: 'ListFunctions' };

/** `<method> <action>` of the routes under `/2015-03-31/functions/<name>/`. */
const FUNCTION_ROUTES: Readonly<Record<string, Route['operation']>> = {
  'POST invocations': 'Invoke',
  'GET ': 'GetFunction',
  'GET configuration': 'GetFunctionConfiguration',
  'POST versions': 'PublishVersion',
  'GET versions': 'ListVersionsByFunction',
  'POST aliases': 'CreateAlias',
  'GET aliases': 'ListAliases',
};
const ALIAS_ROUTES: Readonly<Record<string, 'GetAlias' | 'UpdateAlias' | 'DeleteAlias'>> = {
  GET: 'GetAlias',
  PUT: 'UpdateAlias',
  DELETE: 'DeleteAlias',
};

function matchRoute(method: string, pathname: string): Route | undefined {
  const segments = pathname.split('/');
  // ['', version, 'functions', name?, action?, alias?, ''?]
  if (segments[segments.length - 1] === '' && segments.length > 1) segments.pop();
  const [root, version, collection, encodedName, action, encodedAlias, ...rest] = segments;
  if (root !== '' || collection !== 'functions' || rest.length > 0) return undefined;
  if (version === '2014-11-13') {
    if (method !== 'POST' || action !== 'invoke-async' || encodedName === undefined) return undefined;
    if (encodedAlias !== undefined) return undefined;
    return { operation: 'InvokeAsync', functionName: decodeName(encodedName) };
  }
  if (version !== '2015-03-31') return undefined;
  if (encodedName === undefined) return method === 'GET' ? { operation: 'ListFunctions' } : undefined;
  const functionName = decodeName(encodedName);
  if (encodedAlias !== undefined) {
    const operation = action === 'aliases' ? ALIAS_ROUTES[method] : undefined;
    return operation === undefined ? undefined : { operation, functionName, alias: decodeName(encodedAlias) };
  }
  const operation = FUNCTION_ROUTES[`${method} ${action ?? ''}`];
  if (operation === undefined || operation === 'ListFunctions') return undefined;
  if (operation === 'GetAlias' || operation === 'UpdateAlias' || operation === 'DeleteAlias')
    return undefined;
  return { operation, functionName };
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
  sendJson(res, 200, page(service.list().map(configurationOf), query, 'Functions'));
}

/** One page of a listing, as `Marker`, `MaxItems` and `NextMarker` page it (50 at most). */
function page(items: readonly unknown[], query: URLSearchParams, member: string): Record<string, unknown> {
  const start = Number(query.get('Marker') ?? '0') || 0;
  const maxItems = Math.min(Number(query.get('MaxItems') ?? '50') || 50, 50);
  const slice = items.slice(start, start + maxItems);
  const next = start + slice.length;
  return { [member]: slice, ...(next < items.length ? { NextMarker: String(next) } : {}) };
}

function aliasOf(
  service: LambdaService,
  functionName: string,
  alias: AliasConfiguration,
): Record<string, unknown> {
  const weightsOfAlias = alias.additionalVersionWeights;
  return {
    AliasArn: `${service.resolve(functionName).arn}:${alias.name}`,
    Name: alias.name,
    FunctionVersion: alias.functionVersion,
    Description: alias.description,
    ...(Object.keys(weightsOfAlias).length === 0
      ? {}
      : { RoutingConfig: { AdditionalVersionWeights: { ...weightsOfAlias } } }),
    RevisionId: alias.revisionId,
  };
}

function configurationOf(fn: RegisteredFunction): Record<string, unknown> {
  const name = fn.definition.name;
  return {
    FunctionName: name,
    // A published version's configuration names it by its qualified ARN.
    FunctionArn: fn.version === '$LATEST' ? fn.arn : `${fn.arn}:${fn.version}`,
    Runtime: fn.runtime,
    Role: localArn('iam', `role/${name}`, ''),
    Handler: fn.definition.handler,
    CodeSize: fn.codeSize,
    Description: fn.description,
    Timeout: fn.timeoutSeconds,
    MemorySize: fn.memorySize,
    LastModified: fn.lastModified,
    CodeSha256: '',
    Version: fn.version,
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

/** A version or alias request's JSON body, checked against its shape. */
async function readDocument<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  const body = await readPayload(req, MAX_DOCUMENT_BYTES);
  const { value } = parsePayload(body);
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value at '${issue?.path.join('.') ?? ''}' failed to satisfy constraint: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
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
