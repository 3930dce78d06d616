import * as z from 'zod';
import type { AppLogger } from '../../../shared/observability/app-logger';
import type { CheckTraffic } from '../application/check-traffic';

/** What CodeDeploy invokes a Lambda deployment's hook with. */
const HookEventSchema = z.object({
  DeploymentId: z.string().min(1),
  LifecycleEventHookExecutionId: z.string().min(1),
});

export interface TrafficHookHandlerDependencies {
  readonly checkTraffic: CheckTraffic;
  readonly logger: AppLogger;
}

/** A CodeDeploy traffic hook: smoke-tests the deployment's new version and reports the verdict. */
export function makeHandler(deps: TrafficHookHandlerDependencies) {
  return async (event: unknown): Promise<{ readonly verdict: 'Succeeded' | 'Failed' }> => {
    const hook = HookEventSchema.parse(event);
    return { verdict: await deps.checkTraffic(hook.DeploymentId, hook.LifecycleEventHookExecutionId) };
  };
}
