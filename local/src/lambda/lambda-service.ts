/**
 * The local Lambda service: the registry of functions, sync and async invocation with AWS's retry and
 * throttling semantics, and the invocation history shown by `/_local/invocations`.
 *
 * Differences from AWS, on purpose:
 * - Async retries wait `asyncRetryBaseDelayMs` (default 1 s) then twice that, instead of ~1 min then ~2 min.
 * - A throttled async event is retried as soon as the function has capacity (AWS backs off from 1 s up
 *   to 5 min); like AWS it does not use up retry attempts and is bounded by the maximum event age.
 * - A published version runs the code directory and configuration `$LATEST` had when it was published;
 *   the directory is not copied (a cloud assembly's assets are named by their content, so they do not
 *   change under a version).
 * - Which version an alias with a routing config runs is drawn from `routingRandom` (seedable).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AwsServiceError, LOCAL_REGION, localArn } from '../aws-protocol';
import { BoundedLog } from '../cloud/bounded-log';
import type { InvocationTracer, TracingMode } from '../xray/lambda-invocation-tracer';
import { ConcurrencyPool, DEFAULT_ACCOUNT_CONCURRENCY } from './concurrency-pool';
import {
  checkAliasName,
  checkRouting,
  chooseVersion,
  newRevisionId,
  type AliasConfiguration,
  type AliasRouting,
} from './function-aliases';
import { ExecutionScheduler, type ExecutionSchedulerOptions } from './execution-scheduler';
import type { FunctionError, InvokeOptions, InvokeResult, LambdaInvoker } from './invoker';
import {
  FunctionThrottledError,
  FunctionWorkerPool,
  WorkerPoolClosedError,
  workerRuntimePath,
  type ExecutionResult,
  type InvocationRecord,
  type PoolStats,
} from './worker-pool';

export type { InvocationRecord } from './worker-pool';

export interface FunctionDefinition {
  readonly name: string;
  /** Defaults to the local account's `arn:aws:lambda:…:function:<name>`. */
  readonly arn?: string;
  /** The unpacked code (the template asset); plays `/var/task`. */
  readonly codeDir: string;
  /**
   * What identifies the code (the asset's content hash): code is compared by it, not by its folder, so
   * the same bundle in another cloud assembly is no change. @default the folder
   */
  readonly codeHash?: string;
  readonly handler: string;
  /** The function's own environment variables. */
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutSeconds?: number;
  readonly memorySize?: number;
  readonly reservedConcurrency?: number;
  /** e.g. `nodejs22.x`, the default. */
  readonly runtime?: string;
  /** `TracingConfig.Mode`. @default 'PassThrough' */
  readonly tracingMode?: TracingMode;
}

/** One line a function wrote (console, stdout, stderr), or the runtime wrote for it. */
export interface FunctionLogLine {
  readonly at: string;
  readonly functionName: string;
  readonly line: string;
}

export interface AsyncInvocationFailure {
  readonly requestId: string;
  /** As in Lambda's on-failure destination record. */
  readonly condition: 'RetriesExhausted' | 'EventAgeExceeded';
  readonly approximateInvokeCount: number;
  /** The last function error; absent when the event expired before it could run. */
  readonly error?: FunctionError;
}

export type AsyncFailureHandler = (
  functionName: string,
  event: unknown,
  failure: AsyncInvocationFailure,
) => void | Promise<void>;

export interface EventInvokeConfig {
  /** 0–2, default 2. */
  readonly maximumRetryAttempts?: number;
  /** 60–21600, default 21600 (6 h). */
  readonly maximumEventAgeInSeconds?: number;
  /** The function's DLQ or on-failure destination; defaults to the service's `onAsyncFailure`. */
  readonly onFailure?: AsyncFailureHandler;
}

/** What a fault-injection hook decides for one invocation. */
export type InvocationDecision =
  | 'proceed'
  | { readonly throw: FunctionError }
  | { readonly delayMs: number }
  /** Ends the attempt as the function's timeout would, after waiting it out, without running the handler. */
  | { readonly timeout: true };
/** Asked before each attempt: the function, its event, and the version that is about to run it. */
export type InvocationInterceptor = (
  functionName: string,
  event: unknown,
  executedVersion: string,
) => Promise<InvocationDecision>;

export interface LambdaServiceOptions {
  /** Added to every function's environment last, e.g. the `AWS_ENDPOINT_URL_*` of the local cloud. */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /** Defaults to stdout, prefixed with the function name. */
  readonly onLog?: (functionName: string, line: string) => void;
  readonly onAsyncFailure?: AsyncFailureHandler;
  /** First async retry delay; the second is twice this. Default 1000 ms (AWS: about a minute). */
  readonly asyncRetryBaseDelayMs?: number;
  /**
   * The account's concurrency limit: functions without reserved concurrency share what the others do
   * not reserve, and are throttled beyond it, as on AWS. @default 1000 (AWS's default)
   */
  readonly accountConcurrency?: number;
  /** The local machine's budgets: invocations running at once, memory of live environments. */
  readonly machine?: ExecutionSchedulerOptions;
  /** `host:port` of the local cloud's own endpoints, so a function waiting on them frees its slot. */
  readonly localEndpoints?: readonly string[];
  /** How long an idle execution environment stays warm. Default 5 min. */
  readonly idleTimeoutMs?: number;
  /** Invocation records kept. Default 500. */
  readonly historySize?: number;
  /** Lines of function output kept for `functionLogs()`. Default 5,000. */
  readonly functionLogSize?: number;
  /** Records X-Ray segments of every invocation and gives each its `_X_AMZN_TRACE_ID`. */
  readonly tracer?: InvocationTracer;
  /** Told of every invocation record as it is kept (the local cloud's Lambda metrics). */
  readonly onInvocationRecord?: (record: InvocationRecord) => void;
  /** Draws in [0, 1) that pick an alias's version when it routes to two. @default Math.random */
  readonly routingRandom?: () => number;
}

export interface InvocationDetails extends InvokeOptions {
  /** Version or alias, when not part of the function name. */
  readonly qualifier?: string;
  /** Decoded `X-Amz-Client-Context` JSON (sync invocations only, as in AWS). */
  readonly clientContextJson?: string;
}

/** A sync invocation as the Invoke API returns it. */
export interface RawInvocationResult {
  readonly requestId: string;
  readonly payloadJson: string;
  readonly functionError?: FunctionError;
  readonly executedVersion: string;
  readonly logs: readonly string[];
}

export interface RegisteredFunction {
  readonly definition: FunctionDefinition;
  /** The unqualified function ARN. */
  readonly arn: string;
  /** `$LATEST` or a published version's number. */
  readonly version: string;
  /** A published version's description. */
  readonly description: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  /** When it was registered, in the API's `2019-08-14T22:26:11.234+0000` form. */
  readonly lastModified: string;
  /** The bytes of its code directory, unzipped (AWS counts the uploaded zip). */
  readonly codeSize: number;
}

/** The payload of an invocation in both forms: the worker gets the JSON, hooks get the value. */
interface Payload {
  readonly json: string;
  readonly value: unknown;
}

/** `$LATEST` or a published version, with the execution environments that run it. */
interface RunnableVersion extends RegisteredFunction {
  readonly pool: FunctionWorkerPool;
  /** What a version published from it would freeze: code and configuration. */
  readonly fingerprint: string;
}

/** What outlives an update of the function's code or configuration. */
interface PublishedState {
  readonly versions: Map<string, RunnableVersion>;
  readonly aliases: Map<string, AliasConfiguration>;
  lastVersion: number;
}

interface FunctionEntry extends RunnableVersion {
  /** Shared by `$LATEST` and every version: reserved concurrency is the function's. */
  readonly concurrency: ConcurrencyPool;
  readonly published: PublishedState;
  eventInvokeConfig: EventInvokeConfig;
}

/** What one invocation runs: the function, the version chosen, and the qualifier the caller named. */
interface InvocationTarget {
  readonly entry: FunctionEntry;
  readonly version: RunnableVersion;
  readonly qualifier?: string;
}

/** What `UpdateAlias` may change; what it leaves out stays. */
export interface AliasUpdate {
  readonly functionVersion?: string;
  readonly additionalVersionWeights?: Readonly<Record<string, number>>;
  readonly description?: string;
  /** Only update the alias if its revision is still this one. */
  readonly revisionId?: string;
}

const DEFAULT_RUNTIME = 'nodejs22.x';
const DEFAULT_MAX_RETRY_ATTEMPTS = 2;
const DEFAULT_MAX_EVENT_AGE_SECONDS = 21_600;
/** Lambda's payload limits: 6 MB for a synchronous invocation (`RequestResponse`), 1 MB for an asynchronous one. */
export const MAX_SYNC_REQUEST_BYTES = 6_291_456;
export const MAX_ASYNC_REQUEST_BYTES = 1_048_576;

/** Lambda's answer to a payload over `limitBytes`. */
export function requestTooLargeError(limitBytes: number): AwsServiceError {
  return new AwsServiceError(
    'RequestTooLargeException',
    `Request must be smaller than ${limitBytes} bytes for the InvokeFunction operation`,
    413,
  );
}

/** `name`, `name:qualifier`, `123456789012:function:name[:qualifier]` or a full ARN. */
export function parseFunctionIdentifier(identifier: string): { name: string; qualifier?: string } {
  const parts = identifier.split(':');
  let rest: string[];
  if (parts[0] === 'arn' && parts.length >= 7 && parts[5] === 'function') rest = parts.slice(6);
  else if (parts.length >= 3 && parts[1] === 'function') rest = parts.slice(2);
  else if (parts[0] === 'function') rest = parts.slice(1);
  else rest = parts;
  const [name, qualifier, ...extra] = rest;
  if (name === undefined || name === '' || extra.length > 0 || qualifier === '') {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value '${identifier}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
    );
  }
  return qualifier === undefined ? { name } : { name, qualifier };
}

function byteLengthOver(text: string, limit: number): boolean {
  return text.length * 3 > limit && Buffer.byteLength(text) > limit;
}

/** The default log sink: stdout, every line prefixed with the function name. */
function writePrefixed(functionName: string, line: string): void {
  process.stdout.write(`${line.replace(/^/gm, `[${functionName}] `)}\n`);
}

function delay(ms: number, timers: Set<NodeJS.Timeout>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resolve();
    }, ms);
    timer.unref();
    timers.add(timer);
  });
}

export class LambdaService implements LambdaInvoker {
  private readonly functions = new Map<string, FunctionEntry>();
  private readonly history: BoundedLog<InvocationRecord>;
  private readonly output: BoundedLog<FunctionLogLine>;
  private readonly timers = new Set<NodeJS.Timeout>();
  private interceptor: InvocationInterceptor | undefined;
  private pendingAsync = 0;
  private closed = false;
  /** The account's unreserved pool, shared by every function that reserves no concurrency. */
  private readonly unreserved: ConcurrencyPool;
  readonly scheduler: ExecutionScheduler;

  constructor(private readonly options: LambdaServiceOptions = {}) {
    this.history = new BoundedLog(options.historySize ?? 500);
    this.output = new BoundedLog(options.functionLogSize ?? 5_000);
    this.unreserved = new ConcurrencyPool(
      options.accountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY,
      'ConcurrentInvocationLimitExceeded',
    );
    this.scheduler = new ExecutionScheduler(options.machine);
  }

  /**
   * Adds a function, or updates one of the same name (as UpdateFunctionCode and
   * UpdateFunctionConfiguration do): `$LATEST` is replaced and shut down; published versions and
   * aliases stay.
   */
  register(definition: FunctionDefinition): RegisteredFunction {
    const previous = this.functions.get(definition.name);
    if (previous) void previous.pool.close();
    const concurrency =
      previous !== undefined && previous.definition.reservedConcurrency === definition.reservedConcurrency
        ? previous.concurrency
        : definition.reservedConcurrency === undefined
          ? this.unreserved
          : new ConcurrencyPool(
              definition.reservedConcurrency,
              'ReservedFunctionConcurrentInvocationLimitExceeded',
            );
    const entry: FunctionEntry = {
      ...this.runnable(definition, '$LATEST', '', concurrency),
      concurrency,
      published: previous?.published ?? { versions: new Map(), aliases: new Map(), lastVersion: 0 },
      eventInvokeConfig: previous?.eventInvokeConfig ?? {},
    };
    this.functions.set(definition.name, entry);
    this.unreserved.setLimit(
      (this.options.accountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY) -
        [...this.functions.values()].reduce(
          (sum, { definition: d }) => sum + (d.reservedConcurrency ?? 0),
          0,
        ),
    );
    return entry;
  }

  /** Whether `definition` differs from the function of its name (or is new): its `$LATEST`, its concurrency. */
  differsFromLatest(definition: FunctionDefinition): boolean {
    const current = this.functions.get(definition.name);
    return (
      current?.fingerprint !== fingerprintOf(definition) ||
      current.definition.reservedConcurrency !== definition.reservedConcurrency
    );
  }

  /** The code folders of every function's `$LATEST` and published versions. */
  codeDirectories(): string[] {
    return [...this.functions.values()].flatMap((entry) => [
      entry.definition.codeDir,
      ...[...entry.published.versions.values()].map((version) => version.definition.codeDir),
    ]);
  }

  /** The registered functions, in registration order. */
  list(): RegisteredFunction[] {
    return [...this.functions.values()];
  }

  /**
   * Looks a function up by name or ARN, and the version a qualifier names (an alias: the version it
   * points at); throws ResourceNotFoundException as AWS does.
   */
  resolve(identifier: string, qualifier?: string): RegisteredFunction {
    const { entry, qualifier: named } = this.entryAndQualifier(identifier, qualifier);
    if (named === undefined) return entry;
    const alias = entry.published.aliases.get(named);
    return this.version(entry, alias === undefined ? named : alias.functionVersion);
  }

  /**
   * Publishes `$LATEST` as a new version (PublishVersion). Nothing changed since the last version: that
   * version is returned, as on AWS.
   */
  publishVersion(identifier: string, description = ''): RegisteredFunction {
    const entry = this.entryAndQualifier(identifier).entry;
    const versions = entry.published.versions;
    const last = versions.get(String(entry.published.lastVersion));
    if (last !== undefined && last.fingerprint === entry.fingerprint) return last;
    const version = String(++entry.published.lastVersion);
    const published = this.runnable(entry.definition, version, description, entry.concurrency);
    versions.set(version, published);
    return published;
  }

  /** `$LATEST` and the published versions, oldest first (ListVersionsByFunction). */
  listVersions(identifier: string): RegisteredFunction[] {
    const entry = this.entryAndQualifier(identifier).entry;
    return [entry, ...entry.published.versions.values()];
  }

  createAlias(identifier: string, name: string, routing: AliasRouting, description = ''): AliasConfiguration {
    const entry = this.entryAndQualifier(identifier).entry;
    checkAliasName(name);
    if (entry.published.aliases.has(name)) {
      throw new AwsServiceError(
        'ResourceConflictException',
        `Alias already exists: ${entry.arn}:${name}`,
        409,
      );
    }
    this.checkRoutingOf(entry, routing);
    const alias: AliasConfiguration = { name, description, revisionId: newRevisionId(), ...routing };
    entry.published.aliases.set(name, alias);
    return alias;
  }

  getAlias(identifier: string, name: string): AliasConfiguration {
    const entry = this.entryAndQualifier(identifier).entry;
    const alias = entry.published.aliases.get(name);
    if (alias === undefined) {
      throw new AwsServiceError('ResourceNotFoundException', `Alias not found: ${entry.arn}:${name}`, 404);
    }
    return alias;
  }

  /** The function's aliases, or those that route to `functionVersion`. */
  listAliases(identifier: string, functionVersion?: string): AliasConfiguration[] {
    const entry = this.entryAndQualifier(identifier).entry;
    return [...entry.published.aliases.values()].filter(
      (alias) =>
        functionVersion === undefined ||
        alias.functionVersion === functionVersion ||
        functionVersion in alias.additionalVersionWeights,
    );
  }

  updateAlias(identifier: string, name: string, update: AliasUpdate): AliasConfiguration {
    const current = this.getAlias(identifier, name);
    const entry = this.entryAndQualifier(identifier).entry;
    if (update.revisionId !== undefined && update.revisionId !== current.revisionId) {
      throw new AwsServiceError(
        'PreconditionFailedException',
        'The Revision Id provided does not match the latest Revision Id. Call the GetAlias API to retrieve the latest Revision Id',
        412,
      );
    }
    const routing: AliasRouting = {
      functionVersion: update.functionVersion ?? current.functionVersion,
      additionalVersionWeights: update.additionalVersionWeights ?? current.additionalVersionWeights,
    };
    this.checkRoutingOf(entry, routing);
    const alias: AliasConfiguration = {
      name,
      description: update.description ?? current.description,
      revisionId: newRevisionId(),
      ...routing,
    };
    entry.published.aliases.set(name, alias);
    return alias;
  }

  deleteAlias(identifier: string, name: string): void {
    this.getAlias(identifier, name);
    this.entryAndQualifier(identifier).entry.published.aliases.delete(name);
  }

  async invoke(functionName: string, event: unknown, options: InvokeOptions): Promise<InvokeResult> {
    const result = await this.invokeJson(
      functionName,
      { json: JSON.stringify(event) ?? 'null', value: event },
      options,
    );
    return {
      payload: JSON.parse(result.payloadJson) as unknown,
      ...(result.functionError ? { functionError: result.functionError } : {}),
    };
  }

  /** A sync invocation with the payload as JSON text, as the Invoke API receives and returns it. */
  async invokeRaw(
    functionName: string,
    eventJson: string,
    event: unknown,
    details: InvocationDetails,
  ): Promise<RawInvocationResult> {
    return this.invokeJson(functionName, { json: eventJson, value: event }, details);
  }

  async invokeAsync(functionName: string, event: unknown, options: InvokeOptions): Promise<void> {
    this.acceptAsync(functionName, { json: JSON.stringify(event) ?? 'null', value: event }, options);
  }

  /** An Event invocation with the payload as JSON text; resolves once queued, with the request id. */
  invokeAsyncRaw(
    functionName: string,
    eventJson: string,
    event: unknown,
    details: InvocationDetails,
  ): string {
    return this.acceptAsync(functionName, { json: eventJson, value: event }, details);
  }

  /**
   * Updates the function's async settings (as UpdateFunctionEventInvokeConfig does): fields left
   * undefined keep their current value, so a DLQ and an EventInvokeConfig can be applied one after the other.
   */
  setEventInvokeConfig(functionName: string, config: EventInvokeConfig): void {
    const entry = this.entryAndQualifier(functionName).entry;
    const defined = Object.entries(config).filter(([, value]) => value !== undefined);
    entry.eventInvokeConfig = { ...entry.eventInvokeConfig, ...Object.fromEntries(defined) };
  }

  /** Fault injection: consulted before every invocation attempt; `undefined` removes it. */
  setInvocationInterceptor(interceptor: InvocationInterceptor | undefined): void {
    this.interceptor = interceptor;
  }

  /** The most recent invocation records, oldest first, and how many older ones were dropped. */
  invocations(): InvocationRecord[] {
    return this.history.items();
  }

  get invocationsEvicted(): number {
    return this.history.evicted;
  }

  /** The most recent lines of function output, oldest first, and how many older ones were dropped. */
  functionLogs(): { readonly lines: FunctionLogLine[]; readonly evicted: number } {
    return { lines: this.output.items(), evicted: this.output.evicted };
  }

  /** The counters of `$LATEST`'s environments, or of the version a qualifier names. */
  stats(functionName: string, qualifier?: string): PoolStats {
    const { entry, qualifier: named } = this.entryAndQualifier(functionName, qualifier);
    return (named === undefined ? entry : this.version(entry, named)).pool.stats();
  }

  /** Async events accepted and not yet finished (succeeded, or handed to the failure handler). */
  asyncPending(): number {
    return this.pendingAsync;
  }

  /** Terminates every execution environment and drops queued async events. */
  async close(): Promise<void> {
    this.closed = true;
    this.timers.forEach((timer) => clearTimeout(timer));
    this.timers.clear();
    this.pendingAsync = 0;
    await Promise.all(
      [...this.functions.values()].flatMap((entry) => [
        entry.pool.close(),
        ...[...entry.published.versions.values()].map((version) => version.pool.close()),
      ]),
    );
  }

  /** The environments of `version` of a function, not yet started. */
  private runnable(
    definition: FunctionDefinition,
    version: string,
    description: string,
    concurrency: ConcurrencyPool,
  ): RunnableVersion {
    const arn = definition.arn ?? localArn('lambda', `function:${definition.name}`);
    const runtime = definition.runtime ?? DEFAULT_RUNTIME;
    const timeoutSeconds = definition.timeoutSeconds ?? 3;
    const memorySize = definition.memorySize ?? 128;
    const sink = this.options.onLog ?? writePrefixed;
    const onLog = (functionName: string, line: string): void => {
      this.output.push({ at: new Date().toISOString(), functionName, line });
      sink(functionName, line);
    };
    const pool = new FunctionWorkerPool({
      name: definition.name,
      arn,
      version,
      codeDir: definition.codeDir,
      handler: definition.handler,
      env: this.environmentOf(definition, runtime, memorySize, version),
      timeoutSeconds,
      memorySize,
      concurrency,
      scheduler: this.scheduler,
      localEndpoints: this.options.localEndpoints ?? [],
      idleTimeoutMs: this.options.idleTimeoutMs,
      onLog: (line) => onLog(definition.name, line),
      onInvocationRecord: (record) => this.record(record),
      ...(this.options.tracer === undefined ? {} : { tracer: this.options.tracer }),
      ...(definition.tracingMode === undefined ? {} : { tracingMode: definition.tracingMode }),
    });
    return {
      definition,
      arn,
      version,
      description,
      runtime,
      timeoutSeconds,
      memorySize,
      lastModified: new Date().toISOString().replace('Z', '+0000'),
      codeSize: directoryBytes(definition.codeDir),
      pool,
      fingerprint: fingerprintOf(definition),
    };
  }

  private version(entry: FunctionEntry, version: string): RunnableVersion {
    const found = version === '$LATEST' ? entry : entry.published.versions.get(version);
    if (found === undefined) {
      throw new AwsServiceError(
        'ResourceNotFoundException',
        `Function not found: ${entry.arn}:${version}`,
        404,
      );
    }
    return found;
  }

  private checkRoutingOf(entry: FunctionEntry, routing: AliasRouting): void {
    checkRouting(
      routing,
      (version) => version === '$LATEST' || entry.published.versions.has(version),
      (version) => `${entry.arn}:${version}`,
    );
  }

  private environmentOf(
    definition: FunctionDefinition,
    runtime: string,
    memorySize: number,
    version: string,
  ): Record<string, string> {
    return {
      ...definition.env,
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_LAMBDA_FUNCTION_NAME: definition.name,
      AWS_LAMBDA_FUNCTION_VERSION: version,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memorySize),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${definition.name}`,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      // Fake credentials: the local endpoints accept any signature.
      AWS_ACCESS_KEY_ID: 'ASIALOCALCLOUDKEY000',
      AWS_SECRET_ACCESS_KEY: 'local-cloud-secret-access-key',
      AWS_SESSION_TOKEN: 'local-cloud-session-token',
      AWS_EXECUTION_ENV: `AWS_Lambda_${runtime}`,
      LAMBDA_TASK_ROOT: definition.codeDir,
      LAMBDA_RUNTIME_DIR: path.dirname(workerRuntimePath()),
      _HANDLER: definition.handler,
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      // NODE_OPTIONS stays in: the pool reads --enable-source-maps from it and never hands it to a worker.
      ...this.options.extraEnv,
    };
  }

  /** The function and the qualifier named (in the identifier or apart; `$LATEST` named none). */
  private entryAndQualifier(
    identifier: string,
    explicitQualifier?: string,
  ): { entry: FunctionEntry; qualifier?: string } {
    const { name, qualifier: derived } = parseFunctionIdentifier(identifier);
    if (explicitQualifier !== undefined && derived !== undefined && explicitQualifier !== derived) {
      throw new AwsServiceError(
        'InvalidParameterValueException',
        'The derived qualifier from the function name does not match the specified qualifier.',
      );
    }
    const qualifier = explicitQualifier ?? derived;
    const entry = this.functions.get(name);
    const known =
      entry !== undefined &&
      (qualifier === undefined ||
        qualifier === '$LATEST' ||
        entry.published.versions.has(qualifier) ||
        entry.published.aliases.has(qualifier));
    if (!entry || !known) {
      const arn = localArn('lambda', `function:${name}${qualifier === undefined ? '' : `:${qualifier}`}`);
      throw new AwsServiceError('ResourceNotFoundException', `Function not found: ${arn}`, 404);
    }
    return qualifier === undefined || qualifier === '$LATEST' ? { entry } : { entry, qualifier };
  }

  /** What one invocation runs: an alias's version is drawn per invocation, by its weights. */
  private target(identifier: string, explicitQualifier?: string): InvocationTarget {
    const { entry, qualifier } = this.entryAndQualifier(identifier, explicitQualifier);
    if (qualifier === undefined) return { entry, version: entry };
    const alias = entry.published.aliases.get(qualifier);
    const version =
      alias === undefined ? qualifier : chooseVersion(alias, (this.options.routingRandom ?? Math.random)());
    return { entry, version: this.version(entry, version), qualifier };
  }

  private async invokeJson(
    functionName: string,
    payload: Payload,
    details: InvocationDetails,
  ): Promise<RawInvocationResult> {
    const target = this.target(functionName, details.qualifier);
    if (byteLengthOver(payload.json, MAX_SYNC_REQUEST_BYTES)) {
      throw requestTooLargeError(MAX_SYNC_REQUEST_BYTES);
    }
    const result = await this.execute(target, payload, randomUUID(), details);
    return {
      requestId: result.requestId,
      payloadJson: result.payloadJson,
      ...(result.functionError ? { functionError: result.functionError } : {}),
      executedVersion: target.version.version,
      logs: result.logs,
    };
  }

  /** One attempt, through the interceptor when one is set. */
  private async execute(
    target: InvocationTarget,
    payload: Payload,
    requestId: string,
    details: InvocationDetails,
  ): Promise<ExecutionResult> {
    const { entry, version } = target;
    const invokedFunctionArn =
      target.qualifier === undefined ? entry.arn : `${entry.arn}:${target.qualifier}`;
    const request = {
      requestId,
      trigger: details.trigger,
      invokedFunctionArn,
      traceId: details.traceHeader,
      clientContextJson: details.clientContextJson,
      ...(details.signal === undefined ? {} : { signal: details.signal }),
      ...(details.interactive === undefined ? {} : { interactive: details.interactive }),
    };
    if (this.interceptor) {
      const decision = await this.interceptor(entry.definition.name, payload.value, version.version);
      if (typeof decision === 'object' && 'throw' in decision)
        return this.injectFailure(target, request, decision.throw);
      if (typeof decision === 'object' && 'timeout' in decision) return this.injectTimeout(target, request);
      if (typeof decision === 'object') await delay(decision.delayMs, this.timers);
    }
    return version.pool.invoke(payload.json, request);
  }

  private injectFailure(
    target: InvocationTarget,
    request: { requestId: string; trigger: string },
    error: FunctionError,
    timing: { startedAt: string; durationMs: number; outcome: 'error' | 'timeout' } = {
      startedAt: new Date().toISOString(),
      durationMs: 0,
      outcome: 'error',
    },
  ): ExecutionResult {
    this.record({
      requestId: request.requestId,
      functionName: target.entry.definition.name,
      trigger: request.trigger,
      startedAt: timing.startedAt,
      durationMs: timing.durationMs,
      cold: false,
      outcome: timing.outcome,
      errorType: error.errorType,
      ...(target.qualifier === undefined ? {} : { qualifier: target.qualifier }),
      executedVersion: target.version.version,
    });
    return {
      requestId: request.requestId,
      payloadJson: JSON.stringify(error),
      functionError: error,
      cold: false,
      durationMs: timing.durationMs,
      logs: [],
    };
  }

  /** The caller waits the function's timeout, then gets the error and record a real timeout produces. */
  private async injectTimeout(
    target: InvocationTarget,
    request: { requestId: string; trigger: string },
  ): Promise<ExecutionResult> {
    const startedAt = new Date().toISOString();
    const durationMs = target.version.timeoutSeconds * 1000;
    await delay(durationMs, this.timers);
    const seconds = target.version.timeoutSeconds.toFixed(2);
    const error = {
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${request.requestId} Error: Task timed out after ${seconds} seconds`,
    };
    return this.injectFailure(target, request, error, { startedAt, durationMs, outcome: 'timeout' });
  }

  private acceptAsync(functionName: string, payload: Payload, details: InvocationDetails): string {
    const { entry, qualifier } = this.entryAndQualifier(functionName, details.qualifier);
    if (byteLengthOver(payload.json, MAX_ASYNC_REQUEST_BYTES)) {
      throw requestTooLargeError(MAX_ASYNC_REQUEST_BYTES);
    }
    const requestId = randomUUID();
    this.pendingAsync++;
    // Client context is dropped: Lambda passes it to synchronous invocations only.
    const asyncDetails: InvocationDetails = {
      trigger: details.trigger,
      ...(details.traceHeader === undefined ? {} : { traceHeader: details.traceHeader }),
      ...(qualifier === undefined ? {} : { qualifier }),
    };
    // The event outlives the request that sent it: it is nobody's urgent work.
    this.scheduler.detached(() =>
      setImmediate(() => {
        void this.runAsync(entry, payload, requestId, asyncDetails).finally(() => {
          if (!this.closed) this.pendingAsync--;
        });
      }),
    );
    return requestId;
  }

  /** Lambda's async invocation: retries on function errors, waits out throttling, then hands the event over. */
  private async runAsync(
    accepted: FunctionEntry,
    payload: Payload,
    requestId: string,
    details: InvocationDetails,
  ): Promise<void> {
    const name = accepted.definition.name;
    const config = accepted.eventInvokeConfig;
    const maxRetries = config.maximumRetryAttempts ?? DEFAULT_MAX_RETRY_ATTEMPTS;
    const expiresAt = Date.now() + (config.maximumEventAgeInSeconds ?? DEFAULT_MAX_EVENT_AGE_SECONDS) * 1000;
    const baseDelayMs = this.options.asyncRetryBaseDelayMs ?? 1000;
    let attempts = 0;
    let lastError: FunctionError | undefined;
    for (;;) {
      // A function registered again mid-retry runs its new code, as an update would in AWS; an alias
      // moved mid-retry, the version it points at now.
      const entry = this.functions.get(name);
      if (this.closed || entry === undefined) return;
      let target: InvocationTarget;
      try {
        target = this.target(name, details.qualifier);
      } catch (error) {
        process.stderr.write(`[${name}] async event ${requestId} dropped: ${String(error)}\n`);
        return;
      }
      if (Date.now() >= expiresAt) {
        return this.failAsync(entry, payload, {
          requestId,
          condition: 'EventAgeExceeded',
          attempts,
          lastError,
        });
      }
      let result: ExecutionResult;
      try {
        result = await this.execute(target, payload, requestId, details);
      } catch (error) {
        if (!(error instanceof FunctionThrottledError)) {
          // Shutdown or a failing interceptor: the event cannot be delivered.
          if (!(error instanceof WorkerPoolClosedError)) {
            process.stderr.write(`[${name}] async event ${requestId} dropped: ${String(error)}\n`);
          }
          return;
        }
        await target.version.pool.waitForCapacity(expiresAt - Date.now());
        continue;
      }
      attempts++;
      if (!result.functionError) return;
      lastError = result.functionError;
      if (attempts > maxRetries) {
        return this.failAsync(entry, payload, {
          requestId,
          condition: 'RetriesExhausted',
          attempts,
          lastError,
        });
      }
      const wait = baseDelayMs * 2 ** (attempts - 1);
      await delay(Math.min(wait, Math.max(0, expiresAt - Date.now())), this.timers);
    }
  }

  private async failAsync(
    entry: FunctionEntry,
    payload: Payload,
    outcome: {
      requestId: string;
      condition: AsyncInvocationFailure['condition'];
      attempts: number;
      lastError: FunctionError | undefined;
    },
  ): Promise<void> {
    const handler = entry.eventInvokeConfig.onFailure ?? this.options.onAsyncFailure;
    if (!handler) return;
    const failure: AsyncInvocationFailure = {
      requestId: outcome.requestId,
      condition: outcome.condition,
      approximateInvokeCount: outcome.attempts,
      ...(outcome.lastError ? { error: outcome.lastError } : {}),
    };
    try {
      await handler(entry.definition.name, payload.value, failure);
    } catch (error) {
      // A failing destination loses the event, as in AWS; say so rather than crash the service.
      process.stderr.write(`[${entry.definition.name}] async on-failure handler failed: ${String(error)}\n`);
    }
  }

  private record(record: InvocationRecord): void {
    this.history.push(record);
    this.options.onInvocationRecord?.(record);
  }
}

/** What a version published from `definition` would freeze: its code and its configuration. */
function fingerprintOf(definition: FunctionDefinition): string {
  return JSON.stringify([
    definition.codeHash ?? definition.codeDir,
    definition.handler,
    definition.env ?? {},
    definition.runtime ?? DEFAULT_RUNTIME,
    definition.timeoutSeconds ?? 3,
    definition.memorySize ?? 128,
    definition.tracingMode ?? 'PassThrough',
  ]);
}

/** The bytes of the files under `dir`, 0 when it cannot be read. */
function directoryBytes(dir: string): number {
  try {
    return fs
      .readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .reduce((sum, entry) => sum + fs.statSync(path.join(entry.parentPath, entry.name)).size, 0);
  } catch {
    return 0;
  }
}
