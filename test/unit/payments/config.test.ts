import { loadPaymentsConfig, loadProviderStepConfig } from '../../../functions/payments/config';

const stepEnv = {
  PAYMENTS_TABLE: 'payments',
  CIRCUIT_BREAKER_TABLE: 'circuits',
  PROVIDER_NAMESPACE: 'shop',
  PROVIDER_SERVICE: 'card-processor',
  ACCOUNT_PAYMENTS_FUNCTION: 'ShopAccounts-AccountPaymentsFunction',
};

describe('payments config', () => {
  test('reads the processor steps their variables, with the house defaults, into a frozen object', () => {
    // Act
    const config = loadProviderStepConfig(stepEnv);
    // Assess
    expect(config).toEqual({
      paymentsTable: 'payments',
      circuitBreakerTable: 'circuits',
      provider: { namespace: 'shop', service: 'card-processor' },
      discoveryCacheTtlMs: 10_000,
      providerTimeoutMs: 2_000,
      accountPaymentsFunction: 'ShopAccounts-AccountPaymentsFunction',
      accountsTimeoutMs: 4_000,
      providerMaxAttempts: 3,
      breakerRule: { failureRate: { threshold: 0.5, minimumCalls: 10, windowMs: 60_000 } },
      breakerResetTimeoutMs: 30_000,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  test("takes the SSM parameter of a real processor's API key, and only a parameter path", () => {
    expect(
      loadProviderStepConfig({ ...stepEnv, PROVIDER_API_KEY_PARAMETER: '/shop/payment-processor/api-key' }),
    ).toMatchObject({ providerApiKeyParameter: '/shop/payment-processor/api-key' });
    expect(() => loadProviderStepConfig({ ...stepEnv, PROVIDER_API_KEY_PARAMETER: 'sk_live_123' })).toThrow(
      /PROVIDER_API_KEY_PARAMETER must be an SSM parameter path/,
    );
  });

  test('takes the numbers the stack sets', () => {
    const config = loadProviderStepConfig({
      ...stepEnv,
      PROVIDER_TIMEOUT_MS: '1500',
      ACCOUNTS_TIMEOUT_MS: '3000',
      PROVIDER_MAX_ATTEMPTS: '2',
      BREAKER_FAILURE_THRESHOLD: '3',
      BREAKER_RESET_TIMEOUT_MS: '10000',
    });
    expect(config).toMatchObject({
      providerTimeoutMs: 1_500,
      accountsTimeoutMs: 3_000,
      providerMaxAttempts: 2,
      breakerRule: { failureThreshold: 3 },
      breakerResetTimeoutMs: 10_000,
    });
  });

  test('takes a failure rate the stack sets, and refuses two rules at once', () => {
    const config = loadProviderStepConfig({
      ...stepEnv,
      BREAKER_FAILURE_RATE_PERCENT: '40',
      BREAKER_MINIMUM_CALLS: '20',
      BREAKER_WINDOW_MS: '30000',
    });
    expect(config.breakerRule).toEqual({
      failureRate: { threshold: 0.4, minimumCalls: 20, windowMs: 30_000 },
    });
    expect(() =>
      loadProviderStepConfig({ ...stepEnv, BREAKER_FAILURE_THRESHOLD: '6', BREAKER_MINIMUM_CALLS: '4' }),
    ).toThrow(/BREAKER_FAILURE_THRESHOLD .* and BREAKER_MINIMUM_CALLS .* are two rules; set one/);
    expect(() => loadProviderStepConfig({ ...stepEnv, BREAKER_FAILURE_RATE_PERCENT: '101' })).toThrow(
      /BREAKER_FAILURE_RATE_PERCENT must be at most 100/,
    );
  });

  test('fails fast naming every missing or invalid variable', () => {
    expect(() => loadProviderStepConfig({ PAYMENTS_TABLE: '' })).toThrow(
      'Payments configuration: PAYMENTS_TABLE is empty; CIRCUIT_BREAKER_TABLE is not set; PROVIDER_NAMESPACE is not set; ' +
        'PROVIDER_SERVICE is not set; ' +
        'ACCOUNT_PAYMENTS_FUNCTION is not set.',
    );
    expect(() => loadProviderStepConfig({ ...stepEnv, DISCOVERY_CACHE_TTL_MS: '-5' })).toThrow(
      /DISCOVERY_CACHE_TTL_MS must be a positive integer/,
    );
    expect(() => loadProviderStepConfig({ ...stepEnv, PROVIDER_TIMEOUT_MS: '0' })).toThrow(
      /PROVIDER_TIMEOUT_MS must be a positive integer/,
    );
  });

  test('the query function needs only the payments table', () => {
    expect(loadPaymentsConfig({ PAYMENTS_TABLE: 'payments' })).toEqual({ paymentsTable: 'payments' });
    expect(() => loadPaymentsConfig({})).toThrow('Payments configuration: PAYMENTS_TABLE is not set.');
  });
});
