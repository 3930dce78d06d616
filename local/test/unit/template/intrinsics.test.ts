import {
  createIntrinsicResolver,
  IntrinsicResolutionError,
  resolveIntrinsics,
  type ResolveContext,
} from '../../../src/template/intrinsics';
import { generatedName } from '../../../src/template/physical-names';
import type { CfnTemplate } from '../../../src/template/template-types';

const SQS_ENDPOINT = 'http://127.0.0.1:4566';

const TEMPLATE: CfnTemplate = {
  Parameters: {
    Stage: { Type: 'String', Default: 'dev' },
    Retries: { Type: 'Number', Default: 3 },
    Zones: { Type: 'CommaDelimitedList', Default: 'a, b,c' },
    Secret: { Type: 'String' },
  },
  Mappings: {
    StageConfig: { dev: { LogLevel: 'DEBUG', Hosts: ['one', 'two'] } },
  },
  Conditions: {
    IsDev: { 'Fn::Equals': [{ Ref: 'Stage' }, 'dev'] },
    IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
    NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
    DevInUsEast1: {
      'Fn::And': [{ Condition: 'IsDev' }, { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] }],
    },
    DevOrProd: { 'Fn::Or': [{ Condition: 'IsProd' }, { Condition: 'IsDev' }] },
    ThreeRetries: { 'Fn::Equals': [{ Ref: 'Retries' }, 3] },
    LoopA: { 'Fn::Not': [{ Condition: 'LoopB' }] },
    LoopB: { 'Fn::Not': [{ Condition: 'LoopA' }] },
  },
  Resources: {
    Orders: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: { 'Fn::Sub': '${AWS::StackName}-orders' },
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      },
    },
    Jobs: { Type: 'AWS::SQS::Queue' },
    Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'shop-bus' } },
    ProdOnly: { Type: 'AWS::SQS::Queue', Condition: 'IsProd' },
    SelfNamed: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: { Ref: 'SelfNamed' } } },
  },
};

function context(overrides: Partial<ResolveContext> = {}): ResolveContext {
  return {
    stackName: 'Shop',
    template: TEMPLATE,
    exports: new Map([['Shared:BusArn', 'arn:aws:events:us-east-1:000000000000:event-bus/shared']]),
    sqsEndpoint: SQS_ENDPOINT,
    ...overrides,
  };
}

function resolve(value: unknown, overrides: Partial<ResolveContext> = {}): unknown {
  return resolveIntrinsics(value, context(overrides), 'Resources.Fn.Properties.Value');
}

function caught(act: () => unknown): IntrinsicResolutionError {
  try {
    act();
  } catch (error) {
    if (error instanceof IntrinsicResolutionError) return error;
    throw error;
  }
  throw new Error('expected an IntrinsicResolutionError');
}

const JOBS_NAME = generatedName('Shop', 'Jobs', 80);

describe('resolveIntrinsics: Ref', () => {
  it.each([
    ['AWS::Region', 'us-east-1'],
    ['AWS::AccountId', '000000000000'],
    ['AWS::Partition', 'aws'],
    ['AWS::URLSuffix', 'amazonaws.com'],
    ['AWS::StackName', 'Shop'],
    ['AWS::NotificationARNs', []],
  ])('resolves the pseudo parameter %s', (name, expected) => {
    // Act
    const value = resolve({ Ref: name });

    // Assess
    expect(value).toEqual(expected);
  });

  it('resolves AWS::StackId to a stable stack ARN', () => {
    // Act
    const first = resolve({ Ref: 'AWS::StackId' });
    const second = resolve({ Ref: 'AWS::StackId' });

    // Assess
    expect(first).toMatch(/^arn:aws:cloudformation:us-east-1:000000000000:stack\/Shop\/[0-9a-f-]{36}$/);
    expect(second).toBe(first);
  });

  it('resolves parameters from their Default, numbers as strings and lists as arrays', () => {
    // Act
    const value = resolve([{ Ref: 'Stage' }, { Ref: 'Retries' }, { Ref: 'Zones' }]);

    // Assess
    expect(value).toEqual(['dev', '3', ['a', 'b', 'c']]);
  });

  it('prefers refOverrides for parameters and resources', () => {
    // Act
    const value = resolve([{ Ref: 'Secret' }, { Ref: 'Orders' }, { Ref: 'Zones' }], {
      refOverrides: { Secret: 's3cr3t', Orders: 'existing-orders', Zones: 'x,y' },
    });

    // Assess
    expect(value).toEqual(['s3cr3t', 'existing-orders', ['x', 'y']]);
  });

  it('resolves resources to their local physical ids, resolving their naming properties first', () => {
    // Act
    const value = resolve({ Table: { Ref: 'Orders' }, Queue: { Ref: 'Jobs' }, Bus: { Ref: 'Bus' } });

    // Assess
    expect(value).toEqual({
      Table: 'Shop-orders',
      Queue: `${SQS_ENDPOINT}/000000000000/${JOBS_NAME}`,
      Bus: 'shop-bus',
    });
  });

  it('names the path and the missing name for an unknown reference', () => {
    // Prepare
    const properties = { Environment: { Variables: { X: { Ref: 'Missing' } } } };

    // Act
    const error = caught(() => resolveIntrinsics(properties, context(), 'Resources.MyFn.Properties'));

    // Assess
    expect(error.path).toBe('Resources.MyFn.Properties.Environment.Variables.X');
    expect(error.message).toBe(
      "Cannot resolve Resources.MyFn.Properties.Environment.Variables.X: Ref to unknown resource or parameter 'Missing'",
    );
    expect(error.name).toBe('IntrinsicResolutionError');
  });

  it('rejects a parameter without Default', () => {
    // Act
    const error = caught(() => resolve({ Ref: 'Secret' }));

    // Assess
    expect(error.reason).toBe("parameter 'Secret' has no Default");
  });

  it('rejects a reference to a resource whose condition is false', () => {
    // Act
    const error = caught(() => resolve({ Ref: 'ProdOnly' }));

    // Assess
    expect(error.reason).toMatch(/'ProdOnly' is not created/);
  });

  it('rejects a resource whose name depends on itself', () => {
    // Act
    const error = caught(() => resolve({ Ref: 'SelfNamed' }));

    // Assess
    expect(error.reason).toBe("circular reference through resource 'SelfNamed'");
    expect(error.path).toBe('Resources.SelfNamed.Properties.TableName');
  });
});

describe('resolveIntrinsics: AWS::NoValue', () => {
  it('removes the key of an object and the element of an array', () => {
    // Act
    const value = resolve({
      Keep: 'yes',
      Drop: { Ref: 'AWS::NoValue' },
      List: ['a', { Ref: 'AWS::NoValue' }, 'b'],
    });

    // Assess
    expect(value).toEqual({ Keep: 'yes', List: ['a', 'b'] });
  });

  it('removes a key whose Fn::If picks NoValue', () => {
    // Act
    const value = resolve({
      DevOnly: { 'Fn::If': ['IsDev', 'debug', { Ref: 'AWS::NoValue' }] },
      ProdOnly: { 'Fn::If': ['IsProd', 'strict', { Ref: 'AWS::NoValue' }] },
    });

    // Assess
    expect(value).toEqual({ DevOnly: 'debug' });
  });

  it('resolves a top-level NoValue to undefined', () => {
    // Act
    const value = resolve({ Ref: 'AWS::NoValue' });

    // Assess
    expect(value).toBeUndefined();
  });
});

describe('resolveIntrinsics: Fn::GetAtt', () => {
  it('resolves the array and the dotted string forms', () => {
    // Act
    const value = resolve([{ 'Fn::GetAtt': ['Orders', 'Arn'] }, { 'Fn::GetAtt': 'Jobs.QueueName' }]);

    // Assess
    expect(value).toEqual(['arn:aws:dynamodb:us-east-1:000000000000:table/Shop-orders', JOBS_NAME]);
  });

  it('prefers attributeOverrides, e.g. the StreamArn of the created table', () => {
    // Prepare
    const streamArn =
      'arn:aws:dynamodb:us-east-1:000000000000:table/Shop-orders/stream/2024-05-01T10:00:00.000';

    // Act
    const value = resolve(
      { 'Fn::GetAtt': ['Orders', 'StreamArn'] },
      { attributeOverrides: { Orders: { StreamArn: streamArn } } },
    );

    // Assess
    expect(value).toBe(streamArn);
  });

  it('rejects an attribute the local cloud does not know, naming it', () => {
    // Act
    const error = caught(() => resolve({ 'Fn::GetAtt': ['Jobs', 'Nope'] }));

    // Assess
    expect(error.reason).toMatch(/attribute 'Nope' of 'Jobs' \(AWS::SQS::Queue\) is unknown locally/);
  });

  it('rejects an unknown resource', () => {
    // Act
    const error = caught(() => resolve({ 'Fn::GetAtt': ['Ghost', 'Arn'] }));

    // Assess
    expect(error.reason).toBe("Fn::GetAtt of unknown resource 'Ghost'");
  });
});

describe('resolveIntrinsics: string functions', () => {
  it('joins resolved values', () => {
    // Act
    const value = resolve({ 'Fn::Join': [':', ['a', { Ref: 'Stage' }, { Ref: 'AWS::NoValue' }, 7]] });

    // Assess
    expect(value).toBe('a:dev:7');
  });

  it('substitutes ${Param}, ${Logical}, ${Logical.Attr} and pseudo parameters', () => {
    // Act
    const value = resolve({ 'Fn::Sub': '${Stage}|${Orders}|${Bus.Arn}|${AWS::Region}|${AWS::AccountId}' });

    // Assess
    expect(value).toBe(
      'dev|Shop-orders|arn:aws:events:us-east-1:000000000000:event-bus/shop-bus|us-east-1|000000000000',
    );
  });

  it('substitutes variables of the [string, vars] form before template names', () => {
    // Act
    const value = resolve({
      'Fn::Sub': [
        '${Stage}-${Suffix}-${Orders}',
        { Stage: 'shadowed', Suffix: { 'Fn::GetAtt': ['Jobs', 'QueueName'] } },
      ],
    });

    // Assess
    expect(value).toBe(`shadowed-${JOBS_NAME}-Shop-orders`);
  });

  it('turns ${!Literal} into a literal ${Literal}', () => {
    // Act
    const value = resolve({ 'Fn::Sub': '${!Stage} is ${Stage}, ${!AWS::Region} stays' });

    // Assess
    expect(value).toBe('${Stage} is dev, ${AWS::Region} stays');
  });

  it('names the missing variable of a Sub', () => {
    // Act
    const error = caught(() => resolve({ 'Fn::Sub': 'x-${Nope}' }));

    // Assess
    expect(error.reason).toBe("Ref to unknown resource or parameter 'Nope'");
    expect(error.path).toBe('Resources.Fn.Properties.Value');
  });

  it('splits and selects', () => {
    // Act
    const value = resolve({
      Parts: { 'Fn::Split': ['/', 'a/b/c'] },
      Second: { 'Fn::Select': ['1', { 'Fn::Split': [',', 'x,y,z'] }] },
      Zone: { 'Fn::Select': [0, { Ref: 'Zones' }] },
    });

    // Assess
    expect(value).toEqual({ Parts: ['a', 'b', 'c'], Second: 'y', Zone: 'a' });
  });

  it('rejects a Select index out of range', () => {
    // Act
    const error = caught(() => resolve({ 'Fn::Select': [3, ['a', 'b']] }));

    // Assess
    expect(error.reason).toBe('Fn::Select index 3 is out of range of 2');
  });

  it('encodes Base64 and serializes ToJsonString', () => {
    // Act
    const value = resolve({
      Encoded: { 'Fn::Base64': { 'Fn::Sub': '#!/bin/sh ${Stage}' } },
      Json: { 'Fn::ToJsonString': { stage: { Ref: 'Stage' } } },
      Count: { 'Fn::Length': { Ref: 'Zones' } },
    });

    // Assess
    expect(value).toEqual({
      Encoded: Buffer.from('#!/bin/sh dev').toString('base64'),
      Json: '{"stage":"dev"}',
      Count: 3,
    });
  });

  it('lists three availability zones of the region', () => {
    // Act
    const value = resolve([{ 'Fn::GetAZs': '' }, { 'Fn::GetAZs': { Ref: 'AWS::Region' } }]);

    // Assess
    expect(value).toEqual([
      ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    ]);
  });
});

describe('resolveIntrinsics: Fn::FindInMap and Fn::ImportValue', () => {
  it('finds mapped values, with resolved keys', () => {
    // Act
    const value = resolve([
      { 'Fn::FindInMap': ['StageConfig', { Ref: 'Stage' }, 'LogLevel'] },
      { 'Fn::FindInMap': ['StageConfig', 'dev', 'Hosts'] },
      { 'Fn::FindInMap': ['StageConfig', 'prod', 'LogLevel', { DefaultValue: 'WARN' }] },
    ]);

    // Assess
    expect(value).toEqual(['DEBUG', ['one', 'two'], 'WARN']);
  });

  it('rejects a missing mapping entry without default', () => {
    // Act
    const error = caught(() => resolve({ 'Fn::FindInMap': ['StageConfig', 'prod', 'LogLevel'] }));

    // Assess
    expect(error.reason).toBe("Fn::FindInMap found no 'StageConfig.prod.LogLevel'");
  });

  it('imports exported values, with a resolved export name', () => {
    // Act
    const value = resolve({ 'Fn::ImportValue': { 'Fn::Sub': 'Shared:BusArn' } });

    // Assess
    expect(value).toBe('arn:aws:events:us-east-1:000000000000:event-bus/shared');
  });

  it('rejects an import nobody exports, naming it', () => {
    // Act
    const error = caught(() => resolve({ 'Fn::ImportValue': 'Shared:Nope' }));

    // Assess
    expect(error.reason).toBe("Fn::ImportValue of 'Shared:Nope', which no resolved stack exports");
  });
});

describe('resolveIntrinsics: conditions', () => {
  it.each([
    ['IsDev', true],
    ['IsProd', false],
    ['NotProd', true],
    ['DevInUsEast1', true],
    ['DevOrProd', true],
    ['ThreeRetries', true],
  ])('evaluates %s from the template', (condition, expected) => {
    // Act
    const value = createIntrinsicResolver(context()).condition(condition, 'Test');

    // Assess
    expect(value).toBe(expected);
  });

  it('follows the parameter values, overrides included', () => {
    // Act
    const value = resolve(
      { 'Fn::If': ['IsProd', 'prod-setting', 'other'] },
      { refOverrides: { Stage: 'prod' } },
    );

    // Assess
    expect(value).toBe('prod-setting');
  });

  it('evaluates condition functions inline', () => {
    // Act
    const value = resolve({
      'Fn::And': [
        { 'Fn::Not': [{ 'Fn::Equals': ['a', 'b'] }] },
        { 'Fn::Or': [{ Condition: 'IsProd' }, true] },
      ],
    });

    // Assess
    expect(value).toBe(true);
  });

  it('rejects a condition that depends on itself', () => {
    // Act
    const error = caught(() => resolve({ 'Fn::If': ['LoopA', 'x', 'y'] }));

    // Assess
    expect(error.reason).toMatch(/condition 'Loop[AB]' depends on itself/);
  });

  it('rejects an unknown condition', () => {
    // Act
    const error = caught(() => resolve({ 'Fn::If': ['Nope', 'x', 'y'] }));

    // Assess
    expect(error.reason).toBe("unknown condition 'Nope'");
  });

  it('leaves a literal Condition key, such as an IAM statement condition, untouched', () => {
    // Prepare
    const statement = {
      Effect: 'Allow',
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    };

    // Act
    const value = resolve(statement);

    // Assess
    expect(value).toEqual({
      Effect: 'Allow',
      Condition: { StringEquals: { 'aws:SourceAccount': '000000000000' } },
    });
  });
});

describe('resolveIntrinsics: malformed input', () => {
  it('rejects an unsupported intrinsic function', () => {
    // Act
    const error = caught(() => resolve({ 'Fn::Cidr': ['10.0.0.0/16', 2, 8] }));

    // Assess
    expect(error.reason).toBe("unsupported intrinsic function 'Fn::Cidr'");
  });

  it('names the argument path of a nested failure', () => {
    // Act
    const error = caught(() => resolve({ 'Fn::Join': ['', ['a', { Ref: 'Missing' }]] }));

    // Assess
    expect(error.path).toBe('Resources.Fn.Properties.Value.Fn::Join[1][1]');
  });

  it('leaves plain values as they are', () => {
    // Act
    const value = resolve({ n: 1, b: false, s: 'x', nothing: null, list: [1, 'two'] });

    // Assess
    expect(value).toEqual({ n: 1, b: false, s: 'x', nothing: null, list: [1, 'two'] });
  });
});
