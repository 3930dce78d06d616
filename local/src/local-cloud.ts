import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { type CloudAssembly, synthesize } from './assembly/cloud-assembly';
import { RestApiGateway } from './apigateway/rest-api-server';
import { buildRestApis, type RestApiModel } from './apigateway/rest-api-model';
import { listen, type RunningServer, sendJson } from './cloud/http-server';
import { supportOf, ACCEPTED_WITHOUT_EFFECT } from './cloud/resource-catalogue';
import { LocalTargetDispatcher } from './cloud/target-dispatcher';
import {
  type EventSourceHandle,
  loadEventBridge,
  loadEventSources,
  loadFunctions,
  loadQueues,
  loadStateMachines,
  type LoadedResource,
} from './cloud/loaders';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb/dynamodb-local';
import {
  provisionTable,
  unemulatedTableProperties,
  type TableProperties,
} from './dynamodb/table-provisioner';
import { isDynamoDbRequest, proxyToDynamoDb } from './edge/edge-server';
import { EventBridgeEngine } from './eventbridge/event-bus';
import { faultCatalogueOf } from './faults/fault-catalogue';
import { installFaultHooks } from './faults/fault-hooks';
import { FaultRegistry } from './faults/fault-registry';
import { FaultingTargetDispatcher } from './faults/faulting-target-dispatcher';
import { handleFaultsApi, isFaultsPath } from './faults/faults-api';
import { serveJsonProtocol } from './http/json-protocol';
import { assertJavaAvailable } from './java-runtime';
import { handleLambdaApi } from './lambda/lambda-api';
import { LambdaService } from './lambda/lambda-service';
import { SqsEngine } from './sqs/sqs-engine';
import { StepFunctionsEngine } from './stepfunctions/step-functions-engine';
import { rewriteApiUrls } from './template/api-url';
import { resolveStack, type ResolvedStack } from './template/resolve-stack';
import { LambdaInvocationTracer } from './xray/lambda-invocation-tracer';
import { StoreTraceRecorder } from './xray/trace-recorder';
import { handleTracesApi } from './xray/traces-api';
import { TracingTargetDispatcher } from './xray/tracing-target-dispatcher';
import { XRayDaemon } from './xray/xray-daemon';

/** Ten reads a second per idle shard (AWS: four); see `LocalCloudOptions.streamPollIntervalMs`. */
export const DEFAULT_STREAM_POLL_INTERVAL_MS = 100;

export interface LocalCloudOptions {
  /** The directory holding `cdk.json`. */
  readonly projectDir: string;
  /** The CDK app command; `app` of `cdk.json` by default. */
  readonly appCommand?: string;
  /** CDK context values over those of `cdk.json` (`cdk synth -c key=value`). */
  readonly context?: Readonly<Record<string, unknown>>;
  /** Where the cloud assembly is written; a temporary directory by default. */
  readonly outDir?: string;
  /** The API and `/_local` endpoints; 0 picks a free port. @default 3000 */
  readonly port?: number;
  /** One endpoint for every emulated AWS API; 0 picks a free port. @default 4566 */
  readonly edgePort?: number;
  /** Keep DynamoDB data in this directory between runs. @default - in memory */
  readonly persistDir?: string;
  /**
   * Use this DynamoDB Local, already running, instead of starting one: its owner stops it, not `stop()`;
   * `persistDir` is then ignored and `dynamoDbPid` is undefined. For measures that put several servers
   * on one database. @default - a DynamoDB Local of its own
   */
  readonly dynamoDbEndpoint?: string;
  /** Where progress and function logs go. @default - nowhere */
  readonly log?: (line: string) => void;
  /** The REST API (by name) also served at `/` and `/{stage}/`. @default - the first API of the first stack */
  readonly defaultApiName?: string;
  /** Concurrent executions of a function without reserved concurrency. @default 64 */
  readonly maxConcurrency?: number;
  /** First retry delay of asynchronous invocations. @default 1000 */
  readonly asyncRetryBaseDelayMs?: number;
  /**
   * Pause between reads of a DynamoDB stream shard that had nothing new. AWS polls a shard four times
   * a second; locally a read of DynamoDB Local costs little, so it is polled more often and an event
   * leaves the outbox sooner. @default DEFAULT_STREAM_POLL_INTERVAL_MS
   */
  readonly streamPollIntervalMs?: number;
  /**
   * The X-Ray daemon's UDP port; 0 picks a free port.
   * @default the port of `AWS_XRAY_DAEMON_ADDRESS`, else 2000 (a free port when 2000 is taken)
   */
  readonly xrayDaemonPort?: number;
}

export interface LoadedSummary {
  readonly stacks: readonly string[];
  readonly tables: readonly string[];
  readonly functions: readonly string[];
  readonly routes: readonly string[];
  readonly eventSources: readonly string[];
  readonly rules: readonly string[];
  readonly queues: readonly string[];
  readonly stateMachines: readonly string[];
  /** Resource types and properties that do not run locally, by resource. */
  readonly unsupported: readonly string[];
  /** Settings AWS honours that change nothing locally (e.g. point-in-time recovery), by resource. */
  readonly withoutLocalEffect: readonly string[];
  /** Resources that exist on AWS but have no local effect, by type. */
  readonly accepted: readonly string[];
}

/**
 * The local cloud: synthesizes the CDK app, resolves its templates and runs every supported
 * resource on a local engine. `LocalCloud.start` brings it all up; `stop` tears it all down.
 */
export class LocalCloud {
  private stopped = false;

  private constructor(
    readonly apiUrl: string,
    readonly edgeUrl: string,
    readonly dynamoDbEndpoint: string,
    /** The DynamoDB Local JVM's process id. */
    readonly dynamoDbPid: number | undefined,
    readonly summary: LoadedSummary,
    readonly apis: readonly RestApiModel[],
    readonly lambda: LambdaService,
    readonly sqs: SqsEngine,
    readonly eventBridge: EventBridgeEngine,
    readonly stepFunctions: StepFunctionsEngine,
    readonly gateway: RestApiGateway,
    readonly defaultApi: RestApiModel | undefined,
    readonly outputs: Readonly<Record<string, Readonly<Record<string, string>>>>,
    private readonly eventSources: readonly EventSourceHandle[],
    private readonly closers: readonly (() => Promise<void>)[],
    /** Injected faults (`/_local/faults`); none until set. */
    readonly faults: FaultRegistry,
    /** The X-Ray daemon and the traces it holds (`/_local/traces`). */
    readonly xray: XRayDaemon,
  ) {}

  static async start(options: LocalCloudOptions): Promise<LocalCloud> {
    assertJavaAvailable();
    const log = options.log ?? (() => undefined);
    const closers: (() => Promise<void>)[] = [];
    const closeAll = async (): Promise<void> => {
      for (const close of closers.reverse()) await close().catch(() => undefined);
    };
    try {
      const outDir = options.outDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'local-cloud-'));
      const [assembly, dynamo] = await Promise.all([
        synthesize({
          projectDir: options.projectDir,
          outDir,
          appCommand: options.appCommand,
          context: options.context,
        }),
        options.dynamoDbEndpoint === undefined
          ? startDynamoDbLocal({ persistDir: options.persistDir })
          : // The caller's DynamoDB Local: its owner stops it.
            ({
              endpoint: options.dynamoDbEndpoint,
              port: Number(new URL(options.dynamoDbEndpoint).port),
              pid: undefined,
              stop: async () => undefined,
            } satisfies DynamoDbLocal),
      ]);
      closers.push(() => dynamo.stop());
      return await LocalCloud.run(assembly, dynamo, options, log, closers);
    } catch (error) {
      await closeAll();
      throw error;
    }
  }

  private static async run(
    assembly: CloudAssembly,
    dynamo: DynamoDbLocal,
    options: LocalCloudOptions,
    log: (line: string) => void,
    closers: (() => Promise<void>)[],
  ): Promise<LocalCloud> {
    // Both servers listen first: their URLs go into queue URLs and every function's environment.
    let handleApi: (req: IncomingMessage, res: ServerResponse) => Promise<void> = async (_req, res) =>
      sendJson(res, 503, { message: 'The local cloud is starting' });
    let handleEdge: (req: IncomingMessage, res: ServerResponse) => Promise<void> = handleApi;
    const apiServer: RunningServer = await listen(options.port ?? 3000, (req, res) => handleApi(req, res));
    closers.push(() => apiServer.close());
    const edgeServer: RunningServer = await listen(options.edgePort ?? 4566, (req, res) =>
      handleEdge(req, res),
    );
    closers.push(() => edgeServer.close());
    const xray = await XRayDaemon.start(
      options.xrayDaemonPort === undefined ? {} : { port: options.xrayDaemonPort },
    );
    closers.push(() => xray.stop());
    const traceRecorder = new StoreTraceRecorder(xray.store);

    const sqs = new SqsEngine({ endpointUrl: () => edgeServer.url });
    closers.push(async () => sqs.close());
    const lambda = new LambdaService({
      extraEnv: {
        AWS_ENDPOINT_URL: edgeServer.url,
        // DynamoDB is reached directly: the edge would only add a hop.
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ENDPOINT_URL_DYNAMODB_STREAMS: dynamo.endpoint,
        AWS_ENDPOINT_URL_SQS: edgeServer.url,
        AWS_ENDPOINT_URL_EVENTBRIDGE: edgeServer.url,
        AWS_ENDPOINT_URL_LAMBDA: edgeServer.url,
        AWS_ENDPOINT_URL_SFN: edgeServer.url,
        // Lambda runs Node.js 22; the SDK's warning about an older local Node.js says nothing about the function.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        // As Lambda sets them: the SDK in the function sends its subsegments to the local daemon.
        AWS_XRAY_DAEMON_ADDRESS: xray.address,
        _AWS_XRAY_DAEMON_ADDRESS: xray.host,
        _AWS_XRAY_DAEMON_PORT: String(xray.port),
        AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      },
      tracer: new LambdaInvocationTracer(traceRecorder),
      onLog: (functionName, line) => log(`[${functionName}] ${line}`),
      asyncRetryBaseDelayMs: options.asyncRetryBaseDelayMs,
      // An account's unreserved pool is 1,000 on AWS; a local machine runs far fewer workers well.
      maxConcurrency: options.maxConcurrency ?? 64,
    });
    closers.push(() => lambda.close());
    const stepFunctions: StepFunctionsEngine = new StepFunctionsEngine({
      lambda,
      sqs,
      dynamoDbEndpoint: dynamo.endpoint,
      traceRecorder,
      // Late-bound: EventBridge is built next, with this engine among its targets.
      eventBridge: { putEvents: (input, context) => eventBridge.putEvents(input, context) },
    });
    closers.push(async () => stepFunctions.close());
    const faults = new FaultRegistry();
    const eventBridge = new EventBridgeEngine({
      dispatcher: new TracingTargetDispatcher(
        new FaultingTargetDispatcher(new LocalTargetDispatcher(lambda, sqs, stepFunctions), faults),
        traceRecorder,
      ),
    });
    closers.push(async () => eventBridge.close());
    installFaultHooks(faults, { lambda, eventBridge });

    // First pass: names and properties, with placeholder stream ARNs; tables are created from it.
    const dynamoClient = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    closers.push(async () => dynamoClient.destroy());
    const firstPass = resolveAll(assembly, edgeServer.url, {});
    const streamArns: Record<string, Record<string, Record<string, string>>> = {};
    const unsupported: string[] = [];
    const withoutLocalEffect: string[] = [];
    const tables: string[] = [];
    for (const [stackName, stack] of firstPass) {
      for (const [logicalId, resource] of Object.entries(stack.resources)) {
        if (resource.type !== 'AWS::DynamoDB::Table') continue;
        const table = await provisionTable(
          dynamoClient,
          resource.physicalId,
          resource.properties as TableProperties,
        );
        tables.push(table.tableName);
        for (const property of unemulatedTableProperties(resource.properties)) {
          withoutLocalEffect.push(`${stackName}/${logicalId} (AWS::DynamoDB::Table): ${property}`);
        }
        if (table.streamArn) {
          (streamArns[stackName] ??= {})[logicalId] = { StreamArn: table.streamArn };
        }
      }
    }
    // Second pass: the real stream ARNs DynamoDB Local assigned.
    const resolved = resolveAll(assembly, edgeServer.url, streamArns);

    const allResources: LoadedResource[] = [];
    const accepted = new Map<string, number>();
    for (const [stackName, stack] of resolved) {
      for (const [logicalId, resource] of Object.entries(stack.resources)) {
        allResources.push({ stackName, logicalId, ...resource });
        const support = supportOf(resource.type);
        if (support === 'unsupported') {
          unsupported.push(`${stackName}/${logicalId}: resource type ${resource.type} is not supported`);
        } else if (support === 'accepted') {
          accepted.set(resource.type, (accepted.get(resource.type) ?? 0) + 1);
        }
      }
    }

    const queues = await loadQueues(allResources, sqs);
    const apis = buildRestApis(
      allResources.filter((r) => r.type.startsWith('AWS::ApiGateway::')),
      Object.fromEntries(
        allResources
          .filter((r) => r.type === 'AWS::ApiGateway::RestApi')
          .map((r) => [r.physicalId, r.attributes.RootResourceId ?? '']),
      ),
    );
    const defaultApi = options.defaultApiName
      ? apis.find((api) => api.name === options.defaultApiName)
      : apis[0];
    if (options.defaultApiName && !defaultApi) {
      throw new Error(
        `No REST API named '${options.defaultApiName}'; the app has: ${apis.map((api) => api.name).join(', ')}.`,
      );
    }
    const gateway = new RestApiGateway({
      apis,
      invoker: lambda,
      defaultApiId: defaultApi?.apiId,
      traceRecorder,
    });
    gateway.setBaseUrl(apiServer.url);
    for (const api of apis) {
      for (const warning of api.warnings) unsupported.push(`REST API ${api.name}: ${warning}`);
    }
    const localUrlFor = (apiId: string, stage: string): string | undefined =>
      apis.some((api) => api.apiId === apiId) ? gateway.localUrl(apiId, stage) : undefined;

    const functions = loadFunctions(
      allResources,
      assembly,
      lambda,
      sqs,
      (env) => rewriteApiUrls(env, localUrlFor) as Record<string, string>,
    );
    unsupported.push(...functions.unsupported);
    const rules = loadEventBridge(allResources, eventBridge);
    unsupported.push(...rules.unsupported);
    const stateMachines = loadStateMachines(allResources, stepFunctions);
    unsupported.push(...stateMachines.unsupported);

    const streamsClient = new DynamoDBStreamsClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    closers.push(async () => streamsClient.destroy());
    const eventSources = loadEventSources(allResources, {
      lambda,
      sqs,
      streamsClient,
      streamPollIntervalMs: options.streamPollIntervalMs ?? DEFAULT_STREAM_POLL_INTERVAL_MS,
      onError: (line) => log(line),
      deliveryFault: (mapping) => faults.eventSourceFault(mapping),
    });
    unsupported.push(...eventSources.unsupported);
    faults.setCatalogue(
      faultCatalogueOf(
        allResources,
        functions.names,
        eventSources.handles.flatMap((source) => (source.identity ? [source.identity] : [])),
      ),
    );
    for (const source of eventSources.handles) await source.start();
    closers.push(async () => {
      await Promise.all(eventSources.handles.map((source) => source.stop()));
    });

    const outputs = Object.fromEntries([...resolved].map(([name, stack]) => [name, stack.outputs]));
    const summary: LoadedSummary = {
      stacks: assembly.stacks.map((stack) => stack.stackName),
      tables,
      functions: functions.names,
      routes: apis.flatMap((api) =>
        api.routes.map((route) => `${api.name}: ${route.method} ${route.resourcePath}`),
      ),
      eventSources: eventSources.handles.map((source) => source.description),
      rules: rules.names,
      queues,
      stateMachines: stateMachines.names,
      unsupported,
      withoutLocalEffect,
      accepted: [...accepted].map(([type, count]) => `${type} ×${count} (${ACCEPTED_WITHOUT_EFFECT[type]})`),
    };

    const cloud = new LocalCloud(
      apiServer.url,
      edgeServer.url,
      dynamo.endpoint,
      dynamo.pid,
      summary,
      apis,
      lambda,
      sqs,
      eventBridge,
      stepFunctions,
      gateway,
      defaultApi,
      outputs,
      eventSources.handles,
      closers,
      faults,
      xray,
    );
    handleEdge = async (req, res) => {
      if (isDynamoDbRequest(req)) return proxyToDynamoDb(dynamo.endpoint, req, res);
      if (await serveJsonProtocol([sqs, eventBridge, stepFunctions], req, res)) return;
      if (await handleLambdaApi(lambda, req, res)) return;
      if (req.method === 'GET' && (req.url === '/' || req.url?.startsWith('/_local'))) {
        return cloud.handleLocal(req, res);
      }
      sendJson(res, 404, { message: `No local AWS service answers ${req.method} ${req.url}` });
    };
    handleApi = async (req, res) => {
      if (req.url?.startsWith('/_local')) return cloud.handleLocal(req, res);
      if (await gateway.handle(req, res)) return;
      // The root is the default API's URL: an unknown path there is answered as API Gateway does.
      if (defaultApi) return sendJson(res, 403, { message: 'Missing Authentication Token' });
      sendJson(res, 404, { message: `Nothing is served at ${req.url}` });
    };
    return cloud;
  }

  /**
   * Stops polling every DynamoDB stream mapping until `resumeStreams()`, which carries on where each left
   * off: what AWS does for `UpdateEventSourceMapping` with `Enabled: false`, then `true`. Nothing runs
   * downstream of the tables meanwhile — for measures that must not share the machine with it.
   */
  async pauseStreams(): Promise<void> {
    await Promise.all(this.streamSources().map((source) => source.stop()));
  }

  async resumeStreams(): Promise<void> {
    for (const source of this.streamSources()) await source.start();
  }

  private streamSources(): EventSourceHandle[] {
    return this.eventSources.filter((source) => source.identity?.kind === 'dynamodb-stream');
  }

  /** The `/_local` endpoints: the local cloud's own view of what runs and what happened. */
  private async handleLocal(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    if (isFaultsPath(url.pathname)) return handleFaultsApi(this.faults, req, res);
    if (await handleTracesApi(this.xray.store, req, res)) return;
    switch (url.pathname) {
      case '/':
      case '/_local':
      case '/_local/health':
        return sendJson(res, 200, {
          status: 'ok',
          apiUrl: this.apiUrl,
          edgeUrl: this.edgeUrl,
          xrayDaemonAddress: this.xray.address,
          defaultApi: this.defaultApi?.name,
        });
      case '/_local/resources':
        return sendJson(res, 200, { ...this.summary, apis: this.apis.map(describeApi(this.gateway)) });
      case '/_local/invocations':
        return sendJson(res, 200, { invocations: this.lambda.invocations() });
      case '/_local/event-sources':
        return sendJson(res, 200, { eventSources: this.eventSources.map((source) => source.stats()) });
      case '/_local/deliveries':
        return sendJson(res, 200, { deliveries: this.eventBridge.deliveries() });
      case '/_local/queues':
        return sendJson(res, 200, {
          queues: this.sqs.listQueueNames().map((name) => ({ name, ...this.sqs.approximateCounts(name) })),
        });
      case '/_local/executions':
        return sendJson(res, 200, { executions: this.stepFunctions.executions() });
      default: {
        // `/_local/executions/{executionArn}`: status, data and the state-by-state history.
        const executionArn = url.pathname.match(/^\/_local\/executions\/(.+)$/)?.[1];
        const execution =
          executionArn && this.stepFunctions.executionDetail(decodeURIComponent(executionArn));
        if (execution) return sendJson(res, 200, execution);
        return sendJson(res, 404, { message: `No local endpoint ${url.pathname}` });
      }
    }
  }

  /** The start-up banner: where everything is and what was loaded. */
  banner(): string {
    const section = (title: string, lines: readonly string[]): string =>
      lines.length ? `\n${title} (${lines.length}):\n${lines.map((line) => `  ${line}`).join('\n')}` : '';
    const apiLines = this.apis.map(
      (api) => `${api.name}: ${this.gateway.localUrl(api.apiId, api.stages[0] ?? 'prod')}`,
    );
    return [
      `Local cloud — API ${this.apiUrl}/${this.defaultApi ? ` (${this.defaultApi.name})` : ''}   ` +
        `AWS endpoint ${this.edgeUrl}   DynamoDB Local ${this.dynamoDbEndpoint}   ` +
        `X-Ray daemon udp://${this.xray.address}`,
      `Stacks: ${this.summary.stacks.join(', ')}`,
      section('REST APIs', apiLines),
      section('Routes', this.summary.routes),
      section('Tables', this.summary.tables),
      section('Functions', this.summary.functions),
      section('Event source mappings', this.summary.eventSources),
      section('Rules', this.summary.rules),
      section('Queues', this.summary.queues),
      section('State machines', this.summary.stateMachines),
      section('Accepted without a local effect', this.summary.accepted),
      section('Settings without a local effect', this.summary.withoutLocalEffect),
      section('NOT SUPPORTED locally', this.summary.unsupported),
    ]
      .filter(Boolean)
      .join('\n');
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const close of [...this.closers].reverse()) {
      await close().catch(() => undefined);
    }
  }
}

function resolveAll(
  assembly: CloudAssembly,
  sqsEndpoint: string,
  attributeOverrides: Record<string, Record<string, Record<string, string>>>,
): Map<string, ResolvedStack> {
  const exports = new Map<string, string>();
  const resolved = new Map<string, ResolvedStack>();
  for (const { stackName, template } of assembly.stacks) {
    const stack = resolveStack(stackName, template, {
      exports,
      sqsEndpoint,
      attributeOverrides: attributeOverrides[stackName],
    });
    for (const [name, value] of Object.entries(stack.exports)) exports.set(name, value);
    resolved.set(stackName, stack);
  }
  return resolved;
}

function describeApi(gateway: RestApiGateway) {
  return (api: RestApiModel) => ({
    apiId: api.apiId,
    name: api.name,
    urls: api.stages.map((stage) => gateway.localUrl(api.apiId, stage)),
  });
}
