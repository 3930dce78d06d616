/**
 * Builds each inventory function's dependencies once per container, from its own configuration only
 * (the relay knows nothing of tables, the query function nothing of idempotency). Handlers call one of
 * these at module load: `export const handler = makeXxxHandler(xxxDependencies())`.
 */
import { currentTraceHeader } from '../../shared/config/env';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { newId } from '../../shared/ids/ids';
import { httpIdempotency } from '../../shared/idempotency/http-idempotency';
import { logger } from '../../shared/observability/logger';
import { tracedClient } from '../../shared/observability/tracer';
import type { OutboxRelayHandler } from '../../shared/outbox/outbox-relay';
import { lambdaOutboxRelay } from '../../shared/outbox/lambda-outbox-relay';
import type { RetryPolicy } from '../../shared/outbox/retry-policy';
import { CLIENT_REQUEST_RETRY, loggedLostRaceRetry } from '../../shared/resilience';
import { DynamoDbProductRepository } from './adapters/dynamodb-product-repository';
import { makeCommitStock } from './application/commit-stock';
import { STOCK_STEP_RETRY } from './application/change-reservation';
import { makeCreateProduct } from './application/create-product';
import { makeGetProduct } from './application/get-product';
import { makeReleaseStock } from './application/release-stock';
import { makeReserveStock } from './application/reserve-stock';
import { makeRestockProduct } from './application/restock-product';
import { loadOrderSagaEventsConfig, loadProductCommandConfig, loadProductsConfig } from './config';
import { sqsConsumerOptions } from '../../shared/messaging/sqs-consumer-options';
import { dynamoDbOrderStockStore } from './adapters/order-stock-items';
import { makeOrderStockChoreography } from './application/order-stock-choreography';
import type { OrderSagaEventsDependencies } from './handlers/order-saga-events';
import { INVENTORY_EVENT_SOURCE } from './contracts/inventory-events';
import { requestCommandContext } from './handlers/command-context-factory';
import type { CommitStockHandlerDependencies } from './handlers/commit-stock';
import type { CreateProductHandlerDependencies } from './handlers/create-product';
import type { GetProductHandlerDependencies } from './handlers/get-product';
import type { ReleaseStockHandlerDependencies } from './handlers/release-stock';
import type { ReserveStockHandlerDependencies } from './handlers/reserve-stock';
import type { RestockProductHandlerDependencies } from './handlers/restock-product';

/** The relay's own retries of rejected entries; the event source mapping retries whole batches after. */
const RELAY_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 };

let dynamoDbClient: DynamoDBClient | undefined;
function dynamoDb(): DynamoDBClient {
  dynamoDbClient ??= tracedClient(new DynamoDBClient({}));
  return dynamoDbClient;
}

function productRepository(tableName: string): DynamoDbProductRepository {
  return new DynamoDbProductRepository({ client: dynamoDb(), tableName });
}

const newContext = requestCommandContext(() => currentTraceHeader());

const loggedRetry = loggedLostRaceRetry(STOCK_STEP_RETRY, logger);
const loggedClientRequestRetry = loggedLostRaceRetry(CLIENT_REQUEST_RETRY, logger);

export function createProductDependencies(): CreateProductHandlerDependencies {
  const config = loadProductCommandConfig();
  return {
    createProduct: makeCreateProduct({
      repository: productRepository(config.productsTable),
      newProductId: () => newId('product'),
    }),
    newContext,
    // Optional here: creating a product twice is a nuisance, not a loss; clients that retry send a key.
    idempotency: httpIdempotency({ tableName: config.idempotencyTable, client: dynamoDb(), required: false }),
  };
}

export function getProductDependencies(): GetProductHandlerDependencies {
  const config = loadProductsConfig();
  return { getProduct: makeGetProduct({ repository: productRepository(config.productsTable) }) };
}

export function restockProductDependencies(): RestockProductHandlerDependencies {
  const config = loadProductCommandConfig();
  return {
    restockProduct: makeRestockProduct({
      repository: productRepository(config.productsTable),
      retry: loggedClientRequestRetry,
    }),
    newContext,
    // A restock is not idempotent: a client retrying one whose answer it lost (a timeout) sends a key.
    idempotency: httpIdempotency({ tableName: config.idempotencyTable, client: dynamoDb(), required: false }),
  };
}

/** The saga's ReserveStock step. */
export function reserveStockDependencies(): ReserveStockHandlerDependencies {
  const config = loadProductsConfig();
  return {
    reserveStock: makeReserveStock({
      repository: productRepository(config.productsTable),
      retry: loggedRetry,
    }),
    newContext,
  };
}

/** The saga's ReleaseStock compensation. */
export function releaseStockDependencies(): ReleaseStockHandlerDependencies {
  const config = loadProductsConfig();
  return {
    releaseStock: makeReleaseStock({
      repository: productRepository(config.productsTable),
      retry: loggedRetry,
    }),
    newContext,
  };
}

/** The saga's CommitStock step. */
export function commitStockDependencies(): CommitStockHandlerDependencies {
  const config = loadProductsConfig();
  return {
    commitStock: makeCommitStock({ repository: productRepository(config.productsTable), retry: loggedRetry }),
    newContext,
  };
}

/** The choreographed saga's consumer: reserve, commit and release on the other contexts' events. */
export function orderSagaEventsDependencies(): OrderSagaEventsDependencies {
  const config = loadOrderSagaEventsConfig();
  const stock = { repository: productRepository(config.productsTable), retry: loggedRetry };
  return {
    choreography: makeOrderStockChoreography({
      store: dynamoDbOrderStockStore(dynamoDb(), config.productsTable),
      reserveStock: makeReserveStock(stock),
      commitStock: makeCommitStock(stock),
      releaseStock: makeReleaseStock(stock),
    }),
    ...sqsConsumerOptions(config.eventsQueueUrl),
  };
}

export function outboxRelay(): OutboxRelayHandler {
  return lambdaOutboxRelay({
    source: INVENTORY_EVENT_SOURCE,
    retry: RELAY_RETRY,
  });
}
