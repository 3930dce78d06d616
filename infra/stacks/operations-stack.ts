import {
  ArnFormat,
  CfnOutput,
  CrossStackReferences,
  Duration,
  ReferenceStrength,
  Stack,
  StackProps,
} from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { OPERATIONS_TABLE_ENV } from '../../functions/operations/config';
import { CanaryRollout } from '../constructs/canary-rollout';
import { BlueGreenDelivery } from '../constructs/blue-green-delivery';
import { ContextMonitoring, type MonitoringOptions } from '../constructs/context-monitoring';
import { ContextRoutes } from '../constructs/context-routes';
import { ContextTable } from '../constructs/context-table';
import { ServiceFunction } from '../constructs/service-function';
import { sharedApiStage } from './platform-stack';

export interface OperationsStackProps extends StackProps {
  /** The platform's public REST API: `POST /deployments/{rolloutId}/approval` is added to it. */
  readonly api: apigateway.IRestApi;
  /** Checks the caller's ID token (the users stack's Cognito authorizer); the function admits staff only. */
  readonly authorizer: apigateway.IAuthorizer;
  /** The platform's bus: the rollouts' events (`shop.operations`) go there. */
  readonly bus: events.IEventBus;
  /**
   * The functions whose aliases the controller may read and move, as a pattern of function names: the
   * app's functions are named by CloudFormation after their stacks (`ShopOrders-CreateOrderFunction…`),
   * so the app's stack-name prefix and `*` (`Shop*`) names every one of them and nothing of other apps
   * with other names.
   */
  readonly functionNamePattern: string;
  /** The aliases it may move. @default ['live'] */
  readonly aliasNames?: readonly string[];
  /**
   * The alarms a rollout may read, as name patterns: the app's own (`shop-*`, and the ones CloudFormation
   * named after their stacks, `Shop*`). @default [`${namePrefix}-*`, functionNamePattern]
   */
  readonly alarmNamePatterns?: readonly string[];
  /** Each step's bake when the execution's input gives none. @default Duration.minutes(10) */
  readonly bakeTime?: Duration;
  /** How long the approval at 50 % may take before the rollout rolls back. @default Duration.hours(24) */
  readonly approvalDeadline?: Duration;
  /**
   * Where the context's alarms notify, the prefix of their names, and their limits.
   * @default a topic of the context's own, the prefix `shop`, ContextMonitoring's limits
   */
  readonly monitoring?: MonitoringOptions;
}

const SERVICE = 'operations';
const handler = (name: string): string => `functions/operations/handlers/${name}.handler.ts`;

/**
 * The operations context: the canary rollout controller of the app's Lambda aliases (`CanaryRollout`,
 * 1 → 5 → 10 → 50 → 100 %, approval at 50 %, roll-back on the guard or the new version's errors alarm),
 * its `rollout-step` function, the table where rollouts and their approval tokens are kept, and
 * `POST /deployments/{rolloutId}/approval` for staff. See docs/patterns/progressive-delivery.md.
 */
export class OperationsStack extends Stack {
  public readonly table: ContextTable;
  /** Every Lambda task of the rollout: start, evaluate, shift, request-approval, roll-back. */
  public readonly rolloutStepFunction: ServiceFunction;
  /** `POST /deployments/{rolloutId}/approval`. */
  public readonly decideApprovalFunction: ServiceFunction;
  public readonly rollout: CanaryRollout;
  public readonly routes: ContextRoutes;
  public readonly monitoring: ContextMonitoring;

  constructor(scope: Construct, id: string, props: OperationsStackProps) {
    super(scope, id, props);
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    if (!/^[A-Za-z0-9_-]+\*?$/.test(props.functionNamePattern) || props.functionNamePattern === '*') {
      throw new Error(
        `OperationsStack ${id}: functionNamePattern must be a function name prefix and '*' (e.g. 'Shop*'), ` +
          `not '${props.functionNamePattern}': the controller moves the app's aliases, not the account's.`,
      );
    }
    const namePrefix = props.monitoring?.namePrefix ?? 'shop';
    const aliasNames = props.aliasNames ?? ['live'];
    const alarmNamePatterns = props.alarmNamePatterns ?? [`${namePrefix}-*`, props.functionNamePattern];

    this.table = new ContextTable(this, 'Table');
    const environment = { [OPERATIONS_TABLE_ENV]: this.table.tableName };

    this.rolloutStepFunction = new ServiceFunction(this, 'RolloutStepFunction', {
      entry: handler('rollout-step'),
      service: SERVICE,
      description:
        'Canary rollout steps: start, evaluate (alias and alarms), shift, request approval, roll back',
      timeout: Duration.seconds(30),
      environment,
    });
    this.rolloutStepFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['lambda:GetAlias', 'lambda:UpdateAlias'],
        resources: aliasNames.map((alias) =>
          this.formatArn({
            service: 'lambda',
            resource: 'function',
            resourceName: `${props.functionNamePattern}:${alias}`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ),
      }),
    );
    this.rolloutStepFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:DescribeAlarms'],
        resources: alarmNamePatterns.map((pattern) =>
          this.formatArn({
            service: 'cloudwatch',
            resource: 'alarm',
            resourceName: pattern,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ),
      }),
    );
    // Records a rollout, keeps its approval's token.
    this.table.grant(this.rolloutStepFunction, 'dynamodb:PutItem', 'dynamodb:UpdateItem');

    this.rollout = new CanaryRollout(this, 'CanaryRollout', {
      stepFunction: this.rolloutStepFunction.live,
      bus: props.bus,
      ...(props.bakeTime === undefined ? {} : { bakeTime: props.bakeTime }),
      ...(props.approvalDeadline === undefined ? {} : { approvalDeadline: props.approvalDeadline }),
    });

    this.decideApprovalFunction = new ServiceFunction(this, 'DecideApprovalFunction', {
      entry: handler('decide-rollout-approval'),
      service: SERVICE,
      description: 'POST /deployments/{rolloutId}/approval (staff): resumes or aborts the waiting rollout',
      environment,
    });
    this.table.grant(this.decideApprovalFunction, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    this.rollout.grantTaskResponse(this.decideApprovalFunction);

    this.routes = new ContextRoutes(this, 'Routes', {
      api: props.api,
      authorizer: props.authorizer,
      routes: [
        {
          path: '/deployments/{rolloutId}/approval',
          method: 'POST',
          handler: this.decideApprovalFunction.live,
        },
      ],
    });

    this.monitoring = new ContextMonitoring(this, 'Monitoring', { ...props.monitoring, service: SERVICE });
    // The API's functions go live blue/green, through CodeDeploy (docs/patterns/progressive-delivery.md).
    new BlueGreenDelivery(this, 'BlueGreen', {
      monitoring: this.monitoring,
      apiFunctions: [this.decideApprovalFunction],
      probedFunctions: [this.rolloutStepFunction],
    });
    this.monitoring.monitorFunctions(this.rolloutStepFunction, this.decideApprovalFunction);
    this.monitoring.monitorStateMachine(this.rollout.stateMachine);
    this.monitoring.monitorRoutes(sharedApiStage(props.api), this.routes.methods);

    new CfnOutput(this, 'RolloutStateMachineArn', { value: this.rollout.stateMachine.stateMachineArn });
    new CfnOutput(this, 'OperationsTableName', { value: this.table.tableName });
  }
}
