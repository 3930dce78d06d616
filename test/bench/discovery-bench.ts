/**
 * `npm run bench:discovery`: client-side discovery of the card processor on the local cloud (the real
 * app), with and without the cache, side by side in one run. Each of 1,000 provider calls at
 * concurrency 4 first asks `DiscoveredService` for the instances to call (Cloud Map's
 * `DiscoverInstances` on the edge when the cache is cold or off); the run counts the registry calls per
 * 1,000 provider calls and times what discovery adds to a call, p50 / p99 (ms). The call itself is left
 * out: the processor's stages are throttled (100 a second) and would time the throttle, not discovery.
 * The same kernel the payments functions use (`shared/discovery`), driven from here so that nothing but
 * the cache differs between the two rows.
 */
import { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { LocalCloud, localClientConfig, percentile } from 'cdk-local-cloud';
import { CloudMapDirectory, DiscoveredService } from '../../shared/discovery';
import { silentLogger } from '../../shared/observability/app-logger';
import { LOCAL_STAGE_CONTEXT, PROJECT_DIR } from '../support/shop-cloud';

const CALLS = 1_000;
const CONCURRENCY = 4;

async function run(
  cloud: LocalCloud,
  cacheTtlMs: number,
): Promise<{ discoveries: number; sorted: number[] }> {
  const client = new ServiceDiscoveryClient({ ...localClientConfig(cloud.edgeUrl), disableHostPrefix: true });
  let discoveries = 0;
  const service = new DiscoveredService({
    name: { namespace: 'shop', service: 'card-processor' },
    directory: new CloudMapDirectory({ client, logger: silentLogger }),
    cacheTtlMs,
    logger: silentLogger,
    onDiscovery: () => void (discoveries += 1),
  });
  const samples: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < CALLS) {
        next += 1;
        const started = performance.now();
        const candidates = await service.candidates();
        samples.push(performance.now() - started);
        if (candidates.length !== 2) throw new Error(`${candidates.length} instances discovered, not 2`);
      }
    }),
  );
  client.destroy();
  return { discoveries, sorted: samples.sort((a, b) => a - b) };
}

async function main(): Promise<void> {
  const cloud = await LocalCloud.start({
    projectDir: PROJECT_DIR,
    port: 0,
    edgePort: 0,
    xrayDaemonPort: 0,
    context: LOCAL_STAGE_CONTEXT,
    log: () => undefined,
  });
  try {
    await run(cloud, 0); // warm-up
    // Alternating, so that neither column has the machine to itself.
    const rounds: { cached: Awaited<ReturnType<typeof run>>; uncached: Awaited<ReturnType<typeof run>> }[] =
      [];
    for (let round = 0; round < 2; round += 1) {
      rounds.push({ cached: await run(cloud, 10_000), uncached: await run(cloud, 0) });
    }
    const line = (label: string, runs: Awaited<ReturnType<typeof run>>[]): string => {
      const sorted = runs.flatMap((r) => r.sorted).sort((a, b) => a - b);
      const discoveries = runs.reduce((sum, r) => sum + r.discoveries, 0) / runs.length;
      return `| ${label} | ${((discoveries / CALLS) * 1000).toFixed(0)} | ${percentile(sorted, 50).toFixed(2)} | ${percentile(sorted, 99).toFixed(2)} |`;
    };
    console.log(
      [
        `Discovery of the card processor, ${CALLS} provider calls at concurrency ${CONCURRENCY}, 2 rounds each:`,
        '',
        '| Cache | Discovery calls per 1,000 provider calls | Discovery p50 (ms) | Discovery p99 (ms) |',
        '| ----- | ---------------------------------------- | ------------------ | ------------------ |',
        line(
          '10 s (the default)',
          rounds.map((r) => r.cached),
        ),
        line(
          'off',
          rounds.map((r) => r.uncached),
        ),
      ].join('\n'),
    );
  } finally {
    await cloud.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
