/**
 * Where the orders functions get their real side effects: SDK clients (traced, built once per
 * container), adapters and use cases. Each entry module (`handlers/*.handler.ts`) calls one builder
 * here at cold start and exports `handler = makeHandler(deps)`; tests call `makeHandler` with fakes.
 * A builder reads only its own function's configuration, so a missing variable names itself at once.
 */
import { countOutcome } from '../../shared/observability/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { sqsConsumerOptions } from '../../shared/messaging/sqs-consumer-options';
import { SchedulerOrderDeadlines } from './adapters/scheduler-order-deadlines';
import { makeOrderChoreography } from './application/order-choreography';
import type { OrderSagaEventsDependencies } from './handlers/order-saga-events';
import { SFNClient } from '@aws-sdk/client-sfn';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { LambdaCardVault } from './adapters/lambda-card-vault';
import { commandContext, DynamoDbEventStore } from '../../shared/event-sourcing';
import { httpIdempotency } from '../../shared/idempotency';
import { newId } from '../../shared/ids/ids';
import { logger } from '../../shared/observability/logger';
import { cloudMapService } from '../../shared/discovery';
import { tracedClient } from '../../shared/observability/tracer';
import type { OutboxRelayHandler } from '../../shared/outbox/outbox-relay';
import { lambdaOutboxRelay } from '../../shared/outbox/lambda-outbox-relay';
import { DynamoDbApprovalTasks } from './adapters/dynamodb-approval-tasks';
import { DynamoDbKnownUsers } from './adapters/dynamodb-known-users';
import { DynamoDbOrderViews } from './adapters/dynamodb-order-views';
import { CachedProductCatalog } from './adapters/cached-product-catalog';
import { InventoryProductCatalog } from './adapters/inventory-product-catalog';
import { StepFunctionsSagaStarter, StepFunctionsSagaStatus } from './adapters/step-functions-saga';
import { StepFunctionsTaskCallbacks } from '../../shared/saga/task-callbacks';
import { makeCancelOrder } from './application/cancel-order';
import { makeCancelOrderSaga } from './application/cancel-order-saga';
import { makeConfirmOrder } from './application/confirm-order';
import { makeCreateOrder } from './application/create-order';
import { SsmSagaStyleSetting } from './adapters/ssm-saga-style-setting';
import { makeDecideApproval } from './application/decide-approval';
import { makeEnsureOrderActive } from './application/ensure-order-active';
import { makeGetOrder, makeGetOrderHistory, makeListUserOrders } from './application/order-queries';
import { orderRunner, type OrderEventStore, type OrderRunner } from './application/order-runner';
import { makeProjectOrderEvent } from './application/project-order-event';
import { makeRecordKnownUser } from './application/record-known-user';
import { makeRequestApproval } from './application/request-approval';
import { makeShipOrder } from './application/ship-order';
import { makeStartOrderSaga } from './application/start-order-saga';
import { loadConfig, type OrdersConfig } from './config';
import { currentTraceHeader } from '../../shared/config/env';
import { ORDERS_EVENT_SOURCE } from './contracts/order-events';
import type { OrderEvent, OrderState } from './domain/order';
import type { CancelOrderHandlerDependencies } from './handlers/cancel-order';
import type { CancelOrderSagaHandlerDependencies } from './handlers/cancel-order-saga';
import type { CommandContextFactory } from '../../shared/event-sourcing';
import type { ConfirmOrderHandlerDependencies } from './handlers/confirm-order';
import type { CreateOrderHandlerDependencies } from './handlers/create-order';
import type { DecideApprovalHandlerDependencies } from './handlers/decide-approval';
import type { EnsureOrderActiveHandlerDependencies } from './handlers/ensure-order-active';
import type { GetOrderHandlerDependencies } from './handlers/get-order';
import type { GetOrderEventsHandlerDependencies } from './handlers/get-order-events';
import type { ListUserOrdersHandlerDependencies } from './handlers/list-user-orders';
import type { ProjectorHandlerDependencies } from './handlers/project-order-events';
import type { RequestApprovalHandlerDependencies } from './handlers/request-approval';
import type { ShipOrderHandlerDependencies } from './handlers/ship-order';
import type { StartOrderSagaHandlerDependencies } from './handlers/start-order-saga';
import type { ProductCatalog } from './ports/product-catalog';

/** Concurrent commands on one order lose the append race; 5 attempts absorb a burst of 10. */
const COMMAND_MAX_ATTEMPTS = 5;

/**
 * `GET /orders/{orderId}` asks Step Functions live: short timeouts and one retry, so that a slow or
 * unreachable service costs a query about two seconds, not API Gateway's 29.
 */
const SAGA_STATUS_CLIENT = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 500, requestTimeout: 1_000 },
} as const;

let dynamoDbClient: DynamoDBClient | undefined;
function dynamoDb(): DynamoDBClient {
  dynamoDbClient ??= tracedClient(new DynamoDBClient({}));
  return dynamoDbClient;
}

let sfnClient: SFNClient | undefined;
function stepFunctions(): SFNClient {
  sfnClient ??= tracedClient(new SFNClient({}));
  return sfnClient;
}

const newCommandContext: CommandContextFactory = (ids) =>
  commandContext({ ...ids, traceHeader: currentTraceHeader() });

function eventStore(tableName: string): DynamoDbEventStore<OrderEvent, OrderState> {
  return new DynamoDbEventStore<OrderEvent, OrderState>({ client: dynamoDb(), tableName });
}

function commandRunner(
  config: OrdersConfig<'command'> | OrdersConfig<'sagaStep'> | OrdersConfig<'orderSagaEvents'>,
  store: OrderEventStore = eventStore(config.EVENT_STORE_TABLE),
): OrderRunner {
  return orderRunner(store, {
    snapshotEvery: config.SNAPSHOT_EVERY,
    maxAttempts: COMMAND_MAX_ATTEMPTS,
    onSnapshotError: (error, snapshot) =>
      logger.warn('Snapshot not saved; the command succeeded', { ...snapshot, error }),
  });
}

function idempotency(config: OrdersConfig<'command'>, required: boolean) {
  return httpIdempotency({ tableName: config.IDEMPOTENCY_TABLE, client: dynamoDb(), required });
}

function approvalTasks(config: { readonly EVENT_STORE_TABLE: string }): DynamoDbApprovalTasks {
  return new DynamoDbApprovalTasks({ client: dynamoDb(), tableName: config.EVENT_STORE_TABLE });
}

/** Inventory's prices over HTTP from its discovered instances, behind the environment's short-lived cache unless its TTL is 0. */
function productCatalog(config: OrdersConfig<'createOrder'>): ProductCatalog {
  const instances = cloudMapService(
    { namespace: config.INVENTORY_NAMESPACE, service: config.INVENTORY_SERVICE },
    config.DISCOVERY_CACHE_TTL_MS,
  );
  const inventory = new InventoryProductCatalog({
    instances: async () => instances.candidates(),
    timeoutMs: config.INVENTORY_TIMEOUT_MS,
    maxAttempts: config.INVENTORY_MAX_ATTEMPTS,
    onRetry: ({ productId, attempt, delayMs, error }) =>
      logger.warn('Price look-up failed; retrying', { productId, attempt, delayMs, error }),
  });
  return config.PRICE_CACHE_TTL_MS === 0
    ? inventory
    : new CachedProductCatalog({ catalog: inventory, ttlMs: config.PRICE_CACHE_TTL_MS });
}

export function createOrderDependencies(): CreateOrderHandlerDependencies {
  const config = loadConfig('createOrder');
  const store = eventStore(config.EVENT_STORE_TABLE);
  return {
    createOrder: makeCreateOrder({
      runner: commandRunner(config, store),
      store,
      catalog: productCatalog(config),
      cardVault: new LambdaCardVault({
        client: tracedClient(new LambdaClient({})),
        functionName: config.CARD_VAULT_FUNCTION,
        timeoutMs: config.CARD_VAULT_TIMEOUT_MS,
      }),
      newOrderId: () => newId('order'),
      sagaStyle: new SsmSagaStyleSetting(config.SAGA_STYLE_PARAMETER, config.SAGA_STYLE_MAX_AGE_SECONDS),
      approvalThresholdCents: config.APPROVAL_THRESHOLD_CENTS,
    }),
    idempotency: idempotency(config, true),
    commandContext: newCommandContext,
  };
}

/** What the commands that may answer a waiting approval need: cancel and the approval decision. */
function approvalCommandDependencies(config: OrdersConfig<'command'>) {
  return {
    runner: commandRunner(config),
    approvalTasks: approvalTasks(config),
    taskCallbacks: new StepFunctionsTaskCallbacks({ client: stepFunctions() }),
    logger,
  };
}

export function cancelOrderDependencies(): CancelOrderHandlerDependencies {
  const config = loadConfig('command');
  return {
    cancelOrder: makeCancelOrder(approvalCommandDependencies(config)),
    idempotency: idempotency(config, false),
    commandContext: newCommandContext,
  };
}

export function shipOrderDependencies(): ShipOrderHandlerDependencies {
  const config = loadConfig('command');
  return {
    shipOrder: makeShipOrder({ runner: commandRunner(config) }),
    idempotency: idempotency(config, false),
    commandContext: newCommandContext,
  };
}

export function decideApprovalDependencies(): DecideApprovalHandlerDependencies {
  const config = loadConfig('command');
  return {
    decideApproval: makeDecideApproval(approvalCommandDependencies(config)),
    idempotency: idempotency(config, false),
    commandContext: newCommandContext,
  };
}

export function getOrderDependencies(): GetOrderHandlerDependencies {
  const config = loadConfig('getOrder');
  return {
    getOrder: makeGetOrder({
      views: new DynamoDbOrderViews({ client: dynamoDb(), tableName: config.READ_MODEL_TABLE }),
      sagaStatus: new StepFunctionsSagaStatus({
        client: tracedClient(new SFNClient(SAGA_STATUS_CLIENT)),
        stateMachineArn: config.SAGA_STATE_MACHINE_ARN,
        onHistoryError: (error, executionArn) =>
          logger.warn('The saga’s history could not be read; answered without its step', {
            executionArn,
            error,
          }),
      }),
      logger,
    }),
  };
}

export function listUserOrdersDependencies(): ListUserOrdersHandlerDependencies {
  const config = loadConfig('query');
  const views = new DynamoDbOrderViews({ client: dynamoDb(), tableName: config.READ_MODEL_TABLE });
  const knownUsers = new DynamoDbKnownUsers({ client: dynamoDb(), tableName: config.READ_MODEL_TABLE });
  return { listUserOrders: makeListUserOrders({ views, knownUsers }) };
}

export function getOrderEventsDependencies(): GetOrderEventsHandlerDependencies {
  const config = loadConfig('history');
  return { getOrderHistory: makeGetOrderHistory({ store: eventStore(config.EVENT_STORE_TABLE) }) };
}

export function projectorDependencies(): ProjectorHandlerDependencies {
  const config = loadConfig('projector');
  const views = new DynamoDbOrderViews({ client: dynamoDb(), tableName: config.READ_MODEL_TABLE });
  const knownUsers = new DynamoDbKnownUsers({ client: dynamoDb(), tableName: config.READ_MODEL_TABLE });
  return {
    project: makeProjectOrderEvent({ views, countOutcome }),
    recordKnownUser: makeRecordKnownUser({ knownUsers }),
    changeVisibility: sqsConsumerOptions(config.EVENTS_QUEUE_URL).changeVisibility,
  };
}

export function outboxRelay(): OutboxRelayHandler {
  return lambdaOutboxRelay({
    source: ORDERS_EVENT_SOURCE,
    retry: { maxAttempts: 6, baseDelayMs: 50, maxDelayMs: 1_000 },
  });
}

// ---- The PlaceOrder saga -------------------------------------------------------------------------

export function startOrderSagaDependencies(): StartOrderSagaHandlerDependencies {
  const config = loadConfig('startSaga');
  return {
    startOrderSaga: makeStartOrderSaga({
      starter: new StepFunctionsSagaStarter({
        client: stepFunctions(),
        stateMachineArn: config.SAGA_STATE_MACHINE_ARN,
      }),
    }),
  };
}

export function requestApprovalDependencies(): RequestApprovalHandlerDependencies {
  const config = loadConfig('sagaStep');
  return {
    requestApproval: makeRequestApproval({
      runner: commandRunner(config),
      approvalTasks: approvalTasks(config),
    }),
    commandContext: newCommandContext,
  };
}

export function ensureOrderActiveDependencies(): EnsureOrderActiveHandlerDependencies {
  const config = loadConfig('sagaStep');
  return {
    ensureOrderActive: makeEnsureOrderActive({ store: eventStore(config.EVENT_STORE_TABLE) }),
    commandContext: newCommandContext,
  };
}

export function confirmOrderDependencies(): ConfirmOrderHandlerDependencies {
  const config = loadConfig('sagaStep');
  return {
    confirmOrder: makeConfirmOrder({ runner: commandRunner(config) }),
    commandContext: newCommandContext,
  };
}

export function cancelOrderSagaDependencies(): CancelOrderSagaHandlerDependencies {
  const config = loadConfig('sagaStep');
  return {
    cancelOrder: makeCancelOrderSaga({ runner: commandRunner(config) }),
    commandContext: newCommandContext,
  };
}

// ---- The choreographed saga ----------------------------------------------------------------------

export function orderSagaEventsDependencies(): OrderSagaEventsDependencies {
  const config = loadConfig('orderSagaEvents');
  return {
    choreography: makeOrderChoreography({
      runner: commandRunner(config),
      deadlines: new SchedulerOrderDeadlines({
        client: tracedClient(new SchedulerClient({})),
        groupName: config.DEADLINE_SCHEDULE_GROUP,
        busArn: config.DEADLINE_BUS_ARN,
        roleArn: config.DEADLINE_ROLE_ARN,
        deadLetterQueueArn: config.DEADLINE_DEAD_LETTER_QUEUE_ARN,
      }),
      approvalDeadlineSeconds: config.APPROVAL_DEADLINE_SECONDS,
      watchdogSeconds: config.WATCHDOG_SECONDS,
      logger,
    }),
    ...sqsConsumerOptions(config.EVENTS_QUEUE_URL),
  };
}
