import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface ContextRoute {
  /** The resource path, e.g. `/orders/{orderId}/cancel`. */
  readonly path: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly handler: lambda.IFunction;
}

export interface ContextRoutesProps {
  /** The platform's shared REST API. */
  readonly api: apigateway.IRestApi;
  /** The stage the platform stack created. @default 'prod' */
  readonly stageName?: string;
  /** Describes the deployment, e.g. 'Orders routes'. */
  readonly description: string;
  readonly routes: readonly ContextRoute[];
}

/**
 * A bounded context's routes on the shared REST API, owned by the context's own stack: Lambda proxy
 * methods and a deployment that puts them on the platform's stage whenever they change.
 */
export class ContextRoutes extends Construct {
  public readonly deployment: apigateway.Deployment;

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
    // A deployment is a snapshot of the whole API: a new one, whenever these routes change, puts them
    // on the stage the platform stack created.
    this.deployment = new apigateway.Deployment(this, 'Deployment', {
      api,
      stageName: props.stageName ?? 'prod',
      description: props.description,
    });
    for (const route of props.routes) {
      if (!route.path.startsWith('/')) {
        throw new Error(`ContextRoutes ${id}: path '${route.path}' must start with '/'.`);
      }
      const resource = api.root.resourceForPath(route.path);
      const method = resource.addMethod(route.method, new apigateway.LambdaIntegration(route.handler));
      this.deployment.node.addDependency(method);
      this.deployment.addToLogicalId({
        httpMethod: route.method,
        path: route.path,
        integration: route.handler.functionArn,
      });
    }
  }
}
