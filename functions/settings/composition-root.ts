/**
 * Builds each settings function's dependencies once per container, from its own configuration only.
 * Handlers call one of these at module load: `export const handler = … makeHandler(xxxDependencies())`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { newUlid } from '../../shared/ids/ids';
import { logger } from '../../shared/observability/logger';
import { metrics } from '../../shared/observability/metrics';
import { tracedClient } from '../../shared/observability/tracer';
import { DynamoDbReplica } from './adapters/dynamodb-replica';
import { SqsRepairQueue } from './adapters/sqs-repair-queue';
import { makeReadSetting } from './application/read-setting';
import { makeRepairLateReplica } from './application/repair-late-replica';
import { makeSweepReplicas } from './application/sweep-replicas';
import { makeWriteSetting } from './application/write-setting';
import { loadSettingsReadConfig, loadSettingsStoreConfig, type SettingsStoreConfig } from './config';
import type { GetSettingHandlerDependencies } from './handlers/get-setting';
import type { PutSettingHandlerDependencies } from './handlers/put-setting';
import type { RepairLateReplicaHandlerDependencies } from './handlers/repair-late-replica';
import type { SweepReplicasHandlerDependencies } from './handlers/sweep-replicas';
import type { CountMetric } from './ports/store-metrics';
import type { Replicas } from './ports/replica';

const count: CountMetric = (metric, value = 1) => {
  if (value > 0) metrics.addMetric(metric, MetricUnit.Count, value);
};

/**
 * One client for every replica. A replica that takes longer than `replicaTimeoutMs` counts as no
 * answer; one retry, so a slow or down node costs a call at most two timeouts, not the SDK's three
 * attempts with backoff.
 */
function replicasOf(config: SettingsStoreConfig): Replicas {
  const client = tracedClient(
    new DynamoDBClient({
      maxAttempts: 2,
      requestHandler: { connectionTimeout: config.replicaTimeoutMs, requestTimeout: config.replicaTimeoutMs },
    }),
  );
  return config.replicaTables.map(
    (tableName, index) => new DynamoDbReplica({ client, tableName, name: `replica-${index + 1}` }),
  );
}

export function getSettingDependencies(): GetSettingHandlerDependencies {
  const config = loadSettingsReadConfig();
  return {
    readSetting: makeReadSetting({
      replicas: replicasOf(config),
      readQuorum: config.quorum.readQuorum,
      repairQueue: new SqsRepairQueue({
        client: tracedClient(new SQSClient({})),
        queueUrl: config.repairQueueUrl,
      }),
      count,
      logger,
    }),
  };
}

export function putSettingDependencies(): PutSettingHandlerDependencies {
  const config = loadSettingsStoreConfig();
  return {
    writeSetting: makeWriteSetting({
      replicas: replicasOf(config),
      readQuorum: config.quorum.readQuorum,
      writeQuorum: config.quorum.writeQuorum,
      newWriteId: () => newUlid(),
      now: () => new Date(),
      count,
      logger,
    }),
  };
}

export function repairLateReplicaDependencies(): RepairLateReplicaHandlerDependencies {
  const config = loadSettingsStoreConfig();
  return { repairLateReplica: makeRepairLateReplica({ replicas: replicasOf(config), count }), logger };
}

export function sweepReplicasDependencies(): SweepReplicasHandlerDependencies {
  const config = loadSettingsStoreConfig();
  return { sweepReplicas: makeSweepReplicas({ replicas: replicasOf(config), count, logger }) };
}
