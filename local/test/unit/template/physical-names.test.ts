import {
  generatedName,
  physicalResource,
  PLACEHOLDER_STREAM_LABEL,
  type PhysicalResource,
} from '../../../src/template/physical-names';

const SQS_ENDPOINT = 'http://127.0.0.1:4566';

function named(
  type: string,
  properties: Record<string, unknown> = {},
  logicalId = 'Thing',
): PhysicalResource {
  return physicalResource({
    stackName: 'ShopStack',
    logicalId,
    type,
    sqsEndpoint: SQS_ENDPOINT,
    property: (name) => properties[name],
  });
}

describe('generatedName', () => {
  it('is <stack>-<logicalId>-<12 uppercase hash chars> and stable across calls', () => {
    // Act
    const first = generatedName('ShopStack', 'OrdersTable');
    const second = generatedName('ShopStack', 'OrdersTable');

    // Assess
    expect(first).toMatch(/^ShopStack-OrdersTable-[0-9A-F]{12}$/);
    expect(second).toBe(first);
  });

  it('differs per stack and per logical id', () => {
    // Act
    const names = new Set([
      generatedName('ShopStack', 'A').slice(-12),
      generatedName('OtherStack', 'A').slice(-12),
      generatedName('ShopStack', 'B').slice(-12),
    ]);

    // Assess
    expect(names.size).toBe(3);
  });

  it('trims both the stack name and the logical id to fit the maximum length', () => {
    // Prepare
    const stack = 'S'.repeat(60);
    const logicalId = 'L'.repeat(60);

    // Act
    const name = generatedName(stack, logicalId, 64);

    // Assess
    expect(name).toHaveLength(64);
    expect(name).toMatch(/^S{25}-L{25}-[0-9A-F]{12}$/);
  });

  it('gives a short stack name room to a long logical id', () => {
    // Act
    const name = generatedName('Shop', 'L'.repeat(80), 64);

    // Assess
    expect(name).toMatch(/^Shop-L{46}-[0-9A-F]{12}$/);
  });
});

describe('physicalResource', () => {
  it('names a DynamoDB table from TableName, with its ARN', () => {
    // Act
    const table = named('AWS::DynamoDB::Table', { TableName: 'orders' });

    // Assess
    expect(table).toEqual({
      ref: 'orders',
      attributes: { Arn: 'arn:aws:dynamodb:us-east-1:000000000000:table/orders' },
    });
  });

  it('generates a table name and a placeholder StreamArn when the table has a stream', () => {
    // Act
    const table = named(
      'AWS::DynamoDB::Table',
      { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } },
      'Orders',
    );

    // Assess
    expect(table.ref).toBe(generatedName('ShopStack', 'Orders'));
    expect(table.attributes.StreamArn).toBe(
      `arn:aws:dynamodb:us-east-1:000000000000:table/${table.ref}/stream/${PLACEHOLDER_STREAM_LABEL}`,
    );
  });

  it('names a Lambda function within 64 characters', () => {
    // Act
    const fn = named('AWS::Lambda::Function', {}, `Handler${'X'.repeat(80)}`);

    // Assess
    expect(fn.ref.length).toBeLessThanOrEqual(64);
    expect(fn.attributes.Arn).toBe(`arn:aws:lambda:us-east-1:000000000000:function:${fn.ref}`);
  });

  it('returns the queue URL on the local SQS endpoint as the queue Ref', () => {
    // Act
    const queue = physicalResource({
      stackName: 'ShopStack',
      logicalId: 'Jobs',
      type: 'AWS::SQS::Queue',
      sqsEndpoint: `${SQS_ENDPOINT}/`,
      property: (name) => (name === 'QueueName' ? 'jobs' : undefined),
    });

    // Assess
    expect(queue).toEqual({
      ref: 'http://127.0.0.1:4566/000000000000/jobs',
      attributes: {
        Arn: 'arn:aws:sqs:us-east-1:000000000000:jobs',
        QueueName: 'jobs',
        QueueUrl: 'http://127.0.0.1:4566/000000000000/jobs',
      },
    });
  });

  it('keeps the .fifo suffix on a generated FIFO queue name', () => {
    // Act
    const queue = named('AWS::SQS::Queue', { FifoQueue: true }, 'Q'.repeat(100));

    // Assess
    expect(queue.attributes.QueueName).toMatch(/\.fifo$/);
    expect(queue.attributes.QueueName).toHaveLength(80);
  });

  it('names an event bus by its Name', () => {
    // Act
    const bus = named('AWS::Events::EventBus', { Name: 'orders' });

    // Assess
    expect(bus).toEqual({
      ref: 'orders',
      attributes: { Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/orders', Name: 'orders' },
    });
  });

  it.each([
    ['no EventBusName', {}, 'rule-a', 'rule/rule-a'],
    ['the default bus', { EventBusName: 'default' }, 'rule-a', 'rule/rule-a'],
    ['a custom bus name', { EventBusName: 'orders' }, 'orders|rule-a', 'rule/orders/rule-a'],
    [
      'a custom bus ARN',
      { EventBusName: 'arn:aws:events:us-east-1:000000000000:event-bus/orders' },
      'orders|rule-a',
      'rule/orders/rule-a',
    ],
  ])('refs a rule on %s as AWS does', (_case, properties, ref, arnResource) => {
    // Act
    const rule = named('AWS::Events::Rule', { Name: 'rule-a', ...properties });

    // Assess
    expect(rule).toEqual({
      ref,
      attributes: { Arn: `arn:aws:events:us-east-1:000000000000:${arnResource}` },
    });
  });

  it('refs a state machine by its ARN', () => {
    // Act
    const machine = named('AWS::StepFunctions::StateMachine', { StateMachineName: 'checkout' });

    // Assess
    expect(machine).toEqual({
      ref: 'arn:aws:states:us-east-1:000000000000:stateMachine:checkout',
      attributes: { Arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:checkout', Name: 'checkout' },
    });
  });

  it('gives a REST API a stable 10-character lowercase id and a distinct root resource id', () => {
    // Act
    const api = named('AWS::ApiGateway::RestApi', { Name: 'shop' }, 'Api');
    const again = named('AWS::ApiGateway::RestApi', { Name: 'shop' }, 'Api');

    // Assess
    expect(api.ref).toMatch(/^[a-z0-9]{10}$/);
    expect(api.attributes.RootResourceId).toMatch(/^[a-z0-9]{10}$/);
    expect(api.attributes.RootResourceId).not.toBe(api.ref);
    expect(again).toEqual(api);
  });

  it('gives API resources and deployments ids, and refs a stage by StageName', () => {
    // Act
    const resource = named('AWS::ApiGateway::Resource', {}, 'OrdersResource');
    const deployment = named('AWS::ApiGateway::Deployment', {}, 'Deployment');
    const stage = named('AWS::ApiGateway::Stage', { StageName: 'prod' });

    // Assess
    expect(resource.ref).toMatch(/^[a-z0-9]{10}$/);
    expect(deployment.ref).toMatch(/^[a-z0-9]{6}$/);
    expect(stage.ref).toBe('prod');
  });

  it('builds an IAM role ARN without a region, honouring the path', () => {
    // Act
    const role = named('AWS::IAM::Role', { RoleName: 'worker', Path: '/service/' });

    // Assess
    expect(role.ref).toBe('worker');
    expect(role.attributes.Arn).toBe('arn:aws:iam::000000000000:role/service/worker');
    expect(role.attributes.RoleId).toMatch(/^AROA[A-Z0-9]{17}$/);
  });

  it('refs a log group by name with the log-group ARN', () => {
    // Act
    const group = named('AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/worker' });

    // Assess
    expect(group).toEqual({
      ref: '/aws/lambda/worker',
      attributes: { Arn: 'arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/worker:*' },
    });
  });

  it('refs an SNS topic by its ARN', () => {
    // Act
    const topic = named('AWS::SNS::Topic', { TopicName: 'alerts' });

    // Assess
    expect(topic.ref).toBe('arn:aws:sns:us-east-1:000000000000:alerts');
    expect(topic.attributes.TopicName).toBe('alerts');
  });

  it('refs an SSM parameter by name and exposes its value', () => {
    // Act
    const explicit = named('AWS::SSM::Parameter', { Name: '/shop/flag', Type: 'String', Value: 'on' });
    const generated = named('AWS::SSM::Parameter', { Type: 'String', Value: 'on' }, 'Flag');

    // Assess
    expect(explicit).toEqual({ ref: '/shop/flag', attributes: { Type: 'String', Value: 'on' } });
    expect(generated.ref).toMatch(/^CFN-Flag-[0-9A-F]{12}$/);
  });

  it('refs an alarm by name with the alarm ARN', () => {
    // Act
    const alarm = named('AWS::CloudWatch::Alarm', { AlarmName: 'errors' });

    // Assess
    expect(alarm.attributes.Arn).toBe('arn:aws:cloudwatch:us-east-1:000000000000:alarm:errors');
  });

  it('gives an event source mapping a stable UUID', () => {
    // Act
    const mapping = named('AWS::Lambda::EventSourceMapping', {}, 'Mapping');

    // Assess
    expect(mapping.ref).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(named('AWS::Lambda::EventSourceMapping', {}, 'Mapping').ref).toBe(mapping.ref);
  });

  it('refs an alias and a version by the qualified function ARN', () => {
    // Act
    const alias = named('AWS::Lambda::Alias', { FunctionName: 'worker', Name: 'live' });
    const version = named('AWS::Lambda::Version', {
      FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:worker',
    });

    // Assess
    expect(alias.ref).toBe('arn:aws:lambda:us-east-1:000000000000:function:worker:live');
    expect(version.ref).toBe('arn:aws:lambda:us-east-1:000000000000:function:worker:1');
    expect(version.attributes.Version).toBe('1');
  });

  it("shapes a user pool's id as Cognito does, its ProviderURL being the local issuer (the edge)", () => {
    // Act
    const pool = named('AWS::Cognito::UserPool', { UserPoolName: 'users' }, 'Users');

    // Assess
    expect(pool.ref).toMatch(/^us-east-1_[0-9A-Za-z]{9}$/);
    expect(named('AWS::Cognito::UserPool', {}, 'Users').ref).toBe(pool.ref);
    expect(pool.attributes).toEqual({
      Arn: `arn:aws:cognito-idp:us-east-1:000000000000:userpool/${pool.ref}`,
      ProviderName: `cognito-idp.us-east-1.amazonaws.com/${pool.ref}`,
      ProviderURL: `${SQS_ENDPOINT}/${pool.ref}`,
      UserPoolId: pool.ref,
    });
  });

  it('refs an app client by a 26-character id, a group by its name, an authorizer by its id', () => {
    // Act
    const client = named('AWS::Cognito::UserPoolClient', { ClientName: 'web' }, 'Web');
    const group = named('AWS::Cognito::UserPoolGroup', { GroupName: 'staff' });
    const authorizer = named('AWS::ApiGateway::Authorizer', {}, 'Users');

    // Assess
    expect(client.ref).toMatch(/^[a-z0-9]{26}$/);
    expect(client.attributes).toEqual({ ClientId: client.ref, Name: 'web' });
    expect(group.ref).toBe('staff');
    expect(authorizer.ref).toMatch(/^[a-z0-9]{6}$/);
    expect(authorizer.attributes).toEqual({ AuthorizerId: authorizer.ref });
  });

  it('falls back to a generated name and a service ARN for other types', () => {
    // Act
    const stream = named('AWS::Kinesis::Stream', { Name: 'ignored-by-the-fallback' }, 'Clicks');

    // Assess
    expect(stream.ref).toBe(generatedName('ShopStack', 'Clicks'));
    expect(stream.attributes.Arn).toBe(`arn:aws:kinesis:us-east-1:000000000000:${stream.ref}`);
  });
});

describe('Cloud Map resources', () => {
  it('gives a namespace and a service Cloud Map-shaped ids, their ARNs, and the service its name', () => {
    // Act
    const namespace = named('AWS::ServiceDiscovery::HttpNamespace', { Name: 'shop' }, 'Shop');
    const service = named('AWS::ServiceDiscovery::Service', { Name: 'orders' }, 'Orders');
    const unnamed = named('AWS::ServiceDiscovery::Service', {}, 'Audit');

    // Assess
    expect(namespace.ref).toMatch(/^ns-[a-z0-9]{16}$/);
    expect(namespace.attributes).toEqual({
      Id: namespace.ref,
      Arn: `arn:aws:servicediscovery:us-east-1:000000000000:namespace/${namespace.ref}`,
    });
    expect(service.ref).toMatch(/^srv-[a-z0-9]{16}$/);
    expect(service.attributes).toEqual({
      Id: service.ref,
      Arn: `arn:aws:servicediscovery:us-east-1:000000000000:service/${service.ref}`,
      Name: 'orders',
    });
    expect(unnamed.attributes.Name).toMatch(/^ShopStack-Audit-[0-9A-F]{12}$/);
  });

  it('refers to an instance by its InstanceId', () => {
    // Act
    const instance = named('AWS::ServiceDiscovery::Instance', { InstanceId: 'orders-a' });

    // Assess
    expect(instance).toEqual({ ref: 'orders-a', attributes: {} });
  });
});
