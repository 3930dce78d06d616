/**
 * HTTP requests with every header under the test's control (`fetch` sets `Host` and `Origin` itself), and
 * bodies sent as a test needs them: with their length, chunked, or only announced.
 */
import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';

export interface RawRequest {
  readonly port: number;
  readonly method?: string;
  readonly path?: string;
  readonly headers?: OutgoingHttpHeaders;
  /** Sent with its `Content-Length`, unless `chunked`. */
  readonly body?: Buffer | string;
  /** Send `body` with `Transfer-Encoding: chunked`, so that only the bytes received tell its size. */
  readonly chunked?: boolean;
  /** Announce a body of this many bytes (`Content-Length`) and send none of it. */
  readonly announcedBytes?: number;
}

export interface RawReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/**
 * Sends the request on a connection of its own and resolves with the answer. A server that answers before
 * reading the whole body closes the connection under the body still being written: the client's write
 * error that follows the answer is expected, and ignored.
 */
export function sendRaw(raw: RawRequest): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const headers: OutgoingHttpHeaders = {
      // Asked for, so that the answer tells whether the server keeps the connection.
      connection: 'keep-alive',
      ...(raw.chunked ? { 'transfer-encoding': 'chunked' } : {}),
      ...(raw.announcedBytes === undefined ? {} : { 'content-length': String(raw.announcedBytes) }),
      ...raw.headers,
    };
    const req = request(
      {
        host: '127.0.0.1',
        port: raw.port,
        method: raw.method ?? 'GET',
        path: raw.path ?? '/',
        headers,
        agent: false,
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          });
          req.destroy();
        });
      },
    );
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (raw.announcedBytes !== undefined) {
      req.flushHeaders();
      return;
    }
    if (raw.chunked && raw.body !== undefined) {
      req.write(raw.body);
      req.end();
      return;
    }
    req.end(raw.body);
  });
}
