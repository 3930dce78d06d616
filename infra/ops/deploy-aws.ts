/**
 * `npm run deploy:aws -- [-c key=value …] [--bake <seconds>] [--no-rollout] [--staff-token <ID token>]`:
 * deploys the app to the AWS account and Region of the environment (as the AWS CLI and CDK find them),
 * as `deploy:local` does into the local cloud:
 * 1. the canaries' `live` versions are read, so the deployment holds them (`shop:liveVersions`);
 * 2. `cdk synth` into `cdk.out`, then the rollout gate on that assembly (no guard in `ALARM`, none
 *    missing but on a first deployment);
 * 3. the synthetic customer of the orders context's after-traffic hooks is made if there is none (its
 *    product is created by the staff member whose ID token `--staff-token` or `SHOP_STAFF_ID_TOKEN`
 *    gives);
 * 4. `cdk deploy --all` of that assembly: CloudFormation hands each blue/green alias to CodeDeploy;
 * 5. a canary rollout of each canary that got a new version, followed to its end; staff approve at 50 %.
 * Exits 1 when the gate refuses or a rollout does not succeed.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { LIVE_VERSIONS_CONTEXT } from '../constructs/service-function';
import {
  canaryDeployment,
  liveVersions,
  newCanaryVersions,
  rollOutCanaries,
  type CanaryDeployment,
} from './canary-rollouts';
import { contextValues, DEPLOY_OPTIONS, runCommand } from './cli';
import { checkRollout } from './rollout-guards';
import { shopClients, stackOutputs, type ShopClients } from './shop-clients';
import { shopUserPool } from './shop-users';
import { ensureSyntheticCheck } from './synthetic-check';

/** Where the assembly is synthesized, and deployed from: the gate reads what is deployed. */
export const ASSEMBLY_DIR = 'cdk.out';

/** The two CDK commands, with the context given and the live versions held. */
export function cdkCommands(
  context: Readonly<Record<string, string>>,
  held: Readonly<Record<string, string>>,
): { readonly synth: string[]; readonly deploy: string[] } {
  const flags = Object.entries({ ...context, [LIVE_VERSIONS_CONTEXT]: JSON.stringify(held) }).flatMap(
    ([key, value]) => ['-c', `${key}=${value}`],
  );
  return {
    synth: ['cdk', 'synth', '--quiet', '--output', ASSEMBLY_DIR, ...flags],
    deploy: ['cdk', 'deploy', '--all', '--app', ASSEMBLY_DIR, '--require-approval', 'never'],
  };
}

function run(args: readonly string[]): void {
  console.log(`$ npx ${args.join(' ')}`);
  const result = spawnSync('npx', args, { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npx ${args.slice(0, 2).join(' ')} failed (${result.status}).`);
}

/** The deployed canaries, or undefined before the first deployment (no operations stack yet). */
async function deployedCanaries(clients: ShopClients): Promise<CanaryDeployment | undefined> {
  try {
    return await canaryDeployment(clients.cloudFormation);
  } catch (error) {
    if (error instanceof Error && /RolloutStateMachineArn/.test(error.message)) return undefined;
    throw error;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { ...DEPLOY_OPTIONS, 'staff-token': { type: 'string' } },
  });
  const staffToken = values['staff-token'] ?? process.env['SHOP_STAFF_ID_TOKEN'];
  const clients = shopClients();
  try {
    const deployed = await deployedCanaries(clients);
    const held = deployed === undefined ? {} : await liveVersions(clients.lambda, deployed.canaries);
    const commands = cdkCommands(contextValues(values.context ?? []), held);
    run(commands.synth);
    const gate = await checkRollout(clients.cloudWatch, ASSEMBLY_DIR, {
      firstDeploy: deployed === undefined,
    });
    for (const line of gate.lines) console.log(line);
    if (!gate.allowed) {
      console.log('The rollout must not start.');
      process.exitCode = 1;
      return;
    }
    const outputs = deployed === undefined ? {} : await stackOutputs(clients.cloudFormation);
    const apiUrl = Object.entries(outputs).find(([stack]) => stack.endsWith('ApiStage'))?.[1]['ApiUrl'];
    if (deployed !== undefined) {
      if (apiUrl === undefined) throw new Error('No ApiStage stack with the output ApiUrl is deployed.');
      const { created } = await ensureSyntheticCheck({
        ssm: clients.ssm,
        cognito: {},
        pool: shopUserPool(outputs),
        apiUrl,
        staff: async () => {
          if (staffToken === undefined) {
            throw new Error(
              "The orders context's after-traffic hooks need their synthetic customer, and making it takes a " +
                'staff member (who creates its product): pass --staff-token <ID token> or set SHOP_STAFF_ID_TOKEN.',
            );
          }
          return { idToken: staffToken };
        },
      });
      if (created) console.log('synthetic customer made for the after-traffic checks');
    }
    run(commands.deploy);
    if (deployed === undefined) {
      console.log(
        'First deployment: no canary to roll out. Sign a staff member up, then deploy again with ' +
          '--staff-token: the synthetic customer of the after-traffic checks is made then.',
      );
      return;
    }
    if (values['no-rollout']) return;
    const rollouts = await newCanaryVersions(clients.lambda, deployed.canaries, held);
    const succeeded = await rollOutCanaries(clients, deployed, rollouts, {
      bakeSeconds: values.bake === undefined ? 300 : Number(values.bake),
      approvalUrl: (rolloutId) => `${apiUrl ?? '<api>'}/deployments/${rolloutId}/approval`,
      log: (line) => console.log(line),
    });
    if (!succeeded) process.exitCode = 1;
  } finally {
    clients.destroy();
  }
}

runCommand(module, main);
