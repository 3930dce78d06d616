import * as http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { limitedBody, RequestBodyTooLargeError } from '../http/read-body';

/** Target prefixes DynamoDB Local answers itself (tables and streams). */
const DYNAMODB_TARGETS = ['DynamoDB_20120810.', 'DynamoDBStreams_20120810.'];

/** DynamoDB's request size limit: a BatchWriteItem call carries at most 16 MB. */
export const DYNAMODB_MAX_REQUEST_BYTES = 16 * 1024 * 1024;

export function isDynamoDbRequest(req: IncomingMessage): boolean {
  const target = req.headers['x-amz-target'];
  return typeof target === 'string' && DYNAMODB_TARGETS.some((prefix) => target.startsWith(prefix));
}

/**
 * Streams a request to DynamoDB Local unchanged and its answer back. The body is counted as it passes, never
 * buffered: past DynamoDB's limit the request to DynamoDB Local is abandoned and the client answered 413.
 */
export function proxyToDynamoDb(dynamoDbEndpoint: string, req: IncomingMessage, res: ServerResponse): void {
  const target = new URL(dynamoDbEndpoint);
  const upstream = http.request(
    {
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: target.host },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => answerError(res, 502, 'InternalFailure', error.message));
  const body = limitedBody(req, DYNAMODB_MAX_REQUEST_BYTES);
  body.on('error', (error) => {
    upstream.destroy();
    if (error instanceof RequestBodyTooLargeError) {
      answerError(res, 413, 'RequestEntityTooLargeException', error.message);
    } else {
      // The client went away: nobody is left to answer.
      res.destroy();
    }
  });
  body.pipe(upstream);
}

/** DynamoDB's error document; only the first failure of a request is answered. */
function answerError(res: ServerResponse, statusCode: number, code: string, message: string): void {
  if (res.writableEnded) return;
  if (!res.headersSent) res.writeHead(statusCode, { 'content-type': 'application/x-amz-json-1.0' });
  res.end(JSON.stringify({ __type: `com.amazonaws.dynamodb#${code}`, message }));
}
