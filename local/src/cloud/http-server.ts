import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_ENDPOINT_MAX_BODY_BYTES, readBody, RequestBodyTooLargeError } from '../http/read-body';
import { refusalOf, type CrossOriginPolicy } from '../http/request-guard';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface RunningServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1 (port 0 picks a free one). Requests the request guard refuses are
 * answered 403 before `handler` sees them; a handler failure answers 500.
 */
export async function listen(
  port: number,
  handler: RequestHandler,
  crossOriginPolicy: CrossOriginPolicy = 'refuse-every-request',
): Promise<RunningServer> {
  const server = http.createServer((req, res) => {
    closeConnectionUnlessBodyRead(req, res);
    const refusal = refusalOf(req, crossOriginPolicy);
    if (refusal !== undefined) {
      sendJson(res, 403, { message: refusal });
      return;
    }
    handler(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Local cloud internal error', detail: String(error) }));
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    port: actualPort,
    url: `http://127.0.0.1:${actualPort}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * An answer sent before the request body was read in full (a refusal, a 413, a route that ignores bodies)
 * closes the connection. Node would otherwise read the unread rest, however large, to keep it alive.
 */
function closeConnectionUnlessBodyRead(req: IncomingMessage, res: ServerResponse): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0;
  if (!hasBody) return;
  const keepAlive = res.shouldKeepAlive;
  res.shouldKeepAlive = false;
  req.once('end', () => {
    if (!res.headersSent) res.shouldKeepAlive = keepAlive;
  });
}

export function sendJson(res: ServerResponse, statusCode: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(statusCode, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The error body of the `/_local` endpoints: the app's own shape, `{ error: { code, message, details? } }`. */
export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  details?: readonly { readonly path: string; readonly message: string }[],
): void {
  sendJson(res, status, {
    error: { code, message, ...(details === undefined ? {} : { details }) },
    requestId: randomUUID(),
  });
}

/**
 * The JSON body of a `/_local` request, or `undefined` once a 413 (beyond the endpoints' limit) or a 400
 * (not JSON) has been sent.
 */
export async function readLocalJsonBody(
  req: IncomingMessage,
  res: ServerResponse,
): Promise<{ readonly body: unknown } | undefined> {
  let text: string;
  try {
    text = (await readBody(req, LOCAL_ENDPOINT_MAX_BODY_BYTES)).toString('utf8');
  } catch (error) {
    if (!(error instanceof RequestBodyTooLargeError)) throw error;
    sendError(res, 413, 'REQUEST_TOO_LARGE', error.message);
    return undefined;
  }
  try {
    return { body: JSON.parse(text) as unknown };
  } catch {
    const reason = 'The body is not valid JSON.';
    sendError(res, 400, 'VALIDATION_FAILED', reason, [{ path: '', message: reason }]);
    return undefined;
  }
}
