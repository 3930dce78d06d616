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

/** What a function answered a smoke request. */
export interface SmokeAnswer {
  /** Set when the invocation failed (`Unhandled`): nothing else is then read. */
  readonly functionError?: string;
  /** The version that ran (`X-Amz-Executed-Version`). */
  readonly executedVersion?: string;
  /** The HTTP status of an API Gateway proxy answer. */
  readonly statusCode?: number;
  /** How many items a batch answer reported failed (`batchItemFailures`). */
  readonly failedItems?: number;
  /** The start-up probe's answer: the version's dependencies were built. */
  readonly ready?: boolean;
}

/** One smoke invocation: the event, and whether it carries the start-up probe in its client context. */
export interface SmokeInvocation {
  readonly event: unknown;
  readonly startupProbe: boolean;
}

/** Invokes a version or alias of a function synchronously. */
export interface SmokeInvoker {
  invoke(functionName: string, qualifier: string, invocation: SmokeInvocation): Promise<SmokeAnswer>;
}
