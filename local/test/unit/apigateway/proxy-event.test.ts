import {
  fromProxyResult,
  headersFromRawHeaders,
  matchesMediaType,
  toProxyEvent,
  type ProxyEventContext,
  type ProxyRequest,
  type ProxyResponse,
} from '../../../src/apigateway/proxy-event';
import type { RouteMatchFound } from '../../../src/apigateway/rest-api-model';

const match: RouteMatchFound = {
  route: {
    method: 'ANY',
    resourcePath: '/orders/{orderId}',
    resourceId: 'res123',
    authorizationType: 'NONE',
    integration: {
      type: 'AWS_PROXY',
      functionName: 'fn',
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
      timeoutMs: 29_000,
    },
  },
  pathParameters: { orderId: 'a%2Bb' },
};

const ctx: ProxyEventContext = {
  apiId: 'abc123',
  stage: 'prod',
  requestId: '6f1c2d3e-0000-4000-8000-000000000001',
  extendedRequestId: 'Bq8rKHnRIAMEbxQ=',
  accountId: '000000000000',
  requestTimeEpoch: Date.UTC(2026, 10, 26, 12, 0, 0),
  traceHeader: 'Root=1-6926eb40-0123456789abcdef01234567',
  deploymentId: 'dep1',
};

const request = (overrides: Partial<ProxyRequest> = {}): ProxyRequest => ({
  method: 'get',
  path: '/orders/a%2Bb',
  rawQueryString: '',
  headers: { Host: ['127.0.0.1:3000'], 'User-Agent': ['test/1.0'] },
  body: Buffer.alloc(0),
  sourceIp: '10.0.0.7',
  ...overrides,
});

describe('headersFromRawHeaders', () => {
  it('groups repeated names case-insensitively under the first spelling', () => {
    // Prepare
    const raw = ['Accept', 'text/plain', 'X-Tag', 'a', 'accept', 'application/json', 'x-tag', 'b'];

    // Act
    const headers = headersFromRawHeaders(raw);

    // Assess
    expect(headers).toEqual({ Accept: ['text/plain', 'application/json'], 'X-Tag': ['a', 'b'] });
  });
});

describe('toProxyEvent', () => {
  it('builds the v1 event with nulls where the request has nothing', () => {
    // Prepare
    const req = request();

    // Act
    const event = toProxyEvent(req, match, ctx);

    // Assess
    expect(event).toEqual({
      resource: '/orders/{orderId}',
      path: '/orders/a%2Bb',
      httpMethod: 'GET',
      headers: {
        Host: '127.0.0.1:3000',
        'User-Agent': 'test/1.0',
        'X-Amzn-Trace-Id': 'Root=1-6926eb40-0123456789abcdef01234567',
        'X-Forwarded-For': '10.0.0.7',
        'X-Forwarded-Port': '443',
        'X-Forwarded-Proto': 'https',
      },
      multiValueHeaders: {
        Host: ['127.0.0.1:3000'],
        'User-Agent': ['test/1.0'],
        'X-Amzn-Trace-Id': ['Root=1-6926eb40-0123456789abcdef01234567'],
        'X-Forwarded-For': ['10.0.0.7'],
        'X-Forwarded-Port': ['443'],
        'X-Forwarded-Proto': ['https'],
      },
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: { orderId: 'a%2Bb' },
      stageVariables: null,
      requestContext: {
        accountId: '000000000000',
        apiId: 'abc123',
        deploymentId: 'dep1',
        domainName: '127.0.0.1:3000',
        domainPrefix: '127',
        extendedRequestId: 'Bq8rKHnRIAMEbxQ=',
        httpMethod: 'GET',
        identity: {
          accessKey: null,
          accountId: null,
          caller: null,
          cognitoAuthenticationProvider: null,
          cognitoAuthenticationType: null,
          cognitoIdentityId: null,
          cognitoIdentityPoolId: null,
          principalOrgId: null,
          sourceIp: '10.0.0.7',
          user: null,
          userAgent: 'test/1.0',
          userArn: null,
        },
        path: '/prod/orders/a%2Bb',
        protocol: 'HTTP/1.1',
        requestId: '6f1c2d3e-0000-4000-8000-000000000001',
        requestTime: '26/Nov/2026:12:00:00 +0000',
        requestTimeEpoch: Date.UTC(2026, 10, 26, 12, 0, 0),
        resourceId: 'res123',
        resourcePath: '/orders/{orderId}',
        stage: 'prod',
      },
      body: null,
      isBase64Encoded: false,
    });
  });

  it('keeps every header and query value in the multi-value maps and the last in the single ones', () => {
    // Prepare
    const req = request({
      rawQueryString: 'tag=a&tag=b%20c&q=x+y&email=me%2Bwork%40example.com&flag',
      headers: { Host: ['h'], 'x-Custom': ['one', 'two'], authorization: ['Bearer t'] },
    });

    // Act
    const event = toProxyEvent(req, match, ctx);

    // Assess
    expect(event.queryStringParameters).toEqual({
      tag: 'b c',
      q: 'x y',
      email: 'me+work@example.com',
      flag: '',
    });
    expect(event.multiValueQueryStringParameters).toEqual({
      tag: ['a', 'b c'],
      q: ['x y'],
      email: ['me+work@example.com'],
      flag: [''],
    });
    expect(event.headers?.['x-Custom']).toBe('two');
    expect(event.multiValueHeaders?.['x-Custom']).toEqual(['one', 'two']);
    expect(event.headers?.['Authorization']).toBe('Bearer t');
    expect(event.requestContext.identity.userAgent).toBeNull();
  });

  it('drops hop-by-hop headers and replaces the gateway-owned ones, appending to X-Forwarded-For', () => {
    // Prepare
    const req = request({
      headers: {
        Host: ['h'],
        Connection: ['keep-alive'],
        'Content-Length': ['2'],
        'Transfer-Encoding': ['chunked'],
        'X-Forwarded-For': ['203.0.113.9'],
        'X-Forwarded-Proto': ['ftp'],
        'X-Amzn-Trace-Id': ['Root=client'],
      },
      localPort: 3000,
      protocol: 'http',
    });

    // Act
    const event = toProxyEvent(req, match, ctx);

    // Assess
    expect(Object.keys(event.headers ?? {})).toEqual([
      'Host',
      'X-Amzn-Trace-Id',
      'X-Forwarded-For',
      'X-Forwarded-Port',
      'X-Forwarded-Proto',
    ]);
    expect(event.headers).toMatchObject({
      'X-Amzn-Trace-Id': ctx.traceHeader,
      'X-Forwarded-For': '203.0.113.9, 10.0.0.7',
      'X-Forwarded-Port': '3000',
      'X-Forwarded-Proto': 'http',
    });
  });

  it('passes a text body as UTF-8', () => {
    // Prepare
    const req = request({
      method: 'POST',
      headers: { 'Content-Type': ['application/json; charset=utf-8'] },
      body: Buffer.from('{"name":"Zoë"}'),
    });

    // Act
    const event = toProxyEvent(req, match, { ...ctx, binaryMediaTypes: ['image/*'] });

    // Assess
    expect(event.body).toBe('{"name":"Zoë"}');
    expect(event.isBase64Encoded).toBe(false);
  });

  it('base64-encodes bodies of binary media types, and bytes that are not UTF-8', () => {
    // Prepare
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    const ascii = request({
      method: 'PUT',
      headers: { 'Content-Type': ['image/png'] },
      body: Buffer.from('abc'),
    });
    const bytes = request({
      method: 'PUT',
      headers: { 'Content-Type': ['application/octet-stream'] },
      body: png,
    });

    // Act
    const declaredBinary = toProxyEvent(ascii, match, { ...ctx, binaryMediaTypes: ['image/*'] });
    const undeclaredBinary = toProxyEvent(bytes, match, ctx);

    // Assess
    expect(declaredBinary).toMatchObject({ body: 'YWJj', isBase64Encoded: true });
    expect(undeclaredBinary).toMatchObject({ body: png.toString('base64'), isBase64Encoded: true });
  });

  it('passes stage variables and derives the trace header when none is given', () => {
    // Prepare
    const { traceHeader: _omitted, ...withoutTrace } = ctx;

    // Act
    const event = toProxyEvent(
      request(),
      { ...match, pathParameters: {} },
      {
        ...withoutTrace,
        stageVariables: { table: 'orders' },
      },
    );

    // Assess
    expect(event.stageVariables).toEqual({ table: 'orders' });
    expect(event.pathParameters).toBeNull();
    const seconds = Math.floor(ctx.requestTimeEpoch / 1000).toString(16);
    expect(event.headers?.['X-Amzn-Trace-Id']).toMatch(new RegExp(`^Root=1-${seconds}-[0-9a-f]{24}$`));
  });
});

describe('fromProxyResult', () => {
  const text = (r: ProxyResponse): string => r.body.toString('utf8');

  it('maps a valid result, defaulting Content-Type to application/json', () => {
    // Prepare
    const payload = { statusCode: 201, headers: { Location: '/orders/1', 'X-Ok': true }, body: '{"id":1}' };

    // Act
    const response = fromProxyResult(payload);

    // Assess
    expect(response).toEqual({
      statusCode: 201,
      headers: [
        ['Location', '/orders/1'],
        ['X-Ok', 'true'],
        ['Content-Type', 'application/json'],
      ],
      body: Buffer.from('{"id":1}'),
    });
  });

  it('merges multiValueHeaders over headers of the same name, whatever the case', () => {
    // Prepare
    const payload = {
      statusCode: 200,
      headers: { 'set-cookie': 'solo=1', 'Content-Type': 'text/plain' },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
      body: 'ok',
    };

    // Act
    const response = fromProxyResult(payload);

    // Assess
    expect(response.headers).toEqual([
      ['Content-Type', 'text/plain'],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
    ]);
  });

  it('remaps headers API Gateway reserves and drops Transfer-Encoding', () => {
    // Prepare
    const payload = {
      headers: { Server: 'fn', 'content-length': '3', 'Transfer-Encoding': 'chunked' },
      body: 'abc',
    };

    // Act
    const response = fromProxyResult(payload);

    // Assess
    expect(response.headers).toEqual([
      ['x-amzn-Remapped-Server', 'fn'],
      ['x-amzn-Remapped-Content-Length', '3'],
      ['Content-Type', 'application/json'],
    ]);
  });

  it('answers 200 with an empty body for a result without statusCode, and accepts a numeric string', () => {
    // Prepare
    const empty = {};
    const stringCode = { statusCode: '204' };

    // Act
    const responses = [fromProxyResult(empty), fromProxyResult(stringCode)];

    // Assess
    expect(responses.map((r) => [r.statusCode, text(r), r.failure])).toEqual([
      [200, '', undefined],
      [204, '', undefined],
    ]);
  });

  it('decodes a base64 body without options, and only for a binary Accept type with them', () => {
    // Prepare
    const payload = {
      statusCode: 200,
      body: Buffer.from([0xff, 0x00]).toString('base64'),
      isBase64Encoded: true,
    };
    const binaryMediaTypes = ['image/png'];

    // Act
    const plain = fromProxyResult(payload);
    const accepted = fromProxyResult(payload, undefined, { binaryMediaTypes, accept: 'image/png, */*' });
    const notAccepted = fromProxyResult(payload, undefined, { binaryMediaTypes, accept: '*/*, image/png' });

    // Assess
    expect(plain.body).toEqual(Buffer.from([0xff, 0x00]));
    expect(accepted.body).toEqual(Buffer.from([0xff, 0x00]));
    expect(text(notAccepted)).toBe('/wA=');
  });

  it.each([
    ['null (a handler returning nothing)', null],
    ['a string', 'hello'],
    ['an unknown key', { statusCode: 200, extra: 1 }],
    ['an object body', { statusCode: 200, body: { id: 1 } }],
    ['a non-numeric statusCode', { statusCode: 'ok' }],
    ['a number header value', { headers: { 'X-Count': 3 } }],
    ['a multi-value header that is not an array', { multiValueHeaders: { 'X-A': 'b' } }],
  ])('answers 502 Internal server error for %s', (_case, payload) => {
    // Prepare: a malformed result

    // Act
    const response = fromProxyResult(payload);

    // Assess
    expect(response.statusCode).toBe(502);
    expect(JSON.parse(text(response))).toEqual({ message: 'Internal server error' });
    expect(response.headers).toContainEqual(['x-amzn-ErrorType', 'InternalServerErrorException']);
    expect(response.failure).toMatch(/^Malformed Lambda proxy response: /);
  });

  it('answers 502 for a function error even when the payload looks valid', () => {
    // Prepare
    const payload = { errorType: 'TypeError', errorMessage: 'boom' };

    // Act
    const response = fromProxyResult(payload, { errorType: 'TypeError', errorMessage: 'boom' });

    // Assess
    expect(response.statusCode).toBe(502);
    expect(JSON.parse(text(response))).toEqual({ message: 'Internal server error' });
    expect(response.failure).toBe('function error: TypeError: boom');
  });
});

describe('matchesMediaType', () => {
  it('matches wildcards of the configured types and ignores parameters', () => {
    // Prepare
    const types = ['image/*', 'application/pdf'];

    // Act
    const results = ['image/png; q=0.9', 'application/pdf', 'application/json', undefined].map((t) =>
      matchesMediaType(t, types),
    );

    // Assess
    expect(results).toEqual([true, true, false, false]);
  });
});
