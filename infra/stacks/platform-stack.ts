import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { ServiceFunction } from '../constructs/service-function';

export interface PlatformStackProps extends StackProps {
  /**
   * The stage's throttle, per method (each method has a bucket of its own): requests a second.
   * @default 500
   */
  readonly apiRateLimit?: number;
  /** The burst each method may take above its rate. @default 1000 */
  readonly apiBurstLimit?: number;
}

/**
 * What every bounded context builds on: the `shop` event bus and the public REST API (REST v1, so the
 * same API runs on AWS, LocalStack's free tier and the local cloud).
 *
 * The API's stage throttles every method below the account's pool (10,000 requests a second, shared
 * by every API of the account and Region): one runaway client of one route cannot take it from the
 * others. Past it API Gateway answers 429 before any function runs.
 */
export class PlatformStack extends Stack {
  public readonly bus: events.EventBus;
  public readonly api: apigateway.RestApi;

  constructor(scope: Construct, id: string, props: PlatformStackProps = {}) {
    super(scope, id, props);

    this.bus = new events.EventBus(this, 'ShopBus', { eventBusName: 'shop' });

    this.api = new apigateway.RestApi(this, 'ShopApi', {
      restApiName: 'shop-api',
      description: 'The order platform public API',
      deployOptions: {
        stageName: 'prod',
        tracingEnabled: true,
        metricsEnabled: true,
        throttlingRateLimit: props.apiRateLimit ?? 500,
        throttlingBurstLimit: props.apiBurstLimit ?? 1_000,
      },
      cloudWatchRole: false,
    });

    const health = new ServiceFunction(this, 'HealthFunction', {
      entry: 'functions/platform/handlers/health.handler.ts',
      service: 'platform',
      description: 'GET /health: liveness of the API and the functions behind it',
    });
    this.api.root.addResource('health').addMethod('GET', new apigateway.LambdaIntegration(health));

    new CfnOutput(this, 'ApiUrl', { value: this.api.url });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName, exportName: 'shop-event-bus-name' });
    new CfnOutput(this, 'EventBusArn', { value: this.bus.eventBusArn, exportName: 'shop-event-bus-arn' });
  }
}
