import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as events from 'aws-cdk-lib/aws-events';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { ApiStageLogging } from '../constructs/api-stage-logging';
import { ServiceFunction } from '../constructs/service-function';

export interface PlatformStackProps extends StackProps {
  /**
   * The stage's throttle, per method (each method has a bucket of its own): requests a second.
   * @default 500
   */
  readonly apiRateLimit?: number;
  /** The burst each method may take above its rate. @default 1000 */
  readonly apiBurstLimit?: number;
  /**
   * The bus's name, and the prefix of the stack's export names and of the API's name: one per copy of
   * the app in an account and Region. @default 'shop'
   */
  readonly name?: string;
  /**
   * Put the API behind an AWS WAF web ACL with AWS's managed common rule set and known-bad-inputs
   * rules (the `prod` stage does). @default false
   */
  readonly webAcl?: boolean;
}

/**
 * What every bounded context builds on: the `shop` event bus and the public REST API (REST v1, so the
 * same API runs on AWS, LocalStack's free tier and the local cloud).
 *
 * The API's stage throttles every method below the account's pool (10,000 requests a second, shared
 * by every API of the account and Region): one runaway client of one route cannot take it from the
 * others. Past it API Gateway answers 429 before any function runs.
 *
 * Every request has an access log line (JSON) and API Gateway's own errors an execution log line
 * (`ApiStageLogging`); the API owns the account's API Gateway CloudWatch role that execution logs need.
 */
export class PlatformStack extends Stack {
  public readonly bus: events.EventBus;
  public readonly api: apigateway.RestApi;
  public readonly apiLogging: ApiStageLogging;
  /** In front of the API's stage when `webAcl` is set. */
  public readonly webAcl?: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: PlatformStackProps = {}) {
    super(scope, id, props);

    const name = props.name ?? 'shop';
    this.bus = new events.EventBus(this, 'ShopBus', { eventBusName: name });

    this.apiLogging = new ApiStageLogging(this, 'ShopApiLogging');
    this.api = new apigateway.RestApi(this, 'ShopApi', {
      restApiName: `${name}-api`,
      description: 'The order platform public API',
      deployOptions: {
        stageName: 'prod',
        tracingEnabled: true,
        metricsEnabled: true,
        throttlingRateLimit: props.apiRateLimit ?? 500,
        throttlingBurstLimit: props.apiBurstLimit ?? 1_000,
        ...this.apiLogging.deployOptions,
      },
      // Execution logs need the account's API Gateway role; this API sets it for the account.
      cloudWatchRole: true,
    });
    if (props.webAcl === true) this.webAcl = protectWithWebAcl(this, this.api.deploymentStage);

    const health = new ServiceFunction(this, 'HealthFunction', {
      entry: 'functions/platform/handlers/health.handler.ts',
      service: 'platform',
      description: 'GET /health: liveness of the API and the functions behind it',
    });
    this.api.root.addResource('health').addMethod('GET', new apigateway.LambdaIntegration(health));

    new CfnOutput(this, 'ApiUrl', { value: this.api.url });
    new CfnOutput(this, 'EventBusName', {
      value: this.bus.eventBusName,
      exportName: `${name}-event-bus-name`,
    });
    new CfnOutput(this, 'EventBusArn', { value: this.bus.eventBusArn, exportName: `${name}-event-bus-arn` });
  }
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
