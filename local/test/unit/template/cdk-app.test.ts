import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { rewriteApiUrls } from '../../../src/template/api-url';
import { resolveStack, type ResolvedResource } from '../../../src/template/resolve-stack';
import type { CfnTemplate } from '../../../src/template/template-types';

const SQS_ENDPOINT = 'http://127.0.0.1:4566';
const INLINE_CODE = lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });');

function functionProps(environment: Record<string, string>): lambda.FunctionProps {
  return { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: INLINE_CODE, environment };
}

function resourcesOfType(
  resources: Readonly<Record<string, ResolvedResource>>,
  type: string,
): ResolvedResource[] {
  return Object.values(resources).filter((resource) => resource.type === type);
}

function variablesOf(resource: ResolvedResource | undefined): unknown {
  const environment = resource?.properties.Environment;
  return typeof environment === 'object' && environment !== null && 'Variables' in environment
    ? environment.Variables
    : undefined;
}

describe('resolving a synthesized CDK app', () => {
  it('gives a function plain local table, queue, stream and API URL values', () => {
    // Prepare
    const app = new App();
    const stack = new Stack(app, 'OrdersStack');
    const table = new dynamodb.Table(stack, 'OrdersTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    });
    const queue = new sqs.Queue(stack, 'OrderQueue');
    const api = new apigateway.RestApi(stack, 'OrdersApi');
    api.root.addMethod(
      'GET',
      new apigateway.LambdaIntegration(new lambda.Function(stack, 'ApiHandler', functionProps({}))),
    );
    new lambda.Function(
      stack,
      'Worker',
      functionProps({
        TABLE_NAME: table.tableName,
        QUEUE_URL: queue.queueUrl,
        API_URL: api.url,
        STREAM_ARN: table.tableStreamArn ?? '',
      }),
    );
    const template = app.synth().getStackByName('OrdersStack').template as CfnTemplate;
    const streamArn = 'arn:aws:dynamodb:us-east-1:000000000000:table/x/stream/2024-05-01T10:00:00.000';
    const tableId = Object.keys(template.Resources).find((id) => id.startsWith('OrdersTable')) ?? '';

    // Act
    const resolved = resolveStack('OrdersStack', template, {
      sqsEndpoint: SQS_ENDPOINT,
      attributeOverrides: { [tableId]: { StreamArn: streamArn } },
    });
    const [restApi] = resourcesOfType(resolved.resources, 'AWS::ApiGateway::RestApi');
    const apiId = restApi?.physicalId ?? '';
    const worker = Object.entries(resolved.resources).find(([id]) => /^Worker[0-9A-F]{8}$/.test(id))?.[1];
    const variables = rewriteApiUrls(variablesOf(worker), (id, stage) =>
      id === apiId ? `http://127.0.0.1:4566/restapis/${id}/${stage}/_user_request_` : undefined,
    );

    // Assess
    expect(apiId).toMatch(/^[a-z0-9]{10}$/);
    expect(variables).toEqual({
      TABLE_NAME: expect.stringMatching(/^OrdersStack-OrdersTable[0-9A-F]{8}-[0-9A-F]{12}$/),
      QUEUE_URL: expect.stringMatching(
        /^http:\/\/127\.0\.0\.1:4566\/000000000000\/OrdersStack-OrderQueue[0-9A-F]{8}-[0-9A-F]{12}$/,
      ),
      API_URL: `http://127.0.0.1:4566/restapis/${apiId}/prod/_user_request_/`,
      STREAM_ARN: streamArn,
    });
    expect(Object.values(resolved.outputs)).toEqual([
      `https://${apiId}.execute-api.us-east-1.amazonaws.com/prod/`,
    ]);
  });

  it('resolves CDK cross-stack references through the exports of the stack before', () => {
    // Prepare
    const app = new App();
    const data = new Stack(app, 'DataStack');
    const table = new dynamodb.Table(data, 'OrdersTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    });
    const service = new Stack(app, 'ServiceStack');
    new lambda.Function(service, 'Worker', functionProps({ TABLE_ARN: table.tableArn }));
    const assembly = app.synth();

    // Act
    const exports = new Map<string, string>();
    const resolved = ['DataStack', 'ServiceStack'].map((name) => {
      const stack = resolveStack(name, assembly.getStackByName(name).template as CfnTemplate, {
        sqsEndpoint: SQS_ENDPOINT,
        exports,
      });
      for (const [exportName, value] of Object.entries(stack.exports)) exports.set(exportName, value);
      return stack;
    });

    // Assess
    const [resolvedTable] = resourcesOfType(resolved[0]?.resources ?? {}, 'AWS::DynamoDB::Table');
    const [worker] = resourcesOfType(resolved[1]?.resources ?? {}, 'AWS::Lambda::Function');
    const tableArn = resolvedTable?.attributes.Arn;
    expect(tableArn).toMatch(/^arn:aws:dynamodb:us-east-1:000000000000:table\/DataStack-OrdersTable/);
    expect(variablesOf(worker)).toEqual({ TABLE_ARN: tableArn });
  });
});
