/**
 * The Lambda Node.js runtime as played inside one `worker_threads` Worker: one worker is one execution
 * environment. It loads the handler the way the AWS runtime interface client does, runs one invocation at
 * a time, builds the real `context` object, formats errors as Lambda does, and posts console output to the
 * parent instead of printing it.
 *
 * This file is bundled by esbuild (see `workerRuntimePath` in worker-pool.ts) because a worker cannot load
 * `.ts` sources: keep it free of imports other than Node built-ins and types.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import dns from 'node:dns';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import timers from 'node:timers';
import timersPromises from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { format, types } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { FunctionError } from './invoker';

/** `workerData` of an execution environment. Its environment variables come from the Worker's `env`. */
export interface WorkerStartData {
  readonly codeDir: string;
  /** `file.export`, e.g. `index.handler` or `src/handlers/orders.main.handler`. */
  readonly handler: string;
  readonly functionName: string;
  /** `$LATEST` or the published version's number (`context.functionVersion`). */
  readonly functionVersion: string;
  readonly memorySize: number;
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** The function's `NODE_OPTIONS` asked for `--enable-source-maps` (workers cannot take NODE_OPTIONS). */
  readonly enableSourceMaps: boolean;
  /** Requests to the local cloud's own endpoints (`host:port`) carry `callerToken` in `callerHeader`. */
  readonly callerHeader: string;
  readonly callerToken: string;
  readonly localEndpoints: readonly string[];
}

/** Parent → worker: run one invocation. */
export interface InvokeMessage {
  readonly id: number;
  readonly eventJson: string;
  /** Epoch milliseconds at which the function times out. */
  readonly deadlineMs: number;
  readonly requestId: string;
  readonly invokedFunctionArn: string;
  readonly traceId?: string;
  /** The decoded `X-Amz-Client-Context` JSON, if any. */
  readonly clientContextJson?: string;
}

/** Worker → parent. */
export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'init-error'; readonly error: FunctionError }
  | { readonly type: 'log'; readonly line: string }
  | ({ readonly type: 'result'; readonly id: number; readonly heapBytes: number } & (
      | { readonly ok: true; readonly payloadJson: string }
      | { readonly ok: false; readonly error: FunctionError }
    ))
  /** An uncaught exception or unhandled rejection: the environment is lost (AWS exits the runtime). */
  | { readonly type: 'crash'; readonly id: number | undefined; readonly error: FunctionError }
  /** Invocation `id` sleeps on a timer, nothing else pending (see `reportSleeps`), or has woken. */
  | { readonly type: 'sleeping' | 'awake'; readonly id: number };

/** The maximum synchronous response Lambda returns, in bytes. */
const MAX_RESPONSE_BYTES = 6_291_556;

export class ImportModuleError extends Error {
  constructor(cause: unknown) {
    super(String(cause));
    this.name = 'Runtime.ImportModuleError';
  }
}

export class HandlerNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Runtime.HandlerNotFound';
  }
}

export class MalformedHandlerNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Runtime.MalformedHandlerName';
  }
}

export class UserCodeSyntaxError extends Error {
  constructor(cause: SyntaxError) {
    super(`${cause.name}: ${cause.message}`);
    this.name = 'Runtime.UserCodeSyntaxError';
    if (cause.stack !== undefined) this.stack = cause.stack;
  }
}

export class UnhandledPromiseRejectionError extends Error {
  constructor(reason: unknown) {
    super(reason === undefined || reason === null ? String(reason) : errorToString(reason));
    this.name = 'Runtime.UnhandledPromiseRejection';
  }
}

function errorToString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** The error document Lambda returns for a failed invocation (the runtime client's `toRapidResponse`). */
export function formatError(error: unknown): FunctionError {
  try {
    if (isErrorLike(error)) {
      const name = error.name || error.constructor.name;
      return { errorType: name, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
    }
    return { errorType: typeof error, errorMessage: errorToString(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

function isErrorLike(value: unknown): value is Error {
  if (types.isNativeError(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { name?: unknown; message?: unknown; stack?: unknown };
  return (
    typeof candidate.name === 'string' &&
    typeof candidate.message === 'string' &&
    typeof candidate.stack === 'string'
  );
}

type Callback = (error?: unknown, result?: unknown) => void;
type Handler = (event: unknown, context: LambdaContext, callback: Callback) => unknown;

export interface LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly identity: undefined;
  readonly clientContext: unknown;
  getRemainingTimeInMillis(): number;
  done(error?: unknown, result?: unknown): void;
  succeed(result?: unknown): void;
  fail(error?: unknown): void;
}

/**
 * Splits `dir/file.export.path` into module root, module and export path, as the AWS runtime does (the
 * module name is the basename up to its first dot).
 */
export function parseHandler(fullHandler: string): {
  moduleRoot: string;
  moduleName: string;
  exportPath: string;
} {
  if (fullHandler.includes('..')) {
    throw new MalformedHandlerNameError(
      "'../' not allowed in handler name. Relative paths are not supported.",
    );
  }
  const handlerString = path.basename(fullHandler);
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(handlerString));
  const match = /^([^.]*)\.(.*)$/.exec(handlerString);
  if (!match || match[1] === undefined || match[2] === undefined) {
    throw new MalformedHandlerNameError('Bad handler');
  }
  return { moduleRoot, moduleName: match[1], exportPath: match[2] };
}

/** Whether the nearest package.json up to the code root says `"type": "module"`. */
function hasPackageJsonTypeModule(file: string, codeDir: string): boolean {
  const root = path.resolve(codeDir);
  let folder = path.dirname(file);
  for (;;) {
    if (folder.endsWith(`${path.sep}node_modules`)) return false;
    const packageJson = path.join(folder, 'package.json');
    if (existsSync(packageJson)) {
      try {
        return (JSON.parse(readFileSync(packageJson, 'utf8')) as { type?: unknown }).type === 'module';
      } catch {
        return false;
      }
    }
    // The code directory plays /var/task: nothing above it belongs to the function.
    const parent = path.dirname(folder);
    if (folder === root || parent === folder) return false;
    folder = parent;
  }
}

/** The AWS runtime's module lookup order: extensionless, `.js` (CommonJS), `.js`/`.mjs` as ESM, `.cjs`, then Node resolution. */
async function loadModule(codeDir: string, moduleRoot: string, moduleName: string): Promise<unknown> {
  const requireFromTask = createRequire(path.join(codeDir, '__lambda_task__.js'));
  const base = path.resolve(codeDir, moduleRoot, moduleName);
  const requireIfExists = (file: string): unknown => (existsSync(file) ? requireFromTask(file) : undefined);
  const importIfExists = async (file: string): Promise<unknown> =>
    existsSync(file) ? await import(pathToFileURL(file).href) : undefined;

  const extensionless = requireIfExists(base);
  if (extensionless !== undefined) return extensionless;
  const typeModule = hasPackageJsonTypeModule(base, codeDir);
  if (!typeModule) {
    const commonJs = requireIfExists(`${base}.js`);
    if (commonJs !== undefined) return commonJs;
  }
  const loaded =
    (typeModule ? await importIfExists(`${base}.js`) : undefined) ??
    (await importIfExists(`${base}.mjs`)) ??
    requireIfExists(`${base}.cjs`);
  if (loaded !== undefined) return loaded;
  return requireFromTask(
    requireFromTask.resolve(moduleName, { paths: [codeDir, path.join(codeDir, moduleRoot)] }),
  );
}

export async function loadHandler(codeDir: string, fullHandler: string): Promise<Handler> {
  const { moduleRoot, moduleName, exportPath } = parseHandler(fullHandler);
  let userApp: unknown;
  try {
    userApp = await loadModule(codeDir, moduleRoot, moduleName);
  } catch (error) {
    if (error instanceof SyntaxError) throw new UserCodeSyntaxError(error);
    if ((error as { code?: unknown } | null)?.code === 'MODULE_NOT_FOUND') throw new ImportModuleError(error);
    throw error;
  }
  const handler = exportPath.split('.').reduce<unknown>((nested, key) => {
    if (nested === null || nested === undefined) return undefined;
    return (nested as Record<string, unknown>)[key];
  }, userApp);
  if (handler === undefined || handler === null) {
    throw new HandlerNotFoundError(`${fullHandler} is undefined or not exported`);
  }
  if (typeof handler !== 'function') throw new HandlerNotFoundError(`${fullHandler} is not a function`);
  return handler as Handler;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Runs inside the worker: wires the parent port, console capture and crash reporting, then loads the handler. */
function startRuntime(port: NonNullable<typeof parentPort>, data: WorkerStartData): void {
  const post = (message: WorkerMessage): void => port.postMessage(message);
  // AWS prints `undefined` as the request id of lines logged outside an invocation (during init).
  let currentRequestId = 'undefined';
  let activeId: number | undefined;

  const emit = (line: string): void => post({ type: 'log', line });
  const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' };
  for (const [method, level] of Object.entries(levels)) {
    (console as unknown as Record<string, (...args: unknown[]) => void>)[method] = (...args: unknown[]) =>
      emit(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${format(...args)}`);
  }
  const flushers = [captureStream(process.stdout, emit), captureStream(process.stderr, emit)];
  const flush = (): void => flushers.forEach((flushStream) => flushStream());

  // A worker cannot chdir; Lambda's working directory is the task root.
  process.cwd = () => data.codeDir;
  const tag = tagRequestsToTheLocalCloud(data);
  const sleeps = reportSleeps((sleeping) => {
    if (activeId !== undefined) post({ type: sleeping ? 'sleeping' : 'awake', id: activeId });
  });
  observeNodeRequests((outgoing) => {
    tag(outgoing);
    sleeps.requestSent(outgoing);
  });
  resolveHostPrefixedLocalEndpoints(data.localEndpoints);
  if (data.enableSourceMaps) process.setSourceMapsEnabled(true);

  const crash = (error: unknown, exitCode: number, label: string): void => {
    const formatted = formatError(error);
    console.error(label, JSON.stringify(formatted));
    flush();
    post({ type: 'crash', id: activeId, error: formatted });
    process.exit(exitCode);
  };
  process.on('uncaughtException', (error) => crash(error, 129, 'Uncaught Exception'));
  process.on('unhandledRejection', (reason) =>
    crash(new UnhandledPromiseRejectionError(reason), 128, 'Unhandled Promise Rejection'),
  );

  const invoke = (handler: Handler, message: InvokeMessage): void => {
    activeId = message.id;
    sleeps.invocationStarted();
    currentRequestId = message.requestId;
    if (message.traceId === undefined) delete process.env._X_AMZN_TRACE_ID;
    else process.env._X_AMZN_TRACE_ID = message.traceId;

    let settled = false;
    const answer = (outcome: { ok: true; payloadJson: string } | { ok: false; error: FunctionError }): void =>
      post({ type: 'result', id: message.id, heapBytes: heapBytes(), ...outcome });
    const finish = (error: unknown, result?: unknown): void => {
      if (settled) return;
      settled = true;
      flush();
      sleeps.invocationEnded();
      activeId = undefined;
      if (error !== undefined && error !== null) {
        answer({ ok: false, error: formatError(error) });
        return;
      }
      let payloadJson: string;
      try {
        payloadJson = JSON.stringify(result) ?? 'null';
      } catch (serializationError) {
        answer({ ok: false, error: formatError(serializationError) });
        return;
      }
      if (
        payloadJson.length * 3 > MAX_RESPONSE_BYTES &&
        Buffer.byteLength(payloadJson) > MAX_RESPONSE_BYTES
      ) {
        const error = {
          errorType: 'Function.ResponseSizeTooLarge',
          errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
        };
        answer({ ok: false, error });
        return;
      }
      answer({ ok: true, payloadJson });
    };

    const context: LambdaContext = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: data.functionName,
      functionVersion: data.functionVersion,
      invokedFunctionArn: message.invokedFunctionArn,
      memoryLimitInMB: String(data.memorySize),
      awsRequestId: message.requestId,
      logGroupName: data.logGroupName,
      logStreamName: data.logStreamName,
      identity: undefined,
      clientContext:
        message.clientContextJson === undefined
          ? undefined
          : (JSON.parse(message.clientContextJson) as unknown),
      getRemainingTimeInMillis: () => Math.max(0, message.deadlineMs - Date.now()),
      done: (error, result) => finish(error, result),
      succeed: (result) => finish(null, result),
      fail: (error) => finish(error === undefined || error === null ? 'handled' : error),
    };

    try {
      const returned = handler(JSON.parse(message.eventJson) as unknown, context, finish);
      if (isPromiseLike(returned)) {
        returned.then(
          (result) => finish(null, result),
          (error: unknown) => finish(error ?? new Error(String(error))),
        );
      } else if (handler.length < 3) {
        // AWS answers a synchronous, callback-less handler with null once its event loop drains.
        finish(null, null);
      }
    } catch (error) {
      finish(error ?? new Error(String(error)));
    }
  };

  void (async () => {
    let handler: Handler;
    try {
      handler = await loadHandler(data.codeDir, data.handler);
    } catch (error) {
      const formatted = formatError(error);
      console.error('Uncaught Exception', JSON.stringify(formatted));
      flush();
      post({ type: 'init-error', error: formatted });
      return;
    }
    flush();
    port.on('message', (message: InvokeMessage) => invoke(handler, message));
    post({ type: 'ready' });
  })();
}

/** What this environment holds in memory: its heap, and buffers outside it. */
function heapBytes(): number {
  const heap = getHeapStatistics();
  return heap.total_physical_size + heap.external_memory + heap.malloced_memory;
}

/**
 * Requests the function sends to the local cloud's own endpoints (another API, the Invoke API) carry
 * the environment's token, so the local cloud knows this invocation is waiting on them and lets other
 * work run meanwhile. Both Node.js HTTP clients are covered: `fetch` through its diagnostics channel, and
 * `http.request` (the AWS SDK and most libraries) by the function returned, to call on each request.
 */
function tagRequestsToTheLocalCloud(data: WorkerStartData): (outgoing: http.ClientRequest) => void {
  if (data.localEndpoints.length === 0) return () => undefined;
  const endpoints = new Set(data.localEndpoints.map((endpoint) => endpoint.toLowerCase()));
  const isLocal = (host: unknown): boolean =>
    typeof host === 'string' && endpoints.has(withoutHostPrefix(host.toLowerCase(), endpoints));
  diagnosticsChannel.subscribe('undici:request:create', (message) => {
    const { request: outgoing } = message as {
      request: { origin: string; addHeader(name: string, value: string): void };
    };
    if (isLocal(new URL(outgoing.origin).host)) outgoing.addHeader(data.callerHeader, data.callerToken);
  });
  return (outgoing) => {
    if (isLocal(outgoing.getHeader('host'))) outgoing.setHeader(data.callerHeader, data.callerToken);
  };
}

/** Shows `observe` every request sent through `http` or `https` (`request` and `get`) before it is sent. */
function observeNodeRequests(observe: (outgoing: http.ClientRequest) => void): void {
  for (const client of [http, https] as const) {
    const request = client.request as typeof http.request;
    const observed = function (this: unknown, ...args: Parameters<typeof http.request>): http.ClientRequest {
      const outgoing = request.apply(this, args);
      observe(outgoing);
      return outgoing;
    } as typeof http.request;
    client.request = observed;
    // `get` calls the module's own `request`, and ends the request before returning it.
    client.get = function (this: unknown, ...args: Parameters<typeof http.get>): http.ClientRequest {
      const outgoing = observed.apply(this, args as Parameters<typeof http.request>);
      outgoing.end();
      return outgoing;
    } as typeof http.get;
  }
}

/** A timer this long or longer is a sleep (a backoff, a poll's pause); a shorter one is part of the work. */
export const SLEEP_MIN_MS = 50;

/**
 * Tells the local cloud when the invocation sleeps: it waits on a timer of at least `SLEEP_MIN_MS`, with
 * no shorter timer and no outgoing request pending — a poll's pause, a retry's backoff. It uses no core
 * meanwhile, so its slot among the machine's running invocations is free until the timer fires. Only
 * timers the function sets during the invocation count (`setTimeout` global or from `node:timers`,
 * `node:timers/promises`); the runtime's own are not seen.
 */
function reportSleeps(report: (sleeping: boolean) => void): {
  /** A request through `http`/`https`, pending until it closes. */
  requestSent(outgoing: http.ClientRequest): void;
  invocationStarted(): void;
  invocationEnded(): void;
} {
  const realSetTimeout = globalThis.setTimeout;
  const realClearTimeout = globalThis.clearTimeout;
  const realSetImmediate = globalThis.setImmediate;
  const realSleep = timersPromises.setTimeout;
  /** Timers of this invocation not fired or cleared yet: long (sleeps) and short (work). */
  const long = new Set<object>();
  const short = new Set<object>();
  let requestsInFlight = 0;
  let active = false;
  let asleep = false;
  let checkScheduled = false;

  const check = (): void => {
    checkScheduled = false;
    const sleeping = active && long.size > 0 && short.size === 0 && requestsInFlight === 0;
    if (sleeping === asleep) return;
    asleep = sleeping;
    report(sleeping);
  };
  // After the current callback and its microtasks: the function is then waiting, if it waits.
  const scheduleCheck = (): void => {
    if (checkScheduled || !active) return;
    checkScheduled = true;
    realSetImmediate(check);
  };
  const wake = (): void => {
    if (asleep) {
      asleep = false;
      report(false);
    }
    scheduleCheck();
  };
  const track = (timer: object, delay: unknown): void => {
    if (!active) return;
    (Number(delay) >= SLEEP_MIN_MS ? long : short).add(timer);
    scheduleCheck();
  };
  const fired = (timer: object): void => {
    if (long.delete(timer) || short.delete(timer)) wake();
  };

  const setTimeoutTracked = function (callback: unknown, delay?: unknown, ...args: unknown[]) {
    if (typeof callback !== 'function')
      return Reflect.apply(realSetTimeout, globalThis, [callback, delay, ...args]);
    const timer = Reflect.apply(realSetTimeout, globalThis, [
      (...callArgs: unknown[]) => {
        fired(timer);
        return Reflect.apply(callback, undefined, callArgs);
      },
      delay,
      ...args,
    ]) as NodeJS.Timeout;
    track(timer, delay);
    return timer;
  } as typeof setTimeout;
  const clearTimeoutTracked = function (timer: unknown) {
    const known =
      typeof timer === 'number'
        ? [...long, ...short].find((candidate) => Number(candidate) === timer)
        : timer;
    if (typeof known === 'object' && known !== null && (long.delete(known) || short.delete(known))) {
      scheduleCheck();
    }
    realClearTimeout(timer as NodeJS.Timeout);
  } as typeof clearTimeout;
  globalThis.setTimeout = setTimeoutTracked;
  globalThis.clearTimeout = clearTimeoutTracked;
  timers.setTimeout = setTimeoutTracked;
  timers.clearTimeout = clearTimeoutTracked;
  timersPromises.setTimeout = async function (delay?: number, ...rest: unknown[]) {
    const sleep = {};
    track(sleep, delay);
    try {
      return await Reflect.apply(realSleep, timersPromises, [delay, ...rest]);
    } finally {
      fired(sleep);
    }
  } as typeof timersPromises.setTimeout;
  syncBuiltinESMExports();

  // Outgoing requests: a function waiting on an answer is not asleep, whatever timers guard the request.
  const open = new WeakSet<object>();
  diagnosticsChannel.subscribe('undici:request:create', (message) => {
    open.add((message as { request: object }).request);
    requestsInFlight++;
    wake();
  });
  const ended = (message: unknown): void => {
    if (!open.delete((message as { request: object }).request)) return;
    requestsInFlight--;
    scheduleCheck();
  };
  diagnosticsChannel.subscribe('undici:request:trailers', ended);
  diagnosticsChannel.subscribe('undici:request:error', ended);

  return {
    requestSent: (outgoing) => {
      requestsInFlight++;
      wake();
      outgoing.once('close', () => {
        requestsInFlight--;
        scheduleCheck();
      });
    },
    invocationStarted: () => {
      active = true;
    },
    invocationEnded: () => {
      active = false;
      asleep = false;
      long.clear();
      short.clear();
    },
  };
}

/** An SDK's host prefix: one or more labels ending in `-` (`data-`, `sync-`), as the API models name them. */
const HOST_PREFIX = /^(?:[a-z0-9]+-)+/;

/** `data-127.0.0.1:4566` → `127.0.0.1:4566` when that is one of `names`; any other name unchanged. */
function withoutHostPrefix(name: string, names: ReadonlySet<string>): string {
  const unprefixed = name.replace(HOST_PREFIX, '');
  return unprefixed !== name && names.has(unprefixed) ? unprefixed : name;
}

/**
 * The AWS SDK sends some operations to a prefixed host (Cloud Map's `DiscoverInstances` to `data-<host>`,
 * Step Functions' `StartSyncExecution` to `sync-<host>`), which for a local endpoint such as `127.0.0.1`
 * resolves nowhere. Resolving the prefixed name of a local endpoint's host to that host lets a function's
 * unchanged client reach the local cloud; the request still names the prefixed host, as it would on AWS.
 */
function resolveHostPrefixedLocalEndpoints(localEndpoints: readonly string[]): void {
  // `127.0.0.1:4566` → `127.0.0.1` (`[::1]:4566` → `[::1]`, which no prefix can join).
  const hostnames = new Set(localEndpoints.map((endpoint) => endpoint.toLowerCase().replace(/:[0-9]+$/, '')));
  if (hostnames.size === 0) return;
  const lookup = dns.lookup;
  dns.lookup = function (this: unknown, hostname: unknown, ...rest: unknown[]): unknown {
    const name = typeof hostname === 'string' ? hostname.toLowerCase() : undefined;
    const local = name === undefined ? name : withoutHostPrefix(name, hostnames);
    return Reflect.apply(lookup, this, [local !== name ? local : hostname, ...rest]);
  } as typeof dns.lookup;
}

/** Routes a stream's writes to `emit`, one call per complete line; returns a flush for the partial tail. */
function captureStream(stream: NodeJS.WriteStream, emit: (line: string) => void): () => void {
  let pending = '';
  const write = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    const text =
      typeof chunk === 'string'
        ? chunk
        : Buffer.from(chunk as Uint8Array).toString(
            typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
          );
    const lines = (pending + text).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) emit(line);
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  };
  stream.write = write as NodeJS.WriteStream['write'];
  return () => {
    if (pending === '') return;
    emit(pending);
    pending = '';
  };
}

if (!isMainThread && parentPort) startRuntime(parentPort, workerData as WorkerStartData);
