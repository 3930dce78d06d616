import * as path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { synthesizeCached } from './assembly/assembly-cache';
import type { CloudAssembly, SynthesisReport } from './assembly/cloud-assembly';
import { RestApiGateway } from './apigateway/rest-api-server';
import { buildRestApis, type RestApiModel } from './apigateway/rest-api-model';
import { listen, type RunningServer, sendJson } from './cloud/http-server';
import { supportOf, ACCEPTED_WITHOUT_EFFECT } from './cloud/resource-catalogue';
import { CloudFormationStacks } from './cloudformation/cloudformation-stacks';
import { CloudMapEngine } from './cloudmap/cloud-map-engine';
import { CodeDeployEngine, type LambdaAliases } from './codedeploy/codedeploy-engine';
import { Redeployer, type RedeployReport } from './cloud/redeploy';
import { cloudWatchAlarmStates } from './codedeploy/cloudwatch-alarm-states';
import { CloudWatchEngine, DEFAULT_PERIOD_SCALE } from './cloudwatch/cloudwatch-engine';
import { cloudWatchJsonService, cloudWatchQueryService } from './cloudwatch/cloudwatch-protocols';
import { parseEmfLine } from './cloudwatch/embedded-metrics';
import { MetricStore } from './cloudwatch/metric-store';
import {
  recordApiRequest,
  recordExecution,
  recordInvocation,
  recordMessageSent,
  sampleQueues,
} from './cloudwatch/service-metrics';
import { SnsEngine } from './sns/sns-engine';
import { CognitoEngine } from './cognito/cognito-engine';
import { ParameterStore } from './ssm/parameter-store';
import { CLOCK_PATH, handleClockApi } from './scheduler/clock-api';
import { RuleScheduler } from './scheduler/rule-scheduler';
import { ScheduleClock } from './scheduler/schedule-clock';
import { LocalScheduleTargets } from './scheduler/local-schedule-targets';
import { serveScheduler } from './scheduler/scheduler-api';
import { SchedulerEngine } from './scheduler/scheduler-engine';
import { serveUserPoolWellKnown } from './cognito/well-known';
import { LocalTargetDispatcher } from './cloud/target-dispatcher';
import { functionReferenceOf, parseArn } from './cloud/arns';
import {
  type EventSourceHandle,
  loadEventBridge,
  loadEventSources,
  loadFunctions,
  loadQueues,
  loadStateMachines,
  loadUserPools,
  loadParameters,
  loadSchedules,
  loadCloudMap,
  loadCloudWatch,
  loadCodeDeploy,
  loadSns,
  type LoadedResource,
  type PublishedVersions,
} from './cloud/loaders';
import { startDynamoDbFront } from './dynamodb/dynamodb-front';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb/dynamodb-local';
import {
  provisionTable,
  deleteTable,
  unemulatedTableProperties,
  type TableProperties,
} from './dynamodb/table-provisioner';
import { isDynamoDbRequest, proxyToDynamoDb } from './edge/edge-server';
import { EventBridgeEngine } from './eventbridge/event-bus';
import { faultCatalogueOf } from './faults/fault-catalogue';
import { installFaultHooks } from './faults/fault-hooks';
import { FaultRegistry } from './faults/fault-registry';
import { FaultingTargetDispatcher } from './faults/faulting-target-dispatcher';
import { SeededRandom } from './faults/seeded-random';
import { handleFaultsApi, isFaultsPath } from './faults/faults-api';
import { serveJsonProtocol } from './http/json-protocol';
import { serveQueryProtocol } from './http/query-protocol';
import { LOCAL_ENDPOINT_MAX_BODY_BYTES, readBody, RequestBodyTooLargeError } from './http/read-body';
import { isLocalEndpointUrl } from './http/request-guard';
import { assertJavaAvailable } from './java-runtime';
import { handleLambdaApi } from './lambda/lambda-api';
import { LambdaService } from './lambda/lambda-service';
import type { SchedulerStats } from './lambda/execution-scheduler';
import { ownMemory, processMemory, type ResidentMemory } from './cloud/process-memory';
import { CALLER_HEADER } from './lambda/worker-pool';
import { SqsEngine } from './sqs/sqs-engine';
import { StepFunctionsEngine } from './stepfunctions/step-functions-engine';
import { rewriteApiUrls } from './template/api-url';
import { resolveStack, type ResolvedStack } from './template/resolve-stack';
import { LambdaInvocationTracer } from './xray/lambda-invocation-tracer';
import { StoreTraceRecorder } from './xray/trace-recorder';
import { handleTracesApi } from './xray/traces-api';
import { TracingTargetDispatcher } from './xray/tracing-target-dispatcher';
import { serveXRay, XRayApi } from './xray/xray-api';
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
  /**
   * Where synthesized cloud assemblies are kept, one per key of their inputs; a start whose inputs did
   * not change since an earlier one skips synthesis. @default `<projectDir>/.local/assemblies`
   */
  readonly assemblyCacheDir?: string;
  /** Synthesize even when a kept assembly matches the inputs. @default false */
  readonly fresh?: boolean;
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
  /**
   * The tables live as long as this cloud: one of the same name already there (an earlier run's) is
   * replaced by an empty one at start, and every table is deleted at stop. For clouds started one after
   * another on one shared DynamoDB Local (`dynamoDbEndpoint`), each starting clean.
   * @default false - an existing table is kept, as a persisted database needs
   */
  readonly disposableTables?: boolean;
  /** Where progress and function logs go. @default - nowhere */
  readonly log?: (line: string) => void;
  /** The REST API (by name) also served at `/` and `/{stage}/`. @default - the first API of the first stack */
  readonly defaultApiName?: string;
  /**
   * The account's Lambda concurrency limit; functions without reserved concurrency share what is not
   * reserved, and are throttled beyond it. @default 1000, as AWS
   */
  readonly accountConcurrency?: number;
  /**
   * Invocations that run at once on this machine; beyond it they wait their turn (FIFO) rather than
   * start more threads than the cores can carry. @default four per core
   */
  readonly maxRunningInvocations?: number;
  /**
   * Memory the execution environments may hold, in MiB; beyond it idle environments are shut down,
   * least recently used first. @default a quarter of the machine's memory, at most 3 GiB
   */
  readonly environmentMemoryMb?: number;
  /** First retry delay of asynchronous invocations. @default 1000 */
  readonly asyncRetryBaseDelayMs?: number;
  /**
   * Seeds the draws that pick an alias's version when it routes to two, so a split can be replayed.
   * @default unseeded (`Math.random`)
   */
  readonly aliasRoutingSeed?: number;
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
  /**
   * The clock (epoch milliseconds) the user pools issue tokens by and the API's Cognito authorizers
   * check them against. A test moves it forward to see a token expire without waiting an hour.
   * @default Date.now
   */
  readonly identityClock?: () => number;
  /**
   * Real time per unit of CloudWatch time when alarms are evaluated: an alarm is evaluated every
   * `Period × cloudWatchPeriodScale` seconds over windows that long, so a 60-second alarm fires within a
   * second at the default. The API still reports the alarm's `Period` as configured, and metric queries
   * (`GetMetricData`, `GetMetricStatistics`) use real periods. 1 evaluates in real time.
   * @default DEFAULT_PERIOD_SCALE (1/60)
   */
  readonly cloudWatchPeriodScale?: number;
  /**
   * Real time per unit of CodeDeploy time: a deployment's traffic intervals, its hooks' one-hour timeout and
   * its alarm polls are this much shorter. @default 1/60 (a 5-minute canary interval lasts 5 s)
   */
  readonly codeDeployTimeScale?: number;
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
  /** Cognito user pools: `<name> (<userPoolId>)`. */
  readonly userPools: readonly string[];
  /** Parameter Store parameters, by name. */
  readonly parameters: readonly string[];
  /** EventBridge Scheduler schedules: `<group>/<name> (<expression>) → <target>`. */
  readonly schedules: readonly string[];
  /** Cloud Map services: `<namespace>/<service> (n instances…)`. */
  readonly cloudMapServices: readonly string[];
  /** CloudWatch alarms (composite ones marked) and dashboards. */
  readonly alarms: readonly string[];
  readonly dashboards: readonly string[];
  /** SNS topics: `<topic> → <protocol>:<endpoint>, …`. */
  readonly topics: readonly string[];
  /** Resource types and properties that do not run locally, by resource. */
  readonly unsupported: readonly string[];
  /** Settings AWS honours that change nothing locally (e.g. point-in-time recovery), by resource. */
  readonly withoutLocalEffect: readonly string[];
  /** Resources that exist on AWS but have no local effect, by type. */
  readonly accepted: readonly string[];
}

/** Where a start spent its time, in milliseconds. */
export interface StartupReport {
  readonly totalMs: number;
  /** The cloud assembly: kept (`synthesis` undefined) or synthesized now. */
  readonly assembly: {
    readonly key: string;
    readonly dir: string;
    readonly keyMs: number;
    readonly synthesis?: SynthesisReport;
  };
  /** DynamoDB Local answering its first request (it starts while the app synthesizes). */
  readonly dynamoDbMs: number;
  readonly tablesMs: number;
  /** Servers, engines, functions, rules and pollers. */
  readonly enginesMs: number;
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
    /**
     * DynamoDB Local itself, for in-process clients (tests, benchmarks). It listens on every interface (the jar
     * cannot be told otherwise), so it is never announced: the edge is the DynamoDB endpoint to hand out.
     */
    readonly dynamoDbEndpoint: string,
    /** The DynamoDB Local JVM's process id. */
    readonly dynamoDbPid: number | undefined,
    readonly summary: LoadedSummary,
    readonly apis: readonly RestApiModel[],
    readonly lambda: LambdaService,
    readonly sqs: SqsEngine,
    readonly eventBridge: EventBridgeEngine,
    readonly stepFunctions: StepFunctionsEngine,
    /** The Cognito user pools, their users and the tokens' signing key. */
    readonly cognito: CognitoEngine,
    readonly gateway: RestApiGateway,
    readonly defaultApi: RestApiModel | undefined,
    readonly outputs: Readonly<Record<string, Readonly<Record<string, string>>>>,
    private readonly eventSources: readonly EventSourceHandle[],
    private readonly closers: readonly (() => Promise<void>)[],
    /** Injected faults (`/_local/faults`); none until set. */
    readonly faults: FaultRegistry,
    /** The X-Ray daemon and the traces it holds (`/_local/traces`). */
    readonly xray: XRayDaemon,
    /** Where the start spent its time. */
    readonly startup: StartupReport,
    /** The clock schedules run by (`/_local/clock`): a test moves it forward instead of waiting. */
    readonly scheduleClock: ScheduleClock,
    /** Metrics (the functions' EMF lines, the services' own, `PutMetricData`), alarms and dashboards. */
    readonly cloudWatch: CloudWatchEngine,
    /** Topics, subscriptions and their deliveries. */
    readonly sns: SnsEngine,
    private readonly synthesizeAndApply: (
      context: Readonly<Record<string, unknown>>,
    ) => Promise<RedeployReport>,
  ) {}

  private deploying: Promise<unknown> = Promise.resolve();

  /**
   * Synthesizes the app again (with `context` over the start's) and deploys what changed into this
   * running cloud, as `cdk deploy` would a code change: updated functions, new versions, aliases moved
   * (through CodeDeploy where the alias's update policy says so), changed alarms. One at a time.
   */
  deploy(context: Readonly<Record<string, unknown>> = {}): Promise<RedeployReport> {
    const next = this.deploying.then(() => this.synthesizeAndApply(context));
    this.deploying = next.catch(() => undefined);
    return next;
  }

  static async start(options: LocalCloudOptions): Promise<LocalCloud> {
    assertJavaAvailable();
    const started = performance.now();
    const log = options.log ?? (() => undefined);
    const closers: (() => Promise<void>)[] = [];
    // DynamoDB Local's JVM starts while the app synthesizes (or its kept assembly is read).
    const dynamoStarting = (
      options.dynamoDbEndpoint === undefined
        ? startDynamoDbLocal({ persistDir: options.persistDir })
        : // The caller's DynamoDB Local: its owner stops it.
          Promise.resolve({
            endpoint: options.dynamoDbEndpoint,
            port: Number(new URL(options.dynamoDbEndpoint).port),
            pid: undefined,
            stop: async () => undefined,
          } satisfies DynamoDbLocal)
    ).then((dynamo) => {
      closers.push(() => dynamo.stop());
      return { dynamo, readyMs: performance.now() - started };
    });
    try {
      const [synthesis, { dynamo, readyMs }] = await Promise.all([
        synthesizeCached({
          projectDir: options.projectDir,
          cacheDir: options.assemblyCacheDir ?? path.join(options.projectDir, '.local', 'assemblies'),
          appCommand: options.appCommand,
          context: options.context,
          fresh: options.fresh,
        }),
        dynamoStarting,
      ]);
      return await LocalCloud.run(synthesis.assembly, dynamo, options, log, closers, {
        started,
        assembly: {
          key: synthesis.key,
          dir: synthesis.assembly.outDir,
          keyMs: synthesis.keyMs,
          ...(synthesis.synthesis === undefined ? {} : { synthesis: synthesis.synthesis }),
        },
        dynamoDbMs: readyMs,
      });
    } catch (error) {
      // A DynamoDB Local still starting when synthesis failed is stopped too, once it is up.
      await dynamoStarting.catch(() => undefined);
      for (const close of closers.reverse()) await close().catch(() => undefined);
      throw error;
    }
  }

  private static async run(
    assembly: CloudAssembly,
    dynamo: DynamoDbLocal,
    options: LocalCloudOptions,
    log: (line: string) => void,
    closers: (() => Promise<void>)[],
    boot: Omit<StartupReport, 'totalMs' | 'tablesMs' | 'enginesMs'> & { readonly started: number },
  ): Promise<LocalCloud> {
    const enginesStarted = performance.now();
    // Both servers listen first: their URLs go into queue URLs and every function's environment.
    let handleApi: (req: IncomingMessage, res: ServerResponse) => Promise<void> = async (_req, res) =>
      sendJson(res, 503, { message: 'The local cloud is starting' });
    let handleEdge: (req: IncomingMessage, res: ServerResponse) => Promise<void> = handleApi;
    // The app's API answers pages of any origin, as API Gateway does; the AWS APIs of the edge answer none.
    const apiServer: RunningServer = await listen(
      options.port ?? 3000,
      (req, res) => handleApi(req, res),
      'refuse-local-endpoint-changes',
    );
    closers.push(() => apiServer.close());
    const edgeServer: RunningServer = await listen(
      options.edgePort ?? 4566,
      (req, res) => handleEdge(req, res),
      'refuse-every-request',
    );
    closers.push(() => edgeServer.close());
    const xray = await XRayDaemon.start(
      options.xrayDaemonPort === undefined ? {} : { port: options.xrayDaemonPort },
    );
    closers.push(() => xray.stop());
    const traceRecorder = new StoreTraceRecorder(xray.store);

    // Metrics are recorded from the first invocation on; alarms run actions on SNS, built below.
    const metricStore = new MetricStore();
    const periodScale = options.cloudWatchPeriodScale ?? DEFAULT_PERIOD_SCALE;
    const cloudWatch = new CloudWatchEngine({
      store: metricStore,
      periodScale,
      runAction: ({ actionArn, subject, message }) => {
        if (parseArn(actionArn)?.service !== 'sns') {
          throw new Error(
            `alarm actions on ${parseArn(actionArn)?.service ?? actionArn} are not emulated locally`,
          );
        }
        sns.publish(actionArn, { message, subject, attributes: {} });
      },
    });
    closers.push(async () => cloudWatch.close());
    const sqs = new SqsEngine({
      endpointUrl: () => edgeServer.url,
      onMessageSent: (queueName) => recordMessageSent(metricStore, queueName),
    });
    closers.push(async () => sqs.close());
    // Queue depth is sampled as SQS publishes it, once a minute of CloudWatch time.
    const queueSampler = setInterval(
      () => sampleQueues(metricStore, sqs),
      Math.max(250, 60_000 * periodScale),
    );
    queueSampler.unref();
    closers.push(async () => clearInterval(queueSampler));
    const faults = new FaultRegistry();
    // The functions' DynamoDB: a pass-through to DynamoDB Local where the table faults strike.
    const dynamoDbFront = await startDynamoDbFront({ dynamoDbEndpoint: dynamo.endpoint, faults });
    closers.push(() => dynamoDbFront.close());
    const lambda = new LambdaService({
      extraEnv: {
        AWS_ENDPOINT_URL: edgeServer.url,
        // DynamoDB through the front, not the edge: that would only add the edge's routing.
        AWS_ENDPOINT_URL_DYNAMODB: dynamoDbFront.url,
        // Streams are read directly: no fault is injected there.
        AWS_ENDPOINT_URL_DYNAMODB_STREAMS: dynamo.endpoint,
        AWS_ENDPOINT_URL_SQS: edgeServer.url,
        AWS_ENDPOINT_URL_EVENTBRIDGE: edgeServer.url,
        AWS_ENDPOINT_URL_LAMBDA: edgeServer.url,
        AWS_ENDPOINT_URL_SFN: edgeServer.url,
        AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: edgeServer.url,
        AWS_ENDPOINT_URL_SSM: edgeServer.url,
        AWS_ENDPOINT_URL_SCHEDULER: edgeServer.url,
        AWS_ENDPOINT_URL_CLOUDFORMATION: edgeServer.url,
        AWS_ENDPOINT_URL_SERVICEDISCOVERY: edgeServer.url,
        AWS_ENDPOINT_URL_CLOUDWATCH: edgeServer.url,
        AWS_ENDPOINT_URL_SNS: edgeServer.url,
        AWS_ENDPOINT_URL_CODEDEPLOY: edgeServer.url,
        // Lambda runs Node.js 22; the SDK's warning about an older local Node.js says nothing about the function.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        // As Lambda sets them: the SDK in the function sends its subsegments to the local daemon.
        AWS_XRAY_DAEMON_ADDRESS: xray.address,
        _AWS_XRAY_DAEMON_ADDRESS: xray.host,
        _AWS_XRAY_DAEMON_PORT: String(xray.port),
        AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      },
      tracer: new LambdaInvocationTracer(traceRecorder),
      onLog: (functionName, line) => {
        // An EMF line is a metric, as CloudWatch Logs makes it one; it is still a log line too.
        for (const datum of parseEmfLine(line)) metricStore.put(datum);
        log(`[${functionName}] ${line}`);
      },
      onInvocationRecord: (record) => recordInvocation(metricStore, record),
      ...(options.aliasRoutingSeed === undefined
        ? {}
        : { routingRandom: seededDraws(options.aliasRoutingSeed) }),
      asyncRetryBaseDelayMs: options.asyncRetryBaseDelayMs,
      accountConcurrency: options.accountConcurrency,
      machine: {
        maxRunning: options.maxRunningInvocations,
        memoryBudgetMb: options.environmentMemoryMb,
      },
      localEndpoints: [apiServer.url, edgeServer.url].map((url) => new URL(url).host),
    });
    closers.push(() => lambda.close());
    const cognito = await CognitoEngine.create({
      issuerBaseUrl: edgeServer.url,
      invoker: lambda,
      log,
      ...(options.identityClock === undefined ? {} : { now: options.identityClock }),
    });
    const parameterStore = new ParameterStore();
    const sns = new SnsEngine({
      targets: {
        invokeFunction: (functionArn, event) =>
          lambda.invokeAsync(functionReferenceOf(functionArn), event, { trigger: 'sns' }),
        sendToQueue: (queueArn, body, attributes, fifo) => {
          sqs.sendMessage(queueArn, body, attributes, fifo);
        },
      },
    });
    const cloudMap = new CloudMapEngine();
    // CodeDeploy moves the aliases of the local Lambda service, and invokes hooks as Lambda events.
    const lambdaAliases: LambdaAliases = {
      getAlias: (functionName, aliasName) => lambda.getAlias(functionName, aliasName),
      updateAlias: (functionName, aliasName, routing) => {
        lambda.updateAlias(functionName, aliasName, {
          functionVersion: routing.functionVersion,
          additionalVersionWeights: routing.additionalVersionWeights ?? {},
        });
      },
      invokeHook: (functionName, event) =>
        lambda.invokeAsync(functionReferenceOf(functionName), event, { trigger: 'codedeploy' }),
    };
    const codeDeploy = new CodeDeployEngine({
      lambda: lambdaAliases,
      alarms: cloudWatchAlarmStates(cloudWatch),
      ...(options.codeDeployTimeScale === undefined ? {} : { timeScale: options.codeDeployTimeScale }),
    });
    closers.push(async () => codeDeploy.close());
    const stepFunctions: StepFunctionsEngine = new StepFunctionsEngine({
      lambda,
      sqs,
      // Its DynamoDB tasks meet the table faults the functions meet.
      dynamoDbEndpoint: dynamoDbFront.url,
      traceRecorder,
      // Late-bound: EventBridge is built next, with this engine among its targets.
      eventBridge: { putEvents: (input, context) => eventBridge.putEvents(input, context) },
      onExecutionEvent: (event) => recordExecution(metricStore, event),
    });
    closers.push(async () => stepFunctions.close());
    const eventBridge = new EventBridgeEngine({
      dispatcher: new TracingTargetDispatcher(
        new FaultingTargetDispatcher(new LocalTargetDispatcher(lambda, sqs, stepFunctions), faults),
        traceRecorder,
      ),
    });
    closers.push(async () => eventBridge.close());
    const scheduleClock = new ScheduleClock();
    const ruleScheduler = new RuleScheduler(eventBridge, scheduleClock);
    closers.push(async () => ruleScheduler.close());
    const scheduler = new SchedulerEngine({
      invoker: new LocalScheduleTargets(lambda, sqs, stepFunctions, eventBridge),
      clock: scheduleClock,
      log,
      retryBaseDelayMs: options.asyncRetryBaseDelayMs,
    });
    closers.push(async () => scheduler.close());

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
    // Tables are created concurrently: DynamoDB Local takes tens of milliseconds for each.
    const tablesStarted = performance.now();
    const tableResources = [...firstPass].flatMap(([stackName, stack]) =>
      Object.entries(stack.resources)
        .filter(([, resource]) => resource.type === 'AWS::DynamoDB::Table')
        .map(([logicalId, resource]) => ({ stackName, logicalId, resource })),
    );
    const replaceExisting = options.disposableTables === true;
    if (replaceExisting) {
      // Runs after the engines and stream readers stop (closers run last to first).
      closers.push(async () => {
        await Promise.all(
          tableResources.map(({ resource }) => deleteTable(dynamoClient, resource.physicalId)),
        );
      });
    }
    const provisioned = await Promise.all(
      tableResources.map(({ resource }) =>
        provisionTable(dynamoClient, resource.physicalId, resource.properties as TableProperties, {
          replaceExisting,
        }),
      ),
    );
    const tablesMs = performance.now() - tablesStarted;
    tableResources.forEach(({ stackName, logicalId, resource }, index) => {
      const table = provisioned[index];
      if (table === undefined) return;
      tables.push(table.tableName);
      for (const property of unemulatedTableProperties(resource.properties)) {
        withoutLocalEffect.push(`${stackName}/${logicalId} (AWS::DynamoDB::Table): ${property}`);
      }
      if (table.streamArn) {
        (streamArns[stackName] ??= {})[logicalId] = { StreamArn: table.streamArn };
      }
    });
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
    const userPools = loadUserPools(allResources, cognito);
    unsupported.push(...userPools.unsupported);
    const parameters = loadParameters(allResources, parameterStore);
    const schedules = loadSchedules(allResources, scheduler);
    // Throws on a resource API Gateway refuses to create: that stack's deployment fails, and so does the start.
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
    const apiNames = new Map(apis.map((api) => [api.apiId, api.name]));
    const gateway = new RestApiGateway({
      apis,
      invoker: lambda,
      onRequest: (record) =>
        recordApiRequest(metricStore, apiNames.get(record.apiId) ?? record.apiId, record),
      defaultApiId: defaultApi?.apiId,
      traceRecorder,
      userPools: cognito,
      ...(options.identityClock === undefined ? {} : { identityClock: options.identityClock }),
    });
    gateway.setBaseUrl(apiServer.url);
    installFaultHooks(faults, { lambda, eventBridge, restApis: gateway });
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
    // Instances whose attributes name an API's stage URL are found at the local API, as functions find it.
    const cloudMapServices = loadCloudMap(
      allResources,
      cloudMap,
      (attributes) => rewriteApiUrls(attributes, localUrlFor) as Record<string, string>,
    );
    unsupported.push(...cloudMapServices.unsupported);
    const rules = loadEventBridge(allResources, eventBridge);
    unsupported.push(...rules.unsupported);
    const stateMachines = loadStateMachines(allResources, stepFunctions);
    unsupported.push(...stateMachines.unsupported);
    // Topics before alarms: an alarm's actions name its topics.
    const topics = loadSns(allResources, sns);
    unsupported.push(...topics.unsupported);
    const monitoring = loadCloudWatch(allResources, cloudWatch);
    unsupported.push(...monitoring.unsupported);
    const deploymentGroups = loadCodeDeploy(allResources, codeDeploy);
    unsupported.push(...deploymentGroups.unsupported);
    const redeployer = new Redeployer(
      {
        lambda,
        codeDeploy,
        cloudWatch,
        rewriteEnvironment: (env) => rewriteApiUrls(env, localUrlFor) as Record<string, string>,
        resolve: (next, versions) => {
          const overrides = versionOverrides(streamArns, versions);
          return flatten(resolveAll(next, edgeServer.url, overrides.attributes, overrides.refs));
        },
      },
      allResources,
      functions.versions,
    );

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
        apis.map((api) => ({ apiId: api.apiId, name: api.name, stages: api.stages })),
      ),
    );
    for (const source of eventSources.handles) await source.start();
    closers.push(async () => {
      await Promise.all(eventSources.handles.map((source) => source.stop()));
    });

    // Outputs and exports name the local API's URL where AWS's would name the API's stage URL, as the
    // functions' environment does: a client that reads them reaches the API that runs here.
    const asRunHere = (stack: ResolvedStack): ResolvedStack => ({
      ...stack,
      outputs: rewriteApiUrls(stack.outputs, localUrlFor) as Record<string, string>,
      exports: rewriteApiUrls(stack.exports, localUrlFor) as Record<string, string>,
    });
    const outputs = Object.fromEntries(
      [...resolved].map(([name, stack]) => [name, asRunHere(stack).outputs]),
    );
    // The stacks as CloudFormation's read API describes them: created now, all resources in place.
    const cloudFormation = new CloudFormationStacks(
      assembly.stacks.flatMap(({ stackName, template }) => {
        const stack = resolved.get(stackName);
        return stack === undefined ? [] : [{ stackName, template, resolved: asRunHere(stack) }];
      }),
    );
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
      userPools: userPools.names,
      parameters,
      schedules,
      cloudMapServices: cloudMapServices.names,
      alarms: monitoring.alarms,
      dashboards: monitoring.dashboards,
      topics: topics.names,
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
      cognito,
      gateway,
      defaultApi,
      outputs,
      eventSources.handles,
      closers,
      faults,
      xray,
      {
        totalMs: performance.now() - boot.started,
        assembly: boot.assembly,
        dynamoDbMs: boot.dynamoDbMs,
        tablesMs,
        enginesMs: performance.now() - enginesStarted - tablesMs,
      },
      scheduleClock,
      cloudWatch,
      sns,
      async (context) => {
        const synthesis = await synthesizeCached({
          projectDir: options.projectDir,
          cacheDir: options.assemblyCacheDir ?? path.join(options.projectDir, '.local', 'assemblies'),
          appCommand: options.appCommand,
          context: { ...options.context, ...context },
          // Versions run code of earlier assemblies: those are not pruned while the cloud runs.
          inUse: lambda.codeDirectories(),
        });
        return redeployer.apply(synthesis.assembly);
      },
    );
    // A request a function sends while it runs is served on its behalf: what it waits for goes first.
    const onBehalfOfCaller =
      (handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>) =>
      (req: IncomingMessage, res: ServerResponse): Promise<void> =>
        lambda.scheduler.runForCaller(takeCallerToken(req), () => handle(req, res));
    const xrayApi = new XRayApi(xray.store);
    handleEdge = onBehalfOfCaller(async (req, res) => {
      if (isDynamoDbRequest(req)) return proxyToDynamoDb(dynamo.endpoint, req, res);
      if (
        await serveJsonProtocol(
          [
            sqs,
            eventBridge,
            stepFunctions,
            cognito,
            parameterStore,
            cloudMap,
            cloudWatchJsonService(cloudWatch),
            codeDeploy,
          ],
          req,
          res,
        )
      )
        return;
      if (await serveQueryProtocol([cloudFormation, cloudWatchQueryService(cloudWatch), sns], req, res))
        return;
      if (serveUserPoolWellKnown(cognito, req, res)) return;
      if (await serveScheduler(scheduler, req, res)) return;
      if (await serveXRay(xrayApi, req, res)) return;
      if (await handleLambdaApi(lambda, req, res)) return;
      if (req.method === 'GET' && (req.url === '/' || isLocalEndpointUrl(req.url ?? '/'))) {
        return cloud.handleLocal(req, res);
      }
      sendJson(res, 404, { message: `No local AWS service answers ${req.method} ${req.url}` });
    });
    handleApi = onBehalfOfCaller(async (req, res) => {
      if (isLocalEndpointUrl(req.url ?? '/')) return cloud.handleLocal(req, res);
      if (await gateway.handle(req, res)) return;
      // The root is the default API's URL: an unknown path there is answered as API Gateway does.
      if (defaultApi) return sendJson(res, 403, { message: 'Missing Authentication Token' });
      sendJson(res, 404, { message: `Nothing is served at ${req.url}` });
    });
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

  /**
   * The machine under the local cloud (`/_local/machine`): the scheduler's budgets and queue, and the
   * memory of this process (every execution environment is a thread of it) and of DynamoDB Local.
   */
  machine(): {
    readonly invocations: SchedulerStats;
    readonly memory: {
      readonly localCloud: ResidentMemory & { readonly pid: number };
      readonly dynamoDbLocal?: ResidentMemory & { readonly pid: number };
    };
    readonly startup: StartupReport;
  } {
    const dynamoDbLocal = processMemory(this.dynamoDbPid);
    return {
      invocations: this.lambda.scheduler.stats(),
      memory: {
        localCloud: { pid: process.pid, ...ownMemory() },
        ...(dynamoDbLocal === undefined || this.dynamoDbPid === undefined
          ? {}
          : { dynamoDbLocal: { pid: this.dynamoDbPid, ...dynamoDbLocal } }),
      },
      startup: this.startup,
    };
  }

  /** The `/_local` endpoints: the local cloud's own view of what runs and what happened. */
  /** `POST /_local/deploy` `{ "context": { … } }`: `deploy`, answered with its report. */
  private async handleDeploy(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return sendJson(res, 405, { message: `Use POST ${DEPLOY_PATH}` });
    let context: Record<string, unknown>;
    try {
      const body = (await readBody(req, LOCAL_ENDPOINT_MAX_BODY_BYTES)).toString('utf8');
      const parsed: unknown = body.trim() === '' ? {} : JSON.parse(body);
      const given =
        typeof parsed === 'object' && parsed !== null
          ? (parsed as Record<string, unknown>).context
          : undefined;
      if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) {
        return sendJson(res, 400, { message: '"context" must be an object of CDK context values' });
      }
      context = (given ?? {}) as Record<string, unknown>;
    } catch (error) {
      if (error instanceof RequestBodyTooLargeError) return sendJson(res, 413, { message: error.message });
      return sendJson(res, 400, { message: `The body must be JSON: ${(error as Error).message}` });
    }
    try {
      return sendJson(res, 200, await this.deploy(context));
    } catch (error) {
      // A synthesis that fails (the app does not compile, a construct throws) is the app's error, not ours.
      return sendJson(res, 422, { message: error instanceof Error ? error.message : String(error) });
    }
  }

  private async handleLocal(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    if (isFaultsPath(url.pathname)) return handleFaultsApi(this.faults, req, res);
    if (url.pathname === CLOCK_PATH) return handleClockApi(this.scheduleClock, req, res);
    if (url.pathname === DEPLOY_PATH) return this.handleDeploy(req, res);
    // The other endpoints take no body: one is read and ignored within the limit of every `/_local` body.
    try {
      await readBody(req, LOCAL_ENDPOINT_MAX_BODY_BYTES);
    } catch (error) {
      if (error instanceof RequestBodyTooLargeError) return sendJson(res, 413, { message: error.message });
      throw error;
    }
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
        return sendJson(res, 200, {
          invocations: this.lambda.invocations(),
          evicted: this.lambda.invocationsEvicted,
        });
      case '/_local/logs':
        return sendJson(res, 200, this.lambda.functionLogs());
      case '/_local/machine':
        return sendJson(res, 200, this.machine());
      case '/_local/event-sources':
        return sendJson(res, 200, { eventSources: this.eventSources.map((source) => source.stats()) });
      case '/_local/deliveries':
        return sendJson(res, 200, {
          deliveries: this.eventBridge.deliveries(),
          evicted: this.eventBridge.deliveriesEvicted,
        });
      case '/_local/queues':
        return sendJson(res, 200, {
          queues: this.sqs.listQueueNames().map((name) => ({ name, ...this.sqs.approximateCounts(name) })),
        });
      case '/_local/executions':
        return sendJson(res, 200, {
          executions: this.stepFunctions.executions(),
          evicted: this.stepFunctions.executionsEvicted,
        });
      case '/_local/outputs':
        return sendJson(res, 200, this.outputs);
      case '/_local/user-pools':
        return sendJson(res, 200, { userPools: this.cognito.describe() });
      case '/_local/alarms':
        return sendJson(res, 200, { alarms: this.cloudWatch.alarmStates() });
      case '/_local/metrics':
        return sendJson(res, 200, {
          metrics: this.cloudWatch.store.list(),
          datapoints: this.cloudWatch.store.size,
          evicted: this.cloudWatch.store.evicted,
        });
      case '/_local/notifications':
        return sendJson(res, 200, { deliveries: this.sns.deliveries() });
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
        `AWS endpoint ${this.edgeUrl} (DynamoDB included)   ` +
        `X-Ray daemon udp://${this.xray.address}`,
      `Stacks: ${this.summary.stacks.join(', ')} (CloudFormation's read API on the AWS endpoint)`,
      `Started in ${describeStartup(this.startup)}`,
      section('REST APIs', apiLines),
      section('Routes', this.summary.routes),
      section('Tables', this.summary.tables),
      section('Functions', this.summary.functions),
      section('Event source mappings', this.summary.eventSources),
      section('Rules', this.summary.rules),
      section('Queues', this.summary.queues),
      section('State machines', this.summary.stateMachines),
      section('User pools', this.summary.userPools),
      section('Parameters', this.summary.parameters),
      section('Schedules', this.summary.schedules),
      section('Cloud Map services', this.summary.cloudMapServices),
      section('SNS topics', this.summary.topics),
      section('CloudWatch alarms', this.summary.alarms),
      section('CloudWatch dashboards', this.summary.dashboards),
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

/** ` (esbuild 2.1 s for 3 bundles, 36 from the bundle cache)`, or nothing when nothing was bundled. */
function bundlingSummary(bundles: number, bundlingMs: number, cachedBundles: number): string {
  const cached = cachedBundles > 0 ? `${cachedBundles} from the bundle cache` : '';
  if (bundles === 0) return cached === '' ? '' : ` (${cached})`;
  const ran = `esbuild ${(bundlingMs / 1000).toFixed(1)} s for ${bundles} bundles`;
  return ` (${cached === '' ? ran : `${ran}, ${cached}`})`;
}

/** `4.1 s: assembly kept (key 1a2b3c4d), DynamoDB Local 2.9 s, tables 0.2 s, engines 0.6 s` */
export function describeStartup(report: StartupReport): string {
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const { synthesis, key, keyMs } = report.assembly;
  const assembly = synthesis
    ? `synthesis ${seconds(synthesis.durationMs)}` +
      bundlingSummary(synthesis.bundles, synthesis.bundlingMs, synthesis.cachedBundles)
    : `assembly unchanged, kept one used (inputs hashed in ${seconds(keyMs)}, key ${key.slice(0, 8)})`;
  return (
    `${seconds(report.totalMs)}: ${assembly}, DynamoDB Local ready after ${seconds(report.dynamoDbMs)}, ` +
    `tables ${seconds(report.tablesMs)}, engines ${seconds(report.enginesMs)}`
  );
}

/** Reads and removes the caller header: what the function sent is the local cloud's business only. */
function takeCallerToken(req: IncomingMessage): string | undefined {
  const token = req.headers[CALLER_HEADER];
  if (token === undefined) return undefined;
  delete req.headers[CALLER_HEADER];
  const raw = req.rawHeaders;
  for (let i = raw.length - 2; i >= 0; i -= 2) {
    if (raw[i]?.toLowerCase() === CALLER_HEADER) raw.splice(i, 2);
  }
  return Array.isArray(token) ? token[0] : token;
}

function seededDraws(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

/** Where a change is deployed into the running cloud. */
export const DEPLOY_PATH = '/_local/deploy';

function resolveAll(
  assembly: CloudAssembly,
  sqsEndpoint: string,
  attributeOverrides: Record<string, Record<string, Record<string, string>>>,
  refOverrides: Record<string, Record<string, string>> = {},
): Map<string, ResolvedStack> {
  const exports = new Map<string, string>();
  const resolved = new Map<string, ResolvedStack>();
  for (const { stackName, template } of assembly.stacks) {
    const stack = resolveStack(stackName, template, {
      exports,
      sqsEndpoint,
      attributeOverrides: attributeOverrides[stackName],
      refOverrides: refOverrides[stackName],
    });
    for (const [name, value] of Object.entries(stack.exports)) exports.set(name, value);
    resolved.set(stackName, stack);
  }
  return resolved;
}

/** Every resource of the resolved stacks, with its stack and logical id. */
function flatten(resolved: Map<string, ResolvedStack>): LoadedResource[] {
  return [...resolved].flatMap(([stackName, stack]) =>
    Object.entries(stack.resources).map(([logicalId, resource]) => ({ stackName, logicalId, ...resource })),
  );
}

/**
 * The overrides that make references to published versions (`Ref`, `Fn::GetAtt …Version`) name the
 * numbers publishing gave them, over the stream ARNs of the tables.
 */
function versionOverrides(
  streamArns: Record<string, Record<string, Record<string, string>>>,
  versions: PublishedVersions,
): {
  attributes: Record<string, Record<string, Record<string, string>>>;
  refs: Record<string, Record<string, string>>;
} {
  const attributes = structuredClone(streamArns);
  const refs: Record<string, Record<string, string>> = {};
  for (const [key, published] of versions) {
    const [stackName = '', logicalId = ''] = key.split('/');
    (attributes[stackName] ??= {})[logicalId] = {
      Version: published.version,
      FunctionArn: published.arn.slice(0, published.arn.lastIndexOf(':')),
    };
    (refs[stackName] ??= {})[logicalId] = published.arn;
  }
  return { attributes, refs };
}

function describeApi(gateway: RestApiGateway) {
  return (api: RestApiModel) => ({
    apiId: api.apiId,
    name: api.name,
    urls: api.stages.map((stage) => gateway.localUrl(api.apiId, stage)),
    routes: api.routes.map((route) => ({
      method: route.method,
      path: route.resourcePath,
      authorizationType: route.authorizationType,
    })),
  });
}
