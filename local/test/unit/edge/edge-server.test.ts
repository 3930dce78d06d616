import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen, type RunningServer } from '../../../src/cloud/http-server';
import { DYNAMODB_MAX_REQUEST_BYTES, proxyToDynamoDb } from '../../../src/edge/edge-server';
import { sendRaw } from '../../support/raw-http';

/** Stands in for DynamoDB Local: answers `{}` to every request it read in full, and notes its size. */
let dynamoDbLocal: Server;
let completedBodyBytes: number[];
let edge: RunningServer;

beforeAll(async () => {
  dynamoDbLocal = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    req.on('end', () => {
      completedBodyBytes.push(bytes);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => dynamoDbLocal.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(dynamoDbLocal.address() as AddressInfo).port}`;
  edge = await listen(0, async (req, res) => proxyToDynamoDb(endpoint, req, res));
});

beforeEach(() => {
  completedBodyBytes = [];
});

afterAll(async () => {
  await edge.close();
  dynamoDbLocal.closeAllConnections();
  await new Promise((resolve) => dynamoDbLocal.close(resolve));
});

const headers = { 'x-amz-target': 'DynamoDB_20120810.BatchWriteItem' };
const tooLarge = {
  __type: 'com.amazonaws.dynamodb#RequestEntityTooLargeException',
  message: 'The request body is larger than 16777216 bytes.',
};

describe('the DynamoDB proxy of the edge', () => {
  it('passes a request of exactly 16 MB on to DynamoDB Local', async () => {
    // Act
    const reply = await sendRaw({
      port: edge.port,
      method: 'POST',
      headers,
      body: Buffer.alloc(DYNAMODB_MAX_REQUEST_BYTES, 0x20),
    });

    // Assess
    expect(reply).toMatchObject({ status: 200, text: '{}' });
    expect(completedBodyBytes).toEqual([DYNAMODB_MAX_REQUEST_BYTES]);
  });

  it('answers 413 once a chunked body passes 16 MB, and abandons the request to DynamoDB Local', async () => {
    // Act
    const reply = await sendRaw({
      port: edge.port,
      method: 'POST',
      headers,
      body: Buffer.alloc(DYNAMODB_MAX_REQUEST_BYTES + 1, 0x20),
      chunked: true,
    });

    // Assess
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.text)).toEqual(tooLarge);
    expect(completedBodyBytes).toEqual([]);
  });

  it.each([
    ['one byte over 16 MB', DYNAMODB_MAX_REQUEST_BYTES + 1],
    ['10 GB', 10 * 1024 ** 3],
  ])('answers 413 to a body announced as %s without reading it', async (_what, announcedBytes) => {
    // Act
    const reply = await sendRaw({ port: edge.port, method: 'POST', headers, announcedBytes });

    // Assess
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.text)).toEqual(tooLarge);
    expect(completedBodyBytes).toEqual([]);
  });
});
