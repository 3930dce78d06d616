import {
  GetDeploymentTargetCommand,
  ListDeploymentTargetsCommand,
  PutLifecycleEventHookExecutionStatusCommand,
  type CodeDeployClient,
} from '@aws-sdk/client-codedeploy';
import type { DeploymentHooks, DeploymentUnderWay } from '../ports/deployment-hooks';

/**
 * CodeDeploy's view of a Lambda deployment: its one target (`ListDeploymentTargets`,
 * `GetDeploymentTarget`: the function, its alias, the current and target versions), and the hook's
 * verdict (`PutLifecycleEventHookExecutionStatus`).
 */
export class CodeDeployDeploymentHooks implements DeploymentHooks {
  constructor(private readonly props: { readonly client: CodeDeployClient }) {}

  async targetOf(deploymentId: string): Promise<DeploymentUnderWay> {
    const { targetIds = [] } = await this.props.client.send(
      new ListDeploymentTargetsCommand({ deploymentId }),
    );
    const [targetId] = targetIds;
    if (targetId === undefined) throw new Error(`Deployment ${deploymentId} has no target.`);
    const { deploymentTarget } = await this.props.client.send(
      new GetDeploymentTargetCommand({ deploymentId, targetId }),
    );
    const info = deploymentTarget?.lambdaTarget?.lambdaFunctionInfo;
    const { functionName, functionAlias, currentVersion, targetVersion } = info ?? {};
    if (!functionName || !functionAlias || !currentVersion || !targetVersion) {
      throw new Error(
        `Deployment ${deploymentId}'s target ${targetId} names no function, alias and versions.`,
      );
    }
    return { functionName, aliasName: functionAlias, currentVersion, targetVersion };
  }

  async report(deploymentId: string, hookExecutionId: string, status: 'Succeeded' | 'Failed'): Promise<void> {
    await this.props.client.send(
      new PutLifecycleEventHookExecutionStatusCommand({
        deploymentId,
        lifecycleEventHookExecutionId: hookExecutionId,
        status,
      }),
    );
  }
}
