/**
 * `npm run bench:cold-start`: the size of every function's bundle and its cold start on the local
 * cloud — Lambda's `Init Duration`, the worker's start plus the loading of the bundle — one function
 * at a time on an otherwise idle cloud, so no two inits share the CPU.
 *
 * `COLD_START_BASELINE=<dir>` measures another checkout of the app first (a worktree of an earlier
 * commit, with its own `node_modules` or a link to these), in the same run, and prints the ratios:
 *
 *   git worktree add /tmp/baseline <ref> && ln -s "$PWD/node_modules" /tmp/baseline/node_modules
 *   COLD_START_BASELINE=/tmp/baseline npm run bench:cold-start
 *
 * `COLD_START_ROUNDS` (default 3) cold starts per function: each round starts a new cloud.
 */
import { InvokeCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { LocalCloud, localClientConfig, percentile } from 'cdk-local-cloud';
import { functionBundleBytes, logicalName } from '../support/function-bundles';
import { LOCAL_STAGE_CONTEXT, PROJECT_DIR } from '../support/shop-cloud';

interface Measured {
  /** The function's `index.js` as synthesized; the source map beside it is not counted. */
  readonly bundleBytes: number;
  /** Its whole code directory (`CodeSize`): the bundle and its source map. */
  readonly codeBytes: number;
  readonly initMs: number;
}

interface ColdStart extends Measured {
  readonly functionName: string;
}

interface InvocationRecord {
  readonly functionName: string;
  readonly cold: boolean;
  readonly initDurationMs?: number;
}

const ROUNDS = Number(process.env.COLD_START_ROUNDS ?? '3');

/** Starts the app in `projectDir`, cold-starts each function once, in turn, and stops. */
async function coldStarts(projectDir: string): Promise<ColdStart[]> {
  const cloud = await LocalCloud.start({
    projectDir,
    port: 0,
    edgePort: 0,
    context: LOCAL_STAGE_CONTEXT,
    log: () => undefined,
  });
  try {
    const lambda = new LambdaClient(localClientConfig(cloud.edgeUrl));
    const functions: { name: string; codeBytes: number }[] = [];
    let marker: string | undefined;
    do {
      const page = await lambda.send(new ListFunctionsCommand({ Marker: marker }));
      for (const fn of page.Functions ?? []) {
        functions.push({ name: fn.FunctionName ?? '', codeBytes: fn.CodeSize ?? 0 });
      }
      marker = page.NextMarker;
    } while (marker !== undefined);
    for (const fn of functions) {
      // An empty event: most handlers refuse it, after their module has loaded, which is what is timed.
      await lambda.send(new InvokeCommand({ FunctionName: fn.name, Payload: Buffer.from('{}') }));
    }
    const answer = await fetch(`${cloud.edgeUrl}/_local/invocations`);
    const { invocations } = (await answer.json()) as { invocations: InvocationRecord[] };
    const bundles = functionBundleBytes(cloud.startup.assembly.dir);
    return functions.map((fn) => {
      const cold = invocations.find((record) => record.functionName === fn.name && record.cold);
      if (cold?.initDurationMs === undefined) throw new Error(`no cold start recorded for ${fn.name}`);
      const functionName = logicalName(fn.name);
      const bundleBytes = bundles.get(functionName);
      if (bundleBytes === undefined) throw new Error(`no index.js found for ${fn.name}`);
      return { functionName, bundleBytes, codeBytes: fn.codeBytes, initMs: cold.initDurationMs };
    });
  } finally {
    await cloud.stop();
  }
}

/** Per function: its sizes and the median of its cold starts over the rounds. */
async function measure(projectDir: string): Promise<Map<string, Measured>> {
  const rounds: ColdStart[][] = [];
  for (let round = 0; round < ROUNDS; round += 1) rounds.push(await coldStarts(projectDir));
  const byFunction = new Map<string, Measured>();
  for (const { functionName, bundleBytes, codeBytes } of rounds[0] ?? []) {
    const inits = rounds
      .map((round) => round.find((start) => start.functionName === functionName)?.initMs ?? Number.NaN)
      .sort((a, b) => a - b);
    byFunction.set(functionName, { bundleBytes, codeBytes, initMs: percentile(inits, 50) });
  }
  return byFunction;
}

/** `min / median / max` of `pick` over the functions. */
function spread(measured: Map<string, Measured>, pick: (m: Measured) => number): string {
  const values = [...measured.values()].map(pick).sort((a, b) => a - b);
  return `${values[0]?.toFixed(0)} / ${percentile(values, 50).toFixed(0)} / ${values.at(-1)?.toFixed(0)}`;
}

const kb = (bytes: number): string => (bytes / 1024).toFixed(0);

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const baselineDir = process.env.COLD_START_BASELINE;
  const baseline = baselineDir === undefined ? undefined : await measure(baselineDir);
  const current = await measure(PROJECT_DIR);

  const row = (label: string, measured: Map<string, Measured>): string =>
    `| ${label} | ${measured.size} | ${spread(measured, (m) => m.bundleBytes / 1024)} KB ` +
    `| ${spread(measured, (m) => m.codeBytes / 1024)} KB | ${spread(measured, (m) => m.initMs)} ms |`;
  console.log(`\nCold starts on the local cloud, median of ${ROUNDS} per function, one at a time:\n`);
  console.log(
    '| checkout | functions | index.js min / median / max | with its source map (CodeSize) | Init Duration min / median / max |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  if (baseline !== undefined) console.log(row(`baseline (${baselineDir})`, baseline));
  console.log(row('this checkout', current));

  console.log(
    `\n| function | index.js KB | Init Duration ms |${baseline ? ' baseline KB | baseline ms |' : ''}`,
  );
  console.log(`| --- | --- | --- |${baseline ? ' --- | --- |' : ''}`);
  for (const [name, now] of [...current].sort((a, b) => b[1].bundleBytes - a[1].bundleBytes)) {
    const before = baseline?.get(name);
    const was =
      baseline === undefined
        ? ''
        : ` ${before ? kb(before.bundleBytes) : '—'} | ${before ? before.initMs.toFixed(0) : '—'} |`;
    console.log(`| ${name} | ${kb(now.bundleBytes)} | ${now.initMs.toFixed(0)} |${was}`);
  }
  if (baseline !== undefined) {
    const ratio = (pick: (m: Measured) => number): string => {
      const ratios = [...current]
        .flatMap(([name, now]) => {
          const before = baseline.get(name);
          return before === undefined ? [] : [pick(now) / pick(before)];
        })
        .sort((a, b) => a - b);
      return percentile(ratios, 50).toFixed(2);
    };
    console.log(
      `\nthis checkout / baseline, median over functions: index.js ${ratio((m) => m.bundleBytes)}, ` +
        `Init Duration ${ratio((m) => m.initMs)}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
