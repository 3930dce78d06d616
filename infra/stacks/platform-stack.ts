import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { ServiceFunction } from '../constructs/service-function';

export interface PlatformStackProps extends StackProps {
  /**
   * The bus's name, and the prefix of the stack's export names and of the API's name: one per copy of
   * the app in an account and Region. @default 'shop'
   */
  readonly name?: string;
}

/** The one stage of the shop's API (`ApiStageStack`). */
export const API_STAGE_NAME = 'prod';

/**
 * What every bounded context builds on: the `shop` event bus and the public REST API (REST v1, so the
 * same API runs on AWS, LocalStack's free tier and the local cloud), with its own route, `GET /health`.
 *
 * The API has no deployment here: every context adds its routes from its own stack, and `ApiStageStack`,
 * deployed after all of them, owns the API's one deployment and stage. The API owns the account's API
 * Gateway CloudWatch role, which the stage's execution logs need.
 */
export class PlatformStack extends Stack {
  public readonly bus: events.EventBus;
  public readonly api: apigateway.RestApi;
  /** The stage's URL, with a trailing slash, known before the stage exists (`ApiStageStack` makes it). */
  public readonly apiUrl: string;

  constructor(scope: Construct, id: string, props: PlatformStackProps = {}) {
    super(scope, id, props);

    const name = props.name ?? 'shop';
    this.bus = new events.EventBus(this, 'ShopBus', { eventBusName: name });

    this.api = new apigateway.RestApi(this, 'ShopApi', {
      restApiName: `${name}-api`,
      description: 'The order platform public API',
      deploy: false,
      // Execution logs need the account's API Gateway role; this API sets it for the account.
      cloudWatchRole: true,
    });
    this.apiUrl = `https://${this.api.restApiId}.execute-api.${this.region}.${this.urlSuffix}/${API_STAGE_NAME}/`;

    const health = new ServiceFunction(this, 'HealthFunction', {
      entry: 'functions/platform/handlers/health.handler.ts',
      service: 'platform',
      description: 'GET /health: liveness of the API and the functions behind it',
    });
    this.api.root.addResource('health').addMethod('GET', new apigateway.LambdaIntegration(health));

    new CfnOutput(this, 'EventBusName', {
      value: this.bus.eventBusName,
      exportName: `${name}-event-bus-name`,
    });
    new CfnOutput(this, 'EventBusArn', { value: this.bus.eventBusArn, exportName: `${name}-event-bus-arn` });
  }
}
