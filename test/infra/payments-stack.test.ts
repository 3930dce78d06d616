import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PaymentsStack, type PaymentsStackProps } from '../../infra/stacks/payments-stack';
import { PlatformStack } from '../../infra/stacks/platform-stack';
import {
  TEST_ACCOUNT_PAYMENTS_NAME,
  testAccountPayments,
  testAuthorizer,
  unbundledApp,
} from './construct-test-helpers';

type Json = Record<string, unknown>;
type Resources = Record<string, { Type: string; Properties: Json; DeletionPolicy?: string }>;

function paymentsApp(props: Partial<PaymentsStackProps> = {}) {
  const app = unbundledApp();
  const platform = new PlatformStack(app, 'TestPlatform');
  const stack = new PaymentsStack(app, 'TestPayments', {
    api: platform.api,
    bus: platform.bus,
    authorizer: testAuthorizer(platform),
    namespace: platform.namespace,
    accountPayments: testAccountPayments(platform),
    ...props,
  });
  return { app, platform, stack };
}

const { stack } = paymentsApp();
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Resources;

/** The logical id of the resource of `type` whose id starts with `prefix`. */
function logicalId(prefix: string, type: string): string {
  const id = Object.keys(resources).find((key) => key.startsWith(prefix) && resources[key]?.Type === type);
  if (id === undefined) throw new Error(`no ${type} ${prefix}`);
  return id;
}

const functionProperties = (prefix: string): Json =>
  resources[logicalId(prefix, 'AWS::Lambda::Function')]?.Properties ?? {};

/**
 * Every `<action> <table>` the function's role is allowed, from its inline policies; `<table>[<keys>]`
 * when the statement allows only items whose partition keys match (`dynamodb:LeadingKeys`).
 */
function grantsOf(prefix: string): string[] {
  const role = JSON.stringify(
    (functionProperties(prefix)['Role'] as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0],
  );
  const grants: string[] = [];
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    if (!JSON.stringify(resource.Properties['Roles']).includes(role)) continue;
    const statements = (resource.Properties['PolicyDocument'] as { Statement: Json[] }).Statement;
    for (const statement of statements) {
      const targets = JSON.stringify(statement['Resource']);
      const table = /"(PaymentsTable|CircuitBreakerTable)[A-Za-z0-9]*"/.exec(targets)?.[1] ?? 'other';
      const conditions = statement['Condition'] as Record<string, Record<string, unknown>> | undefined;
      const keys = conditions?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
      const scope = keys === undefined ? '' : `[${[keys].flat().join(',')}]`;
      for (const action of [statement['Action']].flat() as string[]) {
        grants.push(`${action} ${table}${scope}`);
      }
    }
  }
  return [...new Set(grants)].sort();
}

/** The environment of a function that calls the card processor, in a payments stack with `props`. */
function processorVariables(props: Partial<PaymentsStackProps>): Json {
  const app = unbundledApp();
  const platform = new PlatformStack(app, 'P');
  const payments = new PaymentsStack(app, 'Pay', {
    api: platform.api,
    bus: platform.bus,
    authorizer: testAuthorizer(platform),
    namespace: platform.namespace,
    accountPayments: testAccountPayments(platform),
    ...props,
  });
  return (
    Object.values(Template.fromStack(payments).findResources('AWS::Lambda::Function')).find((fn) =>
      JSON.stringify(fn).includes('PROVIDER_SERVICE'),
    ) as { Properties: { Environment: { Variables: Json } } }
  ).Properties.Environment.Variables;
}

describe('PaymentsStack', () => {
  test('bulkhead: charge and refund are separate functions, each with its own reserved concurrency', () => {
    const charge = functionProperties('ChargePaymentFunction');
    const refund = functionProperties('RefundPaymentFunction');
    expect(logicalId('ChargePaymentFunction', 'AWS::Lambda::Function')).not.toBe(
      logicalId('RefundPaymentFunction', 'AWS::Lambda::Function'),
    );
    expect(charge['ReservedConcurrentExecutions']).toBe(20);
    expect(refund['ReservedConcurrentExecutions']).toBe(5);
    expect(charge['Role']).not.toEqual(refund['Role']);
    expect(functionProperties('GetPaymentFunction')['ReservedConcurrentExecutions']).toBeUndefined();
  });

  test('the concurrency of each side is a prop', () => {
    const { stack: custom } = paymentsApp({ chargeConcurrency: 50, refundConcurrency: 10 });
    const customTemplate = Template.fromStack(custom);
    customTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('charges the order'),
      ReservedConcurrentExecutions: 50,
    });
    customTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('refunds every captured amount'),
      ReservedConcurrentExecutions: 10,
    });
  });

  test('without reserved concurrency (a new account’s quota), neither function reserves any', () => {
    const { stack: shared } = paymentsApp({ reservedConcurrency: false, chargeConcurrency: 50 });
    const functions = Template.fromStack(shared).findResources('AWS::Lambda::Function');
    expect(
      Object.values(functions).filter(
        (fn) => 'ReservedConcurrentExecutions' in (fn as { Properties: Json }).Properties,
      ),
    ).toEqual([]);
  });

  test('charge and refund get the processor, the tables and the resilience settings; timeouts hold retries', () => {
    for (const prefix of ['ChargePaymentFunction', 'RefundPaymentFunction']) {
      const variables = (functionProperties(prefix)['Environment'] as { Variables: Json }).Variables;
      expect(variables).toMatchObject({
        PAYMENTS_TABLE: { Ref: logicalId('PaymentsTable', 'AWS::DynamoDB::Table') },
        CIRCUIT_BREAKER_TABLE: { Ref: logicalId('CircuitBreakerTable', 'AWS::DynamoDB::Table') },
        PROVIDER_NAMESPACE: expect.anything(),
        PROVIDER_SERVICE: expect.anything(),
        DISCOVERY_CACHE_TTL_MS: '10000',
        PROVIDER_TIMEOUT_MS: '2000',
        ACCOUNTS_TIMEOUT_MS: '4000',
        PROVIDER_MAX_ATTEMPTS: '3',
        BREAKER_FAILURE_RATE_PERCENT: '50',
        BREAKER_MINIMUM_CALLS: '10',
        BREAKER_WINDOW_MS: '60000',
        BREAKER_RESET_TIMEOUT_MS: '30000',
        POWERTOOLS_SERVICE_NAME: 'payments',
      });
      // The function's name, taken from its ARN.
      expect(JSON.stringify(variables['ACCOUNT_PAYMENTS_FUNCTION'])).toContain(
        `:function:${TEST_ACCOUNT_PAYMENTS_NAME}`,
      );
      // The failure rate by default: the consecutive-failure rule is not set beside it.
      expect(Object.keys(variables)).not.toContain('BREAKER_FAILURE_THRESHOLD');
    }
    expect(functionProperties('ChargePaymentFunction')['Timeout']).toBe(10);
    expect(functionProperties('RefundPaymentFunction')['Timeout']).toBe(20);
    const getVariables = (functionProperties('GetPaymentFunction')['Environment'] as { Variables: Json })
      .Variables;
    expect(Object.keys(getVariables)).toContain('PAYMENTS_TABLE');
    expect(Object.keys(getVariables)).not.toContain('PROVIDER_SERVICE');
    expect(Object.keys(getVariables)).not.toContain('CIRCUIT_BREAKER_TABLE');
  });

  test("defines the card processor's service with a custom health check; only the processor's callers may discover it, on the platform's namespace", () => {
    template.hasResourceProperties('AWS::ServiceDiscovery::Service', {
      Name: 'card-processor',
      HealthCheckCustomConfig: { FailureThreshold: 1 },
      NamespaceId: Match.anyValue(),
    });
    // The sandbox registers its own instances (PaymentProviderStack).
    template.resourceCountIs('AWS::ServiceDiscovery::Instance', 0);
    const discoverers = Object.keys(resources)
      .filter((id) => resources[id]?.Type === 'AWS::Lambda::Function')
      .filter((id) => grantsOf(id).some((grant) => grant.startsWith('servicediscovery:DiscoverInstances')))
      .sort();
    expect(discoverers).toEqual([
      expect.stringMatching(/^ChargePaymentFunction/),
      expect.stringMatching(/^OrderSagaConsumer/),
      expect.stringMatching(/^RefundPaymentFunction/),
    ]);
  });

  test('least privilege: charge and refund write the payments and breaker tables, get-payment only reads', () => {
    for (const prefix of ['ChargePaymentFunction', 'RefundPaymentFunction']) {
      expect(grantsOf(prefix).filter((grant) => grant.startsWith('dynamodb:'))).toEqual([
        'dynamodb:DeleteItem PaymentsTable[card-token#*]',
        'dynamodb:GetItem CircuitBreakerTable',
        'dynamodb:GetItem PaymentsTable',
        'dynamodb:PutItem CircuitBreakerTable',
        'dynamodb:UpdateItem CircuitBreakerTable',
        'dynamodb:UpdateItem PaymentsTable',
      ]);
    }
    expect(grantsOf('GetPaymentFunction').filter((grant) => grant.startsWith('dynamodb:'))).toEqual([
      'dynamodb:GetItem PaymentsTable',
    ]);
  });

  test('the card vault may only put items under card-token# keys, kept a week unless told', () => {
    expect(grantsOf('CardVaultFunction').filter((grant) => grant.startsWith('dynamodb:'))).toEqual([
      'dynamodb:PutItem PaymentsTable[card-token#*]',
    ]);
    expect(grantsOf('CardVaultFunction').filter((grant) => grant.startsWith('lambda:'))).toEqual([]);
    expect(functionProperties('CardVaultFunction')).toMatchObject({
      Environment: { Variables: { CARD_TOKEN_RETENTION_SECONDS: String(7 * 24 * 3600) } },
    });
    const { stack: custom } = paymentsApp({ cardTokenRetention: Duration.days(2) });
    Template.fromStack(custom).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CARD_TOKEN_RETENTION_SECONDS: String(2 * 24 * 3600) }) },
    });
    expect(() => paymentsApp({ cardTokenRetention: Duration.minutes(5) })).toThrow(
      /cardTokenRetention must be at least an hour/,
    );
  });

  test('charge, refund and the saga consumer may invoke the accounts payment function, and nothing else of Lambda', () => {
    for (const prefix of ['ChargePaymentFunction', 'RefundPaymentFunction', 'OrderSagaConsumerFunction']) {
      expect(grantsOf(prefix).filter((grant) => grant.startsWith('lambda:'))).toEqual([
        'lambda:InvokeFunction other',
      ]);
    }
    const invokeStatements = Object.values(resources)
      .filter((resource) => resource.Type === 'AWS::IAM::Policy')
      // Blue/green delivery's roles invoke the stack's own API functions and hooks (BlueGreenDelivery).
      .filter((resource) => !JSON.stringify(resource.Properties['Roles']).includes('BlueGreen'))
      .flatMap((resource) => (resource.Properties['PolicyDocument'] as { Statement: Json[] }).Statement)
      .filter((statement) => statement['Action'] === 'lambda:InvokeFunction');
    expect(invokeStatements).toHaveLength(3);
    for (const statement of invokeStatements) {
      // The function and its versions and aliases, nothing else.
      const resources = [statement['Resource']].flat().map((resource) => JSON.stringify(resource));
      expect(resources).toHaveLength(2);
      expect(resources[0]).toContain(`:function:${TEST_ACCOUNT_PAYMENTS_NAME}"`);
      expect(resources[1]).toContain(`:function:${TEST_ACCOUNT_PAYMENTS_NAME}:*"`);
    }
    expect(grantsOf('GetPaymentFunction').filter((grant) => grant.startsWith('lambda:'))).toEqual([]);
  });

  test('keeps one payment per order in a retained table, and circuit state in a table keyed by pk alone', () => {
    expect(resources[logicalId('PaymentsTable', 'AWS::DynamoDB::Table')]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    });
    expect(resources[logicalId('CircuitBreakerTable', 'AWS::DynamoDB::Table')]?.Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
    template.hasOutput('PaymentsTableName', {
      Value: { Ref: logicalId('PaymentsTable', 'AWS::DynamoDB::Table') },
    });
    template.hasOutput('CircuitBreakerTableName', {
      Value: { Ref: logicalId('CircuitBreakerTable', 'AWS::DynamoDB::Table') },
    });
  });

  test('adds GET /payments/{orderId} to the shared API from this stack, deployed to its stage', () => {
    const importedApiId = {
      'Fn::ImportValue': Match.stringLikeRegexp('^TestPlatform:ExportsOutputRefShopApi'),
    };
    template.hasResourceProperties('AWS::ApiGateway::Resource', {
      PathPart: 'payments',
      RestApiId: importedApiId,
    });
    template.hasResourceProperties('AWS::ApiGateway::Resource', {
      PathPart: '{orderId}',
      RestApiId: importedApiId,
    });
    template.resourceCountIs('AWS::ApiGateway::Method', 1);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      RestApiId: importedApiId,
      Integration: Match.objectLike({ Type: 'AWS_PROXY' }),
    });
    const method = Object.values(resources).find((resource) => resource.Type === 'AWS::ApiGateway::Method');
    expect(JSON.stringify(method?.Properties['Integration'])).toContain(
      logicalId('GetPaymentFunction', 'AWS::Lambda::Alias'),
    );
    template.resourceCountIs('AWS::ApiGateway::Deployment', 0);
  });

  test('takes the timeout, the breaker rule and the discovery cache from props', () => {
    const variables = processorVariables({
      providerTimeout: Duration.millis(1_500),
      breakerFailureThreshold: 3,
      breakerResetTimeout: Duration.seconds(10),
      discoveryCacheTtl: Duration.seconds(30),
    });
    expect(variables).toMatchObject({
      DISCOVERY_CACHE_TTL_MS: '30000',
      PROVIDER_TIMEOUT_MS: '1500',
      BREAKER_FAILURE_THRESHOLD: '3',
      BREAKER_RESET_TIMEOUT_MS: '10000',
    });
    expect(Object.keys(variables)).not.toContain('BREAKER_MINIMUM_CALLS');
  });

  test('a failure rule of its own: percent, minimum calls and window', () => {
    const variables = processorVariables({
      breakerFailureRate: { percent: 40, minimumCalls: 20, window: Duration.seconds(30) },
    });
    expect(variables).toMatchObject({
      BREAKER_FAILURE_RATE_PERCENT: '40',
      BREAKER_MINIMUM_CALLS: '20',
      BREAKER_WINDOW_MS: '30000',
    });
  });

  test.each([
    ['no charge slot', { chargeConcurrency: 0 }, 'chargeConcurrency must be a positive integer, not 0'],
    [
      'a fraction of a slot',
      { refundConcurrency: 2.5 },
      'refundConcurrency must be a positive integer, not 2.5',
    ],
    [
      'a zero threshold',
      { breakerFailureThreshold: 0 },
      'breakerFailureThreshold must be a positive integer',
    ],
    ['negative attempts', { providerMaxAttempts: -1 }, 'providerMaxAttempts must be a positive integer'],
    [
      'two rules',
      { breakerFailureThreshold: 6, breakerFailureRate: {} },
      'breakerFailureThreshold (consecutive failures) and breakerFailureRate are two rules; set one',
    ],
    [
      'a rate above 100 %',
      { breakerFailureRate: { percent: 120 } },
      'breakerFailureRate.percent must be a whole number from 1 to 100',
    ],
    [
      'a 5 s window',
      { breakerFailureRate: { window: Duration.seconds(5) } },
      'breakerFailureRate.window must be at least 10 s',
    ],
    [
      'a 50 ms timeout',
      { providerTimeout: Duration.millis(50) },
      'providerTimeout must be from 100 ms to 3 s',
    ],
    ['a 5 s timeout', { providerTimeout: Duration.seconds(5) }, 'providerTimeout must be from 100 ms to 3 s'],
    [
      'a 500 ms reset',
      { breakerResetTimeout: Duration.millis(500) },
      'breakerResetTimeout must be at least 1 s',
    ],
    [
      'a parameter that is not a path',
      { processorParameters: { endpoint: '/p/endpoint', apiKey: 'sk_live_1' } },
      "processorParameters names SSM parameters by path, e.g. '/shop/x', not 'sk_live_1'",
    ],
  ])('refuses %s early, saying what is wrong', (_, props: Partial<PaymentsStackProps>, message) => {
    expect(() => paymentsApp(props)).toThrow(`PaymentsStack TestPayments: ${message}`);
  });
});

describe('PaymentsStack with a real card processor (processorParameters)', () => {
  const processorParameters = {
    endpoint: '/shop/payment-processor/endpoint',
    apiKey: '/shop/payment-processor/api-key',
  };
  const { stack: real } = paymentsApp({ processorParameters });
  const realTemplate = Template.fromStack(real);
  const functionsOf = (t: Template) =>
    Object.entries(t.findResources('AWS::Lambda::Function')) as [string, { Properties: Json }][];
  const processorFunctions = (t: Template) =>
    functionsOf(t).filter(([id]) => /^(ChargePayment|RefundPayment|OrderSagaConsumer)/.test(id));

  test("registers the URL from its SSM parameter (read at deploy time) as the processor's one instance, and hands the functions the key's name, never the key", () => {
    expect(processorFunctions(realTemplate)).toHaveLength(3);
    const urlParameter = Object.entries(realTemplate.toJSON().Parameters as Record<string, Json>).find(
      ([, parameter]) => parameter['Default'] === processorParameters.endpoint,
    );
    expect(urlParameter?.[1]['Type']).toBe('AWS::SSM::Parameter::Value<String>');
    realTemplate.resourceCountIs('AWS::ServiceDiscovery::Instance', 1);
    realTemplate.hasResourceProperties('AWS::ServiceDiscovery::Instance', {
      InstanceAttributes: { url: { Ref: urlParameter?.[0] }, zone: 'external', weight: '1' },
    });
    for (const [id, fn] of processorFunctions(realTemplate)) {
      const variables = ((fn.Properties['Environment'] as Json)['Variables'] ?? {}) as Json;
      expect([id, variables['PROVIDER_API_KEY_PARAMETER']]).toEqual([id, processorParameters.apiKey]);
      expect(JSON.stringify(variables)).not.toContain(String(urlParameter?.[0]));
    }
  });

  test('lets exactly those functions read exactly the key parameter', () => {
    const keyReaders = (t: Template) =>
      (Object.values(t.findResources('AWS::IAM::Policy')) as { Properties: Json }[]).flatMap((policy) => {
        const statements = (policy.Properties['PolicyDocument'] as Json)['Statement'] as Json[];
        return statements
          .filter((statement) => statement['Action'] === 'ssm:GetParameter')
          .map((statement) => ({
            roles: (policy.Properties['Roles'] as Json[]).map((role) => String(role['Ref'])),
            resource: JSON.stringify(statement['Resource']),
          }));
      });
    const readers = keyReaders(realTemplate);
    expect(readers.flatMap((reader) => reader.roles).sort()).toEqual([
      expect.stringMatching(/^ChargePaymentFunctionServiceRole/),
      expect.stringMatching(/^OrderSagaConsumer.*ServiceRole/),
      expect.stringMatching(/^RefundPaymentFunctionServiceRole/),
    ]);
    for (const reader of readers) {
      expect(reader.resource).toContain(':parameter/shop/payment-processor/api-key"');
    }
    // The sandbox processor takes no key: nothing reads one.
    expect(keyReaders(template)).toEqual([]);
  });
});
