/**
 * The AWS JSON 1.0/1.1 protocol over HTTP: `POST /` with `X-Amz-Target: <prefix>.<Operation>` and a JSON
 * body, answered with JSON or an AWS error document. The local cloud's edge endpoint hands every request
 * here first; requests no service claims are left for the other routes.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsServiceError, type JsonProtocolService } from '../aws-protocol';
import { readAwsRequestText } from './read-body';

/** A service whose error types AWS qualifies with a Smithy namespace (`__type: "com.amazonaws.sqs#…"`). */
export interface NamespacedJsonProtocolService extends JsonProtocolService {
  readonly errorNamespace: string;
}

/**
 * Serves the request if its `X-Amz-Target` prefix names one of `services`; returns false (without
 * reading the body) otherwise.
 */
export async function serveJsonProtocol(
  services: readonly JsonProtocolService[],
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const target = req.headers['x-amz-target'];
  if (typeof target !== 'string') return false;
  const dot = target.lastIndexOf('.');
  if (dot <= 0) return false;
  const prefix = target.slice(0, dot);
  const service = services.find((candidate) => candidate.targetPrefix === prefix);
  if (!service) return false;

  const requestId = randomUUID();
  try {
    const input = parseInput(await readAwsRequestText(req, service.maxRequestBodyBytes));
    const traceHeader = req.headers['x-amzn-trace-id'];
    const output = await service.handle(
      target.slice(dot + 1),
      input,
      typeof traceHeader === 'string' ? { traceHeader } : {},
    );
    writeJson(res, 200, service, requestId, output ?? {});
  } catch (error) {
    writeError(res, service, requestId, error);
  }
  return true;
}

function parseInput(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new AwsServiceError('SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AwsServiceError('SerializationException', 'The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

function writeJson(
  res: ServerResponse,
  statusCode: number,
  service: JsonProtocolService,
  requestId: string,
  body: unknown,
  extraHeaders: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  const payload = JSON.stringify(body);
  res.writeHead(statusCode, {
    'content-type': `application/x-amz-json-${service.jsonVersion}`,
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': requestId,
    ...extraHeaders,
  });
  res.end(payload);
}

function writeError(
  res: ServerResponse,
  service: JsonProtocolService,
  requestId: string,
  error: unknown,
): void {
  if (!(error instanceof AwsServiceError)) {
    const message = error instanceof Error ? error.message : String(error);
    writeJson(res, 500, service, requestId, { __type: 'InternalFailure', message });
    return;
  }
  const namespace = errorNamespaceOf(service);
  const fault = error.statusCode >= 500 ? 'Receiver' : 'Sender';
  writeJson(
    res,
    error.statusCode,
    service,
    requestId,
    { __type: namespace ? `${namespace}#${error.code}` : error.code, message: error.message },
    // Query-compatible clients (SQS) take the error code from this header rather than from `__type`.
    error.queryErrorCode ? { 'x-amzn-query-error': `${error.queryErrorCode};${fault}` } : {},
  );
}

function errorNamespaceOf(service: JsonProtocolService): string | undefined {
  if (!('errorNamespace' in service)) return undefined;
  const namespace: unknown = service.errorNamespace;
  return typeof namespace === 'string' ? namespace : undefined;
}
