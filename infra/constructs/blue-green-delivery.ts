import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  SYNTHETIC_CHECK_PARAMETER_ENV,
  SYNTHETIC_CHECK_TIMEOUT_MS_ENV,
  TRAFFIC_HOOK_STAGE_ENV,
} from '../../functions/operations/config';
import {
  TRAFFIC_HOOK_SMOKE_REQUESTS_ENV,
  type SmokeRequest,
} from '../../functions/operations/contracts/traffic-hook';
import type { ContextMonitoring } from './context-monitoring';
import { ServiceFunction } from './service-function';

export interface BlueGreenDeliveryProps {
  /** The context's monitoring: its guard, and the new-version alarms it makes. */
  readonly monitoring: ContextMonitoring;
  /** Functions an API method invokes: smoke-tested with an API request no route answers with a success. */
  readonly apiFunctions?: readonly ServiceFunction[];
  /** Functions a queue or a stream invokes: smoke-tested with an empty batch. */
  readonly batchFunctions?: readonly ServiceFunction[];
  /**
   * Functions no harmless event reaches (Step Functions tasks, Cognito triggers, schedules, functions
   * other contexts invoke): smoke-tested with the start-up probe, which their Lambda entry must answer
   * (`answeringStartupProbe`).
   */
  readonly probedFunctions?: readonly ServiceFunction[];
  /**
   * On the order path: after traffic, a synthetic order placed through the API must also reach the read
   * model (`SyntheticOrderCheck`).
   * @default - the smoke request alone
   */
  readonly syntheticOrderCheck?: SyntheticOrderCheckOptions;
}

/** The synthetic order of a context's after-traffic hook. */
export interface SyntheticOrderCheckOptions {
  /** The SSM `SecureString` of the synthetic customer (contracts/synthetic-check.ts). */
  readonly parameterName: string;
  /** How long the order may take to reach the read model. @default 30 seconds */
  readonly timeout?: Duration;
}

/**
 * Blue/green deployments with CodeDeploy of a context's serving functions: a deployment that brings a
 * function a new version moves its `live` alias all at once (`LambdaAllAtOnce`) — after a
 * **before-traffic hook** invokes the new version directly with the function's smoke request, and
 * followed by an **after-traffic hook** that sends it through `live` and checks the new version ran it —
 * and rolls back when a hook fails or the guard or the version's own errors alarm fires
 * (`ContextMonitoring.newVersionErrorsAlarm`). CloudFormation hands the alias's update to CodeDeploy
 * (its `CodeDeployLambdaAliasUpdate` policy). Canary-delivered functions are the canary controller's,
 * and the hooks are not delivered by themselves.
 */
export class BlueGreenDelivery extends Construct {
  public readonly application: codedeploy.LambdaApplication;
  /** Smoke-tests the new version itself before it takes traffic. */
  public readonly beforeTrafficHook: ServiceFunction;
  /** Smoke-tests `live` once it points at the new version. */
  public readonly afterTrafficHook: ServiceFunction;
  public readonly deploymentGroups: readonly codedeploy.LambdaDeploymentGroup[];

  constructor(scope: Construct, id: string, props: BlueGreenDeliveryProps) {
    super(scope, id);
    const delivered: [ServiceFunction, SmokeRequest][] = [
      ...(props.apiFunctions ?? []).map((fn): [ServiceFunction, SmokeRequest] => [fn, 'api-request']),
      ...(props.batchFunctions ?? []).map((fn): [ServiceFunction, SmokeRequest] => [fn, 'empty-batch']),
      ...(props.probedFunctions ?? []).map((fn): [ServiceFunction, SmokeRequest] => [fn, 'startup-probe']),
    ];
    if (delivered.length === 0) throw new Error(`BlueGreenDelivery ${id}: give at least one function.`);
    const canaries = delivered.filter(([fn]) => fn.delivery === 'canary').map(([fn]) => fn.node.path);
    if (canaries.length > 0) {
      throw new Error(
        `BlueGreenDelivery ${id}: ${canaries.join(', ')} ${canaries.length === 1 ? 'is' : 'are'} delivered by the canary controller.`,
      );
    }
    const stack = Stack.of(this);
    this.application = new codedeploy.LambdaApplication(this, 'Application');
    const smokeRequests = stack.toJsonString(delivered.map(([fn, request]) => [fn.functionName, request]));
    const synthetic = props.syntheticOrderCheck;
    const syntheticTimeout = synthetic?.timeout ?? Duration.seconds(30);
    // The after-traffic hook of the order path also places the synthetic order.
    const hook = (hookId: string, stage: 'before' | 'after'): ServiceFunction => {
      const syntheticOrder = stage === 'after' ? synthetic : undefined;
      return new ServiceFunction(this, hookId, {
        entry: 'functions/operations/handlers/traffic-hook.handler.ts',
        service: 'operations',
        description: `CodeDeploy ${stage === 'before' ? 'BeforeAllowTraffic' : 'AfterAllowTraffic'} hook: a smoke request to the ${stage === 'before' ? 'new version' : 'live alias'}${syntheticOrder === undefined ? '' : ', and a synthetic order'}`,
        timeout:
          syntheticOrder === undefined ? Duration.seconds(60) : Duration.seconds(60).plus(syntheticTimeout),
        environment: {
          [TRAFFIC_HOOK_STAGE_ENV]: stage,
          [TRAFFIC_HOOK_SMOKE_REQUESTS_ENV]: smokeRequests,
          ...(syntheticOrder === undefined
            ? {}
            : {
                [SYNTHETIC_CHECK_PARAMETER_ENV]: syntheticOrder.parameterName,
                [SYNTHETIC_CHECK_TIMEOUT_MS_ENV]: String(syntheticTimeout.toMilliseconds()),
              }),
        },
      });
    };
    this.beforeTrafficHook = hook('BeforeTrafficHook', 'before');
    this.afterTrafficHook = hook('AfterTrafficHook', 'after');
    if (synthetic !== undefined) {
      // The synthetic customer's SecureString, under the account's default key (aws/ssm): its key policy
      // lets the account's principals decrypt through SSM.
      this.afterTrafficHook.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['ssm:GetParameter'],
          resources: [
            stack.formatArn({
              service: 'ssm',
              resource: 'parameter',
              resourceName: synthetic.parameterName.replace(/^\//, ''),
            }),
          ],
        }),
      );
    }
    for (const trafficHook of [this.beforeTrafficHook, this.afterTrafficHook]) {
      // The deployment's one target: its function, alias and versions.
      trafficHook.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['codedeploy:ListDeploymentTargets', 'codedeploy:GetDeploymentTarget'],
          resources: [
            stack.formatArn({
              service: 'codedeploy',
              resource: 'deploymentgroup',
              resourceName: `${this.application.applicationName}/*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ],
        }),
      );
    }
    this.deploymentGroups = delivered.map(([fn]) => {
      // The new version by its number (before), the alias (after): the function's qualified ARNs.
      fn.grantInvoke(this.beforeTrafficHook);
      fn.live.grantInvoke(this.afterTrafficHook);
      // Unique in the stack: 'OutboxRelay/Function' → 'OutboxRelayFunctionDeployment'.
      const name = fn.node.scopes
        .slice(stack.node.scopes.length)
        .map((scope) => scope.node.id)
        .join('');
      return new codedeploy.LambdaDeploymentGroup(this, `${name}Deployment`, {
        application: this.application,
        alias: fn.live,
        deploymentConfig: codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE,
        alarms: [props.monitoring.guard, props.monitoring.newVersionErrorsAlarm(fn)],
        autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
        preHook: this.beforeTrafficHook,
        postHook: this.afterTrafficHook,
      });
    });
    for (const trafficHook of [this.beforeTrafficHook, this.afterTrafficHook]) {
      props.monitoring.monitorFunction(trafficHook, { inGuard: false });
    }
  }
}
