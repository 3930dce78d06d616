import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { ServiceFunction } from '../constructs/service-function';

/**
 * What every bounded context builds on: the `shop` event bus and the public REST API (REST v1, so the
 * same API runs on AWS, LocalStack's free tier and the local cloud).
 */
export class PlatformStack extends Stack {
  public readonly bus: events.EventBus;
  public readonly api: apigateway.RestApi;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.bus = new events.EventBus(this, 'ShopBus', { eventBusName: 'shop' });

    this.api = new apigateway.RestApi(this, 'ShopApi', {
      restApiName: 'shop-api',
      description: 'The order platform public API',
      deployOptions: { stageName: 'prod', tracingEnabled: true, metricsEnabled: true },
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
