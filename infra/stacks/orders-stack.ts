import { BlueGreenDelivery, type SyntheticOrderCheckOptions } from '../constructs/blue-green-delivery';
import { CfnOutput, CrossStackReferences, Duration, ReferenceStrength, Stack, StackProps } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { SAGA_STYLES, type SagaStyle } from '../app-settings';
import { ContextRoutes } from '../constructs/context-routes';
import { IdempotencyTable } from '../constructs/idempotency-table';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as eventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  ORDER_DEADLINES_EVENT_SOURCE,
  ORDERS_EVENT_SOURCE,
} from '../../functions/orders/contracts/order-events';
import { USERS_EVENT_SOURCE } from '../../functions/users/contracts';
import { EventStoreTable } from '../constructs/event-store-table';
import { OutboxRelay } from '../constructs/outbox-relay';
import { PlaceOrderSaga } from '../constructs/place-order-saga';
import { EVENT_CONSUMER_QUEUE_URL_ENV, EventConsumer } from '../constructs/event-consumer';
import { firstMessageAlarm } from '../constructs/queue-alarms';
import {
  ContextMonitoring,
  SAGA_STEP_ERRORS,
  type MonitoringOptions,
} from '../constructs/context-monitoring';
import { sharedApiStage } from './platform-stack';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { INVENTORY_EVENT_SOURCE } from '../../functions/inventory/contracts/inventory-events';
import { PAYMENTS_EVENT_SOURCE } from '../../functions/payments/contracts/payment-events';
import { ReadModelTable } from '../constructs/read-model-table';
import { ORDER_METRICS } from '../../functions/orders/ports/order-metrics';
import { ServiceFunction, type Delivery } from '../constructs/service-function';
import { DeadLetterQueue } from '../constructs/dead-letter-queue';

/** What the orchestrated PlaceOrder saga needs from the other contexts, and how it is tuned. */
export interface OrdersSagaProps {
  /** Inventory's `reserve-stock`, `release-stock` and `commit-stock`. */
  readonly reserveStock: lambda.IFunction;
  readonly releaseStock: lambda.IFunction;
  readonly commitStock: lambda.IFunction;
  /** Payments' `charge-payment` and `refund-payment`. */
  readonly chargePayment: lambda.IFunction;
  readonly refundPayment: lambda.IFunction;
  /** Orders totalling at least this many minor units wait for a human approval. @default 100000 */
  readonly approvalThresholdCents?: number;
  /** How long an approval may take before the saga cancels with `APPROVAL_TIMEOUT`. @default Duration.hours(24) */
  readonly approvalDeadline?: Duration;
  /**
   * How long an order waits for an unavailable card processor before the saga cancels it with
   * `PAYMENT_UNAVAILABLE` (`PlaceOrderSaga`'s `paymentWaitBudget`). @default Duration.minutes(15)
   */
  readonly paymentWaitBudget?: Duration;
  /** The longest pause of a waiting order between two charges. @default Duration.seconds(30) */
  readonly paymentWaitInterval?: Duration;
  /**
   * How long a choreographed order may take to reach PAID or CANCELLED before its watchdog schedule
   * cancels it with `SAGA_TIMED_OUT`. Longer than the approval deadline plus the payment wait budget.
   * @default approvalDeadline + paymentWaitBudget + 1 hour
   */
  readonly watchdog?: Duration;
}

export interface OrdersStackProps extends StackProps {
  /** The platform's public REST API: the orders routes are added to it from this stack. */
  readonly api: apigateway.IRestApi;
  /**
   * Inventory in the platform's Cloud Map namespace (`InventoryStack.service`): the create function
   * discovers its instances and calls `GET /products/{productId}` on them for prices.
   */
  readonly inventoryService: servicediscovery.IService;
  /**
   * How long the create function uses inventory's discovered instances before asking Cloud Map again.
   * @default Duration.seconds(10)
   */
  readonly discoveryCacheTtl?: Duration;
  /** The platform's bus: orders publish `shop.orders` events there and project them back from it. */
  readonly bus: events.IEventBus;
  /**
   * The orchestrated PlaceOrder saga's steps of the other contexts: the stack builds the state machine
   * with its own steps (approval, checks, confirmation, cancellation) and starts it on `OrderCreated`.
   */
  readonly saga: OrdersSagaProps;
  /**
   * The payments context's card vault (`PaymentsStack.cardVaultFunction`): the create function hands a
   * card's token to it, and the order keeps the payment method alone.
   */
  readonly cardVault: lambda.IFunction;
  /** Checks the caller's ID token on every route of this stack (the users stack's Cognito authorizer). */
  readonly authorizer: apigateway.IAuthorizer;
  /** A snapshot of an order is saved every this many events. @default 25 */
  readonly snapshotEvery?: number;
  /**
   * Per attempt of a price look-up in inventory: room for a cold start of its function on a busy
   * host. At most 9 s, so that a retry fits in the create function's 20 s.
   * @default Duration.seconds(3)
   */
  readonly inventoryTimeout?: Duration;
  /**
   * Attempts of a price look-up (5xx and timeouts only are retried), also bounded by the invocation's
   * remaining time: five attempts of 3 s and their pauses fit the 20 s with time to answer.
   * @default 5
   */
  readonly inventoryMaxAttempts?: number;
  /**
   * How long the create function's execution environments reuse a price found in inventory;
   * `Duration.millis(0)` turns the cache off.
   * @default Duration.seconds(60)
   */
  readonly priceCacheTtl?: Duration;
  /**
   * Deliveries of one event to the projector before it goes to the dead-letter queue. Each failed
   * delivery (a version gap, a throttled table) waits out the queue's visibility timeout.
   * @default 10
   */
  readonly projectionMaxReceiveCount?: number;
  /**
   * The saga style new orders start with: the initial value of the `/shop/saga-style` parameter, which
   * an operator changes (`aws ssm put-parameter --overwrite`) without a deployment.
   * @default 'orchestrated'
   */
  readonly sagaStyle?: SagaStyle;
  /** The SSM parameter of the saga style: one per copy of the app. @default SAGA_STYLE_PARAMETER_NAME */
  readonly sagaStyleParameterName?: string;
  /**
   * The synthetic customer whose order each blue/green deployment's after-traffic hook places, and which
   * must reach the read model (`infra/ops/synthetic-check.ts` makes it): the contexts on the order path.
   * @default - the after-traffic hook sends the smoke request alone
   */
  readonly syntheticOrderCheck?: SyntheticOrderCheckOptions;
  /**
   * Where the context's alarms notify, the prefix of their names, and their limits.
   * @default a topic of the context's own, the prefix `shop`, ContextMonitoring's limits
   */
  readonly monitoring?: MonitoringOptions;
}

/** Where the deployment says which saga style new orders use; read by `POST /orders`, cached 5 s. */
export const SAGA_STYLE_PARAMETER_NAME = '/shop/saga-style';

const SERVICE = 'orders';
/** Room for the inventory look-ups' retries, well inside API Gateway's 29 s. */
const CREATE_ORDER_TIMEOUT = Duration.seconds(20);
const MAX_INVENTORY_TIMEOUT = Duration.seconds(9);
const handler = (name: string): string => `functions/orders/handlers/${name}.handler.ts`;

/**
 * The orders context, CQRS and event-sourced: command functions append to the `EventStoreTable` (and
 * nothing else but their idempotency records); its stream is the outbox, relayed to the `shop` bus as
 * `shop.orders`; a rule queues those events for the projector, the only writer of the read model, and
 * another rule the users context's `UserRegistered`, from which the projector records the users orders
 * knows of (their ids only); query functions only read the read model. Routes are added to the shared
 * API, imported by id (as the inventory stack's are); `ApiStageStack` deploys them.
 *
 * The orchestrated PlaceOrder saga lives here too: its orders steps (`request-approval`,
 * `ensure-order-active`, `confirm-order`, `cancel-order-saga`), the `PlaceOrderSaga` state machine
 * invoking them and the other contexts' steps (`props.saga`), a rule starting it on every orchestrated
 * `OrderCreated`, and `POST /orders/{orderId}/approval` resuming its wait for a human decision.
 */
export class OrdersStack extends Stack {
  /** The context's routes on the shared API, for the API's deployment (`ApiStageStack`). */
  public readonly routes: ContextRoutes;
  public readonly eventStore: EventStoreTable;
  public readonly readModel: ReadModelTable;
  public readonly idempotencyTable: IdempotencyTable;
  public readonly relay: OutboxRelay;
  public readonly projectionQueue: sqs.Queue;
  public readonly projectionDeadLetterQueue: sqs.Queue;
  public readonly createOrderFunction: ServiceFunction;
  /** `/shop/saga-style` (or the name given): which saga new orders run; read by the create function. */
  public readonly sagaStyleParameter: ssm.StringParameter;
  public readonly cancelOrderFunction: ServiceFunction;
  public readonly shipOrderFunction: ServiceFunction;
  public readonly getOrderFunction: ServiceFunction;
  public readonly listUserOrdersFunction: ServiceFunction;
  public readonly getOrderEventsFunction: ServiceFunction;
  public readonly projectorFunction: ServiceFunction;
  /** `POST /orders/{orderId}/approval`: records the decision and resumes the waiting saga. */
  public readonly decideApprovalFunction: ServiceFunction;
  /** The saga's orders steps. */
  public readonly requestApprovalFunction: ServiceFunction;
  public readonly ensureOrderActiveFunction: ServiceFunction;
  public readonly confirmOrderFunction: ServiceFunction;
  public readonly cancelOrderSagaFunction: ServiceFunction;
  /** Starts the saga of each orchestrated `OrderCreated`. */
  public readonly startOrderSagaFunction: ServiceFunction;
  public readonly placeOrderSaga: PlaceOrderSaga;
  /** `OrderCreated` events whose saga could not be started (delivery or function failures). */
  public readonly sagaStartDeadLetterQueue: sqs.Queue;
  /** The choreographed saga's consumer: orders' reactions to inventory, payments and deadline events. */
  public readonly orderSagaConsumer: EventConsumer;
  /** Where the choreographed orders' deadlines (approval, watchdog) are scheduled. */
  public readonly deadlineScheduleGroup: scheduler.ScheduleGroup;
  /** Deadlines Scheduler could not deliver after its retries. */
  public readonly deadlineDeadLetterQueue: sqs.Queue;
  /** A message on the saga-start dead-letter queue: an orchestrated order whose saga did not start. */
  public readonly sagaStartDeadLetterAlarm: cloudwatch.Alarm;
  /** A message on the projection dead-letter queue: an event the read model lacks. */
  public readonly projectionDeadLetterAlarm: cloudwatch.Alarm;
  /** The context's dashboard, alarms and guard (docs/patterns/monitoring.md). */
  public readonly monitoring: ContextMonitoring;

  constructor(scope: Construct, id: string, props: OrdersStackProps) {
    super(scope, id, props);
    validateProps(id, props);
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);

    this.eventStore = new EventStoreTable(this, 'EventStore');
    this.readModel = new ReadModelTable(this, 'ReadModel', {
      globalSecondaryIndexes: [
        {
          indexName: 'byUser',
          partitionKey: { name: 'userId', type: dynamodb.AttributeType.STRING },
          sortKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
        },
      ],
    });
    this.idempotencyTable = new IdempotencyTable(this, 'IdempotencyTable');

    // ---- Commands: write the event store (and their idempotency records), nothing else -----------
    const commandEnv = {
      EVENT_STORE_TABLE: this.eventStore.tableName,
      IDEMPOTENCY_TABLE: this.idempotencyTable.tableName,
      SNAPSHOT_EVERY: String(props.snapshotEvery ?? 25),
    };
    const inventoryTimeout = props.inventoryTimeout ?? Duration.seconds(3);
    this.createOrderFunction = this.commandFunction('CreateOrderFunction', 'create-order', {
      description: 'POST /orders: prices the items at inventory and appends OrderCreated',
      // Each new version takes traffic 1 → 5 → 10 → 50 → 100 %, behind the canary controller.
      delivery: 'canary',
      timeout: CREATE_ORDER_TIMEOUT,
      environment: {
        ...commandEnv,
        INVENTORY_NAMESPACE: props.inventoryService.namespace.namespaceName,
        INVENTORY_SERVICE: props.inventoryService.serviceName,
        DISCOVERY_CACHE_TTL_MS: String((props.discoveryCacheTtl ?? Duration.seconds(10)).toMilliseconds()),
        INVENTORY_TIMEOUT_MS: String(inventoryTimeout.toMilliseconds()),
        INVENTORY_MAX_ATTEMPTS: String(props.inventoryMaxAttempts ?? 5),
        PRICE_CACHE_TTL_MS: String((props.priceCacheTtl ?? Duration.seconds(60)).toMilliseconds()),
        CARD_VAULT_FUNCTION: props.cardVault.functionName,
      },
    });
    props.cardVault.grantInvoke(this.createOrderFunction);
    // Cloud Map's DiscoverInstances, on inventory's namespace only.
    this.createOrderFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['servicediscovery:DiscoverInstances'],
        resources: [props.inventoryService.namespace.namespaceArn],
      }),
    );
    this.sagaStyleParameter = new ssm.StringParameter(this, 'SagaStyle', {
      parameterName: props.sagaStyleParameterName ?? SAGA_STYLE_PARAMETER_NAME,
      stringValue: props.sagaStyle ?? 'orchestrated',
      description: 'The saga style of new orders: orchestrated (Step Functions) or choreographed (events)',
      allowedPattern: `^(${SAGA_STYLES.join('|')})$`,
    });
    this.sagaStyleParameter.grantRead(this.createOrderFunction);
    this.createOrderFunction.addEnvironment('SAGA_STYLE_PARAMETER', this.sagaStyleParameter.parameterName);
    this.cancelOrderFunction = this.commandFunction('CancelOrderFunction', 'cancel-order', {
      description: 'POST /orders/{orderId}/cancel: appends OrderCancelled',
      environment: commandEnv,
    });
    this.shipOrderFunction = this.commandFunction('ShipOrderFunction', 'ship-order', {
      description: 'POST /orders/{orderId}/ship: appends OrderShipped to a paid order',
      environment: commandEnv,
    });
    this.decideApprovalFunction = this.commandFunction('DecideApprovalFunction', 'decide-approval', {
      description: 'POST /orders/{orderId}/approval: appends OrderApproved/OrderRejected, resumes the saga',
      environment: commandEnv,
    });

    // ---- The PlaceOrder saga: its orders steps, the state machine, and its start on OrderCreated ----
    // The steps write the event store (approval tasks included) and nothing else; none of them may
    // answer a task token, or the state machine and its own step's role would depend on each other.
    const stepEnv = {
      EVENT_STORE_TABLE: this.eventStore.tableName,
      SNAPSHOT_EVERY: commandEnv.SNAPSHOT_EVERY,
    };
    const step = (id: string, name: string, description: string): ServiceFunction =>
      new ServiceFunction(this, id, {
        entry: handler(name),
        service: SERVICE,
        description,
        environment: stepEnv,
      });
    this.requestApprovalFunction = step(
      'RequestApprovalFunction',
      'request-approval',
      'Saga step WaitForApproval: stores the task token, appends OrderApprovalRequested',
    );
    this.ensureOrderActiveFunction = step(
      'EnsureOrderActiveFunction',
      'ensure-order-active',
      'Saga step EnsureOrderActive: fails with OrderCancelled when the customer cancelled',
    );
    this.confirmOrderFunction = step(
      'ConfirmOrderFunction',
      'confirm-order',
      'Saga step ConfirmOrder: appends OrderPaid, or fails with OrderNotConfirmable',
    );
    this.cancelOrderSagaFunction = step(
      'CancelOrderSagaFunction',
      'cancel-order-saga',
      "Saga compensation CancelOrder: appends OrderCancelled with the saga's reason",
    );
    for (const fn of [
      this.requestApprovalFunction,
      this.confirmOrderFunction,
      this.cancelOrderSagaFunction,
    ]) {
      this.eventStore.grantAppend(fn);
    }
    this.eventStore.grantRead(this.ensureOrderActiveFunction);

    this.placeOrderSaga = new PlaceOrderSaga(this, 'PlaceOrderSaga', {
      steps: {
        reserveStock: props.saga.reserveStock,
        releaseStock: props.saga.releaseStock,
        commitStock: props.saga.commitStock,
        chargePayment: props.saga.chargePayment,
        refundPayment: props.saga.refundPayment,
        requestApproval: this.requestApprovalFunction.live,
        ensureOrderActive: this.ensureOrderActiveFunction.live,
        confirmOrder: this.confirmOrderFunction.live,
        cancelOrder: this.cancelOrderSagaFunction.live,
      },
      approvalThresholdCents: props.saga.approvalThresholdCents,
      approvalDeadline: props.saga.approvalDeadline,
      paymentWaitBudget: props.saga.paymentWaitBudget,
      paymentWaitInterval: props.saga.paymentWaitInterval,
    });
    const stateMachineArn = this.placeOrderSaga.stateMachine.stateMachineArn;
    // The approver resumes the waiting execution; a customer cancel fails it at once.
    this.placeOrderSaga.grantTaskResponse(this.decideApprovalFunction);
    this.placeOrderSaga.grantTaskResponse(this.cancelOrderFunction);

    this.sagaStartDeadLetterQueue = new DeadLetterQueue(this, 'SagaStartDeadLetterQueue');
    this.startOrderSagaFunction = new ServiceFunction(this, 'StartOrderSagaFunction', {
      entry: handler('start-order-saga'),
      service: SERVICE,
      description: 'Starts the PlaceOrder saga (execution name = order id) of each orchestrated OrderCreated',
      environment: { SAGA_STATE_MACHINE_ARN: stateMachineArn },
    });
    this.placeOrderSaga.grantStartExecution(this.startOrderSagaFunction);
    // A failing start (Step Functions throttled or down) is retried by Lambda, then kept on the queue.
    this.startOrderSagaFunction.live.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(this.sagaStartDeadLetterQueue),
    });
    new events.Rule(this, 'StartOrderSagaRule', {
      eventBus: props.bus,
      description: 'Orchestrated OrderCreated events, to the PlaceOrder saga starter',
      eventPattern: {
        source: [ORDERS_EVENT_SOURCE],
        detailType: ['OrderCreated'],
        detail: { data: { saga: ['orchestrated'] } },
      },
      targets: [
        new targets.LambdaFunction(this.startOrderSagaFunction.live, {
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
          deadLetterQueue: this.sagaStartDeadLetterQueue,
        }),
      ],
    });
    this.sagaStartDeadLetterAlarm = firstMessageAlarm(
      this,
      'SagaStartDeadLetterAlarm',
      this.sagaStartDeadLetterQueue,
      'Orchestrated orders whose saga was not started: their OrderCreated events wait on the saga-start dead-letter queue.',
    );

    // ---- Queries: read the read model (or, for the history, the event store), nothing else -------
    const queryEnv = { READ_MODEL_TABLE: this.readModel.tableName };
    this.getOrderFunction = new ServiceFunction(this, 'GetOrderFunction', {
      entry: handler('get-order'),
      service: SERVICE,
      description: 'GET /orders/{orderId}: the order from the read model, with its saga read live',
      environment: { ...queryEnv, SAGA_STATE_MACHINE_ARN: stateMachineArn },
    });
    this.placeOrderSaga.grantRead(this.getOrderFunction);
    this.listUserOrdersFunction = new ServiceFunction(this, 'ListUserOrdersFunction', {
      entry: handler('list-user-orders'),
      service: SERVICE,
      description: "GET /users/{userId}/orders: a user's orders from the read model, newest first",
      environment: queryEnv,
    });
    this.readModel.grantReadData(this.getOrderFunction);
    this.readModel.grantReadData(this.listUserOrdersFunction);
    this.getOrderEventsFunction = new ServiceFunction(this, 'GetOrderEventsFunction', {
      entry: handler('get-order-events'),
      service: SERVICE,
      description: "GET /orders/{orderId}/events: the order's events from the event store",
      environment: { EVENT_STORE_TABLE: this.eventStore.tableName },
    });
    this.eventStore.grantRead(this.getOrderEventsFunction);

    // ---- Outbox: the event store's stream → the bus ------------------------------------------------
    this.relay = new OutboxRelay(this, 'OutboxRelay', {
      table: this.eventStore.table,
      entry: handler('outbox-relay'),
      service: SERVICE,
      bus: props.bus,
      source: ORDERS_EVENT_SOURCE,
    });

    // ---- Projection: the bus → a queue → the projector → the read model -----------------------------
    this.projectionDeadLetterQueue = new DeadLetterQueue(this, 'ProjectionDeadLetterQueue');
    const projectorTimeout = Duration.seconds(10);
    this.projectionQueue = new sqs.Queue(this, 'ProjectionQueue', {
      // Three function timeouts: a batch still running is never delivered twice at once.
      visibilityTimeout: Duration.seconds(projectorTimeout.toSeconds() * 3),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: {
        queue: this.projectionDeadLetterQueue,
        maxReceiveCount: props.projectionMaxReceiveCount ?? 10,
      },
    });
    const projectionTarget = (): targets.SqsQueue =>
      new targets.SqsQueue(this.projectionQueue, {
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
        deadLetterQueue: this.projectionDeadLetterQueue,
      });
    new events.Rule(this, 'ProjectionRule', {
      eventBus: props.bus,
      description: 'Every orders event, to the read model projector',
      eventPattern: { source: [ORDERS_EVENT_SOURCE] },
      targets: [projectionTarget()],
    });
    // Orders learns which users exist from their registrations, never from the users table.
    new events.Rule(this, 'KnownUsersRule', {
      eventBus: props.bus,
      description: "The users context's UserRegistered, to the read model projector (known users)",
      eventPattern: { source: [USERS_EVENT_SOURCE], detailType: ['UserRegistered'] },
      targets: [projectionTarget()],
    });
    this.projectorFunction = new ServiceFunction(this, 'ProjectorFunction', {
      entry: handler('project-order-events'),
      service: SERVICE,
      description:
        'Applies orders events to the read model, once each and in version order; records UserRegistered users as known',
      timeout: projectorTimeout,
      environment: queryEnv,
    });
    // Just what it does: read a view, and put a view or a known user, each conditionally.
    this.readModel.table.grant(this.projectorFunction, 'dynamodb:GetItem', 'dynamodb:PutItem');
    // An event that came before the one it follows is delivered again within a second, not 30.
    this.projectorFunction.addEnvironment(EVENT_CONSUMER_QUEUE_URL_ENV, this.projectionQueue.queueUrl);
    this.projectionQueue.grant(this.projectorFunction, 'sqs:ChangeMessageVisibility');
    this.projectorFunction.live.addEventSource(
      new eventSources.SqsEventSource(this.projectionQueue, { batchSize: 10, reportBatchItemFailures: true }),
    );
    this.projectionDeadLetterAlarm = firstMessageAlarm(
      this,
      'ProjectionDeadLetterAlarm',
      this.projectionDeadLetterQueue,
      'Orders events (or UserRegistered) could not be projected: they wait on the projection dead-letter queue for a redrive.',
    );

    // ---- The choreographed saga: orders' reactions, and the deadlines as one-time schedules -----------
    const approvalDeadline = props.saga.approvalDeadline ?? Duration.hours(24);
    const watchdog =
      props.saga.watchdog ??
      Duration.seconds(
        approvalDeadline.toSeconds() +
          (props.saga.paymentWaitBudget ?? Duration.minutes(15)).toSeconds() +
          3600,
      );
    this.deadlineScheduleGroup = new scheduler.ScheduleGroup(this, 'OrderDeadlines', {});
    this.deadlineDeadLetterQueue = new DeadLetterQueue(this, 'DeadlineDeadLetterQueue');
    // What Scheduler assumes to deliver a deadline: put deadline events on the bus, nothing else.
    const deadlineRole = new iam.Role(this, 'DeadlineSchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'EventBridge Scheduler: puts the deadlines of choreographed orders on the bus',
    });
    deadlineRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [props.bus.eventBusArn],
        conditions: { StringEquals: { 'events:source': ORDER_DEADLINES_EVENT_SOURCE } },
      }),
    );
    this.deadlineDeadLetterQueue.grantSendMessages(deadlineRole);
    this.orderSagaConsumer = new EventConsumer(this, 'OrderSagaConsumer', {
      entry: handler('order-saga-events'),
      service: SERVICE,
      description: 'Choreographed saga: deadlines, approval, confirmation and cancellation of orders',
      bus: props.bus,
      environment: {
        ...stepEnv,
        DEADLINE_SCHEDULE_GROUP: this.deadlineScheduleGroup.scheduleGroupName,
        DEADLINE_BUS_ARN: props.bus.eventBusArn,
        DEADLINE_ROLE_ARN: deadlineRole.roleArn,
        DEADLINE_DEAD_LETTER_QUEUE_ARN: this.deadlineDeadLetterQueue.queueArn,
        APPROVAL_DEADLINE_SECONDS: String(approvalDeadline.toSeconds()),
        WATCHDOG_SECONDS: String(watchdog.toSeconds()),
      },
      eventPatterns: [
        {
          source: [ORDERS_EVENT_SOURCE],
          detailType: ['OrderCreated', 'OrderRejected'],
          detail: { data: { saga: ['choreographed'] } },
        },
        {
          source: [INVENTORY_EVENT_SOURCE],
          detailType: [
            'OrderStockReserved',
            'OrderStockReservationFailed',
            'OrderStockCommitted',
            'OrderStockCommitFailed',
          ],
        },
        { source: [PAYMENTS_EVENT_SOURCE], detailType: ['PaymentDeclined', 'PaymentFailed'] },
        { source: [ORDER_DEADLINES_EVENT_SOURCE], detailType: ['OrderDeadlineReached'] },
      ],
    });
    this.eventStore.grantAppend(this.orderSagaConsumer.function);
    this.deadlineScheduleGroup.grant(this.orderSagaConsumer.function, 'scheduler:CreateSchedule');
    deadlineRole.grantPassRole(this.orderSagaConsumer.function.grantPrincipal);
    this.createOrderFunction.addEnvironment(
      'APPROVAL_THRESHOLD_CENTS',
      String(props.saga.approvalThresholdCents ?? 100_000),
    );

    this.routes = new ContextRoutes(this, 'Routes', {
      api: props.api,
      authorizer: props.authorizer,
      routes: [
        { path: '/orders', method: 'POST', handler: this.createOrderFunction.live },
        { path: '/orders/{orderId}', method: 'GET', handler: this.getOrderFunction.live },
        { path: '/orders/{orderId}/cancel', method: 'POST', handler: this.cancelOrderFunction.live },
        { path: '/orders/{orderId}/ship', method: 'POST', handler: this.shipOrderFunction.live },
        { path: '/orders/{orderId}/approval', method: 'POST', handler: this.decideApprovalFunction.live },
        { path: '/orders/{orderId}/events', method: 'GET', handler: this.getOrderEventsFunction.live },
        { path: '/users/{userId}/orders', method: 'GET', handler: this.listUserOrdersFunction.live },
        { path: '/users/me/orders', method: 'GET', handler: this.listUserOrdersFunction.live },
      ],
    });

    this.monitoring = new ContextMonitoring(this, 'Monitoring', { ...props.monitoring, service: SERVICE });
    // The API's functions go live blue/green, through CodeDeploy (docs/patterns/progressive-delivery.md).
    new BlueGreenDelivery(this, 'BlueGreen', {
      monitoring: this.monitoring,
      apiFunctions: [
        this.getOrderFunction,
        this.cancelOrderFunction,
        this.shipOrderFunction,
        this.decideApprovalFunction,
        this.getOrderEventsFunction,
        this.listUserOrdersFunction,
      ],
      batchFunctions: [this.relay.function, this.projectorFunction, this.orderSagaConsumer.function],
      ...(props.syntheticOrderCheck === undefined ? {} : { syntheticOrderCheck: props.syntheticOrderCheck }),
      probedFunctions: [
        this.startOrderSagaFunction,
        this.requestApprovalFunction,
        this.ensureOrderActiveFunction,
        this.confirmOrderFunction,
        this.cancelOrderSagaFunction,
      ],
    });
    this.monitoring.monitorFunctions(
      this.createOrderFunction,
      this.cancelOrderFunction,
      this.shipOrderFunction,
      this.decideApprovalFunction,
      this.requestApprovalFunction,
      this.cancelOrderSagaFunction,
      this.startOrderSagaFunction,
      this.getOrderFunction,
      this.listUserOrdersFunction,
      this.getOrderEventsFunction,
      this.projectorFunction,
    );
    this.monitoring.monitorCanary(this.createOrderFunction);
    // Their errors include the saga's business outcomes (OrderCancelled, OrderNotConfirmable).
    this.monitoring.monitorFunction(this.ensureOrderActiveFunction, SAGA_STEP_ERRORS);
    this.monitoring.monitorFunction(this.confirmOrderFunction, SAGA_STEP_ERRORS);
    this.monitoring.monitorStateMachine(
      this.placeOrderSaga.stateMachine,
      this.placeOrderSaga.failedExecutionsAlarm,
    );
    this.monitoring.monitorDeadLetterQueue(
      this.placeOrderSaga.parkedSagasQueue,
      'PlaceOrder sagas parked',
      this.placeOrderSaga.parkedSagasAlarm,
    );
    this.monitoring.monitorDeadLetterQueue(
      this.sagaStartDeadLetterQueue,
      'Orchestrated sagas not started',
      this.sagaStartDeadLetterAlarm,
    );
    this.monitoring.monitorOutboxRelay(this.relay);
    this.monitoring.monitorWorkQueue(this.projectionQueue, 'Events waiting for the read model projector');
    this.monitoring.monitorDeadLetterQueue(
      this.projectionDeadLetterQueue,
      'Events not projected',
      this.projectionDeadLetterAlarm,
    );
    this.monitoring.monitorEventConsumer(this.orderSagaConsumer);
    this.monitoring.monitorDeadLetterQueue(
      this.deadlineDeadLetterQueue,
      "Choreographed orders' deadlines Scheduler could not deliver: their orders wait for no deadline",
    );
    this.monitoring.monitorRoutes(sharedApiStage(props.api), this.routes.methods);
    this.monitoring.addBusinessMetrics('Orders (sum, 5 min)', [
      ORDER_METRICS.placed,
      ORDER_METRICS.paid,
      ORDER_METRICS.shipped,
    ]);
    this.monitoring.addBusinessMetricByDimension(
      'Orders cancelled by reason (sum, 5 min)',
      ORDER_METRICS.cancelled,
      'reason',
    );
    this.monitoring.addBusinessMetrics(
      'Inventory discovery (sum, 5 min)',
      ['DiscoveryCalls', 'DiscoveryFailures'],
      {
        discoveredService: props.inventoryService.serviceName,
      },
    );

    new CfnOutput(this, 'EventStoreTableName', { value: this.eventStore.tableName });
    new CfnOutput(this, 'ReadModelTableName', { value: this.readModel.tableName });
    new CfnOutput(this, 'ProjectionDeadLetterQueueUrl', { value: this.projectionDeadLetterQueue.queueUrl });
    new CfnOutput(this, 'OutboxDeadLetterQueueUrl', { value: this.relay.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'PlaceOrderStateMachineArn', { value: stateMachineArn });
    new CfnOutput(this, 'SagaStartDeadLetterQueueUrl', { value: this.sagaStartDeadLetterQueue.queueUrl });
  }

  private commandFunction(
    id: string,
    name: string,
    props: {
      description: string;
      environment: Record<string, string>;
      timeout?: Duration;
      delivery?: Delivery;
    },
  ): ServiceFunction {
    const fn = new ServiceFunction(this, id, { entry: handler(name), service: SERVICE, ...props });
    this.eventStore.grantAppend(fn);
    this.idempotencyTable.grantRecords(fn);
    return fn;
  }
}

function validateProps(id: string, props: OrdersStackProps): void {
  // Also checked at run time: `cdk synth` runs the app with tsx, which does not type-check.
  const steps = ['reserveStock', 'releaseStock', 'commitStock', 'chargePayment', 'refundPayment'] as const;
  const missing = steps.filter(
    (name) => (props.saga as Partial<OrdersSagaProps> | undefined)?.[name] === undefined,
  );
  if (missing.length > 0) {
    throw new Error(
      `OrdersStack ${id}: saga needs the PlaceOrder steps of the other contexts; missing ${missing.join(', ')} ` +
        "(inventory's reserve/release/commit and payments' charge/refund functions).",
    );
  }
  const positiveInteger = (name: string, value: number | undefined): void => {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new Error(`OrdersStack ${id}: ${name} must be a positive integer, not ${value}.`);
    }
  };
  positiveInteger('snapshotEvery', props.snapshotEvery);
  positiveInteger('inventoryMaxAttempts', props.inventoryMaxAttempts);
  positiveInteger('projectionMaxReceiveCount', props.projectionMaxReceiveCount);
  if (props.inventoryTimeout !== undefined && props.inventoryTimeout.toMilliseconds() < 100) {
    throw new Error(`OrdersStack ${id}: inventoryTimeout must be at least 100 ms.`);
  }
  // No attempt starts unless its whole timeout and 1 s to answer are left: beyond 9 s, a look-up
  // would get a single attempt in the function's 20 s.
  if (
    props.inventoryTimeout !== undefined &&
    props.inventoryTimeout.toMilliseconds() > MAX_INVENTORY_TIMEOUT.toMilliseconds()
  ) {
    throw new Error(
      `OrdersStack ${id}: inventoryTimeout must be at most ${MAX_INVENTORY_TIMEOUT.toSeconds()} s, ` +
        `so that a retry fits in the create function's ${CREATE_ORDER_TIMEOUT.toSeconds()} s.`,
    );
  }
}
