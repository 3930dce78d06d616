import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, type IConstruct } from 'constructs';

export interface ContextRoute {
  /** The resource path, e.g. `/orders/{orderId}/cancel`. */
  readonly path: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly handler: lambda.IFunction;
}

export interface ContextRoutesProps {
  /** The platform's shared REST API. */
  readonly api: apigateway.IRestApi;
  readonly routes: readonly ContextRoute[];
  /**
   * Protects every route of the construct. A `CognitoUserPoolsAuthorizer`: API Gateway checks the ID
   * token of the `Authorization` header against the user pool, answers 401 itself when it is missing or
   * invalid, and hands the token's claims to the function (`requestContext.authorizer.claims`). Any
   * other authorizer is applied with its own authorization type.
   * @default - none: the routes are open to anyone
   */
  readonly authorizer?: apigateway.IAuthorizer;
}

/**
 * The resources `ContextRoutes` created on each shared API (by API id and path), per app. API Gateway
 * refuses two resources of the same path, so a path another context's routes created (`/users` for both
 * `/users/me` and `/users/{userId}/orders`) is imported by id rather than created again.
 */
const resourcesByApp = new WeakMap<IConstruct, Map<string, apigateway.IResource>>();

/**
 * A bounded context's routes on the shared REST API, owned by the context's own stack: Lambda proxy
 * methods, optionally behind an authorizer. They go live with the API's one deployment (`ApiStageStack`),
 * which waits for `methods` and is made anew whenever `fingerprints` change.
 *
 * Each path segment has one owner: the first `ContextRoutes` of the app to need it creates it; a later
 * one (in another stack) imports it by id, which makes its stack depend on, and deploy after, the owner's.
 */
export class ContextRoutes extends Construct {
  /** Every method these routes created. */
  public readonly methods: readonly apigateway.Method[];
  /** What identifies the routes as deployed: a route that is added, removed or changed changes them. */
  public readonly fingerprints: readonly Readonly<Record<string, unknown>>[];
  /** Resources of other `ContextRoutes` this one builds on, by path. */
  private readonly imported = new Map<string, apigateway.IResource>();

  constructor(scope: Construct, id: string, props: ContextRoutesProps) {
    super(scope, id);
    if (props.routes.length === 0) {
      throw new Error(`ContextRoutes ${id}: give at least one route.`);
    }
    // Imported by id, so resources and methods are created in this stack, not in the API's.
    const api = apigateway.RestApi.fromRestApiAttributes(this, 'SharedApi', {
      restApiId: props.api.restApiId,
      rootResourceId: props.api.restApiRootResourceId,
    });
    const methods: apigateway.Method[] = [];
    const fingerprints: Record<string, unknown>[] = [];
    for (const route of props.routes) {
      if (!route.path.startsWith('/')) {
        throw new Error(`ContextRoutes ${id}: path '${route.path}' must start with '/'.`);
      }
      const resource = this.resourceFor(api, props.api.restApiId, route.path);
      const method = resource.addMethod(
        route.method,
        new apigateway.LambdaIntegration(route.handler),
        props.authorizer === undefined
          ? undefined
          : {
              authorizer: props.authorizer,
              authorizationType: props.authorizer.authorizationType ?? apigateway.AuthorizationType.COGNITO,
            },
      );
      methods.push(method);
      fingerprints.push({
        httpMethod: route.method,
        path: route.path,
        integration: route.handler.functionArn,
        // A route that gains or changes its authorizer is deployed anew.
        ...(props.authorizer === undefined ? {} : { authorizer: props.authorizer.authorizerId }),
      });
    }
    this.methods = methods;
    this.fingerprints = fingerprints;
  }

  /** The resource of `path`: this construct's own, another `ContextRoutes`' imported, or a new one. */
  private resourceFor(api: apigateway.IRestApi, apiId: string, path: string): apigateway.IResource {
    let created = resourcesByApp.get(this.node.root);
    if (created === undefined) {
      created = new Map();
      resourcesByApp.set(this.node.root, created);
    }
    let resource: apigateway.IResource = api.root;
    let current = '';
    for (const part of path.split('/').filter((segment) => segment.length > 0)) {
      current += `/${part}`;
      const known = resource.getResource(part) ?? this.imported.get(current);
      if (known !== undefined) {
        resource = known;
        continue;
      }
      const owned = created.get(`${apiId} ${current}`);
      if (owned !== undefined) {
        resource = apigateway.Resource.fromResourceAttributes(this, `Shared${current.replaceAll('/', '_')}`, {
          restApi: api,
          resourceId: owned.resourceId,
          path: current,
        });
        this.imported.set(current, resource);
        continue;
      }
      resource = resource.addResource(part);
      created.set(`${apiId} ${current}`, resource);
    }
    return resource;
  }
}
