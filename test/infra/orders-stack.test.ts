import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { OrdersStack } from '../../infra/stacks/orders-stack';
import { PlatformStack } from '../../infra/stacks/platform-stack';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

const app = new App();
const platform = new PlatformStack(app, 'TestPlatform');
const stack = new OrdersStack(app, 'TestOrders', { api: platform.api, bus: platform.bus, snapshotEvery: 7 });
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
        /"(EventStore|ReadModel|Idempotency|ProjectionQueue)[A-Za-z0-9]*"/.exec(targets)?.[1] ?? 'other';
      for (const action of actions) grants.push(`${action} ${table}`);
    }
  }
  return [...new Set(grants)].sort();
}

describe('OrdersStack', () => {
  test('command functions may append to the event store and keep idempotency records, nothing else', () => {
    for (const prefix of ['CreateOrderFunction', 'CancelOrderFunction', 'ShipOrderFunction']) {
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

  test('the create function gets the shared API’s stage URL to reach inventory, and the snapshot interval', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          SNAPSHOT_EVERY: '7',
          INVENTORY_API_URL: {
            'Fn::Join': [
              '',
              Match.arrayWith(['https://', Match.objectLike({ 'Fn::ImportValue': Match.anyValue() })]),
            ],
          },
        }),
      },
    });
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

  test('adds the six orders routes to the shared API and deploys them to its prod stage', () => {
    const methods = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGateway::Method');
    expect(methods.map((m) => m.Properties['HttpMethod']).sort()).toEqual([
      'GET',
      'GET',
      'GET',
      'POST',
      'POST',
      'POST',
    ]);
    template.hasResourceProperties('AWS::ApiGateway::Deployment', { StageName: 'prod' });
    template.resourceCountIs('AWS::ApiGateway::RestApi', 0);
  });

  test('refuses a snapshot interval that is not a positive integer', () => {
    const other = new App();
    const shared = new PlatformStack(other, 'P');
    expect(() => new OrdersStack(other, 'O', { api: shared.api, bus: shared.bus, snapshotEvery: 0 })).toThrow(
      /snapshotEvery must be a positive integer/,
    );
  });
});
