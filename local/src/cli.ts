import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { RedeployReport } from './cloud/redeploy';
import { LocalCloud } from './local-cloud';
import { assertJavaAvailable, JavaMissingError } from './java-runtime';

const USAGE = `Usage: local-cloud <command> [options]

Runs a synthesized AWS CDK app on local engines: DynamoDB Local, Lambda functions in worker
threads, API Gateway, EventBridge, SQS, Step Functions and an X-Ray daemon.

Commands:
  start              synthesize the app of the current folder and run it (the default)
  deploy             synthesize the app again and deploy what changed into the running local cloud:
                     updated functions, new versions, aliases moved (by CodeDeploy where the alias's
                     update policy says so), changed alarms; what a restart applies is listed
  check              exit 0 when this machine can run the local cloud (Java 17+), else say what to install
  help               show this text

Options of start:
  --port <n>         API and /_local endpoints (default: $PORT or 3000)
  --edge-port <n>    one endpoint for every AWS API, like LocalStack's (default: $EDGE_PORT or 4566)
  --persist <dir>    keep DynamoDB data in <dir> between runs (default: in memory)
  --dynamodb-endpoint <url>
                     use this running DynamoDB Local instead of starting one (it is not stopped)
  --app <command>    the CDK app command (default: "app" in cdk.json)
  --api <name>       the REST API served at / (default: "local-cloud:default-api" in cdk.json, else the first)
  -c, --context <key=value>
                     a CDK context value over cdk.json's, as with "cdk synth -c" (repeatable)
  --fresh            synthesize the app even when its inputs did not change since the last start

Options of deploy:
  --port <n>         the running local cloud's API port (default: $PORT or 3000)
  -c, --context <key=value>
                     a CDK context value over those the cloud started with (repeatable)
  --wait             wait until each CodeDeploy deployment it started ends, printing its progress

The synthesized cloud assembly is kept in .local/assemblies under a hash of the app's inputs (the
files "watch" of cdk.json names, as "cdk watch" reads it, cdk.json, the lockfile, the context): a
start after no change skips synthesis.`;

function defaultApiFromCdkJson(projectDir: string): string | undefined {
  const cdkJson = path.join(projectDir, 'cdk.json');
  if (!fs.existsSync(cdkJson)) return undefined;
  const context = (JSON.parse(fs.readFileSync(cdkJson, 'utf8')) as { context?: Record<string, unknown> })
    .context;
  const name = context?.['local-cloud:default-api'];
  return typeof name === 'string' ? name : undefined;
}

/** `key=value` pairs as the CDK CLI reads them: values stay strings. */
function contextValues(pairs: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals < 1) throw new UsageError(`--context takes key=value, not "${pair}".`);
    context[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return context;
}

/** How long a stop may take before the process exits regardless. */
const STOP_DEADLINE_MS = 15_000;

class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

async function start(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      port: { type: 'string' },
      'edge-port': { type: 'string' },
      persist: { type: 'string' },
      'dynamodb-endpoint': { type: 'string' },
      app: { type: 'string' },
      api: { type: 'string' },
      context: { type: 'string', short: 'c', multiple: true },
      fresh: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  assertJavaAvailable();
  // Lambda runs Node.js 22; the SDK's warning about this machine's Node.js is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const projectDir = process.cwd();
  const cloud = await LocalCloud.start({
    projectDir,
    appCommand: values.app,
    context: contextValues(values.context ?? []),
    defaultApiName: values.api ?? defaultApiFromCdkJson(projectDir),
    port: Number(values.port ?? process.env.PORT ?? 3000),
    edgePort: Number(values['edge-port'] ?? process.env.EDGE_PORT ?? 4566),
    persistDir: values.persist ? path.resolve(values.persist) : undefined,
    dynamoDbEndpoint: values['dynamodb-endpoint'],
    fresh: values.fresh ?? false,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`${cloud.banner()}\nReady. Ctrl-C to stop.\n`);

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      // A second Ctrl-C does not wait: the exit hooks still kill DynamoDB Local's JVM.
      process.stderr.write(`${signal} again: exiting now.\n`);
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the local cloud…\n`);
    setTimeout(() => {
      process.stderr.write(`The local cloud did not stop within ${STOP_DEADLINE_MS / 1000} s: exiting.\n`);
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    cloud.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/** The statuses after which a CodeDeploy deployment changes no more. */
const FINAL_DEPLOYMENT_STATUSES = new Set(['Succeeded', 'Failed', 'Stopped']);

async function deploy(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      port: { type: 'string' },
      context: { type: 'string', short: 'c', multiple: true },
      wait: { type: 'boolean' },
    },
  });
  const apiUrl = `http://127.0.0.1:${Number(values.port ?? process.env.PORT ?? 3000)}`;
  const response = await fetch(`${apiUrl}/_local/deploy`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ context: contextValues(values.context ?? []) }),
  }).catch((error: unknown) => {
    throw new Error(
      `No local cloud answers at ${apiUrl} (start it with "local-cloud start"): ${String(error)}`,
    );
  });
  const body = (await response.json()) as RedeployReport & { message?: string };
  if (!response.ok) throw new Error(`The deployment failed: ${body.message ?? response.status}`);
  const lines = [
    ...body.functionsUpdated.map((name) => `updated   ${name}`),
    ...body.versionsPublished.map((v) => `published ${v.functionName} version ${v.version}`),
    ...body.alarmsUpdated.map((name) => `alarm     ${name}`),
    ...body.aliases.map(
      (a) =>
        `alias     ${a.functionName}:${a.aliasName} ${a.fromVersion} → ${a.toVersion}` +
        (a.deploymentId === undefined ? ' (at once)' : ` (CodeDeploy ${a.deploymentId})`),
    ),
    ...body.notApplied.map((line) => `not applied (restart to apply): ${line}`),
  ];
  process.stdout.write(`${lines.length === 0 ? 'Nothing changed.' : lines.join('\n')}\n`);
  if (!values.wait) return;
  const { edgeUrl } = (await (await fetch(`${apiUrl}/_local/health`)).json()) as { edgeUrl: string };
  const outcomes = await Promise.all(
    body.aliases.flatMap((alias) =>
      alias.deploymentId === undefined ? [] : [followDeployment(edgeUrl, alias.deploymentId)],
    ),
  );
  if (outcomes.some((status) => status !== 'Succeeded')) process.exitCode = 1;
}

/** Polls `GetDeployment` on the edge until the deployment ends, printing each status it passes. */
async function followDeployment(edgeUrl: string, deploymentId: string): Promise<string> {
  let last = '';
  for (;;) {
    const response = await fetch(edgeUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'CodeDeploy_20141006.GetDeployment',
      },
      body: JSON.stringify({ deploymentId }),
    });
    const { deploymentInfo } = (await response.json()) as {
      deploymentInfo: { status: string; errorInformation?: { message?: string } };
    };
    if (deploymentInfo.status !== last) {
      last = deploymentInfo.status;
      const reason = deploymentInfo.errorInformation?.message;
      process.stdout.write(`${deploymentId} ${last}${reason === undefined ? '' : `: ${reason}`}\n`);
    }
    if (FINAL_DEPLOYMENT_STATUSES.has(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const [first, ...rest] = argv;
  const command = first === undefined || first.startsWith('-') ? 'start' : first;
  const args = command === first ? rest : argv;
  switch (command) {
    case 'start':
      return start(args);
    case 'deploy':
      return deploy(args);
    case 'check':
      assertJavaAvailable();
      return;
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof JavaMissingError) {
    process.stderr.write(`\n${error.message}\n\n`);
  } else if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
  } else {
    process.stderr.write(
      process.argv[2] === 'deploy'
        ? `\n${error instanceof Error ? error.message : String(error)}\n`
        : `\nThe local cloud could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
