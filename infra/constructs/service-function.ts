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

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    if (!/^[a-z][a-z0-9-]*$/.test(props.service)) {
      throw new Error(
        `ServiceFunction ${id}: service '${props.service}' must be lower-case kebab-case, e.g. 'orders'.`,
      );
    }
    if (props.reservedConcurrentExecutions !== undefined && props.reservedConcurrentExecutions < 0) {
      throw new Error(`ServiceFunction ${id}: reservedConcurrentExecutions must be >= 0.`);
    }
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
      },
    });
    this.live = new lambda.Alias(this, 'Live', { aliasName: LIVE_ALIAS, version: this.currentVersion });
  }
}
