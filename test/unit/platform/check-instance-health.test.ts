import {
  makeCheckInstanceHealth,
  type HealthRegistry,
  type HealthStatus,
  type ProbedInstance,
} from '../../../functions/platform/application/check-instance-health';
import { silentLogger } from '../../../shared/observability/app-logger';

const probed = (instanceId: string): ProbedInstance => ({
  serviceId: 'srv-1',
  serviceName: 'card-processor',
  instanceId,
  healthUrl: `https://${instanceId}.example.com/prod/health`,
});

describe('the health checker', () => {
  test('sets each instance HEALTHY or UNHEALTHY by its probe, and reports what it could not set', async () => {
    // Prepare
    const set: [string, HealthStatus][] = [];
    const registry: HealthRegistry = {
      probedInstances: async () => [probed('zone-a'), probed('zone-b'), probed('zone-c')],
      setHealth: async ({ instanceId }, status) => {
        if (instanceId === 'zone-c') throw new Error('ThrottlingException');
        set.push([instanceId, status]);
      },
    };
    const check = makeCheckInstanceHealth({
      registry,
      probe: async (healthUrl) => !healthUrl.includes('zone-b'),
      logger: silentLogger,
    });

    // Act
    const report = await check();

    // Assess
    expect(set.sort()).toEqual([
      ['zone-a', 'HEALTHY'],
      ['zone-b', 'UNHEALTHY'],
    ]);
    expect(report).toEqual({
      healthy: ['card-processor/zone-a'],
      unhealthy: ['card-processor/zone-b'],
      failed: ['card-processor/zone-c'],
    });
  });
});
