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
import { PROJECT_DIR } from '../support/shop-cloud';

interface ColdStart {
  readonly functionName: string;
  readonly codeBytes: number;
  readonly initMs: number;
}

interface InvocationRecord {
  readonly functionName: string;
  readonly cold: boolean;
  readonly initDurationMs?: number;
}

const ROUNDS = Number(process.env.COLD_START_ROUNDS ?? '3');

/** The logical part of a generated name (`ShopOrders-CreateOrderFunction1A2B-XYZ` → `ShopOrders-CreateOrderFunction`). */
function logicalName(functionName: string): string {
  const [stack, construct] = functionName.split('-');
  return `${stack}-${(construct ?? '').replace(/[A-F0-9]{8}$/, '')}`;
}

/** Starts the app in `projectDir`, cold-starts each function once, in turn, and stops. */
async function coldStarts(projectDir: string): Promise<ColdStart[]> {
  const cloud = await LocalCloud.start({ projectDir, port: 0, edgePort: 0, log: () => undefined });
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
    return functions.map((fn) => {
      const cold = invocations.find((record) => record.functionName === fn.name && record.cold);
      if (cold?.initDurationMs === undefined) throw new Error(`no cold start recorded for ${fn.name}`);
      return { functionName: logicalName(fn.name), codeBytes: fn.codeBytes, initMs: cold.initDurationMs };
    });
  } finally {
    await cloud.stop();
  }
}

/** Per function: its bundle's bytes and the median of its cold starts over the rounds. */
async function measure(projectDir: string): Promise<Map<string, { codeBytes: number; initMs: number }>> {
  const rounds: ColdStart[][] = [];
  for (let round = 0; round < ROUNDS; round += 1) rounds.push(await coldStarts(projectDir));
  const byFunction = new Map<string, { codeBytes: number; initMs: number }>();
  for (const { functionName, codeBytes } of rounds[0] ?? []) {
    const inits = rounds
      .map((round) => round.find((start) => start.functionName === functionName)?.initMs ?? Number.NaN)
      .sort((a, b) => a - b);
    byFunction.set(functionName, { codeBytes, initMs: percentile(inits, 50) });
  }
  return byFunction;
}

function summary(label: string, measured: Map<string, { codeBytes: number; initMs: number }>): string {
  const kb = [...measured.values()].map((m) => m.codeBytes / 1024).sort((a, b) => a - b);
  const init = [...measured.values()].map((m) => m.initMs).sort((a, b) => a - b);
  return (
    `| ${label} | ${measured.size} | ${kb[0]?.toFixed(0)} / ${percentile(kb, 50).toFixed(0)} / ${kb.at(-1)?.toFixed(0)} KB ` +
    `| ${init[0]?.toFixed(0)} / ${percentile(init, 50).toFixed(0)} / ${init.at(-1)?.toFixed(0)} ms |`
  );
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const baselineDir = process.env.COLD_START_BASELINE;
  const baseline = baselineDir === undefined ? undefined : await measure(baselineDir);
  const current = await measure(PROJECT_DIR);

  console.log(`\nCold starts on the local cloud, median of ${ROUNDS} per function, one at a time:\n`);
  console.log('| checkout | functions | bundle min / median / max | Init Duration min / median / max |');
  console.log('| --- | --- | --- | --- |');
  if (baseline !== undefined) console.log(summary(`baseline (${baselineDir})`, baseline));
  console.log(summary('this checkout', current));
  console.log(
    '\n| function | bundle KB | Init Duration ms |' + (baseline ? ' baseline KB | baseline ms |' : ''),
  );
  console.log('| --- | --- | --- |' + (baseline ? ' --- | --- |' : ''));
  for (const [name, { codeBytes, initMs }] of [...current].sort((a, b) => b[1].codeBytes - a[1].codeBytes)) {
    const before = baseline?.get(name);
    const was =
      baseline === undefined
        ? ''
        : ` ${before ? (before.codeBytes / 1024).toFixed(0) : '—'} | ${before ? before.initMs.toFixed(0) : '—'} |`;
    console.log(`| ${name} | ${(codeBytes / 1024).toFixed(0)} | ${initMs.toFixed(0)} |${was}`);
  }
  if (baseline !== undefined) {
    const ratios = (pick: (m: { codeBytes: number; initMs: number }) => number) =>
      [...current]
        .flatMap(([name, now]) => {
          const before = baseline.get(name);
          return before === undefined ? [] : [pick(now) / pick(before)];
        })
        .sort((a, b) => a - b);
    console.log(
      `\nthis checkout / baseline, median over functions: bundle ${percentile(
        ratios((m) => m.codeBytes),
        50,
      ).toFixed(2)}, ` +
        `Init Duration ${percentile(
          ratios((m) => m.initMs),
          50,
        ).toFixed(2)}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
