import { BlueGreenDelivery, type SyntheticOrderCheckOptions } from '../constructs/blue-green-delivery';
import {
  CfnOutput,
  CrossStackReferences,
  Duration,
  ReferenceStrength,
  RemovalPolicy,
  Stack,
  StackProps,
} from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { ContextRoutes } from '../constructs/context-routes';
import {
  ContextMonitoring,
  SAGA_STEP_ERRORS,
  type MonitoringOptions,
} from '../constructs/context-monitoring';
import { sharedApiStage } from './platform-stack';
import { ServiceFunction } from '../constructs/service-function';
import { EventConsumer } from '../constructs/event-consumer';
import { OutboxRelay } from '../constructs/outbox-relay';
import { INVENTORY_EVENT_SOURCE } from '../../functions/inventory/contracts/inventory-events';
import { ORDERS_EVENT_SOURCE } from '../../functions/orders/contracts/order-events';
import { PAYMENTS_EVENT_SOURCE } from '../../functions/payments/contracts/payment-events';
import {
  ACCOUNT_CHARGE_CIRCUIT,
  ACCOUNT_REFUND_CIRCUIT,
  CHARGE_CIRCUIT,
  REFUND_CIRCUIT,
} from '../../functions/payments/circuits';
import { CARD_TOKEN_KEY_PREFIX } from '../../functions/payments/contracts/card-vault';
import { PAYMENT_METRICS } from '../../functions/payments/ports/payment-metrics';
import { INSTANCE_ATTRIBUTES } from '../../shared/discovery/service-instance';

export interface PaymentsStackProps extends StackProps {
  /**
   * Where the context's alarms notify, the prefix of their names, and their limits.
   * @default a topic of the context's own, the prefix `shop`, ContextMonitoring's limits
   */
  readonly monitoring?: MonitoringOptions;
  /** The platform's public REST API; `GET /payments/{orderId}` is added to it from this stack. */
  readonly api: apigateway.IRestApi;
  /**
   * The platform's bus: the choreographed saga's payment events go there (`shop.payments`), and the
   * events payments reacts to come from it.
   */
  readonly bus: events.IEventBus;
  /**
   * The platform's Cloud Map namespace. The stack defines the card processor's service in it
   * (`processorService`, custom health status); the processor's instances register there and the
   * charge and refund functions discover them (`shared/discovery`).
   */
  readonly namespace: servicediscovery.IHttpNamespace;
  /**
   * A real card processor, from two SSM parameters its operator creates before the first deploy: its
   * API's URL (a `String`, read at deploy time and registered as the service's one instance) and its
   * API key (a `SecureString`, read by the functions at run time and sent as `Authorization: Bearer`,
   * never stored in their configuration). Without them, the sandbox processor registers its own
   * instances in `processorService` (`PaymentProviderStack`).
   * @default - the sandbox processor
   */
  readonly processorParameters?: ProcessorParameters;
  /**
   * How long a function uses the processor's discovered instances before asking Cloud Map again.
   * @default Duration.seconds(10)
   */
  readonly discoveryCacheTtl?: Duration;
  /**
   * The accounts context's payment function (`AccountsStack.accountPaymentsFunction`): orders paid from
   * an account are charged and refunded through it.
   */
  readonly accountPayments: lambda.IFunction;
  /** Per invocation of `accountPayments`. @default Duration.seconds(4) */
  readonly accountsTimeout?: Duration;
  /** Checks the caller's ID token on every route of this stack (the users stack's Cognito authorizer). */
  readonly authorizer: apigateway.IAuthorizer;
  /** Per call to the processor; a call still running is aborted and counts as a failure. @default Duration.seconds(2) */
  readonly providerTimeout?: Duration;
  /** Calls per processor operation, the first included (only failures of the processor are retried). @default 3 */
  readonly providerMaxAttempts?: number;
  /**
   * Open the processor's circuit on this many consecutive failures — the seed's rule ("more than 5
   * consecutive" is 6) — instead of a failure rate. Set this or `breakerFailureRate`, not both.
   * @default the failure rate of `breakerFailureRate`
   */
  readonly breakerFailureThreshold?: number;
  /**
   * Open the processor's circuit when at least `percent` of the calls of the last `window` failed,
   * with at least `minimumCalls` calls in it: a few misbehaving cards never open it, a processor that
   * is down does. Only the processor's own failures count (timeouts, 5xx, unreachable), never a decline.
   * @default 50 % of the calls of the last 60 s, at least 10 calls
   */
  readonly breakerFailureRate?: BreakerFailureRate;
  /** How long the circuit stays open before one probe call is let through. @default Duration.seconds(30) */
  readonly breakerResetTimeout?: Duration;
  /**
   * How long a choreographed order's charge waits for an unavailable processor before its payment fails
   * (the orchestrated saga's `paymentWaitBudget`). @default Duration.minutes(15)
   */
  readonly paymentWaitBudget?: Duration;
  /** The longest pause between two charges of a waiting choreographed order. @default Duration.seconds(30) */
  readonly paymentWaitInterval?: Duration;
  /**
   * Whether the charge and refund functions reserve their concurrency (`chargeConcurrency`,
   * `refundConcurrency`). Without it they share the account's unreserved pool: no bulkhead, but a
   * deploy that a new account's Lambda quota does not refuse. @default true
   */
  readonly reservedConcurrency?: boolean;
  /** Reserved concurrency of the charge function: its bulkhead. @default 20 */
  readonly chargeConcurrency?: number;
  /** Reserved concurrency of the refund function: capacity no flood of charges can take. @default 5 */
  readonly refundConcurrency?: number;
  /**
   * How long the card vault keeps a token whose charge never comes (an order cancelled before it):
   * longer than an order may wait for its charge. @default Duration.days(7)
   */
  readonly cardTokenRetention?: Duration;
  /**
   * The synthetic customer whose order each blue/green deployment's after-traffic hook places, and which
   * must reach the read model (`infra/ops/synthetic-check.ts` makes it): the contexts on the order path.
   * @default - the after-traffic hook sends the smoke request alone
   */
  readonly syntheticOrderCheck?: SyntheticOrderCheckOptions;
}

export interface ProcessorParameters {
  /** e.g. `/shop/payment-processor/endpoint` */
  readonly endpoint: string;
  /** e.g. `/shop/payment-processor/api-key` */
  readonly apiKey: string;
}

export interface BreakerFailureRate {
  /** @default 50 */
  readonly percent?: number;
  /** @default 10 */
  readonly minimumCalls?: number;
  /** @default Duration.seconds(60) */
  readonly window?: Duration;
}

const SERVICE = 'payments';
/** The card processor's service name in the platform's namespace. */
export const CARD_PROCESSOR_SERVICE = 'card-processor';
const handler = (name: string): string => `functions/payments/handlers/${name}.handler.ts`;

/** Charges: 3 attempts of at most 2 s, their backoff, and the outcome's write, with room to spare. */
const CHARGE_TIMEOUT = Duration.seconds(10);
/** Refunds: a list and a refund per captured charge, each with its retries. */
const REFUND_TIMEOUT = Duration.seconds(20);
/** What an attempt may take at most, so that the default three fit in the charge function's time. */
const MAX_PROVIDER_TIMEOUT = Duration.seconds(3);

/**
 * The payments context: charges and refunds of orders at the external card processor, as steps of the
 * PlaceOrder saga, and `GET /payments/{orderId}` on the shared API.
 *
 * **Bulkhead.** Charging and refunding are separate functions, each with its own reserved concurrency:
 * a flood of charges (or a slow processor holding every charge invocation for its full timeout) uses
 * up the charge function's share and is throttled there, while refunds — the compensations that give
 * customers their money back — keep theirs. Reserved concurrency is also a ceiling, so neither can
 * starve the rest of the account's functions either.
 *
 * **Circuit breaker.** Each function guards the processor with its own breaker (`payment-provider`
 * for charges, `payment-provider-refunds` for refunds) whose state lives in the circuit breaker table,
 * so every instance of the function sees the same health, and failing charges cannot keep refunds
 * from being tried; retries and timeouts are composed around it in the code
 * (functions/payments/application/provider-policy.ts).
 */
export class PaymentsStack extends Stack {
  /** The context's dashboard, alarms and guard (docs/patterns/monitoring.md). */
  public readonly monitoring: ContextMonitoring;
  /** The context's routes on the shared API, for the API's deployment (`ApiStageStack`). */
  public readonly routes: ContextRoutes;
  public readonly paymentsTable: dynamodb.Table;
  public readonly circuitBreakerTable: dynamodb.Table;
  public readonly chargePaymentFunction: ServiceFunction;
  public readonly refundPaymentFunction: ServiceFunction;
  public readonly getPaymentFunction: ServiceFunction;
  /**
   * The card vault (no route; Lambda `Invoke`): the orders context hands a new order's card token to
   * it, so that no event, saga history or log holds the token. Grant `invoke` to the function that
   * places orders alone.
   */
  public readonly cardVaultFunction: ServiceFunction;
  /** The payments table's stream → the bus: the choreographed saga's payment events. */
  public readonly relay: OutboxRelay;
  /** The choreographed saga's consumer: charges and refunds on orders and inventory events. */
  public readonly orderSagaConsumer: EventConsumer;
  /** The card processor's service in the platform's namespace: its instances are what the functions call. */
  public readonly processorService: servicediscovery.Service;

  constructor(scope: Construct, id: string, props: PaymentsStackProps) {
    super(scope, id, props);
    validateProps(id, props);
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);

    // One item per order, `orderId` (S): see functions/payments/adapters/payment-items.ts.
    this.paymentsTable = new dynamodb.Table(this, 'PaymentsTable', {
      partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Records of money moved: kept when the stack goes.
      removalPolicy: RemovalPolicy.RETAIN,
      // The outbox of the choreographed saga's events; they and their markers expire once relayed.
      stream: dynamodb.StreamViewType.NEW_IMAGE,
      timeToLiveAttribute: 'expiresAt',
    });
    // One item per circuit, `pk = circuit#<name>`: see shared/resilience/dynamodb-circuit-breaker-store.ts.
    this.circuitBreakerTable = new dynamodb.Table(this, 'CircuitBreakerTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      // Every table can be restored to any second of the last 35 days, whatever it holds.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Health observations, rebuilt from the next calls: nothing to keep.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const providerTimeout = props.providerTimeout ?? Duration.seconds(2);
    const reserved = props.reservedConcurrency ?? true;
    const breakerResetTimeout = props.breakerResetTimeout ?? Duration.seconds(30);
    const processor = props.processorParameters;
    this.processorService = new servicediscovery.Service(this, 'CardProcessorService', {
      namespace: props.namespace,
      name: CARD_PROCESSOR_SERVICE,
      description: 'The card processor: its API endpoints, health-checked by the platform',
      customHealthCheck: { failureThreshold: 1 },
    });
    if (processor !== undefined) {
      // The real processor's one endpoint, registered on its behalf (no health URL: it is not probed).
      this.processorService.registerNonIpInstance('ProcessorInstance', {
        instanceId: 'processor',
        customAttributes: {
          [INSTANCE_ATTRIBUTES.url]: ssm.StringParameter.valueForStringParameter(this, processor.endpoint),
          [INSTANCE_ATTRIBUTES.zone]: 'external',
          [INSTANCE_ATTRIBUTES.weight]: '1',
        },
      });
    }
    const processorEnv = {
      PAYMENTS_TABLE: this.paymentsTable.tableName,
      CIRCUIT_BREAKER_TABLE: this.circuitBreakerTable.tableName,
      PROVIDER_NAMESPACE: props.namespace.namespaceName,
      PROVIDER_SERVICE: this.processorService.serviceName,
      DISCOVERY_CACHE_TTL_MS: String((props.discoveryCacheTtl ?? Duration.seconds(10)).toMilliseconds()),
      ...(processor === undefined ? {} : { PROVIDER_API_KEY_PARAMETER: processor.apiKey }),
      PROVIDER_TIMEOUT_MS: String(providerTimeout.toMilliseconds()),
      ACCOUNT_PAYMENTS_FUNCTION: props.accountPayments.functionName,
      ACCOUNTS_TIMEOUT_MS: String((props.accountsTimeout ?? Duration.seconds(4)).toMilliseconds()),
      PROVIDER_MAX_ATTEMPTS: String(props.providerMaxAttempts ?? 3),
      ...breakerRuleEnvironment(props),
      BREAKER_RESET_TIMEOUT_MS: String(breakerResetTimeout.toMilliseconds()),
    };

    this.chargePaymentFunction = new ServiceFunction(this, 'ChargePaymentFunction', {
      entry: handler('charge-payment'),
      service: SERVICE,
      description: 'PlaceOrder saga step: charges the order at the card processor, once',
      timeout: CHARGE_TIMEOUT,
      reservedConcurrentExecutions: reserved ? (props.chargeConcurrency ?? 20) : undefined,
      environment: processorEnv,
    });
    this.refundPaymentFunction = new ServiceFunction(this, 'RefundPaymentFunction', {
      entry: handler('refund-payment'),
      service: SERVICE,
      description: "PlaceOrder saga compensation: refunds every captured amount of the order's charges",
      timeout: REFUND_TIMEOUT,
      reservedConcurrentExecutions: reserved ? (props.refundConcurrency ?? 5) : undefined,
      environment: processorEnv,
    });
    // The card vault's items only (`card-token#<orderId>`): whoever may touch them, and how.
    const grantCardVault = (grantee: iam.IGrantable, ...actions: string[]): void => {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions,
          resources: [this.paymentsTable.tableArn],
          conditions: {
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${CARD_TOKEN_KEY_PREFIX}*`] },
          },
        }),
      );
    };
    this.cardVaultFunction = new ServiceFunction(this, 'CardVaultFunction', {
      entry: handler('card-vault'),
      service: SERVICE,
      description: "Card vault: keeps a new order's card token until its charge (invoked by orders)",
      environment: {
        PAYMENTS_TABLE: this.paymentsTable.tableName,
        CARD_TOKEN_RETENTION_SECONDS: String((props.cardTokenRetention ?? Duration.days(7)).toSeconds()),
      },
    });
    grantCardVault(this.cardVaultFunction, 'dynamodb:PutItem');

    for (const fn of [this.chargePaymentFunction, this.refundPaymentFunction]) {
      // The payment record: a consistent read, and one conditional update per outcome.
      this.paymentsTable.grant(fn, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
      // The order's card token: taken for the charge, forgotten once the payment is settled.
      grantCardVault(fn, 'dynamodb:DeleteItem');
      // The breaker's state: read, count an outcome (update), compare-and-set a transition (put).
      this.circuitBreakerTable.grant(fn, 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem');
      props.accountPayments.grantInvoke(fn);
    }
    // Cloud Map's DiscoverInstances, on the platform's namespace only.
    const discoverProcessor = (grantee: iam.IGrantable): void => {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['servicediscovery:DiscoverInstances'],
          resources: [props.namespace.namespaceArn],
        }),
      );
    };
    discoverProcessor(this.chargePaymentFunction);
    discoverProcessor(this.refundPaymentFunction);
    // Only the processor's key, decrypted through SSM (its AWS managed key's policy allows that).
    const readProcessorKey = (grantee: iam.IGrantable): void => {
      if (processor === undefined) return;
      grantee.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['ssm:GetParameter'],
          resources: [
            Stack.of(this).formatArn({
              service: 'ssm',
              resource: 'parameter',
              resourceName: processor.apiKey.replace(/^\//, ''),
            }),
          ],
        }),
      );
    };
    readProcessorKey(this.chargePaymentFunction);
    readProcessorKey(this.refundPaymentFunction);

    this.getPaymentFunction = new ServiceFunction(this, 'GetPaymentFunction', {
      entry: handler('get-payment'),
      service: SERVICE,
      description: "GET /payments/{orderId}: the order's payment",
      environment: { PAYMENTS_TABLE: this.paymentsTable.tableName },
    });
    this.paymentsTable.grant(this.getPaymentFunction, 'dynamodb:GetItem');

    // ---- The choreographed saga: charge once the stock is held, refund on a cancellation --------------
    this.relay = new OutboxRelay(this, 'OutboxRelay', {
      table: this.paymentsTable,
      entry: handler('outbox-relay'),
      service: SERVICE,
      bus: props.bus,
      source: PAYMENTS_EVENT_SOURCE,
    });
    const waitBudget = props.paymentWaitBudget ?? Duration.minutes(15);
    const waitInterval = props.paymentWaitInterval ?? Duration.seconds(30);
    this.orderSagaConsumer = new EventConsumer(this, 'OrderSagaConsumer', {
      entry: handler('order-saga-events'),
      service: SERVICE,
      description: 'Choreographed saga: charges orders once their stock is held, refunds cancelled ones',
      bus: props.bus,
      // A charge and, when it fails, the refund of what a lost answer may have captured.
      timeout: Duration.seconds(CHARGE_TIMEOUT.toSeconds() + REFUND_TIMEOUT.toSeconds()),
      // Every pause of a charge waiting for its processor is a delivery: room for all of them.
      maxReceiveCount:
        Math.ceil(waitBudget.toSeconds() / Math.max(1, Math.floor(waitInterval.toSeconds() / 2))) + 20,
      environment: {
        ...processorEnv,
        PAYMENT_WAIT_BUDGET_SECONDS: String(waitBudget.toSeconds()),
        PAYMENT_WAIT_INTERVAL_SECONDS: String(waitInterval.toSeconds()),
      },
      eventPatterns: [
        {
          source: [ORDERS_EVENT_SOURCE],
          detailType: ['OrderCreated', 'OrderApproved', 'OrderCancelled'],
          detail: { data: { saga: ['choreographed'] } },
        },
        { source: [INVENTORY_EVENT_SOURCE], detailType: ['OrderStockReserved'] },
      ],
    });
    const consumer = this.orderSagaConsumer.function;
    this.paymentsTable.grant(consumer, 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem');
    grantCardVault(consumer, 'dynamodb:DeleteItem');
    this.circuitBreakerTable.grant(consumer, 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem');
    props.accountPayments.grantInvoke(consumer);
    readProcessorKey(consumer);
    discoverProcessor(consumer);

    this.routes = new ContextRoutes(this, 'Routes', {
      api: props.api,
      authorizer: props.authorizer,
      routes: [{ path: '/payments/{orderId}', method: 'GET', handler: this.getPaymentFunction.live }],
    });

    this.monitoring = new ContextMonitoring(this, 'Monitoring', { ...props.monitoring, service: SERVICE });
    // The API's functions go live blue/green, through CodeDeploy (docs/patterns/progressive-delivery.md).
    new BlueGreenDelivery(this, 'BlueGreen', {
      monitoring: this.monitoring,
      ...(props.syntheticOrderCheck === undefined ? {} : { syntheticOrderCheck: props.syntheticOrderCheck }),
      apiFunctions: [this.getPaymentFunction],
      batchFunctions: [this.relay.function, this.orderSagaConsumer.function],
      probedFunctions: [this.chargePaymentFunction, this.refundPaymentFunction, this.cardVaultFunction],
    });
    this.monitoring.monitorFunctions(this.getPaymentFunction, this.cardVaultFunction);
    // Their errors include the saga's business outcomes (PaymentDeclined, PaymentProviderUnavailable).
    this.monitoring.monitorFunction(this.chargePaymentFunction, SAGA_STEP_ERRORS);
    this.monitoring.monitorFunction(this.refundPaymentFunction, SAGA_STEP_ERRORS);
    this.monitoring.monitorOutboxRelay(this.relay);
    this.monitoring.monitorEventConsumer(this.orderSagaConsumer);
    this.monitoring.monitorRoutes(sharedApiStage(props.api), this.routes.methods);
    this.monitoring.monitorCircuit(
      CHARGE_CIRCUIT,
      'charges fail fast; orchestrated orders wait for the card processor.',
    );
    this.monitoring.monitorCircuit(REFUND_CIRCUIT, 'refunds fail fast; compensations wait, or park.');
    this.monitoring.monitorCircuit(ACCOUNT_CHARGE_CIRCUIT, 'charges from accounts fail fast.');
    this.monitoring.monitorCircuit(
      ACCOUNT_REFUND_CIRCUIT,
      'refunds to accounts fail fast; compensations wait, or park.',
    );
    // Payments, once each whichever saga style and however many step invocations settled them.
    this.monitoring.addBusinessMetrics('Payments (sum, 5 min)', [
      PAYMENT_METRICS.captured,
      PAYMENT_METRICS.refunded,
    ]);
    this.monitoring.addBusinessMetricByDimension(
      'Payments declined by reason (sum, 5 min)',
      PAYMENT_METRICS.declined,
      'reason',
    );
    this.monitoring.addBusinessMetrics('Card processor calls (sum, 5 min)', [
      'ProviderCalls',
      'ProviderRetries',
      'ProviderInstanceDown',
    ]);
    // The charge and refund steps' outcomes, per invocation: a redelivered step counts again.
    this.monitoring.addBusinessMetrics('Charges (sum, 5 min)', [
      'ChargeCaptured',
      'ChargeDeclined',
      'ChargeProviderUnavailable',
      'ChargeFailed',
    ]);
    this.monitoring.addBusinessMetrics('Refunds (sum, 5 min)', [
      'RefundCompleted',
      'RefundIssued',
      'RefundFailed',
    ]);
    this.monitoring.addBusinessMetrics(
      'Card processor discovery (sum, 5 min)',
      ['DiscoveryCalls', 'DiscoveryFailures'],
      {
        discoveredService: CARD_PROCESSOR_SERVICE,
      },
    );

    new CfnOutput(this, 'PaymentsTableName', { value: this.paymentsTable.tableName });
    new CfnOutput(this, 'CircuitBreakerTableName', { value: this.circuitBreakerTable.tableName });
  }
}

/** The variables of the circuit's opening rule (read by `functions/payments/config.ts`). */
function breakerRuleEnvironment(props: PaymentsStackProps): Record<string, string> {
  if (props.breakerFailureThreshold !== undefined) {
    return { BREAKER_FAILURE_THRESHOLD: String(props.breakerFailureThreshold) };
  }
  const rate = props.breakerFailureRate ?? {};
  return {
    BREAKER_FAILURE_RATE_PERCENT: String(rate.percent ?? 50),
    BREAKER_MINIMUM_CALLS: String(rate.minimumCalls ?? 10),
    BREAKER_WINDOW_MS: String((rate.window ?? Duration.seconds(60)).toMilliseconds()),
  };
}

function validateProps(id: string, props: PaymentsStackProps): void {
  const fail = (message: string): never => {
    throw new Error(`PaymentsStack ${id}: ${message}`);
  };
  const positiveInteger = (name: string, value: number | undefined): void => {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      fail(`${name} must be a positive integer, not ${value}.`);
    }
  };
  for (const name of Object.values(props.processorParameters ?? {})) {
    if (!/^\/[\w.\-/]+$/.test(name))
      fail(`processorParameters names SSM parameters by path, e.g. '/shop/x', not '${name}'.`);
  }
  positiveInteger('providerMaxAttempts', props.providerMaxAttempts);
  positiveInteger('breakerFailureThreshold', props.breakerFailureThreshold);
  if (props.breakerFailureThreshold !== undefined && props.breakerFailureRate !== undefined) {
    fail('breakerFailureThreshold (consecutive failures) and breakerFailureRate are two rules; set one.');
  }
  const rate = props.breakerFailureRate;
  positiveInteger('breakerFailureRate.minimumCalls', rate?.minimumCalls);
  if (
    rate?.percent !== undefined &&
    (!Number.isInteger(rate.percent) || rate.percent < 1 || rate.percent > 100)
  ) {
    fail(`breakerFailureRate.percent must be a whole number from 1 to 100, not ${rate.percent}.`);
  }
  const windowMs = rate?.window?.toMilliseconds();
  if (windowMs !== undefined && windowMs < 10_000) {
    fail(`breakerFailureRate.window must be at least 10 s, not ${windowMs} ms.`);
  }
  // 0 would disable the function; a bulkhead needs at least one slot.
  positiveInteger('chargeConcurrency', props.chargeConcurrency);
  positiveInteger('refundConcurrency', props.refundConcurrency);
  const retentionSeconds = props.cardTokenRetention?.toSeconds();
  if (retentionSeconds !== undefined && retentionSeconds < 3600) {
    fail(`cardTokenRetention must be at least an hour, not ${retentionSeconds} s.`);
  }
  const timeoutMs = props.providerTimeout?.toMilliseconds();
  if (timeoutMs !== undefined && (timeoutMs < 100 || timeoutMs > MAX_PROVIDER_TIMEOUT.toMilliseconds())) {
    fail(
      `providerTimeout must be from 100 ms to ${MAX_PROVIDER_TIMEOUT.toSeconds()} s (the charge function's ` +
        `${CHARGE_TIMEOUT.toSeconds()} s must hold its retries), not ${timeoutMs} ms.`,
    );
  }
  const resetMs = props.breakerResetTimeout?.toMilliseconds();
  if (resetMs !== undefined && resetMs < 1_000) {
    fail(`breakerResetTimeout must be at least 1 s, not ${resetMs} ms.`);
  }
}
