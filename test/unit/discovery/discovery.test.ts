import {
  callWithFailover,
  DiscoveredService,
  instanceFromAttributes,
  instanceSource,
  weightedOrder,
  type InstanceDirectory,
  type ServiceInstance,
} from '../../../shared/discovery';
import { DependencyUnavailableError } from '../../../shared/errors/app-error';
import { silentLogger } from '../../../shared/observability/app-logger';

const instance = (instanceId: string, weight = 1): ServiceInstance => ({
  instanceId,
  url: `https://${instanceId}.example.com/prod/`,
  weight,
});

/** A directory whose answers the test sets, counting its calls. */
function directory(answer: () => Promise<readonly ServiceInstance[]>): InstanceDirectory & { calls: number } {
  const fake = {
    calls: 0,
    discover: async () => {
      fake.calls += 1;
      return answer();
    },
  };
  return fake;
}

describe('instanceFromAttributes', () => {
  test('reads url (slash-ended), weight, zone and version', () => {
    expect(
      instanceFromAttributes('zone-a', {
        url: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
        weight: '3',
        zone: 'a',
        version: '7',
      }),
    ).toEqual({
      instance: {
        instanceId: 'zone-a',
        url: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/',
        weight: 3,
        zone: 'a',
        version: '7',
      },
    });
    expect(instanceFromAttributes('x', { url: 'https://x.example.com/' }).instance?.weight).toBe(1);
  });

  test.each([
    ['no url', {}],
    ['not a URL', { url: 'x' }],
    ['another scheme', { url: 'ftp://x.example.com/' }],
    ['a fractional weight', { url: 'https://x.example.com/', weight: '1.5' }],
    ['a weight above 1000', { url: 'https://x.example.com/', weight: '1001' }],
  ])('refuses %s, saying why', (_, attributes: Record<string, string>) => {
    const { instance, problem } = instanceFromAttributes('bad', attributes);
    expect(instance).toBeUndefined();
    expect(problem).toMatch(/^instance bad /);
  });
});

describe('instanceSource', () => {
  test('one fixed URL is one instance; discovered instances are asked each time', async () => {
    const fixed = instanceSource({ baseUrl: 'https://abc.example.com/prod' }, 'inventory');
    let asked = 0;
    const discovered = instanceSource({ instances: async () => [instance(`i${(asked += 1)}`)] }, 'inventory');
    expect(await fixed()).toEqual([
      { instanceId: 'baseUrl', url: 'https://abc.example.com/prod/', weight: 1 },
    ]);
    expect([(await discovered())[0]?.instanceId, (await discovered())[0]?.instanceId]).toEqual(['i1', 'i2']);
  });

  test.each([
    ['neither', {}, 'Give inventory as baseUrl or as instances.'],
    ['both', { baseUrl: 'https://x.example.com/', instances: async () => [] }, 'not both'],
    ['a malformed URL', { baseUrl: 'not a url' }, 'baseUrl must be an http(s) URL'],
  ])('refuses %s', (_, options, message) => {
    expect(() => instanceSource(options, 'inventory')).toThrow(message);
  });
});

describe('weightedOrder', () => {
  test('each instance comes first in proportion to its weight; the rest follow; weight 0 last', () => {
    // Prepare: a seeded sequence of draws.
    let seed = 42;
    const random = (): number => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const instances = [instance('a', 3), instance('b', 1), instance('off', 0)];

    // Act
    const orders = Array.from({ length: 4000 }, () => weightedOrder(instances, random));

    // Assess
    const firstA = orders.filter((order) => order[0]?.instanceId === 'a').length;
    expect(firstA / orders.length).toBeGreaterThan(0.7);
    expect(firstA / orders.length).toBeLessThan(0.8);
    for (const order of orders)
      expect(order.map(({ instanceId }) => instanceId).sort()).toEqual(['a', 'b', 'off']);
    expect(orders.every((order) => order[2]?.instanceId === 'off')).toBe(true);
  });
});

describe('DiscoveredService', () => {
  test('asks the registry once per period, concurrent callers sharing one call', async () => {
    // Prepare
    let now = 0;
    const registry = directory(async () => [instance('a'), instance('b')]);
    const service = new DiscoveredService({
      name: { namespace: 'shop', service: 'card-processor' },
      directory: registry,
      cacheTtlMs: 10_000,
      logger: silentLogger,
      now: () => now,
    });

    // Act
    await Promise.all(Array.from({ length: 20 }, () => service.candidates()));
    now = 9_999;
    await service.candidates();
    const withinPeriod = registry.calls;
    now = 10_000;
    await service.candidates();

    // Assess
    expect(withinPeriod).toBe(1);
    expect(registry.calls).toBe(2);
  });

  test('the registry failing or finding nothing: the last instances found, and the registry asked again after a period', async () => {
    // Prepare
    let now = 0;
    let answer: () => Promise<readonly ServiceInstance[]> = async () => [instance('a')];
    const outcomes: string[] = [];
    const registry = directory(() => answer());
    const service = new DiscoveredService({
      name: { namespace: 'shop', service: 'card-processor' },
      directory: registry,
      cacheTtlMs: 1_000,
      logger: silentLogger,
      now: () => now,
      onDiscovery: (outcome) => outcomes.push(outcome),
    });
    await service.candidates();

    // Act
    answer = async () => {
      throw new Error('ThrottlingException');
    };
    now = 1_000;
    const duringFailure = await service.candidates();
    now = 1_500;
    await service.candidates();
    answer = async () => [];
    now = 2_000;
    const whenNoneHealthy = await service.candidates();

    // Assess
    expect(duringFailure.map(({ instanceId }) => instanceId)).toEqual(['a']);
    expect(whenNoneHealthy.map(({ instanceId }) => instanceId)).toEqual(['a']);
    expect(outcomes).toEqual(['found', 'failed', 'found']);
  });

  test('with nothing ever found, DependencyUnavailableError', async () => {
    const service = new DiscoveredService({
      name: { namespace: 'shop', service: 'card-processor' },
      directory: directory(async () => []),
      logger: silentLogger,
    });
    await expect(service.candidates()).rejects.toBeInstanceOf(DependencyUnavailableError);
  });
});

describe('callWithFailover', () => {
  const down = new Error('503');
  const isInstanceDown = (error: unknown): boolean => error === down;

  test('an instance that is down: the next one answers; each one found down is told', async () => {
    const told: string[] = [];
    const answer = await callWithFailover(
      [instance('a'), instance('b')],
      async ({ instanceId }) => {
        if (instanceId === 'a') throw down;
        return `from ${instanceId}`;
      },
      { isInstanceDown, onInstanceDown: ({ instanceId }) => told.push(instanceId) },
    );
    expect(answer).toBe('from b');
    expect(told).toEqual(['a']);
  });

  test('an error that is not an instance down is thrown at once, the next instance not called', async () => {
    const called: string[] = [];
    const refused = new Error('402');
    await expect(
      callWithFailover(
        [instance('a'), instance('b')],
        async ({ instanceId }) => {
          called.push(instanceId);
          throw refused;
        },
        { isInstanceDown },
      ),
    ).rejects.toBe(refused);
    expect(called).toEqual(['a']);
  });

  test('every instance down: the last error, once', async () => {
    await expect(
      callWithFailover([instance('a'), instance('b')], async () => Promise.reject(down), { isInstanceDown }),
    ).rejects.toBe(down);
  });
});
