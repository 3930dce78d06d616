import { BlueGreenDelivery, type SyntheticOrderCheckOptions } from '../constructs/blue-green-delivery';
import { CfnOutput, CrossStackReferences, Duration, ReferenceStrength, Stack, StackProps } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { ContextRoutes } from '../constructs/context-routes';
import {
  ContextMonitoring,
  SAGA_STEP_ERRORS,
  type MonitoringOptions,
} from '../constructs/context-monitoring';
import { sharedApiStage } from './platform-stack';
import { ContextTable } from '../constructs/context-table';
import { IdempotencyTable } from '../constructs/idempotency-table';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import { INSTANCE_ATTRIBUTES } from '../../shared/discovery/service-instance';
import { INVENTORY_EVENT_SOURCE } from '../../functions/inventory/contracts';
import { OutboxRelay } from '../constructs/outbox-relay';
import { EventConsumer } from '../constructs/event-consumer';
import { ORDERS_EVENT_SOURCE } from '../../functions/orders/contracts/order-events';
import { PAYMENTS_EVENT_SOURCE } from '../../functions/payments/contracts/payment-events';
import { ServiceFunction } from '../constructs/service-function';

export interface InventoryStackProps extends StackProps {
  /**
   * Where the context's alarms notify, the prefix of their names, and their limits.
   * @default a topic of the context's own, the prefix `shop`, ContextMonitoring's limits
   */
  readonly monitoring?: MonitoringOptions;
  /** The platform's public REST API; the inventory routes are added to it from this stack. */
  readonly api: apigateway.IRestApi;
  /** The platform's bus, where inventory publishes `shop.inventory` events. */
  readonly bus: events.IEventBus;
  /** Checks the caller's ID token on every route of this stack (the users stack's Cognito authorizer). */
  readonly authorizer: apigateway.IAuthorizer;
  /**
   * The platform's Cloud Map namespace and the API's stage URL (`PlatformStack.apiUrl`): inventory
   * registers its one instance there — its routes behind the shared API — for the callers that
   * discover it (orders, for prices).
   */
  readonly namespace: servicediscovery.IHttpNamespace;
  readonly apiUrl: string;
  /**
   * The synthetic customer whose order each blue/green deployment's after-traffic hook places, and which
   * must reach the read model (`infra/ops/synthetic-check.ts` makes it): the contexts on the order path.
   * @default - the after-traffic hook sends the smoke request alone
   */
  readonly syntheticOrderCheck?: SyntheticOrderCheckOptions;
}

const SERVICE = 'inventory';
const handler = (name: string): string => `functions/inventory/handlers/${name}.handler.ts`;

/**
 * The inventory context: products and their stock behind `/products` on the shared API, in a table
 * whose stream is the context's outbox, relayed to the `shop` bus; and the functions the PlaceOrder
 * saga invokes to reserve, release and commit an order's stock.
 *
 * The routes live in this stack, on the API imported by id, so the platform stack never depends on
 * this one; `ApiStageStack` deploys them.
 */
export class InventoryStack extends Stack {
  /** The context's dashboard, alarms and guard (docs/patterns/monitoring.md). */
  public readonly monitoring: ContextMonitoring;
  /** The context's routes on the shared API, for the API's deployment (`ApiStageStack`). */
  public readonly routes: ContextRoutes;
  public readonly productsTable: ContextTable;
  public readonly idempotencyTable: IdempotencyTable;
  public readonly createProductFunction: ServiceFunction;
  public readonly getProductFunction: ServiceFunction;
  public readonly restockProductFunction: ServiceFunction;
  /** The PlaceOrder saga's ReserveStock step (invoked by the state machine, not routed). */
  public readonly reserveStockFunction: ServiceFunction;
  /** The PlaceOrder saga's ReleaseStock compensation. */
  public readonly releaseStockFunction: ServiceFunction;
  /** The PlaceOrder saga's CommitStock step. */
  public readonly commitStockFunction: ServiceFunction;
  public readonly relay: OutboxRelay;
  /** The choreographed saga's consumer: inventory's reactions to orders and payments events. */
  public readonly orderSagaConsumer: EventConsumer;
  /** Inventory in the platform's namespace: one instance, the shared API (`url`, `healthUrl`). */
  public readonly service: servicediscovery.Service;

  constructor(scope: Construct, id: string, props: InventoryStackProps) {
    super(scope, id, props);
    // The API and bus come in as `Fn::ImportValue`s: CloudFormation then refuses to remove from the
    // platform stack what inventory still uses.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);

    // State item `sk = 'product'` + one event item per change (`kind = 'event'`) + one item per order
    // holding stock (`sk = 'reservation#<orderId>'`): see functions/inventory/adapters/product-items.ts.
    this.productsTable = new ContextTable(this, 'ProductsTable', {
      stream: dynamodb.StreamViewType.NEW_IMAGE,
      // Event items expire once long relayed; state items have no expiry.
      timeToLiveAttribute: 'expiresAt',
    });
    this.idempotencyTable = new IdempotencyTable(this, 'IdempotencyTable');

    const productsEnv = { PRODUCTS_TABLE: this.productsTable.tableName };
    this.createProductFunction = new ServiceFunction(this, 'CreateProductFunction', {
      entry: handler('create-product'),
      service: SERVICE,
      description: 'POST /products: creates a product with its opening stock',
      environment: { ...productsEnv, IDEMPOTENCY_TABLE: this.idempotencyTable.tableName },
    });
    this.productsTable.grant(this.createProductFunction, 'dynamodb:PutItem');
    this.idempotencyTable.grantRecords(this.createProductFunction);

    this.getProductFunction = new ServiceFunction(this, 'GetProductFunction', {
      entry: handler('get-product'),
      service: SERVICE,
      description: 'GET /products/{productId}: a product and its stock',
      environment: productsEnv,
    });
    this.productsTable.grant(this.getProductFunction, 'dynamodb:GetItem');

    this.restockProductFunction = new ServiceFunction(this, 'RestockProductFunction', {
      entry: handler('restock-product'),
      service: SERVICE,
      description: 'POST /products/{productId}/restock: adds stock under optimistic locking',
      // Room for the bounded retries of a hot product (20 s), inside API Gateway's 29 s.
      timeout: Duration.seconds(25),
      environment: { ...productsEnv, IDEMPOTENCY_TABLE: this.idempotencyTable.tableName },
    });
    this.productsTable.grant(
      this.restockProductFunction,
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'dynamodb:PutItem',
    );
    this.idempotencyTable.grantRecords(this.restockProductFunction);

    // The saga's stock steps: each line is a read of the product and the order's reservation, and one
    // transaction (product Update on its version, reservation Put on its status, event Put), retried
    // on a lost race. A release of a line never reserved only Puts the reservation (a tombstone).
    const stockStep = (id: string, name: string, description: string): ServiceFunction => {
      const fn = new ServiceFunction(this, id, {
        entry: handler(name),
        service: SERVICE,
        description,
        // Room for the bounded optimistic retries of hot products, line after line.
        timeout: Duration.seconds(15),
        environment: productsEnv,
      });
      this.productsTable.grant(fn, 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem');
      return fn;
    };
    this.reserveStockFunction = stockStep(
      'ReserveStockFunction',
      'reserve-stock',
      'PlaceOrder saga: holds stock for each line of an order (throws OutOfStock)',
    );
    this.releaseStockFunction = stockStep(
      'ReleaseStockFunction',
      'release-stock',
      "PlaceOrder saga: gives back an order's reserved or committed stock (idempotent)",
    );
    this.commitStockFunction = stockStep(
      'CommitStockFunction',
      'commit-stock',
      "PlaceOrder saga: sells an order's reserved stock (throws ReservationNotFound)",
    );

    this.relay = new OutboxRelay(this, 'OutboxRelay', {
      table: this.productsTable,
      entry: handler('outbox-relay'),
      service: SERVICE,
      bus: props.bus,
      source: INVENTORY_EVENT_SOURCE,
    });

    // The choreographed saga: reserve on OrderCreated, commit on PaymentCaptured, release on OrderCancelled.
    this.orderSagaConsumer = new EventConsumer(this, 'OrderSagaConsumer', {
      entry: handler('order-saga-events'),
      service: SERVICE,
      description: 'Choreographed saga: reserves, commits and releases the stock of orders on their events',
      bus: props.bus,
      environment: productsEnv,
      eventPatterns: [
        {
          source: [ORDERS_EVENT_SOURCE],
          detailType: ['OrderCreated', 'OrderCancelled'],
          detail: { data: { saga: ['choreographed'] } },
        },
        { source: [PAYMENTS_EVENT_SOURCE], detailType: ['PaymentCaptured'] },
      ],
    });
    this.productsTable.grant(
      this.orderSagaConsumer.function,
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'dynamodb:PutItem',
    );

    this.routes = new ContextRoutes(this, 'Routes', {
      api: props.api,
      authorizer: props.authorizer,
      routes: [
        { path: '/products', method: 'POST', handler: this.createProductFunction.live },
        { path: '/products/{productId}', method: 'GET', handler: this.getProductFunction.live },
        { path: '/products/{productId}/restock', method: 'POST', handler: this.restockProductFunction.live },
      ],
    });

    this.service = new servicediscovery.Service(this, 'Service', {
      namespace: props.namespace,
      name: SERVICE,
      description: 'The inventory context: its routes, behind the shared API',
      customHealthCheck: { failureThreshold: 1 },
    });
    this.service.registerNonIpInstance('ApiInstance', {
      instanceId: 'shop-api',
      customAttributes: {
        [INSTANCE_ATTRIBUTES.url]: props.apiUrl,
        [INSTANCE_ATTRIBUTES.healthUrl]: `${props.apiUrl}health`,
        [INSTANCE_ATTRIBUTES.zone]: 'regional',
        [INSTANCE_ATTRIBUTES.weight]: '1',
        [INSTANCE_ATTRIBUTES.version]: '1',
      },
    });

    this.monitoring = new ContextMonitoring(this, 'Monitoring', { ...props.monitoring, service: SERVICE });
    // The API's functions go live blue/green, through CodeDeploy (docs/patterns/progressive-delivery.md).
    new BlueGreenDelivery(this, 'BlueGreen', {
      monitoring: this.monitoring,
      ...(props.syntheticOrderCheck === undefined ? {} : { syntheticOrderCheck: props.syntheticOrderCheck }),
      apiFunctions: [this.createProductFunction, this.getProductFunction, this.restockProductFunction],
      batchFunctions: [this.relay.function, this.orderSagaConsumer.function],
      probedFunctions: [this.reserveStockFunction, this.releaseStockFunction, this.commitStockFunction],
    });
    this.monitoring.monitorFunctions(
      this.createProductFunction,
      this.getProductFunction,
      this.restockProductFunction,
      this.releaseStockFunction,
    );
    // Their errors include the saga's business outcomes (OutOfStock, ReservationNotFound).
    this.monitoring.monitorFunction(this.reserveStockFunction, SAGA_STEP_ERRORS);
    this.monitoring.monitorFunction(this.commitStockFunction, SAGA_STEP_ERRORS);
    this.monitoring.monitorOutboxRelay(this.relay);
    this.monitoring.monitorEventConsumer(this.orderSagaConsumer);
    this.monitoring.monitorRoutes(sharedApiStage(props.api), this.routes.methods);

    new CfnOutput(this, 'ProductsTableName', { value: this.productsTable.tableName });
    new CfnOutput(this, 'OutboxDeadLetterQueueUrl', { value: this.relay.deadLetterQueue.queueUrl });
  }
}
