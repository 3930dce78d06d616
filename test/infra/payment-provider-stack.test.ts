import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PaymentProviderStack } from '../../infra/stacks/payment-provider-stack';
import { actionsGrantedTo, unbundledApp } from './construct-test-helpers';

type Json = Record<string, unknown>;

/** `METHOD /path` of every method, the path rebuilt from the resources' `PathPart`s. */
function routesOf(template: Template): string[] {
  const resources = template.findResources('AWS::ApiGateway::Resource') as Record<string, Json>;
  const pathOf = (ref: unknown): string => {
    const id = typeof ref === 'object' && ref !== null && 'Ref' in ref ? String(ref.Ref) : undefined;
    const resource = id === undefined ? undefined : resources[id];
    if (resource === undefined) return '';
    const properties = resource['Properties'] as Json;
    return `${pathOf(properties['ParentId'])}/${String(properties['PathPart'])}`;
  };
  return Object.values(template.findResources('AWS::ApiGateway::Method') as Record<string, Json>)
    .map((method) => {
      const properties = method['Properties'] as Json;
      return `${String(properties['HttpMethod'])} ${pathOf(properties['ResourceId'])}`;
    })
    .sort();
}

/** The timeout (s) and `HANG_MS` of the function whose logical id starts with `prefix`. */
function functionSettings(
  template: Template,
  prefix: string,
): { timeout: number; hangMs: string | undefined } {
  const functions = template.findResources('AWS::Lambda::Function') as Record<string, Json>;
  const [, fn] = Object.entries(functions).find(([id]) => id.startsWith(prefix)) ?? [];
  const properties = (fn?.['Properties'] ?? {}) as Json;
  const variables = ((properties['Environment'] as Json | undefined)?.['Variables'] ?? {}) as Json;
  return { timeout: Number(properties['Timeout']), hangMs: variables['HANG_MS'] as string | undefined };
}

describe('PaymentProviderStack', () => {
  const stack = new PaymentProviderStack(unbundledApp(), 'ShopPaymentProvider');
  const template = Template.fromStack(stack);

  test('serves its own REST API, payment-provider-api, on a traced prod stage', () => {
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'payment-provider-api' });
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'prod', TracingEnabled: true });
    expect(stack.api.restApiName).toBe('payment-provider-api');
  });

  test('routes the four processor endpoints to Lambda proxy integrations, and GET /health to API Gateway alone', () => {
    expect(routesOf(template)).toEqual([
      'GET /health',
      'GET /v1/charges',
      'GET /v1/charges/{chargeId}',
      'POST /v1/charges',
      'POST /v1/charges/{chargeId}/refunds',
    ]);
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')) as Json[];
    const types = methods
      .map((method) => ((method['Properties'] as Json)['Integration'] as Json)['Type'])
      .sort();
    expect(types).toEqual(['AWS_PROXY', 'AWS_PROXY', 'AWS_PROXY', 'AWS_PROXY', 'MOCK']);
  });

  test('runs as two instances: the prod stage (zone a) and the zone-b stage of the same deployment', () => {
    template.resourceCountIs('AWS::ApiGateway::Stage', 2);
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'zone-b', TracingEnabled: true });
    // Registered only where a service is given (the app passes payments' card-processor service).
    template.resourceCountIs('AWS::ServiceDiscovery::Instance', 0);
  });

  test('keeps its ledger in one table with an index on orderId and a TTL for keys', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      GlobalSecondaryIndexes: [
        {
          IndexName: PaymentProviderStack.ORDER_INDEX_NAME,
          KeySchema: [
            { AttributeName: 'orderId', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
    const ledger = { Ref: Match.stringLikeRegexp('^LedgerTable') };
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ LEDGER_TABLE: ledger, LEDGER_ORDER_INDEX: 'byOrderId' }),
      },
    });
  });

  test('gives each function only the table actions it needs', () => {
    const dynamoActions = (rolePrefix: string) =>
      actionsGrantedTo(template, rolePrefix).filter((action) => action.startsWith('dynamodb:'));
    const writes = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
    expect(dynamoActions('CreateChargeFunctionServiceRole')).toEqual(writes);
    expect(dynamoActions('CreateRefundFunctionServiceRole')).toEqual(writes);
    expect(dynamoActions('GetChargeFunctionServiceRole')).toEqual(['dynamodb:GetItem']);
    expect(dynamoActions('ListChargesFunctionServiceRole')).toEqual(['dynamodb:Query']);
  });

  test('lets tok_timeout hang 10 s by default, inside a 20 s function timeout', () => {
    expect(functionSettings(template, 'CreateChargeFunction')).toEqual({ timeout: 20, hangMs: '10000' });
    expect(stack.hangTime.toSeconds()).toBe(10);
  });

  test('takes a shorter hang, and keeps the function timeout above it', () => {
    // Act
    const short = Template.fromStack(
      new PaymentProviderStack(unbundledApp(), 'Short', { hangTime: Duration.millis(1_500) }),
    );
    // Assess
    const { timeout, hangMs } = functionSettings(short, 'CreateChargeFunction');
    expect(hangMs).toBe('1500');
    expect(timeout * 1000).toBeGreaterThan(Number(hangMs));
  });

  test('refuses a hang the answer could not come back from through API Gateway', () => {
    expect(
      () => new PaymentProviderStack(unbundledApp(), 'Long', { hangTime: Duration.seconds(20) }),
    ).toThrow(/hangTime must be from 0 to 19 seconds, not 20 seconds/);
  });

  test('shares nothing with the platform: no imports, no bus, outputs its own URL', () => {
    expect(JSON.stringify(template.toJSON())).not.toContain('Fn::ImportValue');
    template.resourceCountIs('AWS::Events::EventBus', 0);
    template.hasOutput('ApiUrl', {});
    template.hasOutput('LedgerTableName', {});
  });
});
