import { CloudFormationClient, paginateDescribeStacks } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';

/** Where the clients talk: the local cloud's edge (`localClientConfig`), or AWS as the CLI does (`{}`). */
export interface ShopClientConfig {
  readonly endpoint?: string;
  readonly region?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** The SDK clients the deployment tooling uses, on one endpoint. */
export interface ShopClients {
  readonly cloudFormation: CloudFormationClient;
  readonly lambda: LambdaClient;
  readonly stepFunctions: SFNClient;
  readonly cloudWatch: CloudWatchClient;
  readonly ssm: SSMClient;
  readonly codeDeploy: CodeDeployClient;
  /** For clients made per use (Cognito's). */
  readonly config: ShopClientConfig;
  destroy(): void;
}

export function shopClients(config: ShopClientConfig = {}): ShopClients {
  const clients = {
    cloudFormation: new CloudFormationClient(config),
    lambda: new LambdaClient(config),
    stepFunctions: new SFNClient(config),
    cloudWatch: new CloudWatchClient(config),
    ssm: new SSMClient(config),
    codeDeploy: new CodeDeployClient(config),
  };
  return {
    ...clients,
    config,
    destroy: () => Object.values(clients).forEach((client) => client.destroy()),
  };
}

/** Every stack's outputs, by stack name and output key. */
export async function stackOutputs(
  cloudFormation: CloudFormationClient,
): Promise<Record<string, Record<string, string>>> {
  const outputs: Record<string, Record<string, string>> = {};
  for await (const page of paginateDescribeStacks({ client: cloudFormation }, {})) {
    for (const stack of page.Stacks ?? []) {
      outputs[stack.StackName ?? ''] = Object.fromEntries(
        (stack.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']),
      );
    }
  }
  return outputs;
}
