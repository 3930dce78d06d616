import { Duration, type Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  ACCOUNT_THROTTLE,
  ApiGatewayConflictError,
  buildRestApis,
  matchRoute,
  selectMockResponse,
  type ResolvedResource,
  type RestApiModel,
  type Route,
  type RouteIntegration,
} from '../../../src/apigateway/rest-api-model';
import { synthesizeRestApis, type SynthesizedRestApis } from './synthesized-rest-apis';

const fnLogicalIds: { orders?: string } = {};

function defineApis(stack: Stack): void {
  const fn = new lambda.Function(stack, 'OrdersFn', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
  });
  fnLogicalIds.orders = stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction);
  const live = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: fn.currentVersion });

  const api = new apigateway.RestApi(stack, 'OrdersApi', {
    restApiName: 'orders',
    deployOptions: {
      stageName: 'v1',
      throttlingRateLimit: 10,
      methodOptions: { '/orders/POST': { throttlingRateLimit: 2, throttlingBurstLimit: 4 } },
    },
    defaultCorsPreflightOptions: { allowOrigins: apigateway.Cors.ALL_ORIGINS },
    binaryMediaTypes: ['image/png'],
  });
  const orders = api.root.addResource('orders');
  orders.addMethod('GET', new apigateway.LambdaIntegration(fn, { timeout: Duration.millis(500) }));
  orders.addMethod('POST', new apigateway.LambdaIntegration(fn), {
    apiKeyRequired: true,
    requestValidatorOptions: { validateRequestBody: true },
  });
  const order = orders.addResource('{orderId}');
  order.addMethod('GET', new apigateway.LambdaIntegration(live));
  order.addMethod('DELETE', new apigateway.LambdaIntegration(fn), {
    authorizationType: apigateway.AuthorizationType.IAM,
  });
  order.addMethod('PATCH', new apigateway.HttpIntegration('https://example.com/orders'));
  api.root.addResource('files').addProxy({ defaultIntegration: new apigateway.LambdaIntegration(fn) });
  api.root.addResource('partners', {
    defaultCorsPreflightOptions: { allowOrigins: ['https://a.example', 'https://b.example'] },
  });
  api.addGatewayResponse('NotFound', {
    type: apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN,
    statusCode: '404',
    responseHeaders: { 'Access-Control-Allow-Origin': "'*'" },
  });

  new apigateway.LambdaRestApi(stack, 'CatchAll', { handler: fn });
}

describe('buildRestApis from a CDK-synthesized template', () => {
  let synthesized: SynthesizedRestApis;
  let orders: RestApiModel;
  let catchAll: RestApiModel;
  const routeOf = (model: RestApiModel, method: string, path: string): Route | undefined =>
    model.routes.find((r) => r.method === method && r.resourcePath === path);

  beforeAll(() => {
    synthesized = synthesizeRestApis(defineApis);
    const models = buildRestApis(synthesized.resources, synthesized.rootResourceIds);
    const byName = (name: string): RestApiModel => {
      const model = models.find((m) => m.name === name);
      if (!model) throw new Error(`no API named ${name}`);
      return model;
    };
    orders = byName('orders');
    catchAll = byName('CatchAll');
  });

  it('lists every method as a route on its full resource path', () => {
    // Prepare: the API built from the synthesized template

    // Act
    const routes = orders.routes.map((r) => `${r.method} ${r.resourcePath} ${r.integration.type}`);

    // Assess: CORS preflights are MOCK methods on every resource, the proxy is ANY on {proxy+}
    expect(routes).toEqual([
      'OPTIONS / MOCK',
      'OPTIONS /files MOCK',
      'ANY /files/{proxy+} AWS_PROXY',
      'OPTIONS /files/{proxy+} MOCK',
      'GET /orders AWS_PROXY',
      'OPTIONS /orders MOCK',
      'POST /orders AWS_PROXY',
      'DELETE /orders/{orderId} AWS_PROXY',
      'GET /orders/{orderId} AWS_PROXY',
      'OPTIONS /orders/{orderId} MOCK',
      'PATCH /orders/{orderId} UNSUPPORTED',
      'OPTIONS /partners MOCK',
    ]);
  });

  it('names the function from the integration URI, with the alias as qualifier', () => {
    // Prepare
    const functionName = fnLogicalIds.orders;

    // Act
    const plain = routeOf(orders, 'GET', '/orders')?.integration;
    const aliased = routeOf(orders, 'GET', '/orders/{orderId}')?.integration;

    // Assess
    expect(plain).toEqual({
      type: 'AWS_PROXY',
      functionName,
      functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
      timeoutMs: 500,
    });
    expect(aliased).toMatchObject({ type: 'AWS_PROXY', functionName, qualifier: 'live', timeoutMs: 29_000 });
  });

  it('reads stages, deployment, binary media types and gateway responses', () => {
    // Prepare
    const deploymentLogicalId = Object.keys(synthesized.physicalIds).find((id) =>
      id.startsWith('OrdersApiDeployment'),
    );

    // Act
    const { stages, deploymentIds, binaryMediaTypes, gatewayResponses } = orders;

    // Assess
    expect(stages).toEqual(['v1']);
    expect(deploymentIds).toEqual({ v1: synthesized.physicalIds[deploymentLogicalId ?? ''] });
    expect(binaryMediaTypes).toEqual(['image/png']);
    expect(gatewayResponses['MISSING_AUTHENTICATION_TOKEN']).toEqual({
      statusCode: 404,
      headers: { 'Access-Control-Allow-Origin': '*' },
      requestHeaders: {},
    });
    expect(catchAll.stages).toEqual(['prod']);
  });

  it('turns the CORS preflight into a static 204 mock', () => {
    // Prepare
    const integration = routeOf(orders, 'OPTIONS', '/orders')?.integration as Extract<
      RouteIntegration,
      { type: 'MOCK' }
    >;

    // Act
    const response = selectMockResponse(integration);

    // Assess
    expect(response).toEqual({
      statusCode: 204,
      headers: {
        'Access-Control-Allow-Headers':
          'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent',
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Methods': 'OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD',
      },
      body: '',
    });
  });

  it("understands CDK's several-origins CORS template as an origin echo", () => {
    // Prepare
    const integration = routeOf(orders, 'OPTIONS', '/partners')?.integration as Extract<
      RouteIntegration,
      { type: 'MOCK' }
    >;

    // Act
    const response = selectMockResponse(integration);

    // Assess
    expect(response?.headers['Access-Control-Allow-Origin']).toBe('https://a.example');
    expect(response?.echoOrigin).toEqual({
      header: 'Access-Control-Allow-Origin',
      origins: ['https://b.example'],
    });
  });

  it('warns about everything it does not emulate', () => {
    // Prepare: API key, request validator, IAM auth and an HTTP integration in the template

    // Act
    const warnings = orders.warnings.join('\n');

    // Assess
    expect(warnings).toMatch(/POST \/orders\): the API key requirement is not enforced/);
    expect(warnings).toMatch(/POST \/orders\): request validation is not performed/);
    expect(warnings).toMatch(/DELETE \/orders\/\{orderId\}\): AWS_IAM authorization is not enforced/);
    expect(warnings).toMatch(
      /PATCH \/orders\/\{orderId\}\): HTTP_PROXY integration \(https:\/\/example.com\/orders\)/,
    );
    expect(orders.warnings).toHaveLength(4);
    expect(catchAll.warnings).toEqual([]);
  });

  it("reads the stage's throttles: its default for every method, a method's own, a limit left out the account's", () => {
    expect(orders.stageThrottles).toEqual({
      v1: [
        { resourcePath: '/*', httpMethod: '*', rateLimit: 10, burstLimit: ACCOUNT_THROTTLE.burstLimit },
        { resourcePath: '/orders', httpMethod: 'POST', rateLimit: 2, burstLimit: 4 },
      ],
    });
    expect(catchAll.stageThrottles).toEqual({});
  });

  it('serves LambdaRestApi at the root and through the greedy proxy', () => {
    // Prepare: LambdaRestApi synthesizes ANY / and ANY /{proxy+}

    // Act
    const root = matchRoute(catchAll, 'GET', '/');
    const deep = matchRoute(catchAll, 'DELETE', '/a/b%20c/');

    // Assess
    expect(root).toMatchObject({ route: { method: 'ANY', resourcePath: '/' }, pathParameters: {} });
    expect(deep).toMatchObject({
      route: { resourcePath: '/{proxy+}' },
      pathParameters: { proxy: 'a/b%20c' },
    });
  });
});

describe('buildRestApis from hand-written resources', () => {
  it('reports unsupported integration types and authorizers instead of dropping them', () => {
    // Prepare
    const resources = [
      { logicalId: 'Api', type: 'AWS::ApiGateway::RestApi', physicalId: 'api1', properties: { Name: 'x' } },
      {
        logicalId: 'Stage',
        type: 'AWS::ApiGateway::Stage',
        physicalId: 'dev',
        properties: { RestApiId: 'api1', StageName: 'dev', DeploymentId: 'dep1', Variables: { table: 't' } },
      },
      {
        logicalId: 'Auth',
        type: 'AWS::ApiGateway::Authorizer',
        physicalId: 'auth1',
        properties: { RestApiId: 'api1', Type: 'TOKEN' },
      },
      {
        logicalId: 'Get',
        type: 'AWS::ApiGateway::Method',
        physicalId: 'm1',
        properties: {
          RestApiId: 'api1',
          ResourceId: 'root1',
          HttpMethod: 'get',
          AuthorizationType: 'CUSTOM',
          AuthorizerId: 'auth1',
          Integration: {
            Type: 'AWS',
            IntegrationHttpMethod: 'POST',
            Uri: 'arn:aws:apigateway:us-east-1:sqs:path/q',
          },
        },
      },
      {
        logicalId: 'Orphan',
        type: 'AWS::ApiGateway::Method',
        physicalId: 'm2',
        properties: {
          RestApiId: 'api1',
          ResourceId: 'nowhere',
          HttpMethod: 'GET',
          Integration: { Type: 'MOCK' },
        },
      },
    ];

    // Act
    const [model] = buildRestApis(resources, { api1: 'root1' });

    // Assess
    expect(model?.routes).toEqual([
      {
        method: 'GET',
        resourcePath: '/',
        resourceId: 'root1',
        authorizationType: 'CUSTOM',
        integration: {
          type: 'UNSUPPORTED',
          description: 'AWS integration (arn:aws:apigateway:us-east-1:sqs:path/q)',
        },
      },
    ]);
    expect(model?.stageVariables).toEqual({ dev: { table: 't' } });
    expect(model?.deploymentIds).toEqual({ dev: 'dep1' });
    expect(model?.warnings).toEqual([
      'Get (GET /): CUSTOM authorization by Auth is not enforced; requests pass unauthenticated',
      'Get (GET /): AWS integration (arn:aws:apigateway:us-east-1:sqs:path/q) is not emulated',
      'Orphan: method not served: its resource is unknown',
    ]);
  });

  it('reads a COGNITO_USER_POOLS authorizer: its pools, header, validation expression and the scopes', () => {
    // Prepare
    const resources = [
      { logicalId: 'Api', type: 'AWS::ApiGateway::RestApi', physicalId: 'api1', properties: {} },
      {
        logicalId: 'Stage',
        type: 'AWS::ApiGateway::Stage',
        physicalId: 'prod',
        properties: { RestApiId: 'api1' },
      },
      {
        logicalId: 'Users',
        type: 'AWS::ApiGateway::Authorizer',
        physicalId: 'auth1',
        properties: {
          RestApiId: 'api1',
          Type: 'COGNITO_USER_POOLS',
          Name: 'users',
          IdentitySource: 'method.request.header.X-Token',
          IdentityValidationExpression: 'web-.*',
          ProviderARNs: ['arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_AbCdEfGhI'],
        },
      },
      {
        logicalId: 'Get',
        type: 'AWS::ApiGateway::Method',
        physicalId: 'm1',
        properties: {
          RestApiId: 'api1',
          ResourceId: 'root1',
          HttpMethod: 'GET',
          AuthorizationType: 'COGNITO_USER_POOLS',
          AuthorizerId: 'auth1',
          AuthorizationScopes: ['orders/read'],
          Integration: { Type: 'MOCK', IntegrationResponses: [{ StatusCode: '200' }] },
        },
      },
      {
        logicalId: 'Post',
        type: 'AWS::ApiGateway::Method',
        physicalId: 'm2',
        properties: {
          RestApiId: 'api1',
          ResourceId: 'root1',
          HttpMethod: 'POST',
          AuthorizationType: 'COGNITO_USER_POOLS',
          Integration: { Type: 'MOCK', IntegrationResponses: [{ StatusCode: '200' }] },
        },
      },
    ];

    // Act
    const [model] = buildRestApis(resources, { api1: 'root1' });

    // Assess
    expect(model?.routes.map((route) => route.authorizer)).toEqual([
      {
        name: 'users',
        userPoolIds: ['us-east-1_AbCdEfGhI'],
        headerName: 'X-Token',
        validationExpression: 'web-.*',
        scopes: ['orders/read'],
      },
      { name: '(no authorizer)', userPoolIds: [], headerName: 'Authorization', scopes: [] },
    ]);
    expect(model?.warnings).toEqual([
      'Post (POST /): COGNITO_USER_POOLS authorization without such an authorizer: every request is refused',
    ]);
  });

  it('warns that an API without a stage is unreachable', () => {
    // Prepare
    const resources = [
      { logicalId: 'Api', type: 'AWS::ApiGateway::RestApi', physicalId: 'api1', properties: {} },
    ];

    // Act
    const [model] = buildRestApis(resources, { api1: 'root1' });

    // Assess
    expect(model?.stages).toEqual([]);
    expect(model?.warnings).toEqual(['no stage is deployed: the API is not reachable']);
  });
});

describe('buildRestApis refuses what API Gateway refuses to create', () => {
  const STACK_A = 'ShopApi';
  const STACK_B = 'ShopUsers';
  const api = { stackName: STACK_A, logicalId: 'Api', type: 'AWS::ApiGateway::RestApi', physicalId: 'api1' };
  const resource = (stackName: string, logicalId: string, parentId: string, pathPart: string) => ({
    stackName,
    logicalId,
    type: 'AWS::ApiGateway::Resource',
    physicalId: `${logicalId}-id`,
    properties: { RestApiId: 'api1', ParentId: parentId, PathPart: pathPart },
  });
  const method = (stackName: string, logicalId: string, resourceId: string, httpMethod: string) => ({
    stackName,
    logicalId,
    type: 'AWS::ApiGateway::Method',
    physicalId: `${logicalId}-id`,
    properties: {
      RestApiId: 'api1',
      ResourceId: resourceId,
      HttpMethod: httpMethod,
      Integration: { Type: 'MOCK', IntegrationResponses: [{ StatusCode: '200' }] },
    },
  });
  const build = (...resources: ResolvedResource[]): RestApiModel[] =>
    buildRestApis([{ ...api, properties: { Name: 'shop' } }, ...resources], { api1: 'root1' });

  it("fails the later stack's resource of a path its parent already has, in AWS's words", () => {
    // Prepare: each stack creates /users under the shared API's root
    const first = resource(STACK_A, 'ApiUsers', 'root1', 'users');
    const second = resource(STACK_B, 'RoutesUsers', 'root1', 'users');

    // Act
    const building = (): RestApiModel[] => build(first, second);

    // Assess
    expect(building).toThrow(ApiGatewayConflictError);
    expect(building).toThrow(
      'ShopUsers: Resource RoutesUsers (AWS::ApiGateway::Resource) failed: Another resource with the same ' +
        'parent already has this name: users (Service: ApiGateway, Status Code: 409) ' +
        '[REST API api1: /users was created by ShopApi/ApiUsers]',
    );
  });

  it('fails a second method of one HTTP method on a resource', () => {
    // Prepare: the users stack adds GET to the /users the API's stack made, which has a GET already
    const users = resource(STACK_A, 'ApiUsers', 'root1', 'users');
    const get = method(STACK_A, 'ApiUsersGet', users.physicalId, 'GET');
    const again = method(STACK_B, 'RoutesUsersGet', users.physicalId, 'GET');

    // Act
    const building = (): RestApiModel[] => build(users, get, again);

    // Assess
    expect(building).toThrow(
      expect.objectContaining({
        name: 'ApiGatewayConflictError',
        message:
          'ShopUsers: Resource RoutesUsersGet (AWS::ApiGateway::Method) failed: Method already exists for ' +
          'this resource (Service: ApiGateway, Status Code: 409) ' +
          '[REST API api1: GET /users was created by ShopApi/ApiUsersGet]',
        conflict: expect.objectContaining({ stackName: STACK_B, apiId: 'api1', path: 'GET /users' }),
      }),
    );
  });

  it('names the later of two same-path resources of one stack, deeper than the root', () => {
    // Prepare
    const users = resource(STACK_A, 'Users', 'root1', 'users');
    const me = resource(STACK_A, 'UsersMe', users.physicalId, 'me');
    const meAgain = resource(STACK_A, 'ProfileMe', users.physicalId, 'me');

    // Act
    const building = (): RestApiModel[] => build(users, me, meAgain);

    // Assess
    expect(building).toThrow(
      'ShopApi: Resource ProfileMe (AWS::ApiGateway::Resource) failed: Another resource with the same ' +
        'parent already has this name: me (Service: ApiGateway, Status Code: 409) ' +
        '[REST API api1: /users/me was created by ShopApi/UsersMe]',
    );
  });

  it('accepts one path part under two parents, another case of it, and GET beside ANY on one resource', () => {
    // Prepare
    const users = resource(STACK_A, 'Users', 'root1', 'users');
    const orders = resource(STACK_A, 'Orders', 'root1', 'orders');
    const orderUsers = resource(STACK_B, 'OrderUsers', orders.physicalId, 'users');
    const upper = resource(STACK_B, 'UpperUsers', 'root1', 'Users');
    const get = method(STACK_A, 'UsersGet', users.physicalId, 'GET');
    const any = method(STACK_B, 'UsersAny', users.physicalId, 'ANY');

    // Act
    const [model] = build(users, orders, orderUsers, upper, get, any);

    // Assess: paths are case-sensitive on API Gateway
    expect(model?.routes.map((route) => `${route.method} ${route.resourcePath}`)).toEqual([
      'ANY /users',
      'GET /users',
    ]);
  });

  it('refuses the same in a CDK stack that adds a path to an API and to its import', () => {
    // Prepare: CDK refuses a duplicate child of one construct, not one of an imported API's root
    const synthesized = synthesizeRestApis((stack) => {
      const shared = new apigateway.RestApi(stack, 'SharedApi', { restApiName: 'shared' });
      const mock = new apigateway.MockIntegration({ integrationResponses: [{ statusCode: '200' }] });
      shared.root.addResource('users').addMethod('GET', mock);
      apigateway.RestApi.fromRestApiAttributes(stack, 'Imported', {
        restApiId: shared.restApiId,
        rootResourceId: shared.restApiRootResourceId,
      })
        .root.addResource('users')
        .addMethod('POST', mock);
    });

    // Act
    const building = (): RestApiModel[] => buildRestApis(synthesized.resources, synthesized.rootResourceIds);

    // Assess
    expect(building).toThrow(
      /^Resource Importedusers\w+ \(AWS::ApiGateway::Resource\) failed: Another resource with the same parent already has this name: users \(Service: ApiGateway, Status Code: 409\) \[REST API sharedapi: \/users was created by SharedApiusers\w+\]$/,
    );
  });
});

describe('matchRoute precedence', () => {
  const proxy: RouteIntegration = {
    type: 'AWS_PROXY',
    functionName: 'fn',
    functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
    timeoutMs: 29_000,
  };
  const route = (method: string, resourcePath: string): Route => ({
    method,
    resourcePath,
    resourceId: resourcePath,
    authorizationType: 'NONE',
    integration: proxy,
  });
  const model = (...routes: Route[]): RestApiModel => ({
    apiId: 'api',
    logicalId: 'Api',
    name: 'api',
    stages: ['prod'],
    deploymentIds: {},
    stageVariables: {},
    binaryMediaTypes: [],
    routes,
    gatewayResponses: {},
    warnings: [],
  });
  const matched = (m: ReturnType<typeof matchRoute>): string =>
    'error' in m ? m.error : `${m.route.method} ${m.route.resourcePath} ${JSON.stringify(m.pathParameters)}`;

  it('prefers a literal part over a parameter over a greedy proxy', () => {
    // Prepare
    const api = model(
      route('ANY', '/{proxy+}'),
      route('GET', '/orders/{orderId}'),
      route('GET', '/orders/special'),
      route('GET', '/orders'),
    );

    // Act
    const results = ['/orders', '/orders/special', '/orders/42', '/orders/42/items', '/other'].map((path) =>
      matched(matchRoute(api, 'GET', path)),
    );

    // Assess
    expect(results).toEqual([
      'GET /orders {}',
      'GET /orders/special {}',
      'GET /orders/{orderId} {"orderId":"42"}',
      'ANY /{proxy+} {"proxy":"orders/42/items"}',
      'ANY /{proxy+} {"proxy":"other"}',
    ]);
  });

  it('prefers the exact method over ANY, and tells a missing method from a missing path', () => {
    // Prepare
    const api = model(route('ANY', '/orders'), route('POST', '/orders'), route('GET', '/orders/{orderId}'));

    // Act
    const post = matched(matchRoute(api, 'post', '/orders'));
    const put = matched(matchRoute(api, 'PUT', '/orders'));
    const deleteOne = matched(matchRoute(api, 'DELETE', '/orders/1'));
    const unknown = matched(matchRoute(api, 'GET', '/customers'));

    // Assess
    expect([post, put, deleteOne, unknown]).toEqual([
      'POST /orders {}',
      'ANY /orders {}',
      'METHOD_NOT_ALLOWED',
      'NOT_FOUND',
    ]);
  });

  it('needs at least one segment for a greedy proxy, ignores a trailing slash and keeps encoding', () => {
    // Prepare
    const api = model(route('ANY', '/{proxy+}'), route('GET', '/users/{email}'));

    // Act
    const root = matched(matchRoute(api, 'GET', '/'));
    const trailing = matched(matchRoute(api, 'GET', '/users/a%2Bb@example.com/'));
    const emptySegment = matched(matchRoute(api, 'GET', '/users//'));

    // Assess
    expect(root).toBe('NOT_FOUND');
    expect(trailing).toBe('GET /users/{email} {"email":"a%2Bb@example.com"}');
    expect(emptySegment).toBe('ANY /{proxy+} {"proxy":"users"}');
  });

  it('backtracks to a parameter when the literal branch does not match further down', () => {
    // Prepare
    const api = model(route('GET', '/a/b'), route('GET', '/{x}/c'));

    // Act
    const result = matched(matchRoute(api, 'GET', '/a/c'));

    // Assess
    expect(result).toBe('GET /{x}/c {"x":"a"}');
  });
});
