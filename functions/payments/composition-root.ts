/**
 * Builds each payments function's dependencies once per container, from its own configuration only
 * (the query function knows nothing of the card processor). Handlers call one of these at module
 * load: `export const handler = makeXxxHandler(xxxDependencies())`.
 */
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { cloudMapService, type DiscoveredService } from '../../shared/discovery';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger } from '../../shared/observability/logger';
import { countOutcome, metrics } from '../../shared/observability/metrics';
import { tracedClient } from '../../shared/observability/tracer';
import { CircuitBreaker, DynamoDbCircuitBreakerStore } from '../../shared/resilience';
import { AccountsPaymentProvider } from './adapters/accounts-payment-provider';
import { DynamoDbCardVault } from './adapters/dynamodb-card-vault';
import { DynamoDbPaymentRepository } from './adapters/dynamodb-payment-repository';
import { HttpPaymentProvider } from './adapters/http-payment-provider';
import { makeChargePayment } from './application/charge-payment';
import { makeGetPayment } from './application/get-payment';
import { providerPolicy, type PaymentProcessors, type ProviderCall } from './application/provider-policy';
import { makeRefundPayment } from './application/refund-payment';
import {
  loadCardVaultConfig,
  loadOrderSagaEventsConfig,
  loadPaymentsConfig,
  loadProviderStepConfig,
  type ProviderStepConfig,
} from './config';
import { sqsConsumerOptions } from '../../shared/messaging/sqs-consumer-options';
import type { OutboxRelayHandler } from '../../shared/outbox/outbox-relay';
import { lambdaOutboxRelay } from '../../shared/outbox/lambda-outbox-relay';
import { dynamoDbOrderPaymentStore } from './adapters/order-payment-items';
import { makeOrderPaymentChoreography } from './application/order-payment-choreography';
import { PAYMENTS_EVENT_SOURCE } from './contracts/payment-events';
import type { OrderSagaEventsDependencies } from './handlers/order-saga-events';
import type { CardVaultHandlerDependencies } from './handlers/card-vault';
import type { ChargePaymentHandlerDependencies } from './handlers/charge-payment';
import type { GetPaymentHandlerDependencies } from './handlers/get-payment';
import type { RefundPaymentHandlerDependencies } from './handlers/refund-payment';
import { ACCOUNT_CHARGE_CIRCUIT, ACCOUNT_REFUND_CIRCUIT, CHARGE_CIRCUIT, REFUND_CIRCUIT } from './circuits';

/** The breakers' names (`./circuits`), where the composition root's callers have found them. */
export { ACCOUNT_CHARGE_CIRCUIT, ACCOUNT_REFUND_CIRCUIT, CHARGE_CIRCUIT, REFUND_CIRCUIT };

/**
 * Kept free of the invocation's time beyond an attempt's timeout: enough to record the outcome, so the
 * function answers (FAILED recorded) rather than being cut off mid-retry by its own timeout.
 */
const RECORD_MARGIN_MS = 1_000;

let dynamoDbClient: DynamoDBClient | undefined;
function dynamoDb(): DynamoDBClient {
  dynamoDbClient ??= tracedClient(new DynamoDBClient({}));
  return dynamoDbClient;
}

let lambdaClient: LambdaClient | undefined;
function lambda(): LambdaClient {
  // One attempt per call: the policy retries, within the invocation's time.
  lambdaClient ??= tracedClient(new LambdaClient({ maxAttempts: 1 }));
  return lambdaClient;
}

function paymentRepository(tableName: string): DynamoDbPaymentRepository {
  return new DynamoDbPaymentRepository({ client: dynamoDb(), tableName });
}

/**
 * retry( breaker( timeout( call ) ) ), composed once per container for every processor call.
 * `requestsPerAttempt`: a charge's attempt may make two (the charge, then its look-up when it got no
 * answer), so no retry starts without the time for both.
 */
function processorCalls(
  config: ProviderStepConfig,
  circuit: string,
  requestsPerAttempt: number,
  timeoutMs: number,
): ProviderCall {
  const breaker = new CircuitBreaker({
    name: circuit,
    store: new DynamoDbCircuitBreakerStore({ client: dynamoDb(), tableName: config.circuitBreakerTable }),
    ...config.breakerRule,
    resetTimeoutMs: config.breakerResetTimeoutMs,
    // Transitions are logged and counted (`CircuitTransition`) by the breaker itself.
  });
  return providerPolicy({
    breaker,
    maxAttempts: config.providerMaxAttempts,
    attemptReserveMs: requestsPerAttempt * timeoutMs + RECORD_MARGIN_MS,
    onCall: () => metrics.addMetric('ProviderCalls', MetricUnit.Count, 1),
    onRetry: ({ operation, attempt, delayMs, error }) => {
      metrics.addMetric('ProviderRetries', MetricUnit.Count, 1);
      logger.warn('The card processor failed; retrying', { operation, attempt, delayMs, error });
    },
  });
}

/**
 * The processor's API key from its SSM `SecureString`, decrypted, cached for 5 minutes per container:
 * a rotated key reaches every function within that, and a charge costs no SSM call.
 */
function processorApiKey(parameterName: string): () => Promise<string> {
  return async () => {
    const key = await getParameter(parameterName, { decrypt: true, maxAge: 300 });
    if (key === undefined || key === '') throw new Error(`SSM parameter ${parameterName} holds no API key`);
    return key;
  };
}

let processorInstances: DiscoveredService | undefined;
/** The card processor's instances, from Cloud Map: one per container, shared by its calls. */
function discoveredProcessor(config: ProviderStepConfig): DiscoveredService {
  processorInstances ??= cloudMapService(config.provider, config.discoveryCacheTtlMs);
  return processorInstances;
}

/** The card processor and the accounts context, each behind its own circuit (`circuits`). */
function processorStep(
  config: ProviderStepConfig,
  circuits: Readonly<Record<keyof PaymentProcessors, string>>,
  requestsPerAttempt: number,
) {
  const processors: PaymentProcessors = {
    card: {
      name: 'The card processor',
      provider: new HttpPaymentProvider({
        instances: async () => discoveredProcessor(config).candidates(),
        onInstanceDown: (instance, error) => {
          metrics.addMetric('ProviderInstanceDown', MetricUnit.Count, 1);
          logger.warn('A card processor instance is down; trying the next', {
            instanceId: instance.instanceId,
            zone: instance.zone,
            error,
          });
        },
        timeoutMs: config.providerTimeoutMs,
        ...(config.providerApiKeyParameter === undefined
          ? {}
          : { apiKey: processorApiKey(config.providerApiKeyParameter) }),
      }),
      call: processorCalls(config, circuits.card, requestsPerAttempt, config.providerTimeoutMs),
    },
    account: {
      name: 'The accounts context',
      provider: new AccountsPaymentProvider({
        client: lambda(),
        functionName: config.accountPaymentsFunction,
        timeoutMs: config.accountsTimeoutMs,
      }),
      call: processorCalls(config, circuits.account, requestsPerAttempt, config.accountsTimeoutMs),
    },
  };
  return {
    repository: paymentRepository(config.paymentsTable),
    processors,
    cardVault: new DynamoDbCardVault({ client: dynamoDb(), tableName: config.paymentsTable }),
    logger,
    countOutcome,
  };
}

export function chargePaymentDependencies(): ChargePaymentHandlerDependencies {
  const config = loadProviderStepConfig();
  const circuits = { card: CHARGE_CIRCUIT, account: ACCOUNT_CHARGE_CIRCUIT };
  return { chargePayment: makeChargePayment(processorStep(config, circuits, 2)), logger, metrics };
}

export function refundPaymentDependencies(): RefundPaymentHandlerDependencies {
  const config = loadProviderStepConfig();
  const circuits = { card: REFUND_CIRCUIT, account: ACCOUNT_REFUND_CIRCUIT };
  return { refundPayment: makeRefundPayment(processorStep(config, circuits, 1)), logger, metrics };
}

export function cardVaultDependencies(): CardVaultHandlerDependencies {
  const config = loadCardVaultConfig();
  const cardVault = new DynamoDbCardVault({
    client: dynamoDb(),
    tableName: config.paymentsTable,
    retentionSeconds: config.cardTokenRetentionSeconds,
  });
  return { cardVault, logger };
}

export function getPaymentDependencies(): GetPaymentHandlerDependencies {
  const config = loadPaymentsConfig();
  return { getPayment: makeGetPayment({ repository: paymentRepository(config.paymentsTable) }) };
}

/** The choreographed saga's consumer: charges and refunds with the same circuits as the saga's steps. */
export function orderSagaEventsDependencies(): OrderSagaEventsDependencies {
  const config = loadOrderSagaEventsConfig();
  const charges = processorStep(config, { card: CHARGE_CIRCUIT, account: ACCOUNT_CHARGE_CIRCUIT }, 2);
  const refunds = processorStep(config, { card: REFUND_CIRCUIT, account: ACCOUNT_REFUND_CIRCUIT }, 1);
  return {
    choreography: makeOrderPaymentChoreography({
      store: dynamoDbOrderPaymentStore(dynamoDb(), config.paymentsTable),
      chargePayment: makeChargePayment(charges),
      refundPayment: makeRefundPayment(refunds),
      waitBudgetSeconds: config.paymentWaitBudgetSeconds,
      waitIntervalSeconds: config.paymentWaitIntervalSeconds,
      logger,
    }),
    ...sqsConsumerOptions(config.eventsQueueUrl),
  };
}

export function outboxRelay(): OutboxRelayHandler {
  return lambdaOutboxRelay({
    source: PAYMENTS_EVENT_SOURCE,
    retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 },
  });
}
