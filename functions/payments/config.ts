/**
 * The only place the payments functions read `process.env`. Each function parses just what it needs,
 * once per container, into a frozen object, and fails at start-up naming every missing or invalid
 * variable. The names are set by `infra/stacks/payments-stack.ts`.
 */
import * as z from 'zod';
import { parseEnv, positiveInteger, requiredVariable, type Env } from '../../shared/config/env';
import { DEFAULT_FAILURE_RATE_RULE, type FailureRateRule } from '../../shared/resilience';

const variable = requiredVariable;

const PaymentsEnv = z.object({ PAYMENTS_TABLE: variable });
const ProviderStepEnv = z.object({
  PAYMENTS_TABLE: variable,
  CIRCUIT_BREAKER_TABLE: variable,
  /** The Cloud Map namespace and service where the processor's instances are discovered. */
  PROVIDER_NAMESPACE: variable,
  PROVIDER_SERVICE: variable,
  DISCOVERY_CACHE_TTL_MS: positiveInteger(10_000),
  PROVIDER_TIMEOUT_MS: positiveInteger(2_000),
  /** The SSM `SecureString` of the processor's API key; unset for the sandbox processor. */
  PROVIDER_API_KEY_PARAMETER: z
    .string()
    .startsWith('/', { error: 'must be an SSM parameter path' })
    .optional(),
  /** The accounts context's payment function (name or ARN): orders paid from an account. */
  ACCOUNT_PAYMENTS_FUNCTION: variable,
  ACCOUNTS_TIMEOUT_MS: positiveInteger(4_000),
  PROVIDER_MAX_ATTEMPTS: positiveInteger(3),
  /** Set: the seed's rule, this many consecutive failures open the circuit. Unset: the failure rate. */
  BREAKER_FAILURE_THRESHOLD: positiveInteger(),
  BREAKER_FAILURE_RATE_PERCENT: positiveInteger(DEFAULT_FAILURE_RATE_RULE.threshold * 100).pipe(
    z.number().max(100, { error: 'must be at most 100' }),
  ),
  BREAKER_MINIMUM_CALLS: positiveInteger(DEFAULT_FAILURE_RATE_RULE.minimumCalls),
  BREAKER_WINDOW_MS: positiveInteger(DEFAULT_FAILURE_RATE_RULE.windowMs),
  BREAKER_RESET_TIMEOUT_MS: positiveInteger(30_000),
});

/**
 * What opens a processor circuit, as `CircuitBreakerOptions` takes it: the failure rate (the default;
 * the breaker's own number of buckets), or the seed's consecutive failures.
 */
export type BreakerRule = { readonly failureThreshold: number } | { readonly failureRate: FailureRateRule };

/** For `GET /payments/{orderId}`. */
export interface PaymentsConfig {
  readonly paymentsTable: string;
}

/** For the saga steps that call the card processor: charge and refund. */
export interface ProviderStepConfig extends PaymentsConfig {
  readonly circuitBreakerTable: string;
  /** Where the processor's instances are discovered. */
  readonly provider: { readonly namespace: string; readonly service: string };
  /** How long discovered instances are used before Cloud Map is asked again. */
  readonly discoveryCacheTtlMs: number;
  /** The SSM parameter of the processor's API key, when it takes one. */
  readonly providerApiKeyParameter?: string;
  /** Per call to the processor. */
  readonly providerTimeoutMs: number;
  readonly accountPaymentsFunction: string;
  /** Per call to the accounts context's payment function. */
  readonly accountsTimeoutMs: number;
  /** Calls per operation, the first included. */
  readonly providerMaxAttempts: number;
  /** What opens the processor's circuit. */
  readonly breakerRule: BreakerRule;
  /** How long the circuit stays open before one probe call is let through. */
  readonly breakerResetTimeoutMs: number;
}

export function loadPaymentsConfig(env: Env = process.env): PaymentsConfig {
  const parsed = parseEnv('Payments', PaymentsEnv, env);
  return Object.freeze({ paymentsTable: parsed.PAYMENTS_TABLE });
}

export function loadProviderStepConfig(env: Env = process.env): ProviderStepConfig {
  const parsed = parseEnv('Payments', ProviderStepEnv, env);
  const rateVariables = ['BREAKER_FAILURE_RATE_PERCENT', 'BREAKER_MINIMUM_CALLS', 'BREAKER_WINDOW_MS'];
  const rateSet = rateVariables.filter((name) => env[name] !== undefined);
  if (parsed.BREAKER_FAILURE_THRESHOLD !== undefined && rateSet.length > 0) {
    throw new Error(
      `Payments configuration: BREAKER_FAILURE_THRESHOLD (consecutive failures) and ${rateSet.join(', ')} ` +
        '(a failure rate) are two rules; set one.',
    );
  }
  const breakerRule: BreakerRule =
    parsed.BREAKER_FAILURE_THRESHOLD !== undefined
      ? { failureThreshold: parsed.BREAKER_FAILURE_THRESHOLD }
      : {
          failureRate: {
            threshold: parsed.BREAKER_FAILURE_RATE_PERCENT / 100,
            minimumCalls: parsed.BREAKER_MINIMUM_CALLS,
            windowMs: parsed.BREAKER_WINDOW_MS,
          },
        };
  return Object.freeze({
    paymentsTable: parsed.PAYMENTS_TABLE,
    circuitBreakerTable: parsed.CIRCUIT_BREAKER_TABLE,
    provider: { namespace: parsed.PROVIDER_NAMESPACE, service: parsed.PROVIDER_SERVICE },
    discoveryCacheTtlMs: parsed.DISCOVERY_CACHE_TTL_MS,
    ...(parsed.PROVIDER_API_KEY_PARAMETER === undefined
      ? {}
      : { providerApiKeyParameter: parsed.PROVIDER_API_KEY_PARAMETER }),
    providerTimeoutMs: parsed.PROVIDER_TIMEOUT_MS,
    accountPaymentsFunction: parsed.ACCOUNT_PAYMENTS_FUNCTION,
    accountsTimeoutMs: parsed.ACCOUNTS_TIMEOUT_MS,
    providerMaxAttempts: parsed.PROVIDER_MAX_ATTEMPTS,
    breakerRule,
    breakerResetTimeoutMs: parsed.BREAKER_RESET_TIMEOUT_MS,
  });
}

const OrderSagaEventsEnv = z.object({
  EVENTS_QUEUE_URL: variable,
  /** How long a charge waits for an unavailable processor before the order's payment fails. */
  PAYMENT_WAIT_BUDGET_SECONDS: positiveInteger(900),
  /** The longest pause between two charges of a waiting order. */
  PAYMENT_WAIT_INTERVAL_SECONDS: positiveInteger(30),
});

export interface OrderSagaEventsConfig extends ProviderStepConfig {
  /** The consumer's own queue: events that cannot be applied yet are put back on it for a while. */
  readonly eventsQueueUrl: string;
  readonly paymentWaitBudgetSeconds: number;
  readonly paymentWaitIntervalSeconds: number;
}

/** For the choreographed saga's consumer: the processor calls of a charge and of a refund, and its queue. */
export function loadOrderSagaEventsConfig(env: Env = process.env): OrderSagaEventsConfig {
  const parsed = parseEnv('Payments', OrderSagaEventsEnv, env);
  return Object.freeze({
    ...loadProviderStepConfig(env),
    eventsQueueUrl: parsed.EVENTS_QUEUE_URL,
    paymentWaitBudgetSeconds: parsed.PAYMENT_WAIT_BUDGET_SECONDS,
    paymentWaitIntervalSeconds: parsed.PAYMENT_WAIT_INTERVAL_SECONDS,
  });
}

const CardVaultEnv = z.object({
  PAYMENTS_TABLE: variable,
  /** How long a card token waits for its charge at most. */
  CARD_TOKEN_RETENTION_SECONDS: positiveInteger(7 * 24 * 3600),
});

/** For the card vault's function: where tokens are kept, and for how long at most. */
export interface CardVaultConfig extends PaymentsConfig {
  readonly cardTokenRetentionSeconds: number;
}

export function loadCardVaultConfig(env: Env = process.env): CardVaultConfig {
  const parsed = parseEnv('Payments', CardVaultEnv, env);
  return Object.freeze({
    paymentsTable: parsed.PAYMENTS_TABLE,
    cardTokenRetentionSeconds: parsed.CARD_TOKEN_RETENTION_SECONDS,
  });
}
