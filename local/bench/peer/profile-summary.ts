/**
 * Where the sampled CPU of a request goes, by category, across every thread of a server process.
 *
 * Each sample is charged to the nearest frame, from the leaf up, that says what the work is for: a
 * socket write under the gateway's `res.end()` is gateway HTTP, the same write under the SDK's request
 * is the function's HTTP client. Samples are counted rather than weighted by their time deltas: a
 * thread descheduled on a busy machine takes no samples, so counts follow CPU time, deltas wall time.
 */
import type { Profiler, Runtime } from 'node:inspector';
import type { ThreadProfile } from './thread-profiler';

export const CATEGORIES = {
  loadGenerator: 'load generator (fetch/undici client, benchmark code)',
  httpServer: 'gateway HTTP server (node:http parsing and writing)',
  gateway: 'gateway emulation (routing, request and response mapping)',
  hapi: 'hapi (serverless-offline’s HTTP framework)',
  proxyEvent: 'proxy event building',
  xray: 'X-Ray tracing',
  lambdaService: 'Lambda service and pool',
  hop: 'worker postMessage hop (both sides)',
  lambdaRuntime: 'Lambda runtime around the handler',
  functionCode: 'SDK + handler inside the function (the bundle)',
  httpClient: 'SDK HTTP client (node:http)',
  logging: 'request logging',
  gc: 'garbage collection',
  program: 'native code without a JS frame ((program))',
  socketIo: 'socket I/O and streams with no telling caller',
  nodeInternals: 'event loop, promises and timers (Node.js internals)',
  emulatorOther: 'other emulator code',
  packagesOther: 'other packages',
  profiler: 'the profiler itself',
} as const;

export type Category = (typeof CATEGORIES)[keyof typeof CATEGORIES];

export interface CategoryShare {
  readonly category: Category;
  /** Samples on the process's main thread and on its worker threads. */
  readonly mainSamples: number;
  readonly workerSamples: number;
}

export interface ProfileSummary {
  readonly shares: readonly CategoryShare[];
  readonly totalSamples: number;
}

const LOGGING_PACKAGES =
  /\/node_modules\/(log|log-node|@serverless\/utils|sprintf-kit|cli-color|cli-progress-footer|supports-color|chalk|strip-ansi|ansi-regex)\//;

export function summarizeProfiles(profiles: readonly ThreadProfile[]): ProfileSummary {
  const counts = new Map<Category, { main: number; worker: number }>();
  for (const { profile, isWorker } of profiles) {
    const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
    const parentOf = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
    const categoryOf = new Map<number, Category | 'idle'>();
    for (const nodeId of profile.samples ?? []) {
      let category = categoryOf.get(nodeId);
      if (category === undefined) {
        category = categorize(stackOf(nodeId, byNode, parentOf), isWorker);
        categoryOf.set(nodeId, category);
      }
      if (category === 'idle') continue;
      const count = counts.get(category) ?? { main: 0, worker: 0 };
      if (isWorker) count.worker++;
      else count.main++;
      counts.set(category, count);
    }
  }
  const shares = [...counts]
    .map(([category, count]) => ({ category, mainSamples: count.main, workerSamples: count.worker }))
    .sort((a, b) => b.mainSamples + b.workerSamples - (a.mainSamples + a.workerSamples));
  return { shares, totalSamples: shares.reduce((sum, s) => sum + s.mainSamples + s.workerSamples, 0) };
}

/** The call frames of a sample, leaf first. */
function stackOf(
  leafId: number,
  byNode: ReadonlyMap<number, Profiler.ProfileNode>,
  parentOf: ReadonlyMap<number, number>,
): Runtime.CallFrame[] {
  const frames: Runtime.CallFrame[] = [];
  for (let id: number | undefined = leafId; id !== undefined; id = parentOf.get(id)) {
    const node = byNode.get(id);
    if (node) frames.push(node.callFrame);
  }
  return frames;
}

function categorize(stack: readonly Runtime.CallFrame[], isWorker: boolean): Category | 'idle' {
  const leaf = stack[0]?.functionName;
  if (leaf === '(idle)') return 'idle';
  if (leaf === '(garbage collector)') return CATEGORIES.gc;
  if (leaf === '(program)') return CATEGORIES.program;
  for (let i = 0; i < stack.length; i++) {
    const frame = stack[i];
    if (frame === undefined) continue;
    const category = decisiveCategory(frame, stack.slice(i + 1), isWorker);
    if (category !== undefined) return category;
  }
  if (stack.some(({ url }) => url.includes('/node_modules/'))) return CATEGORIES.packagesOther;
  if (stack.some(({ url }) => /^node:net$|stream_base_commons|internal\/streams\//.test(url))) {
    // A worker's only sockets are those of the function's HTTP client.
    return isWorker ? CATEGORIES.httpClient : CATEGORIES.socketIo;
  }
  return CATEGORIES.nodeInternals;
}

/** What a frame's code is for; undefined for plumbing (streams, natives, packages) that serves its caller. */
function decisiveCategory(
  { url, functionName }: Runtime.CallFrame,
  callers: readonly Runtime.CallFrame[],
  isWorker: boolean,
): Category | undefined {
  if (url === '' && (functionName === 'postMessage' || functionName === 'receiveMessageOnPort')) {
    return CATEGORIES.hop;
  }
  if (url.includes('thread-profiler') || url.includes('profiler-preload')) return CATEGORIES.profiler;
  if (/internal\/worker\/io|per_context\/messageport|^node:worker_threads$|worker-thread-runner/.test(url)) {
    return CATEGORIES.hop;
  }
  if (url.includes('/asset.')) return CATEGORIES.functionCode;
  if (/local-cloud-worker-runtime|in-process-runner/.test(url)) return CATEGORIES.lambdaRuntime;
  if (
    /local\/src\/apigateway\/proxy-event|serverless-offline\/src\/events\/http\/lambda-events\//.test(url)
  ) {
    return CATEGORIES.proxyEvent;
  }
  // serverless-offline's src/utils/ (date formats, header parsing) is charged to its callers.
  if (/local\/src\/(apigateway|cloud)\/|serverless-offline\/src\/events\//.test(url)) {
    return CATEGORIES.gateway;
  }
  if (url.includes('/node_modules/@hapi/')) return CATEGORIES.hapi;
  if (url.includes('/local/src/xray/')) return CATEGORIES.xray;
  if (/local\/src\/lambda\/|serverless-offline\/src\/lambda\//.test(url)) return CATEGORIES.lambdaService;
  if (/internal\/deps\/undici|\/bench\/|\/src\/measure\.ts$/.test(url)) return CATEGORIES.loadGenerator;
  if (LOGGING_PACKAGES.test(url)) return CATEGORIES.logging;
  if (url === 'node:_http_server') return CATEGORIES.httpServer;
  if (url === 'node:_http_client' || url === 'node:_http_agent') return CATEGORIES.httpClient;
  if (/^node:_http_(common|outgoing|incoming)$/.test(url)) return httpSide(callers, isWorker);
  if (
    url.includes('/local/src/') ||
    /\/node_modules\/serverless\/|serverless-offline\/src\/(?!utils)/.test(url)
  ) {
    return CATEGORIES.emulatorOther;
  }
  // Other packages (luxon, graceful-fs…) serve their caller, like Node's own plumbing.
  return undefined;
}

/** Code node:http shares between its server and its client (parser, messages): whose is it here? */
function httpSide(callers: readonly Runtime.CallFrame[], isWorker: boolean): Category {
  for (const { url } of callers) {
    if (/^node:_http_server$|\/node_modules\/@hapi\/|local\/src\/apigateway\//.test(url)) {
      return CATEGORIES.httpServer;
    }
    if (/^node:_http_(client|agent)$|\/asset\./.test(url)) return CATEGORIES.httpClient;
    if (url.includes('internal/deps/undici')) return CATEGORIES.loadGenerator;
  }
  // With no telling caller: a worker only runs the function's client, a main thread serves the API.
  return isWorker ? CATEGORIES.httpClient : CATEGORIES.httpServer;
}

/**
 * A markdown table: each category's share of the samples, and that share of `cpuMsPerRequest` — the
 * process's CPU per request measured without the profiler, which costs several times the work it samples.
 */
export function summaryTable(summary: ProfileSummary, cpuMsPerRequest: number): string[] {
  const micros = (samples: number) => ((samples / summary.totalSamples) * cpuMsPerRequest * 1000).toFixed(0);
  const percent = (samples: number) => `${((samples / summary.totalSamples) * 100).toFixed(1)} %`;
  const row = (category: string, main: number, worker: number) =>
    `| ${category} | ${percent(main + worker)} | ${micros(main)} | ${micros(worker)} |`;
  const mainTotal = summary.shares.reduce((sum, share) => sum + share.mainSamples, 0);
  return [
    '| category | share of samples | µs / request, main thread | µs / request, worker threads |',
    '|---|---|---|---|',
    ...summary.shares.map(({ category, mainSamples, workerSamples }) =>
      row(category, mainSamples, workerSamples),
    ),
    row('**all**', mainTotal, summary.totalSamples - mainTotal),
  ];
}
