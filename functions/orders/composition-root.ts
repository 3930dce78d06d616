/**
 * Where the orders functions get their real side effects: SDK clients (traced, built once per
 * container), adapters and use cases. Each entry module (`handlers/*.handler.ts`) calls one builder
 * here at cold start and exports `handler = makeHandler(deps)`; tests call `makeHandler` with fakes.
 * A builder reads only its own function's configuration, so a missing variable names itself at once.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { commandContext, DynamoDbEventStore } from '../../shared/event-sourcing';
import { httpIdempotency } from '../../shared/idempotency';
import { newId } from '../../shared/ids/ids';
import { logger } from '../../shared/observability/logger';
import { tracedClient } from '../../shared/observability/tracer';
import { makeOutboxRelay, type OutboxRelayHandler } from '../../shared/outbox/outbox-relay';
import { DynamoDbOrderViews } from './adapters/dynamodb-order-views';
import { InventoryProductCatalog } from './adapters/inventory-product-catalog';
import { makeCancelOrder } from './application/cancel-order';
import { makeCreateOrder } from './application/create-order';
import { makeGetOrder, makeGetOrderHistory, makeListUserOrders } from './application/order-queries';
import { orderRunner, type OrderRunner } from './application/order-runner';
import { makeProjectOrderEvent } from './application/project-order-event';
import { makeShipOrder } from './application/ship-order';
import { currentTraceHeader, loadConfig, type OrdersConfig } from './config';
import { ORDERS_EVENT_SOURCE } from './contracts/order-events';
import type { OrderEvent, OrderState } from './domain/order';
import type { CancelOrderHandlerDeps } from './handlers/cancel-order';
import type { CommandContextFactory } from './handlers/command-context';
import type { CreateOrderHandlerDeps } from './handlers/create-order';
import type { GetOrderHandlerDeps } from './handlers/get-order';
import type { GetOrderEventsHandlerDeps } from './handlers/get-order-events';
import type { ListUserOrdersHandlerDeps } from './handlers/list-user-orders';
import type { ProjectorHandlerDeps } from './handlers/project-order-events';
import type { ShipOrderHandlerDeps } from './handlers/ship-order';

/** Concurrent commands on one order lose the append race; 5 attempts absorb a burst of 10. */
const COMMAND_MAX_ATTEMPTS = 5;

let dynamoDbClient: DynamoDBClient | undefined;
function dynamoDb(): DynamoDBClient {
  dynamoDbClient ??= tracedClient(new DynamoDBClient({}));
  return dynamoDbClient;
}

const newCommandContext: CommandContextFactory = (ids) =>
  commandContext({ ...ids, traceHeader: currentTraceHeader() });

function eventStore(tableName: string): DynamoDbEventStore<OrderEvent, OrderState> {
  return new DynamoDbEventStore<OrderEvent, OrderState>({ client: dynamoDb(), tableName });
}

function commandRunner(config: OrdersConfig<'command'>): OrderRunner {
  return orderRunner(eventStore(config.EVENT_STORE_TABLE), {
    snapshotEvery: config.SNAPSHOT_EVERY,
    maxAttempts: COMMAND_MAX_ATTEMPTS,
    onSnapshotError: (error, snapshot) =>
      logger.warn('Snapshot not saved; the command succeeded', { ...snapshot, error }),
  });
}

function idempotency(config: OrdersConfig<'command'>, required: boolean) {
  return httpIdempotency({ tableName: config.IDEMPOTENCY_TABLE, client: dynamoDb(), required });
}

export function createOrderDeps(): CreateOrderHandlerDeps {
  const config = loadConfig('createOrder');
  return {
    createOrder: makeCreateOrder({
      runner: commandRunner(config),
      catalog: new InventoryProductCatalog({
        baseUrl: config.INVENTORY_API_URL,
        timeoutMs: config.INVENTORY_TIMEOUT_MS,
        maxAttempts: config.INVENTORY_MAX_ATTEMPTS,
      }),
      newOrderId: () => newId('order'),
    }),
    idempotency: idempotency(config, true),
    commandContext: newCommandContext,
  };
}

export function cancelOrderDeps(): CancelOrderHandlerDeps {
  const config = loadConfig('command');
  return {
    cancelOrder: makeCancelOrder({ runner: commandRunner(config) }),
    idempotency: idempotency(config, false),
    commandContext: newCommandContext,
  };
}

export function shipOrderDeps(): ShipOrderHandlerDeps {
  const config = loadConfig('command');
  return {
    shipOrder: makeShipOrder({ runner: commandRunner(config) }),
    idempotency: idempotency(config, false),
    commandContext: newCommandContext,
  };
}

export function getOrderDeps(): GetOrderHandlerDeps {
  const config = loadConfig('query');
  return {
    getOrder: makeGetOrder({
      views: new DynamoDbOrderViews({ client: dynamoDb(), tableName: config.READ_MODEL_TABLE }),
    }),
  };
}

export function listUserOrdersDeps(): ListUserOrdersHandlerDeps {
  const config = loadConfig('query');
  const views = new DynamoDbOrderViews({ client: dynamoDb(), tableName: config.READ_MODEL_TABLE });
  return { listUserOrders: makeListUserOrders({ views }) };
}

export function getOrderEventsDeps(): GetOrderEventsHandlerDeps {
  const config = loadConfig('history');
  return { getOrderHistory: makeGetOrderHistory({ store: eventStore(config.EVENT_STORE_TABLE) }) };
}

export function projectorDeps(): ProjectorHandlerDeps {
  const config = loadConfig('projector');
  const views = new DynamoDbOrderViews({ client: dynamoDb(), tableName: config.READ_MODEL_TABLE });
  return { project: makeProjectOrderEvent({ views }) };
}

export function outboxRelay(): OutboxRelayHandler {
  const config = loadConfig('relay');
  return makeOutboxRelay({
    // One attempt per call: the relay retries only the failed entries itself.
    eventBridge: tracedClient(new EventBridgeClient({ maxAttempts: 1 })),
    busName: config.EVENT_BUS_NAME,
    source: ORDERS_EVENT_SOURCE,
    retry: { maxAttempts: 6, baseDelayMs: 50, maxDelayMs: 1_000 },
  });
}
