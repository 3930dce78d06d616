export {
  CIRCUIT_STORE_ERROR_METRIC,
  CIRCUIT_TRANSITION_METRIC,
  CircuitBreaker,
  DEFAULT_FAILURE_RATE_RULE,
  DEFAULT_FAILURE_THRESHOLD,
  DEFAULT_PROBE_LEASE_MS,
  DEFAULT_RESET_TIMEOUT_MS,
  type CircuitBreakerMetrics,
  type CircuitBreakerOptions,
  type CircuitTransition,
  type FailureRateRule,
} from './circuit-breaker';
export type { CallBudget } from './call-budget';
export {
  CIRCUIT_STATES,
  INITIAL_CIRCUIT,
  type CallOutcome,
  type CircuitBreakerStore,
  type CircuitRecord,
  type OutcomeWindow,
  type WindowedCircuitRecord,
  type CircuitState,
  type CircuitTransitionWrite,
} from './circuit-breaker-store';
export {
  DynamoDbCircuitBreakerStore,
  circuitKey,
  type DynamoDbCircuitBreakerStoreProps,
} from './dynamodb-circuit-breaker-store';
export {
  CallTimeoutError,
  CircuitOpenError,
  ResilienceError,
  type CallTimeoutErrorOptions,
  type CircuitOpenErrorOptions,
} from './errors';
export { fetchWithTimeout } from './fetch-with-timeout';
export { InMemoryCircuitBreakerStore } from './in-memory-circuit-breaker-store';
export {
  DEFAULT_BACKOFF_FACTOR,
  DEFAULT_BASE_DELAY_MS,
  DEFAULT_MAX_DELAY_MS,
  DEFAULT_SAFETY_MARGIN_MS,
  retryWithBackoff,
  type RetryInfo,
  type RetryOptions,
} from './retry';
export {
  CLIENT_REQUEST_RETRY,
  loggedLostRaceRetry,
  retryLostRaces,
  type LostRaceRetryOptions,
  type LostRaceRetryPolicy,
} from './lost-race-retry';
