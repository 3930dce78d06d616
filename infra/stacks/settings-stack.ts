import { CfnOutput, CrossStackReferences, Duration, ReferenceStrength, Stack, StackProps } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as eventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  READ_QUORUM_ENV,
  REPAIR_QUEUE_URL_ENV,
  REPLICA_TABLES_ENV,
  REPLICA_TIMEOUT_ENV,
  WRITE_QUORUM_ENV,
} from '../../functions/settings/config';
import { STORE_METRICS } from '../../functions/settings/ports/store-metrics';
import { checkedQuorum, DEFAULT_QUORUM, type Quorum } from '../../functions/settings/domain/quorum';
import { ContextRoutes } from '../constructs/context-routes';
import { BlueGreenDelivery } from '../constructs/blue-green-delivery';
import { ContextMonitoring, type MonitoringOptions } from '../constructs/context-monitoring';
import { sharedApiStage } from './platform-stack';
import { ContextTable } from '../constructs/context-table';
import { DeadLetterQueue } from '../constructs/dead-letter-queue';
import { firstMessageAlarm } from '../constructs/queue-alarms';
import { ServiceFunction } from '../constructs/service-function';

export interface SettingsStackProps extends StackProps {
  /**
   * Where the context's alarms notify, the prefix of their names, and their limits.
   * @default a topic of the context's own, the prefix `shop`, ContextMonitoring's limits
   */
  readonly monitoring?: MonitoringOptions;
  /** The platform's public REST API; the `/kv` routes are added to it from this stack. */
  readonly api: apigateway.IRestApi;
  /** Checks the caller's ID token on every route (the users stack's Cognito authorizer). */
  readonly authorizer: apigateway.IAuthorizer;
  /**
   * R and W over the replica tables; N is the number of tables.
   * @default DEFAULT_QUORUM (N = 3, W = 2, R = 2)
   */
  readonly quorum?: Quorum;
  /** How long one replica call may take before it counts as no answer. @default Duration.seconds(1) */
  readonly replicaTimeout?: Duration;
  /** How often the anti-entropy sweep runs. @default Duration.minutes(10) */
  readonly sweepInterval?: Duration;
}

const SERVICE = 'settings';
const handler = (name: string): string => `functions/settings/handlers/${name}.handler.ts`;

/**
 * The settings context: a key-value store of shared settings and feature flags, replicated Dynamo-style
 * over N tables that stand for N storage nodes (`/kv/{key}` on the shared API; any signed-in user reads,
 * staff write). Writes go to every replica and succeed at W acknowledgements; reads answer from R
 * replicas and repair the stale ones they see (read repair); replicas late to a read are repaired in the
 * background from a queue; a scheduled sweep repairs the keys nobody reads (anti-entropy).
 * See docs/patterns/read-repair.md.
 */
export class SettingsStack extends Stack {
  /** The context's dashboard, alarms and guard (docs/patterns/monitoring.md). */
  public readonly monitoring: ContextMonitoring;
  /** The context's routes on the shared API, for the API's deployment (`ApiStageStack`). */
  public readonly routes: ContextRoutes;
  /** The storage nodes: one table each, the same key layout (`functions/settings/adapters/setting-items.ts`). */
  public readonly replicaTables: readonly ContextTable[];
  public readonly getSettingFunction: ServiceFunction;
  public readonly putSettingFunction: ServiceFunction;
  /** Repairs replicas that were late to a read, from `repairQueue`. */
  public readonly repairFunction: ServiceFunction;
  public readonly repairQueue: sqs.Queue;
  /** Repairs that failed for good, and sweeps EventBridge could not start. */
  public readonly repairDeadLetterQueue: sqs.Queue;
  public readonly sweepFunction: ServiceFunction;
  public readonly sweepRule: events.Rule;
  public readonly repairDeadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: SettingsStackProps) {
    super(scope, id, props);
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    const quorum = checkedQuorum(props.quorum ?? DEFAULT_QUORUM);

    this.replicaTables = Array.from(
      { length: quorum.replicas },
      (_, index) => new ContextTable(this, `ReplicaTable${index + 1}`),
    );
    const storeEnv = {
      [REPLICA_TABLES_ENV]: this.replicaTables.map((table) => table.tableName).join(','),
      [READ_QUORUM_ENV]: String(quorum.readQuorum),
      [WRITE_QUORUM_ENV]: String(quorum.writeQuorum),
      [REPLICA_TIMEOUT_ENV]: String((props.replicaTimeout ?? Duration.seconds(1)).toMilliseconds()),
    };

    this.repairDeadLetterQueue = new DeadLetterQueue(this, 'RepairDeadLetterQueue');
    this.repairQueue = new sqs.Queue(this, 'RepairQueue', {
      visibilityTimeout: Duration.seconds(60),
      retentionPeriod: Duration.days(1),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.repairDeadLetterQueue, maxReceiveCount: 10 },
    });

    this.getSettingFunction = new ServiceFunction(this, 'GetSettingFunction', {
      entry: handler('get-setting'),
      service: SERVICE,
      description: 'GET /kv/{key}: a quorum read of the replicas, repairing the stale ones it sees',
      environment: { ...storeEnv, [REPAIR_QUEUE_URL_ENV]: this.repairQueue.queueUrl },
    });
    // Reads, and repairs: a conditional put of the newest version.
    this.grantReplicas(this.getSettingFunction, 'dynamodb:GetItem', 'dynamodb:PutItem');
    this.repairQueue.grantSendMessages(this.getSettingFunction);

    this.putSettingFunction = new ServiceFunction(this, 'PutSettingFunction', {
      entry: handler('put-setting'),
      service: SERVICE,
      description: 'PUT /kv/{key}: writes a new version to every replica, done at the write quorum',
      environment: storeEnv,
    });
    // The quorum read of the current version, the conditional puts, and taking back a write below W.
    this.grantReplicas(
      this.putSettingFunction,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
    );

    this.repairFunction = new ServiceFunction(this, 'RepairFunction', {
      entry: handler('repair-late-replica'),
      service: SERVICE,
      description: 'Writes the newest version to replicas that were late to a read, unless up to date',
      timeout: Duration.seconds(10),
      environment: storeEnv,
    });
    this.grantReplicas(this.repairFunction, 'dynamodb:PutItem');
    this.repairFunction.live.addEventSource(
      new eventSources.SqsEventSource(this.repairQueue, { batchSize: 10, reportBatchItemFailures: true }),
    );

    this.sweepFunction = new ServiceFunction(this, 'SweepFunction', {
      entry: handler('sweep-replicas'),
      service: SERVICE,
      description: 'Anti-entropy: brings every replica up to the newest version of every key',
      timeout: Duration.minutes(5),
      environment: storeEnv,
    });
    this.grantReplicas(this.sweepFunction, 'dynamodb:Scan', 'dynamodb:PutItem');
    this.sweepRule = new events.Rule(this, 'SweepSchedule', {
      description: 'Runs the settings replicas’ anti-entropy sweep',
      schedule: events.Schedule.rate(props.sweepInterval ?? Duration.minutes(10)),
      targets: [
        new targets.LambdaFunction(this.sweepFunction.live, {
          retryAttempts: 2,
          deadLetterQueue: this.repairDeadLetterQueue,
        }),
      ],
    });

    this.repairDeadLetterAlarm = firstMessageAlarm(
      this,
      'RepairDeadLetterAlarm',
      this.repairDeadLetterQueue,
      'Repairs of late settings replicas, or a sweep, failed for good; the next sweep repairs their keys.',
    );

    this.routes = new ContextRoutes(this, 'Routes', {
      api: props.api,
      authorizer: props.authorizer,
      routes: [
        { path: '/kv/{key}', method: 'GET', handler: this.getSettingFunction.live },
        { path: '/kv/{key}', method: 'PUT', handler: this.putSettingFunction.live },
      ],
    });

    this.replicaTables.forEach(
      (table, index) => new CfnOutput(this, `ReplicaTable${index + 1}Name`, { value: table.tableName }),
    );
    this.monitoring = new ContextMonitoring(this, 'Monitoring', { ...props.monitoring, service: SERVICE });
    // The API's functions go live blue/green, through CodeDeploy (docs/patterns/progressive-delivery.md).
    new BlueGreenDelivery(this, 'BlueGreen', {
      monitoring: this.monitoring,
      apiFunctions: [this.getSettingFunction, this.putSettingFunction],
      batchFunctions: [this.repairFunction],
      probedFunctions: [this.sweepFunction],
    });
    this.monitoring.monitorFunctions(
      this.getSettingFunction,
      this.putSettingFunction,
      this.repairFunction,
      this.sweepFunction,
    );
    this.monitoring.monitorWorkQueue(this.repairQueue, 'Repairs of late settings replicas');
    this.monitoring.monitorDeadLetterQueue(
      this.repairDeadLetterQueue,
      'Settings repairs failed for good',
      this.repairDeadLetterAlarm,
    );
    this.monitoring.monitorRoutes(sharedApiStage(props.api), this.routes.methods);
    this.monitoring.addBusinessMetrics('Reads and writes (sum, 5 min)', [
      STORE_METRICS.reads,
      STORE_METRICS.singleReplicaReads,
      STORE_METRICS.writes,
      STORE_METRICS.readQuorumFailures,
      STORE_METRICS.writeQuorumFailures,
    ]);
    this.monitoring.addBusinessMetrics('Replicas and repairs (sum, 5 min)', [
      STORE_METRICS.staleReplicasSeen,
      STORE_METRICS.replicaFailures,
      STORE_METRICS.blockingRepairs,
      STORE_METRICS.backgroundRepairs,
      STORE_METRICS.sweepRepairs,
    ]);

    new CfnOutput(this, 'SweepFunctionName', { value: this.sweepFunction.functionName });
  }

  private grantReplicas(fn: ServiceFunction, ...actions: string[]): void {
    for (const table of this.replicaTables) table.grant(fn, ...actions);
  }
}
