/**
 * `npm run bench:settings`: the settings store (docs/patterns/read-repair.md) on the local cloud, the
 * real app at two quorums side by side in one run — R = W = 2 (the default) and R = W = 1 — each on a
 * cloud of its own, one after the other:
 *
 *  1. `PUT /kv/{key}` and `GET /kv/{key}` latency through the local API, p50 / p99, at concurrency 4;
 *  2. at R = W = 2 only: replica 1 refuses writes while every key is written once more, then 1,000
 *     quorum reads of random keys — the repairs they make (blocking and queued, from the functions'
 *     EMF metrics) per 1,000 reads, and the stale answers 1,000 `?consistency=one` reads give first.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LocalCloud, localClientConfig, percentile, type LocalCloudOptions } from 'cdk-local-cloud';
import { emfMetricSum } from '../support/emf-metrics';
import { tableItems } from '../support/refusals';
import { apiAs, LOCAL_STAGE_CONTEXT, PROJECT_DIR, signedInUser } from '../support/shop-cloud';

const KEYS = 50;
const WRITES = 200;
const READS = 1_000;
const CONCURRENCY = 4;

interface QuorumRun {
  readonly label: string;
  readonly readQuorum: number;
  readonly writeQuorum: number;
}

const RUNS: readonly QuorumRun[] = [
  { label: 'R = W = 2', readQuorum: 2, writeQuorum: 2 },
  { label: 'R = W = 1', readQuorum: 1, writeQuorum: 1 },
];

/** Runs `total` calls of `call(i)` with `CONCURRENCY` in flight; answers each call's milliseconds. */
async function timed(total: number, call: (i: number) => Promise<void>): Promise<number[]> {
  const samples: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        const i = next++;
        const started = performance.now();
        await call(i);
        samples.push(performance.now() - started);
      }
    }),
  );
  return samples.sort((a, b) => a - b);
}

const p = (sorted: readonly number[], q: number): string => percentile(sorted, q).toFixed(1);

async function measure(run: QuorumRun): Promise<{ row: string; notes: string[] }> {
  const logs: string[] = [];
  const options: LocalCloudOptions = {
    projectDir: PROJECT_DIR,
    port: 0,
    edgePort: 0,
    xrayDaemonPort: 0,
    context: {
      ...LOCAL_STAGE_CONTEXT,
      'shop:settingsReadQuorum': String(run.readQuorum),
      'shop:settingsWriteQuorum': String(run.writeQuorum),
      // The bench measures the store, not the stage's throttle.
      'shop:apiRateLimit': '10000',
      'shop:apiBurstLimit': '10000',
    },
    log: (line) => logs.push(line),
  };
  const cloud = await LocalCloud.start(options);
  try {
    const [staff, customer] = await Promise.all([
      signedInUser(cloud, { email: 'staff.bench@example.com', staff: true }),
      signedInUser(cloud, { email: 'customer.bench@example.com' }),
    ]);
    const asStaff = apiAs(cloud, staff);
    const asCustomer = apiAs(cloud, customer);
    const keys = Array.from({ length: KEYS }, (_, n) => `bench.key-${n}`);
    const expectOk = (status: number, what: string): void => {
      if (status !== 200) throw new Error(`${what} answered ${status}`);
    };
    // Warm-up: every key written once, every function warm.
    for (const key of keys)
      expectOk((await asStaff('PUT', `/kv/${key}`, { body: { value: 0 } })).status, 'PUT');
    await asCustomer('GET', `/kv/${keys[0]}`);

    const writes = await timed(WRITES, async (i) => {
      expectOk((await asStaff('PUT', `/kv/${keys[i % KEYS]}`, { body: { value: i } })).status, 'PUT');
    });
    const reads = await timed(READS, async (i) => {
      expectOk((await asCustomer('GET', `/kv/${keys[(i * 7) % KEYS]}`)).status, 'GET');
    });
    const row = `| ${run.label} | ${p(writes, 50)} | ${p(writes, 99)} | ${p(reads, 50)} | ${p(reads, 99)} |`;
    const notes: string[] = [];

    if (run.readQuorum === 2) {
      const [firstReplica] = Object.entries(cloud.outputs['ShopSettings'] ?? {})
        .filter(([name]) => name === 'ReplicaTable1Name')
        .map(([, table]) => table);
      if (firstReplica === undefined) throw new Error('No ReplicaTable1Name output');
      cloud.faults.add({ kind: 'table-write-failure', target: { tableName: firstReplica }, probability: 1 });
      for (const key of keys) {
        expectOk((await asStaff('PUT', `/kv/${key}`, { body: { value: 'latest' } })).status, 'PUT');
      }
      cloud.faults.clear();
      let staleSingleReads = 0;
      await timed(READS, async () => {
        const key = keys[Math.floor(Math.random() * KEYS)];
        const answer = await asCustomer('GET', `/kv/${key}?consistency=one`);
        if (answer.body['value'] !== 'latest') staleSingleReads += 1;
      });
      const before = {
        blocking: emfMetricSum(logs, 'RepairsBlocking'),
        background: emfMetricSum(logs, 'RepairsBackground'),
      };
      let staleQuorumReads = 0;
      await timed(READS, async () => {
        const key = keys[Math.floor(Math.random() * KEYS)];
        const answer = await asCustomer('GET', `/kv/${key}`);
        if (answer.body['value'] !== 'latest') staleQuorumReads += 1;
      });
      // The queued repairs land after the reads: wait for the repairer's metric lines to stop growing.
      let settled = emfMetricSum(logs, 'RepairsBackground');
      for (let quiet = 0; quiet < 5;) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const now = emfMetricSum(logs, 'RepairsBackground');
        quiet = now === settled ? quiet + 1 : 0;
        settled = now;
      }
      const dynamoDb = new DynamoDBClient(localClientConfig(cloud.edgeUrl));
      const upToDate = (await tableItems(DynamoDBDocumentClient.from(dynamoDb), firstReplica)).filter(
        (item) => item['valueJson'] === JSON.stringify('latest'),
      ).length;
      dynamoDb.destroy();
      const blocking = emfMetricSum(logs, 'RepairsBlocking') - before.blocking;
      const background = settled - before.background;
      notes.push(
        `Replica 1 stale on all ${KEYS} keys: ${READS} single-replica reads gave ${staleSingleReads} stale answers;`,
        `${READS} quorum reads gave ${staleQuorumReads} stale answers and made ${blocking} blocking and ${background} background repairs`,
        `(${(((blocking + background) / READS) * 1000).toFixed(0)} per 1,000 reads); replica 1 then held the latest version of ${upToDate} of the ${KEYS} keys.`,
      );
    }
    return { row, notes };
  } finally {
    await cloud.stop();
  }
}

async function main(): Promise<void> {
  const results: { row: string; notes: string[] }[] = [];
  for (const run of RUNS) results.push(await measure(run));
  console.log(
    [
      `Settings store, ${WRITES} PUTs and ${READS} GETs at concurrency ${CONCURRENCY}, ${KEYS} keys (ms):`,
      '',
      '| Quorum | PUT p50 | PUT p99 | GET p50 | GET p99 |',
      '| ------ | ------- | ------- | ------- | ------- |',
      ...results.map(({ row }) => row),
      '',
      ...results.flatMap(({ notes }) => notes),
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
