/** Small handler "bundles" written to a temp dir, standing in for the template's esbuild assets. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitUntil } from '../../../src/testing/eventually';

const INDEX_JS = `
const { randomUUID } = require('node:crypto');
const instance = randomUUID();
let invocations = 0;
console.log('initialising', instance);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

exports.echo = async (event) => ({ event, instance, invocations: ++invocations });

exports.noop = async () => 'ok';

exports.nothing = async () => undefined;

class OrderRejectedError extends Error {
  constructor(message) {
    super(message);
    this.name = 'OrderRejectedError';
  }
}
exports.throws = async () => {
  throw new OrderRejectedError('order 42 was rejected');
};

exports.slow = async (event) => {
  await sleep(event.ms);
  return { slept: event.ms, instance };
};

// A request guarded by a long timer (as SDKs and fetch wrappers do), then a sleep.
exports.guardedRequest = async (event) => {
  const guard = setTimeout(() => undefined, 5000);
  let status;
  if (event.viaFetch) {
    const response = await fetch(event.url);
    await response.text();
    status = response.status;
  } else {
    status = await new Promise((resolve, reject) => {
      require('node:http')
        .get(event.url, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode));
        })
        .on('error', reject);
    });
  }
  clearTimeout(guard);
  await require('node:timers/promises').setTimeout(event.thenSleepMs);
  return { status };
};

exports.callback = (event, context, callback) => {
  setTimeout(() => callback(null, { viaCallback: event.value }), 1);
};

exports.callbackError = (event, context, callback) => {
  callback(new TypeError('callback failure'));
};

exports.inspect = async (event, context) => {
  const firstRemaining = context.getRemainingTimeInMillis();
  await sleep(30);
  const secondRemaining = context.getRemainingTimeInMillis();
  const env = {};
  for (const key of event.envKeys ?? []) env[key] = process.env[key] ?? null;
  return {
    context: {
      functionName: context.functionName,
      functionVersion: context.functionVersion,
      invokedFunctionArn: context.invokedFunctionArn,
      memoryLimitInMB: context.memoryLimitInMB,
      awsRequestId: context.awsRequestId,
      logGroupName: context.logGroupName,
      logStreamName: context.logStreamName,
      callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
    },
    remaining: [firstRemaining, secondRemaining],
    env,
    cwd: process.cwd(),
    clientContext: context.clientContext ?? null,
  };
};

exports.logs = async (event) => {
  console.log('order', event.id);
  console.warn('careful');
  console.error('failed', { id: event.id });
  process.stdout.write('raw stdout line\\n');
  return 'logged';
};

exports.exits = async () => {
  process.exit(2);
};

exports.hogsMemory = async () => {
  const hog = [];
  for (;;) hog.push(new Array(100000).fill({ value: Math.random() }));
};
`;

const ESM_HANDLER_MJS = `
export const handler = async (event) => ({ esm: true, event, fileUrl: import.meta.url.startsWith('file:') });
`;

const NESTED_JS = `
exports.orders = { main: async () => ({ nested: true }) };
`;

export interface HandlerBundles {
  readonly codeDir: string;
  remove(): void;
}

/** Writes `index.js` (many handlers), `esm/handler.mjs` and `src/handlers/orders.js` into a fresh dir. */
export function writeHandlerBundles(): HandlerBundles {
  const codeDir = mkdtempSync(path.join(os.tmpdir(), 'lambda-handlers-'));
  writeFileSync(path.join(codeDir, 'index.js'), INDEX_JS);
  mkdirSync(path.join(codeDir, 'esm'));
  writeFileSync(path.join(codeDir, 'esm', 'handler.mjs'), ESM_HANDLER_MJS);
  mkdirSync(path.join(codeDir, 'src', 'handlers'), { recursive: true });
  writeFileSync(path.join(codeDir, 'src', 'handlers', 'orders.js'), NESTED_JS);
  return { codeDir, remove: () => rmSync(codeDir, { recursive: true, force: true }) };
}

/** Polls `read` until `accept` holds or the deadline passes (no fixed sleeps in tests). */
export async function eventually<T>(
  read: () => T,
  accept: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  let value = read();
  await waitUntil(() => accept((value = read())), { timeoutMs, what: 'the awaited value' });
  return value;
}
