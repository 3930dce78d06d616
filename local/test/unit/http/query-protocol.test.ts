import type { QueryInput, QueryProtocolService, XmlResult } from '../../../src/aws-protocol';
import { AwsServiceError, signingNameOf } from '../../../src/aws-protocol';
import { listen, type RunningServer, sendJson } from '../../../src/cloud/http-server';
import {
  escapeXml,
  parseQueryParameters,
  QueryParseError,
  serveQueryProtocol,
  xmlElement,
} from '../../../src/http/query-protocol';
import { sendRaw } from '../../support/raw-http';

const LIMIT_BYTES = 4096;
const NAMESPACE = 'http://example.amazonaws.com/doc/2020-01-01/';

/** A Query-protocol service that answers `Echo` with what it read, and fails as asked otherwise. */
class EchoService implements QueryProtocolService {
  readonly signingName = 'example';
  readonly version = '2020-01-01';
  readonly xmlNamespace = NAMESPACE;
  readonly maxRequestBodyBytes = LIMIT_BYTES;
  readonly received: { action: string; input: QueryInput }[] = [];

  async handle(action: string, input: QueryInput): Promise<XmlResult> {
    this.received.push({ action, input });
    if (action === 'Refuse') throw new AwsServiceError('ValidationError', 'Refused <because> "asked" & so');
    if (action === 'Crash') throw new Error('the handler broke');
    return { Echoed: JSON.stringify(input) };
  }
}

let service: EchoService;
let server: RunningServer;

beforeAll(async () => {
  server = await listen(0, async (req, res) => {
    if (!(await serveQueryProtocol([service], req, res))) sendJson(res, 404, { message: 'not claimed' });
  });
});

beforeEach(() => {
  service = new EchoService();
});

afterAll(async () => {
  await server.close();
});

const FORM = 'application/x-www-form-urlencoded; charset=utf-8';
const signedFor = (signingName: string): string =>
  `AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261207/us-east-1/${signingName}/aws4_request, ` +
  'SignedHeaders=content-type;host;x-amz-date, Signature=0123456789abcdef';

const post = (body: string, headers: Record<string, string> = { 'content-type': FORM }) =>
  sendRaw({ port: server.port, method: 'POST', headers, body });

describe('parseQueryParameters', () => {
  it('reads plain parameters, decoding percent escapes and + as a space', () => {
    // Act
    const parameters = parseQueryParameters('Action=Echo&StackName=my%2Fstack+one&Empty=');

    // Assess
    expect(parameters).toEqual({ Action: 'Echo', StackName: 'my/stack one', Empty: '' });
  });

  it('reads Foo.member.N as a list in index order, and flattened Foo.N alike', () => {
    // Act
    const parameters = parseQueryParameters(
      'Filter.member.10=j&Filter.member.2=b&Filter.member.1=a&Flat.2=y&Flat.1=x',
    );

    // Assess
    expect(parameters).toEqual({ Filter: ['a', 'b', 'j'], Flat: ['x', 'y'] });
  });

  it('reads lists of structures and nested structures', () => {
    // Act
    const parameters = parseQueryParameters(
      'Parameters.member.1.ParameterKey=Stage&Parameters.member.1.ParameterValue=prod&' +
        'Parameters.member.2.ParameterKey=Size&Parameters.member.2.UsePreviousValue=true&' +
        'RollbackConfiguration.MonitoringTimeInMinutes=5',
    );

    // Assess
    expect(parameters).toEqual({
      Parameters: [
        { ParameterKey: 'Stage', ParameterValue: 'prod' },
        { ParameterKey: 'Size', UsePreviousValue: 'true' },
      ],
      RollbackConfiguration: { MonitoringTimeInMinutes: '5' },
    });
  });

  it('keeps a member that is not a list index as a structure', () => {
    // Act
    const parameters = parseQueryParameters('Shape.member.Name=n&Shape.Other=o');

    // Assess
    expect(parameters).toEqual({ Shape: { member: { Name: 'n' }, Other: 'o' } });
  });

  it.each([
    ['a key given twice', 'StackName=a&StackName=b', "The parameter 'StackName' is given more than once."],
    [
      'a value under a value',
      'A=1&A.B=2',
      "The parameter 'A.B' is given both as a value and as a structure.",
    ],
    [
      'a value over a structure',
      'A.B=2&A=1',
      "The parameter 'A' is given both as a value and as a structure.",
    ],
    ['an empty name segment', 'A..B=1', "The parameter name 'A..B' is malformed."],
  ])('refuses %s', (_case, body, message) => {
    // Act
    const act = (): unknown => parseQueryParameters(body);

    // Assess
    expect(act).toThrow(QueryParseError);
    expect(act).toThrow(message);
  });

  it('refuses a key nested deeper than any AWS shape, before building it', () => {
    // Act
    const act = (): unknown => parseQueryParameters(`${Array.from({ length: 33 }, () => 'A').join('.')}=1`);

    // Assess
    expect(act).toThrow(/nests deeper than 32 levels/);
  });
});

describe('XML answers', () => {
  it('escapes markup, quotes and carriage returns, and replaces what XML 1.0 cannot carry', () => {
    // Act
    const escaped = escapeXml('a & b <c> "d" \'e\'\r\n\tf\u0000g\u001Fh ü 🎉');

    // Assess
    expect(escaped).toBe('a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;&#13;\n\tf\uFFFDg\uFFFDh ü 🎉');
  });

  it('writes lists as member elements, dates in ISO 8601, and leaves undefined out', () => {
    // Act
    const xml = xmlElement('Result', {
      Items: [
        { Key: 'k<1>', Flag: true },
        { Key: 'k2', Count: 3 },
      ],
      Empty: [],
      Nothing: undefined,
      When: new Date('2026-12-07T10:00:00.123Z'),
      Blank: {},
    });

    // Assess
    expect(xml).toBe(
      '<Result><Items><member><Key>k&lt;1&gt;</Key><Flag>true</Flag></member>' +
        '<member><Key>k2</Key><Count>3</Count></member></Items><Empty/>' +
        '<When>2026-12-07T10:00:00.123Z</When><Blank/></Result>',
    );
  });
});

describe('signingNameOf', () => {
  it('reads the service of a SigV4 credential scope', () => {
    expect(signingNameOf(signedFor('cloudformation'))).toBe('cloudformation');
  });

  it('reads nothing from another scheme', () => {
    expect(signingNameOf('Bearer abc')).toBeUndefined();
  });
});

describe('serveQueryProtocol over HTTP', () => {
  it('serves a form signed for the service, with the Action and Version taken out of the input', async () => {
    // Act
    const reply = await post('Action=Echo&Version=2020-01-01&Names.member.1=a%26b', {
      'content-type': FORM,
      authorization: signedFor('example'),
    });

    // Assess
    const requestId = reply.headers['x-amzn-requestid'];
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/xml');
    expect(reply.text).toBe(
      `<EchoResponse xmlns="${NAMESPACE}"><EchoResult><Echoed>{&quot;Names&quot;:[&quot;a&amp;b&quot;]}</Echoed>` +
        `</EchoResult><ResponseMetadata><RequestId>${String(requestId)}</RequestId></ResponseMetadata></EchoResponse>`,
    );
    expect(service.received).toEqual([{ action: 'Echo', input: { Names: ['a&b'] } }]);
  });

  it('serves an unsigned form by its Version, as the CLI sends with --no-sign-request', async () => {
    // Act
    const reply = await post('Action=Echo&Version=2020-01-01');

    // Assess
    expect(reply.status).toBe(200);
    expect(service.received).toEqual([{ action: 'Echo', input: {} }]);
  });

  it.each([
    ['signed for another service', '/', { 'content-type': FORM, authorization: signedFor('sqs') }],
    ['in JSON', '/', { 'content-type': 'application/x-amz-json-1.0' }],
    ['unsigned to another path', '/2015-03-31/functions/f/invocations', { 'content-type': FORM }],
  ])('leaves a request %s to the other routes, unread', async (_case, path, headers) => {
    // Act
    const reply = await sendRaw({
      port: server.port,
      method: 'POST',
      path,
      headers,
      body: 'Action=Echo&Version=2020-01-01',
    });

    // Assess
    expect(reply.status).toBe(404);
    expect(service.received).toEqual([]);
  });

  it('answers an error in AWS Query shape, with its code, message and request id', async () => {
    // Act
    const reply = await post('Action=Refuse&Version=2020-01-01');

    // Assess
    const requestId = String(reply.headers['x-amzn-requestid']);
    expect(reply.status).toBe(400);
    expect(reply.text).toBe(
      `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>ValidationError</Code>` +
        '<Message>Refused &lt;because&gt; &quot;asked&quot; &amp; so</Message></Error>' +
        `<RequestId>${requestId}</RequestId></ErrorResponse>`,
    );
  });

  it.each([
    ['no Action', 'Version=2020-01-01', 400, 'MissingAction'],
    ['another version of the service', 'Action=Echo&Version=2019-01-01', 400, 'InvalidAction'],
    ['a malformed parameter name', 'Action=Echo&Version=2020-01-01&A..B=1', 400, 'InvalidQueryParameter'],
    ['a failing handler', 'Action=Crash&Version=2020-01-01', 500, 'InternalFailure'],
  ])('answers %s with %s %s', async (_case, body, status, code) => {
    // Act
    const reply = await post(body, { 'content-type': FORM, authorization: signedFor('example') });

    // Assess
    expect(reply.status).toBe(status);
    expect(reply.text).toContain(`<Code>${code}</Code>`);
    expect(reply.text).toContain(`<Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type>`);
  });

  it('answers an unsigned form of a version no service speaks, naming the ones served', async () => {
    // Act
    const reply = await post('Action=DescribeInstances&Version=2016-11-15');

    // Assess
    expect(reply.status).toBe(400);
    expect(reply.text).toContain('<Code>InvalidAction</Code>');
    expect(reply.text).toContain('version 2016-11-15; the local cloud serves example (2020-01-01).');
  });

  it('serves a body of exactly the limit and answers 413 to one byte more', async () => {
    // Prepare
    const padded = (bytes: number): string => 'Action=Echo&Version=2020-01-01&Pad='.padEnd(bytes, 'x');

    // Act
    const within = await post(padded(LIMIT_BYTES));
    const over = await post(padded(LIMIT_BYTES + 1));

    // Assess
    expect(within.status).toBe(200);
    expect(over.status).toBe(413);
    expect(over.text).toContain('<Code>RequestEntityTooLargeException</Code>');
    expect(over.text).toContain(`The request body is larger than ${LIMIT_BYTES} bytes.`);
  });
});
