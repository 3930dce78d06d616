/** The function a CodeDeploy deployment moves: its alias, from the version it runs to the one it brings. */
export interface DeploymentUnderWay {
  readonly functionName: string;
  readonly aliasName: string;
  readonly currentVersion: string;
  readonly targetVersion: string;
}

/** CodeDeploy, as a traffic hook sees it: the deployment's target, and the hook's verdict. */
export interface DeploymentHooks {
  targetOf(deploymentId: string): Promise<DeploymentUnderWay>;
  report(deploymentId: string, hookExecutionId: string, status: 'Succeeded' | 'Failed'): Promise<void>;
}

/** What a function answered a smoke request: its error, if it failed, and the HTTP status it gave. */
export interface SmokeAnswer {
  readonly functionError?: string;
  readonly statusCode?: number;
}

/** Invokes a version or alias of a function synchronously. */
export interface SmokeInvoker {
  invoke(functionName: string, qualifier: string, event: unknown): Promise<SmokeAnswer>;
}
