/**
 * The README's quick start, followed as written on a CDK app of its own: a folder with `cdk.json` and
 * the app's dependencies installed (the local cloud among its dev dependencies), then
 * `npx local-cloud start` in it, a request to its API and to the AWS endpoint, and Ctrl-C.
 *
 * The app is nothing like the project's: plain JavaScript, a function with inline code (no bundling),
 * a table and a REST API. Its `node_modules` is this repository's (where `cdk-local-cloud` is linked
 * as an installed package is), which stands for the app's own `npm install`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { localClientConfig } from '../../src/testing/client-config';
import { eventually } from '../../src/testing/eventually';

const REPOSITORY_NODE_MODULES = path.resolve(__dirname, '..', '..', '..', 'node_modules');

const APP = `
const { App, Stack, CfnOutput } = require('aws-cdk-lib');
const apigateway = require('aws-cdk-lib/aws-apigateway');
const dynamodb = require('aws-cdk-lib/aws-dynamodb');
const lambda = require('aws-cdk-lib/aws-lambda');

const app = new App();
const stack = new Stack(app, 'GreetingsStack');
const table = new dynamodb.Table(stack, 'Greetings', {
  partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
});
const fn = new lambda.Function(stack, 'Hello', {
  runtime: lambda.Runtime.NODEJS_20_X,
  handler: 'index.handler',
  environment: { TABLE_NAME: table.tableName },
  code: lambda.Code.fromInline(
    "exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ hello: event.queryStringParameters && event.queryStringParameters.name, table: process.env.TABLE_NAME }) });",
  ),
});
table.grantReadWriteData(fn);
const api = new apigateway.LambdaRestApi(stack, 'GreetingsApi', { handler: fn, restApiName: 'greetings' });
new CfnOutput(stack, 'ApiUrl', { value: api.url });
app.synth();
`;

interface Started {
  readonly child: ChildProcess;
  readonly output: () => string;
  /** How `npx` ended: a process group interrupted by Ctrl-C ends by SIGINT. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `npx local-cloud start` in `dir`, in a process group of its own, as a terminal runs it. */
function startInFolder(dir: string): Started {
  let output = '';
  const child = spawn('npx', ['local-cloud', 'start', '--port', '0', '--edge-port', '0'], {
    cwd: dir,
    detached: true,
    env: { ...process.env, AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

/** Those of `pids` that still run. */
function stillRunning(pids: readonly number[]): number[] {
  return pids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
}

describe('the quick start on any CDK app', () => {
  let appDir: string;
  let started: Started | undefined;

  beforeAll(() => {
    appDir = fs.mkdtempSync(path.join(os.tmpdir(), 'any-cdk-app-'));
    fs.writeFileSync(path.join(appDir, 'app.js'), APP);
    fs.writeFileSync(path.join(appDir, 'cdk.json'), JSON.stringify({ app: 'node app.js' }, null, 2));
    fs.writeFileSync(
      path.join(appDir, 'package.json'),
      JSON.stringify({ name: 'greetings', private: true, devDependencies: { 'cdk-local-cloud': '*' } }),
    );
    fs.symlinkSync(REPOSITORY_NODE_MODULES, path.join(appDir, 'node_modules'), 'dir');
  });

  afterAll(async () => {
    const group = started?.child.pid;
    if (group !== undefined && stillRunning([-group]).length > 0) process.kill(-group, 'SIGKILL');
    fs.rmSync(appDir, { recursive: true, force: true });
  });

  test('`npx local-cloud start` runs the app of cdk.json, serves its API and AWS APIs, and Ctrl-C stops it all', async () => {
    // Act: start, as the README says
    started = startInFolder(appDir);
    const banner = await eventually(
      async () => (started?.output().includes('Ready.') ? started.output() : undefined),
      {
        timeoutMs: 120_000,
        intervalMs: 100,
        what: `the banner (output so far: ${started.output()})`,
      },
    );
    const apiUrl = /API (http:\/\/127\.0\.0\.1:\d+)\//.exec(banner)?.[1];
    const edgeUrl = /AWS endpoint (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1];
    const greeting = await fetch(`${apiUrl}/?name=local`);
    const dynamodb = new DynamoDBClient(localClientConfig(edgeUrl ?? ''));
    const { TableNames = [] } = await dynamodb.send(new ListTablesCommand({}));
    dynamodb.destroy();
    const { memory } = (await (await fetch(`${apiUrl}/_local/machine`)).json()) as {
      memory: { localCloud: { pid: number }; dynamoDbLocal?: { pid: number } };
    };

    // Act: Ctrl-C reaches the whole process group, as in a terminal
    process.kill(-(started.child.pid ?? 0), 'SIGINT');
    const ended = await started.exited;
    const pids = [memory.localCloud.pid, memory.dynamoDbLocal?.pid ?? 0];
    const left = await eventually(async () => (stillRunning(pids).length === 0 ? [] : undefined), {
      timeoutMs: 20_000,
      what: `the local cloud (${pids.join(', ')}) to end`,
    });

    // Assess
    expect(banner).toContain('Stacks: GreetingsStack');
    expect(banner).toMatch(/Started in [\d.]+ s: synthesis/);
    expect(greeting.status).toBe(200);
    expect(await greeting.json()).toEqual({
      hello: 'local',
      table: expect.stringMatching(/^GreetingsStack-Greetings/),
    });
    expect(TableNames).toEqual([expect.stringMatching(/^GreetingsStack-Greetings/)]);
    expect(ended.code === 0 || ended.signal === 'SIGINT').toBe(true);
    expect(started.output()).toContain('SIGINT: stopping the local cloud');
    // Nothing is left running: neither the local cloud nor DynamoDB Local's JVM.
    expect(memory.dynamoDbLocal?.pid).toEqual(expect.any(Number));
    expect(left).toEqual([]);
  }, 180_000);

  test('a second start after no change keeps the assembly: no synthesis', async () => {
    // Act
    started = startInFolder(appDir);
    const banner = await eventually(
      async () => (started?.output().includes('Ready.') ? started.output() : undefined),
      {
        timeoutMs: 120_000,
        intervalMs: 100,
        what: 'the banner',
      },
    );
    process.kill(-(started.child.pid ?? 0), 'SIGINT');
    const ended = await started.exited;

    // Assess
    expect(banner).toMatch(/Started in [\d.]+ s: assembly unchanged/);
    expect(ended.code === 0 || ended.signal === 'SIGINT').toBe(true);
    expect(fs.readdirSync(path.join(appDir, '.local', 'assemblies'))).toHaveLength(1);
  }, 180_000);
});
