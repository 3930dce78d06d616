/**
 * Where the end-to-end suite runs: the same journeys against the local cloud, LocalStack or an AWS
 * account, chosen with `E2E_TARGET`. The suite reaches a target only through what a client of a real
 * deployment has — the AWS APIs and the shop's API — and finds the stacks' outputs with CloudFormation's
 * `DescribeStacks`, as on AWS.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { localClientConfig, type LocalCloud } from 'cdk-local-cloud';
import { DEFAULT_APP_NAME, stackPrefix } from '../../../infra/app-settings';
import { startShopCloud } from '../../support/shop-cloud';

export type E2eTargetName = 'local' | 'localstack' | 'aws';
export const E2E_TARGETS: readonly E2eTargetName[] = ['local', 'localstack', 'aws'];

/** What every AWS SDK client of the suite is built with. */
export interface E2eClientConfig {
  readonly region: string;
  /** An emulator's endpoint; on AWS, each service's own. */
  readonly endpoint?: string;
  /** An emulator's dummy keys; on AWS, the SDK's default credential chain. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** The app's stacks by their name without the app's prefix (`Orders` for `ShopOrders`). */
export type StackName =
  | 'Platform'
  | 'Users'
  | 'Inventory'
  | 'Accounts'
  | 'Payments'
  | 'Orders'
  | 'Operations'
  | 'ApiStage'
  | 'PaymentProvider';

export interface E2eTarget {
  readonly name: E2eTargetName;
  readonly clientConfig: E2eClientConfig;
  /** The shop's API stage URL, without a trailing slash: the API stage stack's `ApiUrl` output. */
  readonly apiUrl: string;
  /** A stack's output; throws naming the stack and key when the deployment has no such output. */
  output(stack: StackName, key: string): string;
  /** Stops what the suite started (the local cloud); a deployment it found is left as it is. */
  stop(): Promise<void>;
}

/** LocalStack accepts any keys; these are the ones its documentation uses. */
const LOCALSTACK_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Reads `E2E_TARGET` (`local` unless set); a value that names no target throws. */
export function e2eTargetName(env: NodeJS.ProcessEnv = process.env): E2eTargetName {
  const value = env['E2E_TARGET'] ?? 'local';
  const known = E2E_TARGETS.find((target) => target === value);
  if (known === undefined) {
    throw new Error(`E2E_TARGET=${value} names no target: use one of ${E2E_TARGETS.join(', ')}.`);
  }
  return known;
}

/**
 * Connects to the target `E2E_TARGET` names, checks it may be used, and reads the app's outputs:
 * - `local` starts the local cloud on this project (the `local` stage) and stops it in `stop()`;
 * - `localstack` needs `AWS_ENDPOINT_URL` and the app deployed there (`cdklocal deploy --all`);
 * - `aws` needs credentials and `E2E_AWS_ACCOUNT`, and refuses to run when the credentials belong to
 *   another account.
 * `E2E_APP_NAME` names the copy of the app (`shop:name`), `shop` unless set.
 */
export async function connectE2eTarget(env: NodeJS.ProcessEnv = process.env): Promise<E2eTarget> {
  const name = e2eTargetName(env);
  const prefix = stackPrefix(env['E2E_APP_NAME'] ?? DEFAULT_APP_NAME);
  let cloud: LocalCloud | undefined;
  let clientConfig: E2eClientConfig;
  switch (name) {
    case 'local':
      cloud = (await startShopCloud()).cloud;
      clientConfig = localClientConfig(cloud.edgeUrl);
      break;
    case 'localstack': {
      const endpoint = env['AWS_ENDPOINT_URL'];
      if (endpoint === undefined || endpoint === '') {
        throw new Error(
          'E2E_TARGET=localstack needs AWS_ENDPOINT_URL, e.g. http://localhost.localstack.cloud:4566.',
        );
      }
      clientConfig = {
        region: env['AWS_REGION'] ?? 'us-east-1',
        endpoint,
        credentials:
          env['AWS_ACCESS_KEY_ID'] === undefined
            ? LOCALSTACK_CREDENTIALS
            : { accessKeyId: env['AWS_ACCESS_KEY_ID'], secretAccessKey: env['AWS_SECRET_ACCESS_KEY'] ?? '' },
      };
      break;
    }
    case 'aws': {
      const region = env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
      if (region === undefined) throw new Error('E2E_TARGET=aws needs AWS_REGION.');
      clientConfig = { region };
      await refuseOtherAccounts(clientConfig, env['E2E_AWS_ACCOUNT']);
      break;
    }
  }
  try {
    const outputs = await stackOutputs(clientConfig, prefix);
    const output = (stack: StackName, key: string): string => {
      const value = outputs.get(`${prefix}${stack}`)?.get(key);
      if (value === undefined) throw new Error(`The stack ${prefix}${stack} has no output ${key}.`);
      return value;
    };
    return {
      name,
      clientConfig,
      apiUrl: output('ApiStage', 'ApiUrl').replace(/\/+$/, ''),
      output,
      stop: async () => {
        await cloud?.stop();
      },
    };
  } catch (error) {
    await cloud?.stop();
    throw error;
  }
}

/** The suite creates users, products, orders and accounts: never in an account nobody named. */
async function refuseOtherAccounts(config: E2eClientConfig, expected: string | undefined): Promise<void> {
  if (expected === undefined || !/^\d{12}$/.test(expected)) {
    throw new Error(
      'E2E_TARGET=aws creates users, products, orders and accounts: set E2E_AWS_ACCOUNT to the 12-digit id ' +
        'of the account the app is deployed in.',
    );
  }
  const sts = new STSClient(config);
  try {
    const { Account } = await sts.send(new GetCallerIdentityCommand({}));
    if (Account !== expected) {
      throw new Error(
        `The credentials are of account ${Account ?? 'unknown'}, not E2E_AWS_ACCOUNT=${expected}: refusing to run.`,
      );
    }
  } finally {
    sts.destroy();
  }
}

/** Every stack of the app (`<prefix>…`) with its outputs, by `DescribeStacks` page after page. */
async function stackOutputs(
  config: E2eClientConfig,
  prefix: string,
): Promise<Map<string, Map<string, string>>> {
  const cloudFormation = new CloudFormationClient(config);
  const stacks = new Map<string, Map<string, string>>();
  try {
    let nextToken: string | undefined;
    do {
      const page = await cloudFormation.send(new DescribeStacksCommand({ NextToken: nextToken }));
      for (const stack of page.Stacks ?? []) {
        if (stack.StackName === undefined || !stack.StackName.startsWith(prefix)) continue;
        const outputs = new Map<string, string>();
        for (const { OutputKey, OutputValue } of stack.Outputs ?? []) {
          if (OutputKey !== undefined && OutputValue !== undefined) outputs.set(OutputKey, OutputValue);
        }
        stacks.set(stack.StackName, outputs);
      }
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
  } finally {
    cloudFormation.destroy();
  }
  if (!stacks.has(`${prefix}ApiStage`)) {
    throw new Error(
      `No stack ${prefix}ApiStage is deployed on this target: deploy the app first (docs/deploying.md).`,
    );
  }
  // The journeys pay with the sandbox's test tokens: a `prod` deployment has a real processor instead.
  if (!stacks.has(`${prefix}PaymentProvider`)) {
    throw new Error(
      `No stack ${prefix}PaymentProvider (the sandbox card processor): the journeys pay with its test ` +
        'tokens, so they run on a `local` or `dev` stage deployment, never on `prod`.',
    );
  }
  return stacks;
}
