/**
 * Builds each operations function's dependencies once per container, from its own configuration only.
 * Handlers call one of these at module load: `export const handler = … makeHandler(xxxDependencies())`.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { logger } from '../../shared/observability/logger';
import { tracedClient } from '../../shared/observability/tracer';
import { CloudWatchAlarmStates } from './adapters/cloudwatch-alarm-states';
import { DynamoDbRolloutRecords } from './adapters/dynamodb-rollout-records';
import { LambdaFunctionAliases } from './adapters/lambda-function-aliases';
import { StepFunctionsTaskCallbacks } from '../../shared/saga/task-callbacks';
import { makeDecideRolloutApproval } from './application/decide-rollout-approval';
import { makeRolloutSteps } from './application/rollout-steps';
import { makeCheckTraffic } from './application/check-traffic';
import { CodeDeployDeploymentHooks } from './adapters/codedeploy-deployment-hooks';
import { LambdaSmokeInvoker } from './adapters/lambda-smoke-invoker';
import { HttpSyntheticShop } from './adapters/http-synthetic-shop';
import { makeSyntheticOrderCheck } from './application/synthetic-order-check';
import { loadOperationsConfig, loadTrafficHookConfig } from './config';
import type { TrafficHookHandlerDependencies } from './handlers/traffic-hook';
import type { DecideRolloutApprovalHandlerDependencies } from './handlers/decide-rollout-approval';
import type { RolloutStepHandlerDependencies } from './handlers/rollout-step';

function recordsOf(tableName: string): DynamoDbRolloutRecords {
  return new DynamoDbRolloutRecords({ client: tracedClient(new DynamoDBClient({})), tableName });
}

export function rolloutStepDependencies(): RolloutStepHandlerDependencies {
  const config = loadOperationsConfig();
  return {
    steps: makeRolloutSteps({
      aliases: new LambdaFunctionAliases({ client: tracedClient(new LambdaClient({})) }),
      alarms: new CloudWatchAlarmStates({ client: tracedClient(new CloudWatchClient({})) }),
      records: recordsOf(config.tableName),
      now: () => new Date(),
      logger,
    }),
    logger,
  };
}

export function decideRolloutApprovalDependencies(): DecideRolloutApprovalHandlerDependencies {
  const config = loadOperationsConfig();
  return {
    decideApproval: makeDecideRolloutApproval({
      records: recordsOf(config.tableName),
      taskCallbacks: new StepFunctionsTaskCallbacks({ client: tracedClient(new SFNClient({})) }),
      now: () => new Date(),
      logger,
    }),
    logger,
  };
}

export function trafficHookDependencies(): TrafficHookHandlerDependencies {
  const config = loadTrafficHookConfig();
  return {
    checkTraffic: makeCheckTraffic({
      hooks: new CodeDeployDeploymentHooks({ client: tracedClient(new CodeDeployClient({})) }),
      invoker: new LambdaSmokeInvoker({ client: tracedClient(new LambdaClient({})) }),
      stage: config.stage,
      smokeRequests: config.smokeRequests,
      ...(config.syntheticOrder === undefined
        ? {}
        : {
            syntheticOrder: makeSyntheticOrderCheck({
              shop: new HttpSyntheticShop({
                parameterName: config.syntheticOrder.parameterName,
                cognito: tracedClient(new CognitoIdentityProviderClient({})),
              }),
              timeoutMs: config.syntheticOrder.timeoutMs,
            }),
          }),
      logger,
    }),
    logger,
  };
}
