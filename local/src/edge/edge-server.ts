import * as http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Target prefixes DynamoDB Local answers itself (tables and streams). */
const DYNAMODB_TARGETS = ['DynamoDB_20120810.', 'DynamoDBStreams_20120810.'];

export function isDynamoDbRequest(req: IncomingMessage): boolean {
  const target = req.headers['x-amz-target'];
  return typeof target === 'string' && DYNAMODB_TARGETS.some((prefix) => target.startsWith(prefix));
}

/** Streams a request to DynamoDB Local unchanged and its answer back. */
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
  upstream.on('error', (error) => {
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'application/x-amz-json-1.0' });
    }
    res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb#InternalFailure', message: error.message }));
  });
  req.pipe(upstream);
}
