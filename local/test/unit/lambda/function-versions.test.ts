import { AwsServiceError } from '../../../src/aws-protocol';
import { SeededRandom } from '../../../src/faults/seeded-random';
import { checkRouting, chooseVersion, type AliasRouting } from '../../../src/lambda/function-aliases';
import { LambdaService, type FunctionDefinition } from '../../../src/lambda/lambda-service';
import type { InvocationRecord } from '../../../src/lambda/worker-pool';
import { writeHandlerBundles, type HandlerBundles } from './handler-bundles';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function';
let bundles: HandlerBundles;
const services: LambdaService[] = [];

beforeAll(() => {
  bundles = writeHandlerBundles();
});

afterAll(async () => {
  await Promise.all(services.map((service) => service.close()));
  bundles.remove();
});

function serviceWith(
  definition: Omit<FunctionDefinition, 'codeDir'>,
  options: { seed?: number; records?: InvocationRecord[] } = {},
): LambdaService {
  const random = new SeededRandom(options.seed ?? 1);
  const service = new LambdaService({
    onLog: () => undefined,
    routingRandom: () => random.next(),
    onInvocationRecord: (record) => options.records?.push(record),
  });
  services.push(service);
  service.register({ codeDir: bundles.codeDir, ...definition });
  return service;
}

interface Inspected {
  readonly context: { functionVersion: string; invokedFunctionArn: string; logStreamName: string };
  readonly env: Record<string, string | null>;
}

describe('published versions', () => {
  it('run the code and configuration $LATEST had when they were published', async () => {
    // Prepare
    const service = serviceWith({ name: 'fn', handler: 'index.inspect', env: { RELEASE: 'one' } });
    const first = service.publishVersion('fn', 'first release');
    service.register({
      name: 'fn',
      handler: 'index.inspect',
      codeDir: bundles.codeDir,
      env: { RELEASE: 'two' },
    });
    const second = service.publishVersion('fn');
    const payload = { envKeys: ['RELEASE', 'AWS_LAMBDA_FUNCTION_VERSION'] };

    // Act
    const [latest, one, two] = await Promise.all(
      ['fn', 'fn:1', `${ARN}:fn:2`].map(
        async (id) => (await service.invoke(id, payload, { trigger: 't' })).payload,
      ),
    );

    // Assess
    expect([first.version, second.version, first.description]).toEqual(['1', '2', 'first release']);
    expect((latest as Inspected).env).toEqual({ RELEASE: 'two', AWS_LAMBDA_FUNCTION_VERSION: '$LATEST' });
    expect((one as Inspected).env).toEqual({ RELEASE: 'one', AWS_LAMBDA_FUNCTION_VERSION: '1' });
    expect((one as Inspected).context).toMatchObject({
      functionVersion: '1',
      invokedFunctionArn: `${ARN}:fn:1`,
      logStreamName: expect.stringContaining('/[1]'),
    });
    expect((two as Inspected).env).toMatchObject({ RELEASE: 'two' });
    expect(service.listVersions('fn').map((fn) => fn.version)).toEqual(['$LATEST', '1', '2']);
  });

  it('are not published again when nothing changed, and unknown versions are not found', async () => {
    // Prepare
    const service = serviceWith({ name: 'fn', handler: 'index.echo' });

    // Act
    const first = service.publishVersion('fn');
    const again = service.publishVersion('fn');
    const unknown = await service.invoke('fn:9', {}, { trigger: 't' }).catch((error: unknown) => error);

    // Assess
    expect(again.version).toBe(first.version);
    expect(service.listVersions('fn')).toHaveLength(2);
    expect(unknown).toMatchObject({
      code: 'ResourceNotFoundException',
      message: `Function not found: ${ARN}:fn:9`,
    });
  });

  it('share the function reserved concurrency with $LATEST', async () => {
    // Prepare
    const service = serviceWith({ name: 'fn', handler: 'index.slow', reservedConcurrency: 1 });
    service.publishVersion('fn');

    // Act
    const running = service.invoke('fn', { ms: 300 }, { trigger: 't' });
    const throttled = await service.invoke('fn:1', {}, { trigger: 't' }).catch((error: unknown) => error);
    await running;

    // Assess
    expect(throttled).toMatchObject({ code: 'TooManyRequestsException' });
  });
});

describe('aliases', () => {
  it('route the weight of invocations to the additional version, and say which version ran', async () => {
    // Prepare
    const records: InvocationRecord[] = [];
    const service = serviceWith({ name: 'fn', handler: 'index.noop' }, { seed: 7, records });
    service.publishVersion('fn');
    service.register({ name: 'fn', handler: 'index.nothing', codeDir: bundles.codeDir });
    service.publishVersion('fn');
    service.createAlias('fn', 'live', { functionVersion: '1', additionalVersionWeights: { '2': 0.1 } });
    const invocations = 2_000;

    // Act
    const executed: string[] = [];
    for (let i = 0; i < invocations; i++) {
      executed.push((await service.invokeRaw('fn:live', '{}', {}, { trigger: 't' })).executedVersion);
    }

    // Assess: within three standard deviations of the weight.
    const onSecond = executed.filter((version) => version === '2').length;
    const sigma = Math.sqrt(invocations * 0.1 * 0.9);
    expect(Math.abs(onSecond - invocations * 0.1)).toBeLessThanOrEqual(3 * sigma);
    expect(new Set(executed)).toEqual(new Set(['1', '2']));
    expect(records.filter((r) => r.qualifier === 'live').map((r) => r.executedVersion)).toEqual(executed);
  });

  it('are updated only from their latest revision, and point at published versions', () => {
    // Prepare
    const service = serviceWith({ name: 'fn', handler: 'index.noop' });
    service.publishVersion('fn');
    const created = service.createAlias('fn', 'live', { functionVersion: '1', additionalVersionWeights: {} });

    // Act
    const updated = service.updateAlias('fn', 'live', {
      description: 'moved',
      revisionId: created.revisionId,
    });
    const stale = catching(() => service.updateAlias('fn', 'live', { revisionId: created.revisionId }));
    const latestBeside = catching(() =>
      service.updateAlias('fn', 'live', {
        functionVersion: '$LATEST',
        additionalVersionWeights: { '1': 0.5 },
      }),
    );
    const unknown = catching(() => service.updateAlias('fn', 'live', { functionVersion: '4' }));
    const duplicate = catching(() =>
      service.createAlias('fn', 'live', { functionVersion: '1', additionalVersionWeights: {} }),
    );
    const numeric = catching(() =>
      service.createAlias('fn', '12', { functionVersion: '1', additionalVersionWeights: {} }),
    );

    // Assess
    expect(updated).toMatchObject({ description: 'moved', functionVersion: '1' });
    expect(updated.revisionId).not.toBe(created.revisionId);
    expect(stale).toMatchObject({ code: 'PreconditionFailedException', statusCode: 412 });
    expect(latestBeside).toMatchObject({ code: 'InvalidParameterValueException' });
    expect(unknown).toMatchObject({
      code: 'ResourceNotFoundException',
      message: `Function not found: ${ARN}:fn:4`,
    });
    expect(duplicate).toMatchObject({ code: 'ResourceConflictException', statusCode: 409 });
    expect(numeric).toMatchObject({ code: 'ValidationException' });
    expect(service.getAlias('fn', 'live')).toEqual(updated);
  });

  it('outlive an update of the function, and are gone once deleted', async () => {
    // Prepare
    const service = serviceWith({ name: 'fn', handler: 'index.echo' });
    service.publishVersion('fn');
    service.createAlias('fn', 'live', { functionVersion: '1', additionalVersionWeights: {} });

    // Act
    service.register({ name: 'fn', handler: 'index.noop', codeDir: bundles.codeDir });
    const throughAlias = await service.invoke('fn:live', { id: 1 }, { trigger: 't' });
    service.deleteAlias('fn', 'live');
    const afterDelete = await service
      .invoke('fn:live', {}, { trigger: 't' })
      .catch((error: unknown) => error);

    // Assess
    expect(throughAlias.payload).toMatchObject({ event: { id: 1 } });
    expect(afterDelete).toMatchObject({ code: 'ResourceNotFoundException' });
  });
});

describe('alias routing rules', () => {
  const exists = (version: string) => ['$LATEST', '1', '2', '3'].includes(version);
  const arnOf = (version: string) => `${ARN}:fn:${version}`;

  it.each([
    [{ functionVersion: '1', additionalVersionWeights: { '2': 1.5 } }, 'ValidationException'],
    [{ functionVersion: '1', additionalVersionWeights: { '2': -0.1 } }, 'ValidationException'],
    [{ functionVersion: '1', additionalVersionWeights: { '2': 0.1, '3': 0.1 } }, 'ValidationException'],
    [{ functionVersion: '1', additionalVersionWeights: { '1': 0.1 } }, 'InvalidParameterValueException'],
    [{ functionVersion: '1', additionalVersionWeights: { $LATEST: 0.1 } }, 'InvalidParameterValueException'],
    [{ functionVersion: 'one', additionalVersionWeights: {} }, 'ValidationException'],
    [{ functionVersion: '8', additionalVersionWeights: {} }, 'ResourceNotFoundException'],
  ])('refuse %j with %s', (routing, code) => {
    expect(catching(() => checkRouting(routing, exists, arnOf))).toMatchObject({ code });
  });

  it('accept a version alone, $LATEST alone, and two versions', () => {
    const accepted: AliasRouting[] = [
      { functionVersion: '1', additionalVersionWeights: {} },
      { functionVersion: '$LATEST', additionalVersionWeights: {} },
      { functionVersion: '1', additionalVersionWeights: { '2': 0.01 } },
    ];
    for (const routing of accepted) {
      expect(() => checkRouting(routing, exists, arnOf)).not.toThrow();
    }
  });

  it('choose the additional version for draws below its weight only', () => {
    const routing = { functionVersion: '1', additionalVersionWeights: { '2': 0.05 } };
    expect([0, 0.049, 0.05, 0.99].map((draw) => chooseVersion(routing, draw))).toEqual(['2', '2', '1', '1']);
  });
});

function catching(act: () => unknown): AwsServiceError | undefined {
  try {
    act();
  } catch (error) {
    if (error instanceof AwsServiceError) return error;
    throw error;
  }
  return undefined;
}
