/**
 * `npm run bench:local`: what the local cloud costs on top of the engines it runs on, measured side
 * by side in one run on the fixture app.
 *
 *  1. raw DynamoDB Local PutItem throughput at concurrency 32;
 *  2. the same PutItem through API Gateway → Lambda (POST /items) at concurrency 32, and the ratio;
 *  3. warm invoke latency of a no-op function (in-process and through the Lambda Invoke API);
 *  4. cold-start time (first invocation of a function: worker start + module load + handler);
 *  5. the start of the local cloud itself — a first one, which synthesizes the fixture app into a fresh
 *     assembly cache, and one after no change — and its peak memory over the whole run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { describeStartup, LocalCloud } from '../src/local-cloud';
import { cpuMark, cpuShare, latencies, percentile, throughput } from '../src/measure';

const CONCURRENCY = 32;
const WRITES_PER_PHASE = Number(process.env.BENCH_WRITES ?? 3_000);
const WARM_INVOKES = Number(process.env.BENCH_INVOKES ?? 2_000);
const WARM_UP_WRITES = Number(process.env.BENCH_WARM_UP ?? 4_000);

const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-bench-assemblies-'));
  const options = {
    projectDir: path.resolve(__dirname, '..'),
    appCommand: 'npx tsx test/fixtures/fixture-app.ts',
    assemblyCacheDir: cacheDir,
    port: 0,
    edgePort: 0,
    defaultApiName: 'fixture-main',
  } as const;
  const first = await LocalCloud.start(options);
  const firstStartup = first.startup;
  await first.stop();
  const cloud = await LocalCloud.start(options);
  // A table without a stream, so nothing runs downstream of either kind of write.
  const table = 'fixture-items';
  const dynamodb = new DynamoDBClient({ endpoint: cloud.dynamoDbEndpoint, region: 'us-east-1', credentials });
  const lambdaApi = new LambdaClient({ endpoint: cloud.edgeUrl, region: 'us-east-1', credentials });
  try {
    // Cold start: the very first invocation of a function that has not run yet.
    const coldStarted = performance.now();
    await cloud.lambda.invoke('fixture-noop', {}, { trigger: 'bench' });
    const coldMs = performance.now() - coldStarted;
    const coldRecord = cloud.lambda.invocations().find((record) => record.functionName === 'fixture-noop');

    // Warm-up: every worker the API path will use at concurrency 32, and DynamoDB Local's JIT.
    const rawPut = (i: number, prefix: string) =>
      dynamodb.send(
        new PutItemCommand({
          TableName: table,
          Item: { pk: { S: `${prefix}-${i}` }, payload: { S: 'benchmark' } },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    const apiPost = async (i: number, prefix: string) => {
      const answer = await fetch(`${cloud.apiUrl}/items`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: `${prefix}-${i}` }),
      });
      await answer.arrayBuffer();
      if (answer.status !== 201) throw new Error(`POST /items answered ${answer.status}`);
    };
    // DynamoDB Local's JVM needs a few thousand requests before its JIT settles.
    await throughput(WARM_UP_WRITES, CONCURRENCY, async (i) => void (await rawPut(i, 'warm-raw')));
    await throughput(WARM_UP_WRITES, CONCURRENCY, (i) => apiPost(i, 'warm-api'));

    // Side by side, alternating, so both see the same machine state.
    const raw: number[] = [];
    const api: number[] = [];
    const cpuUse = { raw: [] as string[], api: [] as string[] };
    for (let round = 0; round < 3; round++) {
      let mark = cpuMark(cloud.dynamoDbPid);
      raw.push(
        await throughput(WRITES_PER_PHASE, CONCURRENCY, async (i) => void (await rawPut(i, `raw${round}`))),
      );
      cpuUse.raw.push(cpuShare(mark, cloud.dynamoDbPid));
      mark = cpuMark(cloud.dynamoDbPid);
      api.push(await throughput(WRITES_PER_PHASE, CONCURRENCY, (i) => apiPost(i, `api${round}`)));
      cpuUse.api.push(cpuShare(mark, cloud.dynamoDbPid));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[1] ?? Number.NaN;
    const rawOps = median(raw);
    const apiOps = median(api);

    const inProcess = await latencies(WARM_INVOKES, async () => {
      await cloud.lambda.invoke('fixture-noop', {}, { trigger: 'bench' });
    });
    const viaApi = await latencies(WARM_INVOKES / 4, async () => {
      await lambdaApi.send(new InvokeCommand({ FunctionName: 'fixture-noop' }));
    });

    const machine = cloud.machine();
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    const lines = [
      `Machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()}`,
      `Local cloud start, first (synthesizes the fixture app): ${describeStartup(firstStartup)}`,
      `Local cloud start, after no change: ${describeStartup(cloud.startup)}`,
      '',
      `| measure | value |`,
      `|---|---|`,
      `| raw DynamoDB Local PutItem, concurrency ${CONCURRENCY} | ${rawOps.toFixed(0)} ops/s (rounds: ${raw.map((v) => v.toFixed(0)).join(', ')}) |`,
      `| API Gateway → Lambda → PutItem, concurrency ${CONCURRENCY} | ${apiOps.toFixed(0)} req/s (rounds: ${api.map((v) => v.toFixed(0)).join(', ')}) |`,
      `| ratio (goal ≥ 0.5) | ${(apiOps / rawOps).toFixed(2)} |`,
      `| CPU during raw rounds (node / DynamoDB Local JVM, % of one core) | ${cpuUse.raw.join('; ')} |`,
      `| CPU during API rounds (node / DynamoDB Local JVM, % of one core) | ${cpuUse.api.join('; ')} |`,
      `| warm no-op invoke, in process: p50 / p99 (goal p99 ≤ 5 ms) | ${percentile(inProcess, 50).toFixed(2)} ms / ${percentile(inProcess, 99).toFixed(2)} ms |`,
      `| warm no-op invoke, Lambda Invoke API over HTTP: p50 / p99 | ${percentile(viaApi, 50).toFixed(2)} ms / ${percentile(viaApi, 99).toFixed(2)} ms |`,
      `| cold start, no-op function (first invocation, wall) | ${coldMs.toFixed(0)} ms (init ${coldRecord?.initDurationMs?.toFixed(0) ?? '?'} ms) |`,
      `| peak RSS over the run: local cloud (this process) / DynamoDB Local JVM | ${machine.memory.localCloud.peakRssMb} MiB / ${machine.memory.dynamoDbLocal?.peakRssMb ?? '?'} MiB |`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    dynamodb.destroy();
    lambdaApi.destroy();
    await cloud.stop();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
