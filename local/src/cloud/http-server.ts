import * as http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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
