import { IntrinsicResolutionError } from '../../../src/template/intrinsics';
import { resolveStack, type ResolvedStack } from '../../../src/template/resolve-stack';
import type { CfnTemplate } from '../../../src/template/template-types';

const SQS_ENDPOINT = 'http://127.0.0.1:4566';
const STREAM_ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/2024-05-01T10:00:00.000';

const DATA_STACK: CfnTemplate = {
  Parameters: { Stage: { Type: 'String', Default: 'dev' } },
  Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
  Resources: {
    Orders: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: 'orders',
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        PointInTimeRecoverySpecification: {
          'Fn::If': ['IsProd', { PointInTimeRecoveryEnabled: true }, { Ref: 'AWS::NoValue' }],
        },
      },
    },
    Jobs: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::Sub': '${AWS::StackName}-jobs' } } },
    Backups: { Type: 'AWS::SQS::Queue', Condition: 'IsProd' },
  },
  Outputs: {
    TableName: { Value: { Ref: 'Orders' }, Export: { Name: { 'Fn::Sub': '${AWS::StackName}:TableName' } } },
    QueueUrl: { Value: { Ref: 'Jobs' }, Export: { Name: 'Data:QueueUrl' } },
    BackupsUrl: { Value: { Ref: 'Backups' }, Condition: 'IsProd' },
    Note: { Value: 'plain' },
  },
};

const SERVICE_STACK: CfnTemplate = {
  Resources: {
    Worker: {
      Type: 'AWS::Lambda::Function',
      Properties: {
        FunctionName: 'worker',
        Environment: {
          Variables: {
            TABLE_NAME: { 'Fn::ImportValue': 'Data:TableName' },
            QUEUE_URL: { 'Fn::ImportValue': 'Data:QueueUrl' },
          },
        },
      },
    },
    Stream: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        FunctionName: { Ref: 'Worker' },
        EventSourceArn: { 'Fn::ImportValue': 'Data:StreamArn' },
      },
    },
  },
};

/** What the caller does: resolve stacks in manifest order, accumulating exports. */
function resolveApp(
  stacks: readonly (readonly [string, CfnTemplate])[],
  extra: { readonly exports?: ReadonlyMap<string, string> } = {},
): Record<string, ResolvedStack> {
  const exports = new Map(extra.exports);
  const resolved: Record<string, ResolvedStack> = {};
  for (const [name, template] of stacks) {
    const stack = resolveStack(name, template, { exports, sqsEndpoint: SQS_ENDPOINT });
    for (const [exportName, value] of Object.entries(stack.exports)) exports.set(exportName, value);
    resolved[name] = stack;
  }
  return resolved;
}

describe('resolveStack', () => {
  it('resolves resources to type, physical id, resolved properties and attributes', () => {
    // Act
    const { resources } = resolveStack('Data', DATA_STACK, { sqsEndpoint: SQS_ENDPOINT });

    // Assess
    expect(resources.Orders).toEqual({
      type: 'AWS::DynamoDB::Table',
      physicalId: 'orders',
      properties: { TableName: 'orders', StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' } },
      attributes: {
        Arn: 'arn:aws:dynamodb:us-east-1:000000000000:table/orders',
        StreamArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/1970-01-01T00:00:00.000',
      },
    });
    expect(resources.Jobs?.physicalId).toBe(`${SQS_ENDPOINT}/000000000000/Data-jobs`);
  });

  it('omits resources and outputs whose condition is false', () => {
    // Act
    const stack = resolveStack('Data', DATA_STACK, { sqsEndpoint: SQS_ENDPOINT });

    // Assess
    expect(Object.keys(stack.resources)).toEqual(['Orders', 'Jobs']);
    expect(stack.outputs).toEqual({
      TableName: 'orders',
      QueueUrl: `${SQS_ENDPOINT}/000000000000/Data-jobs`,
      Note: 'plain',
    });
    expect(stack.exports).toEqual({
      'Data:TableName': 'orders',
      'Data:QueueUrl': `${SQS_ENDPOINT}/000000000000/Data-jobs`,
    });
    expect(stack.exportNames).toEqual({ TableName: 'Data:TableName', QueueUrl: 'Data:QueueUrl' });
  });

  it('keeps conditional resources when a parameter override makes their condition true', () => {
    // Act
    const stack = resolveStack('Data', DATA_STACK, {
      sqsEndpoint: SQS_ENDPOINT,
      refOverrides: { Stage: 'prod' },
    });

    // Assess
    expect(Object.keys(stack.resources)).toEqual(['Orders', 'Jobs', 'Backups']);
    expect(stack.resources.Orders?.properties.PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: true,
    });
    expect(stack.outputs.BackupsUrl).toBe(stack.resources.Backups?.physicalId);
  });

  it('resolves Fn::ImportValue across stacks in manifest order', () => {
    // Act
    const app = resolveApp(
      [
        ['Data', DATA_STACK],
        ['Service', SERVICE_STACK],
      ],
      {
        exports: new Map([['Data:StreamArn', STREAM_ARN]]),
      },
    );

    // Assess
    expect(app.Service?.resources.Worker?.properties.Environment).toEqual({
      Variables: { TABLE_NAME: 'orders', QUEUE_URL: `${SQS_ENDPOINT}/000000000000/Data-jobs` },
    });
    expect(app.Service?.resources.Stream?.properties).toEqual({
      FunctionName: 'worker',
      EventSourceArn: STREAM_ARN,
    });
  });

  it('fails on an import of a stack not resolved yet, naming the property', () => {
    // Act
    const act = (): unknown =>
      resolveApp([
        ['Service', SERVICE_STACK],
        ['Data', DATA_STACK],
      ]);

    // Assess
    expect(act).toThrow(IntrinsicResolutionError);
    expect(act).toThrow(
      "Cannot resolve Resources.Worker.Properties.Environment.Variables.TABLE_NAME: Fn::ImportValue of 'Data:TableName', which no resolved stack exports",
    );
  });

  it('applies attribute and ref overrides to the resources and to what references them', () => {
    // Prepare
    const template: CfnTemplate = {
      Resources: {
        Orders: {
          Type: 'AWS::DynamoDB::Table',
          Properties: { StreamSpecification: { StreamViewType: 'KEYS_ONLY' } },
        },
        Projector: {
          Type: 'AWS::Lambda::EventSourceMapping',
          Properties: { EventSourceArn: { 'Fn::GetAtt': ['Orders', 'StreamArn'] }, Table: { Ref: 'Orders' } },
        },
      },
    };

    // Act
    const stack = resolveStack('Data', template, {
      sqsEndpoint: SQS_ENDPOINT,
      attributeOverrides: { Orders: { StreamArn: STREAM_ARN } },
      refOverrides: { Orders: 'orders' },
    });

    // Assess
    expect(stack.resources.Orders?.physicalId).toBe('orders');
    expect(stack.resources.Orders?.attributes.StreamArn).toBe(STREAM_ARN);
    expect(stack.resources.Projector?.properties).toEqual({ EventSourceArn: STREAM_ARN, Table: 'orders' });
  });

  it('rejects an output that does not resolve to a string', () => {
    // Prepare
    const template: CfnTemplate = { Resources: {}, Outputs: { Zones: { Value: { 'Fn::GetAZs': '' } } } };

    // Act
    const act = (): unknown => resolveStack('Data', template, { sqsEndpoint: SQS_ENDPOINT });

    // Assess
    expect(act).toThrow(/Outputs\.Zones\.Value: an output must resolve to a string/);
  });

  it('rejects an export name declared twice', () => {
    // Prepare
    const template: CfnTemplate = {
      Resources: {},
      Outputs: { A: { Value: 'a', Export: { Name: 'Same' } }, B: { Value: 'b', Export: { Name: 'Same' } } },
    };

    // Act
    const act = (): unknown => resolveStack('Data', template, { sqsEndpoint: SQS_ENDPOINT });

    // Assess
    expect(act).toThrow("Cannot resolve Outputs.B.Export.Name: export 'Same' is declared twice");
  });
});
