/**
 * Request bodies, read with a size limit: every endpoint reads its body through here. A body announced
 * larger than the limit (`Content-Length`) is refused before a byte of it is read; a body that turns out
 * larger is refused as soon as the limit is passed, and reading stops there. The caller answers 413 as its
 * service does; `listen` then closes the connection, so the unread rest is never read.
 */
import type { IncomingMessage } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { AwsServiceError } from '../aws-protocol';

/** The local cloud's own endpoints (`/_local…`) take small JSON documents: a fault is a few hundred bytes. */
export const LOCAL_ENDPOINT_MAX_BODY_BYTES = 64 * 1024;

export class RequestBodyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`The request body is larger than ${limitBytes} bytes.`);
    this.name = 'RequestBodyTooLargeError';
  }
}

/**
 * The request body as a stream of at most `limitBytes`, for bodies passed on rather than kept (a proxy);
 * it fails with `RequestBodyTooLargeError` past the limit.
 */
export function limitedBody(req: IncomingMessage, limitBytes: number): Readable {
  let received = 0;
  const limited = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      callback(received > limitBytes ? new RequestBodyTooLargeError(limitBytes) : null, chunk);
    },
  });
  if (announcedLength(req) > limitBytes) {
    limited.destroy(new RequestBodyTooLargeError(limitBytes));
    return limited;
  }
  // A client that goes away mid-body fails the read rather than leaving it pending.
  req.once('error', (error) => limited.destroy(error));
  req.pipe(limited);
  return limited;
}

/** The whole request body, at most `limitBytes`; rejects with `RequestBodyTooLargeError` past the limit. */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of limitedBody(req, limitBytes)) chunks.push(chunk as Buffer);
  return chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks);
}

/** `Content-Length`, or 0 for a body without one (chunked, or none). */
function announcedLength(req: IncomingMessage): number {
  const declared = Number(req.headers['content-length']);
  return Number.isFinite(declared) ? declared : 0;
}

/**
 * The body of a request to an emulated AWS API, as text; past `limitBytes`, the error AWS answers:
 * 413 `RequestEntityTooLargeException`.
 */
export async function readAwsRequestText(req: IncomingMessage, limitBytes: number): Promise<string> {
  try {
    const body = await readBody(req, limitBytes);
    // The SDK compresses large bodies of some operations (CloudWatch's PutMetricData) with gzip.
    if (req.headers['content-encoding']?.trim().toLowerCase() === 'gzip') {
      return gunzipSync(body, { maxOutputLength: limitBytes }).toString('utf8');
    }
    return body.toString('utf8');
  } catch (error) {
    if (error instanceof RangeError && /maxOutputLength|Cannot create a Buffer/.test(error.message)) {
      throw new AwsServiceError(
        'RequestEntityTooLargeException',
        'The uncompressed request body is too large.',
        413,
      );
    }
    if (error instanceof RequestBodyTooLargeError) {
      throw new AwsServiceError('RequestEntityTooLargeException', error.message, 413);
    }
    throw error;
  }
}
