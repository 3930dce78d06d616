import { BlueGreenDelivery } from '../constructs/blue-green-delivery';
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import { AlarmTopic } from '../constructs/alarm-topic';
import {
  type ApiMonitoringTarget,
  ContextMonitoring,
  type MonitoringThresholds,
} from '../constructs/context-monitoring';
import { DeadLetterQueue } from '../constructs/dead-letter-queue';
import { ServiceFunction } from '../constructs/service-function';

export interface PlatformStackProps extends StackProps {
  /**
   * The bus's name, and the prefix of the stack's export names and of the API's name: one per copy of
   * the app in an account and Region. @default 'shop'
   */
  readonly name?: string;
  /**
   * An address subscribed to the alarm topic (it confirms the subscription first).
   * @default - no subscription
   */
  readonly alarmEmail?: string;
  /** The platform's alarms' limits. @default ContextMonitoring's defaults */
  readonly thresholds?: MonitoringThresholds;
}

/** The one stage of the shop's API (`ApiStageStack`). */
export const API_STAGE_NAME = 'prod';

/** The shop API's stage, as its CloudWatch metrics name it: what a context's route alarms watch. */
export function sharedApiStage(api: apigateway.IRestApi): ApiMonitoringTarget {
  return { apiName: api.restApiName, stageName: API_STAGE_NAME };
}

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
  /**
   * The platform's AWS Cloud Map namespace (HTTP, named as the app): services register their
   * endpoints in it as instances with attributes (`url`, `healthUrl`, `zone`, `weight`, `version`),
   * and callers discover them there (`shared/discovery`).
   */
  public readonly namespace: servicediscovery.HttpNamespace;
  /** Probes every instance's `healthUrl` and sets its custom health status in the namespace. */
  public readonly healthCheckFunction: ServiceFunction;
  public readonly healthCheckRule: events.Rule;
  /**
   * Where every alarm of the app, and every context's guard, notify: one topic, so that an operator
   * subscribes once (docs/patterns/monitoring.md).
   */
  public readonly alarmTopic: AlarmTopic;
  /** The platform's own dashboard, alarms and guard: the health route and functions, the bus's dead letters. */
  public readonly monitoring: ContextMonitoring;

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
    this.api.root.addResource('health').addMethod('GET', new apigateway.LambdaIntegration(health.live));

    this.namespace = new servicediscovery.HttpNamespace(this, 'Namespace', {
      name,
      description: 'Where the services of the order platform register and find each other',
    });
    this.healthCheckFunction = new ServiceFunction(this, 'HealthCheckFunction', {
      entry: 'functions/platform/handlers/check-health.handler.ts',
      service: 'platform',
      description: "Probes every registered instance's health URL and sets its status in Cloud Map",
      timeout: Duration.seconds(30),
      environment: { NAMESPACE_ID: this.namespace.namespaceId, PROBE_TIMEOUT_MS: '2000' },
    });
    // Cloud Map's list actions take no resource; the status is set on services (of this account's
    // namespaces: the service ids are generated, so they are not known when the policy is written).
    this.healthCheckFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['servicediscovery:ListServices', 'servicediscovery:ListInstances'],
        resources: ['*'],
      }),
    );
    this.healthCheckFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['servicediscovery:UpdateInstanceCustomHealthStatus'],
        resources: [this.formatArn({ service: 'servicediscovery', resource: 'service', resourceName: '*' })],
      }),
    );
    // A minute: EventBridge's shortest rate. An instance that stops answering is out of discovery
    // within a minute (plus Cloud Map's own delay on AWS); until then callers fail over.
    const healthCheckDeadLetterQueue = new DeadLetterQueue(this, 'HealthCheckDeadLetterQueue');
    this.healthCheckRule = new events.Rule(this, 'HealthCheckSchedule', {
      description: 'Runs the health checker of the Cloud Map namespace',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [
        new targets.LambdaFunction(this.healthCheckFunction.live, {
          retryAttempts: 0,
          deadLetterQueue: healthCheckDeadLetterQueue,
        }),
      ],
    });

    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', {
      topicName: `${name}-alarms`,
      displayName: `${name} alarms`,
      email: props.alarmEmail,
    });
    this.monitoring = new ContextMonitoring(this, 'Monitoring', {
      service: 'platform',
      namePrefix: name,
      alarmTopic: this.alarmTopic,
      thresholds: props.thresholds,
    });
    this.monitoring.monitorFunctions(health, this.healthCheckFunction);
    // The API's function goes live blue/green, through CodeDeploy (docs/patterns/progressive-delivery.md).
    new BlueGreenDelivery(this, 'BlueGreen', {
      monitoring: this.monitoring,
      apiFunctions: [health],
      probedFunctions: [this.healthCheckFunction],
    });
    this.monitoring.monitorRoutes(sharedApiStage(this.api), this.api.methods);
    this.monitoring.monitorDeadLetterQueue(
      healthCheckDeadLetterQueue,
      'Scheduled health checks EventBridge could not deliver: discovery keeps stale health statuses',
    );
    if (this.alarmTopic.deliveryDeadLetterQueue !== undefined) {
      this.monitoring.monitorDeadLetterQueue(
        this.alarmTopic.deliveryDeadLetterQueue,
        'Alarm notifications the email subscription could not deliver',
      );
    }

    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
    new CfnOutput(this, 'NamespaceName', { value: this.namespace.namespaceName });
    new CfnOutput(this, 'HealthCheckFunctionName', { value: this.healthCheckFunction.functionName });
    new CfnOutput(this, 'EventBusName', {
      value: this.bus.eventBusName,
      exportName: `${name}-event-bus-name`,
    });
    new CfnOutput(this, 'EventBusArn', { value: this.bus.eventBusArn, exportName: `${name}-event-bus-arn` });
  }
}
