/**
 * The local Parameter Store through the AWS SDK's own SSM client, over HTTP: what the client sends and
 * parses is the contract.
 */
import {
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
  paginateGetParametersByPath,
  type Parameter,
} from '@aws-sdk/client-ssm';
import { listen, sendJson, type RunningServer } from '../../../src/cloud/http-server';
import { serveJsonProtocol } from '../../../src/http/json-protocol';
import { ParameterStore } from '../../../src/ssm/parameter-store';
import { localClientConfig } from '../../../src/testing/client-config';
import { refusal } from '../../support/refusal';

let now = Date.parse('2026-12-01T00:00:00Z');
let store: ParameterStore;
let server: RunningServer;
let ssm: SSMClient;

beforeAll(async () => {
  server = await listen(0, async (req, res) => {
    if (await serveJsonProtocol([store], req, res)) return;
    sendJson(res, 404, { message: 'not served' });
  });
  ssm = new SSMClient({ ...localClientConfig(server.url), maxAttempts: 1 });
});

beforeEach(() => {
  store = new ParameterStore({ clock: () => now });
});

afterAll(async () => {
  ssm?.destroy();
  await server?.close();
});

const put = (Name: string, Value: string, extra: Record<string, unknown> = {}) =>
  ssm.send(new PutParameterCommand({ Name, Value, Type: 'String', ...extra }));

describe('PutParameter and GetParameter', () => {
  test('a new parameter is version 1, with its ARN, type and modification date', async () => {
    // Act
    const written = await put('/shop/saga-style', 'orchestrated');
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/shop/saga-style' }));

    // Assess
    expect(written).toMatchObject({ Version: 1, Tier: 'Standard' });
    expect(Parameter).toEqual({
      Name: '/shop/saga-style',
      Type: 'String',
      Value: 'orchestrated',
      Version: 1,
      LastModifiedDate: new Date(now),
      ARN: 'arn:aws:ssm:us-east-1:000000000000:parameter/shop/saga-style',
      DataType: 'text',
    });
  });

  test('an existing parameter is refused without Overwrite and gets the next version with it', async () => {
    // Prepare
    await put('/shop/saga-style', 'orchestrated');

    // Act
    const refused = await refusal(put('/shop/saga-style', 'choreographed'));
    now += 1_000;
    const overwritten = await ssm.send(
      new PutParameterCommand({ Name: '/shop/saga-style', Value: 'choreographed', Overwrite: true }),
    );
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/shop/saga-style' }));

    // Assess
    expect(refused).toMatchObject({ name: 'ParameterAlreadyExists', status: 400 });
    expect(overwritten.Version).toBe(2);
    expect(Parameter).toMatchObject({ Value: 'choreographed', Version: 2, Type: 'String' });
    expect(Parameter?.LastModifiedDate).toEqual(new Date(now));
  });

  test('an older version is read with a :version selector', async () => {
    // Prepare
    await put('/flags/beta', 'off');
    await put('/flags/beta', 'on', { Overwrite: true });

    // Act
    const { Parameter: first } = await ssm.send(new GetParameterCommand({ Name: '/flags/beta:1' }));
    const missing = await refusal(ssm.send(new GetParameterCommand({ Name: '/flags/beta:7' })));

    // Assess
    expect(first).toMatchObject({ Value: 'off', Version: 1, Selector: ':1' });
    expect(missing.name).toBe('ParameterVersionNotFound');
  });

  test('a SecureString is returned as it was written only WithDecryption', async () => {
    // Prepare
    await ssm.send(new PutParameterCommand({ Name: '/shop/key', Value: 's3cr3t', Type: 'SecureString' }));

    // Act
    const { Parameter: hidden } = await ssm.send(new GetParameterCommand({ Name: '/shop/key' }));
    const { Parameter: clear } = await ssm.send(
      new GetParameterCommand({ Name: '/shop/key', WithDecryption: true }),
    );

    // Assess
    expect(hidden?.Value).toBeDefined();
    expect(hidden?.Value).not.toContain('s3cr3t');
    expect(clear?.Value).toBe('s3cr3t');
  });

  test.each([
    ['an unknown name', 'ParameterNotFound', () => ssm.send(new GetParameterCommand({ Name: '/nope' }))],
    [
      'a new parameter without a type',
      'ValidationException',
      () => ssm.send(new PutParameterCommand({ Name: '/t', Value: 'v' })),
    ],
    ['an empty value', 'ValidationException', () => put('/empty', '')],
    ['a hierarchy without its leading slash', 'ValidationException', () => put('shop/x', 'v')],
    ['a reserved prefix', 'ValidationException', () => put('/aws/mine', 'v')],
    ['a character outside a-zA-Z0-9_.-/', 'ValidationException', () => put('/shop/a b', 'v')],
    [
      '16 levels of hierarchy',
      'HierarchyLevelLimitExceededException',
      () => put(`/${Array(16).fill('l').join('/')}`, 'v'),
    ],
    ['a standard value over 4096 characters', 'ValidationException', () => put('/big', 'x'.repeat(4097))],
    ['an unknown type', 'ValidationException', () => put('/t', 'v', { Type: 'Number' })],
    [
      'a value against its AllowedPattern',
      'ParameterPatternMismatchException',
      () => put('/n', 'abc', { AllowedPattern: '^\\d+$' }),
    ],
    [
      'tags (not emulated)',
      'ValidationException',
      () => put('/tagged', 'v', { Tags: [{ Key: 'team', Value: 'shop' }] }),
    ],
    [
      'a policy (not emulated)',
      'ValidationException',
      () => put('/expiring', 'v', { Tier: 'Advanced', Policies: '[]' }),
    ],
    [
      'a label selector (labels are not emulated)',
      'ValidationException',
      () => ssm.send(new GetParameterCommand({ Name: '/x:prod' })),
    ],
  ] as const)('%s is refused with %s', async (_case, code, call) => {
    // Prepare
    await put('/x', 'exists');

    // Act
    const refused = await refusal(call());

    // Assess
    expect(refused).toMatchObject({ name: code, status: 400 });
    expect(refused.message).not.toBe('');
  });

  test('an advanced value of 8192 characters is kept; Intelligent-Tiering picks the tier the value needs', async () => {
    // Act
    const advanced = await put('/big/advanced', 'x'.repeat(8192), { Tier: 'Advanced' });
    const small = await put('/big/small', 'x', { Tier: 'Intelligent-Tiering' });
    const large = await put('/big/large', 'x'.repeat(5000), { Tier: 'Intelligent-Tiering' });

    // Assess
    expect([advanced.Tier, small.Tier, large.Tier]).toEqual(['Advanced', 'Standard', 'Advanced']);
  });

  test('the last 100 versions are kept: version 101 pushes version 1 out', async () => {
    // Prepare
    for (let version = 1; version <= 101; version += 1) {
      await put('/counter', String(version), { Overwrite: true });
    }

    // Act
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/counter' }));
    const first = await refusal(ssm.send(new GetParameterCommand({ Name: '/counter:1' })));
    const { Parameter: second } = await ssm.send(new GetParameterCommand({ Name: '/counter:2' }));

    // Assess
    expect(Parameter).toMatchObject({ Value: '101', Version: 101 });
    expect(first.name).toBe('ParameterVersionNotFound');
    expect(second?.Value).toBe('2');
  });
});

describe('reading several parameters', () => {
  beforeEach(async () => {
    await put('/shop/saga-style', 'orchestrated');
    await put('/shop/payments/timeout-ms', '4000');
    await put('/shop/payments/retries', '3');
    await put('/other/flag', 'on');
    await put('plain', 'no hierarchy');
  });

  test('GetParameters answers the names it found and lists the others as invalid', async () => {
    // Act
    const answer = await ssm.send(
      new GetParametersCommand({ Names: ['/shop/saga-style', '/nope', 'plain', '/shop/saga-style:9'] }),
    );

    // Assess
    expect(answer.Parameters?.map((parameter) => parameter.Name).sort()).toEqual([
      '/shop/saga-style',
      'plain',
    ]);
    expect(answer.InvalidParameters?.sort()).toEqual(['/nope', '/shop/saga-style:9']);
  });

  test('GetParameters takes at most 10 names', async () => {
    // Act
    const refused = await refusal(
      ssm.send(new GetParametersCommand({ Names: Array.from({ length: 11 }, (_, n) => `/p${n}`) })),
    );

    // Assess
    expect(refused.name).toBe('ValidationException');
  });

  test('GetParametersByPath reads one level, or every level when Recursive', async () => {
    // Act
    const oneLevel = await ssm.send(new GetParametersByPathCommand({ Path: '/shop' }));
    const everyLevel = await ssm.send(new GetParametersByPathCommand({ Path: '/shop/', Recursive: true }));

    // Assess
    const names = (parameters: Parameter[] | undefined) => parameters?.map((parameter) => parameter.Name);
    expect(names(oneLevel.Parameters)).toEqual(['/shop/saga-style']);
    expect(names(everyLevel.Parameters)).toEqual([
      '/shop/payments/retries',
      '/shop/payments/timeout-ms',
      '/shop/saga-style',
    ]);
  });

  test('GetParametersByPath pages with NextToken, and the SDK paginator reads every page', async () => {
    // Prepare
    for (let n = 0; n < 12; n += 1) await put(`/many/p${String(n).padStart(2, '0')}`, String(n));

    // Act
    const firstPage = await ssm.send(new GetParametersByPathCommand({ Path: '/many', MaxResults: 5 }));
    const all: string[] = [];
    for await (const page of paginateGetParametersByPath({ client: ssm, pageSize: 5 }, { Path: '/many' })) {
      all.push(...(page.Parameters ?? []).map((parameter) => parameter.Value ?? ''));
    }
    const badToken = await refusal(
      ssm.send(new GetParametersByPathCommand({ Path: '/many', NextToken: 'not-a-token' })),
    );

    // Assess
    expect(firstPage.Parameters).toHaveLength(5);
    expect(firstPage.NextToken).toBeDefined();
    expect(all).toEqual(Array.from({ length: 12 }, (_, n) => String(n)));
    expect(badToken.name).toBe('InvalidNextToken');
  });

  test('GetParametersByPath refuses a path without its leading slash and filters it does not emulate', async () => {
    // Act
    const relative = await refusal(ssm.send(new GetParametersByPathCommand({ Path: 'shop' })));
    const filtered = await refusal(
      ssm.send(
        new GetParametersByPathCommand({
          Path: '/shop',
          ParameterFilters: [{ Key: 'Type', Values: ['String'] }],
        }),
      ),
    );

    // Assess
    expect(relative.name).toBe('ValidationException');
    expect(filtered).toMatchObject({ name: 'ValidationException' });
    expect(filtered.message).toMatch(/not emulated/);
  });

  test('GetParameterHistory lists every version, oldest first; DescribeParameters the latest of each', async () => {
    // Prepare
    await put('/shop/saga-style', 'choreographed', { Overwrite: true, Description: 'how orders run' });

    // Act
    const history = await ssm.send(new GetParameterHistoryCommand({ Name: '/shop/saga-style' }));
    const described = await ssm.send(new DescribeParametersCommand({}));

    // Assess
    expect(history.Parameters?.map(({ Value, Version }) => ({ Value, Version }))).toEqual([
      { Value: 'orchestrated', Version: 1 },
      { Value: 'choreographed', Version: 2 },
    ]);
    expect(described.Parameters?.find((parameter) => parameter.Name === '/shop/saga-style')).toMatchObject({
      Version: 2,
      Description: 'how orders run',
      Type: 'String',
    });
  });

  test('DeleteParameter removes one; DeleteParameters several, naming the ones it did not find', async () => {
    // Act
    await ssm.send(new DeleteParameterCommand({ Name: 'plain' }));
    const again = await refusal(ssm.send(new DeleteParameterCommand({ Name: 'plain' })));
    const several = await ssm.send(new DeleteParametersCommand({ Names: ['/other/flag', '/nope'] }));
    const left = await ssm.send(new GetParametersByPathCommand({ Path: '/', Recursive: true }));

    // Assess
    expect(again.name).toBe('ParameterNotFound');
    expect(several).toMatchObject({ DeletedParameters: ['/other/flag'], InvalidParameters: ['/nope'] });
    expect(left.Parameters?.map((parameter) => parameter.Name)).toEqual([
      '/shop/payments/retries',
      '/shop/payments/timeout-ms',
      '/shop/saga-style',
    ]);
  });
});
