import type { AppLogger } from '../../../shared/observability/app-logger';
import type { DeploymentHooks, SmokeInvoker } from '../ports/deployment-hooks';

/**
 * `before`: the new version, invoked directly, before it takes traffic (CodeDeploy's BeforeAllowTraffic).
 * `after`: the alias, once it points at the new version (AfterAllowTraffic).
 */
export type TrafficHookStage = 'before' | 'after';

/**
 * The smoke request: an API Gateway request no route answers with a success, and none may answer with a
 * server error — a version that cannot start (a module that does not load, a configuration that does
 * not parse) or cannot answer fails it. Routes behind the authorizer answer 401, open ones 4xx.
 */
export const SMOKE_REQUEST = {
  resource: '/{proxy+}',
  path: '/_smoke',
  httpMethod: 'GET',
  headers: { 'X-Smoke-Test': 'traffic-hook' },
  multiValueHeaders: { 'X-Smoke-Test': ['traffic-hook'] },
  queryStringParameters: null,
  multiValueQueryStringParameters: null,
  pathParameters: null,
  stageVariables: null,
  body: null,
  isBase64Encoded: false,
  requestContext: { requestId: 'traffic-hook-smoke', stage: 'smoke', path: '/_smoke', httpMethod: 'GET' },
} as const;

export interface CheckTrafficDependencies {
  readonly hooks: DeploymentHooks;
  readonly invoker: SmokeInvoker;
  readonly stage: TrafficHookStage;
  readonly logger: AppLogger;
}

/** The verdict a hook reports: the smoke request answered without a function error or a 5xx. */
export type CheckTraffic = (deploymentId: string, hookExecutionId: string) => Promise<'Succeeded' | 'Failed'>;

export function makeCheckTraffic(deps: CheckTrafficDependencies): CheckTraffic {
  return async (deploymentId, hookExecutionId) => {
    let verdict: 'Succeeded' | 'Failed';
    try {
      const target = await deps.hooks.targetOf(deploymentId);
      const qualifier = deps.stage === 'before' ? target.targetVersion : target.aliasName;
      const answer = await deps.invoker.invoke(target.functionName, qualifier, SMOKE_REQUEST);
      const failed = answer.functionError !== undefined || (answer.statusCode ?? 200) >= 500;
      verdict = failed ? 'Failed' : 'Succeeded';
      deps.logger.info('traffic hook: smoke request answered', {
        deploymentId,
        stage: deps.stage,
        functionName: target.functionName,
        qualifier,
        verdict,
        ...answer,
      });
    } catch (error) {
      // A deployment whose hook cannot decide must not go on.
      verdict = 'Failed';
      deps.logger.error('traffic hook: could not check the deployment', { deploymentId, error });
    }
    await deps.hooks.report(deploymentId, hookExecutionId, verdict);
    return verdict;
  };
}
