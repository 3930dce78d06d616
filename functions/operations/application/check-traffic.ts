import type { AppLogger } from '../../../shared/observability/app-logger';
import type { SmokeRequest } from '../contracts/traffic-hook';
import type { DeploymentHooks, SmokeAnswer, SmokeInvocation, SmokeInvoker } from '../ports/deployment-hooks';
import type { SyntheticOrderCheck } from './synthetic-order-check';

/**
 * `before`: the new version, invoked directly, before it takes traffic (CodeDeploy's BeforeAllowTraffic).
 * `after`: the alias, once it points at the new version (AfterAllowTraffic).
 */
export type TrafficHookStage = 'before' | 'after';

/** The API request of `api-request`: one no route answers with a success, nor may with a 5xx. */
export const SMOKE_API_REQUEST = {
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

/** The invocation each smoke request makes (contracts/traffic-hook.ts). */
export function smokeInvocationOf(request: SmokeRequest): SmokeInvocation {
  switch (request) {
    case 'api-request':
      return { event: SMOKE_API_REQUEST, startupProbe: false };
    case 'empty-batch':
      return { event: { Records: [] }, startupProbe: false };
    case 'startup-probe':
      return { event: {}, startupProbe: true };
  }
}

/** Whether `answer` passes `request`: never a function error, and what each request expects besides. */
export function smokePassed(request: SmokeRequest, answer: SmokeAnswer): boolean {
  if (answer.functionError !== undefined) return false;
  switch (request) {
    case 'api-request':
      return (answer.statusCode ?? 200) < 500;
    case 'empty-batch':
      return (answer.failedItems ?? 0) === 0;
    case 'startup-probe':
      return answer.ready === true;
  }
}

export interface CheckTrafficDependencies {
  readonly hooks: DeploymentHooks;
  readonly invoker: SmokeInvoker;
  readonly stage: TrafficHookStage;
  /** The smoke request of each function the hook serves, by function name. */
  readonly smokeRequests: Readonly<Record<string, SmokeRequest>>;
  /** After traffic, on the order path: a synthetic order must reach the read model too. */
  readonly syntheticOrder?: SyntheticOrderCheck;
  readonly logger: AppLogger;
}

/**
 * The verdict a hook reports: the function's smoke request passed — and, after traffic, the alias ran
 * it on the new version (an all-at-once deployment routes every request there), and the synthetic order,
 * where there is one, reached the read model.
 */
export type CheckTraffic = (deploymentId: string, hookExecutionId: string) => Promise<'Succeeded' | 'Failed'>;

export function makeCheckTraffic(deps: CheckTrafficDependencies): CheckTraffic {
  return async (deploymentId, hookExecutionId) => {
    let verdict: 'Succeeded' | 'Failed';
    try {
      const target = await deps.hooks.targetOf(deploymentId);
      const request = deps.smokeRequests[target.functionName];
      if (request === undefined) {
        throw new Error(`No smoke request is declared for ${target.functionName}.`);
      }
      const qualifier = deps.stage === 'before' ? target.targetVersion : target.aliasName;
      const answer = await deps.invoker.invoke(target.functionName, qualifier, smokeInvocationOf(request));
      const onTarget = deps.stage === 'before' || answer.executedVersion === target.targetVersion;
      const smoked = smokePassed(request, answer) && onTarget;
      deps.logger.info('traffic hook: smoke request answered', {
        deploymentId,
        stage: deps.stage,
        functionName: target.functionName,
        qualifier,
        request,
        targetVersion: target.targetVersion,
        passed: smoked,
        ...answer,
      });
      verdict = smoked ? 'Succeeded' : 'Failed';
      if (smoked && deps.stage === 'after' && deps.syntheticOrder !== undefined) {
        const outcome = await deps.syntheticOrder();
        const seen = { deploymentId, functionName: target.functionName, ...outcome };
        if (outcome.passed) {
          deps.logger.info('traffic hook: the synthetic order reached the read model', seen);
        } else {
          deps.logger.warn('traffic hook: the synthetic order did not reach the read model', seen);
          verdict = 'Failed';
        }
      }
    } catch (error) {
      // A deployment whose hook cannot decide must not go on.
      verdict = 'Failed';
      deps.logger.error('traffic hook: could not check the deployment', { deploymentId, error });
    }
    await deps.hooks.report(deploymentId, hookExecutionId, verdict);
    return verdict;
  };
}
