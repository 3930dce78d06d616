import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * The most a function's `index.js` may weigh: the largest was 839 KB when it was set (`npm run
 * bench:cold-start`), before the payments functions took the SSM client to read the processor's key;
 * an import that drags a whole package in (a namespace object, a CommonJS build) does not fit.
 * Lambda's init time grows with the code it loads (docs/benchmarks.md, cold starts).
 */
export const BUNDLE_BUDGET_BYTES = 900 * 1024;

/** The package whose `defaultProvider` every SDK client takes its credentials from by default. */
const SDK_CREDENTIAL_CHAIN = '@aws-sdk/credential-provider-node';
/** What the bundles take instead, relative to the repository root (esbuild runs there). */
const LAMBDA_CREDENTIALS = 'shared/aws/lambda-credentials.ts';

/** The CloudWatch namespace of every function's EMF metrics (`POWERTOOLS_METRICS_NAMESPACE`). */
export const METRICS_NAMESPACE = 'Shop';

/** The alias every trigger of a function invokes; a rollout moves it from one version to the next. */
export const LIVE_ALIAS = 'live';

/**
 * CDK context: the version each canary-delivered function's `live` alias stays on, by construct path
 * (`{"ShopOrders/CreateOrderFunction":"3"}`, an object or its JSON). The rollout tooling reads the
 * aliases and sets it, so a deployment publishes the new version without moving traffic to it: the
 * canary controller does (docs/patterns/progressive-delivery.md).
 */
export const LIVE_VERSIONS_CONTEXT = 'shop:liveVersions';

/**
 * CDK context: the share (0–1) of requests a canary-delivered function's build fails on purpose, to
 * show a rollout catching a bad version (`npm run demo:canary`). Compiled into the bundle: a build
 * without it carries no trace of the switch.
 */
export const INJECTED_FAILURE_CONTEXT = 'shop:injectedFailureRate';

/**
 * CDK context: a label of the release being deployed, in every function's configuration
 * (`SHOP_RELEASE`): a new label publishes a new version of each function, as a new build would.
 */
export const RELEASE_CONTEXT = 'shop:release';

/** How a new version of a function reaches its traffic. */
export type Delivery = 'all-at-once' | 'canary';

/** The repository root: `NodejsFunction` bundles from here with the project's own lockfile. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export interface ServiceFunctionProps {
  /** Path of the handler module, relative to the repository root (e.g. `functions/orders/handlers/create-order.handler.ts`). */
  readonly entry: string;
  /** Name of the exported handler. @default 'handler' */
  readonly handler?: string;
  /** The bounded context the function belongs to; becomes `POWERTOOLS_SERVICE_NAME`. */
  readonly service: string;
  /** @default - a name CloudFormation generates */
  readonly functionName?: string;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default - no reserved concurrency (the account's unreserved pool) */
  readonly reservedConcurrentExecutions?: number;
  /** Extra environment variables, merged over the house defaults. */
  readonly environment?: Record<string, string>;
  /** @default 'INFO' */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  readonly description?: string;
  /**
   * `canary`: a deployment publishes the new version and leaves `live` where it is (the version in
   * `shop:liveVersions`); the canary controller moves it, 1 → 5 → 10 → 50 → 100 %.
   * @default 'all-at-once' - the deployment points `live` at the new version
   */
  readonly delivery?: Delivery;
}

/**
 * A Lambda function with the house defaults: Node.js 22 on ARM64, active X-Ray tracing, its own log
 * group with a retention, source maps, JSON logs, and the Powertools environment.
 *
 * The AWS SDK is bundled rather than taken from the runtime, so the artefact that runs locally is
 * byte for byte the one `cdk deploy` uploads, with the versions pinned in the lockfile.
 */
export class ServiceFunction extends nodejs.NodejsFunction {
  /**
   * What API integrations, rule targets, event source mappings, state machine tasks and other functions
   * invoke: the `live` alias of the version this deployment published. A new version takes traffic only
   * when a rollout moves the alias (docs/patterns/progressive-delivery.md).
   */
  public readonly live: lambda.Alias;
  public readonly delivery: Delivery;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    if (!/^[a-z][a-z0-9-]*$/.test(props.service)) {
      throw new Error(
        `ServiceFunction ${id}: service '${props.service}' must be lower-case kebab-case, e.g. 'orders'.`,
      );
    }
    if (props.reservedConcurrentExecutions !== undefined && props.reservedConcurrentExecutions < 0) {
      throw new Error(`ServiceFunction ${id}: reservedConcurrentExecutions must be >= 0.`);
    }
    const delivery = props.delivery ?? 'all-at-once';
    const injectedFailureRate =
      delivery === 'canary' ? injectedFailureRateOf(scope.node.tryGetContext(INJECTED_FAILURE_CONTEXT)) : 0;
    const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      entry: path.resolve(PROJECT_ROOT, props.entry),
      handler: props.handler ?? 'handler',
      functionName: props.functionName,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.service,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        ...releaseOf(scope.node.tryGetContext(RELEASE_CONTEXT)),
        ...props.environment,
      },
      bundling: {
        target: 'node22',
        format: nodejs.OutputFormat.CJS,
        sourceMap: true,
        minify: true,
        keepNames: true,
        // The packages' ES module builds first: esbuild tree-shakes them, not their CommonJS builds
        // (the SDK's and Powertools' unused code falls out; see docs/benchmarks.md, bundle sizes).
        mainFields: ['module', 'main'],
        // Bundle the SDK: the deployed and the locally run artefact are the same, versions pinned.
        externalModules: [],
        // A function's credentials are in its environment: the SDK's default credential chain (ini
        // files, SSO, STS, instance metadata…, ~130 KB) gives way to that one provider.
        esbuildArgs: { '--alias': `${SDK_CREDENTIAL_CHAIN}=./${LAMBDA_CREDENTIALS}` },
        // A constant, so a build without injected failures drops the code that injects them.
        define: { [INJECTED_FAILURE_RATE_CONSTANT]: JSON.stringify(injectedFailureRate) },
      },
    });
    this.delivery = delivery;
    // Every deployment publishes the version it made; `live` follows it unless a canary holds it back.
    const published = this.currentVersion;
    const held =
      delivery === 'canary'
        ? liveVersionsOf(this.node.tryGetContext(LIVE_VERSIONS_CONTEXT))[this.node.path]
        : undefined;
    this.live = new lambda.Alias(this, 'Live', {
      aliasName: LIVE_ALIAS,
      version:
        held === undefined
          ? published
          : lambda.Version.fromVersionAttributes(this, 'HeldVersion', { lambda: this, version: held }),
    });
  }
}

/** The expression the bundler replaces with the injected failure rate (`shared/observability/injected-failure.ts`). */
const INJECTED_FAILURE_RATE_CONSTANT = 'process.env.SHOP_INJECTED_FAILURE_RATE';

function releaseOf(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(value)) {
    throw new Error(
      `${RELEASE_CONTEXT} must be a label of letters, digits, '.', '_' or '-', not '${String(value)}'.`,
    );
  }
  return { SHOP_RELEASE: value };
}

function injectedFailureRateOf(value: unknown): number {
  if (value === undefined) return 0;
  const rate = Number(value);
  if (!(rate >= 0 && rate <= 1)) {
    throw new Error(`${INJECTED_FAILURE_CONTEXT} must be a number from 0 to 1, not '${String(value)}'.`);
  }
  return rate;
}

function liveVersionsOf(value: unknown): Readonly<Record<string, string>> {
  if (value === undefined) return {};
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(
      `${LIVE_VERSIONS_CONTEXT} must map construct paths to versions, e.g. {"ShopOrders/CreateOrderFunction":"3"}.`,
    );
  }
  return Object.fromEntries(
    Object.entries(parsed).map(([path, version]) => {
      if (!/^[1-9][0-9]*$/.test(String(version))) {
        throw new Error(
          `${LIVE_VERSIONS_CONTEXT}: '${String(version)}' (${path}) is not a published version.`,
        );
      }
      return [path, String(version)];
    }),
  );
}
