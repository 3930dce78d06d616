import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { OrdersStack, type OrdersSagaProps, type OrdersStackProps } from '../../infra/stacks/orders-stack';
import { PlatformStack } from '../../infra/stacks/platform-stack';
import { testAuthorizer, unbundledApp } from './construct-test-helpers';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** The other contexts' saga steps, as functions imported by ARN: only their ARNs matter here. */
function sagaSteps(scope: Stack): OrdersSagaProps {
  const step = (name: string) =>
    lambda.Function.fromFunctionArn(scope, name, `arn:aws:lambda:us-east-1:123456789012:function:${name}`);
  return {
    reserveStock: step('reserve-stock'),
    releaseStock: step('release-stock'),
    commitStock: step('commit-stock'),
    chargePayment: step('charge-payment'),
    refundPayment: step('refund-payment'),
  };
}

/** The payments context's card vault, imported by ARN. */
function cardVaultOf(scope: Stack): lambda.IFunction {
  return lambda.Function.fromFunctionAttributes(scope, 'CardVault', {
    functionArn: scope.formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: 'card-vault',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
    sameEnvironment: true,
  });
}

/** Inventory's service in the platform's namespace, as `InventoryStack.service` registers it. */
function inventoryServiceOf(platform: PlatformStack): servicediscovery.Service {
  return new servicediscovery.Service(platform, 'InventoryService', {
    namespace: platform.namespace,
    name: 'inventory',
    customHealthCheck: { failureThreshold: 1 },
  });
}

/** An orders stack on an app and platform of its own, with `props` over the required ones. */
function ordersStackWith(props: Partial<OrdersStackProps>): OrdersStack {
  const other = unbundledApp();
  const shared = new PlatformStack(other, 'P');
  return new OrdersStack(other, 'O', {
    api: shared.api,
    inventoryService: inventoryServiceOf(shared),
    bus: shared.bus,
    authorizer: testAuthorizer(shared),
    saga: sagaSteps(shared),
    cardVault: cardVaultOf(shared),
    ...props,
  });
}

const app = unbundledApp();
const platform = new PlatformStack(app, 'TestPlatform');
const stack = new OrdersStack(app, 'TestOrders', {
  api: platform.api,
  inventoryService: inventoryServiceOf(platform),
  bus: platform.bus,
  authorizer: testAuthorizer(platform),
  snapshotEvery: 7,
  cardVault: cardVaultOf(platform),
  saga: { ...sagaSteps(platform), approvalThresholdCents: 50_000, approvalDeadline: Duration.minutes(30) },
});
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Resources;

/** The logical id of the function built from `functions/orders/handlers/<name>.handler.ts`. */
function functionId(prefix: string): string {
  const id = Object.keys(resources).find(
    (key) => key.startsWith(prefix) && resources[key]?.Type === 'AWS::Lambda::Function',
  );
  if (id === undefined) throw new Error(`no function ${prefix}`);
  return id;
}

/** The `live` alias of the function whose logical id starts with `prefix`. */
function liveAliasId(prefix: string): string {
  const id = Object.keys(resources).find(
    (key) => key.startsWith(`${prefix}Live`) && resources[key]?.Type === 'AWS::Lambda::Alias',
  );
  if (id === undefined) throw new Error(`no live alias of ${prefix}`);
  return id;
}

/** Every `[action, resource reference]` the function's role is allowed, from its inline policies. */
function grantsOf(prefix: string): string[] {
  const fn = resources[functionId(prefix)];
  const role = JSON.stringify((fn?.Properties['Role'] as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]);
  const grants: string[] = [];
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    if (!JSON.stringify(resource.Properties['Roles']).includes(role)) continue;
    const statements = (resource.Properties['PolicyDocument'] as { Statement: Record<string, unknown>[] })
      .Statement;
    for (const statement of statements) {
      const actions = [statement['Action']].flat() as string[];
      const targets = JSON.stringify(statement['Resource']);
      const table =
        /"(EventStore|ReadModel|Idempotency|ProjectionQueue|PlaceOrderSaga)[A-Za-z0-9]*"/.exec(
          targets,
        )?.[1] ?? 'other';
      for (const action of actions) grants.push(`${action} ${table}`);
    }
  }
  return [...new Set(grants)].sort();
}

describe('OrdersStack', () => {
  test('command functions may append to the event store and keep idempotency records, nothing else', () => {
    for (const prefix of [
      'CreateOrderFunction',
      'CancelOrderFunction',
      'ShipOrderFunction',
      'DecideApprovalFunction',
    ]) {
      const grants = grantsOf(prefix).filter((grant) => grant.startsWith('dynamodb:'));
      const onEventStore = grants.filter((grant) => grant.endsWith(' EventStore'));
      expect(onEventStore).toEqual([
        'dynamodb:ConditionCheckItem EventStore',
        'dynamodb:GetItem EventStore',
        'dynamodb:PutItem EventStore',
        'dynamodb:Query EventStore',
      ]);
      expect(grants.every((grant) => / (EventStore|Idempotency)$/.test(grant))).toBe(true);
      expect(grants.some((grant) => /(UpdateItem|DeleteItem) EventStore/.test(grant))).toBe(false);
    }
  });

  test('query functions only read the read model', () => {
    for (const prefix of ['GetOrderFunction', 'ListUserOrdersFunction']) {
      expect(grantsOf(prefix).filter((grant) => grant.startsWith('dynamodb:'))).toEqual([
        'dynamodb:BatchGetItem ReadModel',
        'dynamodb:GetItem ReadModel',
        'dynamodb:Query ReadModel',
      ]);
    }
  });

  test('the event history reads the event store and writes nothing', () => {
    expect(grantsOf('GetOrderEventsFunction').filter((grant) => grant.startsWith('dynamodb:'))).toEqual([
      'dynamodb:BatchGetItem EventStore',
      'dynamodb:GetItem EventStore',
      'dynamodb:Query EventStore',
    ]);
  });

  test('the projector writes the read model and touches no event store', () => {
    const grants = grantsOf('ProjectorFunction');
    expect(grants).toEqual(
      expect.arrayContaining(['dynamodb:PutItem ReadModel', 'dynamodb:GetItem ReadModel']),
    );
    expect(grants.some((grant) => grant.endsWith(' EventStore'))).toBe(false);
  });

  test('the projector may only read an item of the read model and put one: no update, delete or other table', () => {
    // Views and known users are both conditional puts; the users table is the users context's own.
    const grants = grantsOf('ProjectorFunction');
    expect(grants.filter((grant) => grant.startsWith('dynamodb:'))).toEqual([
      'dynamodb:GetItem ReadModel',
      'dynamodb:PutItem ReadModel',
    ]);
    expect(
      grants.filter((grant) => grant.startsWith('sqs:')).every((grant) => grant.endsWith(' ProjectionQueue')),
    ).toBe(true);
    expect(grants.every((grant) => /^(dynamodb|sqs|xray):/.test(grant))).toBe(true);
  });

  test("a rule on shop.users queues UserRegistered, and no other users event, for the projector's queue", () => {
    const queue = { 'Fn::GetAtt': [Match.stringLikeRegexp('^ProjectionQueue'), 'Arn'] };
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['shop.users'], 'detail-type': ['UserRegistered'] },
      Targets: [
        Match.objectLike({
          Arn: queue,
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 185 }),
          DeadLetterConfig: {
            Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ProjectionDeadLetterQueue'), 'Arn'] },
          },
        }),
      ],
    });
    const patterns = Object.values(resources)
      .filter((resource) => resource.Type === 'AWS::Events::Rule')
      .map((rule) => rule.Properties['EventPattern'] as Record<string, unknown>);
    expect(patterns.filter((pattern) => JSON.stringify(pattern['source']).includes('shop.users'))).toEqual([
      { source: ['shop.users'], 'detail-type': ['UserRegistered'] },
    ]);
  });

  test('only the two projection rules may send to the projection queue', () => {
    // Prepare
    interface Statement {
      readonly Effect: string;
      readonly Principal?: unknown;
      readonly Condition?: { readonly ArnEquals?: { readonly 'aws:SourceArn': { 'Fn::GetAtt': string[] } } };
    }
    const policy = Object.values(resources).find(
      (resource) =>
        resource.Type === 'AWS::SQS::QueuePolicy' &&
        (resource.Properties['Queues'] as { Ref: string }[])[0]?.Ref.startsWith('ProjectionQueue'),
    );

    // Act
    const allowed = (policy?.Properties['PolicyDocument'] as { Statement: Statement[] }).Statement.filter(
      (statement) => statement.Effect === 'Allow',
    );

    // Assess
    expect(allowed.map((statement) => statement.Principal)).toEqual([
      { Service: 'events.amazonaws.com' },
      { Service: 'events.amazonaws.com' },
    ]);
    const sources = allowed.map(
      (statement) => statement.Condition?.ArnEquals?.['aws:SourceArn']['Fn::GetAtt'][0],
    );
    expect(sources).toEqual([
      expect.stringMatching(/^ProjectionRule[0-9A-F]{8}$/),
      expect.stringMatching(/^KnownUsersRule[0-9A-F]{8}$/),
    ]);
  });

  test('the create function discovers inventory in Cloud Map (on its namespace only), and gets the snapshot interval', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          SNAPSHOT_EVERY: '7',
          INVENTORY_NAMESPACE: Match.anyValue(),
          INVENTORY_SERVICE: Match.anyValue(),
          DISCOVERY_CACHE_TTL_MS: '10000',
        }),
      },
    });
    const discoverers = Object.keys(resources).filter(
      (id) =>
        resources[id]?.Type === 'AWS::Lambda::Function' &&
        grantsOf(id).some((grant) => grant.startsWith('servicediscovery:DiscoverInstances')),
    );
    expect(discoverers).toEqual([functionId('CreateOrderFunction')]);
  });

  test('the create function prices within its 20 s: 3 s per attempt, 5 attempts, a 60 s price cache', () => {
    expect(resources[functionId('CreateOrderFunction')]?.Properties).toMatchObject({
      Timeout: 20,
      Environment: {
        Variables: {
          INVENTORY_TIMEOUT_MS: '3000',
          INVENTORY_MAX_ATTEMPTS: '5',
          PRICE_CACHE_TTL_MS: '60000',
        },
      },
    });
  });

  test('only the create function may hand a card token to the card vault', () => {
    const invokers = Object.keys(resources).filter(
      (id) =>
        resources[id]?.Type === 'AWS::Lambda::Function' &&
        // Blue/green delivery's traffic hooks invoke the stack's own API functions, not the vault.
        !id.startsWith('BlueGreen') &&
        grantsOf(id).includes('lambda:InvokeFunction other'),
    );
    expect(invokers).toEqual([functionId('CreateOrderFunction')]);
    const variables = resources[functionId('CreateOrderFunction')]?.Properties['Environment'] as {
      Variables: Record<string, unknown>;
    };
    // The function's name, taken from its ARN.
    expect(JSON.stringify(variables.Variables['CARD_VAULT_FUNCTION'])).toContain(':function:card-vault');
  });

  test('passes the price look-up’s settings on, a cache TTL of 0 turning the cache off', () => {
    // Act
    const tuned = ordersStackWith({
      inventoryTimeout: Duration.seconds(4),
      inventoryMaxAttempts: 3,
      priceCacheTtl: Duration.millis(0),
    });

    // Assess
    Template.fromStack(tuned).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          INVENTORY_TIMEOUT_MS: '4000',
          INVENTORY_MAX_ATTEMPTS: '3',
          PRICE_CACHE_TTL_MS: '0',
        }),
      },
    });
  });

  test('the saga style of new orders is the /shop/saga-style parameter, orchestrated unless set, which only the create function reads', () => {
    // Prepare
    const choreographed = Template.fromStack(ordersStackWith({ sagaStyle: 'choreographed' }));
    const parameterId = Object.keys(resources).find((key) => resources[key]?.Type === 'AWS::SSM::Parameter');
    const readers = Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(resource.Properties['PolicyDocument']).includes('ssm:GetParameter'),
    );

    // Assess
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/shop/saga-style',
      Type: 'String',
      Value: 'orchestrated',
      AllowedPattern: '^(orchestrated|choreographed)$',
    });
    choreographed.hasResourceProperties('AWS::SSM::Parameter', { Value: 'choreographed' });
    expect(resources[functionId('CreateOrderFunction')]?.Properties).toMatchObject({
      Environment: { Variables: { SAGA_STYLE_PARAMETER: { Ref: parameterId } } },
    });
    expect(grantsOf('CreateOrderFunction')).toEqual(expect.arrayContaining(['ssm:GetParameter other']));
    expect(readers).toHaveLength(1);
    expect(JSON.stringify(readers[0]?.Properties['Roles'])).toContain('CreateOrderFunction');
  });

  test('refuses a look-up timeout that leaves no room for a retry in the create function’s 20 s', () => {
    expect(() => ordersStackWith({ inventoryTimeout: Duration.seconds(10) })).toThrow(
      /inventoryTimeout must be at most 9 s, so that a retry fits in the create function's 20 s/,
    );
  });

  test('the event store stream feeds the outbox relay, which publishes to the bus as shop.orders', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: Match.anyValue(),
    });
  });

  test('a rule on source shop.orders queues every event for the projector, with a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['shop.orders'] },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 10 }),
      VisibilityTimeout: 30,
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ProjectionQueue'), 'Arn'] },
    });
  });

  test('the read model lists a user’s orders through the byUser index', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'byUser',
          KeySchema: [
            { AttributeName: 'userId', KeyType: 'HASH' },
            { AttributeName: 'orderId', KeyType: 'RANGE' },
          ],
        }),
      ],
    });
  });

  test('adds the eight orders routes to the shared API behind the authorizer and deploys them to its prod stage', () => {
    const methods = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGateway::Method');
    for (const method of methods) {
      expect(method.Properties).toMatchObject({
        AuthorizationType: 'COGNITO_USER_POOLS',
        AuthorizerId: {
          'Fn::ImportValue': expect.stringMatching(/^TestPlatform:ExportsOutputRefTestAuthorizer/) as unknown,
        },
      });
    }
    expect(methods.map((m) => m.Properties['HttpMethod']).sort()).toEqual([
      'GET',
      'GET',
      'GET',
      'GET',
      'POST',
      'POST',
      'POST',
      'POST',
    ]);
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'approval' });
    template.resourceCountIs('AWS::ApiGateway::Deployment', 0);
    template.resourceCountIs('AWS::ApiGateway::RestApi', 0);
  });

  test('refuses a snapshot interval that is not a positive integer', () => {
    expect(() => ordersStackWith({ snapshotEvery: 0 })).toThrow(/snapshotEvery must be a positive integer/);
  });

  test('refuses to build without the other contexts’ saga steps, naming the missing ones', () => {
    const other = unbundledApp();
    const shared = new PlatformStack(other, 'P');
    const { chargePayment: _charge, refundPayment: _refund, ...inventoryOnly } = sagaSteps(shared);
    expect(
      () =>
        new OrdersStack(other, 'O', {
          api: shared.api,
          inventoryService: inventoryServiceOf(shared),
          bus: shared.bus,
          authorizer: testAuthorizer(shared),
          cardVault: cardVaultOf(shared),
          saga: inventoryOnly as OrdersSagaProps,
        }),
    ).toThrow(/saga needs the PlaceOrder steps .*missing chargePayment, refundPayment/);
  });

  describe('the PlaceOrder saga', () => {
    const stateMachineId = Object.keys(resources).find(
      (key) => resources[key]?.Type === 'AWS::StepFunctions::StateMachine',
    );
    const stateMachineRef = { Ref: stateMachineId };

    test('one state machine invokes the orders steps and the other contexts’ functions', () => {
      template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
      const definition = JSON.stringify(resources[stateMachineId ?? '']?.Properties['DefinitionString']);
      for (const prefix of [
        'RequestApprovalFunction',
        'EnsureOrderActiveFunction',
        'ConfirmOrderFunction',
        'CancelOrderSagaFunction',
      ]) {
        expect(definition).toContain(liveAliasId(prefix));
      }
      for (const name of [
        'reserve-stock',
        'release-stock',
        'commit-stock',
        'charge-payment',
        'refund-payment',
      ]) {
        expect(definition).toContain(`function:${name}`);
      }
    });

    test('passes the approval threshold and deadline on', () => {
      const definition = JSON.stringify(resources[stateMachineId ?? '']?.Properties['DefinitionString']);
      expect(definition).toContain('50000');
      expect(definition).toMatch(/\\"TimeoutSeconds\\":1800/);
    });

    test('the steps write the event store (approval tasks included) and nothing else', () => {
      const dataGrants = (prefix: string) => grantsOf(prefix).filter((grant) => !grant.startsWith('xray:'));
      for (const prefix of ['RequestApprovalFunction', 'ConfirmOrderFunction', 'CancelOrderSagaFunction']) {
        expect(dataGrants(prefix)).toEqual([
          'dynamodb:ConditionCheckItem EventStore',
          'dynamodb:GetItem EventStore',
          'dynamodb:PutItem EventStore',
          'dynamodb:Query EventStore',
        ]);
      }
      expect(dataGrants('EnsureOrderActiveFunction')).toEqual([
        'dynamodb:BatchGetItem EventStore',
        'dynamodb:GetItem EventStore',
        'dynamodb:Query EventStore',
      ]);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp('^Saga step WaitForApproval'),
        Environment: {
          Variables: Match.objectLike({ EVENT_STORE_TABLE: Match.anyValue(), SNAPSHOT_EVERY: '7' }),
        },
      });
    });

    test('the approval endpoint and the customer cancel may answer the waiting task', () => {
      for (const prefix of ['DecideApprovalFunction', 'CancelOrderFunction']) {
        expect(grantsOf(prefix)).toEqual(
          expect.arrayContaining([
            'states:SendTaskFailure PlaceOrderSaga',
            'states:SendTaskHeartbeat PlaceOrderSaga',
            'states:SendTaskSuccess PlaceOrderSaga',
          ]),
        );
      }
      expect(grantsOf('ShipOrderFunction').some((grant) => grant.startsWith('states:'))).toBe(false);
    });

    test('GET /orders/{orderId} reads the executions, given the machine’s ARN', () => {
      expect(grantsOf('GetOrderFunction')).toEqual(
        expect.arrayContaining([
          'states:DescribeExecution PlaceOrderSaga',
          'states:GetExecutionHistory PlaceOrderSaga',
        ]),
      );
      // Those two on the machine's executions, nothing else of Step Functions and nothing on `*`.
      expect(grantsOf('GetOrderFunction').filter((grant) => grant.startsWith('states:'))).toEqual([
        'states:DescribeExecution PlaceOrderSaga',
        'states:GetExecutionHistory PlaceOrderSaga',
      ]);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp('^GET /orders/\\{orderId\\}:'),
        Environment: {
          Variables: Match.objectLike({
            READ_MODEL_TABLE: Match.anyValue(),
            SAGA_STATE_MACHINE_ARN: stateMachineRef,
          }),
        },
      });
    });

    test('a rule on orchestrated OrderCreated events starts the saga, with retries and a dead-letter queue', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['shop.orders'],
          'detail-type': ['OrderCreated'],
          detail: { data: { saga: ['orchestrated'] } },
        },
        Targets: [
          Match.objectLike({
            Arn: { Ref: liveAliasId('StartOrderSagaFunction') },
            RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 185 }),
            DeadLetterConfig: {
              Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SagaStartDeadLetterQueue'), 'Arn'] },
            },
          }),
        ],
      });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: functionId('StartOrderSagaFunction') },
        // The live alias's, where the rule delivers: each qualifier has its own async settings.
        Qualifier: {
          'Fn::Select': [7, { 'Fn::Split': [':', { Ref: liveAliasId('StartOrderSagaFunction') }] }],
        },
        MaximumRetryAttempts: 2,
        DestinationConfig: {
          OnFailure: {
            Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SagaStartDeadLetterQueue'), 'Arn'] },
          },
        },
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmDescription: Match.stringLikeRegexp('saga was not started'),
      });
    });

    test('the starter may only start executions of the machine, whose ARN it gets', () => {
      expect(
        grantsOf('StartOrderSagaFunction').filter((grant) => /^(states|dynamodb|lambda):/.test(grant)),
      ).toEqual(['states:StartExecution PlaceOrderSaga']);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ SAGA_STATE_MACHINE_ARN: stateMachineRef }) },
        Description: Match.stringLikeRegexp('^Starts the PlaceOrder saga'),
      });
    });

    test('no step may answer a task token: the machine and its steps would depend on each other', () => {
      for (const prefix of [
        'RequestApprovalFunction',
        'EnsureOrderActiveFunction',
        'ConfirmOrderFunction',
        'CancelOrderSagaFunction',
      ]) {
        expect(grantsOf(prefix).some((grant) => grant.startsWith('states:'))).toBe(false);
      }
    });
  });
});
