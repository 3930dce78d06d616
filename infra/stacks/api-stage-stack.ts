import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { ApiStageLogging } from '../constructs/api-stage-logging';
import type { ContextRoutes } from '../constructs/context-routes';
import { API_STAGE_NAME } from './platform-stack';

/** A method's own token bucket: requests a second, and the burst above it. */
export interface MethodLimit {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface ApiStageStackProps extends StackProps {
  /** The platform's REST API, with its own methods (`GET /health`). */
  readonly api: apigateway.RestApi;
  /** Every context's routes on the API. */
  readonly routes: readonly ContextRoutes[];
  /**
   * The stage's throttle, per method (each method has a bucket of its own): requests a second.
   * @default 500
   */
  readonly rateLimit?: number;
  /** The burst each method may take above its rate. @default 1000 */
  readonly burstLimit?: number;
  /**
   * Tighter limits of single methods, by `'<METHOD> <path>'` (e.g. `'POST /orders'`): each must be a
   * route of `routes`. @default none
   */
  readonly methodLimits?: Readonly<Record<string, MethodLimit>>;
  /**
   * Put the stage behind an AWS WAF web ACL with AWS's managed common rule set and known-bad-inputs
   * rules (the `prod` stage does). @default false
   */
  readonly webAcl?: boolean;
}

/**
 * The shop API's one deployment and its one stage, `prod`, deployed after every stack that adds routes.
 *
 * One owner: a deployment is a snapshot of the whole API, and a stage points at one deployment. Were each
 * context's stack to deploy the API to the stage itself, each would claim the stage, and an update of one
 * could point it back at a snapshot without the others' later routes. Here the deployment waits for every
 * method of every context and is made anew (a new logical id) whenever a route is added, removed or
 * changed: `cdk deploy` of a context's stack then this one puts it live.
 *
 * The stage throttles every method below the account's pool (10,000 requests a second, shared by every
 * API of the account and Region): one runaway client of one route cannot take it from the others. Past
 * it API Gateway answers 429 before any function runs. Every request has an access log line (JSON) and
 * API Gateway's own errors an execution log line (`ApiStageLogging`).
 */
export class ApiStageStack extends Stack {
  public readonly stage: apigateway.Stage;
  public readonly logging: ApiStageLogging;
  /** In front of the stage when `webAcl` is set. */
  public readonly webAcl?: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: ApiStageStackProps) {
    super(scope, id, props);

    // Imported by id, so the deployment and stage are resources of this stack, not of the API's.
    const api = apigateway.RestApi.fromRestApiAttributes(this, 'Api', {
      restApiId: props.api.restApiId,
      rootResourceId: props.api.restApiRootResourceId,
    });
    const deployment = new apigateway.Deployment(this, 'Deployment', {
      api,
      description: 'Every route of every context',
    });
    for (const method of props.api.methods) {
      deployment.node.addDependency(method);
      deployment.addToLogicalId({ httpMethod: method.httpMethod, path: method.resource.path });
    }
    for (const routes of props.routes) {
      for (const method of routes.methods) deployment.node.addDependency(method);
      for (const fingerprint of routes.fingerprints) deployment.addToLogicalId(fingerprint);
    }

    this.logging = new ApiStageLogging(this, 'Logging');
    this.stage = new apigateway.Stage(this, 'Stage', {
      deployment,
      stageName: API_STAGE_NAME,
      tracingEnabled: true,
      metricsEnabled: true,
      throttlingRateLimit: props.rateLimit ?? 500,
      throttlingBurstLimit: props.burstLimit ?? 1_000,
      methodOptions: methodOptionsOf(props.methodLimits ?? {}, props.routes),
      ...this.logging.deployOptions,
    });
    if (props.webAcl === true) this.webAcl = protectWithWebAcl(this, this.stage);

    new CfnOutput(this, 'ApiUrl', { value: this.stage.urlForPath('/') });
  }
}

/** `MethodLimit`s as the stage's method settings (`/<path>/<METHOD>`), each checked to be a route. */
function methodOptionsOf(
  limits: Readonly<Record<string, MethodLimit>>,
  routes: readonly ContextRoutes[],
): Record<string, apigateway.MethodDeploymentOptions> {
  const known = new Set(
    routes.flatMap((context) =>
      context.fingerprints.map(({ httpMethod, path }) => `${String(httpMethod)} ${String(path)}`),
    ),
  );
  return Object.fromEntries(
    Object.entries(limits).map(([route, limit]) => {
      if (!known.has(route)) {
        throw new Error(`ApiStageStack: a limit is set for ${route}, which is no route of the API.`);
      }
      const [method, path] = route.split(' ');
      return [
        `${path}/${method}`,
        { throttlingRateLimit: limit.rateLimit, throttlingBurstLimit: limit.burstLimit },
      ];
    }),
  );
}

/**
 * A regional web ACL on the stage: AWS's managed common rule set (OWASP-style request checks, bodies
 * over 8 KB among them — an order of 50 lines is about 4 KB) and known bad inputs; everything else is
 * allowed, every request sampled and counted in CloudWatch.
 */
function protectWithWebAcl(scope: Construct, stage: apigateway.Stage): wafv2.CfnWebACL {
  const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
    cloudWatchMetricsEnabled: true,
    sampledRequestsEnabled: true,
    metricName,
  });
  const managed = (name: string, priority: number): wafv2.CfnWebACL.RuleProperty => ({
    name,
    priority,
    overrideAction: { none: {} },
    statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
    visibilityConfig: visibility(name),
  });
  const acl = new wafv2.CfnWebACL(scope, 'ApiWebAcl', {
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: visibility('shop-api'),
    rules: [managed('AWSManagedRulesCommonRuleSet', 0), managed('AWSManagedRulesKnownBadInputsRuleSet', 1)],
  });
  new wafv2.CfnWebACLAssociation(scope, 'ApiWebAclAssociation', {
    resourceArn: stage.stageArn,
    webAclArn: acl.attrArn,
  });
  return acl;
}
