/**
 * The REST APIs (API Gateway v1) of the synthesized template, as routes the local gateway can serve: which
 * function or mock answers which method on which resource path, behind which Cognito authorizer. Whatever the
 * local cloud does not emulate (other integration types, Lambda and IAM authorization, API keys, validators,
 * usage plans…) lands in the API's `warnings`,
 * so nothing the template asks for is silently dropped. What API Gateway refuses to create (a second
 * resource of one path, a second method of one resource) fails, as the stack's deployment would.
 */

/** A template resource whose properties another module has already resolved to plain values. */
export interface ResolvedResource {
  /** The stack that creates it, named when its creation fails. @default - not named */
  readonly stackName?: string;
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
  readonly properties: Readonly<Record<string, unknown>>;
}

export interface MockIntegrationResponse {
  readonly statusCode: number;
  /** Regex matched against the integration status code; absent for the default response. */
  readonly selectionPattern?: string;
  /** Static header values (`'value'` in the template). */
  readonly headers: Readonly<Record<string, string>>;
  /** Static body; empty when there is none or the template needs VTL (then a warning says so). */
  readonly body: string;
  /** CDK's CORS template for several origins: echo the request's `Origin` into `header` when listed. */
  readonly echoOrigin?: { readonly header: string; readonly origins: readonly string[] };
}

export type RouteIntegration =
  | {
      readonly type: 'AWS_PROXY';
      readonly functionName: string;
      /** Alias or version from the function ARN, if any. */
      readonly qualifier?: string;
      readonly functionArn: string;
      readonly timeoutMs: number;
    }
  | {
      readonly type: 'MOCK';
      /** The status code the request template selects (`{ statusCode: 200 }`), 200 without one. */
      readonly requestStatusCode: number;
      readonly responses: readonly MockIntegrationResponse[];
    }
  | { readonly type: 'UNSUPPORTED'; readonly description: string };

/** A method's COGNITO_USER_POOLS authorizer, as the gateway enforces it. */
export interface CognitoRouteAuthorizer {
  /** The authorizer's `Name` (its logical id without one). */
  readonly name: string;
  /** The pools of its `ProviderARNs`; none refuses every request. */
  readonly userPoolIds: readonly string[];
  /** The header of its `IdentitySource` (`method.request.header.Authorization`). */
  readonly headerName: string;
  /** `IdentityValidationExpression`: a regular expression the token's audience must match. */
  readonly validationExpression?: string;
  /** The method's `AuthorizationScopes`: when set, an access token granting one of them is required. */
  readonly scopes: readonly string[];
}

export interface Route {
  /** Upper-case HTTP method, or `ANY`. */
  readonly method: string;
  /** `/`, `/orders/{orderId}`, `/{proxy+}`. */
  readonly resourcePath: string;
  readonly resourceId: string;
  readonly authorizationType: string;
  /** Set for `AuthorizationType: COGNITO_USER_POOLS`, which the gateway enforces. */
  readonly authorizer?: CognitoRouteAuthorizer;
  readonly integration: RouteIntegration;
}

/** An `AWS::ApiGateway::GatewayResponse`: how the API answers its own errors (403, 5XX…). */
export interface GatewayResponseConfig {
  readonly statusCode?: number;
  /** Static header values. */
  readonly headers: Readonly<Record<string, string>>;
  /** Headers copied from a request header (`method.request.header.Origin`), by response header name. */
  readonly requestHeaders: Readonly<Record<string, string>>;
  /** The `application/json` template, if any. */
  readonly template?: string;
}

/**
 * A stage's throttle for one method, or for every method (`resourcePath` `/*`, `httpMethod` `*`): a
 * token bucket of `burstLimit` tokens refilled at `rateLimit` a second, one per request. Each method
 * has a bucket of its own; the stage's default applies to each method without a setting of its own.
 */
export interface MethodThrottle {
  /** `/*`, or a resource path as routes write it: `/orders/{orderId}`. */
  readonly resourcePath: string;
  /** `*`, or an upper-case method. */
  readonly httpMethod: string;
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** What API Gateway applies when a throttle sets one limit only: the account's defaults. */
export const ACCOUNT_THROTTLE = { rateLimit: 10_000, burstLimit: 5_000 } as const;

export interface RestApiModel {
  readonly apiId: string;
  readonly logicalId: string;
  readonly name: string;
  readonly stages: readonly string[];
  readonly deploymentIds: Readonly<Record<string, string>>;
  readonly stageVariables: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Stages with X-Ray tracing enabled (`TracingEnabled`). */
  readonly tracingStages?: readonly string[];
  /** By stage: its throttles (`MethodSettings`, and a deployment's `StageDescription` limits). */
  readonly stageThrottles?: Readonly<Record<string, readonly MethodThrottle[]>>;
  readonly binaryMediaTypes: readonly string[];
  readonly routes: readonly Route[];
  /** By response type: `MISSING_AUTHENTICATION_TOKEN`, `DEFAULT_4XX`, `DEFAULT_5XX`… */
  readonly gatewayResponses: Readonly<Record<string, GatewayResponseConfig>>;
  readonly warnings: readonly string[];
}

export type RouteMatch =
  | { readonly route: Route; readonly pathParameters: Readonly<Record<string, string>> }
  | { readonly error: 'NOT_FOUND' | 'METHOD_NOT_ALLOWED' };

export type RouteMatchFound = Extract<RouteMatch, { readonly route: Route }>;

/** API Gateway's integration timeout when the method does not set `TimeoutInMillis`. */
export const DEFAULT_INTEGRATION_TIMEOUT_MS = 29_000;

const LAMBDA_INVOCATION_URI =
  /^arn:aws[\w-]*:apigateway:[\w-]+:lambda:path\/[\d-]+\/functions\/(.+)\/invocations$/;
const FUNCTION_ARN = /^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:([^:]+)(?::([^:]+))?$/;

/** Resource types that change behaviour on AWS but are not emulated, keyed to the API they name. */
const UNEMULATED_TYPES: Readonly<Record<string, string>> = {
  'AWS::ApiGateway::UsagePlan': 'usage plan (throttling and quotas are not enforced)',
  'AWS::ApiGateway::BasePathMapping': 'custom domain base path mapping (serve it through the local URLs)',
  'AWS::ApiGateway::DomainNameAccessAssociation': 'private custom domain access association',
};

/** What API Gateway refused to create; see `ApiGatewayConflictError`. */
export interface ApiGatewayConflict {
  readonly stackName?: string;
  readonly logicalId: string;
  readonly type: 'AWS::ApiGateway::Resource' | 'AWS::ApiGateway::Method';
  readonly apiId: string;
  /** The resource path (`/users`), after the HTTP method for a method (`GET /users`). */
  readonly path: string;
  /** The message of API Gateway's ConflictException. */
  readonly reason: string;
  /** `<stack>/<logicalId>` of the resource created first, which holds the name. */
  readonly heldBy: string;
}

/**
 * API Gateway's ConflictException (409) on a resource of the template, reported as CloudFormation reports
 * the failed creation: the stack, the resource and API Gateway's message. On AWS the stack's deployment
 * fails there and rolls back; locally the start fails.
 */
export class ApiGatewayConflictError extends Error {
  override readonly name = 'ApiGatewayConflictError';

  constructor(readonly conflict: ApiGatewayConflict) {
    const { stackName, logicalId, type, apiId, path, reason, heldBy } = conflict;
    super(
      `${stackName === undefined ? '' : `${stackName}: `}Resource ${logicalId} (${type}) failed: ` +
        `${reason} (Service: ApiGateway, Status Code: 409) [REST API ${apiId}: ${path} was created by ${heldBy}]`,
    );
  }
}

/**
 * The REST APIs of `resources` (every stack's, in deployment order). Throws `ApiGatewayConflictError` on
 * the first resource API Gateway would refuse, where AWS would fail that resource's stack.
 */
export function buildRestApis(
  resources: readonly ResolvedResource[],
  rootResourceIds: Readonly<Record<string, string>>,
): RestApiModel[] {
  const byType = (type: string): ResolvedResource[] => resources.filter((r) => r.type === type);
  const paths = resourcePaths(byType('AWS::ApiGateway::Resource'), rootResourceIds);
  refuseConflicts(resources, paths.byId);

  return byType('AWS::ApiGateway::RestApi').map((api) => {
    const apiId = api.physicalId;
    const warnings: string[] = [];
    const ofApi = (type: string): ResolvedResource[] =>
      byType(type).filter((r) => str(r.properties['RestApiId']) === apiId);

    warnings.push(
      ...restApiWarnings(api),
      ...paths.warnings.filter((w) => w.apiId === apiId).map((w) => w.text),
    );
    const { stages, deploymentIds, stageVariables, tracingStages, stageThrottles } = readStages(
      ofApi('AWS::ApiGateway::Stage'),
      ofApi('AWS::ApiGateway::Deployment'),
      warnings,
    );
    if (stages.length === 0) warnings.push('no stage is deployed: the API is not reachable');

    const routes: Route[] = [];
    for (const method of ofApi('AWS::ApiGateway::Method')) {
      const route = readRoute(method, apiId, rootResourceIds[apiId], paths.byId, resources, warnings);
      if (route) routes.push(route);
    }
    routes.sort((a, b) => a.resourcePath.localeCompare(b.resourcePath) || a.method.localeCompare(b.method));

    for (const [type, description] of Object.entries(UNEMULATED_TYPES)) {
      for (const r of byType(type).filter((r) => mentionsApi(r.properties, apiId))) {
        warnings.push(`${r.logicalId}: ${description} is not emulated`);
      }
    }

    return {
      apiId,
      logicalId: api.logicalId,
      name: str(api.properties['Name']) ?? api.logicalId,
      stages,
      deploymentIds,
      stageVariables,
      tracingStages,
      stageThrottles,
      binaryMediaTypes: list(api.properties['BinaryMediaTypes'])
        .flatMap((t) => (typeof t === 'string' ? [t.replace(/~1/g, '/')] : []))
        .filter((t) => t.length > 0),
      routes,
      gatewayResponses: readGatewayResponses(ofApi('AWS::ApiGateway::GatewayResponse'), warnings),
      warnings,
    };
  });
}

/**
 * The route API Gateway picks for a request path (without the stage, still URL-encoded): the resource whose
 * path parts match most specifically from the left (literal over `{param}` over `{greedy+}`), then the
 * method itself over `ANY`. A trailing slash is ignored, as API Gateway does.
 */
export function matchRoute(model: RestApiModel, method: string, path: string): RouteMatch {
  const segments = requestSegments(path);
  let best: { resourcePath: string; params: Record<string, string>; score: number[] } | undefined;
  for (const resourcePath of new Set(model.routes.map((r) => r.resourcePath))) {
    const candidate = matchTemplate(templateSegments(resourcePath), segments);
    if (candidate && (!best || compareScores(candidate.score, best.score) > 0)) {
      best = { resourcePath, ...candidate };
    }
  }
  if (!best) return { error: 'NOT_FOUND' };

  const wanted = method.toUpperCase();
  const onResource = model.routes.filter((r) => r.resourcePath === best.resourcePath);
  const route = onResource.find((r) => r.method === wanted) ?? onResource.find((r) => r.method === 'ANY');
  return route ? { route, pathParameters: best.params } : { error: 'METHOD_NOT_ALLOWED' };
}

/** Picks the mock's integration response the way API Gateway selects one by status code. */
export function selectMockResponse(
  integration: Extract<RouteIntegration, { type: 'MOCK' }>,
): MockIntegrationResponse | undefined {
  const status = String(integration.requestStatusCode);
  const patterned = integration.responses.find(
    (r) => r.selectionPattern !== undefined && safeFullMatch(r.selectionPattern, status),
  );
  return patterned ?? integration.responses.find((r) => r.selectionPattern === undefined);
}

function requestSegments(path: string): string[] {
  const trimmed = (path.split('?')[0] ?? '').replace(/^\/+/, '').replace(/\/+$/, '');
  return trimmed === '' ? [] : trimmed.split('/');
}

function templateSegments(resourcePath: string): string[] {
  return resourcePath === '/' ? [] : resourcePath.replace(/^\//, '').split('/');
}

function matchTemplate(
  template: readonly string[],
  segments: readonly string[],
): { params: Record<string, string>; score: number[] } | undefined {
  const params: Record<string, string> = {};
  const score: number[] = [];
  for (const [i, part] of template.entries()) {
    const greedy = /^\{(.+)\+\}$/.exec(part);
    if (greedy?.[1]) {
      const rest = segments.slice(i).join('/');
      if (rest === '') return undefined;
      params[greedy[1]] = rest;
      score.push(0);
      return { params, score };
    }
    const segment = segments[i];
    if (segment === undefined) return undefined;
    const param = /^\{(.+)\}$/.exec(part);
    if (param?.[1]) {
      if (segment === '') return undefined;
      params[param[1]] = segment;
      score.push(1);
    } else if (segment === part) {
      score.push(2);
    } else {
      return undefined;
    }
  }
  return template.length === segments.length ? { params, score } : undefined;
}

function compareScores(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return a.length - b.length;
}

function safeFullMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`, 's').test(value);
  } catch {
    return false;
  }
}

interface ResourcePaths {
  readonly byId: ReadonlyMap<string, string>;
  readonly warnings: readonly { apiId: string; text: string }[];
}

function resourcePaths(
  resources: readonly ResolvedResource[],
  rootResourceIds: Readonly<Record<string, string>>,
): ResourcePaths {
  const byPhysicalId = new Map(resources.map((r) => [r.physicalId, r]));
  const roots = new Set(Object.values(rootResourceIds));
  const byId = new Map<string, string>(Object.values(rootResourceIds).map((id) => [id, '/']));
  const warnings: { apiId: string; text: string }[] = [];

  const pathOf = (id: string, seen: Set<string>): string | undefined => {
    const known = byId.get(id);
    if (known !== undefined) return known;
    const resource = byPhysicalId.get(id);
    if (!resource || seen.has(id)) return undefined;
    seen.add(id);
    const parentId = str(resource.properties['ParentId']);
    const part = str(resource.properties['PathPart']);
    const parent = parentId === undefined ? undefined : pathOf(parentId, seen);
    if (parent === undefined || part === undefined) return undefined;
    const path = parent === '/' ? `/${part}` : `${parent}/${part}`;
    byId.set(id, path);
    return path;
  };

  for (const resource of resources) {
    if (roots.has(resource.physicalId)) continue;
    if (pathOf(resource.physicalId, new Set()) === undefined) {
      warnings.push({
        apiId: str(resource.properties['RestApiId']) ?? '',
        text: `${resource.logicalId}: resource has no path to the API's root resource; its methods are not served`,
      });
    }
  }
  return { byId, warnings };
}

/**
 * API Gateway refuses a resource whose parent already has a child of its path part (CreateResource:
 * "Another resource with the same parent already has this name") and a second method of one HTTP method on
 * a resource (PutMethod: "Method already exists for this resource"). Whichever comes later in deployment
 * order fails: another stack's, or, in one stack, the later in the template (CloudFormation creates a
 * stack's independent resources in no set order, so either may fail there).
 */
function refuseConflicts(resources: readonly ResolvedResource[], paths: ReadonlyMap<string, string>): void {
  const created = new Map<string, ResolvedResource>();
  const claim = (
    key: string,
    resource: ResolvedResource,
    conflict: () => Omit<ApiGatewayConflict, 'heldBy'>,
  ): void => {
    const holder = created.get(key);
    if (holder === undefined) created.set(key, resource);
    else throw new ApiGatewayConflictError({ ...conflict(), heldBy: qualifiedId(holder) });
  };
  for (const resource of resources) {
    const p = resource.properties;
    const apiId = str(p['RestApiId']) ?? '';
    const common = {
      ...(resource.stackName === undefined ? {} : { stackName: resource.stackName }),
      logicalId: resource.logicalId,
      apiId,
    };
    if (resource.type === 'AWS::ApiGateway::Resource') {
      const parentId = str(p['ParentId']);
      const part = str(p['PathPart']);
      if (parentId === undefined || part === undefined) continue;
      claim(['resource', apiId, parentId, part].join('\n'), resource, () => ({
        ...common,
        type: 'AWS::ApiGateway::Resource',
        path: paths.get(resource.physicalId) ?? `${pathOrId(paths, parentId).replace(/\/$/, '')}/${part}`,
        reason: `Another resource with the same parent already has this name: ${part}`,
      }));
    } else if (resource.type === 'AWS::ApiGateway::Method') {
      const resourceId = str(p['ResourceId']);
      const httpMethod = str(p['HttpMethod'])?.toUpperCase();
      if (resourceId === undefined || httpMethod === undefined) continue;
      claim(['method', apiId, resourceId, httpMethod].join('\n'), resource, () => ({
        ...common,
        type: 'AWS::ApiGateway::Method',
        path: `${httpMethod} ${pathOrId(paths, resourceId)}`,
        reason: 'Method already exists for this resource',
      }));
    }
  }
}

/** A resource's path, or its id when it has no path to a known root (imported from outside the app). */
function pathOrId(paths: ReadonlyMap<string, string>, resourceId: string): string {
  return paths.get(resourceId) ?? `(resource ${resourceId})`;
}

function qualifiedId(resource: ResolvedResource): string {
  return resource.stackName === undefined
    ? resource.logicalId
    : `${resource.stackName}/${resource.logicalId}`;
}

function restApiWarnings(api: ResolvedResource): string[] {
  const p = api.properties;
  const warnings: string[] = [];
  if (p['Body'] !== undefined || p['BodyS3Location'] !== undefined) {
    warnings.push(`${api.logicalId}: routes defined by an OpenAPI body are not emulated`);
  }
  if (p['Policy'] !== undefined) warnings.push(`${api.logicalId}: the resource policy is not enforced`);
  if (p['MinimumCompressionSize'] !== undefined) {
    warnings.push(`${api.logicalId}: response compression (MinimumCompressionSize) is not emulated`);
  }
  if (p['DisableExecuteApiEndpoint'] === true || p['DisableExecuteApiEndpoint'] === 'true') {
    warnings.push(`${api.logicalId}: the default endpoint is disabled on AWS but served locally`);
  }
  return warnings;
}

function readStages(
  stageResources: readonly ResolvedResource[],
  deployments: readonly ResolvedResource[],
  warnings: string[],
): Pick<RestApiModel, 'stages' | 'deploymentIds' | 'stageVariables' | 'tracingStages' | 'stageThrottles'> {
  const stages: string[] = [];
  const stageThrottles: Record<string, MethodThrottle[]> = {};
  const deploymentIds: Record<string, string> = {};
  const stageVariables: Record<string, Record<string, string>> = {};
  const tracingStages: string[] = [];
  const add = (
    name: string,
    deploymentId: string | undefined,
    variables: unknown,
    settings: Readonly<Record<string, unknown>> | undefined,
  ): void => {
    if (!stages.includes(name)) stages.push(name);
    if (deploymentId !== undefined) deploymentIds[name] = deploymentId;
    const vars = stringRecord(variables);
    if (vars && Object.keys(vars).length > 0) stageVariables[name] = vars;
    if (isTrue(settings?.['TracingEnabled']) && !tracingStages.includes(name)) tracingStages.push(name);
    const throttles = settings === undefined ? [] : readThrottles(settings);
    if (throttles.length > 0) stageThrottles[name] = throttles;
  };

  for (const stage of stageResources) {
    const name = str(stage.properties['StageName']) ?? stage.physicalId;
    add(name, str(stage.properties['DeploymentId']), stage.properties['Variables'], stage.properties);
    warnings.push(...stageWarnings(stage.logicalId, stage.properties));
  }
  // Older templates name the stage on the deployment itself.
  for (const deployment of deployments) {
    const name = str(deployment.properties['StageName']);
    if (name === undefined) continue;
    const description = record(deployment.properties['StageDescription']);
    add(name, deployment.physicalId, description?.['Variables'], description);
    if (description) warnings.push(...stageWarnings(deployment.logicalId, description));
  }
  return { stages, deploymentIds, stageVariables, tracingStages, stageThrottles };
}

/**
 * A stage's throttles: each `MethodSettings` entry that sets a limit (its `ResourcePath` written with
 * `~1` for `/`), and a `StageDescription`'s own `ThrottlingRateLimit` / `ThrottlingBurstLimit`, which
 * stand for every method. A limit left out is the account's.
 */
function readThrottles(settings: Readonly<Record<string, unknown>>): MethodThrottle[] {
  const throttle = (
    resourcePath: string,
    httpMethod: string,
    p: Readonly<Record<string, unknown>>,
  ): MethodThrottle[] => {
    const rate = num(p['ThrottlingRateLimit']);
    const burst = num(p['ThrottlingBurstLimit']);
    if (rate === undefined && burst === undefined) return [];
    return [
      {
        resourcePath,
        httpMethod: httpMethod.toUpperCase(),
        rateLimit: rate ?? ACCOUNT_THROTTLE.rateLimit,
        burstLimit: burst ?? ACCOUNT_THROTTLE.burstLimit,
      },
    ];
  };
  return [
    ...throttle('/*', '*', settings),
    ...list(settings['MethodSettings'])
      .map(record)
      .flatMap((entry) =>
        entry === undefined
          ? []
          : throttle(
              resourcePathOf(str(entry['ResourcePath']) ?? '/*'),
              str(entry['HttpMethod']) ?? '*',
              entry,
            ),
      ),
  ];
}

function stageWarnings(logicalId: string, p: Readonly<Record<string, unknown>>): string[] {
  const warnings: string[] = [];
  const settings = list(p['MethodSettings']).map(record);
  const cached =
    isTrue(p['CacheClusterEnabled']) ||
    isTrue(p['CachingEnabled']) ||
    settings.some((s) => isTrue(s?.['CachingEnabled']));
  if (cached) warnings.push(`${logicalId}: response caching is not emulated`);
  if (p['CanarySetting'] !== undefined) warnings.push(`${logicalId}: canary deployments are not emulated`);
  return warnings;
}

function readRoute(
  method: ResolvedResource,
  apiId: string,
  rootResourceId: string | undefined,
  paths: ReadonlyMap<string, string>,
  resources: readonly ResolvedResource[],
  warnings: string[],
): Route | undefined {
  const p = method.properties;
  const httpMethod = str(p['HttpMethod'])?.toUpperCase();
  const resourceId = str(p['ResourceId']);
  const resourcePath = resourceId === undefined ? undefined : paths.get(resourceId);
  if (httpMethod === undefined || resourceId === undefined || resourcePath === undefined) {
    const why =
      rootResourceId === undefined ? 'the API has no known root resource id' : 'its resource is unknown';
    warnings.push(`${method.logicalId}: method not served: ${why}`);
    return undefined;
  }
  const where = `${method.logicalId} (${httpMethod} ${resourcePath})`;

  const authorizationType = str(p['AuthorizationType']) ?? 'NONE';
  const authorizer =
    authorizationType === 'COGNITO_USER_POOLS'
      ? readCognitoAuthorizer(p, resources, where, warnings)
      : undefined;
  if (authorizationType !== 'NONE' && authorizationType !== 'COGNITO_USER_POOLS') {
    const authorizer = resources.find((r) => r.physicalId === str(p['AuthorizerId']));
    const named = authorizer ? ` by ${authorizer.logicalId}` : '';
    warnings.push(
      `${where}: ${authorizationType} authorization${named} is not enforced; requests pass unauthenticated`,
    );
  }
  if (isTrue(p['ApiKeyRequired'])) warnings.push(`${where}: the API key requirement is not enforced`);
  if (p['RequestValidatorId'] !== undefined) warnings.push(`${where}: request validation is not performed`);

  return {
    method: httpMethod,
    resourcePath,
    resourceId,
    authorizationType,
    ...(authorizer === undefined ? {} : { authorizer }),
    integration: readIntegration(record(p['Integration']), where, warnings),
  };
}

/** The method's `AWS::ApiGateway::Authorizer` of type COGNITO_USER_POOLS; without one, every request is refused. */
function readCognitoAuthorizer(
  method: Readonly<Record<string, unknown>>,
  resources: readonly ResolvedResource[],
  where: string,
  warnings: string[],
): CognitoRouteAuthorizer {
  const scopes = list(method['AuthorizationScopes']).flatMap((scope) =>
    typeof scope === 'string' ? [scope] : [],
  );
  const resource = resources.find(
    (r) => r.type === 'AWS::ApiGateway::Authorizer' && r.physicalId === str(method['AuthorizerId']),
  );
  if (!resource || str(resource.properties['Type']) !== 'COGNITO_USER_POOLS') {
    warnings.push(
      `${where}: COGNITO_USER_POOLS authorization without such an authorizer: every request is refused`,
    );
    return {
      name: resource?.logicalId ?? '(no authorizer)',
      userPoolIds: [],
      headerName: 'Authorization',
      scopes,
    };
  }
  const p = resource.properties;
  const source = str(p['IdentitySource']) ?? '';
  const header = /^method\.request\.header\.([^\s,]+)$/.exec(source)?.[1];
  if (header === undefined) {
    warnings.push(
      `${resource.logicalId}: identity source ${source || '(none)'} is not one header; Authorization is read`,
    );
  }
  const userPoolIds = list(p['ProviderARNs']).flatMap((arn) => {
    const id = typeof arn === 'string' ? /:userpool\/([^/]+)$/.exec(arn)?.[1] : undefined;
    return id === undefined ? [] : [id];
  });
  const validationExpression = str(p['IdentityValidationExpression']);
  return {
    name: str(p['Name']) ?? resource.logicalId,
    userPoolIds,
    headerName: header ?? 'Authorization',
    ...(validationExpression === undefined ? {} : { validationExpression }),
    scopes,
  };
}

function readIntegration(
  integration: Readonly<Record<string, unknown>> | undefined,
  where: string,
  warnings: string[],
): RouteIntegration {
  const unsupported = (description: string): RouteIntegration => {
    warnings.push(`${where}: ${description} is not emulated`);
    return { type: 'UNSUPPORTED', description };
  };
  if (!integration) return unsupported('method without integration');

  const type = str(integration['Type']) ?? '';
  if (str(integration['ConnectionType']) === 'VPC_LINK')
    return unsupported(`${type} integration over a VPC link`);
  if (type === 'MOCK') return readMock(integration, where, warnings);
  if (type !== 'AWS_PROXY') {
    const uri = str(integration['Uri']);
    return unsupported(`${type || 'typeless'} integration${uri ? ` (${uri})` : ''}`);
  }

  const uri = str(integration['Uri']) ?? '';
  const functionArn = LAMBDA_INVOCATION_URI.exec(uri)?.[1];
  const fn = functionArn === undefined ? undefined : FUNCTION_ARN.exec(functionArn);
  if (functionArn === undefined || !fn?.[1])
    return unsupported(`AWS_PROXY integration to ${uri || 'no URI'}`);
  const integrationMethod = str(integration['IntegrationHttpMethod'])?.toUpperCase();
  if (integrationMethod !== 'POST') {
    // API Gateway can only invoke Lambda with POST; anything else fails every request on AWS.
    return unsupported(`AWS_PROXY integration with IntegrationHttpMethod ${integrationMethod ?? '(none)'}`);
  }
  if (integration['RequestParameters'] !== undefined) {
    warnings.push(`${where}: integration request parameters are not applied to the proxy event`);
  }
  const timeout = Number(integration['TimeoutInMillis'] ?? DEFAULT_INTEGRATION_TIMEOUT_MS);
  return {
    type: 'AWS_PROXY',
    functionName: fn[1],
    ...(fn[2] === undefined ? {} : { qualifier: fn[2] }),
    functionArn,
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_INTEGRATION_TIMEOUT_MS,
  };
}

function readMock(
  integration: Readonly<Record<string, unknown>>,
  where: string,
  warnings: string[],
): RouteIntegration {
  const requestTemplates = stringRecord(integration['RequestTemplates']) ?? {};
  const template = requestTemplates['application/json'] ?? Object.values(requestTemplates)[0];
  const status = template === undefined ? undefined : /statusCode["']?\s*:\s*"?(\d{3})/.exec(template)?.[1];

  const responses = list(integration['IntegrationResponses']).flatMap((raw): MockIntegrationResponse[] => {
    const r = record(raw);
    const statusCode = Number(r?.['StatusCode']);
    if (!r || !Number.isInteger(statusCode)) return [];
    const selectionPattern = str(r['SelectionPattern']);
    return [
      {
        statusCode,
        ...(selectionPattern ? { selectionPattern } : {}),
        headers: staticHeaders(r['ResponseParameters'], 'method.response.header.', where, warnings).headers,
        ...readMockTemplate(stringRecord(r['ResponseTemplates']), where, warnings),
      },
    ];
  });
  if (responses.length === 0) {
    warnings.push(`${where}: MOCK integration has no integration response; API Gateway answers 500`);
  }
  return { type: 'MOCK', requestStatusCode: status === undefined ? 200 : Number(status), responses };
}

function readMockTemplate(
  templates: Readonly<Record<string, string>> | undefined,
  where: string,
  warnings: string[],
): Pick<MockIntegrationResponse, 'body' | 'echoOrigin'> {
  const template = templates?.['application/json'] ?? Object.values(templates ?? {})[0];
  if (template === undefined) return { body: '' };

  // CDK's `allowOrigins` with several origins: the first is static, the others are echoed back by VTL.
  const override = /\$context\.responseOverride\.header\.([\w-]+)\s*=\s*\$origin/.exec(template);
  if (override?.[1] && template.includes('$input.params().header.get(')) {
    const origins = [...template.matchAll(/\$origin\s*==\s*"([^"]+)"/g)].flatMap((m) => (m[1] ? [m[1]] : []));
    return { body: '', echoOrigin: { header: override[1], origins } };
  }
  if (/[$#]/.test(template)) {
    warnings.push(`${where}: the mapping template is not rendered (VTL is not emulated); the body is empty`);
    return { body: '' };
  }
  return { body: template };
}

function readGatewayResponses(
  responses: readonly ResolvedResource[],
  warnings: string[],
): Record<string, GatewayResponseConfig> {
  const byType: Record<string, GatewayResponseConfig> = {};
  for (const response of responses) {
    const p = response.properties;
    const type = str(p['ResponseType']);
    if (type === undefined) continue;
    const statusCode = Number(p['StatusCode']);
    const { headers, requestHeaders } = staticHeaders(
      p['ResponseParameters'],
      'gatewayresponse.header.',
      response.logicalId,
      warnings,
    );
    const templates = stringRecord(p['ResponseTemplates']);
    const template = templates?.['application/json'] ?? Object.values(templates ?? {})[0];
    if (
      template !== undefined &&
      /\$(?!context\.error\.messageString|context\.error\.message|context\.requestId)/.test(template)
    ) {
      warnings.push(
        `${response.logicalId}: only $context.error.message(String) and $context.requestId are rendered`,
      );
    }
    byType[type] = {
      ...(Number.isInteger(statusCode) ? { statusCode } : {}),
      headers,
      requestHeaders,
      ...(template === undefined ? {} : { template }),
    };
  }
  return byType;
}

/** Reads `prefix.Name: "'value'"` (static) and `prefix.Name: "method.request.header.X"` parameters. */
function staticHeaders(
  parameters: unknown,
  prefix: string,
  where: string,
  warnings: string[],
): { headers: Record<string, string>; requestHeaders: Record<string, string> } {
  const headers: Record<string, string> = {};
  const requestHeaders: Record<string, string> = {};
  for (const [key, value] of Object.entries(stringRecord(parameters) ?? {})) {
    if (!key.startsWith(prefix)) continue;
    const name = key.slice(prefix.length);
    const quoted = /^'(.*)'$/s.exec(value);
    const fromRequest = /^method\.request\.header\.(.+)$/.exec(value);
    if (quoted) headers[name] = quoted[1] ?? '';
    else if (fromRequest?.[1] && prefix === 'gatewayresponse.header.') requestHeaders[name] = fromRequest[1];
    else warnings.push(`${where}: header ${name} mapped from ${value} is not emulated`);
  }
  return { headers, requestHeaders };
}

function mentionsApi(value: unknown, apiId: string): boolean {
  if (value === apiId) return true;
  if (Array.isArray(value)) return value.some((v) => mentionsApi(v, apiId));
  const r = record(value);
  return r !== undefined && Object.values(r).some((v) => mentionsApi(v, apiId));
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/**
 * A `MethodSettings` `ResourcePath` as routes write it: API Gateway puts the path, its slashes escaped
 * as `~1`, after a leading `/` (`/~1orders~1{orderId}` is `/orders/{orderId}`); `/*` stays.
 */
function resourcePathOf(settingPath: string): string {
  if (settingPath === '/*') return settingPath;
  return settingPath.slice(1).replace(/~1/g, '/').replace(/~0/g, '~') || '/';
}

/** A number, or a numeric string as CloudFormation may pass it; anything else is absent. */
function num(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

function record(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  const r = record(value);
  if (!r) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r)) {
    const s = str(v);
    if (s !== undefined) out[k] = s;
  }
  return out;
}
