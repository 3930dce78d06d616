/**
 * `npm run bench:peer`: the local cloud beside the closest peer that runs on the same machine,
 * serverless-offline (Serverless Framework v3), on the same handler bundles and one DynamoDB Local.
 *
 *  1. POST /items (one conditional PutItem) at concurrency 32, as a ratio to raw PutItem from this
 *     process, and the server CPU each request costs — for the local cloud, serverless-offline with a
 *     worker thread per environment (its default) and serverless-offline with `--useInProcess`;
 *  2. warm latency of a function that does nothing, through the API (`ping`, a fixed 200: `noop` returns
 *     null, which API Gateway answers with a 502) and through the Lambda Invoke API (`noop`);
 *  3. time from start to the first answered request.
 *
 * The peer is installed outside the repository (see peer-install.ts); `BENCH_PROFILE_DIR` also samples
 * where each server's CPU goes (see profile-summary.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { buildSync } from 'esbuild';
import {
  describeStartup,
  latencies,
  LocalCloud,
  percentile,
  processTicks,
  startDynamoDbLocal,
  throughput,
  type DynamoDbLocal,
  type StartupReport,
} from 'cdk-local-cloud';
import { installPeer, type InstalledPeer } from './peer-install';
import { MS_PER_TICK, processTreeTicks } from './process-tree';
import { summarizeProfiles, summaryTable } from './profile-summary';
import {
  spawnServerlessOffline,
  writeServiceConfig,
  type PeerFunction,
  type RunningServerlessOffline,
} from './serverless-offline';
import {
  markerFile,
  PROFILE_DIR_VARIABLE,
  PROFILE_LABEL_VARIABLE,
  readProfiles,
  ThreadProfiler,
  writeProfiles,
  type ThreadProfile,
} from './thread-profiler';

const CONCURRENCY = 32;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WRITES_PER_PHASE = Number(process.env.BENCH_WRITES ?? 3_000);
const WARM_UP_WRITES = Number(process.env.BENCH_WARM_UP ?? 3_000);
const LATENCY_CALLS = Number(process.env.BENCH_INVOKES ?? 1_500);
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
const PROFILE_WRITES = Number(process.env.BENCH_PROFILE_WRITES ?? 5_000);
const START_TIMEOUT_MS = 120_000;
const IDLE_SAMPLE_MS = 2_000;

const PACKAGE_DIR = path.resolve(__dirname, '..', '..');
const APP_COMMAND = 'npx tsx test/fixtures/fixture-app.ts';
const ITEMS_TABLE = 'fixture-items';
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };

type ServerKey = 'localCloud' | 'offlineWorkers' | 'offlineInProcess';
type TargetKey = 'raw' | ServerKey;

const LABELS: Record<TargetKey, string> = {
  raw: 'raw DynamoDB Local',
  localCloud: 'local cloud',
  offlineWorkers: 'serverless-offline (worker threads)',
  offlineInProcess: 'serverless-offline (--useInProcess)',
};
const SERVER_KEYS: readonly ServerKey[] = ['localCloud', 'offlineWorkers', 'offlineInProcess'];

interface Server {
  readonly key: ServerKey;
  readonly itemsUrl: string;
  readonly pingUrl: string;
  readonly lambda: LambdaClient;
  /** serverless-offline's process; the local cloud runs in this one. */
  readonly offline?: RunningServerlessOffline;
  readonly start: StartTiming;
}

interface StartTiming {
  /** From the start call (or spawn) to the first answered request. */
  readonly toFirstAnswerMs: number;
  /** The local cloud started in this process (`LocalCloud.start`) rather than as `local-cloud start`. */
  readonly inProcessMs?: number;
}

/** One phase of a round: a count of requests and the CPU every process spent meanwhile. */
interface PhaseResult {
  readonly target: TargetKey;
  readonly perSecond: number;
  readonly requests: number;
  readonly elapsedMs: number;
  readonly benchCpuMs: number;
  readonly jvmCpuMs: number;
  /** The serverless-offline process tree's CPU, for its phases. */
  readonly serverCpuMs?: number;
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const peer = installPeer(log);
  const runDir = fs.mkdtempSync(path.join(peer.dir, 'run-'));
  const cleanups: (() => Promise<void>)[] = [];
  try {
    await run(peer, runDir, cleanups);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    if (process.env.BENCH_KEEP_RUN_DIR) log(`Kept ${runDir}`);
    else fs.rmSync(runDir, { recursive: true, force: true });
  }
}

async function run(peer: InstalledPeer, runDir: string, cleanups: (() => Promise<void>)[]): Promise<void> {
  const loadAverageAtStart = os.loadavg();
  log('Starting DynamoDB Local …');
  const dynamo = await startDynamoDbLocal();
  cleanups.push(() => dynamo.stop());
  const dynamodb = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
  cleanups.push(async () => dynamodb.destroy());
  // A table without a stream, so nothing runs downstream of any write.
  await dynamodb.send(
    new CreateTableCommand({
      TableName: ITEMS_TABLE,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );

  // The first start synthesizes the fixture app into the run folder's assembly cache; serverless-offline
  // runs the very bundle files of that cloud assembly. The second start, after no change, is the one
  // measured: a developer's usual start.
  const cloudOptions = {
    projectDir: PACKAGE_DIR,
    appCommand: APP_COMMAND,
    assemblyCacheDir: path.join(runDir, 'assemblies'),
    dynamoDbEndpoint: dynamo.endpoint,
    port: 0,
    edgePort: 0,
    xrayDaemonPort: 0,
    defaultApiName: 'fixture-main',
  } as const;
  log('Starting the local cloud, synthesizing the fixture app …');
  const firstCloud = await LocalCloud.start(cloudOptions);
  const firstStartup = firstCloud.startup;
  await firstCloud.stop();
  log('Starting the local cloud again, after no change …');
  const cloudStarted = performance.now();
  const cloud = await LocalCloud.start(cloudOptions);
  cleanups.push(() => cloud.stop());
  const otherApi = cloud.apis.find((api) => api.name === 'fixture-other');
  if (!otherApi) throw new Error('The fixture app has no fixture-other API');
  const cloudPingUrl = `${cloud.gateway.localUrl(otherApi.apiId, otherApi.stages[0] ?? 'prod')}ping`;
  await waitForAnswer(cloudPingUrl, () => undefined);
  const cloudFirstAnswerMs = performance.now() - cloudStarted;
  // The same start as a process of its own, as `local-cloud start` runs (Node.js and the CLI loading
  // included), on the same DynamoDB Local — what serverless-offline's start is measured as.
  log('Starting the local cloud as a process of its own …');
  // Twice: the CLI keeps its assembly under the package's `.local`; the second start is one after no change.
  await cliStartToFirstAnswer(dynamo.endpoint);
  const cliStart = await cliStartToFirstAnswer(dynamo.endpoint);
  // serverless-offline reads no streams: neither does the local cloud while measured.
  await cloud.pauseStreams();

  const functions = peerFunctions(cloud, dynamo);
  writeServiceConfig({ serviceDir: runDir, functions });
  const preload = PROFILE_DIR === undefined ? undefined : bundleProfilerPreload(runDir);
  const spawnOffline = async (key: 'offlineWorkers' | 'offlineInProcess'): Promise<Server> => {
    log(`Starting ${LABELS[key]} …`);
    const spawned = performance.now();
    const offline = await spawnServerlessOffline({
      serverlessBin: peer.serverlessBin,
      serviceDir: runDir,
      inProcess: key === 'offlineInProcess',
      logFile: path.join(runDir, `${key}.log`),
      ...(preload === undefined || PROFILE_DIR === undefined
        ? {}
        : {
            nodeArgs: ['--require', preload],
            extraEnv: { [PROFILE_DIR_VARIABLE]: PROFILE_DIR, [PROFILE_LABEL_VARIABLE]: key },
          }),
    });
    cleanups.push(() => offline.stop());
    const pingUrl = `${offline.apiUrl}/ping`;
    await waitForAnswer(pingUrl, () => {
      if (offline.process.exitCode !== null) {
        const output = fs.readFileSync(path.join(runDir, `${key}.log`), 'utf8');
        return `serverless offline exited (${offline.process.exitCode}):\n${output.slice(-4_000)}`;
      }
      return undefined;
    });
    const lambda = new LambdaClient({ endpoint: offline.lambdaEndpoint, region: 'us-east-1', credentials });
    cleanups.push(async () => lambda.destroy());
    return {
      key,
      itemsUrl: `${offline.apiUrl}/items`,
      pingUrl,
      lambda,
      offline,
      start: { toFirstAnswerMs: performance.now() - spawned },
    };
  };
  const cloudLambda = new LambdaClient({ endpoint: cloud.edgeUrl, region: 'us-east-1', credentials });
  cleanups.push(async () => cloudLambda.destroy());
  const servers: Server[] = [
    {
      key: 'localCloud',
      itemsUrl: `${cloud.apiUrl}/items`,
      pingUrl: cloudPingUrl,
      lambda: cloudLambda,
      start: { toFirstAnswerMs: cliStart, inProcessMs: cloudFirstAnswerMs },
    },
    // One after the other, so neither start competes with the other for the CPU.
    await spawnOffline('offlineWorkers'),
    await spawnOffline('offlineInProcess'),
  ];

  // Writes that did not end as a plain success, by target: counted and reported, not fatal — on a busy
  // machine the SDK retries a request whose first attempt did write, and the retry's condition fails.
  const anomalies = new Map<TargetKey, string[]>();
  const noteAnomaly = (target: TargetKey, what: string): void => {
    anomalies.set(target, [...(anomalies.get(target) ?? []), what]);
  };
  const rawPut = async (i: number, prefix: string): Promise<void> => {
    try {
      await dynamodb.send(
        new PutItemCommand({
          TableName: ITEMS_TABLE,
          Item: { pk: { S: `${prefix}-${i}` }, payload: { S: 'benchmark' } },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) || (error.$metadata.attempts ?? 1) < 2) {
        throw error;
      }
      noteAnomaly('raw', 'retried, then ConditionalCheckFailed');
    }
  };
  const post = async (server: Server, i: number, prefix: string): Promise<void> => {
    const answer = await fetch(server.itemsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: `${server.key}-${prefix}-${i}` }),
    });
    await answer.arrayBuffer();
    if (answer.status !== 201) noteAnomaly(server.key, String(answer.status));
  };

  // Warm-up: every environment concurrency 32 needs, each server's JIT, and DynamoDB Local's.
  log('Warming up …');
  await throughput(WARM_UP_WRITES, CONCURRENCY, (i) => rawPut(i, 'warm'));
  for (const server of servers) await throughput(WARM_UP_WRITES, CONCURRENCY, (i) => post(server, i, 'warm'));

  // What this process spends with every server idle: the local cloud's timers and pollers. It runs during
  // serverless-offline's rounds too, and is taken out of the load generator's share there.
  const idleFrom = process.cpuUsage();
  await sleep(IDLE_SAMPLE_MS);
  const idleUsage = process.cpuUsage(idleFrom);
  const idleCorePercent = ((idleUsage.user + idleUsage.system) / 1000 / IDLE_SAMPLE_MS) * 100;

  // Alternating rounds, each starting one target later, so all see the same machine state.
  const phases: PhaseResult[] = [];
  const targets: TargetKey[] = ['raw', ...SERVER_KEYS];
  for (let round = 0; round < ROUNDS; round++) {
    for (let step = 0; step < targets.length; step++) {
      const target = targets[(round + step) % targets.length] ?? 'raw';
      const server = servers.find((candidate) => candidate.key === target);
      log(`Round ${round + 1}/${ROUNDS}: ${LABELS[target]} …`);
      phases.push(
        await measurePhase(target, WRITES_PER_PHASE, dynamo, server?.offline?.pid, () =>
          throughput(WRITES_PER_PHASE, CONCURRENCY, (i) =>
            server ? post(server, i, `r${round}`) : rawPut(i, `raw-r${round}`),
          ),
        ),
      );
    }
  }

  log('Measuring warm latency …');
  const latency = await measureLatencies(servers);

  const profiles = PROFILE_DIR === undefined ? [] : await profileServers(servers, dynamo, PROFILE_DIR, post);

  const bundleCheck = Object.values(functions).map(
    (fn) => `${fn.name} ${sha256(path.join(fn.codeDir, 'index.js'))}`,
  );
  const lines = report({
    peer,
    anomalies,
    loadAverageAtStart,
    idleCorePercent,
    phases,
    latency,
    servers,
    firstStartup,
    warmStartup: cloud.startup,
    bundleCheck,
    profiles,
  });
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** The three functions serverless-offline runs: the local cloud's definitions and bundle files. */
function peerFunctions(
  cloud: LocalCloud,
  dynamo: DynamoDbLocal,
): Record<'putItem' | 'ping' | 'noop', PeerFunction> {
  const routed = (apiName: string, method: string, resourcePath: string): string => {
    const route = cloud.apis
      .find((api) => api.name === apiName)
      ?.routes.find((candidate) => candidate.method === method && candidate.resourcePath === resourcePath);
    if (route?.integration.type !== 'AWS_PROXY') {
      throw new Error(`${apiName} has no Lambda proxy route ${method} ${resourcePath}`);
    }
    return route.integration.functionName;
  };
  const define = (functionName: string, http?: PeerFunction['http']): PeerFunction => {
    const { definition, timeoutSeconds, memorySize } = cloud.lambda.resolve(functionName);
    return {
      name: functionName,
      codeDir: definition.codeDir,
      handler: definition.handler,
      timeoutSeconds,
      memorySize,
      // The template's variables, and what the local cloud adds for DynamoDB: its endpoint and fake keys.
      environment: {
        ...definition.env,
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      ...(http ? { http } : {}),
    };
  };
  return {
    putItem: define(routed('fixture-main', 'POST', '/items'), { method: 'post', path: 'items' }),
    ping: define(routed('fixture-other', 'GET', '/ping'), { method: 'get', path: 'ping' }),
    noop: define('fixture-noop'),
  };
}

/**
 * Spawns `local-cloud start` on the fixture app, on the given DynamoDB Local, and returns the time from
 * the spawn to the first answered request of the app (`GET /echo/x`, a function of the default API),
 * then stops it with SIGINT.
 */
async function cliStartToFirstAnswer(dynamoDbEndpoint: string): Promise<number> {
  const bin = path.join(PACKAGE_DIR, 'bin', 'local-cloud.js');
  const spawned = performance.now();
  const child = spawn(
    process.execPath,
    [
      bin,
      'start',
      ...['--app', APP_COMMAND, '--api', 'fixture-main', '--port', '0', '--edge-port', '0'],
      ...['--dynamodb-endpoint', dynamoDbEndpoint],
    ],
    {
      cwd: PACKAGE_DIR,
      env: { ...process.env, AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const deadline = performance.now() + START_TIMEOUT_MS;
    let apiUrl: string | undefined;
    while (apiUrl === undefined) {
      apiUrl = /API (http:\/\/127\.0\.0\.1:\d+)\//.exec(output)?.[1];
      if (child.exitCode !== null) throw new Error(`local-cloud start exited: ${output.slice(-2000)}`);
      if (performance.now() > deadline) throw new Error(`local-cloud start printed no API: ${output}`);
      await sleep(20);
    }
    await waitForAnswer(`${apiUrl}/echo/x`, () => undefined);
    return performance.now() - spawned;
  } finally {
    child.kill('SIGINT');
    await exited;
  }
}

async function waitForAnswer(url: string, failure: () => string | undefined): Promise<void> {
  const deadline = performance.now() + START_TIMEOUT_MS;
  for (;;) {
    const problem = failure();
    if (problem !== undefined) throw new Error(problem);
    try {
      const answer = await fetch(url);
      await answer.arrayBuffer();
      if (answer.status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (performance.now() > deadline) throw new Error(`${url} did not answer within ${START_TIMEOUT_MS} ms`);
    await sleep(20);
  }
}

async function measurePhase(
  target: TargetKey,
  requests: number,
  dynamo: DynamoDbLocal,
  serverPid: number | undefined,
  load: () => Promise<number>,
): Promise<PhaseResult> {
  const bench = process.cpuUsage();
  const jvm = processTicks(dynamo.pid);
  const server = serverPid === undefined ? 0 : processTreeTicks(serverPid);
  const started = performance.now();
  const perSecond = await load();
  const elapsedMs = performance.now() - started;
  const benchUsage = process.cpuUsage(bench);
  return {
    target,
    perSecond,
    requests,
    elapsedMs,
    benchCpuMs: (benchUsage.user + benchUsage.system) / 1000,
    jvmCpuMs: (processTicks(dynamo.pid) - jvm) * MS_PER_TICK,
    ...(serverPid === undefined ? {} : { serverCpuMs: (processTreeTicks(serverPid) - server) * MS_PER_TICK }),
  };
}

interface LatencySamples {
  readonly api: number[];
  readonly invoke: number[];
}

async function measureLatencies(servers: readonly Server[]): Promise<Map<ServerKey, LatencySamples>> {
  const get = async (server: Server): Promise<void> => {
    const answer = await fetch(server.pingUrl);
    await answer.arrayBuffer();
    if (answer.status !== 200) throw new Error(`${LABELS[server.key]}: GET /ping answered ${answer.status}`);
  };
  const invoke = async (server: Server): Promise<void> => {
    const answer = await server.lambda.send(new InvokeCommand({ FunctionName: 'fixture-noop' }));
    if (answer.FunctionError) throw new Error(`${LABELS[server.key]}: fixture-noop failed`);
  };
  const samples = new Map<ServerKey, LatencySamples>(servers.map((s) => [s.key, { api: [], invoke: [] }]));
  for (const server of servers) {
    await latencies(100, () => get(server));
    await latencies(100, () => invoke(server));
  }
  const perRound = Math.max(1, Math.round(LATENCY_CALLS / ROUNDS));
  for (let round = 0; round < ROUNDS; round++) {
    for (let step = 0; step < servers.length; step++) {
      const server = servers[(round + step) % servers.length];
      const own = server && samples.get(server.key);
      if (!server || !own) continue;
      own.api.push(...(await latencies(perRound, () => get(server))));
      own.invoke.push(...(await latencies(perRound, () => invoke(server))));
    }
  }
  for (const own of samples.values()) {
    own.api.sort((a, b) => a - b);
    own.invoke.sort((a, b) => a - b);
  }
  return samples;
}

interface ServerProfile {
  readonly key: ServerKey;
  readonly profiles: readonly ThreadProfile[];
  /** CPU per request of the profiled process while it was sampled (this process, for the local cloud). */
  readonly profiledCpuMsPerRequest: number;
}

/**
 * One more phase per server with its threads sampled: the local cloud's through the inspector of this
 * process, serverless-offline's through the preload signalled in its process.
 */
async function profileServers(
  servers: readonly Server[],
  dynamo: DynamoDbLocal,
  dir: string,
  post: (server: Server, i: number, prefix: string) => Promise<void>,
): Promise<ServerProfile[]> {
  const results: ServerProfile[] = [];
  for (const server of servers) {
    log(`Profiling ${LABELS[server.key]} …`);
    const load = () => throughput(PROFILE_WRITES, CONCURRENCY, (i) => post(server, i, 'profile'));
    if (server.offline === undefined) {
      const profiler = new ThreadProfiler();
      await profiler.start();
      const phase = await measurePhase(server.key, PROFILE_WRITES, dynamo, undefined, load);
      const profiles = await profiler.stop();
      writeProfiles(dir, server.key, profiles);
      results.push({ key: server.key, profiles, profiledCpuMsPerRequest: phase.benchCpuMs / PROFILE_WRITES });
      continue;
    }
    const { pid } = server.offline;
    process.kill(pid, 'SIGUSR2');
    await waitForFile(markerFile(dir, server.key, 'started'));
    const phase = await measurePhase(server.key, PROFILE_WRITES, dynamo, pid, load);
    process.kill(pid, 'SIGUSR2');
    await waitForFile(markerFile(dir, server.key, 'written'));
    results.push({
      key: server.key,
      profiles: readProfiles(dir, server.key),
      profiledCpuMsPerRequest: (phase.serverCpuMs ?? Number.NaN) / PROFILE_WRITES,
    });
  }
  return results;
}

async function waitForFile(file: string): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (!fs.existsSync(file)) {
    if (performance.now() > deadline) throw new Error(`${file} did not appear`);
    await sleep(50);
  }
}

/** The preload, bundled: serverless-offline's process cannot load TypeScript. */
function bundleProfilerPreload(runDir: string): string {
  const outfile = path.join(runDir, 'profiler-preload.js');
  buildSync({
    entryPoints: [path.join(__dirname, 'profiler-preload.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 12);
}

const loadAverage = (values: readonly number[]): string => values.map((value) => value.toFixed(2)).join(' ');

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
};

interface ReportInput {
  readonly peer: InstalledPeer;
  readonly anomalies: ReadonlyMap<TargetKey, readonly string[]>;
  readonly loadAverageAtStart: readonly number[];
  /** This process's CPU with every server idle, in % of one core. */
  readonly idleCorePercent: number;
  readonly phases: readonly PhaseResult[];
  readonly latency: ReadonlyMap<ServerKey, LatencySamples>;
  readonly servers: readonly Server[];
  /** The local cloud's first start (it synthesized the app) and the measured one, after no change. */
  readonly firstStartup: StartupReport;
  readonly warmStartup: StartupReport;
  readonly bundleCheck: readonly string[];
  readonly profiles: readonly ServerProfile[];
}

function report({
  peer,
  anomalies,
  loadAverageAtStart,
  idleCorePercent,
  phases,
  latency,
  servers,
  firstStartup,
  warmStartup,
  bundleCheck,
  profiles,
}: ReportInput): string[] {
  const of = (target: TargetKey) => phases.filter((phase) => phase.target === target);
  const perRequest = (phase: PhaseResult, cpuMs: number) => cpuMs / phase.requests;
  // The load generator's cost per POST: this process's CPU while only serverless-offline served, less
  // what the idle local cloud spent meanwhile.
  const offlinePhases = phases.filter(
    (phase) => phase.target === 'offlineWorkers' || phase.target === 'offlineInProcess',
  );
  const idleCpuMs = (phase: PhaseResult) => (phase.elapsedMs * idleCorePercent) / 100;
  const loadGeneratorMs = median(
    offlinePhases.map((phase) => perRequest(phase, phase.benchCpuMs - idleCpuMs(phase))),
  );
  const rawOps = median(of('raw').map((phase) => phase.perSecond));

  const serverCpuMs = (key: ServerKey): number =>
    key === 'localCloud'
      ? median(of(key).map((phase) => perRequest(phase, phase.benchCpuMs) - loadGeneratorMs))
      : median(of(key).map((phase) => perRequest(phase, phase.serverCpuMs ?? Number.NaN)));
  const jvmCpuMs = (target: TargetKey): number =>
    median(of(target).map((phase) => perRequest(phase, phase.jvmCpuMs)));
  const rounds = (target: TargetKey): string =>
    of(target)
      .map((phase) => phase.perSecond.toFixed(0))
      .join(', ');
  const serverOf = (key: ServerKey): Server | undefined => servers.find((server) => server.key === key);
  const latencyCell = (key: ServerKey, kind: keyof LatencySamples): string => {
    const sorted = latency.get(key)?.[kind] ?? [];
    return `${percentile(sorted, 50).toFixed(2)} / ${percentile(sorted, 99).toFixed(2)} ms`;
  };
  const startCell = (key: ServerKey): string => {
    const start = serverOf(key)?.start;
    if (!start) return '?';
    const total = `${(start.toFirstAnswerMs / 1000).toFixed(1)} s`;
    return start.inProcessMs === undefined
      ? total
      : `${total} (\`local-cloud start\`; started in process: ${(start.inProcessMs / 1000).toFixed(1)} s)`;
  };
  const anomalyCell = (target: TargetKey): string => {
    const found = anomalies.get(target) ?? [];
    const counts = new Map<string, number>();
    for (const what of found) counts.set(what, (counts.get(what) ?? 0) + 1);
    return found.length === 0 ? 'none' : [...counts].map(([what, count]) => `${count} × ${what}`).join(', ');
  };
  const row = (measure: string, raw: string, cells: (key: ServerKey) => string): string =>
    `| ${measure} | ${raw} | ${SERVER_KEYS.map(cells).join(' | ')} |`;

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    `Machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()}; load average (1, 5, 15 min) at the start ${loadAverage(loadAverageAtStart)}, at the end ${loadAverage(os.loadavg())}`,
    `Peer: serverless ${peer.serverlessVersion}, serverless-offline ${peer.serverlessOfflineVersion}; DynamoDB Local shared by all`,
    `Bundles, the same files for every server (sha256 of index.js): ${bundleCheck.join(', ')}`,
    `Settings: ${ROUNDS} rounds of ${WRITES_PER_PHASE} writes per target after ${WARM_UP_WRITES} warm-up writes each; ${LATENCY_CALLS} latency calls per server and path`,
    '',
    `| measure | ${LABELS.raw} | ${SERVER_KEYS.map((key) => LABELS[key]).join(' | ')} |`,
    '|---|---|---|---|---|',
    row(
      `conditional PutItem at concurrency ${CONCURRENCY} (raw: SDK call; servers: POST /items), median round`,
      `${rawOps.toFixed(0)} ops/s`,
      (key) => `${median(of(key).map((phase) => phase.perSecond)).toFixed(0)} req/s`,
    ),
    row('rounds', rounds('raw'), rounds),
    row('ratio to raw', '1.00', (key) =>
      (median(of(key).map((phase) => phase.perSecond)) / rawOps).toFixed(2),
    ),
    row(
      'writes not answered 201 / not written at once (warm-up and rounds)',
      anomalyCell('raw'),
      anomalyCell,
    ),
    row(
      'server CPU per request',
      `— (SDK client: ${median(of('raw').map((phase) => perRequest(phase, phase.benchCpuMs))).toFixed(2)} ms)`,
      (key) => `${serverCpuMs(key).toFixed(2)} ms`,
    ),
    row(
      'DynamoDB Local JVM CPU per request',
      `${jvmCpuMs('raw').toFixed(2)} ms`,
      (key) => `${jvmCpuMs(key).toFixed(2)} ms`,
    ),
    row('warm GET /ping through the API: p50 / p99', '—', (key) => latencyCell(key, 'api')),
    row('warm Invoke of fixture-noop (Lambda Invoke API): p50 / p99', '—', (key) =>
      latencyCell(key, 'invoke'),
    ),
    row('start → first answered request', '—', startCell),
    '',
    `Load generator (fetch) CPU per POST, measured in this process while only serverless-offline served, less the idle local cloud's ${idleCorePercent.toFixed(1)} % of a core: ${loadGeneratorMs.toFixed(2)} ms. The local cloud's server CPU is this process's CPU in its rounds less that, per request.`,
    `The local cloud's start measured above is a start after no change to the app (its cloud assembly kept): ${describeStartup(warmStartup)}. Its first start, which synthesized the app: ${describeStartup(firstStartup)}. serverless-offline synthesizes nothing: it is handed the bundles ready-made.`,
    '',
    'How to read it: every server runs the same bundles on the same DynamoDB Local, so the JVM column is',
    'the same work for all, and the ratio and CPU rows are what each server adds on top of it. The local',
    'cloud and serverless-offline in its default mode give each concurrent request an environment of its',
    'own (a worker thread, as Lambda gives each one an execution environment); with --useInProcess every',
    'request shares one module instance and one SDK client in the server thread, which Lambda never does.',
    'Rounds alternate and rotate, but one run on a shared machine is noisy: compare within a run.',
  ];
  for (const { key, profiles: threads, profiledCpuMsPerRequest } of profiles) {
    const summary = summarizeProfiles(threads);
    // The local cloud's profile is of this process: the load generator is in it, and in its CPU.
    const cpuMsPerRequest =
      key === 'localCloud'
        ? median(of(key).map((phase) => perRequest(phase, phase.benchCpuMs)))
        : serverCpuMs(key);
    lines.push(
      '',
      `Where the CPU of a request goes — ${LABELS[key]}: ${threads.length} threads sampled, ${summary.totalSamples} samples over ${PROFILE_WRITES} requests; µs are shares of the ${cpuMsPerRequest.toFixed(2)} ms per request measured in the rounds${key === 'localCloud' ? ' (this process: load generator included)' : ''} (${profiledCpuMsPerRequest.toFixed(2)} ms while profiled).`,
      '',
      ...summaryTable(summary, cpuMsPerRequest),
    );
  }
  return lines;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
